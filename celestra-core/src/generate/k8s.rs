//! The Kubernetes objects the Kubernetes target builds: only the fields the generator sets.
//!
//! These replace the `k8s-openapi` types in the generator. A `k8s-openapi` type serializes
//! (and, once deserialized anywhere, parses) every field the API has, and the Pod tree alone
//! reaches hundreds of types: that code was 40% of the browser engine. Here each type has the
//! fields the generator writes, so the code is as large as what it does. Free-form values the
//! user writes for Kubernetes (affinity, securityContext, volume sources, Job overrides, CRD
//! schemas) stay JSON and pass through as written.
//!
//! Field names are Kubernetes' JSON names (`rename_all = "camelCase"`, the odd ones renamed).
//! Output key order does not depend on declaration order: objects become JSON values (sorted
//! keys) and the YAML writer puts `apiVersion` and `kind` first. The suite checks every object
//! of every fixture against `k8s-openapi` (a test dependency) and, strictly, against the
//! Kubernetes schemas (the judge).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Whether a field is left out of the object: `None` is, everything else is written.
pub(crate) trait Omit {
    fn omit(&self) -> bool;
}

impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}

macro_rules! never_omitted {
    ($($t:ty),* $(,)?) => { $( impl Omit for $t { fn omit(&self) -> bool { false } } )* };
}
never_omitted!(String, bool, i32, Value, IntOrString);

impl<T> Omit for Vec<T> {
    fn omit(&self) -> bool {
        false
    }
}

