//! Graph rules (§4.2): multiplicities, ingress routing, selectors, namespaces, monitoring,
//! orphans, network policy coverage, edge data.

use super::nodes::service_ports;
use super::{Target, ValidateOptions, formats};
use crate::diag::{Code, Diagnostic, Related};
use crate::graph::{Edge, Graph, Pair};
use crate::model::load::quote;
use crate::model::*;
use crate::refs::connected_service_accounts;

pub(super) fn check(g: &Graph<'_>, opts: &ValidateOptions, out: &mut Vec<Diagnostic>) {
    let mut orders_something = vec![false; g.nodes.len()];
    for (s, _, _) in &g.ordering {
        orders_something[*s] = true;
    }
    let mut members = vec![0usize; g.nodes.len()];
    for p in g.group.iter().flatten() {
        members[*p] += 1;
    }
    for e in &g.edges {
        edge_data(g, e, out);
        namespaces(g, e, out);
        injection_env(g, e, out);
    }
    for i in 0..g.nodes.len() {
        let Some(t) = g.ty(i) else { continue };
        if t.is_workload() {
            service_accounts(g, i, out);
        }
        match t {
            NodeType::Role => roles(g, i, out),
            NodeType::App => strategies(g, i, out),
            NodeType::DeploymentStrategy => {
                if g.targets(i, Pair::DsToApp).next().is_none() {
                    out.push(
                        Diagnostic::new(
                            Code::DsUnattached,
                            format!("strategy {} is not connected to an App", quote(g.name(i))),
                        )
                        .node(g.id(i))
                        .hint("connect it to the App it should roll out"),
                    );
                }
            }
            NodeType::Ingress => ingress(g, i, out),
            NodeType::Service => service(g, i, out),
            NodeType::NetworkPolicy => {
                let has_sel = matches!(&g.nodes[i].data.properties, Properties::NetworkPolicy(p) if p.pod_selector.as_ref().is_some_and(|s| !s.is_empty()));
                if !has_sel && g.targets(i, Pair::NpToWorkload).next().is_none() {
                    out.push(
                        Diagnostic::new(
                            Code::NpNoTarget,
                            format!(
                                "NetworkPolicy {} applies to every pod in namespace {}",
                                quote(g.name(i)),
                                quote(g.ns[i])
                            ),
                        )
                        .node(g.id(i))
                        .hint("connect it to workloads, or set podSelector if all pods are meant"),
                    );
                }
            }
            NodeType::Observability => observability(g, i, out),
            NodeType::AppGroup => {
                if members[i] == 0 {
                    out.push(
                        Diagnostic::new(
                            Code::GroupEmpty,
                            format!("AppGroup {} has no members", quote(g.name(i))),
                        )
                        .node(g.id(i))
                        .hint("set `parent` to this group's id on the nodes that belong to it"),
                    );
                }
            }
            _ => {}
        }
        orphan(g, i, t, orders_something[i], out);
    }
    if opts.target == Some(Target::Compose) {
        compose_unsupported(g, out);
    }
    network_policy_coverage(g, out);
}

/// `COMPOSE_UNSUPPORTED` for each node Docker Compose leaves out (the only target-specific
/// findings: a session of several targets adds them to the Compose target's warnings).
pub(crate) fn compose_unsupported(g: &Graph<'_>, out: &mut Vec<Diagnostic>) {
    for i in 0..g.nodes.len() {
        let Some(t) = g.ty(i) else { continue };
        if !t.compose_supported() {
            out.push(
                Diagnostic::new(
                    Code::ComposeUnsupported,
                    format!(
                        "{} {} has no Docker Compose equivalent and is left out",
                        t.short(),
                        quote(g.name(i))
                    ),
                )
                .node(g.id(i))
                .hint("the Kubernetes and Helm outputs keep it"),
            );
        }
    }
}

fn related(g: &Graph<'_>, i: usize) -> Related {
    Related::node(g.id(i), g.name(i))
}

