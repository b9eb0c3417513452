//! The deploy API (Docker): `deploy`, `rollback`, `deployPlan`, `status`, `history`, `down`.
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
//! error naming it). Only the options and the target are read on the JS thread; the workflow is
//! read on the runtime.

use crate::errors::{Fail, R, caught, deploy_payload, to_napi_deploy};
use crate::{Input, parse};
use celestra_core::api::{self, Cancel, DeployError, Docker, DockerOptions, ErrorCode};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::{DeployEvent, DeploymentStatus, Revision, RevisionOutcome, Timestamp};
use napi::Status;
use napi::bindgen_prelude::{Buffer, Either};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
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

/// The deploy targets: `docker` now; `kubernetes` is named but not available yet.
fn check_target(name: &str) -> R<()> {
    match name {
        "docker" => Ok(()),
        "kubernetes" | "k8s" => Err(option(
            "the kubernetes deploy target is not available yet: use \"docker\"",
        )),
        other => Err(option(format!(
            "unknown deploy target {other:?}: use \"docker\""
        ))),
    }
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

/// `deploy` and `deployPlan` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeployJs {
    project: Option<String>,
    host: Option<String>,
    timeout_seconds: Option<f64>,
    step_timeout_seconds: Option<f64>,
    rollback_on_failure: Option<bool>,
    publish_address: Option<String>,
    history_max: Option<u64>,
}

/// `rollback` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RollbackJs {
    project: String,
    to: Option<u64>,
    host: Option<String>,
    timeout_seconds: Option<f64>,
    step_timeout_seconds: Option<f64>,
    publish_address: Option<String>,
    history_max: Option<u64>,
}

/// `status` and `history` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProjectJs {
    project: String,
    host: Option<String>,
}

/// `down` options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DownJs {
    project: String,
    volumes: Option<bool>,
    host: Option<String>,
}

/// What a deploy-like call needs besides the workflow: the engine and the driver's options.
struct Run {
    host: Option<String>,
    options: DockerOptions,
}

fn deploy_options(text: Option<&str>) -> R<Run> {
    let o: DeployJs = js_options(text)?;
    Ok(Run {
        host: o.host,
        options: DockerOptions {
            project: ProjectOptions {
                project: o.project,
                publish_address: o.publish_address,
            },
            timeout: seconds("timeoutSeconds", o.timeout_seconds)?,
            step_timeout: seconds("stepTimeoutSeconds", o.step_timeout_seconds)?,
            rollback_on_failure: o.rollback_on_failure.unwrap_or(false),
            history_max: history_max(o.history_max)?,
        },
    })
}

fn rollback_options(text: Option<&str>) -> R<(Run, String, Option<u64>)> {
    let o: RollbackJs = js_options(text)?;
    let run = Run {
        host: o.host,
        options: DockerOptions {
            project: ProjectOptions {
                project: Some(o.project.clone()),
                publish_address: o.publish_address,
            },
            timeout: seconds("timeoutSeconds", o.timeout_seconds)?,
            step_timeout: seconds("stepTimeoutSeconds", o.step_timeout_seconds)?,
            rollback_on_failure: false,
            history_max: history_max(o.history_max)?,
        },
    };
    Ok((run, o.project, o.to))
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

/// The synchronous part of a call (reading its arguments), as the error N-API throws.
fn sync<T>(f: impl FnOnce() -> R<T>) -> napi::Result<T> {
    caught(f).map_err(to_napi_deploy)
}

/// Connects, unless cancelled first.
async fn connect(host: Option<&str>, cancel: &Cancel) -> Result<Docker, DeployError> {
    tokio::select! {
        d = Docker::connect(host) => d,
        () = cancel.cancelled() => Err(DeployError {
            code: ErrorCode::Cancelled,
            message: "cancelled before the Docker engine answered".to_owned(),
            diagnostics: Vec::new(),
        }),
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
    let Run { host, options } = sync(|| {
        check_target(&target)?;
        deploy_options(options.as_deref())
    })?;
    let cancel = Cancel::new();
    let c = cancel.clone();
    let sink = Arc::new(on_message);
    let events = sink.clone();
    sync(|| {
        spawn(sink, async move {
            streamed(events, |tx| async move {
                let wf = parse(&input)?;
                // Refused before any engine call: a workflow with errors, a bad project name.
                api::docker_project(&wf, &options.project)?;
                let d = connect(host.as_deref(), &c).await?;
                Ok(d.deploy(&wf, &options, Some(tx), &c).await?)
            })
            .await
        })
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
    let (Run { host, options }, project, to) = sync(|| {
        check_target(&target)?;
        rollback_options(options.as_deref())
    })?;
    let cancel = Cancel::new();
    let c = cancel.clone();
    let sink = Arc::new(on_message);
    let events = sink.clone();
    sync(|| {
        spawn(sink, async move {
            streamed(events, |tx| async move {
                let d = connect(host.as_deref(), &c).await?;
                Ok(d.rollback(&project, to, &options, Some(tx), &c).await?)
            })
            .await
        })
    })?;
    Ok(NativeDeploy { cancel })
}

/// What a deploy of `workflow` would change (a dry run: no engine writes); `onDone` gets the
/// change plan.
#[napi(js_name = "deployPlan")]
pub fn deploy_plan(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let input: Input = workflow.into();
    let Run { host, options } = sync(|| {
        check_target(&target)?;
        deploy_options(options.as_deref())
    })?;
    sync(|| {
        answer(Arc::new(on_done), async move {
            let wf = parse(&input)?;
            api::docker_project(&wf, &options.project)?;
            let d = Docker::connect(host.as_deref()).await?;
            let (_, plan) = d.plan(&wf, &options).await?;
            json(&plan)
        })
    })
}

/// The §5.3 status of a project's current revision, read from the engine now.
#[napi(js_name = "deployStatus")]
pub fn deploy_status(
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let o: ProjectJs = sync(|| {
        check_target(&target)?;
        js_options(options.as_deref())
    })?;
    sync(|| {
        answer(Arc::new(on_done), async move {
            let d = Docker::connect(o.host.as_deref()).await?;
            json(&d.status(&o.project).await?)
        })
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
    let o: ProjectJs = sync(|| {
        check_target(&target)?;
        js_options(options.as_deref())
    })?;
    sync(|| {
        answer(Arc::new(on_done), async move {
            let d = Docker::connect(o.host.as_deref()).await?;
            let h = d.history(&o.project).await?;
            json(
                &h.revisions
                    .iter()
                    .map(HistoryEntry::from)
                    .collect::<Vec<_>>(),
            )
        })
    })
}

/// Removes a project: containers, networks, revision records, and volumes with `volumes`.
#[napi(js_name = "deployDown")]
pub fn deploy_down(
    target: String,
    options: Option<String>,
    on_done: ThreadsafeFunction<String, (), String, Status, false>,
) -> napi::Result<()> {
    let o: DownJs = sync(|| {
        check_target(&target)?;
        js_options(options.as_deref())
    })?;
    sync(|| {
        answer(Arc::new(on_done), async move {
            let d = Docker::connect(o.host.as_deref()).await?;
            json(&d.down(&o.project, o.volumes.unwrap_or(false)).await?)
        })
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