/// A top-level object: its `apiVersion` and `kind`.
pub(crate) trait Resource {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

macro_rules! objects {
    ($( $(#[$m:meta])* struct $name:ident { $( $(#[$fm:meta])* $f:ident : $t:ty ),* $(,)? } )*) => { $(
        $(#[$m])*
        #[derive(Clone, Default, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub(crate) struct $name {
            $( $(#[$fm])* #[serde(skip_serializing_if = "Omit::omit")] pub(crate) $f: $t, )*
        }
        impl Omit for $name {
            fn omit(&self) -> bool {
                false
            }
        }
    )* };
}

macro_rules! resources {
    ($($t:ident = $api:literal),* $(,)?) => { $(
        impl Resource for $t {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = stringify!($t);
        }
    )* };
}

/// A resource quantity (`500m`, `1Gi`), written as the string it is.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub(crate) struct Quantity(pub(crate) String);

/// A port number or a port name.
#[derive(Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum IntOrString {
    Int(i32),
    String(String),
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

/// Binary data, written as standard base64.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct ByteString(pub(crate) Vec<u8>);

impl Serialize for ByteString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::kubernetes::base64_encode(&self.0))
    }
}

/// A free-form JSON value inside a CRD schema (`default`, `enum`).
#[derive(Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub(crate) struct Json(pub(crate) Value);

/// A free-form object passed through as the user wrote it (securityContext...).
pub(crate) type Object = Map<String, Value>;

type Labels = BTreeMap<String, String>;
type Quantities = BTreeMap<String, Quantity>;

objects! {
    struct ObjectMeta {
        annotations: Option<Labels>,
        labels: Option<Labels>,
        name: Option<String>,
        namespace: Option<String>,
    }
    struct LabelSelector {
        match_expressions: Option<Vec<LabelSelectorRequirement>>,
        match_labels: Option<Labels>,
    }
    struct LabelSelectorRequirement {
        key: String,
        operator: String,
        values: Option<Vec<String>>,
    }

    // ---- core/v1
    struct Namespace {
        metadata: ObjectMeta,
    }
    struct ResourceQuota {
        metadata: ObjectMeta,
        spec: Option<ResourceQuotaSpec>,
    }
    struct ResourceQuotaSpec {
        hard: Option<Quantities>,
    }
    struct ServiceAccount {
        automount_service_account_token: Option<bool>,
        image_pull_secrets: Option<Vec<LocalObjectReference>>,
        metadata: ObjectMeta,
        secrets: Option<Vec<ObjectReference>>,
    }
    struct LocalObjectReference {
        name: String,
    }
    struct ObjectReference {
        api_version: Option<String>,
        kind: Option<String>,
        name: Option<String>,
        namespace: Option<String>,
    }
    struct ConfigMap {
        binary_data: Option<BTreeMap<String, ByteString>>,
        data: Option<Labels>,
        immutable: Option<bool>,
        metadata: ObjectMeta,
    }
    struct Secret {
        data: Option<BTreeMap<String, ByteString>>,
        immutable: Option<bool>,
        metadata: ObjectMeta,
        string_data: Option<Labels>,
        #[serde(rename = "type")]
        type_: Option<String>,
    }
    struct Service {
        metadata: ObjectMeta,
        spec: Option<ServiceSpec>,
    }
    struct ServiceSpec {
        #[serde(rename = "clusterIP")]
        cluster_ip: Option<String>,
        #[serde(rename = "externalIPs")]
        external_ips: Option<Vec<String>>,
        external_name: Option<String>,
        external_traffic_policy: Option<String>,
        #[serde(rename = "loadBalancerIP")]
        load_balancer_ip: Option<String>,
        load_balancer_source_ranges: Option<Vec<String>>,
        ports: Option<Vec<ServicePort>>,
        publish_not_ready_addresses: Option<bool>,
        selector: Option<Labels>,
        session_affinity: Option<String>,
        session_affinity_config: Option<SessionAffinityConfig>,
        #[serde(rename = "type")]
        type_: Option<String>,
    }
    struct ServicePort {
        app_protocol: Option<String>,
        name: Option<String>,
        node_port: Option<i32>,
        port: i32,
        protocol: Option<String>,
        target_port: Option<IntOrString>,
    }
    struct SessionAffinityConfig {
        #[serde(rename = "clientIP")]
        client_ip: Option<ClientIPConfig>,
    }
    struct ClientIPConfig {
        timeout_seconds: Option<i32>,
    }
    struct PersistentVolumeClaim {
        metadata: ObjectMeta,
        spec: Option<PersistentVolumeClaimSpec>,
    }
    struct PersistentVolumeClaimSpec {
        access_modes: Option<Vec<String>>,
        resources: Option<VolumeResourceRequirements>,
        storage_class_name: Option<String>,
    }
    struct VolumeResourceRequirements {
        limits: Option<Quantities>,
        requests: Option<Quantities>,
    }
    struct PodTemplateSpec {
        metadata: Option<ObjectMeta>,
        spec: Option<PodSpec>,
    }
    struct PodSpec {
        affinity: Option<Value>,
        containers: Vec<Container>,
        dns_policy: Option<String>,
        host_network: Option<bool>,
        image_pull_secrets: Option<Vec<LocalObjectReference>>,
        node_selector: Option<Labels>,
        restart_policy: Option<String>,
        service_account_name: Option<String>,
        termination_grace_period_seconds: Option<i64>,
        tolerations: Option<Value>,
        topology_spread_constraints: Option<Value>,
        volumes: Option<Vec<Volume>>,
    }
    struct Container {
        args: Option<Vec<String>>,
        command: Option<Vec<String>>,
        env: Option<Vec<EnvVar>>,
        env_from: Option<Vec<EnvFromSource>>,
        image: Option<String>,
        image_pull_policy: Option<String>,
        liveness_probe: Option<Probe>,
        name: String,
        ports: Option<Vec<ContainerPort>>,
        readiness_probe: Option<Probe>,
        resources: Option<ResourceRequirements>,
        security_context: Option<Object>,
        startup_probe: Option<Probe>,
        volume_mounts: Option<Vec<VolumeMount>>,
    }
    struct ContainerPort {
        container_port: i32,
        name: Option<String>,
        protocol: Option<String>,
    }
    struct EnvVar {
        name: String,
        value: Option<String>,
        value_from: Option<EnvVarSource>,
    }
    struct EnvVarSource {
        config_map_key_ref: Option<ConfigMapKeySelector>,
        secret_key_ref: Option<SecretKeySelector>,
    }
    struct ConfigMapKeySelector {
        key: String,
        name: String,
        optional: Option<bool>,
    }
    struct SecretKeySelector {
        key: String,
        name: String,
        optional: Option<bool>,
    }
    struct EnvFromSource {
        config_map_ref: Option<ConfigMapEnvSource>,
        prefix: Option<String>,
        secret_ref: Option<SecretEnvSource>,
    }
    struct ConfigMapEnvSource {
        name: String,
        optional: Option<bool>,
    }
    struct SecretEnvSource {
        name: String,
        optional: Option<bool>,
    }
    struct ConfigMapVolumeSource {
        default_mode: Option<i32>,
        items: Option<Vec<KeyToPath>>,
        name: String,
        optional: Option<bool>,
    }
    struct SecretVolumeSource {
        default_mode: Option<i32>,
        items: Option<Vec<KeyToPath>>,
        optional: Option<bool>,
        secret_name: Option<String>,
    }
    struct KeyToPath {
        key: String,
        mode: Option<i32>,
        path: String,
    }
    struct EmptyDirVolumeSource {
        medium: Option<String>,
        size_limit: Option<Quantity>,
    }
    struct PersistentVolumeClaimVolumeSource {
        claim_name: String,
        read_only: Option<bool>,
    }
    struct VolumeMount {
        mount_path: String,
        name: String,
        read_only: Option<bool>,
        sub_path: Option<String>,
    }
    struct Probe {
        exec: Option<ExecAction>,
        failure_threshold: Option<i32>,
        grpc: Option<GRPCAction>,
        http_get: Option<HTTPGetAction>,
        initial_delay_seconds: Option<i32>,
        period_seconds: Option<i32>,
        success_threshold: Option<i32>,
        tcp_socket: Option<TCPSocketAction>,
        timeout_seconds: Option<i32>,
    }
    struct ExecAction {
        command: Option<Vec<String>>,
    }
    struct HTTPGetAction {
        path: Option<String>,
        port: IntOrString,
        scheme: Option<String>,
    }
    struct TCPSocketAction {
        port: IntOrString,
    }
    struct GRPCAction {
        port: i32,
        service: Option<String>,
    }
    struct ResourceRequirements {
        limits: Option<Quantities>,
        requests: Option<Quantities>,
    }

    // ---- apps/v1
    struct Deployment {
        metadata: ObjectMeta,
        spec: Option<DeploymentSpec>,
    }
    struct DeploymentSpec {
        min_ready_seconds: Option<i32>,
        progress_deadline_seconds: Option<i32>,
        replicas: Option<i32>,
        revision_history_limit: Option<i32>,
        selector: LabelSelector,
        strategy: Option<DeploymentStrategy>,
        template: PodTemplateSpec,
    }
    struct DeploymentStrategy {
        rolling_update: Option<RollingUpdateDeployment>,
        #[serde(rename = "type")]
        type_: Option<String>,
    }
    struct RollingUpdateDeployment {
        max_surge: Option<IntOrString>,
        max_unavailable: Option<IntOrString>,
    }
    struct StatefulSet {
        metadata: ObjectMeta,
        spec: Option<StatefulSetSpec>,
    }
    struct StatefulSetSpec {
        min_ready_seconds: Option<i32>,
        pod_management_policy: Option<String>,
        replicas: Option<i32>,
        revision_history_limit: Option<i32>,
        selector: LabelSelector,
        service_name: Option<String>,
        template: PodTemplateSpec,
        update_strategy: Option<StatefulSetUpdateStrategy>,
        /// PersistentVolumeClaims with their `apiVersion` and `kind`.
        volume_claim_templates: Option<Vec<Value>>,
    }
    struct StatefulSetUpdateStrategy {
        rolling_update: Option<RollingUpdateStatefulSetStrategy>,
        #[serde(rename = "type")]
        type_: Option<String>,
    }
    struct RollingUpdateStatefulSetStrategy {
        max_unavailable: Option<IntOrString>,
        partition: Option<i32>,
    }

    // ---- batch/v1
    struct Job {
        metadata: ObjectMeta,
        spec: Option<JobSpec>,
    }
    struct JobSpec {
        active_deadline_seconds: Option<i64>,
        backoff_limit: Option<i32>,
        completions: Option<i32>,
        parallelism: Option<i32>,
        template: PodTemplateSpec,
        ttl_seconds_after_finished: Option<i32>,
    }
    struct CronJob {
        metadata: ObjectMeta,
        spec: Option<CronJobSpec>,
    }
    struct CronJobSpec {
        concurrency_policy: Option<String>,
        failed_jobs_history_limit: Option<i32>,
        job_template: JobTemplateSpec,
        schedule: String,
        starting_deadline_seconds: Option<i64>,
        successful_jobs_history_limit: Option<i32>,
        suspend: Option<bool>,
        time_zone: Option<String>,
    }
    /// The Job spec as JSON: the user's `jobSpec`/`podTemplate` overrides are merged into it.
    struct JobTemplateSpec {
        metadata: Option<ObjectMeta>,
        spec: Option<Value>,
    }

    // ---- networking.k8s.io/v1
    struct Ingress {
        metadata: ObjectMeta,
        spec: Option<IngressSpec>,
    }
    struct IngressSpec {
        default_backend: Option<IngressBackend>,
        ingress_class_name: Option<String>,
        rules: Option<Vec<IngressRule>>,
        tls: Option<Vec<IngressTLS>>,
    }
    struct IngressRule {
        host: Option<String>,
        http: Option<HTTPIngressRuleValue>,
    }
    struct HTTPIngressRuleValue {
        paths: Vec<HTTPIngressPath>,
    }
    struct HTTPIngressPath {
        backend: IngressBackend,
        path: Option<String>,
        path_type: String,
    }
    struct IngressBackend {
        resource: Option<Value>,
        service: Option<IngressServiceBackend>,
    }
    struct IngressServiceBackend {
        name: String,
        port: Option<ServiceBackendPort>,
    }
    struct ServiceBackendPort {
        name: Option<String>,
        number: Option<i32>,
    }
    struct IngressTLS {
        hosts: Option<Vec<String>>,
        secret_name: Option<String>,
    }
    struct NetworkPolicy {
        metadata: ObjectMeta,
        spec: Option<NetworkPolicySpec>,
    }
    struct NetworkPolicySpec {
        egress: Option<Vec<NetworkPolicyEgressRule>>,
        ingress: Option<Vec<NetworkPolicyIngressRule>>,
        pod_selector: Option<LabelSelector>,
        policy_types: Option<Vec<String>>,
    }
    struct NetworkPolicyIngressRule {
        from: Option<Vec<NetworkPolicyPeer>>,
        ports: Option<Vec<NetworkPolicyPort>>,
    }
    struct NetworkPolicyEgressRule {
        ports: Option<Vec<NetworkPolicyPort>>,
        to: Option<Vec<NetworkPolicyPeer>>,
    }
    struct NetworkPolicyPeer {
        ip_block: Option<IPBlock>,
        namespace_selector: Option<LabelSelector>,
        pod_selector: Option<LabelSelector>,
    }
    struct IPBlock {
        cidr: String,
        except: Option<Vec<String>>,
    }
    struct NetworkPolicyPort {
        end_port: Option<i32>,
        port: Option<IntOrString>,
        protocol: Option<String>,
    }

    // ---- rbac.authorization.k8s.io/v1
    struct Role {
        metadata: ObjectMeta,
        rules: Option<Vec<PolicyRule>>,
    }
    struct ClusterRole {
        aggregation_rule: Option<AggregationRule>,
        metadata: ObjectMeta,
        rules: Option<Vec<PolicyRule>>,
    }
    struct AggregationRule {
        cluster_role_selectors: Option<Vec<LabelSelector>>,
    }
    struct RoleBinding {
        metadata: ObjectMeta,
        role_ref: RoleRef,
        subjects: Option<Vec<Subject>>,
    }
    struct ClusterRoleBinding {
        metadata: ObjectMeta,
        role_ref: RoleRef,
        subjects: Option<Vec<Subject>>,
    }
    struct RoleRef {
        api_group: String,
        kind: String,
        name: String,
    }
    struct Subject {
        api_group: Option<String>,
        kind: String,
        name: String,
        namespace: Option<String>,
    }
    struct PolicyRule {
        api_groups: Option<Vec<String>>,
        #[serde(rename = "nonResourceURLs")]
        non_resource_urls: Option<Vec<String>>,
        resource_names: Option<Vec<String>>,
        resources: Option<Vec<String>>,
        verbs: Vec<String>,
    }

    // ---- apiextensions.k8s.io/v1
    struct CustomResourceDefinition {
        metadata: ObjectMeta,
        spec: CustomResourceDefinitionSpec,
    }
    struct CustomResourceDefinitionSpec {
        group: String,
        names: CustomResourceDefinitionNames,
        scope: String,
        versions: Vec<CustomResourceDefinitionVersion>,
    }
    struct CustomResourceDefinitionNames {
        categories: Option<Vec<String>>,
        kind: String,
        list_kind: Option<String>,
        plural: String,
        short_names: Option<Vec<String>>,
        singular: Option<String>,
    }
    struct CustomResourceDefinitionVersion {
        additional_printer_columns: Option<Vec<CustomResourceColumnDefinition>>,
        name: String,
        schema: Option<CustomResourceValidation>,
        served: bool,
        storage: bool,
        subresources: Option<CustomResourceSubresources>,
    }
    struct CustomResourceValidation {
        #[serde(rename = "openAPIV3Schema")]
        open_api_v3_schema: Option<JSONSchemaProps>,
    }
    struct CustomResourceColumnDefinition {
        description: Option<String>,
        format: Option<String>,
        json_path: String,
        name: String,
        priority: Option<i32>,
        #[serde(rename = "type")]
        type_: String,
    }
    struct CustomResourceSubresources {
        scale: Option<CustomResourceSubresourceScale>,
        status: Option<Object>,
    }
    struct CustomResourceSubresourceScale {
        label_selector_path: Option<String>,
        spec_replicas_path: String,
        status_replicas_path: String,
    }
    /// A schema node; `items` and `properties` may be the user's own JSON schema.
    struct JSONSchemaProps {
        default: Option<Json>,
        description: Option<String>,
        #[serde(rename = "enum")]
        enum_: Option<Vec<Json>>,
        items: Option<Value>,
        maximum: Option<f64>,
        minimum: Option<f64>,
        pattern: Option<String>,
        properties: Option<BTreeMap<String, Value>>,
        required: Option<Vec<String>>,
        #[serde(rename = "type")]
        type_: Option<String>,
        #[serde(rename = "x-kubernetes-preserve-unknown-fields")]
        x_kubernetes_preserve_unknown_fields: Option<bool>,
    }
}

resources! {
    Namespace = "v1",
    ResourceQuota = "v1",
    ServiceAccount = "v1",
    ConfigMap = "v1",
    Secret = "v1",
    Service = "v1",
    PersistentVolumeClaim = "v1",
    Deployment = "apps/v1",
    StatefulSet = "apps/v1",
    Job = "batch/v1",
    CronJob = "batch/v1",
    Ingress = "networking.k8s.io/v1",
    NetworkPolicy = "networking.k8s.io/v1",
    Role = "rbac.authorization.k8s.io/v1",
    ClusterRole = "rbac.authorization.k8s.io/v1",
    RoleBinding = "rbac.authorization.k8s.io/v1",
    ClusterRoleBinding = "rbac.authorization.k8s.io/v1",
    CustomResourceDefinition = "apiextensions.k8s.io/v1",
}

/// A pod volume: a name and one source. Sources the generator builds are typed; a source the
/// user wrote (a Job's `volumes`) passes through as written.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Volume {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) config_map: Option<ConfigMapVolumeSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) empty_dir: Option<EmptyDirVolumeSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) secret: Option<SecretVolumeSource>,
    /// The user's own source (`{"hostPath": {...}}`...).
    #[serde(flatten)]
    pub(crate) raw: Object,
}
