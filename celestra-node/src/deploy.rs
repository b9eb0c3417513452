//! The deploy API (targets `docker` and `kubernetes`): `deploy`, `rollback`, `deployPlan`,
//! `status`, `history`, `down` (`delete`).
//!
//! Every call runs on one tokio runtime the addon owns (two worker threads, started on first
//! use), never on Node's event loop nor on libuv's thread pool (a deploy waits minutes on
//! readiness gates; blocking pool threads that long would starve `fs`, `dns` and the
//! `...Async` calls). Results travel back through a thread-safe function: the JS callback gets
//! one message at a time, a tag character followed by JSON:
//!
//! - `e` + a `DeployEvent` (deploy and rollback only, in `seq` order);
//! - `d` + the result, last (for a deploy: `{"status": …, "failure": DeployError payload | null}`,
//!   `failure` from the core's `DeployError::from_status`);
//! - `x` + a `DeployError` payload, last, when the call could not proceed.
//!
//! The thread-safe function keeps the Node process alive until its last message, like an open
//! socket. Options arrive as JSON text and are read strictly (an unknown key is an `OPTION`
//! error naming it; so is an option of the other target: `host`, `publishAddress` and
//! `volumes` are Docker's, `kubeconfig`, `kubeconfigText`, `context`, `namespace` and
//! `forceReplace` Kubernetes'). Only the options and the target are read on the JS thread; the
//! workflow is read on the runtime.

use crate::errors::{Fail, R, caught, deploy_payload, to_napi_deploy};
use crate::{Input, parse};
use celestra_core::api::{
    self, Cancel, DeployError, Docker, DockerOptions, ErrorCode, Kube, KubeConnect, KubeOptions,
};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::kube::{KubeProjectOptions, is_namespace_name, is_project_name};
use celestra_core::deploy::{
    DeployEvent, DeploymentStatus, History, Revision, RevisionOutcome, Timestamp,
};
use napi::Status;
use napi::bindgen_prelude::{Buffer, Either};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The JS callback of a running call (see the module docs): one string argument, called
/// directly (no error-first argument).
type Sink = ThreadsafeFunction<String, (), String, Status, false>;

fn option(message: impl Into<String>) -> Fail {
    Fail::Deploy(DeployError {
        code: ErrorCode::Option,
        message: message.into(),
        diagnostics: Vec::new(),
    })
}

/// Options as JSON text (None: `{}`), read strictly.
fn js_options<T: DeserializeOwned>(text: Option<&str>) -> R<T> {
    serde_json::from_str(text.unwrap_or("{}")).map_err(|e| option(format!("options: {e}")))
}

/// A deploy target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Docker,
    Kubernetes,
}

/// The deploy targets: `docker` and `kubernetes` (alias `k8s`).
fn target(name: &str) -> R<Target> {
    match name {
        "docker" => Ok(Target::Docker),
        "kubernetes" | "k8s" => Ok(Target::Kubernetes),
        other => Err(option(format!(
            "unknown deploy target {other:?}: use \"docker\" or \"kubernetes\""
        ))),
    }
}

/// Refuses the options of the other target that were given (`(key, given)`), naming the first.
fn only_for(t: Target, other: &[(&str, bool)]) -> R<()> {
    let Some((name, _)) = other.iter().find(|(_, given)| *given) else {
        return Ok(());
    };
    Err(option(match t {
        Target::Docker => format!(
            "options: {name} is a Kubernetes option: it does not apply to target \"docker\" (use target \"kubernetes\")"
        ),
        Target::Kubernetes => format!(
            "options: {name} is a Docker option: it does not apply to target \"kubernetes\" (the cluster comes from kubeconfig, kubeconfigText, context and namespace)"
        ),
    }))
}

fn seconds(name: &str, v: Option<f64>) -> R<Option<Duration>> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(option(format!(
            "options: {name} must be a positive number of seconds, not {s}"
        ))),
    }
}

fn history_max(v: Option<u64>) -> R<Option<usize>> {
    match v {
        Some(0) => Err(option("options: historyMax must be at least 1")),
        v => Ok(v.map(|n| usize::try_from(n).unwrap_or(usize::MAX))),
    }
}

