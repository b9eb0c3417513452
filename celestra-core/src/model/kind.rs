//! The 15 node types of the catalogue and their static traits.

use schemars::JsonSchema;
use serde::Serialize;

/// A node type of the catalogue (workflow-format.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub enum NodeType {
    /// `celestra-app` → Deployment (+ implicit Service, PVC).
    #[serde(rename = "celestra-app")]
    App,
    /// `celestra-statefulapp` → StatefulSet + governing Service (+ backup CronJob).
    #[serde(rename = "celestra-statefulapp")]
    StatefulApp,
    /// `celestra-job` → Job.
    #[serde(rename = "celestra-job")]
    Job,
    /// `celestra-cronjob` → CronJob.
    #[serde(rename = "celestra-cronjob")]
    CronJob,
    /// `celestra-service` → Service.
    #[serde(rename = "celestra-service")]
    Service,
    /// `celestra-ingress` → Ingress.
    #[serde(rename = "celestra-ingress")]
    Ingress,
    /// `celestra-networkpolicy` → NetworkPolicy.
    #[serde(rename = "celestra-networkpolicy")]
    NetworkPolicy,
    /// `celestra-secret` → Secret.
    #[serde(rename = "celestra-secret")]
    Secret,
    /// `celestra-configmap` → ConfigMap.
    #[serde(rename = "celestra-configmap")]
    ConfigMap,
    /// `celestra-serviceaccount` → ServiceAccount.
    #[serde(rename = "celestra-serviceaccount")]
    ServiceAccount,
    /// `celestra-role` → Role or ClusterRole (+ bindings).
    #[serde(rename = "celestra-role")]
    Role,
    /// `celestra-deployment-strategy` → Deployment strategy patch or Argo Rollout.
    #[serde(rename = "celestra-deployment-strategy")]
    DeploymentStrategy,
    /// `celestra-observability` → ServiceMonitor, PrometheusRule, config maps.
    #[serde(rename = "celestra-observability")]
    Observability,
    /// `celestra-appgroup` → Namespace, ResourceQuota, internal NetworkPolicy.
    #[serde(rename = "celestra-appgroup")]
    AppGroup,
    /// `celestra-customresource` → CustomResourceDefinition (+ instances, controller).
    #[serde(rename = "celestra-customresource")]
    CustomResource,
}

impl NodeType {
    /// All 15 types, in catalogue order.
    pub const ALL: [NodeType; 15] = [
        NodeType::App,
        NodeType::StatefulApp,
        NodeType::Job,
        NodeType::CronJob,
        NodeType::Service,
        NodeType::Ingress,
        NodeType::NetworkPolicy,
        NodeType::Secret,
        NodeType::ConfigMap,
        NodeType::ServiceAccount,
        NodeType::Role,
        NodeType::DeploymentStrategy,
        NodeType::Observability,
        NodeType::AppGroup,
        NodeType::CustomResource,
    ];

    /// The type id, e.g. `celestra-app`.
    pub const fn id(self) -> &'static str {
        match self {
            NodeType::App => "celestra-app",
            NodeType::StatefulApp => "celestra-statefulapp",
            NodeType::Job => "celestra-job",
            NodeType::CronJob => "celestra-cronjob",
            NodeType::Service => "celestra-service",
            NodeType::Ingress => "celestra-ingress",
            NodeType::NetworkPolicy => "celestra-networkpolicy",
            NodeType::Secret => "celestra-secret",
            NodeType::ConfigMap => "celestra-configmap",
            NodeType::ServiceAccount => "celestra-serviceaccount",
            NodeType::Role => "celestra-role",
            NodeType::DeploymentStrategy => "celestra-deployment-strategy",
            NodeType::Observability => "celestra-observability",
            NodeType::AppGroup => "celestra-appgroup",
            NodeType::CustomResource => "celestra-customresource",
        }
    }

    /// The short name used in tables (`app`, `statefulapp`, ...).
    pub fn short(self) -> &'static str {
        &self.id()["celestra-".len()..]
    }

    /// Parses a type id. Returns the type and, for a legacy alias, the alias kind.
    pub fn parse(id: &str) -> Option<(NodeType, Option<Alias>)> {
        if let Some(t) = NodeType::ALL.iter().find(|t| t.id() == id) {
            return Some((*t, None));
        }
        match id {
            "celestra-rbac" => Some((NodeType::Role, Some(Alias::Plain))),
            "celestra-clusterrole" => Some((NodeType::Role, Some(Alias::ClusterRole))),
            "celestra-deploymentstrategy" => {
                Some((NodeType::DeploymentStrategy, Some(Alias::Plain)))
            }
            _ => None,
        }
    }

    /// App, StatefulApp, Job or CronJob: the node runs pods.
    pub fn is_workload(self) -> bool {
        matches!(
            self,
            NodeType::App | NodeType::StatefulApp | NodeType::Job | NodeType::CronJob
        )
    }

    /// App or StatefulApp: long-running, selectable by a Service.
    pub fn is_server(self) -> bool {
        matches!(self, NodeType::App | NodeType::StatefulApp)
    }

    /// DeploymentStrategy and Observability are applied inside their target's step.
    pub fn is_attached(self) -> bool {
        matches!(self, NodeType::DeploymentStrategy | NodeType::Observability)
    }

    /// Creation phase (§3.5): 0 namespaces/CRDs, 1 infrastructure, 2 configuration,
    /// 3 applications, 4 networking, 5 monitoring.
    pub fn phase(self) -> u8 {
        match self {
            NodeType::AppGroup | NodeType::CustomResource => 0,
            NodeType::ServiceAccount | NodeType::Role | NodeType::NetworkPolicy => 1,
            NodeType::ConfigMap | NodeType::Secret => 2,
            NodeType::App
            | NodeType::StatefulApp
            | NodeType::Job
            | NodeType::CronJob
            | NodeType::DeploymentStrategy => 3,
            NodeType::Service | NodeType::Ingress => 4,
            NodeType::Observability => 5,
        }
    }

    /// Position of the node's primary object kind in the apply order inside a phase
    /// (workflow-format.md D12).
    pub fn kind_order(self) -> u8 {
        match self {
            NodeType::AppGroup => 0,
            NodeType::CustomResource => 1,
            NodeType::ServiceAccount => 2,
            NodeType::Role => 3,
            NodeType::ConfigMap => 7,
            NodeType::Secret => 8,
            NodeType::Service => 11,
            NodeType::App => 12,
            NodeType::DeploymentStrategy => 12,
            NodeType::StatefulApp => 13,
            NodeType::Job => 15,
            NodeType::CronJob => 16,
            NodeType::Ingress => 17,
            NodeType::NetworkPolicy => 19,
            NodeType::Observability => 20,
        }
    }

    /// Types with no Docker Compose equivalent (§2.0).
    pub fn compose_supported(self) -> bool {
        matches!(
            self,
            NodeType::App
                | NodeType::StatefulApp
                | NodeType::Job
                | NodeType::Service
                | NodeType::Secret
                | NodeType::ConfigMap
                | NodeType::AppGroup
        )
    }
}

impl std::fmt::Display for NodeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Which legacy alias a node type was given with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alias {
    /// A renamed id (`celestra-rbac`, `celestra-deploymentstrategy`).
    Plain,
    /// `celestra-clusterrole`: a Role with `kind: ClusterRole`.
    ClusterRole,
}
