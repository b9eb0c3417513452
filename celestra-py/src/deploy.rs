//! The deploy API (targets `docker` and `kubernetes`): `deploy_start`, `rollback_start`,
//! `deploy_plan`, `deploy_status`, `deploy_history`, `deploy_down`, `deployment_status`.
//!
//! Each call takes the options of both targets; those of the other target are refused with
//! `OPTION` when given (`host`, `publish_address` and `volumes` are Docker's; `kubeconfig`,
//! `kubeconfig_text`, `context`, `namespace` and `force_replace` Kubernetes').
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
use celestra_core::api::{
    self, Cancel, DeleteReport, DeployError, Docker, DockerOptions, DownReport, ErrorCode, Kube,
    KubeConnect, KubeOptions, KubePlan,
};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::kube::{KubeProjectOptions, is_namespace_name, is_project_name};
use celestra_core::deploy::{
    ChangePlan, DeployEvent, DeploymentStatus, Revision, RevisionOutcome, Timestamp,
};
use celestra_core::{Diagnostic, Error, Workflow};
use pyo3::prelude::*;
use serde::Serialize;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
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

/// A deploy target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Docker,
    Kubernetes,
}

/// The deploy targets: `docker` and `kubernetes` (alias `k8s`).
fn target(name: &str) -> D<Target> {
    match name {
        "docker" => Ok(Target::Docker),
        "kubernetes" | "k8s" => Ok(Target::Kubernetes),
        other => Err(DFail::option(format!(
            "unknown deploy target {other:?}: use \"docker\" or \"kubernetes\""
        ))),
    }
}