/// A Kubernetes project name (the ApplySet's): the core's rule, checked before any call.
fn kube_project_name(project: &str) -> R<()> {
    if !is_project_name(project) {
        return Err(option(format!(
            "options: project {project:?} is not a valid name: use at most 40 lower-case letters, digits and '-', starting and ending with a letter or digit"
        )));
    }
    Ok(())
}

/// The connection options of both targets, which every call's options have (serde's `flatten`
/// would lose `deny_unknown_fields`, so each options struct lists them and [`conn!`] takes them).
struct ConnJs {
    /// Docker: the engine.
    host: Option<String>,
    /// Kubernetes: a kubeconfig file.
    kubeconfig: Option<String>,
    /// Kubernetes: a kubeconfig's content (inline credentials only).
    kubeconfig_text: Option<String>,
    /// Kubernetes: the context.
    context: Option<String>,
    /// Kubernetes: the project's namespace.
    namespace: Option<String>,
}

/// The [`ConnJs`] of an options struct.
macro_rules! conn {
    ($o:expr) => {
        ConnJs {
            host: $o.host,
            kubeconfig: $o.kubeconfig,
            kubeconfig_text: $o.kubeconfig_text,
            context: $o.context,
            namespace: $o.namespace,
        }
    };
}

/// Where a call goes.
enum Engine {
    Docker(Option<String>),
    Kubernetes(KubeConnect),
}

impl ConnJs {
    /// The engine of `t` (`docker_only` / `kube_only`: the call's other options of one target,
    /// `(key, given)`). A kubeconfig given as text always goes through the core's check of
    /// inline credentials (`Kube::connect` reads the text first), so a file and a text together
    /// are refused rather than one of them silently winning.
    fn engine(
        self,
        t: Target,
        docker_only: &[(&str, bool)],
        kube_only: &[(&str, bool)],
    ) -> R<Engine> {
        match t {
            Target::Docker => {
                only_for(
                    t,
                    &[
                        ("kubeconfig", self.kubeconfig.is_some()),
                        ("kubeconfigText", self.kubeconfig_text.is_some()),
                        ("context", self.context.is_some()),
                        ("namespace", self.namespace.is_some()),
                    ],
                )?;
                only_for(t, kube_only)?;
                Ok(Engine::Docker(self.host))
            }
            Target::Kubernetes => {
                only_for(t, &[("host", self.host.is_some())])?;
                only_for(t, docker_only)?;
                if self.kubeconfig.is_some() && self.kubeconfig_text.is_some() {
                    return Err(option(
                        "options: give kubeconfig (a file) or kubeconfigText (its content), not both",
                    ));
                }
                if let Some(ns) = &self.namespace {
                    if !is_namespace_name(ns) {
                        return Err(option(format!(
                            "options: namespace {ns:?} is not a valid namespace name (a DNS label)"
                        )));
                    }
                }
                if self.context.as_deref() == Some("") {
                    return Err(option("options: context must not be empty"));
                }
                Ok(Engine::Kubernetes(KubeConnect {
                    kubeconfig: self.kubeconfig.map(PathBuf::from),
                    kubeconfig_text: self.kubeconfig_text,
                    context: self.context,
                    namespace: self.namespace,
                }))
            }
        }
    }
}

/// `deploy` and `deployPlan` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeployJs {
    project: Option<String>,
    timeout_seconds: Option<f64>,
    step_timeout_seconds: Option<f64>,
    rollback_on_failure: Option<bool>,
    history_max: Option<u64>,
    publish_address: Option<String>,
    force_replace: Option<bool>,
    host: Option<String>,
    kubeconfig: Option<String>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
}

/// `rollback` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RollbackJs {
    project: String,
    to: Option<u64>,
    timeout_seconds: Option<f64>,
    step_timeout_seconds: Option<f64>,
    history_max: Option<u64>,
    publish_address: Option<String>,
    force_replace: Option<bool>,
    host: Option<String>,
    kubeconfig: Option<String>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
}

/// `status` and `history` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProjectJs {
    project: String,
    host: Option<String>,
    kubeconfig: Option<String>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
}

/// `down` (`delete`) options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DownJs {
    project: String,
    volumes: Option<bool>,
    host: Option<String>,
    kubeconfig: Option<String>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
}

