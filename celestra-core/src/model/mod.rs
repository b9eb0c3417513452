//! The workflow document (workflow-format.md §1–2): typed, lenient, lossless.
//!
//! Documents are read with [`crate::api::parse_str`] or [`crate::api::parse_value`]. Reading never
//! fails on content: wrong types, unknown keys and unknown node types become findings (reported by
//! `validate()`), and the raw values are kept so the document serializes back without loss.

pub(crate) mod json;
mod kind;
pub(crate) mod lite;
pub(crate) mod load;
pub(crate) mod parse;
pub mod props;
pub(crate) mod stream;

pub use kind::{Alias, NodeType};
pub use load::NumOrStr;
pub(crate) use parse::load_workflow;
pub use props::*;

use crate::diag::Diagnostic;
use load::{json_object, string_enum};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// The schema version this engine reads and writes.
pub const SCHEMA_VERSION: &str = "1.0";

/// A workflow document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workflow {
    /// `"1.0"`.
    pub schema_version: String,
    /// Opaque id (1–128 chars).
    pub id: String,
    /// Workflow name: a DNS-1123 label; chart name, Compose project, root group name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Namespace of nodes outside any AppGroup (default `default`).
    pub namespace: Option<String>,
    /// Execution settings.
    pub settings: Option<Settings>,
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The connections.
    pub connections: Vec<Connection>,
    /// Client metadata, round-tripped untouched.
    pub metadata: Option<Value>,
    /// Unknown top-level keys and rejected values, kept verbatim.
    pub other: BTreeMap<String, Value>,
    /// Node entries that could not be read at all (not an object, no id, no type); kept verbatim
    /// and written back after the readable nodes.
    pub rejected_nodes: Vec<Value>,
    /// Connection entries that could not be read at all; kept verbatim.
    pub rejected_connections: Vec<Value>,
    /// Findings made while reading (reported by `validate()`); ignored by equality.
    pub(crate) load_diagnostics: LoadDiagnostics,
}

/// Findings made while reading a document. Never part of equality: a model read from JSON equals
/// the same model built in code.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadDiagnostics(pub(crate) Vec<Diagnostic>);

impl PartialEq for LoadDiagnostics {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Workflow {
    /// The namespace for nodes outside any group.
    pub fn default_namespace(&self) -> &str {
        self.namespace
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }

    /// The execution settings, or their defaults.
    pub fn settings(&self) -> Settings {
        self.settings.clone().unwrap_or_default()
    }

    /// Findings made while reading this document.
    pub fn load_diagnostics(&self) -> &[Diagnostic] {
        &self.load_diagnostics.0
    }
}

/// Node type as written in the document: one of the 15, or an unknown id kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// A catalogue type.
    Known(NodeType),
    /// An unknown type id (reported as `NODE_TYPE_UNKNOWN`).
    Unknown(String),
}

impl NodeKind {
    /// The type id.
    pub fn id(&self) -> &str {
        match self {
            NodeKind::Known(t) => t.id(),
            NodeKind::Unknown(s) => s,
        }
    }
    /// The catalogue type, if known.
    pub fn known(&self) -> Option<NodeType> {
        match self {
            NodeKind::Known(t) => Some(*t),
            NodeKind::Unknown(_) => None,
        }
    }
}

