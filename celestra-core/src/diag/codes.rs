//! The registry of diagnostic codes. Every code is declared exactly once, here, with its
//! default severity, level and documentation. Codes are never renumbered, renamed or reused.

use super::{Level, Severity};
use serde::{Serialize, Serializer};

/// Documentation of one diagnostic code, as listed by [`crate::api::codes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfo {
    /// The stable code, e.g. `PORT_RANGE`.
    pub code: &'static str,
    /// Default severity (a few codes change severity with the situation; the message says why).
    pub severity: Severity,
    /// Where the rule looks: document, field, node or graph.
    pub level: Level,
    /// One-line summary.
    pub title: &'static str,
    /// Why the rule exists.
    pub why: &'static str,
    /// How to fix a finding.
    pub fix: &'static str,
    /// A minimal example that triggers it.
    pub example: &'static str,
    /// Where the rule comes from (`spec` = workflow-format.md, `engine` = added by the engine).
    pub origin: &'static str,
}

macro_rules! codes {
    ($(
        $variant:ident = $code:literal, $sev:ident, $level:ident, $origin:literal,
        $title:literal,
        why: $why:literal,
        fix: $fix:literal,
        example: $example:literal;
    )*) => {
        /// A stable diagnostic code. See `docs/diagnostics.md` for the full catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable string form, e.g. `"PORT_RANGE"`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The documentation of this code.
            pub fn info(self) -> &'static CodeInfo {
                &INFOS[self as usize]
            }

            /// Looks a code up by its string form.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)* _ => None }
            }
        }

        static INFOS: &[CodeInfo] = &[$(
            CodeInfo {
                code: $code,
                severity: Severity::$sev,
                level: Level::$level,
                title: $title,
                why: $why,
                fix: $fix,
                example: $example,
                origin: $origin,
            },
        )*];
    };
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

