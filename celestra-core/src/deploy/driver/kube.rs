//! The Kubernetes driver: a workflow's objects applied by server-side apply (one field manager,
//! forced, so drift is overwritten and dropped fields are removed), wave after wave; each wave's
//! objects are gated by their readiness (`deploy::health`), followed through watches, and fail
//! in seconds on a pod's fast-fail signal.
//!
//! State lives in the cluster: every object carries the ApplySet metadata of
//! `deploy::kube` (so `kubectl get -l applyset.kubernetes.io/part-of=<id>` lists the set), the
//! parent Secret names the group-kinds and namespaces to look in, and each revision is a Secret
//! `celestra-rev.<project>.<n>` holding the gzip-compressed model snapshot.

use super::{Cancel, DeployError, Emitter, ErrorCode, EventSender, now, uuid_v4};
use crate::deploy::diff::{self, DiffOp, KubeDiff, ObjectDiff};
use crate::deploy::event::{Action, DeployTarget, EventBody, EventStatus, ObjectRef, Outcome};
use crate::deploy::health::{self, Verdict};
use crate::deploy::kube::{
    self as model, FIELD_MANAGER, KubeObject, KubeProject, KubeProjectOptions, KubeStep, ObjectOp,
    PART_OF,
};
use crate::deploy::revision::{History, Revision, RevisionOutcome};
use crate::deploy::status::{DeploymentStatus, Reason};
use crate::generate::KubeVersion;
use crate::model::{ErrorHandling, Workflow};
use ::kube::api::{Api, DeleteParams, DynamicObject, ListParams, LogParams, Patch, PatchParams};
use ::kube::config::{KubeConfigOptions, Kubeconfig};
use ::kube::core::GroupVersion;
use ::kube::discovery::{ApiCapabilities, ApiResource, Scope};
use ::kube::runtime::WatchStreamExt;
use ::kube::runtime::watcher;
use ::kube::{Client, Config};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::Duration;

/// Lines of a failed pod's log reported.
const LOG_TAIL: i64 = 20;
/// Gates are evaluated again at least this often (a pod's unschedulable grace is time-based).
const GATE_RECHECK: Duration = Duration::from_secs(2);
/// Applies in flight at once (steps of a wave run concurrently, up to this many).
const DEFAULT_CONCURRENCY: usize = 16;

/// Where the cluster's credentials come from.
#[derive(Debug, Clone, Default)]
pub struct KubeConnect {
    /// A kubeconfig file (default: `KUBECONFIG`, then `~/.kube/config`, then the in-cluster
    /// service account).
    pub kubeconfig: Option<std::path::PathBuf>,
    /// A kubeconfig given as text (an upload): only inline credentials are accepted — no `exec`
    /// or `auth-provider` plugins, no file paths, no proxy.
    pub kubeconfig_text: Option<String>,
    /// The context (default: the kubeconfig's current one).
    pub context: Option<String>,
    /// The namespace of the project (default: the context's, else `default`).
    pub namespace: Option<String>,
}

/// Options of a Kubernetes deploy.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {
    /// Project name, namespace and generator version (default: the server's version).
    pub project: KubeProjectOptions,
    /// The whole deploy's timeout (default: the workflow's `totalTimeoutSeconds`, 1800 s).
    pub timeout: Option<Duration>,
    /// Each wave's gate timeout (default: the workflow's `stepTimeoutSeconds`, 300 s).
    pub step_timeout: Option<Duration>,
    /// Roll back to the previous successful revision when the deploy fails (never past a Job
    /// that ran in the failed deploy).
    pub rollback_on_failure: bool,
    /// Revisions kept (default 10).
    pub history_max: Option<usize>,
    /// An object whose update the server refuses as immutable is deleted and created again
    /// (Jobs always are; other kinds only with this).
    pub force_replace: bool,
    /// Applies in flight at once (default 16).
    pub concurrency: Option<usize>,
    /// Apply every wave without waiting for the gates (like `kubectl apply`; a CRD is still
    /// awaited before its custom resources). Fast-fail signals are then not seen.
    pub no_wait: bool,
}

impl KubeOptions {
    fn to_json(&self) -> Value {
        json!({
            "project": self.project.name,
            "namespace": self.project.namespace,
            "kubernetesVersion": self.project.kubernetes_version,
            "timeoutSeconds": self.timeout.map(|d| d.as_secs()),
            "stepTimeoutSeconds": self.step_timeout.map(|d| d.as_secs()),
            "rollbackOnFailure": self.rollback_on_failure,
            "forceReplace": self.force_replace,
            "noWait": self.no_wait,
        })
    }
}

/// What `delete` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReport {
    /// `Kind/namespace/name` of every member deleted.
    pub objects: Vec<String>,
    /// Revision records removed.
    pub revisions: usize,
    /// The parent (inventory) Secret was removed.
    pub parent: bool,
}

/// What a deploy would do (`--dry-run` without the server's dry run).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubePlan {
    /// The project.
    pub project: String,
    /// The namespace.
    pub namespace: String,
    /// Per object in apply order: `Kind/ns/name`, node, wave and operation.
    pub objects: Vec<PlannedObject>,
    /// Members that would be pruned (`Kind/ns/name`).
    pub prune: Vec<String>,
}

/// One object of a [`KubePlan`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedObject {
    /// `Kind/namespace/name` (`Kind/name` when cluster-scoped).
    pub object: String,
    /// Its node.
    pub node_id: String,
    /// Its wave.
    pub wave: usize,
    /// create, update, unchanged or recreate.
    pub op: ObjectOp,
}

/// A connection to one cluster.
pub struct Kube {
    client: Client,
    url: String,
    namespace: String,
    version: KubeVersion,
    git_version: String,
    /// Discovery per apiVersion: the resources it serves (empty when not served).
    resources: Mutex<BTreeMap<String, Vec<(ApiResource, ApiCapabilities)>>>,
}

impl std::fmt::Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("url", &self.url)
            .field("namespace", &self.namespace)
            .field("version", &self.git_version)
            .finish()
    }
}

/// Refuses what an uploaded kubeconfig must not do on the server: run a command (`exec`,
/// `auth-provider`), read a file (`certificate-authority`, `client-certificate`, `client-key`,
/// `tokenFile`) or route through a proxy. Names the entry at fault.
pub fn check_inline_kubeconfig(kc: &Kubeconfig) -> Result<(), DeployError> {
    let refuse = |what: String| {
        Err(DeployError::new(
            ErrorCode::Option,
            format!(
                "kubeconfig: {what}: a kubeconfig given as text may only carry inline credentials (token, client-certificate-data, client-key-data, certificate-authority-data)"
            ),
        ))
    };
    for c in &kc.clusters {
        let Some(cl) = &c.cluster else { continue };
        if cl.certificate_authority.is_some() {
            return refuse(format!(
                "cluster {:?} names a certificate-authority file",
                c.name
            ));
        }
        if cl.proxy_url.is_some() {
            return refuse(format!("cluster {:?} sets proxy-url", c.name));
        }
    }
    for u in &kc.auth_infos {
        let Some(a) = &u.auth_info else { continue };
        if a.exec.is_some() {
            return refuse(format!("user {:?} runs an exec credential plugin", u.name));
        }
        if a.auth_provider.is_some() {
            return refuse(format!("user {:?} uses an auth-provider plugin", u.name));
        }
        if a.token_file.is_some() {
            return refuse(format!("user {:?} reads a tokenFile", u.name));
        }
        if a.client_certificate.is_some() || a.client_key.is_some() {
            return refuse(format!(
                "user {:?} names a client certificate or key file",
                u.name
            ));
        }
    }
    Ok(())
}

/// The client of a configuration: kube-rs's layers (base URI, credentials, headers) over one
/// multiplexed connection, HTTP/2 when the server offers it in ALPN (an API server does), else
/// HTTP/1.1. A configuration with a proxy goes through kube-rs's own builder, which knows
/// proxies (only a kubeconfig file can name one: `check_inline_kubeconfig`).
fn http2_client(config: Config) -> Result<Client, ::kube::Error> {
    use ::kube::client::ConfigExt;
    if config.proxy_url.is_some() {
        return Client::try_from(config);
    }
    let tls = config.rustls_client_config()?;
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let builder = match &config.tls_server_name {
        Some(name) => builder.with_server_name_resolver(
            hyper_rustls::FixedServerNameResolver::new(name.clone().try_into().map_err(|_| {
                ::kube::Error::Service(format!("invalid tls-server-name {name:?}").into())
            })?),
        ),
        None => builder,
    };
    let https = builder.enable_all_versions().wrap_connector(http);
    let mut conn = hyper_timeout::TimeoutConnector::new(https);
    conn.set_connect_timeout(config.connect_timeout);
    conn.set_read_timeout(config.read_timeout);
    conn.set_write_timeout(config.write_timeout);
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        // a 1,000-object list arrives without waiting on 64 KiB windows
        .http2_initial_stream_window_size(4 << 20)
        .http2_initial_connection_window_size(16 << 20)
        .build(conn);
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(tower::BoxError::from)
        .service(http);
    Ok(Client::new(service, config.default_namespace))
}

fn unreachable(url: &str, e: impl std::fmt::Display) -> DeployError {
    DeployError::new(
        ErrorCode::EngineUnreachable,
        format!("cannot reach the Kubernetes API server at {url}: {e}"),
    )
}

