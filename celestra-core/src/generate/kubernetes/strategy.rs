//! DeploymentStrategy → Deployment strategy or an Argo Rollout (+ AnalysisTemplate).

use super::*;

impl Kube<'_, '_> {
    pub(super) fn strategy(&mut self, i: usize, p: &DeploymentStrategyProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let t = p.kind.unwrap_or(StrategyType::RollingUpdate);
        let mut out = Vec::new();
        let present = common::present_keys(g.nodes[i]);
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::DsToApp {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        match t {
            StrategyType::RollingUpdate | StrategyType::Recreate => {
                for k in [
                    "type",
                    "strategy",
                    "timeout",
                    "maxSurge",
                    "maxUnavailable",
                    "revisionHistoryLimit",
                ] {
                    if present.contains(&k) {
                        self.led.mapped(id, k);
                    }
                }
            }
            StrategyType::Canary | StrategyType::BlueGreen => {
                for app in g.targets(i, Pair::DsToApp) {
                    let app_name = g.name(app);
                    let app_ns = g.ns[app];
                    let strategy = if t == StrategyType::Canary {
                        let steps: Vec<Value> = p
                            .canary_steps
                            .clone()
                            .unwrap_or_else(|| vec![25, 50, 75, 100])
                            .into_iter()
                            .flat_map(|w| {
                                let mut s = vec![json!({"setWeight": w})];
                                if w < 100 {
                                    s.push(if p.promotion == Some(Promotion::Automatic) {
                                        json!({"pause": {"duration": "1m"}})
                                    } else {
                                        json!({"pause": {}})
                                    });
                                }
                                s
                            })
                            .collect();
                        let mut c = json!({"steps": steps});
                        if p.analysis.is_some() {
                            c["analysis"] = json!({"templates": [{"templateName": format!("{name}-analysis")}]});
                        }
                        if let Some(tr) = p.traffic_routing {
                            c["trafficRouting"] = match tr {
                                TrafficRouting::Nginx => {
                                    json!({"nginx": {"stableIngress": app_name}})
                                }
                                TrafficRouting::Istio => {
                                    json!({"istio": {"virtualService": {"name": app_name}}})
                                }
                                TrafficRouting::Ambassador => {
                                    json!({"ambassador": {"mappings": [app_name]}})
                                }
                            };
                            self.led.approx(
                                id,
                                "trafficRouting",
                                "routing object names default to the App name; adjust to your mesh/ingress",
                            );
                        }
                        json!({"canary": c})
                    } else {
                        let active = g
                            .targets(app, Pair::WorkloadToService)
                            .next()
                            .map(|s| g.name(s).to_owned())
                            .unwrap_or_else(|| app_name.to_owned());
                        let mut b = json!({
                            "activeService": active,
                            "previewService": format!("{active}-preview"),
                            "autoPromotionEnabled": p.auto_promotion.unwrap_or(false),
                        });
                        if let Some(d) = common::seconds(p.scale_down_delay.as_ref()) {
                            b["scaleDownDelaySeconds"] = json!(d);
                        }
                        if let Some(r) = p.preview_replicas {
                            b["previewReplicaCount"] = json!(r);
                        }
                        if p.analysis.is_some() {
                            b["prePromotionAnalysis"] = json!({"templates": [{"templateName": format!("{name}-analysis")}]});
                        }
                        json!({"blueGreen": b})
                    };
                    let mut meta = self.meta(i, app_name, Some(app_ns)).to_json();
                    meta["labels"] = json!(common::labels(g, app));
                    let rollout = json!({
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "Rollout",
                        "metadata": meta,
                        "spec": {
                            "replicas": common_replicas(g, app),
                            "selector": {"matchLabels": common::selector(app_name)},
                            "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app_name},
                            "strategy": strategy,
                        }
                    });
                    out.push(json_obj(i, "Rollout", Some(app_ns), app_name, rollout));
                    if t == StrategyType::BlueGreen {
                        for svc in g.targets(app, Pair::WorkloadToService) {
                            let pname = format!("{}-preview", g.name(svc));
                            let mut v = self.service(
                                svc,
                                match &g.nodes[svc].data.properties {
                                    Properties::Service(sp) => sp,
                                    _ => continue,
                                },
                            );
                            let mut o = v.remove(0);
                            let typed = o.edit(|s: &mut core::Service| {
                                s.metadata.name = Some(pname.clone());
                            });
                            debug_assert!(typed, "a Service node's Service is typed");
                            o.name = pname;
                            o.node = i;
                            out.push(o);
                        }
                    }
                }
                if let Some(a) = &p.analysis {
                    let mut metrics = Vec::new();
                    if let Some(sr) = a.success_rate {
                        metrics.push(json!({
                            "name": "success-rate",
                            "interval": a.duration.clone().unwrap_or_else(|| "5m".into()),
                            "failureLimit": a.failure_limit.unwrap_or(5),
                            "successCondition": format!("result[0] >= {}", sr / 100.0),
                            "provider": {"prometheus": {
                                "address": "http://prometheus:9090",
                                "query": "sum(rate(http_requests_total{status!~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
                            }}
                        }));
                    }
                    if let Some(er) = a.error_rate {
                        metrics.push(json!({
                            "name": "error-rate",
                            "interval": a.duration.clone().unwrap_or_else(|| "5m".into()),
                            "failureLimit": a.failure_limit.unwrap_or(5),
                            "successCondition": format!("result[0] <= {}", er / 100.0),
                            "provider": {"prometheus": {
                                "address": "http://prometheus:9090",
                                "query": "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
                            }}
                        }));
                    }
                    let aname = format!("{name}-analysis");
                    let at = json!({
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "AnalysisTemplate",
                        "metadata": self.meta(i, &aname, Some(ns)).to_json(),
                        "spec": {"metrics": metrics}
                    });
                    out.push(json_obj(i, "AnalysisTemplate", Some(ns), &aname, at));
                    self.led.approx(
                        id,
                        "analysis",
                        "Prometheus queries on http_requests_total at http://prometheus:9090",
                    );
                }
                for k in [
                    "type",
                    "timeout",
                    "canarySteps",
                    "promotion",
                    "autoPromotion",
                    "scaleDownDelay",
                    "previewReplicas",
                ] {
                    if present.contains(&k) {
                        self.led.mapped(id, k);
                    }
                }
                if p.strategy.is_some() {
                    self.led.approx(
                        id,
                        "strategy",
                        "used when Argo Rollouts is missing (deploy pre-flight)",
                    );
                }
                for k in ["maxSurge", "maxUnavailable", "revisionHistoryLimit"] {
                    if present.contains(&k) {
                        self.led.dropped(id, k, "only used by RollingUpdate");
                    }
                }
            }
        }
        for k in ["rollbackConditions", "promotionGate"] {
            if present.contains(&k) {
                self.led.dropped(id, k, "no generated output");
            }
        }
        out
    }
}