codes! {
    // ---------------------------------------------------------------- document
    SchemaVersion = "SCHEMA_VERSION", Error, Document, "spec §1.2",
        "schemaVersion is missing or has an unsupported major version",
        why: "The document format is versioned; a different major version may mean different semantics, so the engine refuses to guess.",
        fix: "Set `\"schemaVersion\": \"1.0\"`.",
        example: "{\"schemaVersion\": \"2.0\", ...}";
    FieldRequired = "FIELD_REQUIRED", Error, Document, "spec §1.2",
        "a required field of the document, a node or a connection is missing",
        why: "Nodes need an id, a type, a position and data; connections need an id, a source and a target. Without them the element cannot be placed in the graph; it is kept verbatim but left out of the analysis.",
        fix: "Add the field named in the finding.",
        example: "{\"id\": \"c1\", \"target\": \"n2\"}  (connection without source)";
    ValueType = "VALUE_TYPE", Error, Field, "engine",
        "a value has the wrong JSON type",
        why: "Every property has one type (number, string, boolean, list, map). A value of another type cannot be used; it is kept verbatim in the document but ignored.",
        fix: "Send the type the finding names, e.g. `\"replicas\": 3` instead of `\"replicas\": \"three\"`.",
        example: "\"replicas\": \"three\"";
    ValueRange = "VALUE_RANGE", Error, Field, "engine",
        "a number or setting is outside its allowed range",
        why: "Counts, percentages, modes and timeouts have limits (e.g. `parallelism` ≥ 1, `samplingRate` 0–1, canary steps 1–100, octal modes ≤ 0777); Kubernetes rejects values outside them.",
        fix: "Use a value inside the range the message names.",
        example: "celestra-job \"parallelism\": 0";
    IdDuplicate = "ID_DUPLICATE", Error, Document, "spec §1.2",
        "two nodes or two connections share an id",
        why: "Connections and findings address nodes by id; a shared id makes every reference ambiguous.",
        fix: "Give every node and every connection its own id.",
        example: "two nodes with \"id\": \"n1\"";
    NodeTypeUnknown = "NODE_TYPE_UNKNOWN", Error, Node, "spec §1.2",
        "the node type is not one of the 15 known types",
        why: "The engine only knows how to validate, plan and generate the node types of the catalogue.",
        fix: "Use one of the `celestra-*` type ids listed in the hint.",
        example: "\"type\": \"celestra-daemonset\"";
    TypeAlias = "TYPE_ALIAS", Warning, Node, "spec §1.2",
        "the node type is a legacy alias",
        why: "Older builders used other ids (`celestra-rbac`, `celestra-clusterrole`, `celestra-deploymentstrategy`); they are accepted and converted.",
        fix: "Use the canonical type id named in the finding.",
        example: "\"type\": \"celestra-rbac\"";
    ValueCoerced = "VALUE_COERCED", Info, Field, "spec §1.3",
        "a value was converted to its canonical type",
        why: "Dropdowns in the UI send strings; digit-only strings for numbers and \"true\"/\"false\" for booleans are converted.",
        fix: "Send the canonical type to silence this.",
        example: "\"replicas\": \"3\"";
    WorkflowEmpty = "WORKFLOW_EMPTY", Warning, Document, "spec §1.2",
        "the workflow has no nodes",
        why: "An empty workflow is valid but produces nothing.",
        fix: "Add nodes.",
        example: "\"nodes\": []";
    ValueSentinel = "VALUE_SENTINEL", Error, Field, "spec §1.3",
        "a dropdown sentinel (`Custom...`, `Create New...`) was sent as the value",
        why: "The sentinel only switches the UI to a free input; the custom value itself never arrived.",
        fix: "Send the typed custom value instead of the sentinel.",
        example: "\"port\": \"Custom...\"";
    ValueControlChar = "VALUE_CONTROL_CHAR", Error, Field, "engine",
        "a text value contains a control character",
        why: "Control characters (other than tab, newline and carriage return) are never meaningful in names, env values, config data or annotations; they hide text in terminals and logs (escape sequences), and Helm cannot carry DEL or C1 characters such as NEL through values.yaml.",
        fix: "Remove the character; put binary content in a Secret or ConfigMap file with `encoding: base64`.",
        example: "\"environment\": {\"BANNER\": \"\\u001b[31mred\"}";
    PropUnknown = "PROP_UNKNOWN", Warning, Field, "spec §1.3",
        "unknown property (kept, ignored)",
        why: "The property is not part of this node type; it is kept in the document but has no effect. Often a typo.",
        fix: "Remove it or correct its name (the hint suggests the closest known property).",
        example: "\"replica\": 3";
    PropUnsupported = "PROP_UNSUPPORTED", Warning, Field, "spec §2",
        "known property that has no effect or is only approximated",
        why: "Some UI fields have no Kubernetes meaning (CronJob `concurrency`) or no generator support yet.",
        fix: "Use the property named in the hint, or remove it.",
        example: "celestra-cronjob \"concurrency\": 2";
    PropDeprecated = "PROP_DEPRECATED", Warning, Field, "spec §2.6",
        "the property maps to a deprecated Kubernetes field",
        why: "Deprecated fields may be ignored or removed by newer clusters (e.g. Service `loadBalancerIP`).",
        fix: "Use the replacement named in the hint.",
        example: "\"loadBalancerIP\": \"203.0.113.10\"";
    PropConflict = "PROP_CONFLICT", Error, Field, "spec §4.1",
        "two aliases of one property have different values",
        why: "The engine cannot know which one is meant (e.g. Job `timeout` and `activeDeadline` are the same field).",
        fix: "Keep one of the two, or give both the same value.",
        example: "\"timeout\": \"10m\", \"activeDeadline\": \"5m\"";
    // ---------------------------------------------------------------- field / node (§4.1)
    NameRequired = "NAME_REQUIRED", Error, Node, "spec §4.1",
        "name is required",
        why: "The name becomes the Kubernetes object name.",
        fix: "Set `data.name` (or the workflow `name`).",
        example: "\"data\": {\"name\": \"\", ...}";
    NameFormat = "NAME_FORMAT", Error, Node, "spec §4.1",
        "invalid Kubernetes name",
        why: "Object names must be DNS-1123 labels (lowercase letters, digits, '-', at most 63 characters); Apps, StatefulApps and Services must start with a letter; CronJob names at most 52; Secrets, ConfigMaps, ServiceAccounts, Roles and NetworkPolicies may be DNS subdomains (253, dots allowed). Names the engine derives (`<name>-backup`, `<name>-data`) must fit too.",
        fix: "Use lowercase letters, digits and '-', starting and ending with a letter or digit.",
        example: "\"name\": \"Bad_Workflow\"";
    NameDuplicate = "NAME_DUPLICATE", Error, Graph, "spec §1.4",
        "two objects of the same kind share a name in one namespace",
        why: "(kind, namespace, name) identifies a Kubernetes object; the second one would overwrite the first. Implicit objects count (an App's Service, a StatefulApp's governing Service, `<name>-backup`).",
        fix: "Rename one of the nodes named in the finding.",
        example: "a Service node named like a StatefulApp (the governing Service collides)";
    ImageRequired = "IMAGE_REQUIRED", Error, Field, "spec §4.1",
        "workload has no image",
        why: "A container needs an image. While editing (live mode) this is a warning; for generate and deploy it is an error.",
        fix: "Set `image`, e.g. `\"image\": \"nginx:1.27\"`.",
        example: "celestra-app without \"image\"";
    ImageFormat = "IMAGE_FORMAT", Error, Field, "spec §4.1",
        "invalid image reference",
        why: "Image references are `[registry[:port]/]path[:tag][@sha256:<64 hex>]` with a lowercase path; anything else fails at pull time.",
        fix: "Correct the reference (lowercase repository, a single tag, a full digest).",
        example: "\"image\": \"Acme/Front:1.0\"";
    ImageLatest = "IMAGE_LATEST", Warning, Field, "spec §4.1",
        "image is untagged or uses `latest`",
        why: "Mutable tags make deployments unreproducible and rollbacks meaningless.",
        fix: "Pin a version tag or a digest.",
        example: "\"image\": \"acme/front\"";
    ReplicasRange = "REPLICAS_RANGE", Error, Field, "spec §4.1",
        "replicas must be between 1 and 1000",
        why: "Zero replicas deploys nothing; the builder caps replicas at 1000.",
        fix: "Use an integer from 1 to 1000.",
        example: "\"replicas\": 0";
    PortRange = "PORT_RANGE", Error, Field, "spec §4.1",
        "port out of range 1–65535",
        why: "TCP/UDP ports are 16-bit and 0 is reserved.",
        fix: "Use a port from 1 to 65535.",
        example: "\"port\": 99999";
    PortPrivileged = "PORT_PRIVILEGED", Info, Field, "spec §4.1",
        "privileged port (< 1024)",
        why: "Containers running as non-root cannot bind ports below 1024 without extra capabilities.",
        fix: "Nothing to do if the image binds it as intended; otherwise use a port ≥ 1024 and map it in the Service.",
        example: "\"port\": 80";
    PortName = "PORT_NAME", Error, Field, "spec §4.1",
        "invalid or duplicate port name",
        why: "Port names are IANA service names: at most 15 characters of `[a-z0-9-]` with at least one letter, unique in the object.",
        fix: "Rename the port, e.g. `http`, `metrics`, `grpc`.",
        example: "\"ports\": [{\"port\": 8080, \"name\": \"HTTP_Port\"}]";
    PortDuplicate = "PORT_DUPLICATE", Error, Field, "spec §4.1",
        "the same port and protocol are declared twice",
        why: "Kubernetes rejects duplicate (port, protocol) pairs in a container or Service.",
        fix: "Remove the duplicate entry.",
        example: "\"port\": 8080, \"ports\": [{\"port\": 8080}]";
    QuantityFormat = "QUANTITY_FORMAT", Error, Field, "spec §4.1",
        "invalid memory or storage quantity",
        why: "Kubernetes quantities use binary suffixes (Ki, Mi, Gi, Ti, Pi, Ei), decimal suffixes (k, M, G, T, P, E) or plain bytes; `GB` is not a Kubernetes unit.",
        fix: "Write e.g. `512Mi`, `2Gi`, `10Gi`.",
        example: "\"memoryLimit\": \"2GB\"";
    QuantityDecimalSi = "QUANTITY_DECIMAL_SI", Warning, Field, "spec §4.1",
        "decimal unit (M, G) used where a binary unit (Mi, Gi) is usual",
        why: "`1G` is 1,000,000,000 bytes, about 7% less than `1Gi`; usually `Gi` was meant.",
        fix: "Use `Mi` / `Gi` unless decimal units are intended.",
        example: "\"memoryLimit\": \"1G\"";
    CpuFormat = "CPU_FORMAT", Error, Field, "spec §4.1",
        "invalid CPU quantity",
        why: "CPU is given in millicores (`100m`) or cores (`1.5`).",
        fix: "Write e.g. `250m` or `0.5`.",
        example: "\"cpuLimit\": \"2 cores\"";
    RequestGtLimit = "REQUEST_GT_LIMIT", Error, Field, "spec §4.1",
        "resource request exceeds its limit",
        why: "Kubernetes rejects a pod whose request is larger than its limit.",
        fix: "Lower the request or raise the limit.",
        example: "\"cpuRequest\": \"2\", \"cpuLimit\": \"500m\"";
    ResourceLimitsMissing = "RESOURCE_LIMITS_MISSING", Warning, Node, "spec §4.1",
        "workload has no CPU and memory limits",
        why: "Without limits one workload can starve its neighbours; quotas may also reject it.",
        fix: "Set `cpuLimit` and `memoryLimit`.",
        example: "celestra-app without cpuLimit/memoryLimit";
    CronSchedule = "CRON_SCHEDULE", Error, Field, "spec §4.1",
        "invalid cron expression",
        why: "Kubernetes CronJobs take five fields (minute hour day-of-month month day-of-week) or a macro (@daily, ...); a time-zone prefix belongs in `timeZone`.",
        fix: "Correct the field named in the message, e.g. `*/15 * * * *`.",
        example: "\"schedule\": \"*/61 * * *\"";
    DurationFormat = "DURATION_FORMAT", Error, Field, "spec §4.1",
        "invalid duration",
        why: "Durations are an integer and a unit (`30s`, `10m`, `1h`, `1d`); timeouts must lie between 1s and 24h.",
        fix: "Write e.g. `30s`, `10m`, `2h`.",
        example: "\"timeout\": \"10 minutes\"";
    DatetimeFormat = "DATETIME_FORMAT", Error, Field, "spec §4.1",
        "invalid RFC 3339 date-time",
        why: "Time fields take RFC 3339 timestamps, e.g. `2025-01-01T00:00:00Z`.",
        fix: "Use the RFC 3339 form with a time zone offset.",
        example: "\"lastScheduleTime\": \"yesterday\"";
    Timezone = "TIMEZONE", Error, Field, "spec §4.1",
        "unknown IANA time zone",
        why: "CronJob `timeZone` must be a name of the IANA time zone database.",
        fix: "Use e.g. `UTC`, `Europe/London`, `America/New_York`.",
        example: "\"timeZone\": \"Mars/Olympus\"";
    EnumValue = "ENUM_VALUE", Error, Field, "spec §4.1",
        "value is not one of the allowed options",
        why: "The field only accepts a fixed list of values (the hint lists them).",
        fix: "Pick one of the listed values (case matters).",
        example: "celestra-service \"type\": \"cluster_ip\"";
    HostFormat = "HOST_FORMAT", Error, Field, "spec §4.1",
        "invalid host name",
        why: "Ingress hosts are DNS names (optionally starting with `*.`), without scheme, port, path or IP address.",
        fix: "Write just the host, e.g. `shop.example.com`.",
        example: "\"host\": \"https://shop.example.com\"";
    PathFormat = "PATH_FORMAT", Error, Field, "spec §4.1",
        "invalid ingress path",
        why: "Paths start with `/`; regular expressions are only allowed with pathType ImplementationSpecific.",
        fix: "Start the path with `/`, or switch pathType to ImplementationSpecific for a regex.",
        example: "\"path\": \"api\"";
    SecretEmpty = "SECRET_EMPTY", Error, Node, "spec §4.1",
        "secret has no data source",
        why: "A Secret needs data, files, envVars, generated keys or an external source.",
        fix: "Add at least one key.",
        example: "\"data\": {}";
    CmEmpty = "CM_EMPTY", Error, Node, "spec §4.1",
        "config map has no data source",
        why: "A ConfigMap needs data, files or directories.",
        fix: "Add at least one key.",
        example: "celestra-configmap with \"data\": {}";
    CmValueParse = "CM_VALUE_PARSE", Error, Field, "spec §2.10",
        "config map value does not parse as the declared format",
        why: "With `validation: JSON Schema` every value must be valid JSON; with `YAML Schema` valid YAML (a JSON-compatible subset is checked).",
        fix: "Correct the value, or set `validation` to `None`.",
        example: "\"validation\": \"JSON Schema\", \"data\": {\"app.json\": \"{oops\"}";
    TlsSecretKeys = "TLS_SECRET_KEYS", Error, Node, "spec §4.1",
        "TLS secret lacks `tls.crt` or `tls.key`",
        why: "Secrets of type kubernetes.io/tls must carry both keys; the API server rejects them otherwise.",
        fix: "Upload both the certificate (`tls.crt`) and the key (`tls.key`).",
        example: "\"type\": \"kubernetes.io/tls\", \"data\": {\"tls.crt\": \"...\"}";
    DataKeyFormat = "DATA_KEY_FORMAT", Error, Field, "spec §4.1",
        "invalid data key, or data larger than 1 MiB",
        why: "Secret and ConfigMap keys may only use `[-._a-zA-Z0-9]`; the whole object must stay under 1 MiB (etcd limit).",
        fix: "Rename the key (e.g. `app.conf`), or move large content elsewhere.",
        example: "\"data\": {\"my key\": \"x\"}";
    EnvName = "ENV_NAME", Warning, Field, "spec §4.1",
        "environment variable name will be sanitized",
        why: "Portable environment variable names match `[A-Za-z_][A-Za-z0-9_]*`; other names are rewritten (uppercase, `_` for other characters).",
        fix: "Use the sanitized name shown in the message as the key, or set an `envPrefix`.",
        example: "\"environment\": {\"log-level\": \"info\"}";
    LabelFormat = "LABEL_FORMAT", Error, Field, "spec §4.1",
        "invalid label or annotation key, or label value",
        why: "Keys are `[prefix/]name` with a DNS subdomain prefix (≤253) and a name of ≤63 characters `[A-Za-z0-9._-]` starting and ending alphanumeric; label values follow the name rule (empty allowed).",
        fix: "Shorten or correct the key or value.",
        example: "\"labels\": {\"team\": \"platform engineering\"}";
    RestartPolicy = "RESTART_POLICY", Error, Field, "spec §4.1",
        "invalid restart policy for a job",
        why: "Jobs and CronJobs only allow `Never` or `OnFailure`.",
        fix: "Use `Never` or `OnFailure`.",
        example: "\"restartPolicy\": \"Always\"";
    ConcurrencyPolicy = "CONCURRENCY_POLICY", Error, Field, "spec §4.1",
        "invalid CronJob concurrency policy",
        why: "CronJob `concurrencyPolicy` is `Allow`, `Forbid` or `Replace`.",
        fix: "Use one of the three values.",
        example: "\"concurrencyPolicy\": \"Skip\"";
    SvcTypeFields = "SVC_TYPE_FIELDS", Error, Field, "spec §4.1",
        "field not valid for this Service type",
        why: "`externalTrafficPolicy` and `loadBalancerIP` need NodePort/LoadBalancer; ExternalName needs `externalName` and takes no selector; `nodePort` needs NodePort/LoadBalancer.",
        fix: "Change the Service type or remove the field.",
        example: "\"type\": \"ClusterIP\", \"externalTrafficPolicy\": \"Local\"";
    SvcNoSelector = "SVC_NO_SELECTOR", Warning, Node, "spec §4.1",
        "Service selects nothing",
        why: "A Service without selector and without a workload connection has no endpoints.",
        fix: "Connect an App or StatefulApp to the Service, or set `selector`.",
        example: "celestra-service with no incoming workload edge";
    StorageRwoScale = "STORAGE_RWO_SCALE", Warning, Node, "spec §4.1",
        "one ReadWriteOnce volume shared by several replicas",
        why: "An App's `storage` becomes one ReadWriteOnce PVC; replicas on other nodes cannot attach it.",
        fix: "Use a StatefulApp (one volume per replica) or a single replica.",
        example: "celestra-app \"storage\": \"5Gi\", \"replicas\": 3";
    StatefulNoStorage = "STATEFUL_NO_STORAGE", Warning, Node, "spec §4.1",
        "StatefulApp without storage",
        why: "A StatefulApp without storage loses its data on every restart; an App is usually what is meant.",
        fix: "Set `storage`, or use an App.",
        example: "celestra-statefulapp without \"storage\"";
    AppNoHealthCheck = "APP_NO_HEALTH_CHECK", Warning, Node, "spec §4.1",
        "App has no health checks",
        why: "Without probes Kubernetes routes traffic to pods that are not ready and never restarts hung ones; deploy readiness gates are weaker.",
        fix: "Add a `readinessProbe` (and usually a `livenessProbe`).",
        example: "celestra-app without probes";
    SecurityRoot = "SECURITY_ROOT", Warning, Field, "spec §4.1",
        "container runs as root",
        why: "`runAsUser: 0` or `runAsNonRoot: false` gives the container root inside its namespace; an escape is then far more dangerous.",
        fix: "Run as a non-root user (`runAsNonRoot: true`).",
        example: "\"securityContext\": {\"runAsUser\": 0}";
    Privileged = "PRIVILEGED", Error, Field, "spec §4.1",
        "privileged container",
        why: "`privileged: true` gives the container full access to the host.",
        fix: "Remove `privileged`, add only the capabilities you need.",
        example: "\"securityContext\": {\"privileged\": true}";
    ClusterAdmin = "CLUSTER_ADMIN", Warning, Node, "spec §4.1",
        "binding grants cluster-admin-like permissions",
        why: "A role named `cluster-admin` or a rule of `*` verbs on `*` resources in `*` groups gives full control.",
        fix: "List only the resources and verbs the workload needs.",
        example: "\"rules\": [{\"apiGroups\": [\"*\"], \"resources\": [\"*\"], \"verbs\": [\"*\"]}]";
    RbacGroupResource = "RBAC_GROUP_RESOURCE", Warning, Field, "spec §4.1",
        "RBAC rule names a resource in the wrong API group",
        why: "e.g. `deployments` live in `apps`, not in the core group `\"\"`; such a rule grants nothing.",
        fix: "Add the API group named in the hint to `apiGroups`.",
        example: "{\"apiGroups\": [\"\"], \"resources\": [\"deployments\"], \"verbs\": [\"get\"]}";
    CrdFields = "CRD_FIELDS", Error, Field, "spec §4.1",
        "invalid CustomResourceDefinition names",
        why: "`group` must be a DNS subdomain with a dot, `version` like v1/v1alpha1/v2beta3, `kind` CamelCase, `plural` lowercase.",
        fix: "Correct the field named in the finding.",
        example: "\"group\": \"payments\"";
    NpCidr = "NP_CIDR", Error, Field, "spec §4.1",
        "invalid CIDR in a NetworkPolicy",
        why: "ipBlock `cidr` must be an IPv4/IPv6 CIDR and every `except` must lie inside it.",
        fix: "Write e.g. `10.0.0.0/8` with `except: [\"10.1.0.0/16\"]`.",
        example: "\"cidr\": \"10.0.0.0/33\"";
    QuotaFormat = "QUOTA_FORMAT", Error, Field, "spec §4.1",
        "invalid custom resource quota",
        why: "Custom quota values are Kubernetes quantities and `pods` an integer.",
        fix: "Write e.g. `{\"cpu\": \"4\", \"memory\": \"8Gi\", \"storage\": \"100Gi\", \"pods\": 20}`.",
        example: "\"resourceQuotaCustom\": {\"memory\": \"8GB\"}";
    NamespaceSystem = "NAMESPACE_SYSTEM", Warning, Field, "spec §4.1",
        "deploying into a system namespace",
        why: "`kube-system` holds the cluster's own components; mixing applications in is risky.",
        fix: "Use a namespace of your own.",
        example: "\"namespace\": \"kube-system\"";
    ExternalSourceUnsupported = "EXTERNAL_SOURCE_UNSUPPORTED", Warning, Field, "spec §2.9",
        "external secret source produces no Kubernetes object",
        why: "Secrets from AWS/Azure/Vault/GCP need an operator (e.g. External Secrets); the engine generates nothing for them.",
        fix: "Install an external-secrets operator and create its resources, or put the data in the Secret.",
        example: "\"externalSource\": {\"provider\": \"HashiCorp Vault\", \"path\": \"secret/db\"}";
    BackupLocationUnsupported = "BACKUP_LOCATION_UNSUPPORTED", Warning, Field, "spec §2.3",
        "backup location is not generated",
        why: "Only `Local` backups (a PVC `<name>-backup`) are generated; object stores need credentials and tooling the engine does not create.",
        fix: "Use `Local`, or provide the upload in your own backup image.",
        example: "\"backupLocation\": \"S3\"";
    BackupRetentionApprox = "BACKUP_RETENTION_APPROX", Warning, Field, "spec §2.3",
        "backup retention is approximated",
        why: "Retention becomes the number of kept backup Jobs (`successfulJobsHistoryLimit`), not a data retention period; `Forever` falls back to 7.",
        fix: "Set a number of days, or manage retention in your backup storage.",
        example: "\"backupRetention\": \"Forever\"";
    NpDslWidened = "NP_DSL_WIDENED", Warning, Field, "spec §2.8",
        "NetworkPolicy peer cannot be expressed exactly in the Celestra DSL",
        why: "A peer that combines pod and namespace selectors (AND) becomes two separate rules (OR) in the DSL program; the native YAML stays exact.",
        fix: "Nothing, if you deploy the native output; otherwise split the peer.",
        example: "{\"peers\": [{\"podLabels\": {...}, \"namespaceLabels\": {...}}]}";
    // ---------------------------------------------------------------- graph (§4.2)
    ConnUnknownNode = "CONN_UNKNOWN_NODE", Error, Graph, "spec §4.2",
        "connection or parent references a missing node",
        why: "The referenced node id does not exist in the workflow.",
        fix: "Reconnect to an existing node or remove the connection.",
        example: "{\"source\": \"zzz\", \"target\": \"b\"}";
    ConnSelf = "CONN_SELF", Error, Graph, "spec §4.2",
        "connection from a node to itself",
        why: "Self loops have no meaning and would make the node wait for itself.",
        fix: "Remove the connection.",
        example: "{\"source\": \"a\", \"target\": \"a\"}";
    ConnInvalidPair = "CONN_INVALID_PAIR", Error, Graph, "spec §3.3",
        "these two node types cannot be connected in this direction",
        why: "Only the pairs of the connection table have a meaning; the hint suggests the reversed pair or the right construct.",
        fix: "Follow the hint (reverse the edge, use `parent`, use a Job...).",
        example: "celestra-secret → celestra-service";
    ConnDuplicate = "CONN_DUPLICATE", Warning, Graph, "spec §4.2",
        "duplicate connection",
        why: "The same source, target and type are connected twice; the duplicate is ignored.",
        fix: "Remove the duplicate.",
        example: "two connections a → b of type dependency";
    ConnTypeMismatch = "CONN_TYPE_MISMATCH", Warning, Graph, "spec §1.2",
        "connection type differs from the type implied by its node pair",
        why: "The meaning of a connection follows from the node types; the inferred type wins.",
        fix: "Drop `type` or set the inferred one.",
        example: "secret → app with \"type\": \"dependency\"";
    ConnConditionMissing = "CONN_CONDITION_MISSING", Error, Graph, "spec §3.1",
        "conditional (slashed) connection without a condition",
        why: "A slashed edge is only active for the environments listed in `data.when.environments`.",
        fix: "Add `\"data\": {\"when\": {\"environments\": [\"production\"]}}` or use another style.",
        example: "{\"style\": \"slashed\"}";
    GraphCycle = "GRAPH_CYCLE", Error, Graph, "spec §4.2",
        "dependency cycle",
        why: "Nodes that wait for each other can never start; the finding lists every node of the cycle in order.",
        fix: "Remove or make dashed (optional) one connection of the cycle.",
        example: "front → back → front";
    ParentInvalid = "PARENT_INVALID", Error, Graph, "spec §4.2",
        "`parent` is not an AppGroup, or groups are nested",
        why: "Only AppGroups contain nodes, and groups cannot be nested.",
        fix: "Point `parent` at an AppGroup, or remove it.",
        example: "\"parent\": \"<id of an App>\"";
    GroupEmpty = "GROUP_EMPTY", Warning, Graph, "spec §4.2",
        "AppGroup without members",
        why: "A group with no members only creates its namespace.",
        fix: "Set `parent` on the nodes that belong to the group, or remove it.",
        example: "celestra-appgroup with no node pointing at it";
    SaMultiple = "SA_MULTIPLE", Error, Graph, "spec §4.2",
        "workload has more than one ServiceAccount",
        why: "A pod runs under exactly one ServiceAccount; direct SA edges, Role edges and the `serviceAccount` property together name more than one.",
        fix: "Keep one ServiceAccount per workload.",
        example: "two ServiceAccount nodes connected to one App";
    RoleSaAmbiguous = "ROLE_SA_AMBIGUOUS", Error, Graph, "spec §4.2",
        "Role → workload, but the role is bound to zero or several ServiceAccounts",
        why: "A Role → workload edge means \"run under the ServiceAccount bound to this role\"; that must be exactly one.",
        fix: "Connect exactly one ServiceAccount to the Role, or connect a ServiceAccount to the workload directly.",
        example: "role with no ServiceAccount edge, connected to an App";
    RoleUnbound = "ROLE_UNBOUND", Warning, Graph, "spec §4.2",
        "Role is not bound to any ServiceAccount",
        why: "Without a ServiceAccount → Role edge no binding is created; the role grants nothing.",
        fix: "Connect a ServiceAccount to the Role.",
        example: "celestra-role with no incoming ServiceAccount edge";
    DsMultiple = "DS_MULTIPLE", Error, Graph, "spec §4.2",
        "App has more than one deployment strategy",
        why: "A Deployment has exactly one rollout strategy.",
        fix: "Keep one DeploymentStrategy connection per App.",
        example: "two DeploymentStrategy nodes → one App";
    DsUnattached = "DS_UNATTACHED", Warning, Graph, "spec §4.2",
        "DeploymentStrategy is not connected to an App",
        why: "A strategy only patches the Apps it is connected to; alone it generates nothing.",
        fix: "Connect it to an App.",
        example: "celestra-deployment-strategy with no outgoing edge";
    IngNoBackend = "ING_NO_BACKEND", Error, Graph, "spec §4.2",
        "Ingress has no backend",
        why: "An Ingress routes to a Service; without a Service/App connection or explicit rule backends it routes nowhere.",
        fix: "Connect a Service (or an App) to the Ingress, or give `rules` backends.",
        example: "celestra-ingress with no incoming edge";
    IngBackendPort = "ING_BACKEND_PORT", Error, Graph, "spec §4.2",
        "Ingress backend port is not a port of the Service",
        why: "The Ingress controller cannot route to a port the Service does not expose.",
        fix: "Use one of the Service's ports (listed in the hint).",
        example: "Service port 80, edge data \"port\": 8080";
    IngRouteDuplicate = "ING_ROUTE_DUPLICATE", Error, Graph, "spec §4.2",
        "the same host and path are routed twice",
        why: "Controllers pick one route arbitrarily; the other never receives traffic.",
        fix: "Give each route a distinct host or path.",
        example: "two rules for shop.example.com /";
    IngViaImplicitSvc = "ING_VIA_IMPLICIT_SVC", Warning, Graph, "spec §3.2",
        "Ingress routes straight to an App (through its implicit Service)",
        why: "The shortcut works but hides the Service; its type and ports cannot be tuned.",
        fix: "Insert a Service node between the App and the Ingress.",
        example: "celestra-app → celestra-ingress";
    TlsSecretType = "TLS_SECRET_TYPE", Warning, Graph, "spec §4.2",
        "Secret used for TLS is not of type kubernetes.io/tls",
        why: "Ingress controllers expect `tls.crt`/`tls.key` in a kubernetes.io/tls Secret.",
        fix: "Set the Secret `type` to `kubernetes.io/tls`.",
        example: "Opaque secret → ingress";
    TlsHostDuplicate = "TLS_HOST_DUPLICATE", Error, Graph, "spec §3.2 (multiplicity)",
        "two TLS secrets for one host",
        why: "One certificate per host: a controller would serve one of them at random.",
        fix: "Keep one TLS secret per host.",
        example: "two kubernetes.io/tls secrets → one ingress, both for shop.example.com";
    SvcMultiSource = "SVC_MULTI_SOURCE", Error, Graph, "spec §4.2",
        "Service fed by several workloads without a common selector",
        why: "The default selector is `{app: <workload>}`; it cannot match two differently named workloads.",
        fix: "Set an explicit `selector` with a label all the workloads carry (e.g. via `labels`).",
        example: "two Apps → one Service, no selector";
    SvcSelectorNoMatch = "SVC_SELECTOR_NO_MATCH", Warning, Graph, "spec §4.2",
        "Service selector matches no workload of the workflow",
        why: "An orphaned Service has no endpoints unless pods from outside the workflow match.",
        fix: "Correct the selector or connect the workload.",
        example: "\"selector\": {\"app\": \"nothing\"}";
    SvcTargetportMismatch = "SVC_TARGETPORT_MISMATCH", Warning, Graph, "spec §4.2",
        "Service targetPort is not a port of the selected workload",
        why: "Traffic would be sent to a port no container declares.",
        fix: "Use one of the workload's ports (listed in the hint).",
        example: "App port 8080, Service targetPort 9000";
    NpNoTarget = "NP_NO_TARGET", Warning, Graph, "spec §4.2",
        "NetworkPolicy applies to every pod of its namespace",
        why: "Without target connections and without `podSelector` the policy selects all pods.",
        fix: "Connect the policy to workloads, or set `podSelector` if all pods are meant.",
        example: "celestra-networkpolicy with no edges and no podSelector";
    NamespaceMismatch = "NAMESPACE_MISMATCH", Error, Graph, "spec §4.2",
        "objects used across namespaces",
        why: "Secrets, ConfigMaps, ServiceAccounts and selectors only work inside one namespace.",
        fix: "Put both nodes in the same AppGroup (or both outside any group).",
        example: "a Secret outside a group injected into an App inside one";
    ObsMetricsPort = "OBS_METRICS_PORT", Warning, Graph, "spec §2.14",
        "Prometheus target has no port named `metrics`",
        why: "The generated ServiceMonitor scrapes the port named `metrics`.",
        fix: "Add a port named `metrics` to the target.",
        example: "observability (metrics: Prometheus) → service without a `metrics` port";
    OrphanNode = "ORPHAN_NODE", Info, Graph, "spec §4.2",
        "node is connected to nothing it could act on",
        why: "Secrets, ConfigMaps, ServiceAccounts, strategies, observability and NetworkPolicies act through their outgoing connections.",
        fix: "Connect it, or remove it if unused.",
        example: "celestra-configmap with no outgoing edge";
    RefExternal = "REF_EXTERNAL", Warning, Graph, "spec §3.4",
        "property names an object that is not in the workflow",
        why: "Allowed for objects that already exist in the cluster, but the engine cannot check or order them.",
        fix: "Make sure the object exists in the cluster, or add it to the workflow and connect it.",
        example: "\"serviceAccount\": \"ci-bot\" with no such node";
    RefConflict = "REF_CONFLICT", Error, Graph, "spec §3.4",
        "property and connection disagree",
        why: "Connections are the source of truth; a property naming another object contradicts them.",
        fix: "Make the property name the connected node, or remove the property.",
        example: "\"serviceAccount\": \"a\" while ServiceAccount b is connected";
    RefSuggestEdge = "REF_SUGGEST_EDGE", Info, Graph, "spec §3.4",
        "property names a node of the workflow; a connection would make it visible",
        why: "The reference is honoured (and ordered) as if connected, but the canvas does not show it.",
        fix: "Draw the connection instead of typing the name.",
        example: "\"serviceAccount\": \"api-sa\" with an api-sa node but no edge";
    ComposeUnsupported = "COMPOSE_UNSUPPORTED", Warning, Graph, "spec §4.2",
        "node has no Docker Compose equivalent",
        why: "Reported when validating for the Compose target: ingresses, network policies, RBAC, cron jobs, strategies, observability and custom resources do not exist in Compose.",
        fix: "Nothing to do for Compose; the Kubernetes and Helm outputs keep them.",
        example: "celestra-cronjob validated with target compose";
    NetworkPoliciesAbsent = "NETWORK_POLICIES_ABSENT", Warning, Graph, "spec §4.2",
        "namespace has workloads but no NetworkPolicy",
        why: "Without a policy every pod accepts traffic from everywhere in the cluster.",
        fix: "Add a NetworkPolicy (or `allowInternalCommunication` on the AppGroup).",
        example: "one App in namespace default, no NetworkPolicy";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_upper_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch == '_'),
                "{c}"
            );
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert_eq!(c.info().code, c.as_str());
        }
    }
}