/// What a deploy-like call needs besides the workflow: the engine and the driver's options.
enum Run {
    Docker {
        host: Option<String>,
        options: DockerOptions,
    },
    Kubernetes {
        conn: KubeConnect,
        options: KubeOptions,
    },
}

/// The options shared by deploy, dry run and rollback, for either target.
struct Common {
    project: Option<String>,
    timeout: Option<Duration>,
    step_timeout: Option<Duration>,
    rollback_on_failure: bool,
    history_max: Option<usize>,
    publish_address: Option<String>,
    force_replace: Option<bool>,
}

fn run_for(t: Target, c: Common, conn: ConnJs) -> R<Run> {
    let namespace = conn.namespace.clone();
    match conn.engine(
        t,
        &[("publishAddress", c.publish_address.is_some())],
        &[("forceReplace", c.force_replace.is_some())],
    )? {
        Engine::Docker(host) => Ok(Run::Docker {
            host,
            options: DockerOptions {
                project: ProjectOptions {
                    project: c.project,
                    publish_address: c.publish_address,
                },
                timeout: c.timeout,
                step_timeout: c.step_timeout,
                rollback_on_failure: c.rollback_on_failure,
                history_max: c.history_max,
            },
        }),
        Engine::Kubernetes(conn) => {
            if let Some(p) = &c.project {
                kube_project_name(p)?;
            }
            Ok(Run::Kubernetes {
                conn,
                options: KubeOptions {
                    project: KubeProjectOptions {
                        name: c.project,
                        namespace,
                        kubernetes_version: None,
                    },
                    timeout: c.timeout,
                    step_timeout: c.step_timeout,
                    rollback_on_failure: c.rollback_on_failure,
                    history_max: c.history_max,
                    force_replace: c.force_replace.unwrap_or(false),
                    // Not exposed: the driver's defaults (16 applies at once; the gates run).
                    ..KubeOptions::default()
                },
            })
        }
    }
}

fn deploy_options(t: Target, text: Option<&str>) -> R<Run> {
    let o: DeployJs = js_options(text)?;
    let c = Common {
        project: o.project,
        timeout: seconds("timeoutSeconds", o.timeout_seconds)?,
        step_timeout: seconds("stepTimeoutSeconds", o.step_timeout_seconds)?,
        rollback_on_failure: o.rollback_on_failure.unwrap_or(false),
        history_max: history_max(o.history_max)?,
        publish_address: o.publish_address,
        force_replace: o.force_replace,
    };
    run_for(t, c, conn!(o))
}

fn rollback_options(t: Target, text: Option<&str>) -> R<(Run, String, Option<u64>)> {
    let o: RollbackJs = js_options(text)?;
    let project = o.project.clone();
    let to = o.to;
    let c = Common {
        project: Some(o.project.clone()),
        timeout: seconds("timeoutSeconds", o.timeout_seconds)?,
        step_timeout: seconds("stepTimeoutSeconds", o.step_timeout_seconds)?,
        rollback_on_failure: false,
        history_max: history_max(o.history_max)?,
        publish_address: o.publish_address,
        force_replace: o.force_replace,
    };
    Ok((run_for(t, c, conn!(o))?, project, to))
}

/// The engine of a call about one project (status, history, down), its name checked.
fn project_engine(
    t: Target,
    project: &str,
    conn: ConnJs,
    docker_only: &[(&str, bool)],
) -> R<Engine> {
    let e = conn.engine(t, docker_only, &[])?;
    if t == Target::Kubernetes {
        kube_project_name(project)?;
    }
    Ok(e)
}

/// The addon's deploy runtime, started on first use.
fn runtime() -> R<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("celestra-deploy")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Fail::Other("INTERNAL", format!("cannot start the deploy runtime: {e}")))
}

fn send(sink: &Sink, message: String) {
    // Closing (the environment is going away): nobody is left to tell.
    let _ = sink.call(message, ThreadsafeFunctionCallMode::NonBlocking);
}

fn failed(f: Fail) -> String {
    format!("x{}", deploy_payload(f))
}

/// Runs `work` on the runtime; its final message (or `INTERNAL` for a panic) goes to `sink`.
fn spawn(sink: Arc<Sink>, work: impl Future<Output = String> + Send + 'static) -> R<()> {
    runtime()?.spawn(async move {
        let message = match tokio::spawn(work).await {
            Ok(m) => m,
            Err(e) if e.is_panic() => failed(Fail::Other(
                "INTERNAL",
                api::panic_message(e.into_panic().as_ref()),
            )),
            Err(e) => failed(Fail::Other("INTERNAL", e.to_string())),
        };
        send(&sink, message);
    });
    Ok(())
}

