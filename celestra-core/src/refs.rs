//! Reference properties (§3.4): properties that name other objects. Connections are the source
//! of truth; a property naming a node of the graph acts as an implicit edge (with ordering) and
//! gets `REF_SUGGEST_EDGE`; naming something absent is `REF_EXTERNAL`; disagreeing with a
//! connection is `REF_CONFLICT`.

use crate::diag::{Code, Diagnostic, Related};
use crate::graph::{Graph, Pair};
use crate::model::load::quote;
use crate::model::*;
use std::collections::BTreeSet;

pub(crate) struct Refs {
    /// Implicit ordering edges (source, target, property path).
    pub(crate) implicit: Vec<(usize, usize, String)>,
    pub(crate) diags: Vec<Diagnostic>,
}

/// The ServiceAccounts a workload would run under, from connections (§3.2 #8 ∪ #10): its
/// direct ServiceAccount edges, plus, for each Role connected to it, the ServiceAccount(s) bound to
/// that Role unless one of them is already a direct one (the Role then grants to that account).
/// Without direct edges, a Role bound to zero or several accounts is `ROLE_SA_AMBIGUOUS` and adds
/// nothing here. More than one result is `SA_MULTIPLE`.
pub(crate) fn connected_service_accounts(g: &Graph<'_>, w: usize) -> BTreeSet<usize> {
    let direct: BTreeSet<usize> = crate::sort::set(g.sources(w, Pair::SaToWorkload));
    let mut out = direct.clone();
    for role in g.sources(w, Pair::RoleToWorkload) {
        let bound: BTreeSet<usize> = crate::sort::set(g.sources(role, Pair::SaToRole));
        let counts = if direct.is_empty() {
            bound.len() == 1
        } else {
            bound.is_disjoint(&direct)
        };
        if counts {
            out.extend(bound);
        }
    }
    out
}

struct Ctx<'g, 'a> {
    g: &'g Graph<'a>,
    out: Refs,
}

impl Ctx<'_, '_> {
    fn suggest(&mut self, from: usize, to: usize, node: usize, prop: String, what: &str) {
        let g = self.g;
        self.out.diags.push(
            Diagnostic::new(
                Code::RefSuggestEdge,
                format!(
                    "`{prop}` names {what} {} of the workflow; treated as a connection",
                    quote(g.name(if node == to { from } else { to }))
                ),
            )
            .node(g.id(node))
            .at(prop.clone())
            .hint(format!(
                "draw the connection {} → {} instead of typing the name",
                g.name(from),
                g.name(to)
            ))
            .related(Related::node(
                g.id(if node == to { from } else { to }),
                g.name(if node == to { from } else { to }),
            )),
        );
        self.out.implicit.push((from, to, prop));
    }

    fn external(&mut self, node: usize, prop: String, what: &str, name: &str) {
        let g = self.g;
        self.out.diags.push(
            Diagnostic::new(
                Code::RefExternal,
                format!(
                    "`{prop}` names {what} {} that is not in the workflow (namespace {})",
                    quote(name),
                    quote(g.ns[node])
                ),
            )
            .node(g.id(node))
            .at(prop)
            .hint("make sure it exists in the cluster, or add it to the workflow and connect it"),
        );
    }

    fn conflict(&mut self, node: usize, prop: String, msg: String, other: usize) {
        let g = self.g;
        self.out.diags.push(
            Diagnostic::new(Code::RefConflict, msg)
                .node(g.id(node))
                .at(prop)
                .hint("connections are the source of truth: make the property agree or remove it")
                .related(Related::node(g.id(other), g.name(other))),
        );
    }

    /// A property naming a node of type `t`: connected already, implicit edge, or external.
    fn named(
        &mut self,
        node: usize,
        prop: String,
        t: NodeType,
        name: &str,
        pair: Pair,
        into_node: bool,
    ) {
        let g = self.g;
        let what = t.short();
        let found = g.find(t, name, g.ns[node]);
        match found {
            Some(other) => {
                let connected = if into_node {
                    g.sources(node, pair).any(|s| s == other)
                } else {
                    g.targets(node, pair).any(|s| s == other)
                };
                if !connected {
                    if into_node {
                        self.suggest(other, node, node, prop, what);
                    } else {
                        self.suggest(node, other, node, prop, what);
                    }
                }
            }
            None => match g.find_any_namespace(t, name) {
                Some(other) => self.out.diags.push(
                    Diagnostic::new(
                        Code::NamespaceMismatch,
                        format!(
                            "`{prop}` names {what} {} in namespace {}, but {} is in namespace {}",
                            quote(name),
                            quote(g.ns[other]),
                            quote(g.name(node)),
                            quote(g.ns[node])
                        ),
                    )
                    .node(g.id(node))
                    .at(prop)
                    .hint("put both nodes in the same AppGroup, or both outside any group")
                    .related(Related::node(g.id(other), g.name(other))),
                ),
                None => self.external(node, prop, what, name),
            },
        }
    }
}

