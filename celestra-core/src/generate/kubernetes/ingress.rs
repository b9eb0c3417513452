//! Ingress → Ingress (+ TLS).

use super::*;

impl Kube<'_, '_> {
    pub(super) fn ingress(&mut self, i: usize, p: &IngressProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let present = common::present_keys(g.nodes[i]);
        // host → [(path, pathType, service, port)]
        let mut rules: Vec<(String, Vec<(String, String, String, KInt)>)> = Vec::new();
        let default_host = p.host.clone().unwrap_or_default();
        let default_path = p.path.clone().unwrap_or_else(|| "/".into());
        let default_pt = p.path_type.unwrap_or(PathType::Prefix);
        let ruled: Vec<&str> = p
            .rules
            .iter()
            .flatten()
            .flat_map(|r| r.paths.iter().flatten())
            .filter_map(|x| x.service.as_deref())
            .collect();
        let mut add = |host: String, path: String, pt: String, svc: String, port: KInt| {
            let at = match rules.iter().position(|(h, _)| *h == host) {
                Some(at) => at,
                None => {
                    rules.push((host, Vec::new()));
                    rules.len() - 1
                }
            };
            let list = &mut rules[at].1;
            if !list.iter().any(|(p0, _, s0, _)| *p0 == path && *s0 == svc) {
                list.push((path, pt, svc, port));
            }
        };
        let mut tls_from_edges: Vec<(String, Vec<String>)> = Vec::new();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            let d = e.conn.data.as_ref();
            match e.pair {
                Pair::ServiceToIngress | Pair::AppToIngress => {
                    let plain =
                        d.is_none_or(|d| d.host.is_none() && d.path.is_none() && d.port.is_none());
                    if plain && ruled.contains(&g.name(e.src)) {
                        self.led.connection(&e.conn.id, Fidelity::Mapped);
                        continue;
                    }
                    let svc_name = g.name(e.src).to_owned();
                    let port = d.and_then(|d| d.port.clone()).or_else(|| {
                        if e.pair == Pair::ServiceToIngress {
                            common::service_ports(g, e.src)
                                .first()
                                .map(|p| IntOrString::Int(p.port))
                        } else {
                            common::container_ports(g.nodes[e.src])
                                .first()
                                .map(|p| IntOrString::Int(p.port))
                        }
                    });
                    let Some(port) = port else {
                        self.led.connection(
                            &e.conn.id,
                            Fidelity::Dropped {
                                why: "the backend has no port".into(),
                            },
                        );
                        continue;
                    };
                    add(
                        d.and_then(|d| d.host.clone())
                            .unwrap_or_else(|| default_host.clone()),
                        d.and_then(|d| d.path.clone())
                            .unwrap_or_else(|| default_path.clone()),
                        d.and_then(|d| d.path_type)
                            .unwrap_or(default_pt)
                            .as_str()
                            .to_owned(),
                        svc_name,
                        kint(&port),
                    );
                    self.led.connection(&e.conn.id, Fidelity::Mapped);
                }
                Pair::SecretToIngress => {
                    let hosts = d.and_then(|d| d.hosts.clone());
                    tls_from_edges.push((g.name(e.src).to_owned(), hosts.unwrap_or_default()));
                    self.led.connection(&e.conn.id, Fidelity::Mapped);
                }
                _ => {}
            }
        }
        for rule in p.rules.iter().flatten() {
            for path in rule.paths.iter().flatten() {
                let Some(svc) = &path.service else { continue };
                let port = path.port.clone().or_else(|| {
                    g.find(NodeType::Service, svc, ns).and_then(|s| {
                        common::service_ports(g, s)
                            .first()
                            .map(|p| IntOrString::Int(p.port))
                    })
                });
                let Some(port) = port else { continue };
                add(
                    rule.host.clone().unwrap_or_default(),
                    path.path.clone().unwrap_or_else(|| "/".into()),
                    path.path_type.unwrap_or(default_pt).as_str().to_owned(),
                    svc.clone(),
                    kint(&port),
                );
            }
        }
        // By host, as a map would give them (a vector: one map type less in the engine).
        crate::sort::sort_by(&mut rules, |a, b| a.0.cmp(&b.0));
        let all_hosts: Vec<String> = rules
            .iter()
            .map(|(h, _)| h)
            .filter(|h| !h.is_empty())
            .cloned()
            .collect();
        let k8s_rules: Vec<net::IngressRule> = rules
            .into_iter()
            .map(|(host, paths)| net::IngressRule {
                host: (!host.is_empty()).then_some(host),
                http: Some(net::HTTPIngressRuleValue {
                    paths: paths
                        .into_iter()
                        .map(|(path, pt, svc, port)| net::HTTPIngressPath {
                            path: Some(path),
                            path_type: pt,
                            backend: net::IngressBackend {
                                service: Some(net::IngressServiceBackend {
                                    name: svc,
                                    port: Some(match port {
                                        KInt::Int(n) => net::ServiceBackendPort {
                                            number: Some(n),
                                            name: None,
                                        },
                                        KInt::String(s) => net::ServiceBackendPort {
                                            name: Some(s),
                                            number: None,
                                        },
                                    }),
                                }),
                                resource: None,
                            },
                        })
                        .collect(),
                }),
            })
            .collect();
        let mut tls: Vec<net::IngressTLS> = Vec::new();
        for (secret, hosts) in tls_from_edges {
            let hosts = if hosts.is_empty() {
                all_hosts.clone()
            } else {
                hosts
            };
            tls.push(net::IngressTLS {
                secret_name: Some(secret),
                hosts: (!hosts.is_empty()).then_some(hosts),
            });
        }
        for t in p.tls.iter().flatten() {
            tls.push(net::IngressTLS {
                secret_name: t.secret_name.clone(),
                hosts: t.hosts.clone().filter(|h| !h.is_empty()),
            });
        }
        crate::sort::sort_by(&mut tls, |a, b| {
            (&a.secret_name, &a.hosts).cmp(&(&b.secret_name, &b.hosts))
        });
        tls.dedup();
        // nginx features as annotations
        let mut meta = self.meta(i, name, Some(ns));
        let nginx = p.ingress_class_name.as_deref() == Some("nginx");
        let mut ann = meta.annotations.take().unwrap_or_default();
        if nginx {
            if let Some(r) = &p.rate_limiting {
                if let Some(rpm) = r.requests_per_minute {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/limit-rpm".into(),
                        rpm.to_string(),
                    );
                }
                if let Some(b) = r.burst {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/limit-burst-multiplier".into(),
                        b.to_string(),
                    );
                }
                self.led.mapped(id, "rateLimiting");
            }
            if let Some(rw) = p.rewrite_rules.as_ref().and_then(|r| r.first()) {
                if let Some(target) = rw
                    .get("target")
                    .or_else(|| rw.get("rewriteTarget"))
                    .or_else(|| rw.get("to"))
                    .and_then(Value::as_str)
                {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/rewrite-target".into(),
                        target.to_owned(),
                    );
                    self.led.approx(
                        id,
                        "rewriteRules",
                        "first rule as nginx rewrite-target annotation",
                    );
                } else {
                    self.led
                        .dropped(id, "rewriteRules", "a rewrite rule needs a `target`");
                }
            }
            if let Some(rd) = p.redirect_rules.as_ref().and_then(|r| r.first()) {
                if let Some(url) = rd
                    .get("url")
                    .or_else(|| rd.get("to"))
                    .or_else(|| rd.get("target"))
                    .and_then(Value::as_str)
                {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/permanent-redirect".into(),
                        url.to_owned(),
                    );
                    self.led.approx(
                        id,
                        "redirectRules",
                        "first rule as nginx permanent-redirect annotation",
                    );
                } else {
                    self.led
                        .dropped(id, "redirectRules", "a redirect rule needs a `url`");
                }
            }
            if let Some(h) = &p.custom_headers {
                // Header names and values are restricted to safe characters before they enter nginx
                // configuration; anything else is dropped rather than risk config injection.
                let safe = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || " -_.,/=:;".contains(c))
                };
                let lines: Vec<String> = h
                    .iter()
                    .filter(|(k, v)| safe(k) && safe(v) && !k.contains(' '))
                    .map(|(k, v)| format!("more_set_headers \"{k}: {v}\";"))
                    .collect();
                if lines.len() == h.len() {
                    self.led.mapped(id, "customHeaders");
                } else {
                    self.led.approx(
                        id,
                        "customHeaders",
                        "headers with unsafe characters were left out",
                    );
                }
                if !lines.is_empty() {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/configuration-snippet".into(),
                        lines.join("\n"),
                    );
                }
            }
        } else {
            for (k, set) in [
                ("rateLimiting", p.rate_limiting.is_some()),
                ("rewriteRules", p.rewrite_rules.is_some()),
                ("redirectRules", p.redirect_rules.is_some()),
                ("customHeaders", p.custom_headers.is_some()),
            ] {
                if set {
                    self.led
                        .dropped(id, k, "only generated for the nginx ingress class");
                }
            }
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        for k in [
            "host",
            "path",
            "pathType",
            "ingressClassName",
            "rules",
            "tls",
            "defaultCertificate",
        ] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let ing = net::Ingress {
            metadata: meta,
            spec: Some(net::IngressSpec {
                ingress_class_name: p.ingress_class_name.clone(),
                rules: (!k8s_rules.is_empty()).then_some(k8s_rules),
                tls: (!tls.is_empty()).then_some(tls),
                default_backend: None,
            }),
        };
        vec![obj(i, "Ingress", Some(ns), name, ing)]
    }
}