/// Runs the future `work` makes on a thread of its own, on a current-thread runtime; its final
/// message (or `INTERNAL` for a panic) goes to `sink`. For the Kubernetes calls: rustc cannot
/// prove the kube driver's futures `Send` (a higher-ranked lifetime in its pre-flight's
/// closures), so they cannot go to the shared multi-thread runtime; the future is made and run
/// on the one thread (as the Python package runs every deploy).
fn spawn_thread<F, Fut>(sink: Arc<Sink>, work: F) -> R<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = String>,
{
    std::thread::Builder::new()
        .name("celestra-kube".to_owned())
        .spawn(move || {
            let message = catch_unwind(AssertUnwindSafe(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|rt| rt.block_on(work()))
                    .unwrap_or_else(|e| {
                        failed(Fail::Other(
                            "INTERNAL",
                            format!("cannot start the deploy runtime: {e}"),
                        ))
                    })
            }))
            .unwrap_or_else(|p| failed(Fail::Other("INTERNAL", api::panic_message(p.as_ref()))));
            send(&sink, message);
        })
        .map_err(|e| Fail::Other("INTERNAL", format!("cannot start the deploy thread: {e}")))?;
    Ok(())
}

/// The synchronous part of a call (reading its arguments), as the error N-API throws.
fn sync<T>(f: impl FnOnce() -> R<T>) -> napi::Result<T> {
    caught(f).map_err(to_napi_deploy)
}

fn cancelled(what: &str) -> DeployError {
    DeployError {
        code: ErrorCode::Cancelled,
        message: format!("cancelled before {what} answered"),
        diagnostics: Vec::new(),
    }
}

/// Connects, unless cancelled first.
async fn connect(host: Option<&str>, cancel: &Cancel) -> Result<Docker, DeployError> {
    tokio::select! {
        d = Docker::connect(host) => d,
        () = cancel.cancelled() => Err(cancelled("the Docker engine")),
    }
}

/// Connects to the cluster (its kubeconfig, then the server's version), unless cancelled first.
async fn connect_kube(c: &KubeConnect, cancel: &Cancel) -> Result<Kube, DeployError> {
    tokio::select! {
        k = Kube::connect(c) => k,
        () = cancel.cancelled() => Err(cancelled("the Kubernetes API server")),
    }
}

fn json<T: Serialize + ?Sized>(v: &T) -> R<String> {
    serde_json::to_string(v)
        .map_err(|e| Fail::Other("INTERNAL", format!("writing the result as JSON: {e}")))
}

/// The final message of a deployment that ran: its status, and the `DeployError` of a failure.
fn finished(status: &DeploymentStatus) -> R<String> {
    let failure = match DeployError::from_status(status) {
        Some(e) => deploy_payload(Fail::Deploy(e)),
        None => "null".to_owned(),
    };
    Ok(format!(
        "d{{\"status\":{},\"failure\":{failure}}}",
        json(status)?
    ))
}

/// A deploy or a rollback: its events as they come, then its end.
async fn streamed<Fut>(sink: Arc<Sink>, run: impl FnOnce(api::EventSender) -> Fut) -> String
where
    Fut: Future<Output = R<DeploymentStatus>>,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<DeployEvent>();
    let events = sink.clone();
    let forward = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let Ok(text) = serde_json::to_string(&e) {
                send(&events, format!("e{text}"));
            }
        }
    });
    // `run` owns the sender: it is dropped when the call ends, which ends the forwarder after
    // the last event.
    let res = run(tx).await;
    let _ = forward.await;
    match res.and_then(|s| finished(&s)) {
        Ok(m) => m,
        Err(f) => failed(f),
    }
}

/// A call with one result (plan, status, history, down).
fn answer(sink: Arc<Sink>, work: impl Future<Output = R<String>> + Send + 'static) -> R<()> {
    spawn(sink, async move {
        match work.await {
            Ok(text) => format!("d{text}"),
            Err(f) => failed(f),
        }
    })
}

