//! Typed properties of every node type (workflow-format.md §2) and the value types they share.
//!
//! Every field is optional: absent (or `null`) means "use the default of §2". Values are kept as
//! given; ranges and formats are checked by `validate()`, not here.

#![allow(missing_docs)] // fields are documented through `json_object!` doc attributes below

use super::lite::Lite;
use super::load::{FromJson, NumOrStr, json_object, map_of, string_enum};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A string-keyed map of strings (labels, annotations, env, data).
pub type StrMap = BTreeMap<String, String>;
/// A free-form JSON object passed through to Kubernetes (affinity, securityContext...).
pub type Object = Map<String, Value>;
/// A quantity: `"500m"`, `1.5`, `"10Gi"`.
pub type Quantity = NumOrStr;

// ------------------------------------------------------------------ shared enums

string_enum! {
    /// Transport protocol of a port.
    pub enum Protocol [EnumValue] { Tcp = "TCP", Udp = "UDP", Sctp = "SCTP" }
}

string_enum! {
    /// Pod Security Standard level.
    pub enum PodSecurityStandard [EnumValue] {
        Privileged = "privileged", Baseline = "baseline", Restricted = "restricted"
    }
}

string_enum! {
    /// Pod DNS policy.
    pub enum DnsPolicy [EnumValue] {
        ClusterFirst = "ClusterFirst", Default = "Default",
        ClusterFirstWithHostNet = "ClusterFirstWithHostNet", None = "None"
    }
}

string_enum! {
    /// Probe mechanism.
    pub enum ProbeType [EnumValue] { Http = "http", Tcp = "tcp", Exec = "exec", Grpc = "grpc" }
}

string_enum! {
    /// Volume access mode.
    pub enum AccessMode [EnumValue] {
        ReadWriteOnce = "ReadWriteOnce", ReadOnlyMany = "ReadOnlyMany",
        ReadWriteMany = "ReadWriteMany", ReadWriteOncePod = "ReadWriteOncePod"
    }
}

string_enum! {
    /// Restart policy of Job and CronJob pods.
    pub enum JobRestartPolicy [RestartPolicy] { Never = "Never", OnFailure = "OnFailure" }
}

string_enum! {
    /// How a Secret or ConfigMap reaches a workload.
    pub enum InjectAs [EnumValue] { Env = "env", Volume = "volume", Both = "both", None = "none" }
}

string_enum! {
    /// Deployment environment.
    pub enum Environment [EnumValue] {
        Development = "development", Staging = "staging", Production = "production", Testing = "testing"
    }
}

// ------------------------------------------------------------------ shared objects

json_object! {
    /// A container port.
    pub struct PortSpec {
        /// Port number (1–65535).
        port: i64 = "port",
        /// Port name (IANA service name, ≤15 chars).
        name: String = "name",
        /// TCP (default), UDP or SCTP.
        protocol: Protocol = "protocol",
    }
}

json_object! {
    /// A liveness, readiness or startup probe.
    pub struct Probe {
        /// `http`, `tcp`, `exec` or `grpc`.
        kind: ProbeType = "type",
        /// HTTP path (http probes).
        path: String = "path",
        /// Port number or container port name (http, tcp, grpc probes).
        port: IntOrString = "port",
        /// Command (exec probes).
        command: Vec<String> = "command",
        /// Seconds before the first probe.
        initial_delay_seconds: i64 = "initialDelaySeconds",
        /// Seconds between probes.
        period_seconds: i64 = "periodSeconds",
        /// Seconds before a probe times out.
        timeout_seconds: i64 = "timeoutSeconds",
        /// Failures before the probe counts as failed.
        failure_threshold: i64 = "failureThreshold",
        /// Successes before the probe counts as passed.
        success_threshold: i64 = "successThreshold",
    }
}

json_object! {
    /// A toleration.
    pub struct Toleration {
        key: String = "key",
        operator: String = "operator",
        value: String = "value",
        effect: String = "effect",
        toleration_seconds: i64 = "tolerationSeconds",
    }
}

json_object! {
    /// A volume mount of an existing volume.
    pub struct VolumeMount {
        name: String = "name",
        mount_path: String = "mountPath",
        read_only: bool = "readOnly",
        sub_path: String = "subPath",
    }
}

json_object! {
    /// A persistent volume claim mounted into an App.
    pub struct PersistentVolume {
        name: String = "name",
        size: Quantity = "size",
        storage_class: String = "storageClass",
        access_mode: AccessMode = "accessMode",
        mount_path: String = "mountPath",
    }
}

