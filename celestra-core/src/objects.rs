//! The inventory of Kubernetes objects each node produces (§1.4, §2): what `NAME_DUPLICATE`
//! checks and what each plan step applies. Generators produce exactly these objects.

use crate::graph::{Graph, Pair, group_namespace};
use crate::model::*;
use schemars::JsonSchema;
use serde::Serialize;
use std::borrow::Cow;

/// One Kubernetes object a node produces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// Kind, e.g. `Deployment`.
    pub kind: Cow<'static, str>,
    /// Namespace; absent for cluster-scoped kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Object name.
    pub name: String,
    /// True for objects the node implies without the user drawing them (implicit Service,
    /// governing Service, backup CronJob, bindings...).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub implicit: bool,
}

/// Names of objects derived from a node name, and the limit each one has.
pub(crate) struct Derived {
    pub(crate) name: String,
    pub(crate) max: usize,
    pub(crate) what: &'static str,
}

fn obj(
    kind: impl Into<Cow<'static, str>>,
    ns: Option<&str>,
    name: impl Into<String>,
    implicit: bool,
) -> ObjectRef {
    ObjectRef {
        kind: kind.into(),
        namespace: ns.map(str::to_owned),
        name: name.into(),
        implicit,
    }
}

/// True when an App has at least one container port.
pub(crate) fn app_has_ports(p: &AppProps) -> bool {
    p.port.is_some() || p.ports.as_ref().is_some_and(|v| !v.is_empty())
}

/// True when some Service node selects the App (edge, or explicit selector matching it).
pub(crate) fn app_selected_by_service(g: &Graph<'_>, i: usize) -> bool {
    if g.targets(i, Pair::WorkloadToService).next().is_some() {
        return true;
    }
    if g.selector_services.is_empty() {
        return false;
    }
    let labels = g.pod_labels(i);
    g.selector_services.iter().any(|&s| {
        if g.ns[s] != g.ns[i] {
            return false;
        }
        match &g.nodes[s].data.properties {
            Properties::Service(p) => p.selector.as_ref().is_some_and(|sel| {
                !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
            }),
            _ => false,
        }
    })
}

/// Whether an AppGroup emits its Namespace object.
pub(crate) fn group_creates_namespace(group: &Node) -> bool {
    let ns = group_namespace(group);
    match &group.data.properties {
        Properties::AppGroup(p) => p
            .create_namespace
            .unwrap_or(ns != "default" && ns != "kube-system"),
        _ => false,
    }
}

/// True when the StatefulApp's backup PVC `<name>-backup` is generated.
pub(crate) fn backup_local(p: &StatefulAppProps) -> bool {
    matches!(p.backup_location, None | Some(BackupLocation::Local))
}

/// The names a node derives from its own name, with their limits (checked by `NAME_FORMAT`).
pub(crate) fn derived_names(n: &Node) -> Vec<Derived> {
    let name = n.name();
    let mut out = Vec::new();
    match &n.data.properties {
        Properties::StatefulApp(p) => {
            if p.backup_schedule.is_some() {
                out.push(Derived {
                    name: format!("{name}-backup"),
                    max: 52,
                    what: "backup CronJob",
                });
            }
        }
        Properties::App(p) => {
            if p.storage.is_some() {
                out.push(Derived {
                    name: format!("{name}-data"),
                    max: 253,
                    what: "PersistentVolumeClaim",
                });
            }
        }
        Properties::AppGroup(p) => {
            if p.resource_quota.is_some() || p.resource_quota_custom.is_some() {
                out.push(Derived {
                    name: format!("{name}-quota"),
                    max: 253,
                    what: "ResourceQuota",
                });
            }
        }
        _ => {}
    }
    out
}

/// The objects of every node, by node index.
pub(crate) fn all_objects(g: &Graph<'_>) -> Vec<Vec<ObjectRef>> {
    (0..g.nodes.len()).map(|i| node_objects(g, i)).collect()
}