impl Serialize for NodeKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// A node of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique id (1–64 chars); never used to derive Kubernetes names.
    pub id: String,
    /// Node type.
    pub kind: NodeKind,
    /// Canvas position (ignored by generation).
    pub position: Position,
    /// Id of the AppGroup this node belongs to.
    pub parent: Option<String>,
    /// Display label (ignored).
    pub label: Option<String>,
    /// Name and properties.
    pub data: NodeData,
    /// Unknown keys and rejected values, kept verbatim. A rejected `position` or `data` is
    /// written back from here instead of the typed field.
    pub other: BTreeMap<String, Value>,
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("type", &self.kind)?;
        if !self.other.contains_key("position") {
            m.serialize_entry("position", &self.position)?;
        }
        if let Some(p) = &self.parent {
            m.serialize_entry("parent", p)?;
        }
        if let Some(l) = &self.label {
            m.serialize_entry("label", l)?;
        }
        if !self.other.contains_key("data") {
            m.serialize_entry("data", &self.data)?;
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Node {
    /// Keys a Secret or ConfigMap provides (data, files, env vars, generated values; a
    /// ConfigMap's directories too), sorted, without repeats; empty for other types. What
    /// validation checks and what generation injects are the same keys.
    pub fn provided_keys(&self) -> Vec<String> {
        let mut k: Vec<String> = match &self.data.properties {
            Properties::Secret(p) => {
                let mut k: Vec<String> = p.data.iter().flatten().map(|(k, _)| k.clone()).collect();
                k.extend(p.files.iter().flatten().map(|(k, _)| k.clone()));
                if let Some(ev) = &p.env_vars {
                    k.extend(ev.pairs().into_keys());
                }
                k.extend(p.generated.iter().flatten().filter_map(|gv| gv.key.clone()));
                k
            }
            Properties::ConfigMap(p) => {
                let mut k: Vec<String> = p.data.iter().flatten().map(|(k, _)| k.clone()).collect();
                k.extend(p.files.iter().flatten().map(|(k, _)| k.clone()));
                k.extend(p.directories.iter().flatten().map(|(k, _)| k.clone()));
                k
            }
            _ => Vec::new(),
        };
        crate::sort::sort(&mut k);
        k.dedup();
        k
    }

    /// The node name (`data.name`).
    pub fn name(&self) -> &str {
        &self.data.name
    }
    /// The catalogue type, if known.
    pub fn node_type(&self) -> Option<NodeType> {
        self.kind.known()
    }
}

/// `data` of a node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeData {
    /// Kubernetes object name.
    pub name: String,
    /// Typed properties.
    pub properties: Properties,
    /// Other keys (`connections`, `validation` from older clients are accepted and ignored) and
    /// rejected values, kept verbatim.
    pub other: BTreeMap<String, Value>,
}