pub(crate) fn resolve(g: &Graph<'_>) -> Refs {
    let mut cx = Ctx {
        g,
        out: Refs {
            implicit: Vec::new(),
            diags: Vec::new(),
        },
    };
    for i in 0..g.nodes.len() {
        let props = &g.nodes[i].data.properties;
        match props {
            Properties::App(_)
            | Properties::StatefulApp(_)
            | Properties::Job(_)
            | Properties::CronJob(_) => {
                let sa = match props {
                    Properties::App(p) => p.service_account.as_deref(),
                    Properties::StatefulApp(p) => p.service_account.as_deref(),
                    Properties::Job(p) => p.service_account.as_deref(),
                    Properties::CronJob(p) => p.service_account.as_deref(),
                    _ => None,
                };
                if let Some(sa) = sa.filter(|s| !s.is_empty()) {
                    workload_sa(&mut cx, i, sa);
                }
                if let Properties::App(p) = props {
                    for (k, np) in p.network_policies.iter().flatten().enumerate() {
                        let prop = format!("data.properties.networkPolicies[{k}]");
                        cx.named(
                            i,
                            prop,
                            NodeType::NetworkPolicy,
                            np,
                            Pair::NpToWorkload,
                            true,
                        );
                    }
                }
            }
            Properties::Ingress(p) => {
                for (r, rule) in p.rules.iter().flatten().enumerate() {
                    for (k, path) in rule.paths.iter().flatten().enumerate() {
                        let Some(svc) = path.service.as_deref().filter(|s| !s.is_empty()) else {
                            continue;
                        };
                        let prop = format!("data.properties.rules[{r}].paths[{k}].service");
                        if g.find(NodeType::Service, svc, g.ns[i]).is_none() {
                            if let Some(app) = g.find(NodeType::App, svc, g.ns[i]) {
                                if !g.sources(i, Pair::AppToIngress).any(|s| s == app) {
                                    cx.suggest(app, i, i, prop, "app");
                                }
                                continue;
                            }
                        }
                        cx.named(
                            i,
                            prop,
                            NodeType::Service,
                            svc,
                            Pair::ServiceToIngress,
                            true,
                        );
                    }
                }
                for (k, tls) in p.tls.iter().flatten().enumerate() {
                    if let Some(sec) = tls.secret_name.as_deref().filter(|s| !s.is_empty()) {
                        let prop = format!("data.properties.tls[{k}].secretName");
                        cx.named(i, prop, NodeType::Secret, sec, Pair::SecretToIngress, true);
                    }
                }
            }
            Properties::Service(p) => {
                if let Some(sel) = p.selector.as_ref().filter(|s| !s.is_empty()) {
                    selector_refs(&mut cx, i, sel, "data.properties.selector", true);
                }
            }
            Properties::NetworkPolicy(p) => {
                if let Some(sel) = p.pod_selector.as_ref().filter(|s| !s.is_empty()) {
                    selector_refs(&mut cx, i, sel, "data.properties.podSelector", false);
                }
            }
            Properties::ServiceAccount(p) => {
                for (key, list) in [
                    ("secrets", &p.secrets),
                    ("imagePullSecrets", &p.image_pull_secrets),
                ] {
                    for (k, s) in list.iter().flatten().enumerate() {
                        let prop = format!("data.properties.{key}[{k}]");
                        cx.named(i, prop, NodeType::Secret, s, Pair::SecretToSa, true);
                    }
                }
            }
            _ => {}
        }
    }
    cx.out
}

fn workload_sa(cx: &mut Ctx<'_, '_>, w: usize, sa: &str) {
    let g = cx.g;
    let prop = "data.properties.serviceAccount".to_owned();
    let connected = connected_service_accounts(g, w);
    if connected.is_empty() {
        if sa == "default" {
            return;
        }
        cx.named(
            w,
            prop,
            NodeType::ServiceAccount,
            sa,
            Pair::SaToWorkload,
            true,
        );
        return;
    }
    if let Some(&other) = connected.iter().find(|&&s| g.name(s) != sa) {
        cx.conflict(
            w,
            prop,
            format!(
                "`serviceAccount` is {} but the connections give ServiceAccount {}",
                quote(sa),
                quote(g.name(other))
            ),
            other,
        );
    }
}

fn selector_refs(cx: &mut Ctx<'_, '_>, i: usize, sel: &StrMap, prop: &str, service: bool) {
    let g = cx.g;
    let pair = if service {
        Pair::WorkloadToService
    } else {
        Pair::NpToWorkload
    };
    let connected: Vec<usize> = if service {
        g.sources(i, pair).collect()
    } else {
        g.targets(i, pair).collect()
    };
    let matched = g.matching_workloads(sel, g.ns[i], service);
    for &c in &connected {
        if !matched.contains(&c) {
            cx.conflict(
                i,
                prop.to_owned(),
                format!(
                    "`{}` does not match the connected workload {}",
                    prop.rsplit('.').next().unwrap_or(prop),
                    quote(g.name(c))
                ),
                c,
            );
        }
    }
    // A selector that is just `{app: <name>}` names one workload: suggest drawing the edge.
    // Broader label selectors are honoured (and ordered) without a suggestion.
    let names_one = sel.len() == 1 && sel.contains_key("app");
    for &m in &matched {
        if !connected.contains(&m) {
            let (from, to) = if service { (m, i) } else { (i, m) };
            if names_one {
                let what = g.ty(m).map_or("workload", |t| t.short());
                cx.suggest(from, to, i, prop.to_owned(), what);
            } else {
                cx.out.implicit.push((from, to, prop.to_owned()));
            }
        }
    }
    if matched.is_empty() && connected.is_empty() && service {
        cx.out.diags.push(
            Diagnostic::new(
                Code::SvcSelectorNoMatch,
                format!(
                    "selector {} matches no workload in namespace {}",
                    serde_json::to_string(sel).unwrap_or_default(),
                    quote(g.ns[i])
                ),
            )
            .node(g.id(i))
            .at(prop)
            .hint("correct the selector, or connect the workload to the Service"),
        );
    }
}
