//! The deploy API (Docker): `deploy_start`, `rollback_start`, `deploy_plan`, `deploy_status`,
//! `deploy_history`, `deploy_down`, `deployment_status`.
//!
//! A deploy or rollback runs on a thread of its own that owns a tokio runtime; it never holds
//! the GIL and never calls into Python: it appends the driver's events to the handle's state
//! (a mutex and a condition variable) and finally its end (the status, or the error of a call
//! that could not proceed). Python reads that state through a `DeployHandle`: `event(i, t)`
//! waits up to `t` seconds for event `i` with the GIL released, so that the package's async
//! iterator can await it in an executor thread and its sync iterator can check for signals
//! between waits. Calls with one result (plan, status, history, down) block the calling thread
//! with the GIL released, on a runtime of their own; the package runs them in a worker thread
//! for `asyncio`.
//!
//! Errors are raised as `DeployError(code, message, diagnostics, line, column)`, `code` one of
//! the core's stable deploy codes (`ErrorCode`) or `INTERNAL` for a panic caught here.

use crate::convert::{Input, input, to_py};
use crate::errors::{DeployError as PyDeployError, Fail};
use celestra_core::api::{self, Cancel, DeployError, Docker, DockerOptions, ErrorCode};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::{DeployEvent, DeploymentStatus, Revision, RevisionOutcome, Timestamp};
use celestra_core::{Diagnostic, Error, Workflow};
use pyo3::prelude::*;
use serde::Serialize;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A deploy call that could not proceed, before it becomes a Python exception.
#[derive(Debug, Clone)]
pub(crate) struct DFail {
    code: &'static str,
    message: String,
    diagnostics: Vec<Diagnostic>,
    line: Option<usize>,
    column: Option<usize>,
}

type D<T> = Result<T, DFail>;

impl DFail {
    fn new(code: &'static str, message: impl Into<String>) -> DFail {
        DFail {
            code,
            message: message.into(),
            diagnostics: Vec::new(),
            line: None,
            column: None,
        }
    }

    fn option(message: impl Into<String>) -> DFail {
        DFail::new(ErrorCode::Option.as_str(), message)
    }

    fn internal(message: impl Into<String>) -> DFail {
        DFail::new("INTERNAL", message)
    }

    pub(crate) fn into_py(self, py: Python<'_>) -> PyErr {
        let diagnostics = match to_py(py, &self.diagnostics) {
            Ok(d) => d.unbind(),
            Err(e) => return e,
        };
        PyDeployError::new_err((self.code, self.message, diagnostics, self.line, self.column))
    }
}

impl From<DeployError> for DFail {
    fn from(e: DeployError) -> Self {
        DFail {
            code: e.code.as_str(),
            message: e.message,
            diagnostics: e.diagnostics,
            line: None,
            column: None,
        }
    }
}

impl From<Error> for DFail {
    /// The core's mapping (`INVALID` for a workflow with errors or cycles, `OPTION` for the
    /// rest), keeping where a malformed JSON text breaks.
    fn from(e: Error) -> Self {
        let at = match &e {
            Error::Parse { line, column, .. } => Some((*line, *column)),
            _ => None,
        };
        let mut f = DFail::from(DeployError::from(e));
        if let Some((line, column)) = at {
            f.line = Some(line);
            f.column = Some(column);
        }
        f
    }
}

impl From<Fail> for DFail {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Engine(e) => DFail::from(e),
            Fail::Other("INTERNAL", m) => DFail::internal(m),
            // A workflow that is not JSON (its path in the message), a bad argument.
            Fail::Other(_, m) => DFail::option(m),
        }
    }
}

/// The deploy targets: `docker` now; `kubernetes` is named but not available yet.
fn check_target(name: &str) -> D<()> {
    match name {
        "docker" => Ok(()),
        "kubernetes" | "k8s" => Err(DFail::option(
            "the kubernetes deploy target is not available yet: use \"docker\"",
        )),
        other => Err(DFail::option(format!(
            "unknown deploy target {other:?}: use \"docker\""
        ))),
    }
}