/// Refuses the options of the other target that were given (`(name, given)`), naming the first.
fn only_for(t: Target, other: &[(&str, bool)]) -> D<()> {
    let Some((name, _)) = other.iter().find(|(_, given)| *given) else {
        return Ok(());
    };
    Err(DFail::option(match t {
        Target::Docker => format!(
            "{name} is a Kubernetes option: it does not apply to target \"docker\" (use target \"kubernetes\")"
        ),
        Target::Kubernetes => format!(
            "{name} is a Docker option: it does not apply to target \"kubernetes\" (the cluster comes from kubeconfig, kubeconfig_text, context and namespace)"
        ),
    }))
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

/// A Kubernetes project name (the ApplySet's): the core's rule, checked at once.
fn kube_project_name(project: &str) -> D<()> {
    project_name("project", project)?;
    if !is_project_name(project) {
        return Err(DFail::option(format!(
            "project {project:?} is not a valid name: use at most 40 lower-case letters, digits and '-', starting and ending with a letter or digit"
        )));
    }
    Ok(())
}

/// The Kubernetes connection options of a call, as given.
#[derive(Default)]
struct KubeArgs {
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
}

impl KubeArgs {
    /// `(name, given)` of each, for [`only_for`].
    fn given(&self) -> [(&'static str, bool); 4] {
        [
            ("kubeconfig", self.kubeconfig.is_some()),
            ("kubeconfig_text", self.kubeconfig_text.is_some()),
            ("context", self.context.is_some()),
            ("namespace", self.namespace.is_some()),
        ]
    }

    /// The connection: a kubeconfig given as text always goes through the core's check of
    /// inline credentials (`Kube::connect` reads the text first), so a file path and a text
    /// together are refused rather than one of them silently winning.
    fn connect(self) -> D<KubeConnect> {
        if self.kubeconfig.is_some() && self.kubeconfig_text.is_some() {
            return Err(DFail::option(
                "give kubeconfig (a file) or kubeconfig_text (its content), not both",
            ));
        }
        if let Some(ns) = &self.namespace {
            if !is_namespace_name(ns) {
                return Err(DFail::option(format!(
                    "namespace {ns:?} is not a valid namespace name (a DNS label)"
                )));
            }
        }
        if self.context.as_deref() == Some("") {
            return Err(DFail::option("context must not be empty"));
        }
        Ok(KubeConnect {
            kubeconfig: self.kubeconfig,
            kubeconfig_text: self.kubeconfig_text,
            context: self.context,
            namespace: self.namespace,
        })
    }
}

/// Where a call with one project goes (status, history, down).
enum Engine {
    Docker(Option<String>),
    Kubernetes(KubeConnect),
}

/// The engine of `target` from the options of both (`docker_only` / `kube_only`: the call's
/// other options of one target, `(name, given)`).
fn engine(
    t: Target,
    host: Option<String>,
    kube: KubeArgs,
    docker_only: &[(&str, bool)],
    kube_only: &[(&str, bool)],
) -> D<Engine> {
    match t {
        Target::Docker => {
            only_for(t, &kube.given())?;
            only_for(t, kube_only)?;
            Ok(Engine::Docker(host))
        }
        Target::Kubernetes => {
            only_for(t, &[("host", host.is_some())])?;
            only_for(t, docker_only)?;
            Ok(Engine::Kubernetes(kube.connect()?))
        }
    }
}

/// The arguments of a deploy, a dry run or a rollback, as given.
struct RunArgs {
    project: Option<String>,
    timeout: Option<f64>,
    step_timeout: Option<f64>,
    rollback_on_failure: bool,
    history_max: Option<i64>,
    host: Option<String>,
    publish_address: Option<String>,
    kube: KubeArgs,
    force_replace: bool,
}

/// A deploy-like call: the engine and the driver's options.
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

fn run_options(t: Target, a: RunArgs) -> D<Run> {
    if let Some(p) = &a.project {
        project_name("project", p)?;
    }
    let timeout = seconds("timeout", a.timeout)?;
    let step_timeout = seconds("step_timeout", a.step_timeout)?;
    let history_max = history_max(a.history_max)?;
    let namespace = a.kube.namespace.clone();
    match engine(
        t,
        a.host,
        a.kube,
        &[("publish_address", a.publish_address.is_some())],
        &[("force_replace", a.force_replace)],
    )? {
        Engine::Docker(host) => Ok(Run::Docker {
            host,
            options: DockerOptions {
                project: ProjectOptions {
                    project: a.project,
                    publish_address: a.publish_address,
                },
                timeout,
                step_timeout,
                rollback_on_failure: a.rollback_on_failure,
                history_max,
            },
        }),
        Engine::Kubernetes(conn) => {
            if let Some(p) = &a.project {
                kube_project_name(p)?;
            }
            Ok(Run::Kubernetes {
                conn,
                options: KubeOptions {
                    project: KubeProjectOptions {
                        name: a.project,
                        namespace,
                        kubernetes_version: None,
                    },
                    timeout,
                    step_timeout,
                    rollback_on_failure: a.rollback_on_failure,
                    history_max,
                    force_replace: a.force_replace,
                    // Not exposed: the driver's defaults (16 applies at once; the gates run).
                    ..KubeOptions::default()
                },
            })
        }
    }
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
/// once; everything else (the workflow's errors, the engine or cluster) ends the handle.
#[pyfunction]
#[pyo3(signature = (workflow, target, project=None, host=None, timeout=None, step_timeout=None, rollback_on_failure=false, publish_address=None, history_max=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None, force_replace=false))]
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
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
    force_replace: bool,
) -> PyResult<DeployHandle> {
    let run = || -> D<DeployHandle> {
        let run = run_options(
            self::target(target)?,
            RunArgs {
                project,
                timeout,
                step_timeout,
                rollback_on_failure,
                history_max,
                host,
                publish_address,
                kube: KubeArgs {
                    kubeconfig,
                    kubeconfig_text,
                    context,
                    namespace,
                },
                force_replace,
            },
        )?;
        let input = read(workflow, "workflow")?;
        start("deploy", move |tx, cancel| async move {
            let wf = parse(&input)?;
            match run {
                Run::Docker { host, options } => {
                    // Refused before any engine call: a workflow with errors, a bad project name.
                    api::docker_project(&wf, &options.project)?;
                    let d = connect(host.as_deref(), &cancel).await?;
                    Ok(d.deploy(&wf, &options, Some(tx), &cancel).await?)
                }
                Run::Kubernetes { conn, options } => {
                    // Refused before any cluster call, likewise.
                    api::kube_project(&wf, &options.project)?;
                    let k = connect_kube(&conn, &cancel).await?;
                    Ok(k.deploy(&wf, &options, Some(tx), &cancel).await?)
                }
            }
        })
    };
    run().map_err(|f| f.into_py(py))
}

/// Starts a rollback of `project` to revision `to` (default: the newest successful one before
/// the current), as a new revision.
#[pyfunction]
#[pyo3(signature = (target, project, to=None, host=None, timeout=None, step_timeout=None, publish_address=None, history_max=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None, force_replace=false))]
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
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
    force_replace: bool,
) -> PyResult<DeployHandle> {
    let run = || -> D<DeployHandle> {
        let t = self::target(target)?;
        project_name("project", &project)?;
        let to = revision(to)?;
        let run = run_options(
            t,
            RunArgs {
                project: Some(project.clone()),
                timeout,
                step_timeout,
                rollback_on_failure: false,
                history_max,
                host,
                publish_address,
                kube: KubeArgs {
                    kubeconfig,
                    kubeconfig_text,
                    context,
                    namespace,
                },
                force_replace,
            },
        )?;
        start("rollback", move |tx, cancel| async move {
            match run {
                Run::Docker { host, options } => {
                    let d = connect(host.as_deref(), &cancel).await?;
                    Ok(d.rollback(&project, to, &options, Some(tx), &cancel)
                        .await?)
                }
                Run::Kubernetes { conn, options } => {
                    let k = connect_kube(&conn, &cancel).await?;
                    Ok(k.rollback(&project, to, &options, Some(tx), &cancel)
                        .await?)
                }
            }
        })
    };
    run().map_err(|f| f.into_py(py))
}

/// A dry run's result: Docker's change plan, or the Kubernetes plan.
#[derive(Serialize)]
#[serde(untagged)]
enum PlanOut {
    Docker(ChangePlan),
    Kubernetes(KubePlan),
}

/// What a deploy of `workflow` would change (a dry run: no engine writes): Docker's change
/// plan, or for Kubernetes each object's operation (create, update, unchanged, recreate) and
/// what would be pruned.
#[pyfunction]
#[pyo3(signature = (workflow, target, project=None, host=None, timeout=None, step_timeout=None, rollback_on_failure=false, publish_address=None, history_max=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None, force_replace=false))]
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
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
    force_replace: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<PlanOut> {
        let run = run_options(
            self::target(target)?,
            RunArgs {
                project,
                timeout,
                step_timeout,
                rollback_on_failure,
                history_max,
                host,
                publish_address,
                kube: KubeArgs {
                    kubeconfig,
                    kubeconfig_text,
                    context,
                    namespace,
                },
                force_replace,
            },
        )?;
        let input = read(workflow, "workflow")?;
        blocking(py, move || async move {
            let wf = parse(&input)?;
            match run {
                Run::Docker { host, options } => {
                    api::docker_project(&wf, &options.project)?;
                    let d = Docker::connect(host.as_deref()).await?;
                    let (_, plan) = d.plan(&wf, &options).await?;
                    Ok(PlanOut::Docker(plan))
                }
                Run::Kubernetes { conn, options } => {
                    api::kube_project(&wf, &options.project)?;
                    let k = Kube::connect(&conn).await?;
                    Ok(PlanOut::Kubernetes(k.plan(&wf, &options).await?))
                }
            }
        })
    };
    let plan = run().map_err(|f| f.into_py(py))?;
    to_py(py, &plan)
}