/// [`answer`] on a thread of its own ([`spawn_thread`]).
fn answer_thread<F, Fut>(sink: Arc<Sink>, work: F) -> R<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = R<String>>,
{
    spawn_thread(sink, move || async move {
        match work().await {
            Ok(text) => format!("d{text}"),
            Err(f) => failed(f),
        }
    })
}

/// A running deploy or rollback (the JS `DeployHandle` wraps it).
#[napi]
pub struct NativeDeploy {
    cancel: Cancel,
}

#[napi]
impl NativeDeploy {
    /// Cancels: the deploy stops at once (its running step is abandoned) and ends `cancelled`.
    #[napi]
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

/// Starts a deploy of `workflow`; `onMessage` gets its events, then its end (module docs).
#[napi(js_name = "deployStart")]
pub fn deploy_start(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
    on_message: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<NativeDeploy> {
    let input: Input = workflow.into();
    let run = sync(|| deploy_options(self::target(&target)?, options.as_deref()))?;
    let cancel = Cancel::new();
    let c = cancel.clone();
    let sink = Arc::new(on_message);
    let events = sink.clone();
    sync(|| match run {
        Run::Docker { host, options } => spawn(sink, async move {
            streamed(events, |tx| async move {
                let wf = parse(&input)?;
                // Refused before any engine call: a workflow with errors, a bad project name.
                api::docker_project(&wf, &options.project)?;
                let d = connect(host.as_deref(), &c).await?;
                Ok(d.deploy(&wf, &options, Some(tx), &c).await?)
            })
            .await
        }),
        Run::Kubernetes { conn, options } => spawn_thread(sink, move || async move {
            streamed(events, |tx| async move {
                let wf = parse(&input)?;
                // Refused before any cluster call, likewise.
                api::kube_project(&wf, &options.project)?;
                let k = connect_kube(&conn, &c).await?;
                Ok(k.deploy(&wf, &options, Some(tx), &c).await?)
            })
            .await
        }),
    })?;
    Ok(NativeDeploy { cancel })
}

/// Starts a rollback of a project to revision `to` (default: the newest successful one before
/// the current), as a new revision.
#[napi(js_name = "rollbackStart")]
pub fn rollback_start(
    target: String,
    options: Option<String>,
    on_message: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<NativeDeploy> {
    let (run, project, to) = sync(|| rollback_options(self::target(&target)?, options.as_deref()))?;
    let cancel = Cancel::new();
    let c = cancel.clone();
    let sink = Arc::new(on_message);
    let events = sink.clone();
    sync(|| match run {
        Run::Docker { host, options } => spawn(sink, async move {
            streamed(events, |tx| async move {
                let d = connect(host.as_deref(), &c).await?;
                Ok(d.rollback(&project, to, &options, Some(tx), &c).await?)
            })
            .await
        }),
        Run::Kubernetes { conn, options } => spawn_thread(sink, move || async move {
            streamed(events, |tx| async move {
                let k = connect_kube(&conn, &c).await?;
                Ok(k.rollback(&project, to, &options, Some(tx), &c).await?)
            })
            .await
        }),
    })?;
    Ok(NativeDeploy { cancel })
}

/// What a deploy of `workflow` would change (a dry run: no engine writes); `onDone` gets
/// Docker's change plan, or the Kubernetes plan (each object's operation, what would be pruned).
#[napi(js_name = "deployPlan")]
pub fn deploy_plan(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let input: Input = workflow.into();
    let run = sync(|| deploy_options(self::target(&target)?, options.as_deref()))?;
    let sink = Arc::new(on_done);
    sync(|| match run {
        Run::Docker { host, options } => answer(sink, async move {
            let wf = parse(&input)?;
            api::docker_project(&wf, &options.project)?;
            let d = Docker::connect(host.as_deref()).await?;
            let (_, plan) = d.plan(&wf, &options).await?;
            json(&plan)
        }),
        Run::Kubernetes { conn, options } => answer_thread(sink, move || async move {
            let wf = parse(&input)?;
            api::kube_project(&wf, &options.project)?;
            let k = Kube::connect(&conn).await?;
            json(&k.plan(&wf, &options).await?)
        }),
    })
}

/// The §5.3 status of a project's current revision, read from the engine (or cluster) now.
#[napi(js_name = "deployStatus")]
pub fn deploy_status(
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let (project, engine) = sync(|| {
        let t = self::target(&target)?;
        let o: ProjectJs = js_options(options.as_deref())?;
        let e = project_engine(t, &o.project, conn!(o), &[])?;
        Ok((o.project, e))
    })?;
    let sink = Arc::new(on_done);
    sync(|| match engine {
        Engine::Docker(host) => answer(sink, async move {
            let d = Docker::connect(host.as_deref()).await?;
            json(&d.status(&project).await?)
        }),
        Engine::Kubernetes(conn) => answer_thread(sink, move || async move {
            let k = Kube::connect(&conn).await?;
            json(&k.status(&project, conn.namespace.as_deref()).await?)
        }),
    })
}

/// One revision of a project's history, without its workflow snapshot (it holds the secret
/// values; `rollback` reads it on the engine's side).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryEntry<'a> {
    revision: u64,
    deployment_id: &'a str,
    workflow_id: &'a str,
    workflow_name: &'a str,
    hash: &'a str,
    outcome: RevisionOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    rollback_of: Option<u64>,
    message: &'a str,
    jobs_ran: &'a [String],
    options: &'a serde_json::Value,
    started_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<Timestamp>,
}

impl<'a> From<&'a Revision> for HistoryEntry<'a> {
    fn from(r: &'a Revision) -> Self {
        HistoryEntry {
            revision: r.revision,
            deployment_id: &r.deployment_id,
            workflow_id: &r.workflow_id,
            workflow_name: &r.workflow_name,
            hash: &r.hash,
            outcome: r.outcome,
            rollback_of: r.rollback_of,
            message: &r.message,
            jobs_ran: &r.jobs_ran,
            options: &r.options,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// A project's revisions, oldest first (an empty list for a project never deployed).
#[napi(js_name = "deployHistory")]
pub fn deploy_history(
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let (project, engine) = sync(|| {
        let t = self::target(&target)?;
        let o: ProjectJs = js_options(options.as_deref())?;
        let e = project_engine(t, &o.project, conn!(o), &[])?;
        Ok((o.project, e))
    })?;
    let listing = |h: History| {
        json(
            &h.revisions
                .iter()
                .map(HistoryEntry::from)
                .collect::<Vec<_>>(),
        )
    };
    let sink = Arc::new(on_done);
    sync(|| match engine {
        Engine::Docker(host) => answer(sink, async move {
            let d = Docker::connect(host.as_deref()).await?;
            listing(d.history(&project).await?)
        }),
        Engine::Kubernetes(conn) => answer_thread(sink, move || async move {
            let k = Kube::connect(&conn).await?;
            listing(k.history(&project, conn.namespace.as_deref()).await?)
        }),
    })
}

/// Removes a project. Docker: containers, networks, revision records, and volumes with
/// `volumes`. Kubernetes (`delete`): every member of its ApplySet, its revision records and
/// its parent Secret.
#[napi(js_name = "deployDown")]
pub fn deploy_down(
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let (project, volumes, engine) = sync(|| {
        let t = self::target(&target)?;
        let o: DownJs = js_options(options.as_deref())?;
        let volumes = o.volumes;
        let e = project_engine(t, &o.project, conn!(o), &[("volumes", volumes.is_some())])?;
        Ok((o.project, volumes.unwrap_or(false), e))
    })?;
    let sink = Arc::new(on_done);
    sync(|| match engine {
        Engine::Docker(host) => answer(sink, async move {
            let d = Docker::connect(host.as_deref()).await?;
            json(&d.down(&project, volumes).await?)
        }),
        Engine::Kubernetes(conn) => answer_thread(sink, move || async move {
            let k = Kube::connect(&conn).await?;
            json(&k.delete(&project, conn.namespace.as_deref()).await?)
        }),
    })
}

/// The §5.3 status folded from events (JSON text of an array of `DeployEvent`s), as JSON text:
/// the core's one reducer, for clients that keep the events.
#[napi(js_name = "deploymentStatus")]
pub fn deployment_status(events: String) -> napi::Result<String> {
    sync(|| {
        let events: Vec<DeployEvent> =
            serde_json::from_str(&events).map_err(|e| option(format!("events: {e}")))?;
        json(&api::deployment_status(&events))
    })
}