fn seconds(name: &str, v: Option<f64>) -> D<Option<Duration>> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(DFail::option(format!(
            "{name} must be a positive number of seconds, not {s}"
        ))),
    }
}

fn history_max(v: Option<i64>) -> D<Option<usize>> {
    match v {
        Some(n) if n < 1 => Err(DFail::option(format!(
            "history_max must be at least 1, not {n}"
        ))),
        v => Ok(v.map(|n| usize::try_from(n).unwrap_or(usize::MAX))),
    }
}

fn revision(v: Option<i64>) -> D<Option<u64>> {
    match v {
        Some(n) if n < 1 => Err(DFail::option(format!(
            "to must be a revision number (1 or more), not {n}"
        ))),
        v => Ok(v.map(|n| n.unsigned_abs())),
    }
}

fn project_name(name: &str, project: &str) -> D<()> {
    if project.is_empty() {
        return Err(DFail::option(format!("{name} must not be empty")));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn docker_options(
    project: Option<String>,
    timeout: Option<f64>,
    step_timeout: Option<f64>,
    rollback_on_failure: bool,
    publish_address: Option<String>,
    max: Option<i64>,
) -> D<DockerOptions> {
    if let Some(p) = &project {
        project_name("project", p)?;
    }
    Ok(DockerOptions {
        project: ProjectOptions {
            project,
            publish_address,
        },
        timeout: seconds("timeout", timeout)?,
        step_timeout: seconds("step_timeout", step_timeout)?,
        rollback_on_failure,
        history_max: history_max(max)?,
    })
}

fn parse(input: &Input) -> D<Workflow> {
    Ok(match input {
        Input::Text(t) => api::parse_str(t)?,
        Input::Bytes(b) => api::parse_bytes(b)?,
    })
}

/// Reads a JSON argument (`what` names it in messages) with the GIL held.
fn read(value: &Bound<'_, PyAny>, what: &str) -> D<Input> {
    catch_unwind(AssertUnwindSafe(|| input(value, what)))
        .map_err(|_| {
            DFail::internal(format!(
                "internal error while reading the {what} (please report it)"
            ))
        })?
        .map_err(|e| DFail::option(format!("{}: {}", e.path, e.what)))
}

/// A runtime for one call, on the thread that runs it.
fn runtime() -> D<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DFail::internal(format!("cannot start the deploy runtime: {e}")))
}

/// Runs `work` to its end on the calling thread, the GIL released; a panic is `INTERNAL`.
fn blocking<T, Fut>(py: Python<'_>, work: impl FnOnce() -> Fut + Send) -> D<T>
where
    T: Send,
    Fut: Future<Output = D<T>>,
{
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| runtime()?.block_on(work())))
            .unwrap_or_else(|p| Err(DFail::internal(api::panic_message(p.as_ref()))))
    })
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

// ------------------------------------------------------------------------------ the handle

/// What a running deploy has reported so far.
#[derive(Default)]
struct State {
    events: Vec<DeployEvent>,
    /// Set once, after the last event.
    end: Option<D<DeploymentStatus>>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only ever appended to: a panic elsewhere leaves it consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, e: DeployEvent) {
        self.lock().events.push(e);
        self.changed.notify_all();
    }

    fn finish(&self, end: D<DeploymentStatus>) {
        self.lock().end = Some(end);
        self.changed.notify_all();
    }
}

/// A running deploy or rollback (the package's `DeployHandle` wraps it).
#[pyclass(frozen, module = "celestra_engine._native")]
pub(crate) struct DeployHandle {
    shared: Arc<Shared>,
    cancel: Cancel,
    /// `deploy` or `rollback`, for the repr.
    kind: &'static str,
}