fn edge_data(g: &Graph<'_>, e: &Edge<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = &e.conn.data else { return };
    let allowed: &[&str] = match e.pair {
        Pair::SecretToWorkload | Pair::ConfigToWorkload => {
            &["injectAs", "envPrefix", "mountPath", "keys"]
        }
        Pair::ServiceToIngress | Pair::AppToIngress => &["host", "path", "pathType", "port"],
        Pair::WorkloadToService => &["targetPort"],
        Pair::SaToRole => &["clusterWide"],
        Pair::SecretToIngress => &["hosts"],
        _ => &[],
    };
    let set: [(&str, bool); 11] = [
        ("injectAs", d.inject_as.is_some()),
        ("envPrefix", d.env_prefix.is_some()),
        ("mountPath", d.mount_path.is_some()),
        ("keys", d.keys.is_some()),
        ("host", d.host.is_some()),
        ("path", d.path.is_some()),
        ("pathType", d.path_type.is_some()),
        ("port", d.port.is_some()),
        ("targetPort", d.target_port.is_some()),
        ("clusterWide", d.cluster_wide.is_some()),
        ("hosts", d.hosts.is_some()),
    ];
    let (st, tt) = (
        g.ty(e.src).map_or("", |t| t.short()),
        g.ty(e.tgt).map_or("", |t| t.short()),
    );
    for (key, present) in set {
        if present && !allowed.contains(&key) {
            out.push(
                Diagnostic::new(
                    Code::PropUnsupported,
                    format!("`data.{key}` has no effect on a {st} → {tt} connection"),
                )
                .connection(&e.conn.id)
                .at(format!("data.{key}"))
                .hint(if allowed.is_empty() {
                    "this connection takes no options".to_owned()
                } else {
                    format!("options of this connection: {}", allowed.join(", "))
                }),
            );
        }
    }
    let at = |code: Code, key: &str, msg: String| {
        Diagnostic::new(code, msg)
            .connection(&e.conn.id)
            .at(format!("data.{key}"))
    };
    if let Some(h) = &d.host
        && let Err(why) = formats::host(h)
    {
        out.push(at(
            Code::HostFormat,
            "host",
            format!("host {} {why}", quote(h)),
        ));
    }
    for (k, h) in d.hosts.iter().flatten().enumerate() {
        if let Err(why) = formats::host(h) {
            out.push(at(
                Code::HostFormat,
                &format!("hosts[{k}]"),
                format!("TLS host {} {why}", quote(h)),
            ));
        }
    }
    if let Some(p) = &d.path
        && !p.starts_with('/')
    {
        out.push(at(
            Code::PathFormat,
            "path",
            format!("path {} must start with '/'", quote(p)),
        ));
    }
    if let Some(p) = &d.mount_path
        && !p.starts_with('/')
    {
        out.push(at(
            Code::PathFormat,
            "mountPath",
            format!("mount path {} is not absolute", quote(p)),
        ));
    }
    for (key, v) in [("port", &d.port), ("targetPort", &d.target_port)] {
        if let Some(IntOrString::Int(p)) = v
            && !(1..=65535).contains(p)
        {
            out.push(at(
                Code::PortRange,
                key,
                format!("port {p} is out of range 1–65535"),
            ));
        }
    }
}

fn namespaces(g: &Graph<'_>, e: &Edge<'_>, out: &mut Vec<Diagnostic>) {
    let scoped = matches!(
        e.pair,
        Pair::SecretToWorkload
            | Pair::ConfigToWorkload
            | Pair::SecretToIngress
            | Pair::SecretToSa
            | Pair::WorkloadToService
            | Pair::ServiceToIngress
            | Pair::AppToIngress
            | Pair::SaToWorkload
            | Pair::NpToWorkload
            | Pair::DsToApp
            | Pair::ServiceToWorkload
    );
    if e.pair == Pair::RoleToWorkload {
        for sa in g.sources(e.src, Pair::SaToRole) {
            if g.ns[sa] != g.ns[e.tgt] {
                out.push(
                    Diagnostic::new(
                        Code::NamespaceMismatch,
                        format!(
                            "{} would run as ServiceAccount {} of namespace {}, but it is in namespace {}",
                            quote(g.name(e.tgt)),
                            quote(g.name(sa)),
                            quote(g.ns[sa]),
                            quote(g.ns[e.tgt])
                        ),
                    )
                    .connection(&e.conn.id)
                    .hint("a pod can only use a ServiceAccount of its own namespace; move the ServiceAccount or the workload")
                    .related(related(g, sa))
                    .related(related(g, e.tgt)),
                );
            }
        }
    }
    if scoped && g.ns[e.src] != g.ns[e.tgt] {
        out.push(
            Diagnostic::new(
                Code::NamespaceMismatch,
                format!(
                    "{} (namespace {}) is used by {} in namespace {}",
                    quote(g.name(e.src)),
                    quote(g.ns[e.src]),
                    quote(g.name(e.tgt)),
                    quote(g.ns[e.tgt])
                ),
            )
            .connection(&e.conn.id)
            .hint("put both nodes in the same AppGroup, or both outside any group")
            .related(related(g, e.src))
            .related(related(g, e.tgt)),
        );
    }
}