/// The object's `Kind/namespace/name` (`Kind/name` when cluster-scoped).
fn label(kind: &str, ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// Maps a client error to a deploy error about `what` (`node api (Deployment shop/api)`).
fn api_error(url: &str, what: &str, e: ::kube::Error) -> DeployError {
    match e {
        ::kube::Error::Api(s) => {
            let causes: Vec<String> = s
                .details
                .as_ref()
                .map(|d| {
                    d.causes
                        .iter()
                        .map(|c| {
                            if c.field.is_empty() {
                                c.message.clone()
                            } else {
                                format!("{}: {}", c.field, c.message)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let detail = if causes.is_empty() {
                s.message.clone()
            } else {
                causes.join("; ")
            };
            match s.code {
                401 => DeployError::new(
                    ErrorCode::Unauthorized,
                    format!(
                        "{what}: the API server at {url} refused the credentials (401 Unauthorized): the token or certificate is missing, wrong or expired"
                    ),
                ),
                403 => DeployError::new(
                    ErrorCode::Forbidden,
                    format!("{what}: forbidden: {}", s.message),
                ),
                409 => DeployError::new(ErrorCode::Conflict, format!("{what}: conflict: {detail}")),
                422 | 400 => {
                    // "field is immutable", and StatefulSet's "updates to statefulset spec
                    // for fields other than … are forbidden"
                    let code = if detail.contains("immutable")
                        || (detail.contains("updates to") && detail.contains("are forbidden"))
                    {
                        ErrorCode::Immutable
                    } else {
                        ErrorCode::Rejected
                    };
                    let hint = field_hint(&detail);
                    DeployError::new(
                        code,
                        format!("{what}: the API server rejected it: {detail}{hint}"),
                    )
                }
                500 if s.message.contains("not declared in schema") => DeployError::new(
                    ErrorCode::Rejected,
                    format!(
                        "{what}: the API server does not know a field: {} (hint: set the workflow's kubernetesVersion to the cluster's version so that newer fields are left out)",
                        s.message
                    ),
                ),
                _ if s.message.contains("admission webhook") => DeployError::new(
                    ErrorCode::Rejected,
                    format!("{what}: denied by an admission webhook: {}", s.message),
                ),
                code => DeployError::new(
                    ErrorCode::Engine,
                    format!(
                        "{what}: the API server answered {code} {}: {detail}",
                        s.reason
                    ),
                ),
            }
        }
        other => unreachable(url, format!("{what}: {other}")),
    }
}

/// The workflow property behind an API field, when the field says so.
fn field_hint(detail: &str) -> String {
    const FIELDS: &[(&str, &str)] = &[
        (".image", "the node's image"),
        (".ports", "the node's ports"),
        (".resources", "the node's resources"),
        (".env", "the node's environment"),
        (".replicas", "the node's replicas"),
        (".schedule", "the CronJob's schedule"),
        (".host", "the Ingress's host"),
        ("metadata.name", "the node's name"),
        ("metadata.labels", "the node's labels"),
        (
            ".selector",
            "the workload's selector (immutable once created)",
        ),
    ];
    FIELDS
        .iter()
        .find(|(f, _)| detail.contains(f))
        .map(|(_, h)| format!(" (hint: check {h})"))
        .unwrap_or_default()
}

fn not_found(e: &::kube::Error) -> bool {
    matches!(e, ::kube::Error::Api(s) if s.code == 404)
}

fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// An object as JSON with its apiVersion and kind (the items of a list come without them).
fn typed_value(o: &DynamicObject, ar: &ApiResource) -> Value {
    let mut v = to_value(o);
    if let Value::Object(m) = &mut v {
        m.entry("apiVersion")
            .or_insert_with(|| Value::String(ar.api_version.clone()));
        m.entry("kind")
            .or_insert_with(|| Value::String(ar.kind.clone()));
    }
    v
}

fn gzip_b64(text: &str) -> String {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(text.as_bytes());
    crate::generate::kubernetes::base64_encode(&enc.finish().unwrap_or_default())
}

fn gunzip_b64(text: &str) -> Option<String> {
    let bytes = crate::generate::kubernetes::base64_decode(text)?;
    let mut out = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut out)
        .ok()?;
    Some(out)
}

/// The size in bytes of a revision record as stored (gzip + base64 of its JSON).
pub fn record_size(r: &Revision) -> usize {
    gzip_b64(&serde_json::to_string(r).unwrap_or_default()).len()
}

/// A quantity for people: millicores, MiB, or a count.
fn quantity(key: &str, v: f64) -> String {
    if key.ends_with("cpu") {
        format!("{}m", (v * 1000.0).round())
    } else if key.ends_with("memory") {
        format!("{}Mi", (v / 1024.0 / 1024.0).round())
    } else {
        format!("{}", v.round())
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s % 60 == 0 {
        format!("{} min", s / 60)
    } else if s > 0 {
        format!("{s} s")
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// One object resolved against discovery.
#[derive(Clone)]
struct Target<'p> {
    step: &'p KubeStep,
    obj: &'p KubeObject,
    ar: ApiResource,
    ns: Option<String>,
}

impl Target<'_> {
    fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.obj.group_kind(),
            self.ns.as_deref().unwrap_or(""),
            self.obj.name
        )
    }
    fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: self.obj.kind.clone(),
            name: self.obj.name.clone(),
            namespace: self.ns.clone(),
        }
    }
    fn what(&self) -> String {
        format!(
            "node {} ({})",
            self.step.name,
            label(&self.obj.kind, self.ns.as_deref(), &self.obj.name)
        )
    }
    fn body(&self) -> Value {
        let mut b = self.obj.body.clone();
        if let (Some(ns), Some(Value::Object(m))) = (&self.ns, b.get_mut("metadata")) {
            m.insert("namespace".into(), Value::String(ns.clone()));
        }
        b
    }
}

/// The live members of a project, by `Kind.group/ns/name`.
type Live = BTreeMap<String, Value>;
/// Namespace → its ResourceQuotas (name, hard, used).
type Quotas = BTreeMap<String, Vec<(String, Value, Value)>>;

/// The sorted, distinct union of two lists.
fn union(a: &[String], b: &[String]) -> Vec<String> {
    let mut v: Vec<String> = a.iter().chain(b).cloned().collect();
    crate::sort::sort(&mut v);
    v.dedup();
    v
}

/// What of `a` is not in `b`.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

fn live_key(v: &Value) -> String {
    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    format!("{}/{ns}/{name}", model::group_kind_key(api, kind))
}

/// How one step ended.
#[derive(Debug, Clone)]
enum StepEnd {
    Ready,
    Skipped(String),
    Failed {
        reason: String,
        message: String,
        timed_out: bool,
    },
}

impl Kube {
    /// Connects: the kubeconfig (text, file, or the default one, else in-cluster), then asks
    /// the server's version (10 s), which the generator targets unless a version is given.
    pub async fn connect(c: &KubeConnect) -> Result<Kube, DeployError> {
        let opts = KubeConfigOptions {
            context: c.context.clone(),
            ..KubeConfigOptions::default()
        };
        let bad = |e: ::kube::config::KubeconfigError| {
            DeployError::new(ErrorCode::Option, format!("kubeconfig: {e}"))
        };
        let config = if let Some(text) = &c.kubeconfig_text {
            let kc = Kubeconfig::from_yaml(text).map_err(bad)?;
            check_inline_kubeconfig(&kc)?;
            Config::from_custom_kubeconfig(kc, &opts)
                .await
                .map_err(bad)?
        } else if let Some(path) = &c.kubeconfig {
            let kc = Kubeconfig::read_from(path).map_err(|e| {
                DeployError::new(
                    ErrorCode::Option,
                    format!("kubeconfig {}: {e}", path.display()),
                )
            })?;
            Config::from_custom_kubeconfig(kc, &opts)
                .await
                .map_err(bad)?
        } else if c.context.is_some() {
            Config::from_kubeconfig(&opts).await.map_err(bad)?
        } else {
            Config::infer().await.map_err(|e| {
                DeployError::new(
                    ErrorCode::Option,
                    format!("no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster: {e}"),
                )
            })?
        };
        let url = config.cluster_url.to_string();
        let url = url.trim_end_matches('/').to_owned();
        let namespace = c
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        if !model::is_namespace_name(&namespace) {
            return Err(DeployError::new(
                ErrorCode::Option,
                format!("namespace {namespace:?} is not a valid namespace name"),
            ));
        }
        let client = http2_client(config).map_err(|e| unreachable(&url, e))?;
        let info = tokio::time::timeout(Duration::from_secs(10), client.apiserver_version())
            .await
            .map_err(|_| unreachable(&url, "no answer within 10 s"))?
            .map_err(|e| api_error(&url, "reading the server version", e))?;
        let minor: u32 = info
            .minor
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        let major: u32 = info.major.parse().unwrap_or(1);
        let version = KubeVersion(major, minor);
        if version < KubeVersion::OLDEST {
            return Err(DeployError::new(
                ErrorCode::Engine,
                format!(
                    "the API server at {url} runs Kubernetes {}; Celestra needs {} or newer",
                    info.git_version,
                    KubeVersion::OLDEST
                ),
            ));
        }
        Ok(Kube {
            client,
            url,
            namespace,
            version,
            git_version: info.git_version,
            resources: Mutex::new(BTreeMap::new()),
        })
    }

    /// The API server's address.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The server's `major.minor`.
    pub fn version(&self) -> KubeVersion {
        self.version
    }
    /// The server's full version (`v1.20.2`).
    pub fn git_version(&self) -> &str {
        &self.git_version
    }
    /// The namespace in use.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    /// The kube client (for tests and tools).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The project of a workflow on this cluster: the server's version and the connection's
    /// namespace unless the options name them.
    pub fn project(&self, wf: &Workflow, o: &KubeOptions) -> Result<KubeProject, DeployError> {
        let mut po = o.project.clone();
        po.kubernetes_version = po
            .kubernetes_version
            .or_else(|| Some(self.version.to_string()));
        po.namespace = po.namespace.or_else(|| Some(self.namespace.clone()));
        Ok(model::project(wf, &po)?)
    }

    // ------------------------------------------------------------------ discovery

    /// The resource of `kind` in `api_version`, if the server serves it (`refresh`: ask again,
    /// after a CRD was established).
    async fn resolve(
        &self,
        api_version: &str,
        kind: &str,
        refresh: bool,
    ) -> Result<Option<(ApiResource, bool)>, DeployError> {
        let cached = {
            let m = self.resources.lock().expect("discovery");
            if refresh {
                None
            } else {
                m.get(api_version).cloned()
            }
        };
        let list = match cached {
            Some(l) => l,
            None => {
                let gv: GroupVersion = api_version.parse().map_err(|_| {
                    DeployError::new(ErrorCode::Option, format!("bad apiVersion {api_version:?}"))
                })?;
                let list = match ::kube::discovery::pinned_group(&self.client, &gv).await {
                    Ok(g) => g.versioned_resources(&gv.version),
                    Err(e) if not_found(&e) => Vec::new(),
                    Err(::kube::Error::Discovery(_)) => Vec::new(),
                    Err(e) => {
                        return Err(api_error(
                            &self.url,
                            &format!("discovery of {api_version}"),
                            e,
                        ));
                    }
                };
                self.resources
                    .lock()
                    .expect("discovery")
                    .insert(api_version.to_owned(), list.clone());
                list
            }
        };
        Ok(list
            .into_iter()
            .find(|(ar, _)| ar.kind == kind)
            .map(|(ar, caps)| (ar, caps.scope == Scope::Namespaced)))
    }

    /// The preferred resource of a group-kind (`Deployment.apps`), for listing members of
    /// kinds the workflow no longer has.
    async fn resolve_gk(&self, gk: &str) -> Result<Option<(ApiResource, bool)>, DeployError> {
        let (kind, group) = gk.split_once('.').unwrap_or((gk, ""));
        if group.is_empty() {
            return self.resolve("v1", kind, false).await;
        }
        // a version already discovered for the desired objects
        let cached = {
            let m = self.resources.lock().expect("discovery");
            m.iter()
                .filter(|(av, _)| av.split_once('/').is_some_and(|(g, _)| g == group))
                .find_map(|(_, list)| list.iter().find(|(ar, _)| ar.kind == kind).cloned())
        };
        if let Some((ar, caps)) = cached {
            return Ok(Some((ar, caps.scope == Scope::Namespaced)));
        }
        match ::kube::discovery::group(&self.client, group).await {
            Err(::kube::Error::Discovery(_)) => Ok(None),
            Ok(g) => {
                // the preferred version first, then the others (CronJob is only in
                // batch/v1beta1 on 1.20, whose preferred batch version is v1)
                if let Some((ar, caps)) = g.recommended_kind(kind) {
                    return Ok(Some((ar, caps.scope == Scope::Namespaced)));
                }
                let versions: Vec<String> = g.versions().map(str::to_owned).collect();
                Ok(versions.iter().find_map(|v| {
                    g.versioned_resources(v)
                        .into_iter()
                        .find(|(ar, _)| ar.kind == kind)
                        .map(|(ar, caps)| (ar, caps.scope == Scope::Namespaced))
                }))
            }
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(api_error(&self.url, &format!("discovery of {gk}"), e)),
        }
    }

    fn api(&self, ar: &ApiResource, ns: Option<&str>) -> Api<DynamicObject> {
        match ns {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, ar),
            None => Api::all_with(self.client.clone(), ar),
        }
    }

    /// Resolves every object of `p` whose kind the server serves now; the others (custom
    /// resources of a CRD in the same project) are resolved again when their step runs.
    async fn targets<'p>(
        &self,
        p: &'p KubeProject,
        refresh: bool,
    ) -> Result<(Vec<Target<'p>>, Vec<(&'p KubeStep, &'p KubeObject)>), DeployError> {
        // discover every apiVersion at once (one GET each), then resolve from the cache
        let mut versions: Vec<&str> = p.objects().map(|(_, o)| o.api_version.as_str()).collect();
        crate::sort::sort(&mut versions);
        versions.dedup();
        for r in
            futures_util::future::join_all(versions.iter().map(|v| self.resolve(v, "", refresh)))
                .await
        {
            r?;
        }
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (st, o) in p.objects() {
            match self.resolve(&o.api_version, &o.kind, false).await? {
                Some((ar, namespaced)) => out.push(Target {
                    step: st,
                    obj: o,
                    ar,
                    ns: namespaced
                        .then(|| o.namespace.clone().unwrap_or_else(|| p.namespace.clone())),
                }),
                None => missing.push((st, o)),
            }
        }
        Ok((out, missing))
    }

    // ------------------------------------------------------------------ inventory

    async fn parent(&self, p: &KubeProject) -> Result<Option<Value>, DeployError> {
        self.secret(&p.namespace, &p.parent_name()).await
    }

    async fn secret(&self, ns: &str, name: &str) -> Result<Option<Value>, DeployError> {
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            ns,
            &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
        );
        match api.get_opt(name).await {
            Ok(o) => Ok(o.as_ref().map(to_value)),
            Err(e) => Err(api_error(
                &self.url,
                &format!("reading Secret {ns}/{name}"),
                e,
            )),
        }
    }

    /// The group-kinds and namespaces a parent names.
    fn parent_sets(parent: Option<&Value>) -> (Vec<String>, Vec<String>) {
        let ann = |k: &str| -> Vec<String> {
            parent
                .and_then(|v| v.pointer("/metadata/annotations"))
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .map(|s| {
                    s.split(',')
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        (ann(model::GROUP_KINDS), ann(model::ADDITIONAL_NAMESPACES))
    }

    /// Every live member of the ApplySet `id`: listed by its part-of label per group-kind of
    /// `gks` in each of `namespaces` (cluster-wide for cluster-scoped kinds).
    async fn members(
        &self,
        id: &str,
        gks: &[String],
        namespaces: &[String],
    ) -> Result<Live, DeployError> {
        let lp = ListParams::default().labels(&format!("{PART_OF}={id}"));
        let mut lists = Vec::new();
        // kinds not discovered for the desired objects (a removed node's) are looked up at once
        let resolved =
            futures_util::future::join_all(gks.iter().map(|gk| self.resolve_gk(gk))).await;
        for (gk, r) in gks.iter().zip(resolved) {
            let Some((ar, namespaced)) = r? else {
                continue;
            };
            if namespaced {
                for ns in namespaces {
                    lists.push((self.api(&ar, Some(ns)), format!("{gk} in {ns}"), ar.clone()));
                }
            } else {
                lists.push((self.api(&ar, None), gk.clone(), ar.clone()));
            }
        }
        let results =
            futures_util::future::join_all(lists.iter().map(|(api, _, _)| api.list(&lp))).await;
        let mut live = Live::new();
        for ((_, what, ar), r) in lists.iter().zip(results) {
            match r {
                Ok(l) => {
                    for o in &l.items {
                        let v = typed_value(o, ar);
                        live.insert(live_key(&v), v);
                    }
                }
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(api_error(&self.url, &format!("listing {what}"), e)),
            }
        }
        Ok(live)
    }

    /// The live members of `p`, whatever revision put them there.
    async fn inventory(
        &self,
        p: &KubeProject,
        parent: Option<&Value>,
    ) -> Result<Live, DeployError> {
        let (gks, nss) = Self::parent_sets(parent);
        let (gks, nss) = (union(&gks, &p.group_kinds()), union(&nss, &p.namespaces()));
        self.members(&p.applyset_id, &gks, &nss).await
    }

    /// The set of `project` in `ns` as its parent names it: the parent (if any), the ApplySet
    /// id, the group-kinds and every namespace (`ns` included).
    async fn project_set(
        &self,
        project: &str,
        ns: &str,
    ) -> Result<(Option<Value>, String, Vec<String>, Vec<String>), DeployError> {
        let parent_name = model::parent_name(project);
        let parent = self.secret(ns, &parent_name).await?;
        let (gks, nss) = Self::parent_sets(parent.as_ref());
        let nss = union(&nss, &[ns.to_owned()]);
        Ok((parent, model::applyset_id(&parent_name, ns), gks, nss))
    }

    /// Applies the parent Secret naming `gks` and `namespaces`.
    async fn write_parent(
        &self,
        p: &KubeProject,
        gks: &[String],
        namespaces: &[String],
    ) -> Result<(), DeployError> {
        let body = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "celestra.io/applyset",
            "metadata": {
                "name": p.parent_name(),
                "namespace": p.namespace,
                "labels": {
                    model::APPLYSET_ID: p.applyset_id,
                    "app.kubernetes.io/managed-by": "celestra",
                },
                "annotations": {
                    model::TOOLING: format!("celestra/{}", env!("CARGO_PKG_VERSION")),
                    model::GROUP_KINDS: gks.join(","),
                    model::ADDITIONAL_NAMESPACES: namespaces.iter().filter(|n| **n != p.namespace).cloned().collect::<Vec<_>>().join(","),
                },
            },
        });
        self.apply_secret(&p.namespace, &p.parent_name(), &body)
            .await
    }

    async fn apply_secret(&self, ns: &str, name: &str, body: &Value) -> Result<(), DeployError> {
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            ns,
            &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
        );
        api.patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(body),
        )
        .await
        .map(|_| ())
        .map_err(|e| api_error(&self.url, &format!("writing Secret {ns}/{name}"), e))
    }

    // ------------------------------------------------------------------ history

    fn record_name(project: &str, n: u64) -> String {
        format!("celestra-rev.{project}.{n}")
    }

    /// The revisions of `project` in `namespace` (default: the connection's), oldest first.
    pub async fn history(
        &self,
        project: &str,
        namespace: Option<&str>,
    ) -> Result<History, DeployError> {
        let ns = namespace.unwrap_or(&self.namespace);
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            ns,
            &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
        );
        let lp = ListParams::default().labels(&format!("{}={project}", model::REVISION_OF));
        let list = api.list(&lp).await.map_err(|e| {
            api_error(
                &self.url,
                &format!("listing the revisions of {project} in {ns}"),
                e,
            )
        })?;
        let mut revs = Vec::new();
        for o in &list.items {
            let v = to_value(o);
            let Some(text) = v
                .pointer("/data/record")
                .and_then(Value::as_str)
                .and_then(gunzip_b64)
            else {
                continue;
            };
            if let Ok(r) = serde_json::from_str::<Revision>(&text) {
                revs.push(r);
            }
        }
        Ok(History::from_revisions(revs, usize::MAX))
    }

    /// Writes a revision record; once it is finished, removes the oldest beyond `max` of
    /// `kept` (the revisions there before this one).
    async fn write_record(
        &self,
        p: &KubeProject,
        r: &Revision,
        max: usize,
        kept: &[u64],
    ) -> Result<(), DeployError> {
        let name = Self::record_name(&p.name, r.revision);
        let body = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "celestra.io/revision",
            "metadata": {
                "name": name,
                "namespace": p.namespace,
                "labels": {
                    model::REVISION_OF: p.name,
                    model::REVISION: r.revision.to_string(),
                    "app.kubernetes.io/managed-by": "celestra",
                },
            },
            "data": {"record": gzip_b64(&serde_json::to_string(r).unwrap_or_default())},
        });
        self.apply_secret(&p.namespace, &name, &body).await?;
        if r.finished_at.is_some() {
            let mut all: Vec<u64> = kept.iter().copied().filter(|n| *n != r.revision).collect();
            all.push(r.revision);
            crate::sort::sort(&mut all);
            if all.len() > max {
                let api: Api<DynamicObject> = Api::namespaced_with(
                    self.client.clone(),
                    &p.namespace,
                    &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
                );
                let names: Vec<String> = all[..all.len() - max]
                    .iter()
                    .map(|n| Self::record_name(&p.name, *n))
                    .collect();
                // best effort: a record left over is removed by the next deploy
                let dp = DeleteParams::background();
                futures_util::future::join_all(names.iter().map(|n| api.delete(n, &dp))).await;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ plan, pre-flight

    /// What a deploy of `wf` would do, from the live members (no write).
    pub async fn plan(&self, wf: &Workflow, o: &KubeOptions) -> Result<KubePlan, DeployError> {
        let p = self.project(wf, o)?;
        let parent = self.parent(&p).await?;
        let live = self.inventory(&p, parent.as_ref()).await?;
        let (targets, missing) = self.targets(&p, false).await?;
        let mut objects = Vec::new();
        let mut desired = BTreeSet::new();
        for t in &targets {
            let key = t.key();
            desired.insert(key.clone());
            objects.push(PlannedObject {
                object: label(&t.obj.kind, t.ns.as_deref(), &t.obj.name),
                node_id: t.step.node_id.clone(),
                wave: t.step.wave,
                op: model::object_op(t.obj, live.get(&key)),
            });
        }
        for (st, o) in missing {
            objects.push(PlannedObject {
                object: label(
                    &o.kind,
                    o.namespace.as_deref().or(Some(&p.namespace)),
                    &o.name,
                ),
                node_id: st.node_id.clone(),
                wave: st.wave,
                op: ObjectOp::Create,
            });
        }
        let prune = live
            .iter()
            .filter(|(k, _)| !desired.contains(*k))
            .map(|(_, v)| {
                label(
                    v.get("kind").and_then(Value::as_str).unwrap_or(""),
                    v.pointer("/metadata/namespace").and_then(Value::as_str),
                    v.pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                )
            })
            .collect();
        Ok(KubePlan {
            project: p.name.clone(),
            namespace: p.namespace.clone(),
            objects,
            prune,
        })
    }

    /// What a deploy of `wf` would change, by a server-side dry run of every apply against the
    /// live objects, both normalized (`--dry-run`, `celestra diff`). Objects in a namespace or of
    /// a CRD that the deploy creates first cannot be dry-run: they are reported as created,
    /// with a note. Secret values are masked.
    pub async fn diff(&self, wf: &Workflow, o: &KubeOptions) -> Result<KubeDiff, DeployError> {
        let p = self.project(wf, o)?;
        let parent = self.parent(&p).await?;
        let live = self.inventory(&p, parent.as_ref()).await?;
        let (targets, missing) = self.targets(&p, false).await?;
        let pp = PatchParams::apply(FIELD_MANAGER).force().dry_run();
        let results: Vec<Result<ObjectDiff, DeployError>> =
            futures_util::stream::iter(targets.iter().map(|t| {
                let pp = pp.clone();
                let live = &live;
                let p = &p;
                async move {
                    let api = self.api(&t.ar, t.ns.as_deref());
                    let what = label(&t.obj.kind, t.ns.as_deref(), &t.obj.name);
                    let before = match live.get(&t.key()) {
                        Some(v) => Some(v.clone()),
                        None => api
                            .get_opt(&t.obj.name)
                            .await
                            .map_err(|e| api_error(&self.url, &t.what(), e))?
                            .map(|o| typed_value(&o, &t.ar)),
                    };
                    let (op, after, note) = match api
                        .patch(&t.obj.name, &pp, &Patch::Apply(&t.body()))
                        .await
                    {
                        Ok(pred) => {
                            let after = typed_value(&pred, &t.ar);
                            (
                                if before.is_none() {
                                    DiffOp::Create
                                } else {
                                    DiffOp::Update
                                },
                                after,
                                String::new(),
                            )
                        }
                        Err(e) if not_found(&e) => (
                            DiffOp::Create,
                            t.body(),
                            format!(
                                "namespace {} is created by this deploy: the server was not asked",
                                t.ns.as_deref().unwrap_or("")
                            ),
                        ),
                        Err(e) => {
                            let err = api_error(&self.url, &t.what(), e);
                            if err.code != ErrorCode::Immutable {
                                return Err(err);
                            }
                            (
                                DiffOp::Replace,
                                t.body(),
                                super::redact(&p.secret_values, &err.message),
                            )
                        }
                    };
                    let mut b = before.as_ref().map(model::normalize).unwrap_or(Value::Null);
                    let mut a = model::normalize(&after);
                    diff::mask_secrets(&mut b, &mut a);
                    let paths = if before.is_some() {
                        diff::changed_paths(&b, &a)
                    } else {
                        vec!["/".into()]
                    };
                    let op = if op == DiffOp::Update && paths.is_empty() {
                        DiffOp::Unchanged
                    } else {
                        op
                    };
                    let text = |v: &Value| {
                        if v.is_null() {
                            String::new()
                        } else {
                            crate::generate::to_yaml(v)
                        }
                    };
                    let d = if op == DiffOp::Unchanged {
                        String::new()
                    } else {
                        diff::unified(
                            &text(&b),
                            &text(&a),
                            &format!("live/{what}"),
                            &format!("desired/{what}"),
                        )
                    };
                    Ok(ObjectDiff {
                        object: what,
                        node_id: t.step.node_id.clone(),
                        op,
                        paths,
                        diff: d,
                        note,
                    })
                }
            }))
            .buffered(16)
            .collect()
            .await;
        let mut objects = Vec::new();
        let mut desired = BTreeSet::new();
        for (t, r) in targets.iter().zip(results) {
            desired.insert(t.key());
            objects.push(r?);
        }
        for (st, o) in &missing {
            let ns = o.namespace.clone().unwrap_or_else(|| p.namespace.clone());
            desired.insert(format!("{}/{ns}/{}", o.group_kind(), o.name));
            let mut a = model::normalize(&o.body);
            diff::mask_secrets(&mut Value::Null, &mut a);
            let what = label(&o.kind, Some(&ns), &o.name);
            objects.push(ObjectDiff {
                diff: diff::unified("", &crate::generate::to_yaml(&a), &format!("live/{what}"), &format!("desired/{what}")),
                object: what,
                node_id: st.node_id.clone(),
                op: DiffOp::Create,
                paths: vec!["/".into()],
                note: format!("{} {} is not served yet (its CRD is created by this deploy): the server was not asked", o.api_version, o.kind),
            });
        }
        for (k, v) in &live {
            if desired.contains(k) {
                continue;
            }
            let what = label(
                v.get("kind").and_then(Value::as_str).unwrap_or(""),
                v.pointer("/metadata/namespace").and_then(Value::as_str),
                v.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            );
            let mut b = model::normalize(v);
            diff::mask_secrets(&mut b, &mut Value::Null);
            objects.push(ObjectDiff {
                diff: diff::unified(
                    &crate::generate::to_yaml(&b),
                    "",
                    &format!("live/{what}"),
                    &format!("desired/{what}"),
                ),
                object: what,
                node_id: v
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(model::NODE))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                op: DiffOp::Delete,
                paths: vec!["/".into()],
                note: "its node is no longer in the workflow".into(),
            });
        }
        Ok(KubeDiff {
            project: p.name.clone(),
            namespace: p.namespace.clone(),
            objects,
        })
    }

    /// Checks before anything is written: every kind is served (or comes from a CRD of the
    /// workflow), and the credentials may do what the deploy needs, asked with
    /// SelfSubjectAccessReviews (the missing verbs are named).
    /// Pre-flight: every kind is served, or comes from a CRD of the workflow (`CRD_MISSING`).
    fn served_check(
        &self,
        p: &KubeProject,
        missing: &[(&KubeStep, &KubeObject)],
    ) -> Result<(), DeployError> {
        // custom resources whose CRD the workflow itself creates are fine
        let crds: BTreeSet<(String, String)> = p
            .objects()
            .filter(|(_, o)| o.kind == "CustomResourceDefinition")
            .filter_map(|(_, o)| {
                let group = o.body.pointer("/spec/group")?.as_str()?.to_owned();
                let kind = o.body.pointer("/spec/names/kind")?.as_str()?.to_owned();
                Some((group, kind))
            })
            .collect();
        let mut unserved = Vec::new();
        for (st, o) in missing {
            let group = o
                .api_version
                .split_once('/')
                .map_or("", |(g, _)| g)
                .to_owned();
            if !crds.contains(&(group, o.kind.clone())) {
                unserved.push(format!("{} {} of node {}", o.api_version, o.kind, st.name));
            }
        }
        if !unserved.is_empty() {
            return Err(DeployError::new(
                ErrorCode::CrdMissing,
                format!(
                    "the cluster at {} does not serve {}: install the CRDs first (Argo Rollouts for Canary/BlueGreen strategies, the Prometheus Operator for Observability), or leave those nodes out",
                    self.url,
                    unserved.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Pre-flight: the project's namespace exists (AppGroup namespaces are created by the
    /// deploy).
    async fn namespace_check(&self, p: &KubeProject) -> Result<(), DeployError> {
        let nsapi: Api<DynamicObject> = Api::all_with(
            self.client.clone(),
            &ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&()),
        );
        match nsapi.get_opt(&p.namespace).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(DeployError::new(
                    ErrorCode::Option,
                    format!(
                        "namespace {} does not exist on {}: create it (kubectl create namespace {}) or name another with --namespace",
                        p.namespace, self.url, p.namespace
                    ),
                ));
            }
            // may not read namespaces: the access reviews below tell what matters
            Err(::kube::Error::Api(s)) if s.code == 403 => {}
            Err(e) => return Err(api_error(&self.url, "reading the project's namespace", e)),
        }
        Ok(())
    }

    /// Whether the credentials may do anything anywhere (a cluster-wide binding to a role of
    /// `*` verbs on `*` resources of `*` groups, as `cluster-admin`): one access review that
    /// answers every question of [`Kube::permissions`] at once. RBAC matches a `*` request only
    /// with `*` rules, and a cluster-wide question only with cluster-wide bindings.
    async fn may_do_anything(&self) -> bool {
        use k8s_openapi::api::authorization::v1 as authz;
        let api: Api<authz::SelfSubjectAccessReview> = Api::all(self.client.clone());
        let review = authz::SelfSubjectAccessReview {
            spec: authz::SelfSubjectAccessReviewSpec {
                resource_attributes: Some(authz::ResourceAttributes {
                    group: Some("*".into()),
                    resource: Some("*".into()),
                    verb: Some("*".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        // an error here is not an answer: the detailed reviews ask again
        api.create(&Default::default(), &review)
            .await
            .ok()
            .and_then(|r| r.status)
            .is_some_and(|s| s.allowed)
    }

    /// Pre-flight: the permissions the deploy needs (get, list, watch, create, patch, delete on
    /// every resource and namespace it touches, and the revision Secrets); `FORBIDDEN` names
    /// what is missing.
    async fn permissions(
        &self,
        p: &KubeProject,
        targets: &[Target<'_>],
    ) -> Result<(), DeployError> {
        // (group, resource, namespace) → verbs
        let mut need: BTreeSet<(String, String, String)> = BTreeSet::new();
        for t in targets {
            need.insert((
                t.ar.group.clone(),
                t.ar.plural.clone(),
                t.ns.clone().unwrap_or_default(),
            ));
        }
        need.insert((String::new(), "secrets".into(), p.namespace.clone()));
        let verbs = ["get", "list", "watch", "create", "patch", "delete"];
        let api: Api<k8s_openapi::api::authorization::v1::SelfSubjectAccessReview> =
            Api::all(self.client.clone());
        // One SelfSubjectRulesReview per namespace answers most questions at once; what its
        // rules do not allow (or a namespace whose rules are incomplete, e.g. a webhook
        // authorizer) and cluster-scoped resources are asked one by one.
        use k8s_openapi::api::authorization::v1 as authz;
        let nss: BTreeSet<String> = need
            .iter()
            .map(|n| n.2.clone())
            .filter(|n| !n.is_empty())
            .collect();
        let rapi: Api<authz::SelfSubjectRulesReview> = Api::all(self.client.clone());
        let reviews = futures_util::future::join_all(nss.iter().map(|ns| {
            let rapi = rapi.clone();
            async move {
                let review = authz::SelfSubjectRulesReview {
                    spec: authz::SelfSubjectRulesReviewSpec {
                        namespace: Some(ns.clone()),
                    },
                    ..Default::default()
                };
                (ns.clone(), rapi.create(&Default::default(), &review).await)
            }
        }))
        .await;
        let mut rules: BTreeMap<String, Vec<authz::ResourceRule>> = BTreeMap::new();
        for (ns, r) in reviews {
            match r {
                Ok(rv) => {
                    if let Some(st) = rv.status.filter(|st| !st.incomplete) {
                        rules.insert(ns, st.resource_rules);
                    }
                }
                Err(e) => {
                    return Err(api_error(
                        &self.url,
                        "asking for permissions (SelfSubjectRulesReview)",
                        e,
                    ));
                }
            }
        }
        let by_rules = |g: &str, r: &str, ns: &str, v: &str| {
            let any = |list: &Option<Vec<String>>, x: &str| {
                list.as_ref()
                    .is_some_and(|l| l.iter().any(|i| i == "*" || i == x))
            };
            rules.get(ns).is_some_and(|rs| {
                rs.iter().any(|rule| {
                    rule.verbs.iter().any(|x| x == "*" || x == v)
                        && any(&rule.api_groups, g)
                        && any(&rule.resources, r)
                        && rule.resource_names.as_ref().is_none_or(|n| n.is_empty())
                })
            })
        };
        let mut asks = Vec::new();
        for (g, r, ns) in &need {
            for v in verbs {
                if !ns.is_empty() && by_rules(g, r, ns, v) {
                    continue;
                }
                asks.push((g.clone(), r.clone(), ns.clone(), v));
            }
        }
        let results: Vec<Result<(String, bool), DeployError>> =
            futures_util::stream::iter(asks.into_iter().map(|(g, r, ns, v)| {
                let api = api.clone();
                async move {
                    let review = k8s_openapi::api::authorization::v1::SelfSubjectAccessReview {
                        spec: k8s_openapi::api::authorization::v1::SelfSubjectAccessReviewSpec {
                            resource_attributes: Some(
                                k8s_openapi::api::authorization::v1::ResourceAttributes {
                                    group: Some(g.clone()),
                                    resource: Some(r.clone()),
                                    namespace: (!ns.is_empty()).then(|| ns.clone()),
                                    verb: Some(v.to_owned()),
                                    ..Default::default()
                                },
                            ),
                            ..Default::default()
                        },
                        ..Default::default()
                    };
                    let what = if g.is_empty() {
                        r.clone()
                    } else {
                        format!("{r}.{g}")
                    };
                    let where_ = if ns.is_empty() {
                        "cluster-wide".to_owned()
                    } else {
                        format!("in namespace {ns}")
                    };
                    let res = api
                        .create(&Default::default(), &review)
                        .await
                        .map_err(|e| {
                            api_error(
                                &self.url,
                                "asking for permissions (SelfSubjectAccessReview)",
                                e,
                            )
                        })?;
                    let allowed = res.status.map(|s| s.allowed).unwrap_or(false);
                    Ok((format!("{v} {what} {where_}"), allowed))
                }
            }))
            .buffer_unordered(16)
            .collect()
            .await;
        let mut denied = Vec::new();
        for r in results {
            let (what, ok) = r?;
            if !ok {
                denied.push(what);
            }
        }
        if !denied.is_empty() {
            crate::sort::sort(&mut denied);
            return Err(DeployError::new(
                ErrorCode::Forbidden,
                format!(
                    "the credentials in use may not: {} (nothing was applied; grant them with a Role/ClusterRole and binding)",
                    denied.join("; ")
                ),
            ));
        }
        Ok(())
    }

    /// The live ResourceQuotas of `namespaces` (listed at once): namespace → (name, hard,
    /// used). A namespace whose quotas may not be read has none here.
    async fn quotas(&self, namespaces: &[String]) -> Result<Quotas, DeployError> {
        let rq = &ApiResource::erase::<k8s_openapi::api::core::v1::ResourceQuota>(&());
        let lists = futures_util::future::join_all(namespaces.iter().map(|ns| async move {
            (
                ns,
                self.api(rq, Some(ns)).list(&ListParams::default()).await,
            )
        }))
        .await;
        let mut out = Quotas::new();
        for (ns, r) in lists {
            let quotas = out.entry(ns.clone()).or_default();
            match r {
                Ok(l) => {
                    for q in &l.items {
                        let v = to_value(q);
                        quotas.push((
                            q.metadata.name.clone().unwrap_or_default(),
                            v.pointer("/status/hard").cloned().unwrap_or(Value::Null),
                            v.pointer("/status/used").cloned().unwrap_or(Value::Null),
                        ));
                    }
                }
                Err(e) if not_found(&e) => {}
                Err(::kube::Error::Api(s)) if s.code == 403 => {}
                Err(e) => {
                    return Err(api_error(
                        &self.url,
                        &format!("listing the quotas of {ns}"),
                        e,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Refuses a deploy whose new workloads do not fit a ResourceQuota of their namespace
    /// (a live quota's `hard − used`, or a quota the workflow itself creates), naming the
    /// namespace, the quota, the resource and the numbers.
    fn quota_check(
        p: &KubeProject,
        targets: &[Target<'_>],
        live: &Live,
        live_quotas: &Quotas,
    ) -> Result<(), DeployError> {
        let new: Vec<(&KubeObject, String)> = targets
            .iter()
            .filter(|t| !live.contains_key(&t.key()))
            .filter_map(|t| Some((t.obj, t.ns.clone()?)))
            .collect();
        let need = model::requests_by_namespace(&new);
        let mut over = Vec::new();
        for (ns, want) in &need {
            let mut quotas = live_quotas.get(ns).cloned().unwrap_or_default();
            for (_, o) in p.objects() {
                if o.kind == "ResourceQuota"
                    && o.namespace.as_deref().unwrap_or(&p.namespace) == ns
                    && !quotas.iter().any(|q| q.0 == o.name)
                {
                    quotas.push((
                        o.name.clone(),
                        o.body.pointer("/spec/hard").cloned().unwrap_or(Value::Null),
                        Value::Null,
                    ));
                }
            }
            for (name, hard, used) in &quotas {
                for (key, aliases) in [
                    ("pods", &["pods"][..]),
                    ("requests.cpu", &["requests.cpu", "cpu"][..]),
                    ("requests.memory", &["requests.memory", "memory"][..]),
                    ("limits.cpu", &["limits.cpu"][..]),
                    ("limits.memory", &["limits.memory"][..]),
                ] {
                    let Some(n) = want.get(key).copied().filter(|n| *n > 0.0) else {
                        continue;
                    };
                    for a in aliases {
                        let q = |v: &Value| {
                            v.get(*a)
                                .and_then(Value::as_str)
                                .and_then(model::parse_quantity)
                        };
                        let Some(h) = q(hard) else { continue };
                        let u = q(used).unwrap_or(0.0);
                        if n > h - u + 1e-9 {
                            over.push(format!(
                                "namespace {ns}, ResourceQuota {name}: {a} needs {} more, {} left of {}",
                                quantity(key, n),
                                quantity(key, (h - u).max(0.0)),
                                quantity(key, h)
                            ));
                        }
                    }
                }
            }
        }
        if over.is_empty() {
            Ok(())
        } else {
            Err(DeployError::new(
                ErrorCode::Quota,
                format!(
                    "the new workloads do not fit their namespace's quota (nothing was applied): {}",
                    over.join("; ")
                ),
            ))
        }
    }

    // ------------------------------------------------------------------ deploy

    /// Deploys a workflow: pre-flight, a new revision, wave after wave, prune. Fails before any
    /// write for a workflow with errors, bad options, missing CRDs or permissions; a deployment
    /// that fails in the cluster is an `Ok` status with `status: failed`.
    pub async fn deploy(
        &self,
        workflow: &Workflow,
        options: &KubeOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
    ) -> Result<DeploymentStatus, DeployError> {
        let p = self.project(workflow, options)?;
        self.deploy_project(workflow, &p, options, events, cancel, None)
            .await
    }

    /// Deploys revision `to` (default: the newest successful one before the current) again, as
    /// a new revision, through the normal path. A Job already in the cluster is never run again
    /// by a rollback, and a rollback past a revision whose changed Job ran is refused (a
    /// migration is not undone by restarting old code).
    pub async fn rollback(
        &self,
        project: &str,
        to: Option<u64>,
        options: &KubeOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
    ) -> Result<DeploymentStatus, DeployError> {
        let ns = options
            .project
            .namespace
            .clone()
            .unwrap_or_else(|| self.namespace.clone());
        let h = self.history(project, Some(&ns)).await?;
        let target = h.rollback_target(to).map_err(|why| {
            DeployError::new(
                ErrorCode::NoHistory,
                format!("project {project:?} {why} in namespace {ns}"),
            )
        })?;
        let wf = target.workflow()?;
        let mut opts = options.clone();
        opts.project.name = Some(project.to_owned());
        opts.project.namespace = Some(ns);
        let p = self.project(&wf, &opts)?;
        // never past a Job that ran with a spec the target does not have
        let job_hash = |p: &KubeProject, node: &str| {
            p.objects()
                .find(|(s, o)| s.node_id == node && o.is_job())
                .map(|(_, o)| o.hash.clone())
        };
        for later in h.revisions.iter().filter(|r| r.revision > target.revision) {
            if later.jobs_ran.is_empty() {
                continue;
            }
            let Ok(lwf) = later.workflow() else { continue };
            let Ok(lp) = self.project(&lwf, &opts) else {
                continue;
            };
            for job in &later.jobs_ran {
                if job_hash(&lp, job) != job_hash(&p, job) {
                    let name = lp
                        .steps
                        .iter()
                        .find(|s| &s.node_id == job)
                        .map_or(job.as_str(), |s| s.name.as_str());
                    return Err(DeployError::new(
                        ErrorCode::RollbackRefused,
                        format!(
                            "not rolled back to revision {}: the Job {name} ran in revision {} with a spec revision {} does not have (a migration is not undone by restarting old code); fix forward, or deploy the old workflow on purpose",
                            target.revision, later.revision, target.revision
                        ),
                    ));
                }
            }
        }
        self.deploy_project(&wf, &p, &opts, events, cancel, Some(target.revision))
            .await
    }

    async fn deploy_project(
        &self,
        workflow: &Workflow,
        p: &KubeProject,
        options: &KubeOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
        rollback_of: Option<u64>,
    ) -> Result<DeploymentStatus, DeployError> {
        // Read-only until the first record, in one round: discovery and then at once the
        // members of the project's own kinds and namespaces, the parent, the history, the
        // namespace check, the access review and the quotas. A second round only when needed:
        // the permission reviews (unless any verb is allowed) and the members of kinds or
        // namespaces that only the parent names (a removed node's).
        let (own_gks, own_nss) = (p.group_kinds(), p.namespaces());
        let (tg, parent, history, namespace, anything, quotas) = tokio::join!(
            async {
                let (targets, missing) = self.targets(p, false).await?;
                let live = self.members(&p.applyset_id, &own_gks, &own_nss).await;
                Ok::<_, DeployError>((targets, missing, live))
            },
            self.parent(p),
            self.history(&p.name, Some(&p.namespace)),
            self.namespace_check(p),
            self.may_do_anything(),
            self.quotas(&own_nss)
        );
        let (targets, missing, live) = tg?;
        self.served_check(p, &missing)?;
        namespace?;
        let (parent, history) = (parent?, history?);
        let (old_gks, old_nss) = Self::parent_sets(parent.as_ref());
        let gks = union(&own_gks, &old_gks);
        let nss = union(&own_nss, &old_nss);
        let (allowed, more) = tokio::join!(
            async {
                if anything {
                    Ok(())
                } else {
                    self.permissions(p, &targets).await
                }
            },
            async {
                // what the first round did not list: the parent's other kinds everywhere,
                // the project's kinds in the parent's other namespaces
                let (other_gks, other_nss) = (minus(&gks, &own_gks), minus(&nss, &own_nss));
                let (a, b) = tokio::join!(
                    self.members(&p.applyset_id, &other_gks, &nss),
                    self.members(&p.applyset_id, &own_gks, &other_nss)
                );
                let mut m = a?;
                m.extend(b?);
                Ok::<_, DeployError>(m)
            }
        );
        // the pre-flight's findings first: they name what is missing
        allowed?;
        let mut live = live?;
        live.extend(more?);
        Self::quota_check(p, &targets, &live, &quotas?)?;
        let deployment_id = uuid_v4();
        let revision = history.next_revision();
        let em = Emitter::new(
            &deployment_id,
            revision,
            DeployTarget::Kubernetes,
            events,
            p.secret_values.clone(),
        );
        let max = options
            .history_max
            .unwrap_or(crate::deploy::DEFAULT_HISTORY_MAX);
        let mut rec = Revision::new(revision, &deployment_id, workflow, options.to_json(), now());
        rec.rollback_of = rollback_of;
        // the parent names the union first, so that an interrupted deploy is still found
        // (written only when that changes what it names), with the revision's first record
        let names = |g: &[String], n: &[String]| {
            let extra: Vec<&String> = n.iter().filter(|x| **x != p.namespace).collect();
            let mut extra_old: Vec<&String> =
                old_nss.iter().filter(|x| **x != p.namespace).collect();
            extra_old.dedup();
            parent.is_none() || g != old_gks.as_slice() || extra != extra_old
        };
        // Nothing to apply and nothing to prune: nothing can be left half-done, so the record
        // is written once, at the end.
        let desired: BTreeSet<String> = targets.iter().map(Target::key).collect();
        let idle = missing.is_empty()
            && !names(&gks, &nss)
            && live.keys().all(|k| desired.contains(k))
            && targets.iter().all(|t| {
                let op = model::object_op(t.obj, live.get(&t.key()));
                op == ObjectOp::Unchanged || (rollback_of.is_some() && op == ObjectOp::Recreate)
            });
        if !idle {
            let (recorded, named) = tokio::join!(self.write_record(p, &rec, max, &[]), async {
                if names(&gks, &nss) {
                    self.write_parent(p, &gks, &nss).await
                } else {
                    Ok(())
                }
            });
            recorded?;
            named?;
        }
        let run = Run {
            k: self,
            p,
            em: &em,
            live: &live,
            jobs_ran: Mutex::new(Vec::new()),
            rollback: rollback_of.is_some(),
            force_replace: options.force_replace,
            concurrency: options.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
            no_wait: options.no_wait,
            held: Mutex::new(None),
            step_timeout: options
                .step_timeout
                .unwrap_or(Duration::from_secs(p.policy.step_timeout_seconds)),
        };
        em.emit(EventBody::Started {
            workflow_id: p.workflow_id.clone(),
            project: p.name.clone(),
            nodes: p.planned_nodes(),
            total_waves: p.total_waves,
            rollback_of,
        });
        let total = options
            .timeout
            .unwrap_or(Duration::from_secs(p.policy.total_timeout_seconds));
        let res = tokio::select! {
            r = run.waves(cancel) => r,
            _ = tokio::time::sleep(total) => Ok(Some((Reason::Timeout, format!("the deploy did not finish within {}", human(total))))),
            _ = cancel.cancelled() => Ok(Some((Reason::Cancelled, "cancelled".to_owned()))),
        };
        // after a prune, the parent names only what is there (written with the last record)
        let mut rename = false;
        let end = match res {
            Err(e) => Some((Reason::Error, e.message)),
            Ok(None) => match run.prune().await {
                Ok(()) => {
                    rename = own_gks != gks || own_nss != nss;
                    None
                }
                Err(e) => Some((Reason::Error, e.message)),
            },
            Ok(some) => some,
        };
        if let Some((_, why)) = &end {
            run.skip_rest(why);
        }
        rec.jobs_ran = run.jobs_ran.lock().expect("jobs").clone();
        rec.outcome = if end.is_none() {
            RevisionOutcome::Success
        } else {
            RevisionOutcome::Failed
        };
        rec.message = match &end {
            Some((_, m)) => em.redact(m),
            None => format!("revision {revision} deployed"),
        };
        rec.finished_at = Some(now());
        let kept: Vec<u64> = history.revisions.iter().map(|r| r.revision).collect();
        let (recorded, named) = tokio::join!(self.write_record(p, &rec, max, &kept), async {
            if rename {
                self.write_parent(p, &own_gks, &own_nss).await
            } else {
                Ok(())
            }
        });
        recorded?;
        named?;
        let Some((failed, why)) = end else {
            em.emit(EventBody::Finished {
                outcome: Outcome::Success,
                reason: None,
                message: format!("revision {revision} deployed"),
            });
            return Ok(em.status());
        };
        let wants = options.rollback_on_failure
            || p.policy.error_handling == ErrorHandling::RollbackOnError;
        if !wants || rollback_of.is_some() {
            em.emit(EventBody::Finished {
                outcome: Outcome::Failed,
                reason: Some(failed),
                message: why,
            });
            return Ok(em.status());
        }
        let prev = history.previous_success(revision).cloned();
        if let Some(message) = super::no_auto_rollback(
            &why,
            &rec.jobs_ran,
            p.steps
                .iter()
                .map(|s| (s.node_id.as_str(), s.name.as_str())),
            prev.as_ref(),
        ) {
            em.emit(EventBody::Finished {
                outcome: Outcome::Failed,
                reason: Some(failed),
                message,
            });
            return Ok(em.status());
        }
        let Some(prev) = prev else {
            return Ok(em.status());
        };
        em.emit(EventBody::RollbackStarted {
            to_revision: prev.revision,
            new_revision: revision + 1,
        });
        let mut opts = options.clone();
        opts.rollback_on_failure = false;
        opts.project.name = Some(p.name.clone());
        opts.project.namespace = Some(p.namespace.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let inner = Box::pin(self.rollback(&p.name, Some(prev.revision), &opts, Some(tx), cancel));
        // the rollback's events go to the same stream, under their own revision
        let forward = async {
            while let Some(ev) = rx.recv().await {
                em.forward(ev);
            }
        };
        let (r, ()) = tokio::join!(inner, forward);
        super::finish_after_rollback(&em, failed, &why, revision, prev.revision, r);
        Ok(em.status())
    }

    // ------------------------------------------------------------------ status, delete

    /// The §5.3 status of a project's current revision, read from the cluster now: each node's
    /// objects through their gates.
    pub async fn status(
        &self,
        project: &str,
        namespace: Option<&str>,
    ) -> Result<DeploymentStatus, DeployError> {
        let ns = namespace.unwrap_or(&self.namespace).to_owned();
        let h = self.history(project, Some(&ns)).await?;
        let rev = h.current().cloned().ok_or_else(|| {
            DeployError::new(
                ErrorCode::NoHistory,
                format!("project {project:?} has no revisions in namespace {ns}"),
            )
        })?;
        let wf = rev.workflow()?;
        let opts = KubeOptions {
            project: KubeProjectOptions {
                name: Some(project.to_owned()),
                namespace: Some(ns),
                kubernetes_version: rev
                    .options
                    .get("kubernetesVersion")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            ..KubeOptions::default()
        };
        let p = self.project(&wf, &opts)?;
        let parent = self.parent(&p).await?;
        let live = self.inventory(&p, parent.as_ref()).await?;
        let (targets, _) = self.targets(&p, false).await?;
        let em = Emitter::new(
            &rev.deployment_id,
            rev.revision,
            DeployTarget::Kubernetes,
            None,
            p.secret_values.clone(),
        );
        em.emit(EventBody::Started {
            workflow_id: p.workflow_id.clone(),
            project: p.name.clone(),
            nodes: p.planned_nodes(),
            total_waves: p.total_waves,
            rollback_of: rev.rollback_of,
        });
        let t = now().0;
        let mut all_ready = true;
        for st in &p.steps {
            let mut verdict = (EventStatus::Succeeded, None, "ready".to_owned());
            for tg in targets.iter().filter(|tg| std::ptr::eq(tg.step, st)) {
                let v = match live.get(&tg.key()) {
                    None => (
                        EventStatus::Pending,
                        Some("Missing".to_owned()),
                        format!(
                            "{} is missing",
                            label(&tg.obj.kind, tg.ns.as_deref(), &tg.obj.name)
                        ),
                    ),
                    Some(obj) => {
                        let g = health::gate(obj, t);
                        match g.verdict {
                            Verdict::Ready => continue,
                            Verdict::Waiting => {
                                (EventStatus::InProgress, Some(g.reason), g.message)
                            }
                            Verdict::Failed => (EventStatus::Failed, Some(g.reason), g.message),
                        }
                    }
                };
                verdict = v;
                break;
            }
            all_ready &= verdict.0 == EventStatus::Succeeded;
            em.emit(EventBody::Step {
                wave: st.wave,
                node_id: st.node_id.clone(),
                object: None,
                action: Action::Wait,
                status: verdict.0,
                reason: verdict.1,
                message: verdict.2,
                progress: em.progress(),
            });
        }
        match rev.outcome {
            RevisionOutcome::Success if all_ready => em.emit(EventBody::Finished {
                outcome: Outcome::Success,
                reason: None,
                message: rev.message.clone(),
            }),
            RevisionOutcome::Failed => em.emit(EventBody::Finished {
                outcome: Outcome::Failed,
                reason: Some(Reason::Error),
                message: rev.message.clone(),
            }),
            _ => {}
        }
        Ok(em.status())
    }

    /// Follows a project's status: calls `on_change` with the first status and again after
    /// every change the cluster reports, until `cancel` or `on_change` returns false. The
    /// changes come from watches on the set's members (every group-kind and namespace its
    /// parent names) and on its revision records; a new revision opens the watches again (it
    /// may name new kinds). Time-based verdicts are looked at again every few seconds.
    pub async fn watch(
        &self,
        project: &str,
        namespace: Option<&str>,
        cancel: &Cancel,
        mut on_change: impl FnMut(&DeploymentStatus) -> bool,
    ) -> Result<(), DeployError> {
        #[derive(PartialEq)]
        enum Seen {
            Member,
            Record,
            Ended,
        }
        let ns = namespace.unwrap_or(&self.namespace).to_owned();
        let secrets = ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&());
        // what a person sees: the same status read again at another time is no change
        let view = |s: &DeploymentStatus| {
            let mut v = s.clone();
            v.started_at = None;
            v.finished_at = None;
            v.duration_ms = None;
            v.last_seq = 0;
            v
        };
        let mut last: Option<DeploymentStatus> = None;
        loop {
            let (_, id, gks, nss) = self.project_set(project, &ns).await?;
            let mut streams: Vec<futures_util::stream::BoxStream<'static, Seen>> = Vec::new();
            // a record written or removed after the watch began is a new revision (the
            // watch's first listing is not)
            let tag = |s: Seen| {
                move |e: Result<watcher::Event<DynamicObject>, watcher::Error>| match (&s, e) {
                    (Seen::Record, Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_))) => {
                        Seen::Record
                    }
                    _ => Seen::Member,
                }
            };
            let members = watcher::Config::default().labels(&format!("{PART_OF}={id}"));
            for gk in &gks {
                let Some((ar, namespaced)) = self.resolve_gk(gk).await? else {
                    continue;
                };
                let scopes: Vec<Option<&str>> = if namespaced {
                    nss.iter().map(|n| Some(n.as_str())).collect()
                } else {
                    vec![None]
                };
                for scope in scopes {
                    let api = self.api(&ar, scope);
                    streams.push(
                        watcher::watcher(api, members.clone())
                            .map(tag(Seen::Member))
                            .boxed(),
                    );
                }
            }
            let records =
                watcher::Config::default().labels(&format!("{}={project}", model::REVISION_OF));
            streams.push(
                watcher::watcher(self.api(&secrets, Some(ns.as_str())), records)
                    .map(tag(Seen::Record))
                    .boxed(),
            );
            // never ends by itself: a stream that does is a closed connection
            streams.push(futures_util::stream::pending().boxed());
            let mut changes = futures_util::stream::select_all(streams);
            let every = Duration::from_secs(5);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let s = self.status(project, Some(ns.as_str())).await?;
                let v = view(&s);
                if last.as_ref() != Some(&v) {
                    if !on_change(&s) {
                        return Ok(());
                    }
                    last = Some(v);
                }
                let seen = tokio::select! {
                    e = changes.next() => e.unwrap_or(Seen::Ended),
                    _ = tick.tick() => Seen::Member,
                    _ = cancel.cancelled() => return Ok(()),
                };
                // a burst of changes is read once
                let mut record = seen == Seen::Record;
                let settle = tokio::time::sleep(Duration::from_millis(100));
                tokio::pin!(settle);
                loop {
                    tokio::select! {
                        Some(e) = changes.next() => record |= e == Seen::Record,
                        _ = &mut settle => break,
                    }
                }
                if record || seen == Seen::Ended {
                    break; // a new revision may name other kinds: watch again
                }
            }
        }
    }

    /// Removes every member of a project (background propagation: no orphaned pods), its
    /// revision records and its parent. Namespaces and CRDs go last.
    pub async fn delete(
        &self,
        project: &str,
        namespace: Option<&str>,
    ) -> Result<DeleteReport, DeployError> {
        let ns = namespace.unwrap_or(&self.namespace).to_owned();
        let (parent, id, gks, nss) = self.project_set(project, &ns).await?;
        let live = self.members(&id, &gks, &nss).await?;
        let mut report = DeleteReport::default();
        let mut order: Vec<&Value> = live.values().collect();
        order.sort_by_key(|v| delete_rank(v.get("kind").and_then(Value::as_str).unwrap_or("")));
        for v in order {
            report.objects.push(self.delete_object(v).await?);
        }
        let h = self.history(project, Some(&ns)).await?;
        let api: Api<DynamicObject> = Api::namespaced_with(
            self.client.clone(),
            &ns,
            &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
        );
        for r in &h.revisions {
            match api
                .delete(
                    &Self::record_name(project, r.revision),
                    &DeleteParams::background(),
                )
                .await
            {
                Ok(_) => report.revisions += 1,
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(api_error(&self.url, "deleting a revision record", e)),
            }
        }
        if parent.is_some() {
            match api
                .delete(&model::parent_name(project), &DeleteParams::background())
                .await
            {
                Ok(_) => report.parent = true,
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(api_error(&self.url, "deleting the parent Secret", e)),
            }
        }
        Ok(report)
    }

    /// Deletes one live object (background propagation); its `Kind/ns/name`.
    async fn delete_object(&self, v: &Value) -> Result<String, DeployError> {
        let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
        let ns = v.pointer("/metadata/namespace").and_then(Value::as_str);
        let name = v
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let what = label(kind, ns, name);
        let Some((ar, _)) = self.resolve(api_version, kind, false).await? else {
            return Ok(what);
        };
        match self
            .api(&ar, ns)
            .delete(name, &DeleteParams::background())
            .await
        {
            Ok(_) => Ok(what),
            Err(e) if not_found(&e) => Ok(what),
            Err(e) => Err(api_error(&self.url, &format!("deleting {what}"), e)),
        }
    }
}

/// Deletion order: members first, then what holds them (CRDs, namespaces).
fn delete_rank(kind: &str) -> u8 {
    match kind {
        "Namespace" => 3,
        "CustomResourceDefinition" => 2,
        "ResourceQuota" | "LimitRange" => 1,
        _ => 0,
    }
}

/// One deploy in progress.
struct Run<'a> {
    k: &'a Kube,
    p: &'a KubeProject,
    em: &'a Emitter,
    live: &'a Live,
    jobs_ran: Mutex<Vec<String>>,
    rollback: bool,
    force_replace: bool,
    concurrency: usize,
    step_timeout: Duration,
    no_wait: bool,
    /// `--no-wait`'s events, held until every object is applied and then reported wave by wave
    /// (node id, event).
    held: Mutex<Option<Vec<(String, EventBody)>>>,
}

/// `--no-wait`: what must exist before what, when nothing waits for readiness. 0: namespaces
/// and CRDs (a CRD is awaited `Established`); 1: what pods and their admission refer to
/// (quotas and limit ranges, network policies, service accounts and RBAC, configuration,
/// volumes, services); 2: the rest (workloads, ingresses, custom resources…).
fn no_wait_tier(kind: &str) -> usize {
    match kind {
        "Namespace" | "CustomResourceDefinition" => 0,
        "ResourceQuota"
        | "LimitRange"
        | "NetworkPolicy"
        | "ServiceAccount"
        | "Role"
        | "ClusterRole"
        | "RoleBinding"
        | "ClusterRoleBinding"
        | "ConfigMap"
        | "Secret"
        | "PersistentVolumeClaim"
        | "PersistentVolume"
        | "StorageClass"
        | "PriorityClass"
        | "Service" => 1,
        _ => 2,
    }
}

/// The last message of a step that `--no-wait` applied.
const NOT_WAITED: &str = "applied (not waited for: --no-wait)";

/// An applied object that must pass its gate.
struct Pending<'p> {
    t: Target<'p>,
    latest: Value,
    last: Option<(Verdict, String, String)>,
    /// When this deploy applied it (ms; `None`: left unchanged): older pods of a workload are
    /// an earlier revision's, whose signals are not this deploy's.
    since: Option<u64>,
}

impl Pending<'_> {
    /// The pods of this workload that belong to this deploy.
    fn pods<'v>(&self, pods: &'v BTreeMap<String, Value>) -> Vec<&'v Value> {
        let floor = self.since.map_or(0, |ms| ms / 1000 * 1000);
        pods.values()
            .filter(|p| selects(&self.latest, p))
            .filter(|p| {
                p.pointer("/metadata/creationTimestamp")
                    .and_then(Value::as_str)
                    .and_then(crate::deploy::parse_rfc3339)
                    .is_none_or(|t| t >= floor)
            })
            .collect()
    }
}

impl<'a> Run<'a> {
    fn step_event(
        &self,
        st: &KubeStep,
        object: Option<ObjectRef>,
        action: Action,
        status: EventStatus,
        reason: Option<String>,
        message: String,
    ) {
        let body = EventBody::Step {
            wave: st.wave,
            node_id: st.node_id.clone(),
            object,
            action,
            status,
            reason,
            message,
            progress: self.em.progress(),
        };
        match self.held.lock().expect("held").as_mut() {
            Some(held) => held.push((st.node_id.clone(), body)),
            None => self.em.emit(body),
        }
    }

    fn skip_rest(&self, why: &str) {
        let s = self.em.status();
        for n in s.nodes.iter().filter(|n| !n.status.is_terminal()) {
            self.em.emit(EventBody::Step {
                wave: n.wave,
                node_id: n.node_id.clone(),
                object: None,
                action: Action::Skip,
                status: EventStatus::Skipped,
                reason: Some("DeployStopped".into()),
                message: format!("not deployed: {why}"),
                progress: self.em.progress(),
            });
        }
    }

    async fn waves(&self, cancel: &Cancel) -> Result<Option<(Reason, String)>, DeployError> {
        // a policy that retries keeps to the waves (a retry is per step and wave)
        if self.no_wait && self.p.policy.error_handling != ErrorHandling::RetryOnError {
            return Ok(self.tiers(cancel).await);
        }
        let mut failed: Vec<String> = Vec::new();
        let mut first: Option<(Reason, String)> = None;
        let cont = self.p.policy.error_handling == ErrorHandling::ContinueOnError;
        for w in 0..self.p.total_waves {
            if cancel.is_cancelled() {
                return Ok(Some((Reason::Cancelled, "cancelled".into())));
            }
            self.em.emit(EventBody::WaveStarted { wave: w });
            let steps: Vec<&KubeStep> = self.p.steps.iter().filter(|s| s.wave == w).collect();
            let mut ends: BTreeMap<&str, StepEnd> = BTreeMap::new();
            let mut runnable = Vec::new();
            for st in &steps {
                if let Some(b) = st.depends_on.iter().find(|d| failed.contains(d)) {
                    ends.insert(
                        &st.node_id,
                        StepEnd::Skipped(format!("skipped: it depends on {b}, which failed")),
                    );
                } else {
                    runnable.push(*st);
                }
            }
            let mut attempt = 1;
            let pol = self.p.policy;
            let attempts = if pol.error_handling == ErrorHandling::RetryOnError {
                pol.max_attempts.max(1)
            } else {
                1
            };
            let mut delay = Duration::from_secs(pol.initial_delay_seconds);
            loop {
                let got = self.run_steps(&runnable, cancel).await?;
                let mut retry = Vec::new();
                for (st, end) in runnable.iter().zip(got) {
                    if let StepEnd::Failed { message, .. } = &end
                        && attempt < attempts
                        && !cancel.is_cancelled()
                    {
                        self.step_event(st, None, Action::Apply, EventStatus::InProgress, Some("Retrying".into()),
                            format!("attempt {attempt} of {attempts} failed ({message}); retrying in {}", human(delay)));
                        retry.push(*st);
                        continue;
                    }
                    ends.insert(&st.node_id, end);
                }
                if retry.is_empty() {
                    break;
                }
                tokio::time::sleep(delay).await;
                if pol.exponential {
                    delay *= 2;
                }
                attempt += 1;
                runnable = retry;
            }
            let mut wave_failed = false;
            for st in &steps {
                match ends.remove(st.node_id.as_str()).unwrap_or(StepEnd::Ready) {
                    StepEnd::Ready => self.step_event(
                        st,
                        None,
                        Action::Wait,
                        EventStatus::Succeeded,
                        None,
                        if self.no_wait { NOT_WAITED } else { "ready" }.into(),
                    ),
                    StepEnd::Skipped(msg) => {
                        failed.push(st.node_id.clone());
                        self.step_event(
                            st,
                            None,
                            Action::Skip,
                            EventStatus::Skipped,
                            Some("DependencyFailed".into()),
                            msg,
                        );
                    }
                    StepEnd::Failed {
                        reason,
                        message,
                        timed_out,
                    } => {
                        wave_failed = true;
                        failed.push(st.node_id.clone());
                        self.step_event(
                            st,
                            None,
                            Action::Wait,
                            if timed_out {
                                EventStatus::TimedOut
                            } else {
                                EventStatus::Failed
                            },
                            Some(reason),
                            message.clone(),
                        );
                        if first.is_none() {
                            first = Some((
                                if timed_out {
                                    Reason::Timeout
                                } else {
                                    Reason::Error
                                },
                                format!("{} failed: {message}", st.name),
                            ));
                        }
                    }
                }
            }
            self.em.emit(EventBody::WaveFinished {
                wave: w,
                status: if wave_failed {
                    EventStatus::Failed
                } else {
                    EventStatus::Succeeded
                },
            });
            if wave_failed && !cont {
                return Ok(first);
            }
        }
        Ok(first)
    }

    /// `--no-wait`: every object applied in the order of [`no_wait_tier`] only, a tier's objects
    /// all at once (bounded), since the waves' order buys nothing when nothing waits for
    /// readiness (as `kubectl apply`, and much faster: no wave waits for the slowest apply of
    /// the one before). The events are then reported wave by wave, as a gated deploy reports
    /// them. A failed object fails its step; later tiers are not applied (with
    /// `continueOnError` they are, except for the failed steps and those that depend on them).
    async fn tiers(&self, cancel: &Cancel) -> Option<(Reason, String)> {
        *self.held.lock().expect("held") = Some(Vec::new());
        let p: &'a KubeProject = self.p;
        let steps: &'a [KubeStep] = &p.steps;
        let cont = self.p.policy.error_handling == ErrorHandling::ContinueOnError;
        let mut ends: BTreeMap<usize, StepEnd> = BTreeMap::new();
        let mut stopped: Option<(Reason, String)> = None;
        let mut last_tier = 0;
        for tier in 0..3 {
            last_tier = tier;
            // a step that depends on one that failed (or was skipped) is skipped
            for (i, st) in steps.iter().enumerate() {
                if ends.contains_key(&i) {
                    continue;
                }
                let dep = st.depends_on.iter().find(|d| {
                    steps
                        .iter()
                        .position(|s| &s.node_id == *d)
                        .is_some_and(|j| ends.contains_key(&j))
                });
                if let Some(d) = dep {
                    ends.insert(
                        i,
                        StepEnd::Skipped(format!("skipped: it depends on {d}, which failed")),
                    );
                }
            }
            let work: Vec<(usize, usize, &'a KubeObject)> = steps
                .iter()
                .enumerate()
                .filter(|(i, _)| !ends.contains_key(i))
                .flat_map(|(i, st)| {
                    st.objects
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| no_wait_tier(&o.kind) == tier)
                        .map(move |(j, o)| (i, j, o))
                })
                .collect();
            let mut got: Vec<(usize, usize, Result<Option<Pending<'a>>, StepEnd>)> =
                futures_util::stream::iter(
                    work.into_iter().map(|(i, j, o)| async move {
                        (i, j, self.apply_object(&steps[i], o).await)
                    }),
                )
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
            // the first failed object of a step (in its order) is the step's failure
            got.sort_by_key(|(i, j, _)| (*i, *j));
            for (i, _, r) in got {
                if let Err(end) = r {
                    ends.entry(i).or_insert(end);
                }
            }
            if cancel.is_cancelled() {
                stopped = Some((Reason::Cancelled, "cancelled".into()));
                break;
            }
            if !cont && ends.values().any(|e| matches!(e, StepEnd::Failed { .. })) {
                break;
            }
        }
        let failed_first = steps
            .iter()
            .enumerate()
            .find_map(|(i, st)| match ends.get(&i) {
                Some(StepEnd::Failed {
                    message, timed_out, ..
                }) => Some((
                    if *timed_out {
                        Reason::Timeout
                    } else {
                        Reason::Error
                    },
                    format!("{} failed: {message}", st.name),
                )),
                _ => None,
            });
        // report, wave by wave
        let held = self.held.lock().expect("held").take().unwrap_or_default();
        for w in 0..self.p.total_waves {
            self.em.emit(EventBody::WaveStarted { wave: w });
            let mut wave_failed = false;
            for (i, st) in steps.iter().enumerate().filter(|(_, s)| s.wave == w) {
                let mut some_applied = false;
                for (_, body) in held.iter().filter(|(id, _)| *id == st.node_id) {
                    some_applied = true;
                    let mut body = body.clone();
                    if let EventBody::Step { progress, .. } = &mut body {
                        *progress = self.em.progress();
                    }
                    self.em.emit(body);
                }
                let (status, reason, message) = match ends.remove(&i) {
                    Some(StepEnd::Failed {
                        reason,
                        message,
                        timed_out,
                    }) => {
                        wave_failed = true;
                        let status = if timed_out {
                            EventStatus::TimedOut
                        } else {
                            EventStatus::Failed
                        };
                        (status, Some(reason), message)
                    }
                    Some(StepEnd::Skipped(msg)) => {
                        (EventStatus::Skipped, Some("DependencyFailed".into()), msg)
                    }
                    _ if st.objects.iter().any(|o| no_wait_tier(&o.kind) > last_tier) => (
                        EventStatus::Skipped,
                        Some("DeployStopped".into()),
                        if some_applied {
                            "stopped: another step failed before all of its objects were applied"
                        } else {
                            "skipped: another step failed before its objects were applied"
                        }
                        .into(),
                    ),
                    _ => (EventStatus::Succeeded, None, NOT_WAITED.into()),
                };
                let action = if status == EventStatus::Skipped {
                    Action::Skip
                } else {
                    Action::Wait
                };
                self.step_event(st, None, action, status, reason, message);
            }
            self.em.emit(EventBody::WaveFinished {
                wave: w,
                status: if wave_failed {
                    EventStatus::Failed
                } else {
                    EventStatus::Succeeded
                },
            });
        }
        stopped.or(failed_first)
    }

    /// Applies the steps (bounded concurrency), then waits for every gate of theirs.
    async fn run_steps(
        &self,
        steps: &[&'a KubeStep],
        cancel: &Cancel,
    ) -> Result<Vec<StepEnd>, DeployError> {
        let applied: Vec<Result<Vec<Pending<'a>>, StepEnd>> =
            futures_util::stream::iter(steps.iter().map(|st| self.apply_step(st)))
                .buffered(self.concurrency)
                .collect()
                .await;
        let mut ends: Vec<Option<StepEnd>> = Vec::new();
        let mut pending: Vec<(usize, Pending<'a>)> = Vec::new();
        for (i, r) in applied.into_iter().enumerate() {
            match r {
                Ok(ps) => {
                    ends.push(None);
                    pending.extend(ps.into_iter().map(|p| (i, p)));
                }
                Err(end) => ends.push(Some(end)),
            }
        }
        let failed_early = ends
            .iter()
            .any(|e| matches!(e, Some(StepEnd::Failed { .. })));
        let stop = self.p.policy.error_handling != ErrorHandling::ContinueOnError && failed_early;
        if !pending.is_empty() && !stop && !self.no_wait {
            let gate_ends = self.gates(pending, cancel).await?;
            for (i, e) in gate_ends {
                if ends[i].is_none() {
                    ends[i] = Some(e);
                }
            }
        }
        Ok(ends
            .into_iter()
            .map(|e| {
                e.unwrap_or(if stop {
                    StepEnd::Skipped("skipped: another step of its wave failed".into())
                } else {
                    StepEnd::Ready
                })
            })
            .collect())
    }

    /// Applies one step's objects in order; returns those whose gate does not hold yet.
    async fn apply_step(&self, st: &'a KubeStep) -> Result<Vec<Pending<'a>>, StepEnd> {
        let mut out = Vec::new();
        for obj in &st.objects {
            out.extend(self.apply_object(st, obj).await?);
        }
        Ok(out)
    }

    /// Applies one object of a step (unless it already matches); returns it when its gate does
    /// not hold yet (or it is a workload, whose pods are watched).
    async fn apply_object(
        &self,
        st: &'a KubeStep,
        obj: &'a KubeObject,
    ) -> Result<Option<Pending<'a>>, StepEnd> {
        let fail = |e: DeployError| StepEnd::Failed {
            reason: e.code.as_str().to_owned(),
            message: self.em.redact(&e.message),
            timed_out: false,
        };
        let resolved = match self
            .k
            .resolve(&obj.api_version, &obj.kind, false)
            .await
            .map_err(fail)?
        {
            Some(r) => Some(r),
            None => {
                // a kind of a CRD this deploy established: the API server serves it a
                // moment after `Established` (its discovery lags), so ask again, bounded
                let ours = self.p.objects().any(|(_, o)| {
                    o.kind == "CustomResourceDefinition"
                        && o.body.pointer("/spec/names/kind").and_then(Value::as_str)
                            == Some(obj.kind.as_str())
                });
                let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
                loop {
                    let r = self
                        .k
                        .resolve(&obj.api_version, &obj.kind, true)
                        .await
                        .map_err(fail)?;
                    if r.is_some() || !ours || tokio::time::Instant::now() >= deadline {
                        break r;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        let Some((ar, namespaced)) = resolved else {
            return Err(StepEnd::Failed {
                reason: "KindNotServed".into(),
                message: format!(
                    "the cluster does not serve {} {} (is its CRD installed?)",
                    obj.api_version, obj.kind
                ),
                timed_out: false,
            });
        };
        let t = Target {
            step: st,
            obj,
            ar,
            ns: namespaced.then(|| {
                obj.namespace
                    .clone()
                    .unwrap_or_else(|| self.p.namespace.clone())
            }),
        };
        let live = self.live.get(&t.key());
        let mut op = model::object_op(obj, live);
        if self.rollback && op == ObjectOp::Recreate {
            op = ObjectOp::Unchanged; // a rollback never runs a Job again
        }
        let api = self.k.api(&t.ar, t.ns.as_deref());
        let applied_at = now().0;
        let result: Value = match op {
            ObjectOp::Unchanged => {
                self.step_event(
                    st,
                    Some(t.reference()),
                    Action::Skip,
                    EventStatus::Succeeded,
                    Some("Unchanged".into()),
                    if obj.is_job() && self.rollback {
                        "unchanged: a rollback never runs a Job again".into()
                    } else {
                        "unchanged".into()
                    },
                );
                live.cloned().unwrap_or(Value::Null)
            }
            ObjectOp::Create | ObjectOp::Update => {
                self.step_event(
                    st,
                    Some(t.reference()),
                    Action::Apply,
                    EventStatus::InProgress,
                    None,
                    String::new(),
                );
                match self.apply(&t, &api).await {
                    Ok(v) => v,
                    Err(e) if e.code == ErrorCode::Immutable && self.force_replace => {
                        op = ObjectOp::Recreate;
                        self.recreate(&t, &api).await.map_err(fail)?
                    }
                    Err(e) if e.code == ErrorCode::Immutable => {
                        return Err(StepEnd::Failed {
                            reason: "Immutable".into(),
                            message: format!(
                                "{} (deploy with --force-replace to delete and create it again)",
                                self.em.redact(&e.message)
                            ),
                            timed_out: false,
                        });
                    }
                    Err(e) => return Err(fail(e)),
                }
            }
            ObjectOp::Recreate => {
                self.step_event(
                    st,
                    Some(t.reference()),
                    Action::Recreate,
                    EventStatus::InProgress,
                    Some("JobChanged".into()),
                    "the Job's spec changed: deleting and creating it again".into(),
                );
                self.recreate(&t, &api).await.map_err(fail)?
            }
        };
        if matches!(op, ObjectOp::Create | ObjectOp::Update | ObjectOp::Recreate) {
            let same_rv = live.and_then(|l| l.pointer("/metadata/resourceVersion"))
                == result.pointer("/metadata/resourceVersion");
            let msg = match op {
                ObjectOp::Create => "created",
                ObjectOp::Recreate => "recreated",
                _ if same_rv => "unchanged (the server's spelling differs)",
                _ => "configured",
            };
            self.step_event(
                st,
                Some(t.reference()),
                if op == ObjectOp::Recreate {
                    Action::Recreate
                } else {
                    Action::Apply
                },
                EventStatus::Succeeded,
                None,
                msg.into(),
            );
            if obj.is_job() {
                self.jobs_ran.lock().expect("jobs").push(st.node_id.clone());
            }
        }
        if obj.kind == "Namespace"
            && result
                .pointer("/metadata/deletionTimestamp")
                .is_some_and(|v| !v.is_null())
        {
            return Err(StepEnd::Failed {
                reason: "NamespaceTerminating".into(),
                message: format!(
                    "namespace {} is being deleted (its pods and volumes are going away): deploy again once it is gone",
                    obj.name
                ),
                timed_out: false,
            });
        }
        if obj.kind == "CustomResourceDefinition" {
            self.crd_established(&t).await.map_err(fail)?;
        }
        if op == ObjectOp::Unchanged && obj.is_job() {
            return Ok(None); // an unchanged Job is left alone, whatever its state
        }
        let g = health::gate(&result, now().0);
        if g.verdict != Verdict::Ready || is_workload(&obj.kind) {
            let since = (op != ObjectOp::Unchanged).then_some(applied_at);
            return Ok(Some(Pending {
                t,
                latest: result,
                last: None,
                since,
            }));
        }
        Ok(None)
    }

    async fn apply(&self, t: &Target<'_>, api: &Api<DynamicObject>) -> Result<Value, DeployError> {
        let body = t.body();
        api.patch(
            &t.obj.name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&body),
        )
        .await
        .map(|o| to_value(&o))
        .map_err(|e| api_error(&self.k.url, &t.what(), e))
    }

    /// Deletes (background) and waits until gone, then applies.
    async fn recreate(
        &self,
        t: &Target<'_>,
        api: &Api<DynamicObject>,
    ) -> Result<Value, DeployError> {
        let uid = match api.get_opt(&t.obj.name).await {
            Ok(Some(o)) => o.metadata.uid.clone(),
            Ok(None) => None,
            Err(e) => return Err(api_error(&self.k.url, &t.what(), e)),
        };
        if let Some(uid) = uid {
            match api.delete(&t.obj.name, &DeleteParams::background()).await {
                Ok(_) => {}
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(api_error(&self.k.url, &t.what(), e)),
            }
            let wait = ::kube::runtime::wait::await_condition(
                api.clone(),
                &t.obj.name,
                ::kube::runtime::wait::conditions::is_deleted(&uid),
            );
            tokio::time::timeout(self.step_timeout, wait)
                .await
                .map_err(|_| {
                    DeployError::new(
                        ErrorCode::Timeout,
                        format!(
                            "{}: still being deleted after {}",
                            t.what(),
                            human(self.step_timeout)
                        ),
                    )
                })?
                .map_err(|e| {
                    DeployError::new(
                        ErrorCode::Engine,
                        format!("{}: waiting for the deletion: {e}", t.what()),
                    )
                })?;
        }
        self.apply(t, api).await
    }

    /// Waits until a CRD is Established, then forgets the discovery of its group.
    async fn crd_established(&self, t: &Target<'_>) -> Result<(), DeployError> {
        let api: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> = Api::all(self.k.client.clone());
        let wait = ::kube::runtime::wait::await_condition(
            api,
            &t.obj.name,
            ::kube::runtime::wait::conditions::is_crd_established(),
        );
        tokio::time::timeout(self.step_timeout, wait)
            .await
            .map_err(|_| {
                DeployError::new(
                    ErrorCode::Timeout,
                    format!(
                        "{}: not Established within {}",
                        t.what(),
                        human(self.step_timeout)
                    ),
                )
            })?
            .map_err(|e| {
                DeployError::new(
                    ErrorCode::Engine,
                    format!("{}: waiting for Established: {e}", t.what()),
                )
            })?;
        if let Some(group) = t.obj.body.pointer("/spec/group").and_then(Value::as_str) {
            let prefix = format!("{group}/");
            self.k
                .resources
                .lock()
                .expect("discovery")
                .retain(|k, _| !k.starts_with(&prefix));
        }
        Ok(())
    }

    /// Follows the pending objects (and the pods of workloads) through watches until each
    /// step's gates hold or one fails. Returns the end of every step that had pending objects.
    async fn gates(
        &self,
        mut pending: Vec<(usize, Pending<'a>)>,
        cancel: &Cancel,
    ) -> Result<Vec<(usize, StepEnd)>, DeployError> {
        enum Msg {
            Obj(Value),
            Gone(String),
            Pod(Value),
            PodGone(String),
            Error(String),
        }
        let id = &self.p.applyset_id;
        let mut streams: Vec<futures_util::stream::BoxStream<'static, Msg>> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut pod_nss = BTreeSet::new();
        for (_, pd) in &pending {
            let t = &pd.t;
            let key = (t.ar.api_version.clone(), t.ar.plural.clone(), t.ns.clone());
            if is_workload(&t.obj.kind) {
                if let Some(ns) = &t.ns {
                    pod_nss.insert(ns.clone());
                }
            }
            if !seen.insert(key) {
                continue;
            }
            let api = self.k.api(&t.ar, t.ns.as_deref());
            let ar = t.ar.clone();
            let s = watcher::watcher(
                api,
                watcher::Config::default().labels(&format!("{PART_OF}={id}")),
            )
            .default_backoff()
            .filter_map(move |e| {
                let ar = ar.clone();
                async move {
                    match e {
                        Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => {
                            Some(Msg::Obj(typed_value(&o, &ar)))
                        }
                        Ok(watcher::Event::Delete(o)) => {
                            Some(Msg::Gone(live_key(&typed_value(&o, &ar))))
                        }
                        Ok(_) => None,
                        Err(e) => Some(Msg::Error(e.to_string())),
                    }
                }
            });
            streams.push(s.boxed());
        }
        for ns in &pod_nss {
            let api: Api<DynamicObject> = Api::namespaced_with(
                self.k.client.clone(),
                ns,
                &ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&()),
            );
            let s = watcher::watcher(
                api,
                watcher::Config::default().labels("app.kubernetes.io/managed-by=celestra"),
            )
            .default_backoff()
            .filter_map(|e| async move {
                let ar = ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&());
                match e {
                    Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => {
                        Some(Msg::Pod(typed_value(&o, &ar)))
                    }
                    Ok(watcher::Event::Delete(o)) => {
                        Some(Msg::PodGone(live_key(&typed_value(&o, &ar))))
                    }
                    Ok(_) => None,
                    Err(e) => Some(Msg::Error(e.to_string())),
                }
            });
            streams.push(s.boxed());
        }
        let mut merged = futures_util::stream::select_all(streams);
        let mut pods: BTreeMap<String, Value> = BTreeMap::new();
        let mut ends: BTreeMap<usize, StepEnd> = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + self.step_timeout;
        let mut tick = tokio::time::interval(GATE_RECHECK);
        let mut errors = 0u32;
        let stop_on_fail = self.p.policy.error_handling != ErrorHandling::ContinueOnError;
        loop {
            // evaluate
            let t = now().0;
            let mut still = Vec::new();
            for (i, mut pd) in pending.drain(..) {
                if ends.contains_key(&i) {
                    continue;
                }
                let g = if is_workload(&pd.t.obj.kind) {
                    let owned: Vec<Value> = pd.pods(&pods).into_iter().cloned().collect();
                    health::workload_gate(&pd.latest, &owned, t)
                } else {
                    health::gate(&pd.latest, t)
                };
                let now_v = (g.verdict, g.reason.clone(), g.message.clone());
                if pd.last.as_ref() != Some(&now_v) {
                    let status = match g.verdict {
                        Verdict::Ready => EventStatus::Succeeded,
                        Verdict::Waiting => EventStatus::InProgress,
                        Verdict::Failed => EventStatus::Failed,
                    };
                    self.step_event(
                        pd.t.step,
                        Some(pd.t.reference()),
                        Action::Wait,
                        status,
                        (!g.reason.is_empty()).then(|| g.reason.clone()),
                        self.em.redact(&g.message),
                    );
                    pd.last = Some(now_v);
                }
                match g.verdict {
                    Verdict::Ready => {}
                    Verdict::Waiting => still.push((i, pd)),
                    Verdict::Failed => {
                        self.log_tail(&pd, &pods).await;
                        ends.insert(
                            i,
                            StepEnd::Failed {
                                reason: g.reason.clone(),
                                message: self.em.redact(&format!(
                                    "{}: {}",
                                    label(&pd.t.obj.kind, pd.t.ns.as_deref(), &pd.t.obj.name),
                                    g.message
                                )),
                                timed_out: false,
                            },
                        );
                    }
                }
            }
            pending = still
                .into_iter()
                .filter(|(i, _)| !ends.contains_key(i))
                .collect();
            if pending.is_empty()
                || (stop_on_fail && ends.values().any(|e| matches!(e, StepEnd::Failed { .. })))
            {
                break;
            }
            tokio::select! {
                m = merged.next() => match m {
                    Some(Msg::Obj(v)) => {
                        let k = live_key(&v);
                        for (_, pd) in pending.iter_mut() {
                            if pd.t.key() == k {
                                pd.latest = v.clone();
                            }
                        }
                    }
                    Some(Msg::Gone(k)) => {
                        for (_, pd) in pending.iter_mut() {
                            if pd.t.key() == k {
                                pd.latest = json!({"apiVersion": pd.t.obj.api_version, "kind": pd.t.obj.kind, "metadata": {"name": pd.t.obj.name, "deletionTimestamp": "1970-01-01T00:00:00Z"}});
                            }
                        }
                    }
                    Some(Msg::Pod(v)) => { pods.insert(live_key(&v), v); }
                    Some(Msg::PodGone(k)) => { pods.remove(&k); }
                    Some(Msg::Error(e)) => {
                        errors += 1;
                        if errors >= 5 {
                            return Err(DeployError::new(ErrorCode::Engine, format!("watching the gates failed: {e}")));
                        }
                    }
                    None => break,
                },
                _ = tick.tick() => {}
                _ = tokio::time::sleep_until(deadline) => {
                    for (i, pd) in &pending {
                        let why = pd.last.as_ref().map(|l| format!("{}: {}", l.1, l.2)).unwrap_or_default();
                        ends.entry(*i).or_insert(StepEnd::Failed {
                            reason: "Timeout".into(),
                            message: format!("{} not ready within {} ({why})", label(&pd.t.obj.kind, pd.t.ns.as_deref(), &pd.t.obj.name), human(self.step_timeout)),
                            timed_out: true,
                        });
                    }
                    break;
                }
                _ = cancel.cancelled() => break,
            }
        }
        Ok(ends.into_iter().collect())
    }

    /// The last lines of the failing pod of a workload or Job, as a `log` event.
    async fn log_tail(&self, pd: &Pending<'_>, pods: &BTreeMap<String, Value>) {
        let t = now().0;
        let mut candidates: Vec<&Value> = pd.pods(pods);
        candidates.sort_by_key(|p| {
            let failing = health::pod_failure(p, t).is_some()
                || p.pointer("/status/phase").and_then(Value::as_str) == Some("Failed");
            (
                !failing,
                p.pointer("/metadata/creationTimestamp")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )
        });
        let Some(pod) = candidates.first() else {
            return;
        };
        let name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let ns = pod
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let container = health::pod_failure(pod, t).and_then(|f| f.container);
        let api: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(self.k.client.clone(), &ns);
        let lp = LogParams {
            tail_lines: Some(LOG_TAIL),
            container,
            ..LogParams::default()
        };
        let Ok(Ok(text)) = tokio::time::timeout(Duration::from_secs(5), api.logs(&name, &lp)).await
        else {
            return;
        };
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.is_empty() {
            return;
        }
        self.em.emit(EventBody::Log {
            node_id: pd.t.step.node_id.clone(),
            object: ObjectRef {
                kind: "Pod".into(),
                name,
                namespace: Some(ns),
            },
            lines,
        });
    }

    /// Deletes the live members that are not desired, members first, namespaces last.
    async fn prune(&self) -> Result<(), DeployError> {
        let (targets, missing) = self.k.targets(self.p, false).await?;
        let mut desired: BTreeSet<String> = targets.iter().map(Target::key).collect();
        for (_, o) in missing {
            desired.insert(format!(
                "{}/{}/{}",
                o.group_kind(),
                o.namespace.as_deref().unwrap_or(&self.p.namespace),
                o.name
            ));
        }
        let mut gone: Vec<&Value> = self
            .live
            .iter()
            .filter(|(k, _)| !desired.contains(*k))
            .map(|(_, v)| v)
            .collect();
        gone.sort_by_key(|v| delete_rank(v.get("kind").and_then(Value::as_str).unwrap_or("")));
        for v in gone {
            let what = self.k.delete_object(v).await?;
            let node = v
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(model::NODE))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            self.em.emit(EventBody::Step {
                wave: 0,
                node_id: node,
                object: Some(ObjectRef {
                    kind: v
                        .get("kind")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    name: v
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    namespace: v
                        .pointer("/metadata/namespace")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                action: Action::Prune,
                status: EventStatus::Succeeded,
                reason: Some("NodeRemoved".into()),
                message: format!("pruned {what}: its node is no longer in the workflow"),
                progress: self.em.progress(),
            });
        }
        Ok(())
    }
}

fn is_workload(kind: &str) -> bool {
    matches!(
        kind,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job"
    )
}

/// True when `workload`'s `spec.selector.matchLabels` select `pod` (same namespace).
fn selects(workload: &Value, pod: &Value) -> bool {
    let ns = |v: &Value| {
        v.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if ns(workload) != ns(pod) {
        return false;
    }
    let Some(Value::Object(want)) = workload.pointer("/spec/selector/matchLabels") else {
        return false;
    };
    let labels = pod.pointer("/metadata/labels");
    !want.is_empty()
        && want
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}