json_object! {
    /// An emptyDir volume.
    pub struct EmptyDir {
        name: String = "name",
        mount_path: String = "mountPath",
        medium: String = "medium",
        size_limit: Quantity = "sizeLimit",
    }
}

json_object! {
    /// A Job volume with its source.
    pub struct JobVolume {
        name: String = "name",
        mount_path: String = "mountPath",
        read_only: bool = "readOnly",
        /// Kubernetes volume source (`{"emptyDir": {}}`, `{"persistentVolumeClaim": {...}}`...).
        source: Object = "source",
    }
}

json_object! {
    /// Uploaded file content (never a path).
    pub struct FileContent {
        /// The content, text or base64.
        content: String = "content",
        /// `utf8` (default) or `base64`.
        encoding: FileEncoding = "encoding",
    }
}

string_enum! {
    /// Encoding of uploaded file content.
    pub enum FileEncoding [EnumValue] { Utf8 = "utf8" | "utf-8", Base64 = "base64" }
}

map_of!(FileContent);

// ------------------------------------------------------------------ App

json_object! {
    /// Properties of `celestra-app` (§2.2).
    pub struct AppProps {
        /// Container image reference (required for generate/deploy).
        image: String = "image",
        /// Replicas, 1–1000 (default 1, or the AppGroup's `replicas`).
        replicas: i64 = "replicas",
        /// Main container port (name `http`, TCP).
        port: i64 = "port",
        /// Further container ports.
        ports: Vec<PortSpec> = "ports",
        /// Size of a PVC `<name>-data`.
        storage: Quantity = "storage",
        /// Storage class of that PVC.
        storage_class: String = "storageClass",
        /// Where the PVC is mounted (default `/data`).
        storage_mount_path: String = "storageMountPath",
        /// Environment variables.
        environment: StrMap = "environment",
        cpu_request: Quantity = "cpuRequest",
        cpu_limit: Quantity = "cpuLimit",
        memory_request: Quantity = "memoryRequest",
        memory_limit: Quantity = "memoryLimit",
        /// GPUs (`nvidia.com/gpu` limit).
        gpu: i64 = "gpu",
        /// ServiceAccount name (prefer a connection).
        service_account: String = "serviceAccount",
        /// Container security context.
        security_context: Object = "securityContext",
        /// `privileged`, `baseline` or `restricted`.
        pod_security_standard: PodSecurityStandard = "podSecurityStandard",
        liveness_probe: Probe = "livenessProbe",
        readiness_probe: Probe = "readinessProbe",
        startup_probe: Probe = "startupProbe",
        host_network: bool = "hostNetwork",
        dns_policy: DnsPolicy = "dnsPolicy",
        /// NetworkPolicy names (prefer connections).
        network_policies: Vec<String> = "networkPolicies",
        volume_mounts: Vec<VolumeMount> = "volumeMounts",
        persistent_volumes: Vec<PersistentVolume> = "persistentVolumes",
        empty_dirs: Vec<EmptyDir> = "emptyDirs",
        affinity: Object = "affinity",
        tolerations: Vec<Toleration> = "tolerations",
        topology_spread: Vec<Object> = "topologySpread",
        node_selector: StrMap = "nodeSelector",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ StatefulApp

string_enum! {
    /// StatefulSet update strategy.
    pub enum StatefulUpdateStrategy [EnumValue] { RollingUpdate = "RollingUpdate", OnDelete = "OnDelete" }
}

string_enum! {
    /// StatefulSet pod management policy.
    pub enum PodManagementPolicy [EnumValue] { OrderedReady = "OrderedReady", Parallel = "Parallel" }
}

string_enum! {
    /// Where StatefulApp backups go.
    pub enum BackupLocation [EnumValue] {
        S3 = "S3", AzureBlob = "Azure Blob", Gcs = "GCS", Local = "Local", Custom = "Custom"
    }
}

string_enum! {
    /// Service type.
    pub enum ServiceType [EnumValue] {
        ClusterIp = "ClusterIP", NodePort = "NodePort", LoadBalancer = "LoadBalancer", ExternalName = "ExternalName"
    }
}

json_object! {
    /// Properties of `celestra-statefulapp` (§2.3).
    pub struct StatefulAppProps {
        image: String = "image",
        replicas: i64 = "replicas",
        /// Main port (name `app`).
        port: i64 = "port",
        ports: Vec<PortSpec> = "ports",
        /// Size of each replica's volume (`volumeClaimTemplates` "data").
        storage: Quantity = "storage",
        /// Governing Service is headless (default true).
        headless: bool = "headless",
        update_strategy: StatefulUpdateStrategy = "updateStrategy",
        partition: i64 = "partition",
        pod_management_policy: PodManagementPolicy = "podManagementPolicy",
        storage_class: String = "storageClass",
        access_mode: AccessMode = "accessMode",
        /// Volume mount path (default `/data`).
        mount_path: String = "mountPath",
        /// Cron schedule of the `<name>-backup` CronJob.
        backup_schedule: String = "backupSchedule",
        /// Kept backups: a number of days or `7 days`, `30 days`, `90 days`, `1 year`, `Forever`.
        backup_retention: NumOrStr = "backupRetention",
        backup_location: BackupLocation = "backupLocation",
        service_type: ServiceType = "serviceType",
        environment: StrMap = "environment",
        cpu_request: Quantity = "cpuRequest",
        cpu_limit: Quantity = "cpuLimit",
        memory_request: Quantity = "memoryRequest",
        memory_limit: Quantity = "memoryLimit",
        gpu: i64 = "gpu",
        service_account: String = "serviceAccount",
        security_context: Object = "securityContext",
        pod_security_standard: PodSecurityStandard = "podSecurityStandard",
        liveness_probe: Probe = "livenessProbe",
        readiness_probe: Probe = "readinessProbe",
        startup_probe: Probe = "startupProbe",
        affinity: Object = "affinity",
        tolerations: Vec<Toleration> = "tolerations",
        node_selector: StrMap = "nodeSelector",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Job

json_object! {
    /// Properties of `celestra-job` (§2.4).
    pub struct JobProps {
        image: String = "image",
        command: Vec<String> = "command",
        args: Vec<String> = "args",
        parallelism: i64 = "parallelism",
        completions: i64 = "completions",
        /// Duration → `activeDeadlineSeconds`.
        timeout: String = "timeout",
        /// Alias of `timeout`.
        active_deadline: String = "activeDeadline",
        restart_policy: JobRestartPolicy = "restartPolicy",
        backoff_limit: i64 = "backoffLimit",
        /// Ephemeral storage requirements (`{"request": "1Gi", "limit": "2Gi"}`).
        storage_requirements: Object = "storageRequirements",
        node_selector: StrMap = "nodeSelector",
        affinity: Object = "affinity",
        tolerations: Vec<Toleration> = "tolerations",
        ports: Vec<PortSpec> = "ports",
        volumes: Vec<JobVolume> = "volumes",
        environment: StrMap = "environment",
        cpu_request: Quantity = "cpuRequest",
        cpu_limit: Quantity = "cpuLimit",
        memory_request: Quantity = "memoryRequest",
        memory_limit: Quantity = "memoryLimit",
        gpu: i64 = "gpu",
        service_account: String = "serviceAccount",
        security_context: Object = "securityContext",
        pod_security_standard: PodSecurityStandard = "podSecurityStandard",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ CronJob

string_enum! {
    /// CronJob concurrency policy.
    pub enum CronConcurrencyPolicy [ConcurrencyPolicy] { Allow = "Allow", Forbid = "Forbid", Replace = "Replace" }
}

json_object! {
    /// Properties of `celestra-cronjob` (§2.5).
    pub struct CronJobProps {
        /// Five-field cron expression or macro (required).
        schedule: String = "schedule",
        image: String = "image",
        command: Vec<String> = "command",
        args: Vec<String> = "args",
        /// UI field without Kubernetes meaning (ignored; use `concurrencyPolicy`).
        concurrency: Value = "concurrency",
        suspend: bool = "suspend",
        concurrency_policy: CronConcurrencyPolicy = "concurrencyPolicy",
        successful_jobs_history: i64 = "successfulJobsHistory",
        failed_jobs_history: i64 = "failedJobsHistory",
        /// Duration → `startingDeadlineSeconds`.
        starting_deadline: String = "startingDeadline",
        /// IANA time zone.
        time_zone: String = "timeZone",
        /// Read-only status from the cluster (RFC 3339), ignored.
        last_schedule_time: String = "lastScheduleTime",
        timeout: String = "timeout",
        backoff_limit: i64 = "backoffLimit",
        restart_policy: JobRestartPolicy = "restartPolicy",
        /// Deep-merge override of the Job spec.
        job_spec: Object = "jobSpec",
        /// Deep-merge override of the pod template.
        pod_template: Object = "podTemplate",
        volume_templates: Vec<Object> = "volumeTemplates",
        environment: StrMap = "environment",
        cpu_request: Quantity = "cpuRequest",
        cpu_limit: Quantity = "cpuLimit",
        memory_request: Quantity = "memoryRequest",
        memory_limit: Quantity = "memoryLimit",
        gpu: i64 = "gpu",
        service_account: String = "serviceAccount",
        security_context: Object = "securityContext",
        pod_security_standard: PodSecurityStandard = "podSecurityStandard",
        node_selector: StrMap = "nodeSelector",
        affinity: Object = "affinity",
        tolerations: Vec<Toleration> = "tolerations",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Service

string_enum! {
    /// Service session affinity.
    pub enum SessionAffinity [EnumValue] { None = "None", ClientIp = "ClientIP" }
}

string_enum! {
    /// Service external traffic policy.
    pub enum TrafficPolicy [EnumValue] { Cluster = "Cluster", Local = "Local" }
}

/// A port number or a named port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum IntOrString {
    /// A port number.
    Int(i64),
    /// A port name.
    Name(String),
}

impl FromJson for IntOrString {
    fn from_json(v: &Lite<'_>, cx: &mut super::load::Cx) -> Option<Self> {
        match v {
            Lite::Str(s) if !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()) => {
                Some(IntOrString::Name(s.to_string()))
            }
            _ => i64::from_json(v, cx).map(IntOrString::Int),
        }
    }
}

json_object! {
    /// A Service port.
    pub struct ServicePort {
        name: String = "name",
        port: i64 = "port",
        target_port: IntOrString = "targetPort",
        protocol: Protocol = "protocol",
        app_protocol: String = "appProtocol",
        node_port: i64 = "nodePort",
    }
}

json_object! {
    /// Session stickiness.
    pub struct StickySessions {
        timeout_seconds: i64 = "timeoutSeconds",
    }
}

json_object! {
    /// Properties of `celestra-service` (§2.6).
    pub struct ServiceProps {
        kind: ServiceType = "type",
        /// Pod selector; default `{app: <connected workload>}`.
        selector: StrMap = "selector",
        port: i64 = "port",
        target_port: IntOrString = "targetPort",
        ports: Vec<ServicePort> = "ports",
        protocol: Protocol = "protocol",
        app_protocol: String = "appProtocol",
        /// `None` for headless.
        cluster_ip: String = "clusterIP",
        external_ips: Vec<String> = "externalIPs",
        /// Deprecated in Kubernetes.
        load_balancer_ip: String = "loadBalancerIP",
        session_affinity: SessionAffinity = "sessionAffinity",
        sticky_sessions: StickySessions = "stickySessions",
        external_traffic_policy: TrafficPolicy = "externalTrafficPolicy",
        /// Target DNS name for ExternalName services.
        external_name: String = "externalName",
        /// "Add Endpoint" in the UI: not supported.
        endpoints: Value = "endpoints",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Ingress

string_enum! {
    /// Ingress path type.
    pub enum PathType [EnumValue] {
        Exact = "Exact", Prefix = "Prefix", ImplementationSpecific = "ImplementationSpecific"
    }
}

json_object! {
    /// A path of an ingress rule.
    pub struct IngressPath {
        path: String = "path",
        path_type: PathType = "pathType",
        /// Backend Service name.
        service: String = "service",
        /// Backend Service port (number or name).
        port: IntOrString = "port",
    }
}

json_object! {
    /// An ingress rule.
    pub struct IngressRule {
        host: String = "host",
        paths: Vec<IngressPath> = "paths",
    }
}

json_object! {
    /// A TLS entry.
    pub struct IngressTls {
        secret_name: String = "secretName",
        hosts: Vec<String> = "hosts",
    }
}

json_object! {
    /// Rate limiting (nginx annotations).
    pub struct RateLimiting {
        requests_per_minute: i64 = "requestsPerMinute",
        burst: i64 = "burst",
    }
}

json_object! {
    /// Properties of `celestra-ingress` (§2.7).
    pub struct IngressProps {
        host: String = "host",
        path: String = "path",
        path_type: PathType = "pathType",
        ingress_class_name: String = "ingressClassName",
        rules: Vec<IngressRule> = "rules",
        tls: Vec<IngressTls> = "tls",
        default_certificate: bool = "defaultCertificate",
        rewrite_rules: Vec<Object> = "rewriteRules",
        redirect_rules: Vec<Object> = "redirectRules",
        custom_headers: StrMap = "customHeaders",
        rate_limiting: RateLimiting = "rateLimiting",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ NetworkPolicy

string_enum! {
    /// NetworkPolicy policy type.
    pub enum PolicyType [EnumValue] { Ingress = "Ingress", Egress = "Egress" }
}

json_object! {
    /// A NetworkPolicy peer. Fields set together are ANDed.
    pub struct NpPeer {
        pod_labels: StrMap = "podLabels",
        namespace_labels: StrMap = "namespaceLabels",
        cidr: String = "cidr",
        except: Vec<String> = "except",
    }
}

json_object! {
    /// A NetworkPolicy port.
    pub struct NpPort {
        port: IntOrString = "port",
        protocol: Protocol = "protocol",
        end_port: i64 = "endPort",
    }
}

json_object! {
    /// A NetworkPolicy rule; an empty rule allows everything.
    pub struct NpRule {
        peers: Vec<NpPeer> = "peers",
        ports: Vec<NpPort> = "ports",
    }
}

json_object! {
    /// Properties of `celestra-networkpolicy` (§2.8).
    pub struct NetworkPolicyProps {
        pod_selector: StrMap = "podSelector",
        policy_types: Vec<PolicyType> = "policyTypes",
        ingress_rules: Vec<NpRule> = "ingressRules",
        egress_rules: Vec<NpRule> = "egressRules",
        /// Allow DNS (UDP/TCP 53) egress.
        allow_dns: bool = "allowDns",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Secret

string_enum! {
    /// Secret type.
    pub enum SecretType [EnumValue] {
        Opaque = "Opaque",
        Tls = "kubernetes.io/tls",
        DockerConfigJson = "kubernetes.io/dockerconfigjson",
        BasicAuth = "kubernetes.io/basic-auth",
        SshAuth = "kubernetes.io/ssh-auth"
    }
}

string_enum! {
    /// External secret provider.
    pub enum SecretProvider [EnumValue] {
        Aws = "AWS Secrets Manager", Azure = "Azure Key Vault", Vault = "HashiCorp Vault", Gcp = "Google Secret Manager"
    }
}

json_object! {
    /// An external secret source.
    pub struct ExternalSource {
        provider: SecretProvider = "provider",
        path: String = "path",
        mapping: StrMap = "mapping",
    }
}

string_enum! {
    /// Kind of generated secret value.
    pub enum GeneratedKind [EnumValue] {
        RandomPassword = "Random Password" | "password",
        SshKeyPair = "SSH Key Pair" | "ssh",
        TlsCertificate = "TLS Certificate" | "tls",
        JwtToken = "JWT Token" | "jwt",
        Random = "Random" | "random"
    }
}

json_object! {
    /// A generated secret value (created at deploy, never in previews).
    pub struct GeneratedValue {
        key: String = "key",
        kind: GeneratedKind = "kind",
        length: i64 = "length",
    }
}

string_enum! {
    /// Declared encryption (annotation only).
    pub enum Encryption [EnumValue] {
        Aes256 = "AES-256", ChaCha20 = "ChaCha20", Rsa2048 = "RSA-2048", None = "None"
    }
}

string_enum! {
    /// Declared rotation policy (annotation only).
    pub enum RotationPolicy [EnumValue] {
        Days30 = "30 days", Days60 = "60 days", Days90 = "90 days", Days180 = "180 days", Never = "Never"
    }
}

/// `envVars`: a map, or `.env` text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum EnvVars {
    /// `{"KEY": "value"}`.
    Map(StrMap),
    /// `.env` text (`KEY=value` lines).
    Text(String),
}

impl FromJson for EnvVars {
    fn from_json(v: &Lite<'_>, cx: &mut super::load::Cx) -> Option<Self> {
        match v {
            Lite::Str(s) => Some(EnvVars::Text(s.to_string())),
            Lite::Object(_) => StrMap::from_json(v, cx).map(EnvVars::Map),
            _ => {
                cx.type_error("an object or `.env` text", v);
                None
            }
        }
    }
}

impl EnvVars {
    /// The key/value pairs (`.env` text parsed: `KEY=value`, `#` comments, optional quotes).
    pub fn pairs(&self) -> StrMap {
        match self {
            EnvVars::Map(m) => m.clone(),
            EnvVars::Text(t) => {
                let mut out = StrMap::new();
                for line in t.lines() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let line = line.strip_prefix("export ").unwrap_or(line);
                    if let Some((k, v)) = line.split_once('=') {
                        let v = v.trim();
                        let v = v
                            .strip_prefix('"')
                            .and_then(|x| x.strip_suffix('"'))
                            .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
                            .unwrap_or(v);
                        out.insert(k.trim().to_owned(), v.to_owned());
                    }
                }
                out
            }
        }
    }
}

json_object! {
    /// Properties of `celestra-secret` (§2.9).
    pub struct SecretProps {
        kind: SecretType = "type",
        data: StrMap = "data",
        files: BTreeMap<String, FileContent> = "files",
        env_vars: EnvVars = "envVars",
        external_source: ExternalSource = "externalSource",
        generated: Vec<GeneratedValue> = "generated",
        mount_path: String = "mountPath",
        /// Octal mode string, e.g. `"0400"`.
        file_permissions: String = "filePermissions",
        sub_path: String = "subPath",
        inject_as: InjectAs = "injectAs",
        env_prefix: String = "envPrefix",
        encryption: Encryption = "encryption",
        rotation_policy: RotationPolicy = "rotationPolicy",
        /// Not supported (ignored with a warning).
        access_control: Vec<Value> = "accessControl",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ ConfigMap

/// A ConfigMap value: text, or an object rendered as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ConfigValue {
    /// Text value.
    Text(String),
    /// Structured value, stored as JSON text.
    Json(Value),
}

impl FromJson for ConfigValue {
    fn from_json(v: &Lite<'_>, cx: &mut super::load::Cx) -> Option<Self> {
        match v {
            Lite::Str(s) => Some(ConfigValue::Text(s.to_string())),
            Lite::Number(n) => Some(ConfigValue::Text(n.to_string())),
            Lite::Bool(b) => Some(ConfigValue::Text(b.to_string())),
            Lite::Object(_) | Lite::Array(_) => Some(ConfigValue::Json(v.to_value())),
            Lite::Null => {
                cx.type_error("a string or an object", v);
                None
            }
        }
    }
}

map_of!(ConfigValue);

/// `hotReload`: a toggle, or `Enabled` / `Disabled` / `Conditional`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum HotReload {
    /// Toggle.
    Toggle(bool),
    /// Dropdown value.
    Mode(HotReloadMode),
}

string_enum! {
    /// Hot reload dropdown.
    pub enum HotReloadMode [EnumValue] { Enabled = "Enabled", Disabled = "Disabled", Conditional = "Conditional" }
}

impl FromJson for HotReload {
    fn from_json(v: &Lite<'_>, cx: &mut super::load::Cx) -> Option<Self> {
        match v {
            Lite::Bool(b) => Some(HotReload::Toggle(*b)),
            _ => HotReloadMode::from_json(v, cx).map(HotReload::Mode),
        }
    }
}

string_enum! {
    /// UI template prefill (ignored by the engine).
    pub enum ConfigTemplate [EnumValue] {
        Environment = "Environment Config", Database = "Database Config", Api = "API Config", Custom = "Custom Template"
    }
}

string_enum! {
    /// Engine-side parse check of ConfigMap values.
    pub enum ConfigValidation [EnumValue] {
        JsonSchema = "JSON Schema", YamlSchema = "YAML Schema", CustomValidator = "Custom Validator", None = "None"
    }
}

string_enum! {
    /// ConfigMap transformation.
    pub enum ConfigTransformation [EnumValue] {
        EnvironmentVariables = "Environment Variables", JsonPath = "JSON Path", TemplateEngine = "Template Engine", None = "None"
    }
}

json_object! {
    /// Properties of `celestra-configmap` (§2.10).
    pub struct ConfigMapProps {
        data: BTreeMap<String, ConfigValue> = "data",
        files: BTreeMap<String, FileContent> = "files",
        directories: BTreeMap<String, FileContent> = "directories",
        hot_reload: HotReload = "hotReload",
        template: ConfigTemplate = "template",
        mount_path: String = "mountPath",
        sub_path: String = "subPath",
        /// Octal mode string, e.g. `"0644"`.
        default_mode: String = "defaultMode",
        validation: ConfigValidation = "validation",
        transformation: ConfigTransformation = "transformation",
        inject_as: InjectAs = "injectAs",
        env_prefix: String = "envPrefix",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ ServiceAccount

json_object! {
    /// Properties of `celestra-serviceaccount` (§2.11).
    pub struct ServiceAccountProps {
        secrets: Vec<String> = "secrets",
        image_pull_secrets: Vec<String> = "imagePullSecrets",
        automount_token: bool = "automountToken",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Role

string_enum! {
    /// Role or ClusterRole.
    pub enum RoleKind [EnumValue] { Role = "Role", ClusterRole = "ClusterRole" }
}

json_object! {
    /// An RBAC policy rule.
    pub struct RbacRule {
        api_groups: Vec<String> = "apiGroups",
        resources: Vec<String> = "resources",
        verbs: Vec<String> = "verbs",
        resource_names: Vec<String> = "resourceNames",
        /// Non-resource URLs such as `/metrics` (ClusterRole only).
        non_resource_urls: Vec<String> = "nonResourceURLs",
    }
}

json_object! {
    /// Properties of `celestra-role` (§2.12).
    pub struct RoleProps {
        kind: RoleKind = "kind",
        rules: Vec<RbacRule> = "rules",
        /// ClusterRole: bind cluster-wide (ClusterRoleBinding) instead of per namespace.
        cluster_wide: bool = "clusterWide",
        aggregation_selector: StrMap = "aggregationSelector",
        finalizers: Vec<String> = "finalizers",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ DeploymentStrategy

string_enum! {
    /// Rollout strategy.
    pub enum StrategyType [EnumValue] {
        RollingUpdate = "RollingUpdate", Recreate = "Recreate", BlueGreen = "BlueGreen", Canary = "Canary"
    }
}

string_enum! {
    /// Fallback strategy when Argo Rollouts is absent.
    pub enum FallbackStrategy [EnumValue] { RollingUpdate = "RollingUpdate", Recreate = "Recreate" }
}

string_enum! {
    /// Promotion mode.
    pub enum Promotion [EnumValue] { Manual = "manual", Automatic = "automatic" }
}

string_enum! {
    /// Traffic routing provider.
    pub enum TrafficRouting [EnumValue] { Istio = "istio", Nginx = "nginx", Ambassador = "ambassador" }
}

json_object! {
    /// Canary analysis.
    pub struct Analysis {
        success_rate: f64 = "successRate",
        error_rate: f64 = "errorRate",
        duration: String = "duration",
        failure_limit: i64 = "failureLimit",
    }
}

json_object! {
    /// Promotion gate (no generated output).
    pub struct PromotionGate {
        approval_required: bool = "approvalRequired",
        timeout: String = "timeout",
    }
}

json_object! {
    /// Properties of `celestra-deployment-strategy` (§2.13).
    pub struct DeploymentStrategyProps {
        kind: StrategyType = "type",
        strategy: FallbackStrategy = "strategy",
        /// Duration → `progressDeadlineSeconds` (default 10m).
        timeout: String = "timeout",
        max_surge: IntOrString = "maxSurge",
        max_unavailable: IntOrString = "maxUnavailable",
        revision_history_limit: i64 = "revisionHistoryLimit",
        canary_steps: Vec<i64> = "canarySteps",
        promotion: Promotion = "promotion",
        auto_promotion: bool = "autoPromotion",
        scale_down_delay: String = "scaleDownDelay",
        preview_replicas: i64 = "previewReplicas",
        analysis: Analysis = "analysis",
        traffic_routing: TrafficRouting = "trafficRouting",
        rollback_conditions: Object = "rollbackConditions",
        promotion_gate: PromotionGate = "promotionGate",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ Observability

string_enum! {
    /// Metrics backend.
    pub enum MetricsBackend [EnumValue] { Prometheus = "Prometheus", Custom = "Custom Metrics", None = "None" }
}

string_enum! {
    /// Logging backend.
    pub enum LoggingBackend [EnumValue] {
        Fluentd = "Fluentd", Elk = "ELK Stack", Custom = "Custom Logger", None = "None"
    }
}

string_enum! {
    /// Tracing backend.
    pub enum TracingBackend [EnumValue] {
        Jaeger = "Jaeger", Zipkin = "Zipkin", OpenTelemetry = "OpenTelemetry", None = "None"
    }
}

string_enum! {
    /// Alerting backend.
    pub enum AlertsBackend [EnumValue] {
        AlertManager = "Prometheus AlertManager", Custom = "Custom Alerts", None = "None"
    }
}

string_enum! {
    /// Log level.
    pub enum LogLevel [EnumValue] { Debug = "debug", Info = "info", Warn = "warn", Error = "error" }
}

string_enum! {
    /// Log format.
    pub enum LogFormat [EnumValue] { Json = "json", Text = "text" }
}

json_object! {
    /// A Prometheus alert rule.
    pub struct AlertRule {
        name: String = "name",
        expr: String = "expr",
        severity: String = "severity",
        /// Duration the condition must hold (`for`).
        for_duration: String = "for",
        description: String = "description",
    }
}

json_object! {
    /// A dashboard (no generated output).
    pub struct Dashboard {
        name: String = "name",
        config: Value = "config",
    }
}

json_object! {
    /// Properties of `celestra-observability` (§2.14).
    pub struct ObservabilityProps {
        metrics: MetricsBackend = "metrics",
        logging: LoggingBackend = "logging",
        tracing: TracingBackend = "tracing",
        alerts: AlertsBackend = "alerts",
        metrics_port: i64 = "metricsPort",
        metrics_path: String = "metricsPath",
        scrape_interval: String = "scrapeInterval",
        log_level: LogLevel = "logLevel",
        log_format: LogFormat = "logFormat",
        log_endpoint: String = "logEndpoint",
        tracing_endpoint: String = "tracingEndpoint",
        sampling_rate: f64 = "samplingRate",
        alert_rules: Vec<AlertRule> = "alertRules",
        dashboards: Vec<Dashboard> = "dashboards",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ AppGroup

string_enum! {
    /// Resource quota preset.
    pub enum QuotaPreset [EnumValue] {
        Small = "Small", Medium = "Medium", Large = "Large", Enterprise = "Enterprise", Custom = "Custom"
    }
}

json_object! {
    /// A custom resource quota.
    pub struct CustomQuota {
        cpu: Quantity = "cpu",
        memory: Quantity = "memory",
        storage: Quantity = "storage",
        pods: i64 = "pods",
    }
}

json_object! {
    /// Properties of `celestra-appgroup` (§2.15).
    pub struct AppGroupProps {
        environment: Environment = "environment",
        /// Default replicas of member Apps and StatefulApps.
        replicas: i64 = "replicas",
        /// Namespace of the members (default: the group name).
        namespace: String = "namespace",
        create_namespace: bool = "createNamespace",
        resource_quota: QuotaPreset = "resourceQuota",
        resource_quota_custom: CustomQuota = "resourceQuotaCustom",
        allow_internal_communication: bool = "allowInternalCommunication",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}

// ------------------------------------------------------------------ CustomResource

string_enum! {
    /// CRD scope.
    pub enum CrdScope [EnumValue] { Namespaced = "Namespaced", Cluster = "Cluster" }
}

string_enum! {
    /// OpenAPI field type.
    pub enum FieldType [EnumValue] {
        String = "string", Integer = "integer", Number = "number", Boolean = "boolean", Object = "object", Array = "array"
    }
}

json_object! {
    /// A field of the CRD schema.
    pub struct CrdField {
        name: String = "name",
        kind: FieldType = "type",
        description: String = "description",
        required: bool = "required",
        default: Value = "default",
        enum_values: Vec<Value> = "enum",
        pattern: String = "pattern",
        minimum: f64 = "minimum",
        maximum: f64 = "maximum",
        /// Item schema of arrays.
        items: Object = "items",
        /// Properties of objects.
        properties: Value = "properties",
    }
}

json_object! {
    /// An additional printer column.
    pub struct PrinterColumn {
        name: String = "name",
        json_path: String = "jsonPath",
        kind: String = "type",
        description: String = "description",
        priority: i64 = "priority",
    }
}

json_object! {
    /// CRD subresources.
    pub struct Subresources {
        status: bool = "status",
        scale: bool = "scale",
    }
}

json_object! {
    /// An instance of the custom resource.
    pub struct CrInstance {
        name: String = "name",
        spec: Value = "spec",
    }
}

json_object! {
    /// A controller Deployment for the custom resource.
    pub struct CrController {
        image: String = "image",
        replicas: i64 = "replicas",
        service_account: String = "serviceAccount",
    }
}

json_object! {
    /// Properties of `celestra-customresource` (§2.16).
    pub struct CustomResourceProps {
        /// API group, a DNS subdomain with a dot (required).
        group: String = "group",
        version: String = "version",
        kind: String = "kind",
        plural: String = "plural",
        short_names: Vec<String> = "shortNames",
        categories: Vec<String> = "categories",
        scope: CrdScope = "scope",
        schema: Vec<CrdField> = "schema",
        /// "Add Validation": generate the OpenAPI schema (default true).
        validation: bool = "validation",
        printer_columns: Vec<PrinterColumn> = "printerColumns",
        subresources: Subresources = "subresources",
        instances: Vec<CrInstance> = "instances",
        controller: CrController = "controller",
        labels: StrMap = "labels",
        annotations: StrMap = "annotations",
    }
}
