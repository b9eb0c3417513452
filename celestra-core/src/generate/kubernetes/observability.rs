//! Observability → ServiceMonitor / PrometheusRule (Prometheus Operator) and annotations.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn observability(&mut self, i: usize, p: &ObservabilityProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut out = Vec::new();
        let path = p.metrics_path.clone().unwrap_or_else(|| "/metrics".into());
        let interval = p.scrape_interval.clone().unwrap_or_else(|| "30s".into());
        if p.metrics == Some(MetricsBackend::Prometheus) {
            for k in g.out(i) {
                let e = &g.edges[*k];
                if e.pair != Pair::ObsToTarget {
                    continue;
                }
                let t = e.tgt;
                let mname = format!("{name}-{}", g.name(t));
                let target_app = match g.ty(t) {
                    Some(NodeType::Service) => common::selected_workloads(g, t)
                        .first()
                        .map(|w| g.name(*w).to_owned())
                        .unwrap_or_else(|| g.name(t).to_owned()),
                    _ => g.name(t).to_owned(),
                };
                let sm = json!({
                    "apiVersion": "monitoring.coreos.com/v1",
                    "kind": "ServiceMonitor",
                    "metadata": self.meta(i, &mname, Some(g.ns[t])).to_json(),
                    "spec": {
                        "selector": {"matchLabels": {"app": target_app}},
                        "endpoints": [{"port": "metrics", "path": path, "interval": interval}]
                    }
                });
                out.push(json_obj(i, "ServiceMonitor", Some(g.ns[t]), &mname, sm));
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
            self.led.mapped(id, "metrics");
        } else if let Some(m) = p.metrics {
            if m == MetricsBackend::None {
                self.led.mapped(id, "metrics");
            } else {
                self.led
                    .dropped(id, "metrics", "custom metrics produce no output");
            }
        }
        for k in ["metricsPort", "metricsPath", "scrapeInterval"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.alerts == Some(AlertsBackend::AlertManager)
            && p.alert_rules.as_ref().is_some_and(|r| !r.is_empty())
        {
            let rules: Vec<Value> = p
                .alert_rules
                .iter()
                .flatten()
                .map(|r| {
                    let mut v = json!({
                        "alert": r.name.clone().unwrap_or_default(),
                        "expr": r.expr.clone().unwrap_or_default(),
                        "for": r.for_duration.clone().unwrap_or_else(|| "5m".into()),
                        "labels": {"severity": r.severity.clone().unwrap_or_else(|| "warning".into())},
                    });
                    if let Some(d) = &r.description {
                        v["annotations"] = json!({"description": d});
                    }
                    v
                })
                .collect();
            let rname = format!("{name}-alerts");
            let pr = json!({
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PrometheusRule",
                "metadata": self.meta(i, &rname, Some(ns)).to_json(),
                "spec": {"groups": [{"name": name, "rules": rules}]}
            });
            out.push(json_obj(i, "PrometheusRule", Some(ns), &rname, pr));
            self.led.mapped(id, "alerts");
            self.led.mapped(id, "alertRules");
        } else {
            if p.alerts.is_some() {
                self.led.dropped(
                    id,
                    "alerts",
                    "no alert rules, or not Prometheus AlertManager",
                );
            }
            if p.alert_rules.is_some() {
                self.led
                    .dropped(id, "alertRules", "alerts are not Prometheus AlertManager");
            }
        }
        if let Some(l) = p.logging.filter(|l| *l != LoggingBackend::None) {
            let cname = format!("{name}-logging-config");
            let mut data = crate::sort::map([
                (
                    "level".to_owned(),
                    p.log_level.unwrap_or(LogLevel::Info).as_str().to_owned(),
                ),
                (
                    "format".to_owned(),
                    p.log_format.unwrap_or(LogFormat::Json).as_str().to_owned(),
                ),
                ("output".to_owned(), "stdout".to_owned()),
                ("backend".to_owned(), l.as_str().to_owned()),
            ]);
            if let Some(ep) = &p.log_endpoint {
                data.insert("endpoint".into(), ep.clone());
            }
            let cm = core::ConfigMap {
                metadata: self.meta(i, &cname, Some(ns)),
                data: Some(data),
                ..core::ConfigMap::default()
            };
            out.push(obj(i, "ConfigMap", Some(ns), &cname, cm));
            self.led.approx(
                id,
                "logging",
                "a logging ConfigMap; no log shipper is deployed",
            );
        } else if p.logging.is_some() {
            self.led.mapped(id, "logging");
        }
        for k in ["logLevel", "logFormat", "logEndpoint"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if let Some(t) = p.tracing.filter(|t| *t != TracingBackend::None) {
            let cname = format!("{name}-tracing-config");
            let mut data = crate::sort::map([
                ("backend".to_owned(), t.as_str().to_owned()),
                (
                    "sampling-rate".to_owned(),
                    p.sampling_rate.unwrap_or(0.1).to_string(),
                ),
            ]);
            if let Some(ep) = &p.tracing_endpoint {
                let key = match t {
                    TracingBackend::Jaeger => "jaeger-endpoint",
                    TracingBackend::Zipkin => "zipkin-endpoint",
                    _ => "otlp-endpoint",
                };
                data.insert(key.into(), ep.clone());
            }
            let cm = core::ConfigMap {
                metadata: self.meta(i, &cname, Some(ns)),
                data: Some(data),
                ..core::ConfigMap::default()
            };
            out.push(obj(i, "ConfigMap", Some(ns), &cname, cm));
            self.led.approx(
                id,
                "tracing",
                "a tracing ConfigMap; no collector is deployed",
            );
        } else if p.tracing.is_some() {
            self.led.mapped(id, "tracing");
        }
        for k in ["tracingEndpoint", "samplingRate"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.dashboards.is_some() {
            self.led
                .dropped(id, "dashboards", "dashboards produce no output");
        }
        out
    }
}