/// Starts `work` on a thread of its own; its events and its end go to the handle.
fn start<W, Fut>(kind: &'static str, work: W) -> D<DeployHandle>
where
    W: FnOnce(api::EventSender, Cancel) -> Fut + Send + 'static,
    Fut: Future<Output = D<DeploymentStatus>>,
{
    let shared = Arc::new(Shared::default());
    let cancel = Cancel::new();
    let (s, c) = (shared.clone(), cancel.clone());
    std::thread::Builder::new()
        .name(format!("celestra-{kind}"))
        .spawn(move || {
            let end = catch_unwind(AssertUnwindSafe(|| {
                runtime()?.block_on(async {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<DeployEvent>();
                    let fut = work(tx, c);
                    tokio::pin!(fut);
                    let end = loop {
                        tokio::select! {
                            end = &mut fut => break end,
                            Some(e) = rx.recv() => s.push(e),
                        }
                    };
                    while let Ok(e) = rx.try_recv() {
                        s.push(e);
                    }
                    end
                })
            }))
            .unwrap_or_else(|p| Err(DFail::internal(api::panic_message(p.as_ref()))));
            s.finish(end);
        })
        .map_err(|e| DFail::internal(format!("cannot start the deploy thread: {e}")))?;
    Ok(DeployHandle {
        shared,
        cancel,
        kind,
    })
}

/// A wait of `timeout` seconds, clamped to 0…1 hour (NaN is 0).
fn wait_for(timeout: f64) -> Duration {
    if timeout.is_nan() || timeout <= 0.0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(timeout.min(3600.0))
    }
}

impl DeployHandle {
    /// Waits without the GIL until `ready` holds or `timeout` passes; returns what `ready` gave.
    fn wait_until<T: Send>(
        &self,
        py: Python<'_>,
        timeout: f64,
        ready: impl Fn(&State) -> Option<T> + Send + Sync,
    ) -> Option<T> {
        let check = || ready(&self.shared.lock());
        if let Some(v) = check() {
            return Some(v);
        }
        let wait = wait_for(timeout);
        if wait.is_zero() {
            return None;
        }
        py.detach(|| {
            let deadline = Instant::now() + wait;
            let mut g = self.shared.lock();
            loop {
                if let Some(v) = ready(&g) {
                    return Some(v);
                }
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                g = self
                    .shared
                    .changed
                    .wait_timeout(g, deadline - now)
                    .map_or_else(|p| p.into_inner().0, |r| r.0);
            }
        })
    }
}

/// `(code, message, diagnostics)` of a failed deployment's error.
type Failure = (&'static str, String, Vec<Diagnostic>);

#[pymethods]
impl DeployHandle {
    /// Event `index` (from 0) as a dict, waiting up to `timeout` seconds for it with the GIL
    /// released; None when the call ended before it, or when the wait timed out (`done` says
    /// which).
    #[pyo3(signature = (index, timeout=0.0))]
    fn event<'py>(
        &self,
        py: Python<'py>,
        index: usize,
        timeout: f64,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let e = self.wait_until(py, timeout, |s| match s.events.get(index) {
            Some(e) => Some(Some(e.clone())),
            None if s.end.is_some() => Some(None),
            None => None,
        });
        e.flatten().map(|e| to_py(py, &e)).transpose()
    }

    /// Waits up to `timeout` seconds (GIL released) for the call to end; True once it has.
    #[pyo3(signature = (timeout=0.0))]
    fn wait(&self, py: Python<'_>, timeout: f64) -> bool {
        self.wait_until(py, timeout, |s| s.end.as_ref().map(|_| ()))
            .is_some()
    }

    /// Every event received so far, in order.
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let events = self.shared.lock().events.clone();
        to_py(py, &events)
    }

    /// The number of events received so far.
    #[getter]
    fn event_count(&self) -> usize {
        self.shared.lock().events.len()
    }

    /// True once the call ended.
    #[getter]
    fn done(&self) -> bool {
        self.shared.lock().end.is_some()
    }

    /// The deployment's id, from its first event (None before it).
    #[getter]
    fn deployment_id(&self) -> Option<String> {
        self.shared
            .lock()
            .events
            .first()
            .map(|e| e.deployment_id.clone())
    }

    /// Cancels: the deploy stops at once (its running step is abandoned) and ends failed /
    /// cancelled. A no-op once it ended.
    fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The end: None while running; `(status, failure)` for a deployment that ran (`failure`
    /// the `(code, message, diagnostics)` of a failed one, else None); raises `DeployError` for
    /// a call that could not proceed.
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let end = self.shared.lock().end.clone();
        match end {
            None => Ok(None),
            Some(Err(f)) => Err(f.into_py(py)),
            Some(Ok(status)) => {
                let failure: Option<Failure> = DeployError::from_status(&status)
                    .map(|e| (e.code.as_str(), e.message, e.diagnostics));
                to_py(py, &(status, failure)).map(Some)
            }
        }
    }

    fn __repr__(&self) -> String {
        let g = self.shared.lock();
        let id = g.events.first().map_or("-", |e| e.deployment_id.as_str());
        let state = match &g.end {
            None => "running".to_owned(),
            Some(Ok(s)) => format!("{:?}", s.status).to_lowercase(),
            Some(Err(f)) => format!("error {}", f.code),
        };
        format!(
            "DeployHandle({}, deployment_id={id}, {state}, events={})",
            self.kind,
            g.events.len()
        )
    }
}