fn injection_env(g: &Graph<'_>, e: &Edge<'_>, out: &mut Vec<Diagnostic>) {
    if !matches!(e.pair, Pair::SecretToWorkload | Pair::ConfigToWorkload) {
        return;
    }
    let n = g.nodes[e.src];
    let (inject, prefix, mount) = match &n.data.properties {
        Properties::Secret(p) => (p.inject_as, p.env_prefix.clone(), p.mount_path.clone()),
        Properties::ConfigMap(p) => (p.inject_as, p.env_prefix.clone(), p.mount_path.clone()),
        _ => return,
    };
    let d = e.conn.data.as_ref();
    let mount = d.and_then(|d| d.mount_path.clone()).or(mount);
    let inject = d
        .and_then(|d| d.inject_as)
        .or(inject)
        .unwrap_or(if mount.is_some() {
            InjectAs::Volume
        } else {
            InjectAs::Env
        });
    if !matches!(inject, InjectAs::Env | InjectAs::Both) {
        if matches!(inject, InjectAs::Volume) && mount.is_none() {
            out.push(
                Diagnostic::new(
                    Code::FieldRequired,
                    format!(
                        "{} is injected as a volume but has no mountPath",
                        quote(n.name())
                    ),
                )
                .connection(&e.conn.id)
                .at("data.mountPath")
                .hint("set mountPath on the connection or the node"),
            );
        }
        return;
    }
    let prefix = d
        .and_then(|d| d.env_prefix.clone())
        .or(prefix)
        .unwrap_or_default();
    let keys = d
        .and_then(|d| d.keys.clone())
        .unwrap_or_else(|| n.provided_keys());
    for k in keys {
        let name = format!("{prefix}{k}");
        if !formats::env_name(&name) {
            out.push(
                Diagnostic::new(
                    Code::EnvName,
                    format!(
                        "key {} of {} becomes environment variable {}",
                        quote(&k),
                        quote(n.name()),
                        formats::sanitize_env(&name)
                    ),
                )
                .connection(&e.conn.id)
                .hint("rename the key or mount it as a file instead"),
            );
        }
    }
}

fn service_accounts(g: &Graph<'_>, w: usize, out: &mut Vec<Diagnostic>) {
    let sas = connected_service_accounts(g, w);
    if sas.len() > 1 {
        let names: Vec<String> = sas.iter().map(|s| quote(g.name(*s))).collect();
        let mut d = Diagnostic::new(
            Code::SaMultiple,
            format!(
                "{} runs under {} ServiceAccounts: {}",
                quote(g.name(w)),
                sas.len(),
                names.join(", ")
            ),
        )
        .node(g.id(w))
        .hint("keep one ServiceAccount per workload (direct edge or through one Role)");
        for s in sas {
            d.related.push(related(g, s));
        }
        out.push(d);
    }
}

fn roles(g: &Graph<'_>, r: usize, out: &mut Vec<Diagnostic>) {
    let bound: Vec<usize> = g.sources(r, Pair::SaToRole).collect();
    if bound.is_empty() {
        out.push(
            Diagnostic::new(
                Code::RoleUnbound,
                format!(
                    "Role {} is not bound to any ServiceAccount",
                    quote(g.name(r))
                ),
            )
            .node(g.id(r))
            .hint("connect a ServiceAccount to the Role"),
        );
    }
    for k in g.out(r) {
        let e = &g.edges[*k];
        if e.pair != Pair::RoleToWorkload {
            continue;
        }
        if bound.len() != 1 && g.sources(e.tgt, Pair::SaToWorkload).next().is_none() {
            let why = if bound.is_empty() {
                "no ServiceAccount".to_owned()
            } else {
                format!("{} ServiceAccounts", bound.len())
            };
            out.push(
                Diagnostic::new(
                    Code::RoleSaAmbiguous,
                    format!(
                        "{} gets Role {}, which is bound to {why}; its ServiceAccount is ambiguous",
                        quote(g.name(e.tgt)),
                        quote(g.name(r))
                    ),
                )
                .connection(&e.conn.id)
                .hint("bind exactly one ServiceAccount to the Role, or connect a ServiceAccount to the workload")
                .related(related(g, r)),
            );
        }
    }
}

