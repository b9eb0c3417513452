//! NetworkPolicy → NetworkPolicy.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn peer(&self, p: &NpPeer) -> net::NetworkPolicyPeer {
        let sel = |m: &Option<StrMap>| {
            m.as_ref().map(|l| LabelSelector {
                match_labels: Some(l.clone()),
                ..LabelSelector::default()
            })
        };
        match &p.cidr {
            Some(c) => net::NetworkPolicyPeer {
                ip_block: Some(net::IPBlock {
                    cidr: c.clone(),
                    except: p.except.clone().filter(|e| !e.is_empty()),
                }),
                ..net::NetworkPolicyPeer::default()
            },
            None => net::NetworkPolicyPeer {
                pod_selector: sel(&p.pod_labels),
                namespace_selector: sel(&p.namespace_labels),
                ..net::NetworkPolicyPeer::default()
            },
        }
    }

    pub(super) fn np_ports(ports: Option<&Vec<NpPort>>) -> Option<Vec<net::NetworkPolicyPort>> {
        let v: Vec<net::NetworkPolicyPort> = ports
            .into_iter()
            .flatten()
            .map(|p| net::NetworkPolicyPort {
                port: p.port.as_ref().map(kint),
                protocol: Some(p.protocol.unwrap_or(Protocol::Tcp).as_str().to_owned()),
                end_port: p.end_port.map(|v| v as i32),
            })
            .collect();
        (!v.is_empty()).then_some(v)
    }

    pub(super) fn netpol(&mut self, i: usize, p: &NetworkPolicyProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let targets: Vec<usize> = g.targets(i, Pair::NpToWorkload).collect();
        let pod_selector = if let Some(sel) = p.pod_selector.as_ref().filter(|s| !s.is_empty()) {
            self.led.mapped(id, "podSelector");
            LabelSelector {
                match_labels: Some(sel.clone()),
                ..LabelSelector::default()
            }
        } else if targets.len() == 1 {
            LabelSelector {
                match_labels: Some(common::selector(g.name(targets[0]))),
                ..LabelSelector::default()
            }
        } else if targets.len() > 1 {
            let mut names: Vec<String> = targets.iter().map(|t| g.name(*t).to_owned()).collect();
            crate::sort::sort(&mut names);
            names.dedup();
            LabelSelector {
                match_expressions: Some(vec![crate::generate::k8s::LabelSelectorRequirement {
                    key: "app".into(),
                    operator: "In".into(),
                    values: Some(names),
                }]),
                ..LabelSelector::default()
            }
        } else {
            LabelSelector::default()
        };
        let mut ingress: Vec<net::NetworkPolicyIngressRule> = p
            .ingress_rules
            .iter()
            .flatten()
            .map(|r| net::NetworkPolicyIngressRule {
                from: r
                    .peers
                    .as_ref()
                    .filter(|ps| !ps.is_empty())
                    .map(|ps| ps.iter().map(|x| self.peer(x)).collect()),
                ports: Self::np_ports(r.ports.as_ref()),
            })
            .collect();
        // Workload → NetworkPolicy: those pods are allowed in (§3.2 #12).
        let mut allowed: Vec<&str> = Vec::new();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::WorkloadToNp {
                allowed.push(g.name(e.src));
                let mut peer = net::NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector {
                        match_labels: Some(common::selector(g.name(e.src))),
                        ..LabelSelector::default()
                    }),
                    ..net::NetworkPolicyPeer::default()
                };
                if g.ns[e.src] != ns {
                    peer.namespace_selector = Some(LabelSelector {
                        match_labels: Some(crate::sort::map([(
                            "kubernetes.io/metadata.name".to_owned(),
                            g.ns[e.src].to_owned(),
                        )])),
                        ..LabelSelector::default()
                    });
                }
                ingress.push(net::NetworkPolicyIngressRule {
                    from: Some(vec![peer]),
                    ports: None,
                });
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let mut egress: Vec<net::NetworkPolicyEgressRule> = p
            .egress_rules
            .iter()
            .flatten()
            .map(|r| net::NetworkPolicyEgressRule {
                to: r
                    .peers
                    .as_ref()
                    .filter(|ps| !ps.is_empty())
                    .map(|ps| ps.iter().map(|x| self.peer(x)).collect()),
                ports: Self::np_ports(r.ports.as_ref()),
            })
            .collect();
        if p.allow_dns == Some(true) {
            egress.push(net::NetworkPolicyEgressRule {
                to: None,
                ports: Some(
                    ["UDP", "TCP"]
                        .iter()
                        .map(|proto| net::NetworkPolicyPort {
                            port: Some(KInt::Int(53)),
                            protocol: Some((*proto).to_owned()),
                            end_port: None,
                        })
                        .collect(),
                ),
            });
            self.led.mapped(id, "allowDns");
        }
        let mut types: Vec<String> = match &p.policy_types {
            Some(t) => t.iter().map(|x| x.as_str().to_owned()).collect(),
            None => {
                let mut t = vec!["Ingress".to_owned()];
                if !egress.is_empty() {
                    t.push("Egress".to_owned());
                }
                t
            }
        };
        crate::sort::sort(&mut types);
        types.dedup();
        for k in ["policyTypes", "ingressRules", "egressRules"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::NpToWorkload {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let np = net::NetworkPolicy {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(net::NetworkPolicySpec {
                pod_selector: Some(pod_selector),
                policy_types: Some(types),
                ingress: (!ingress.is_empty()).then_some(ingress),
                egress: (!egress.is_empty()).then_some(egress),
            }),
        };
        vec![obj(i, "NetworkPolicy", Some(ns), name, np)]
    }
}