impl Serialize for NodeData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if !self.other.contains_key("name") {
            m.serialize_entry("name", &self.name)?;
        }
        if !self.other.contains_key("properties") {
            m.serialize_entry("properties", &self.properties)?;
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Canvas position (kept exactly as sent; ignored by generation).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Position {
    /// Horizontal position.
    pub x: serde_json::Number,
    /// Vertical position.
    pub y: serde_json::Number,
}

impl Default for Position {
    fn default() -> Self {
        Position {
            x: 0.into(),
            y: 0.into(),
        }
    }
}

/// Typed properties, by node type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(missing_docs)]
pub enum Properties {
    App(AppProps),
    StatefulApp(StatefulAppProps),
    Job(JobProps),
    CronJob(CronJobProps),
    Service(ServiceProps),
    Ingress(IngressProps),
    NetworkPolicy(NetworkPolicyProps),
    Secret(SecretProps),
    ConfigMap(ConfigMapProps),
    ServiceAccount(ServiceAccountProps),
    Role(RoleProps),
    DeploymentStrategy(DeploymentStrategyProps),
    Observability(ObservabilityProps),
    AppGroup(AppGroupProps),
    CustomResource(CustomResourceProps),
    /// Properties of a node of unknown type, kept verbatim.
    Unknown(BTreeMap<String, Value>),
}

impl Properties {
    /// Empty properties of the given type.
    pub fn empty(t: NodeType) -> Properties {
        match t {
            NodeType::App => Properties::App(Default::default()),
            NodeType::StatefulApp => Properties::StatefulApp(Default::default()),
            NodeType::Job => Properties::Job(Default::default()),
            NodeType::CronJob => Properties::CronJob(Default::default()),
            NodeType::Service => Properties::Service(Default::default()),
            NodeType::Ingress => Properties::Ingress(Default::default()),
            NodeType::NetworkPolicy => Properties::NetworkPolicy(Default::default()),
            NodeType::Secret => Properties::Secret(Default::default()),
            NodeType::ConfigMap => Properties::ConfigMap(Default::default()),
            NodeType::ServiceAccount => Properties::ServiceAccount(Default::default()),
            NodeType::Role => Properties::Role(Default::default()),
            NodeType::DeploymentStrategy => Properties::DeploymentStrategy(Default::default()),
            NodeType::Observability => Properties::Observability(Default::default()),
            NodeType::AppGroup => Properties::AppGroup(Default::default()),
            NodeType::CustomResource => Properties::CustomResource(Default::default()),
        }
    }

    /// The property keys a node sets, sorted.
    pub fn present_keys(&self) -> Vec<&str> {
        match self {
            Properties::App(p) => p.present_keys(),
            Properties::StatefulApp(p) => p.present_keys(),
            Properties::Job(p) => p.present_keys(),
            Properties::CronJob(p) => p.present_keys(),
            Properties::Service(p) => p.present_keys(),
            Properties::Ingress(p) => p.present_keys(),
            Properties::NetworkPolicy(p) => p.present_keys(),
            Properties::Secret(p) => p.present_keys(),
            Properties::ConfigMap(p) => p.present_keys(),
            Properties::ServiceAccount(p) => p.present_keys(),
            Properties::Role(p) => p.present_keys(),
            Properties::DeploymentStrategy(p) => p.present_keys(),
            Properties::Observability(p) => p.present_keys(),
            Properties::AppGroup(p) => p.present_keys(),
            Properties::CustomResource(p) => p.present_keys(),
            Properties::Unknown(m) => m.keys().map(String::as_str).collect(),
        }
    }

    /// Unknown keys and rejected values of the properties.
    pub fn other(&self) -> Option<&BTreeMap<String, Value>> {
        Some(match self {
            Properties::App(p) => &p.other,
            Properties::StatefulApp(p) => &p.other,
            Properties::Job(p) => &p.other,
            Properties::CronJob(p) => &p.other,
            Properties::Service(p) => &p.other,
            Properties::Ingress(p) => &p.other,
            Properties::NetworkPolicy(p) => &p.other,
            Properties::Secret(p) => &p.other,
            Properties::ConfigMap(p) => &p.other,
            Properties::ServiceAccount(p) => &p.other,
            Properties::Role(p) => &p.other,
            Properties::DeploymentStrategy(p) => &p.other,
            Properties::Observability(p) => &p.other,
            Properties::AppGroup(p) => &p.other,
            Properties::CustomResource(p) => &p.other,
            Properties::Unknown(_) => return None,
        })
    }

    /// The user labels of the node.
    pub fn labels(&self) -> Option<&StrMap> {
        match self {
            Properties::App(p) => p.labels.as_ref(),
            Properties::StatefulApp(p) => p.labels.as_ref(),
            Properties::Job(p) => p.labels.as_ref(),
            Properties::CronJob(p) => p.labels.as_ref(),
            Properties::Service(p) => p.labels.as_ref(),
            Properties::Ingress(p) => p.labels.as_ref(),
            Properties::NetworkPolicy(p) => p.labels.as_ref(),
            Properties::Secret(p) => p.labels.as_ref(),
            Properties::ConfigMap(p) => p.labels.as_ref(),
            Properties::ServiceAccount(p) => p.labels.as_ref(),
            Properties::Role(p) => p.labels.as_ref(),
            Properties::DeploymentStrategy(p) => p.labels.as_ref(),
            Properties::Observability(p) => p.labels.as_ref(),
            Properties::AppGroup(p) => p.labels.as_ref(),
            Properties::CustomResource(p) => p.labels.as_ref(),
            Properties::Unknown(_) => None,
        }
    }

    /// The user annotations of the node.
    pub fn annotations(&self) -> Option<&StrMap> {
        match self {
            Properties::App(p) => p.annotations.as_ref(),
            Properties::StatefulApp(p) => p.annotations.as_ref(),
            Properties::Job(p) => p.annotations.as_ref(),
            Properties::CronJob(p) => p.annotations.as_ref(),
            Properties::Service(p) => p.annotations.as_ref(),
            Properties::Ingress(p) => p.annotations.as_ref(),
            Properties::NetworkPolicy(p) => p.annotations.as_ref(),
            Properties::Secret(p) => p.annotations.as_ref(),
            Properties::ConfigMap(p) => p.annotations.as_ref(),
            Properties::ServiceAccount(p) => p.annotations.as_ref(),
            Properties::Role(p) => p.annotations.as_ref(),
            Properties::DeploymentStrategy(p) => p.annotations.as_ref(),
            Properties::Observability(p) => p.annotations.as_ref(),
            Properties::AppGroup(p) => p.annotations.as_ref(),
            Properties::CustomResource(p) => p.annotations.as_ref(),
            Properties::Unknown(_) => None,
        }
    }
}

// ------------------------------------------------------------------ connections

string_enum! {
    /// What a connection means (inferred from the node pair when absent).
    pub enum ConnectionType [EnumValue] {
        /// Deploy order, exposure, routing.
        Dependency = "dependency" | "Dependency" | "Depends On" | "Exposes",
        /// Provides data.
        Configuration = "configuration" | "Configuration" | "Configures" | "Stores",
        /// Identity, permissions, traffic rules.
        Security = "security" | "Security",
        /// Observes.
        Monitoring = "monitoring" | "Monitoring",
    }
}

string_enum! {
    /// Line style: how strongly the target waits for the source.
    pub enum Style [EnumValue] {
        /// Must wait (default).
        Solid = "solid",
        /// Optional: no ordering.
        Dashed = "dashed",
        /// Critical path: like solid, reported as critical.
        Double = "double",
        /// Conditional on `settings.environment` (`data.when.environments`).
        Slashed = "slashed",
    }
}

json_object! {
    /// Condition of a slashed (conditional) connection.
    pub struct When {
        /// The connection is active when `settings.environment` is one of these.
        environments: Vec<Environment> = "environments",
    }
}

json_object! {
    /// Per-connection options (§3.1 "edge data"); each applies to some pairs only.
    pub struct EdgeData {
        /// Secret/ConfigMap → workload: `env`, `volume`, `both`, `none`.
        inject_as: InjectAs = "injectAs",
        /// Secret/ConfigMap → workload: env var prefix.
        env_prefix: String = "envPrefix",
        /// Secret/ConfigMap → workload: mount path.
        mount_path: String = "mountPath",
        /// Secret/ConfigMap → workload: only these keys.
        keys: Vec<String> = "keys",
        /// Service → Ingress: host.
        host: String = "host",
        /// Service → Ingress: path.
        path: String = "path",
        /// Service → Ingress: path type.
        path_type: PathType = "pathType",
        /// Service → Ingress: backend port.
        port: IntOrString = "port",
        /// Workload → Service: target port.
        target_port: IntOrString = "targetPort",
        /// ServiceAccount → Role: bind cluster-wide.
        cluster_wide: bool = "clusterWide",
        /// Secret → Ingress: TLS hosts.
        hosts: Vec<String> = "hosts",
        /// Slashed connections: when the connection is active.
        when: When = "when",
    }
}

/// A connection (edge) between two nodes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Unique id.
    pub id: String,
    /// Source node id.
    pub source: String,
    /// Source socket key (informative, default `out`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_output: Option<String>,
    /// Target node id.
    pub target: String,
    /// Target socket key (informative, default `in`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_input: Option<String>,
    /// Declared type; the type inferred from the pair wins.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub conn_type: Option<ConnectionType>,
    /// Line style (default solid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<Style>,
    /// Per-connection options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<EdgeData>,
    /// Unknown keys and rejected values, kept verbatim.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Connection {
    /// The style, solid when absent.
    pub fn style(&self) -> Style {
        self.style.unwrap_or(Style::Solid)
    }
}