fn strategies(g: &Graph<'_>, app: usize, out: &mut Vec<Diagnostic>) {
    let ds: Vec<usize> = g.sources(app, Pair::DsToApp).collect();
    if ds.len() > 1 {
        let mut d = Diagnostic::new(
            Code::DsMultiple,
            format!(
                "App {} has {} deployment strategies",
                quote(g.name(app)),
                ds.len()
            ),
        )
        .node(g.id(app))
        .hint("keep one DeploymentStrategy per App");
        for s in ds {
            d.related.push(related(g, s));
        }
        out.push(d);
    }
}

/// Container ports of a workload: (number, name).
pub(super) fn workload_ports(n: &Node) -> Vec<(i64, Option<String>)> {
    let (main, list, main_name) = match &n.data.properties {
        Properties::App(p) => (p.port, p.ports.as_ref(), "http"),
        Properties::StatefulApp(p) => (p.port, p.ports.as_ref(), "app"),
        Properties::Job(p) => (None, p.ports.as_ref(), "http"),
        _ => (None, None, ""),
    };
    let mut out = Vec::new();
    if let Some(p) = main {
        out.push((p, Some(main_name.to_owned())));
    }
    for ps in list.into_iter().flatten() {
        if let Some(p) = ps.port {
            out.push((p, ps.name.clone()));
        }
    }
    out
}

fn port_matches(ports: &[(i64, Option<String>)], p: &IntOrString) -> bool {
    match p {
        IntOrString::Int(n) => ports.iter().any(|(q, _)| q == n),
        IntOrString::Name(s) => ports
            .iter()
            .any(|(_, name)| name.as_deref() == Some(s.as_str())),
    }
}