/// The engine of a call about one project (status, history, down), its name checked.
fn project_engine(
    target: &str,
    project: &str,
    host: Option<String>,
    kube: KubeArgs,
    docker_only: &[(&str, bool)],
) -> D<Engine> {
    let t = self::target(target)?;
    project_name("project", project)?;
    let e = engine(t, host, kube, docker_only, &[])?;
    if t == Target::Kubernetes {
        kube_project_name(project)?;
    }
    Ok(e)
}

/// The §5.3 status of a project's current revision, read from the engine (or cluster) now.
#[pyfunction]
#[pyo3(signature = (target, project, host=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deploy_status<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    host: Option<String>,
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        let kube = KubeArgs {
            kubeconfig,
            kubeconfig_text,
            context,
            namespace,
        };
        let e = project_engine(target, &project, host, kube, &[])?;
        blocking(py, move || async move {
            match e {
                Engine::Docker(host) => {
                    let d = Docker::connect(host.as_deref()).await?;
                    Ok(d.status(&project).await?)
                }
                Engine::Kubernetes(conn) => {
                    let k = Kube::connect(&conn).await?;
                    Ok(k.status(&project, conn.namespace.as_deref()).await?)
                }
            }
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
#[pyo3(signature = (target, project, host=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deploy_history<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    host: Option<String>,
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        let kube = KubeArgs {
            kubeconfig,
            kubeconfig_text,
            context,
            namespace,
        };
        let e = project_engine(target, &project, host, kube, &[])?;
        blocking(py, move || async move {
            let h = match e {
                Engine::Docker(host) => {
                    let d = Docker::connect(host.as_deref()).await?;
                    d.history(&project).await?
                }
                Engine::Kubernetes(conn) => {
                    let k = Kube::connect(&conn).await?;
                    k.history(&project, conn.namespace.as_deref()).await?
                }
            };
            Ok(h.revisions
                .into_iter()
                .map(HistoryEntry::from)
                .collect::<Vec<_>>())
        })
    };
    let h = run().map_err(|f| f.into_py(py))?;
    to_py(py, &h)
}

/// What `down` removed: Docker's containers, networks and volumes, or the Kubernetes objects.
#[derive(Serialize)]
#[serde(untagged)]
enum DownOut {
    Docker(DownReport),
    Kubernetes(DeleteReport),
}

/// Removes a project. Docker: containers, networks, revision records, and volumes with
/// `volumes`. Kubernetes (`delete`): every member of the project's ApplySet, its revision
/// records and its parent Secret.
#[pyfunction]
#[pyo3(signature = (target, project, volumes=false, host=None, kubeconfig=None, kubeconfig_text=None, context=None, namespace=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn deploy_down<'py>(
    py: Python<'py>,
    target: &str,
    project: String,
    volumes: bool,
    host: Option<String>,
    kubeconfig: Option<PathBuf>,
    kubeconfig_text: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> D<_> {
        let kube = KubeArgs {
            kubeconfig,
            kubeconfig_text,
            context,
            namespace,
        };
        let e = project_engine(target, &project, host, kube, &[("volumes", volumes)])?;
        blocking(py, move || async move {
            match e {
                Engine::Docker(host) => {
                    let d = Docker::connect(host.as_deref()).await?;
                    Ok(DownOut::Docker(d.down(&project, volumes).await?))
                }
                Engine::Kubernetes(conn) => {
                    let k = Kube::connect(&conn).await?;
                    Ok(DownOut::Kubernetes(
                        k.delete(&project, conn.namespace.as_deref()).await?,
                    ))
                }
            }
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
