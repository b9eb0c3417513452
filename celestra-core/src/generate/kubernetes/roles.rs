//! ServiceAccount, Role / ClusterRole and their bindings.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn service_account(&mut self, i: usize, p: &ServiceAccountProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut secrets: Vec<String> = p.secrets.clone().unwrap_or_default();
        let mut pulls: Vec<String> = p.image_pull_secrets.clone().unwrap_or_default();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair != Pair::SecretToSa {
                continue;
            }
            let pull = matches!(&g.nodes[e.src].data.properties,
                Properties::Secret(sp) if sp.kind == Some(SecretType::DockerConfigJson));
            let target = if pull { &mut pulls } else { &mut secrets };
            target.push(g.name(e.src).to_owned());
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        crate::sort::sort(&mut secrets);
        secrets.dedup();
        crate::sort::sort(&mut pulls);
        pulls.dedup();
        for k in ["secrets", "imagePullSecrets", "automountToken"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let sa = core::ServiceAccount {
            metadata: self.meta(i, name, Some(ns)),
            automount_service_account_token: p.automount_token,
            secrets: (!secrets.is_empty()).then(|| {
                secrets
                    .into_iter()
                    .map(|s| core::ObjectReference {
                        name: Some(s),
                        ..core::ObjectReference::default()
                    })
                    .collect()
            }),
            image_pull_secrets: (!pulls.is_empty()).then(|| {
                pulls
                    .into_iter()
                    .map(|s| core::LocalObjectReference { name: s })
                    .collect()
            }),
        };
        vec![obj(i, "ServiceAccount", Some(ns), name, sa)]
    }

    pub(super) fn role(&mut self, i: usize, p: &RoleProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let cluster = p.kind == Some(RoleKind::ClusterRole);
        let rules: Vec<rbac::PolicyRule> = p
            .rules
            .iter()
            .flatten()
            .map(|r| rbac::PolicyRule {
                api_groups: r.api_groups.clone(),
                resources: r.resources.clone(),
                verbs: r.verbs.clone().unwrap_or_default(),
                resource_names: r.resource_names.clone(),
                non_resource_urls: r.non_resource_urls.clone(),
            })
            .collect();
        for k in ["kind", "rules", "clusterWide"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.finalizers.is_some() {
            self.led.dropped(
                id,
                "finalizers",
                "finalizers on RBAC objects are not generated",
            );
        }
        let mut out = Vec::new();
        if cluster {
            let aggregation = p.aggregation_selector.as_ref().map(|sel| {
                self.led.mapped(id, "aggregationSelector");
                rbac::AggregationRule {
                    cluster_role_selectors: Some(vec![LabelSelector {
                        match_labels: Some(sel.clone()),
                        ..LabelSelector::default()
                    }]),
                }
            });
            let cr = rbac::ClusterRole {
                metadata: self.meta(i, name, None),
                rules: (!rules.is_empty()).then_some(rules),
                aggregation_rule: aggregation,
            };
            out.push(obj(i, "ClusterRole", None, name, cr));
        } else {
            if p.aggregation_selector.is_some() {
                self.led
                    .dropped(id, "aggregationSelector", "only a ClusterRole aggregates");
            }
            let r = rbac::Role {
                metadata: self.meta(i, name, Some(ns)),
                rules: (!rules.is_empty()).then_some(rules),
            };
            out.push(obj(i, "Role", Some(ns), name, r));
        }
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair != Pair::SaToRole {
                continue;
            }
            let sa = e.src;
            let wide = e
                .conn
                .data
                .as_ref()
                .and_then(|d| d.cluster_wide)
                .or(p.cluster_wide)
                .unwrap_or(false);
            let bname = format!("{name}-{}", g.name(sa));
            let subject = rbac::Subject {
                kind: "ServiceAccount".into(),
                name: g.name(sa).to_owned(),
                namespace: Some(g.ns[sa].to_owned()),
                api_group: None,
            };
            let role_ref = rbac::RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: if cluster {
                    "ClusterRole".into()
                } else {
                    "Role".into()
                },
                name: name.to_owned(),
            };
            if cluster && wide {
                let b = rbac::ClusterRoleBinding {
                    metadata: self.meta(i, &bname, None),
                    role_ref,
                    subjects: Some(vec![subject]),
                };
                out.push(obj(i, "ClusterRoleBinding", None, &bname, b));
            } else {
                let bns = if cluster { g.ns[sa] } else { ns };
                let b = rbac::RoleBinding {
                    metadata: self.meta(i, &bname, Some(bns)),
                    role_ref,
                    subjects: Some(vec![subject]),
                };
                out.push(obj(i, "RoleBinding", Some(bns), &bname, b));
            }
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::RoleToWorkload {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        out
    }
}