// --------------------------------------------------------------------------- module functions

/// Starts a deploy of `workflow`: the handle of the running deploy. Bad arguments raise at
/// once; everything else (the workflow's errors, the engine) ends the handle.
#[pyfunction]
#[pyo3(signature = (workflow, target, project=None, host=None, timeout=None, step_timeout=None, rollback_on_failure=false, publish_address=None, history_max=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deploy_start(
    py: Python<'_>,
    workflow: &Bound<'_, PyAny>,
    target: &str,
    project: Option<String>,
    host: Option<String>,
    timeout: Option<f64>,
    step_timeout: Option<f64>,
    rollback_on_failure: bool,
    publish_address: Option<String>,
    history_max: Option<i64>,
) -> PyResult<DeployHandle> {
    let run = || -> D<DeployHandle> {
        check_target(target)?;
        let options = docker_options(
            project,
            timeout,
            step_timeout,
            rollback_on_failure,
            publish_address,
            history_max,
        )?;
        let input = read(workflow, "workflow")?;
        start("deploy", move |tx, cancel| async move {
            let wf = parse(&input)?;
            // Refused before any engine call: a workflow with errors, a bad project name.
            api::docker_project(&wf, &options.project)?;
            let d = connect(host.as_deref(), &cancel).await?;
            Ok(d.deploy(&wf, &options, Some(tx), &cancel).await?)
        })
    };
    run().map_err(|f| f.into_py(py))
}

/// Starts a rollback of `project` to revision `to` (default: the newest successful one before
/// the current), as a new revision.
#[pyfunction]
#[pyo3(signature = (target, project, to=None, host=None, timeout=None, step_timeout=None, publish_address=None, history_max=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn rollback_start(
    py: Python<'_>,
    target: &str,
    project: String,
    to: Option<i64>,
    host: Option<String>,
    timeout: Option<f64>,
    step_timeout: Option<f64>,
    publish_address: Option<String>,
    history_max: Option<i64>,
) -> PyResult<DeployHandle> {
    let run = || -> D<DeployHandle> {
        check_target(target)?;
        project_name("project", &project)?;
        let to = revision(to)?;
        let options = docker_options(
            Some(project.clone()),
            timeout,
            step_timeout,
            false,
            publish_address,
            history_max,
        )?;
        start("rollback", move |tx, cancel| async move {
            let d = connect(host.as_deref(), &cancel).await?;
            Ok(d.rollback(&project, to, &options, Some(tx), &cancel)
                .await?)
        })
    };
    run().map_err(|f| f.into_py(py))
}