// ------------------------------------------------------------------ settings

string_enum! {
    /// How waves are executed (§3.5).
    pub enum ExecutionMode [EnumValue] {
        /// Dependency waves; every step of a wave runs concurrently (default).
        Parallel = "parallel" | "Parallel" | "mixed" | "Mixed" | "adaptive" | "Adaptive",
        /// Phases strictly in order, waves inside each phase.
        Phased = "phased" | "Phased",
        /// One step at a time, in topological order.
        Sequential = "sequential" | "Sequential",
    }
}

string_enum! {
    /// What happens when a step fails.
    pub enum ErrorHandling [EnumValue] {
        /// Stop; remaining steps are skipped.
        StopOnError = "stopOnError",
        /// Skip the failed step's dependents, continue the rest.
        ContinueOnError = "continueOnError",
        /// Undo created objects in reverse order.
        RollbackOnError = "rollbackOnError",
        /// Retry the step, then stop.
        RetryOnError = "retryOnError",
    }
}

string_enum! {
    /// Retry backoff.
    pub enum Backoff [EnumValue] {
        /// The same delay every time.
        Fixed = "fixed",
        /// The delay doubles every attempt.
        Exponential = "exponential",
    }
}

json_object! {
    /// Retry policy.
    pub struct Retry {
        /// Attempts (default 3).
        max_attempts: i64 = "maxAttempts",
        /// `fixed` or `exponential` (default).
        backoff: Backoff = "backoff",
        /// First delay in seconds (default 5).
        initial_delay_seconds: i64 = "initialDelaySeconds",
    }
}