/// Every object node `i` produces.
pub(crate) fn node_objects(g: &Graph<'_>, i: usize) -> Vec<ObjectRef> {
    let n = g.nodes[i];
    let name = n.name();
    let ns = g.ns[i];
    let nso = Some(ns);
    let mut out = Vec::new();
    match &n.data.properties {
        Properties::App(p) => {
            out.push(obj("Deployment", nso, name, false));
            if app_has_ports(p) && !app_selected_by_service(g, i) {
                out.push(obj("Service", nso, name, true));
            }
            if p.storage.is_some() {
                out.push(obj(
                    "PersistentVolumeClaim",
                    nso,
                    format!("{name}-data"),
                    true,
                ));
            }
            for pv in p.persistent_volumes.iter().flatten() {
                if let Some(pvn) = &pv.name {
                    out.push(obj(
                        "PersistentVolumeClaim",
                        nso,
                        format!("{name}-{pvn}"),
                        true,
                    ));
                }
            }
        }
        Properties::StatefulApp(p) => {
            out.push(obj("StatefulSet", nso, name, false));
            out.push(obj("Service", nso, name, true));
            if p.backup_schedule.is_some() {
                out.push(obj("CronJob", nso, format!("{name}-backup"), true));
                if backup_local(p) {
                    out.push(obj(
                        "PersistentVolumeClaim",
                        nso,
                        format!("{name}-backup"),
                        true,
                    ));
                }
            }
        }
        Properties::Job(_) => out.push(obj("Job", nso, name, false)),
        Properties::CronJob(_) => out.push(obj("CronJob", nso, name, false)),
        Properties::Service(_) => out.push(obj("Service", nso, name, false)),
        Properties::Ingress(_) => out.push(obj("Ingress", nso, name, false)),
        Properties::NetworkPolicy(_) => out.push(obj("NetworkPolicy", nso, name, false)),
        Properties::Secret(_) => out.push(obj("Secret", nso, name, false)),
        Properties::ConfigMap(_) => out.push(obj("ConfigMap", nso, name, false)),
        Properties::ServiceAccount(_) => out.push(obj("ServiceAccount", nso, name, false)),
        Properties::Role(p) => {
            let cluster = p.kind == Some(RoleKind::ClusterRole);
            if cluster {
                out.push(obj("ClusterRole", None, name, false));
            } else {
                out.push(obj("Role", nso, name, false));
            }
            for e in g.inn(i).iter().map(|k| &g.edges[*k]) {
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
                if cluster && wide {
                    out.push(obj("ClusterRoleBinding", None, bname, true));
                } else {
                    let bns = if cluster { g.ns[sa] } else { ns };
                    out.push(obj("RoleBinding", Some(bns), bname, true));
                }
            }
        }
        Properties::DeploymentStrategy(p) => {
            if matches!(p.kind, Some(StrategyType::Canary | StrategyType::BlueGreen)) {
                for app in g.targets(i, Pair::DsToApp) {
                    out.push(obj("Rollout", Some(g.ns[app]), g.name(app), true));
                    if p.kind == Some(StrategyType::BlueGreen) {
                        for svc in g.targets(app, Pair::WorkloadToService) {
                            out.push(obj(
                                "Service",
                                Some(g.ns[svc]),
                                format!("{}-preview", g.name(svc)),
                                true,
                            ));
                        }
                    }
                }
                if p.analysis.is_some() {
                    out.push(obj(
                        "AnalysisTemplate",
                        nso,
                        format!("{name}-analysis"),
                        true,
                    ));
                }
            }
        }
        Properties::Observability(p) => {
            if p.metrics == Some(MetricsBackend::Prometheus) {
                for t in g.targets(i, Pair::ObsToTarget) {
                    out.push(obj(
                        "ServiceMonitor",
                        Some(g.ns[t]),
                        format!("{name}-{}", g.name(t)),
                        true,
                    ));
                }
            }
            if p.alerts == Some(AlertsBackend::AlertManager) {
                out.push(obj("PrometheusRule", nso, format!("{name}-alerts"), true));
            }
            if p.logging.is_some_and(|l| l != LoggingBackend::None) {
                out.push(obj(
                    "ConfigMap",
                    nso,
                    format!("{name}-logging-config"),
                    true,
                ));
            }
            if p.tracing.is_some_and(|t| t != TracingBackend::None) {
                out.push(obj(
                    "ConfigMap",
                    nso,
                    format!("{name}-tracing-config"),
                    true,
                ));
            }
        }
        Properties::AppGroup(p) => {
            let gns = group_namespace(n);
            if group_creates_namespace(n) {
                out.push(obj("Namespace", None, gns, false));
            }
            if p.resource_quota.is_some() || p.resource_quota_custom.is_some() {
                out.push(obj(
                    "ResourceQuota",
                    Some(gns),
                    format!("{name}-quota"),
                    true,
                ));
            }
            if p.allow_internal_communication == Some(true) {
                out.push(obj(
                    "NetworkPolicy",
                    Some(gns),
                    format!("{name}-internal"),
                    true,
                ));
            }
        }
        Properties::CustomResource(p) => {
            let plural = p.plural.clone().unwrap_or_else(|| format!("{name}s"));
            let group = p.group.clone().unwrap_or_else(|| "example.com".into());
            out.push(obj(
                "CustomResourceDefinition",
                None,
                format!("{plural}.{group}"),
                false,
            ));
            let kind = p.kind.clone().unwrap_or_else(|| capitalize(name));
            let cluster = p.scope == Some(CrdScope::Cluster);
            for inst in p.instances.iter().flatten() {
                if let Some(iname) = &inst.name {
                    out.push(obj(
                        kind.clone(),
                        if cluster { None } else { nso },
                        iname.clone(),
                        false,
                    ));
                }
            }
            if p.controller.is_some() {
                let c = format!("{name}-controller");
                out.push(obj("ServiceAccount", nso, c.clone(), true));
                out.push(obj("ClusterRole", None, c.clone(), true));
                out.push(obj("ClusterRoleBinding", None, c.clone(), true));
                out.push(obj("Deployment", nso, c, true));
            }
        }
        Properties::Unknown(_) => {}
    }
    out
}

/// `paymentprovider` → `Paymentprovider` (the DSL's default kind). ASCII only: a name that
/// generates is a DNS label, and Unicode case tables would cost the browser engine 10 KB.
pub(crate) fn capitalize(s: &str) -> String {
    let mut out = s.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}