/// What a deploy of `workflow` would change (a dry run: no engine writes): the change plan.
#[pyfunction]
#[pyo3(signature = (workflow, target, project=None, host=None, timeout=None, step_timeout=None, rollback_on_failure=false, publish_address=None, history_max=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deploy_plan<'py>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    target: &str,
    project: Option<String>,
    host: Option<String>,
    timeout: Option<f64>,
    step_timeout: Option<f64>,
    rollback_on_failure: bool,
    publish_address: Option<String>,
    history_max: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        check_target(target)?;
        let options = docker_options(
            project,
            timeout,
            step_timeout,
            rollback_on_failure,
            publish_address,
            history_max,
        )?;
        let input = read(workflow, "workflow")?;
        blocking(py, move || async move {
            let wf = parse(&input)?;
            api::docker_project(&wf, &options.project)?;
            let d = Docker::connect(host.as_deref()).await?;
            let (_, plan) = d.plan(&wf, &options).await?;
            Ok(plan)
        })
    };
    let plan = run().map_err(|f| f.into_py(py))?;
    to_py(py, &plan)
}

/// The §5.3 status of a project's current revision, read from the engine now.
#[pyfunction]
#[pyo3(signature = (target, project, host=None))]
pub(crate) fn deploy_status<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    host: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        check_target(target)?;
        project_name("project", &project)?;
        blocking(py, move || async move {
            let d = Docker::connect(host.as_deref()).await?;
            Ok(d.status(&project).await?)
        })
    };
    let s = run().map_err(|f| f.into_py(py))?;
    to_py(py, &s)
}

/// One revision of a project's history, without its workflow snapshot (it holds the secret
/// values; `rollback` reads it on the engine's side).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryEntry {
    revision: u64,
    deployment_id: String,
    workflow_id: String,
    workflow_name: String,
    hash: String,
    outcome: RevisionOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    rollback_of: Option<u64>,
    message: String,
    jobs_ran: Vec<String>,
    options: serde_json::Value,
    started_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<Timestamp>,
}

impl From<Revision> for HistoryEntry {
    fn from(r: Revision) -> Self {
        HistoryEntry {
            revision: r.revision,
            deployment_id: r.deployment_id,
            workflow_id: r.workflow_id,
            workflow_name: r.workflow_name,
            hash: r.hash,
            outcome: r.outcome,
            rollback_of: r.rollback_of,
            message: r.message,
            jobs_ran: r.jobs_ran,
            options: r.options,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// A project's revisions, oldest first (an empty list for a project never deployed).
#[pyfunction]
#[pyo3(signature = (target, project, host=None))]
pub(crate) fn deploy_history<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    host: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        check_target(target)?;
        project_name("project", &project)?;
        blocking(py, move || async move {
            let d = Docker::connect(host.as_deref()).await?;
            let h = d.history(&project).await?;
            Ok(h.revisions
                .into_iter()
                .map(HistoryEntry::from)
                .collect::<Vec<_>>())
        })
    };
    let h = run().map_err(|f| f.into_py(py))?;
    to_py(py, &h)
}

/// Removes a project: containers, networks, revision records, and volumes with `volumes`.
#[pyfunction]
#[pyo3(signature = (target, project, volumes=false, host=None))]
pub(crate) fn deploy_down<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    volumes: bool,
    host: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        check_target(target)?;
        project_name("project", &project)?;
        blocking(py, move || async move {
            let d = Docker::connect(host.as_deref()).await?;
            Ok(d.down(&project, volumes).await?)
        })
    };
    let r = run().map_err(|f| f.into_py(py))?;
    to_py(py, &r)
}

/// The §5.3 status folded from events (a list of event dicts, or their JSON): the core's one
/// reducer, for a client that stored the events.
#[pyfunction]
pub(crate) fn deployment_status<'py>(
    py: Python<'py>,
    events: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<DeploymentStatus> {
        let events: Vec<DeployEvent> = match read(events, "events")? {
            Input::Text(t) => serde_json::from_str(&t),
            Input::Bytes(b) => serde_json::from_slice(&b),
        }
        .map_err(|e| DFail::option(format!("events: {e}")))?;
        Ok(api::deployment_status(&events))
    };
    let s = run().map_err(|f| f.into_py(py))?;
    to_py(py, &s)
}