json_object! {
    /// Execution settings of a workflow.
    pub struct Settings {
        /// `parallel` (default), `phased` or `sequential`.
        execution_mode: ExecutionMode = "executionMode",
        /// Default `stopOnError`.
        error_handling: ErrorHandling = "errorHandling",
        /// Default 300.
        step_timeout_seconds: i64 = "stepTimeoutSeconds",
        /// Default 1800.
        total_timeout_seconds: i64 = "totalTimeoutSeconds",
        /// Retry policy.
        retry: Retry = "retry",
        /// Drives conditional (slashed) connections.
        environment: Environment = "environment",
    }
}

impl Settings {
    /// The execution mode, parallel by default.
    pub fn mode(&self) -> ExecutionMode {
        self.execution_mode.unwrap_or(ExecutionMode::Parallel)
    }
}

// ------------------------------------------------------------------ serialization of Workflow

struct Chain<'a, T>(&'a [T], &'a [Value]);

impl<T: Serialize> Serialize for Chain<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len() + self.1.len()))?;
        for x in self.0 {
            seq.serialize_element(x)?;
        }
        for x in self.1 {
            seq.serialize_element(x)?;
        }
        seq.end()
    }
}

impl Serialize for Workflow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if !self.schema_version.is_empty() {
            m.serialize_entry("schemaVersion", &self.schema_version)?;
        }
        if !self.id.is_empty() {
            m.serialize_entry("id", &self.id)?;
        }
        if !self.name.is_empty() {
            m.serialize_entry("name", &self.name)?;
        }
        if let Some(d) = &self.description {
            m.serialize_entry("description", d)?;
        }
        if let Some(n) = &self.namespace {
            m.serialize_entry("namespace", n)?;
        }
        if let Some(st) = &self.settings {
            m.serialize_entry("settings", st)?;
        }
        m.serialize_entry("nodes", &Chain(&self.nodes, &self.rejected_nodes))?;
        m.serialize_entry(
            "connections",
            &Chain(&self.connections, &self.rejected_connections),
        )?;
        if let Some(md) = &self.metadata {
            m.serialize_entry("metadata", md)?;
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> serde::Deserialize<'de> for Workflow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = lite::Lite::deserialize(d)?;
        load_workflow(&v, &crate::api::Limits::default()).map_err(serde::de::Error::custom)
    }
}