fn show_ports(ports: &[(i64, Option<String>)]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports
        .iter()
        .map(|(p, n)| match n {
            Some(n) => format!("{p} ({n})"),
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

struct Route {
    host: String,
    path: String,
    backend: String,
    at: Loc,
}

#[derive(Clone)]
enum Loc {
    Conn(String),
    Prop(String),
}

impl Loc {
    fn apply(&self, d: Diagnostic) -> Diagnostic {
        match self {
            Loc::Conn(c) => d.connection(c),
            Loc::Prop(p) => d.at(p.clone()),
        }
    }
}

fn ingress(g: &Graph<'_>, i: usize, out: &mut Vec<Diagnostic>) {
    let Properties::Ingress(p) = &g.nodes[i].data.properties else {
        return;
    };
    let default_host = p.host.clone().unwrap_or_default();
    let default_path = p.path.clone().unwrap_or_else(|| "/".into());
    let mut routes: Vec<Route> = Vec::new();
    // Services that explicit rules already route to: a plain connection to one of them only
    // confirms the rule and adds no route of its own.
    let ruled: Vec<&str> = crate::sort::strs(
        p.rules
            .iter()
            .flatten()
            .flat_map(|r| r.paths.iter().flatten())
            .filter_map(|x| x.service.as_deref()),
    );
    for k in g.inn(i) {
        let e = &g.edges[*k];
        let d = e.conn.data.as_ref();
        let plain = d.is_none_or(|d| d.host.is_none() && d.path.is_none() && d.port.is_none());
        if plain && ruled.binary_search(&g.name(e.src)).is_ok() {
            continue;
        }
        let host = d
            .and_then(|d| d.host.clone())
            .unwrap_or_else(|| default_host.clone());
        let path = d
            .and_then(|d| d.path.clone())
            .unwrap_or_else(|| default_path.clone());
        let port = d.and_then(|d| d.port.clone());
        match e.pair {
            Pair::ServiceToIngress => {
                let ports = service_port_list(g, e.src);
                if let Some(port) = &port
                    && !port_matches(&ports, port)
                {
                    out.push(
                        Diagnostic::new(
                            Code::IngBackendPort,
                            format!(
                                "backend port {} is not a port of Service {}",
                                show_port(port),
                                quote(g.name(e.src))
                            ),
                        )
                        .connection(&e.conn.id)
                        .at("data.port")
                        .hint(format!("ports of the Service: {}", show_ports(&ports))),
                    );
                }
                routes.push(Route {
                    host,
                    path,
                    backend: g.name(e.src).to_owned(),
                    at: Loc::Conn(e.conn.id.clone()),
                });
            }
            Pair::AppToIngress => {
                let ports = workload_ports(g.nodes[e.src]);
                if crate::objects::app_selected_by_service(g, e.src) {
                    out.push(
                        Diagnostic::new(
                            Code::IngNoBackend,
                            format!(
                                "App {} has no implicit Service because a Service node selects it",
                                quote(g.name(e.src))
                            ),
                        )
                        .connection(&e.conn.id)
                        .hint("connect that Service to the Ingress instead of the App"),
                    );
                } else if ports.is_empty() {
                    out.push(
                        Diagnostic::new(
                            Code::IngBackendPort,
                            format!(
                                "App {} has no port, so it has no implicit Service to route to",
                                quote(g.name(e.src))
                            ),
                        )
                        .connection(&e.conn.id)
                        .hint("give the App a port"),
                    );
                } else {
                    out.push(
                        Diagnostic::new(
                            Code::IngViaImplicitSvc,
                            format!(
                                "Ingress routes straight to App {} through its implicit Service",
                                quote(g.name(e.src))
                            ),
                        )
                        .connection(&e.conn.id)
                        .hint("insert a Service node between the App and the Ingress"),
                    );
                    if let Some(port) = &port
                        && !port_matches(&ports, port)
                    {
                        out.push(
                            Diagnostic::new(
                                Code::IngBackendPort,
                                format!(
                                    "backend port {} is not a port of App {}",
                                    show_port(port),
                                    quote(g.name(e.src))
                                ),
                            )
                            .connection(&e.conn.id)
                            .at("data.port")
                            .hint(format!("ports of the App: {}", show_ports(&ports))),
                        );
                    }
                }
                routes.push(Route {
                    host,
                    path,
                    backend: g.name(e.src).to_owned(),
                    at: Loc::Conn(e.conn.id.clone()),
                });
            }
            _ => {}
        }
    }
    for (r, rule) in p.rules.iter().flatten().enumerate() {
        for (k, path) in rule.paths.iter().flatten().enumerate() {
            let prop = format!("data.properties.rules[{r}].paths[{k}]");
            let Some(svc) = path.service.as_deref().filter(|s| !s.is_empty()) else {
                out.push(
                    Diagnostic::new(
                        Code::IngNoBackend,
                        format!("rule path `{prop}` has no backend service"),
                    )
                    .node(g.id(i))
                    .at(format!("{prop}.service"))
                    .hint("name the backend Service, or connect a Service to the Ingress"),
                );
                continue;
            };
            if let (Some(port), Some(s)) = (&path.port, g.find(NodeType::Service, svc, g.ns[i])) {
                let ports = service_port_list(g, s);
                if !port_matches(&ports, port) {
                    out.push(
                        Diagnostic::new(
                            Code::IngBackendPort,
                            format!(
                                "backend port {} is not a port of Service {}",
                                show_port(port),
                                quote(svc)
                            ),
                        )
                        .node(g.id(i))
                        .at(format!("{prop}.port"))
                        .hint(format!("ports of the Service: {}", show_ports(&ports))),
                    );
                }
            }
            routes.push(Route {
                host: rule.host.clone().unwrap_or_default(),
                path: path.path.clone().unwrap_or_else(|| "/".into()),
                backend: svc.to_owned(),
                at: Loc::Prop(prop),
            });
        }
    }
    if routes.is_empty() {
        out.push(
            Diagnostic::new(
                Code::IngNoBackend,
                format!("Ingress {} has no backend", quote(g.name(i))),
            )
            .node(g.id(i))
            .hint("connect a Service (or an App) to the Ingress, or add rules with backends"),
        );
    }
    against_first(
        &routes,
        |r| (r.host.as_str(), r.path.as_str()),
        |first, r| {
            if first.backend == r.backend {
                return; // the same route stated twice (a rule and its connection) agrees
            }
            let where_ = match &first.at {
                Loc::Conn(c) => format!("connection {}", quote(c)),
                Loc::Prop(p) => format!("`{p}`"),
            };
            let host = if r.host.is_empty() {
                "(any host)".to_owned()
            } else {
                r.host.clone()
            };
            let d = Diagnostic::new(
                Code::IngRouteDuplicate,
                format!(
                    "route {host} {} to {} is already routed to {} by {where_}",
                    r.path,
                    quote(&r.backend),
                    quote(&first.backend)
                ),
            )
            .node(g.id(i))
            .hint("give each route a distinct host or path");
            out.push(r.at.apply(d));
        },
    );
    tls(g, i, p, out);
}

/// Calls `f(first, item)` for every item that is not the first of its key (`items` in order):
/// what a map of the first item per key gives, without a map type of its own.
fn against_first<'t, T>(
    items: &'t [T],
    key: impl Fn(&'t T) -> (&'t str, &'t str),
    mut f: impl FnMut(&'t T, &'t T),
) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    crate::sort::sort_by_key(&mut order, |&k| key(&items[k]));
    let mut first: Option<usize> = None;
    for k in order {
        match first {
            Some(at) if key(&items[at]) == key(&items[k]) => f(&items[at], &items[k]),
            _ => first = Some(k),
        }
    }
}

fn show_port(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::Name(s) => quote(s),
    }
}

/// The ports a Service node exposes: its explicit ports, or — when it declares none — the first
/// port of the workload it selects (§2.6: `port` defaults to `targetPort`, which defaults to the
/// selected workload's first port).
fn service_port_list(g: &Graph<'_>, s: usize) -> Vec<(i64, Option<String>)> {
    let Properties::Service(p) = &g.nodes[s].data.properties else {
        return Vec::new();
    };
    let explicit: Vec<(i64, Option<String>)> = service_ports(p)
        .into_iter()
        .map(|(_, port, _, name, _)| (port, name))
        .collect();
    if !explicit.is_empty() {
        return explicit;
    }
    let mut selected: Vec<usize> = g.sources(s, Pair::WorkloadToService).collect();
    if let Some(sel) = p.selector.as_ref().filter(|m| !m.is_empty()) {
        selected.extend(g.matching_workloads(sel, g.ns[s], true));
    }
    crate::sort::sort(&mut selected);
    selected
        .into_iter()
        .find_map(|w| workload_ports(g.nodes[w]).into_iter().next())
        .map(|(port, name)| vec![(port, name)])
        .unwrap_or_default()
}

fn tls(g: &Graph<'_>, i: usize, p: &IngressProps, out: &mut Vec<Diagnostic>) {
    let mut ingress_hosts: Vec<String> = p.host.iter().cloned().collect();
    ingress_hosts.extend(p.rules.iter().flatten().filter_map(|r| r.host.clone()));
    for k in g.inn(i) {
        if let Some(h) = g.edges[*k].conn.data.as_ref().and_then(|d| d.host.clone()) {
            ingress_hosts.push(h);
        }
    }
    crate::sort::sort(&mut ingress_hosts);
    ingress_hosts.dedup();
    // (host, secret, where), in order; the first claim of a host wins (checked below).
    let mut claims: Vec<(String, String, Loc)> = Vec::new();
    let mut claim = |host: String, secret: String, at: Loc| {
        claims.push((host, secret, at));
    };
    for k in g.inn(i) {
        let e = &g.edges[*k];
        if e.pair != Pair::SecretToIngress {
            continue;
        }
        if let Properties::Secret(sp) = &g.nodes[e.src].data.properties
            && sp.kind != Some(SecretType::Tls)
        {
            out.push(
                Diagnostic::new(
                    Code::TlsSecretType,
                    format!(
                        "Secret {} is used for TLS but its type is {}",
                        quote(g.name(e.src)),
                        sp.kind.map_or("Opaque", |t| t.as_str())
                    ),
                )
                .connection(&e.conn.id)
                .hint("set the Secret type to kubernetes.io/tls")
                .related(related(g, e.src)),
            );
        }
        let hosts = e
            .conn
            .data
            .as_ref()
            .and_then(|d| d.hosts.clone())
            .unwrap_or_else(|| ingress_hosts.clone());
        for h in hosts {
            claim(h, g.name(e.src).to_owned(), Loc::Conn(e.conn.id.clone()));
        }
    }
    for (k, t) in p.tls.iter().flatten().enumerate() {
        let Some(secret) = t.secret_name.clone() else {
            continue;
        };
        if let Some(s) = g.find(NodeType::Secret, &secret, g.ns[i])
            && let Properties::Secret(sp) = &g.nodes[s].data.properties
            && sp.kind != Some(SecretType::Tls)
        {
            out.push(
                Diagnostic::new(
                    Code::TlsSecretType,
                    format!(
                        "Secret {} is used for TLS but its type is {}",
                        quote(&secret),
                        sp.kind.map_or("Opaque", |t| t.as_str())
                    ),
                )
                .node(g.id(i))
                .at(format!("data.properties.tls[{k}].secretName"))
                .hint("set the Secret type to kubernetes.io/tls"),
            );
        }
        for h in t.hosts.iter().flatten() {
            claim(
                h.clone(),
                secret.clone(),
                Loc::Prop(format!("data.properties.tls[{k}]")),
            );
        }
    }
    against_first(
        &claims,
        |c| (c.0.as_str(), ""),
        |(_, other, _), (host, secret, at)| {
            if other != secret {
                let d = Diagnostic::new(
                    Code::TlsHostDuplicate,
                    format!(
                        "host {} gets TLS secret {} and {}",
                        quote(host),
                        quote(other),
                        quote(secret)
                    ),
                )
                .node(g.id(i))
                .hint("keep one TLS secret per host");
                out.push(at.apply(d));
            }
        },
    );
}

fn service(g: &Graph<'_>, s: usize, out: &mut Vec<Diagnostic>) {
    let Properties::Service(p) = &g.nodes[s].data.properties else {
        return;
    };
    let external = p.kind == Some(ServiceType::ExternalName);
    let explicit = p.selector.as_ref().is_some_and(|m| !m.is_empty());
    let sources: Vec<usize> = g.sources(s, Pair::WorkloadToService).collect();
    if external {
        if !sources.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::SvcTypeFields,
                    "an ExternalName Service cannot select workloads",
                )
                .node(g.id(s))
                .hint("remove the workload connections, or change the type")
                .related(related(g, sources[0])),
            );
        }
        return;
    }
    if !explicit && sources.is_empty() {
        out.push(
            Diagnostic::new(
                Code::SvcNoSelector,
                format!("Service {} has no selector", quote(g.name(s))),
            )
            .node(g.id(s))
            .hint("connect an App or StatefulApp to the Service, or set `selector`"),
        );
    }
    let names: Vec<&str> = crate::sort::strs(sources.iter().map(|w| g.name(*w)));
    if !explicit && names.len() > 1 {
        let mut d = Diagnostic::new(
            Code::SvcMultiSource,
            format!(
                "Service {} is fed by {} workloads ({}) but has no common selector",
                quote(g.name(s)),
                names.len(),
                names
                    .iter()
                    .map(|n| quote(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .node(g.id(s))
        .hint("set `selector` to a label all of them carry (add it through their `labels`)");
        for w in &sources {
            d.related.push(related(g, *w));
        }
        out.push(d);
    }
    // targetPort checks against the selected workloads.
    let mut selected: Vec<usize> = sources.clone();
    if explicit {
        for m in g.matching_workloads(p.selector.as_ref().expect("explicit"), g.ns[s], true) {
            if !selected.contains(&m) {
                selected.push(m);
            }
        }
    }
    let mut targets: Vec<(String, IntOrString)> = Vec::new();
    for (prop, _, _, _, tp) in service_ports(p) {
        if let Some(tp) = tp {
            let prop = if prop == "port" {
                "targetPort".to_owned()
            } else {
                format!("{prop}.targetPort")
            };
            targets.push((format!("data.properties.{prop}"), tp));
        }
    }
    for w in selected {
        let ports = workload_ports(g.nodes[w]);
        for (prop, tp) in &targets {
            if !port_matches(&ports, tp) {
                out.push(
                    Diagnostic::new(
                        Code::SvcTargetportMismatch,
                        format!(
                            "targetPort {} is not a port of {}",
                            show_port(tp),
                            quote(g.name(w))
                        ),
                    )
                    .node(g.id(s))
                    .at(prop.clone())
                    .hint(format!("ports of {}: {}", g.name(w), show_ports(&ports)))
                    .related(related(g, w)),
                );
            }
        }
    }
    for k in g.inn(s) {
        let e = &g.edges[*k];
        if let (Pair::WorkloadToService, Some(tp)) = (
            e.pair,
            e.conn.data.as_ref().and_then(|d| d.target_port.as_ref()),
        ) {
            let ports = workload_ports(g.nodes[e.src]);
            if !port_matches(&ports, tp) {
                out.push(
                    Diagnostic::new(
                        Code::SvcTargetportMismatch,
                        format!(
                            "targetPort {} is not a port of {}",
                            show_port(tp),
                            quote(g.name(e.src))
                        ),
                    )
                    .connection(&e.conn.id)
                    .at("data.targetPort")
                    .hint(format!(
                        "ports of {}: {}",
                        g.name(e.src),
                        show_ports(&ports)
                    )),
                );
            }
        }
    }
}

fn observability(g: &Graph<'_>, o: usize, out: &mut Vec<Diagnostic>) {
    let Properties::Observability(p) = &g.nodes[o].data.properties else {
        return;
    };
    if p.metrics != Some(MetricsBackend::Prometheus) {
        return;
    }
    for k in g.out(o) {
        let e = &g.edges[*k];
        if e.pair != Pair::ObsToTarget {
            continue;
        }
        let t = g.nodes[e.tgt];
        let has = match &t.data.properties {
            Properties::Service(_) => service_port_list(g, e.tgt)
                .iter()
                .any(|(_, n)| n.as_deref() == Some("metrics")),
            _ => workload_ports(t)
                .iter()
                .any(|(_, n)| n.as_deref() == Some("metrics")),
        };
        if !has {
            out.push(
                Diagnostic::new(
                    Code::ObsMetricsPort,
                    format!(
                        "{} has no port named `metrics` for Prometheus to scrape",
                        quote(t.name())
                    ),
                )
                .connection(&e.conn.id)
                .hint("add a port named \"metrics\" to the target")
                .related(related(g, e.tgt)),
            );
        }
    }
}

fn orphan(g: &Graph<'_>, i: usize, t: NodeType, orders: bool, out: &mut Vec<Diagnostic>) {
    if !matches!(
        t,
        NodeType::Secret
            | NodeType::ConfigMap
            | NodeType::ServiceAccount
            | NodeType::DeploymentStrategy
            | NodeType::Observability
            | NodeType::NetworkPolicy
    ) {
        return;
    }
    let used = !g.out(i).is_empty() || orders || g.inactive_sources.contains(&i);
    if !used && t != NodeType::DeploymentStrategy {
        out.push(
            Diagnostic::new(
                Code::OrphanNode,
                format!(
                    "{} {} is connected to nothing it could act on",
                    t.short(),
                    quote(g.name(i))
                ),
            )
            .node(g.id(i))
            .hint("connect it to the nodes that use it, or remove it"),
        );
    }
}

fn network_policy_coverage(g: &Graph<'_>, out: &mut Vec<Diagnostic>) {
    let mut with_workloads: Vec<&str> = Vec::new();
    let mut covered: Vec<&str> = Vec::new();
    // (namespace, AppGroup) in node order, sorted by namespace below: the first group of each.
    let mut group_of_ns: Vec<(&str, usize)> = Vec::new();
    for i in 0..g.nodes.len() {
        match g.ty(i) {
            Some(t) if t.is_workload() => {
                with_workloads.push(g.ns[i]);
            }
            Some(NodeType::NetworkPolicy) => {
                covered.push(g.ns[i]);
            }
            Some(NodeType::AppGroup) => {
                let ns = crate::graph::group_namespace(g.nodes[i]);
                group_of_ns.push((ns, i));
                if let Properties::AppGroup(p) = &g.nodes[i].data.properties
                    && p.allow_internal_communication == Some(true)
                {
                    covered.push(ns);
                }
            }
            _ => {}
        }
    }
    crate::sort::sort_by(&mut group_of_ns, |a, b| a.0.cmp(b.0));
    let with_workloads = crate::sort::strs(with_workloads);
    let covered = crate::sort::strs(covered);
    for ns in with_workloads
        .iter()
        .filter(|ns| covered.binary_search(ns).is_err())
    {
        let mut d = Diagnostic::new(
            Code::NetworkPoliciesAbsent,
            format!("namespace {} has workloads but no NetworkPolicy", quote(ns)),
        )
        .hint("add a NetworkPolicy, or set allowInternalCommunication on the AppGroup");
        let k = group_of_ns.partition_point(|(n, _)| n < ns);
        match group_of_ns.get(k).filter(|(n, _)| n == ns) {
            Some((_, gi)) => d = d.node(g.id(*gi)).at("data.properties.namespace"),
            None => d = d.at("namespace"),
        }
        out.push(d);
    }
}
