//! The native Docker driver: a workflow's project deployed through the Docker Engine API
//! (bollard), wave after wave, each step gated by real readiness (running, `healthy`, or exited
//! 0 for one-shots) followed through the engine's event stream.
//!
//! State lives with the engine: containers, networks and volumes carry Compose's labels (so
//! `docker compose -p NAME ps` and `down` see them) and ours; the revision history is one
//! volume per revision whose labels hold the gzip-compressed record (never mounted, never
//! labelled for Compose, so `docker compose down -v` leaves it).

use super::{Cancel, DeployError, Emitter, ErrorCode, EventSender, now, tar, uuid_v4};
use crate::deploy::change::{ChangePlan, Op};
use crate::deploy::docker::{
    self as model, ContainerSpec, DockerProject, DockerStep, LiveContainer, LiveInventory,
    ProjectOptions, StepKind, labels,
};
use crate::deploy::event::{Action, DeployTarget, EventBody, EventStatus, ObjectRef, Outcome};
use crate::deploy::revision::{History, Revision, RevisionOutcome};
use crate::deploy::status::{DeploymentStatus, NodeState, Reason};
use crate::model::{ErrorHandling, Workflow};
use bollard::Docker as Client;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, Mount, MountType,
    NetworkCreateRequest, NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
    VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, EventsOptions, ListContainersOptions, ListNetworksOptions,
    ListVolumesOptions, LogsOptions, RemoveContainerOptions, StopContainerOptions,
    UploadToContainerOptions,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::broadcast;

/// The socket tried when neither an option nor `DOCKER_HOST` names one.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";
/// Lines of a failed container's log reported.
const LOG_TAIL: usize = 20;
/// A gate re-reads its containers at least this often, events or not.
const GATE_RECHECK: Duration = Duration::from_secs(2);
/// A server without a health check that this deploy started must stay up this long: a process
/// that crashes at start is a failure, not a pass (the engine says `running` for a moment).
/// A quarter second per wave catches a start-up crash; Compose's `--wait` does not wait at all.
const SETTLE: Duration = Duration::from_millis(250);
/// How often a gate runs a starting container's probe itself.
const PROBE_EVERY: Duration = Duration::from_millis(250);
/// The label that holds a revision record.
const RECORD: &str = "io.celestra.record";

/// Options of a Docker deploy.
#[derive(Debug, Clone, Default)]
pub struct DockerOptions {
    /// Project name and publish address.
    pub project: ProjectOptions,
    /// The whole deploy's timeout (default: the workflow's `totalTimeoutSeconds`, 1800 s).
    pub timeout: Option<Duration>,
    /// Each step's timeout (default: the workflow's `stepTimeoutSeconds`, 300 s).
    pub step_timeout: Option<Duration>,
    /// Roll back to the previous successful revision when the deploy fails (never past a Job
    /// that ran in the failed deploy).
    pub rollback_on_failure: bool,
    /// Revisions kept (default 10).
    pub history_max: Option<usize>,
}

impl DockerOptions {
    fn to_json(&self) -> Value {
        json!({
            "project": self.project.project,
            "publishAddress": self.project.publish_address,
            "timeoutSeconds": self.timeout.map(|d| d.as_secs()),
            "stepTimeoutSeconds": self.step_timeout.map(|d| d.as_secs()),
            "rollbackOnFailure": self.rollback_on_failure,
        })
    }
}

/// What `down` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownReport {
    /// Containers removed.
    pub containers: Vec<String>,
    /// Networks removed.
    pub networks: Vec<String>,
    /// Volumes removed (only with `volumes`).
    pub volumes: Vec<String>,
    /// Revision records removed.
    pub revisions: usize,
}

/// A connection to one Docker engine.
#[derive(Debug, Clone)]
pub struct Docker {
    client: Client,
    host: String,
}

fn engine(host: &str, e: bollard::errors::Error) -> DeployError {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => DeployError::new(
            ErrorCode::Engine,
            format!("the Docker engine at {host} answered {status_code}: {message}"),
        ),
        other => DeployError::new(
            ErrorCode::EngineUnreachable,
            format!("cannot reach the Docker engine at {host}: {other}"),
        ),
    }
}

fn not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

fn filters(pairs: &[(&str, String)]) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        m.entry((*k).to_owned()).or_default().push(v.clone());
    }
    m
}

fn obj(kind: &str, name: &str, project: &str) -> ObjectRef {
    ObjectRef {
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: Some(project.to_owned()),
    }
}

/// How one container's gate ended.
enum Verdict {
    Ready,
    /// Running, with no health check to say more.
    Up,
    Waiting(String),
    Failed {
        reason: &'static str,
        message: String,
    },
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

struct Run<'a> {
    d: &'a Docker,
    p: &'a DockerProject,
    plan: &'a ChangePlan,
    em: &'a Emitter,
    revision: u64,
    deployment_id: String,
    events: broadcast::Sender<String>,
    jobs_ran: Mutex<Vec<String>>,
    created: Mutex<Vec<String>>,
    step_timeout: Duration,
}

impl Docker {
    /// Connects to `host` (`unix:///path`, `tcp://127.0.0.1:2375`), else `DOCKER_HOST`, else
    /// the default socket, and negotiates the API version (engines from API 1.41 up).
    pub async fn connect(host: Option<&str>) -> Result<Docker, DeployError> {
        let host = host
            .map(str::to_owned)
            .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let client = if let Some(path) = host.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err(DeployError::new(
                    ErrorCode::EngineUnreachable,
                    format!("cannot reach the Docker engine at {host}: no such socket (is the daemon running? set DOCKER_HOST or give the host)"),
                ));
            }
            Client::connect_with_unix(&host, 120, bollard::API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Client::connect_with_http(&host, 120, bollard::API_DEFAULT_VERSION)
        } else {
            return Err(DeployError::new(
                ErrorCode::Option,
                format!("unsupported Docker host {host:?}: use unix:///path or tcp://host:port"),
            ));
        }
        .map_err(|e| engine(&host, e))?;
        let client = tokio::time::timeout(Duration::from_secs(10), client.negotiate_version())
            .await
            .map_err(|_| {
                DeployError::new(
                    ErrorCode::EngineUnreachable,
                    format!("cannot reach the Docker engine at {host}: no answer within 10 s"),
                )
            })?
            .map_err(|e| engine(&host, e))?;
        let v = client.version().await.map_err(|e| engine(&host, e))?;
        let api = v.api_version.unwrap_or_default();
        let (major, minor) = api
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
            .unwrap_or((0, 0));
        if (major, minor) < (1, 41) {
            return Err(DeployError::new(
                ErrorCode::Engine,
                format!(
                    "the Docker engine at {host} speaks API {api}; Celestra needs 1.41 or newer (Docker 20.10)"
                ),
            ));
        }
        Ok(Docker { client, host })
    }

    /// The engine address in use.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The bollard client (for tests and tools).
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn err(&self, e: bollard::errors::Error) -> DeployError {
        engine(&self.host, e)
    }

    /// Everything labelled with the project: containers (inspected: state, exit code,
    /// health), networks and volumes.
    pub async fn inventory(&self, project: &str) -> Result<LiveInventory, DeployError> {
        let f = filters(&[("label", format!("{}={project}", labels::PROJECT))]);
        let list = self
            .client
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(f.clone()),
                ..Default::default()
            }))
            .await
            .map_err(|e| self.err(e))?;
        let mut containers = Vec::new();
        for c in list {
            let id = c.id.unwrap_or_default();
            let name = c
                .names
                .and_then(|n| n.into_iter().next())
                .unwrap_or_default();
            let labels: BTreeMap<String, String> =
                c.labels.unwrap_or_default().into_iter().collect();
            let mut live = LiveContainer::from_labels(&id, &name, "", &labels);
            match self.client.inspect_container(&id, None).await {
                Ok(i) => {
                    if let Some(st) = i.state {
                        live.state = st.status.map(|s| s.to_string()).unwrap_or_default();
                        live.exit_code = st.exit_code;
                        live.health = st
                            .health
                            .and_then(|h| h.status)
                            .map(|s| s.to_string())
                            .filter(|s| !s.is_empty() && s != "none");
                    }
                }
                Err(e) if not_found(&e) => continue,
                Err(e) => return Err(self.err(e)),
            }
            containers.push(live);
        }
        crate::sort::sort_by(&mut containers, |a, b| a.name.cmp(&b.name));
        let nets = self
            .client
            .list_networks(Some(ListNetworksOptions {
                filters: Some(f.clone()),
            }))
            .await
            .map_err(|e| self.err(e))?;
        let mut networks: Vec<String> = nets.into_iter().filter_map(|n| n.name).collect();
        crate::sort::sort(&mut networks);
        let vols = self
            .client
            .list_volumes(Some(ListVolumesOptions { filters: Some(f) }))
            .await
            .map_err(|e| self.err(e))?;
        let mut volumes: Vec<String> = vols
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        crate::sort::sort(&mut volumes);
        Ok(LiveInventory {
            containers,
            networks,
            volumes,
        })
    }

    /// The project and what a deploy would change (`--dry-run`): no engine writes.
    pub async fn plan(
        &self,
        workflow: &Workflow,
        options: &DockerOptions,
    ) -> Result<(DockerProject, ChangePlan), DeployError> {
        let p = model::project(workflow, &options.project)?;
        let live = self.inventory(&p.name).await?;
        let plan = model::change_plan(&p, &live);
        Ok((p, plan))
    }

    // ------------------------------------------------------------------ revision records

    fn record_name(project: &str, revision: u64) -> String {
        format!("celestra-rev.{project}.{revision}")
    }

    /// The revision history of a project (oldest first).
    pub async fn history(&self, project: &str) -> Result<History, DeployError> {
        let vols = self
            .client
            .list_volumes(Some(ListVolumesOptions {
                filters: Some(filters(&[(
                    "label",
                    format!("{}={project}", labels::HISTORY_PROJECT),
                )])),
            }))
            .await
            .map_err(|e| self.err(e))?;
        let mut revs = Vec::new();
        for v in vols.volumes.unwrap_or_default() {
            if let Some(r) = v.labels.get(RECORD).and_then(|t| decode_record(t)) {
                revs.push(r);
            }
        }
        Ok(History::from_revisions(revs, usize::MAX))
    }

    async fn write_record(
        &self,
        project: &str,
        r: &Revision,
        max: usize,
    ) -> Result<(), DeployError> {
        let name = Docker::record_name(project, r.revision);
        match self
            .client
            .remove_volume(
                &name,
                None::<bollard::query_parameters::RemoveVolumeOptions>,
            )
            .await
        {
            Ok(()) => {}
            Err(e) if not_found(&e) => {}
            Err(e) => return Err(self.err(e)),
        }
        let mut l = HashMap::new();
        l.insert(labels::HISTORY_PROJECT.to_owned(), project.to_owned());
        l.insert(labels::REVISION.to_owned(), r.revision.to_string());
        l.insert(labels::MANAGED_BY.to_owned(), "celestra".to_owned());
        l.insert(RECORD.to_owned(), encode_record(r));
        self.client
            .create_volume(VolumeCreateRequest {
                name: Some(name),
                labels: Some(l),
                ..Default::default()
            })
            .await
            .map_err(|e| self.err(e))?;
        // Keep the newest `max`.
        let h = self.history(project).await?;
        let extra = h.revisions.len().saturating_sub(max.max(1));
        for old in &h.revisions[..extra] {
            let _ = self
                .client
                .remove_volume(
                    &Docker::record_name(project, old.revision),
                    None::<bollard::query_parameters::RemoveVolumeOptions>,
                )
                .await;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ deploy

    /// Deploys a workflow: a new revision, wave after wave, events to `events`. Fails before any
    /// engine write for a workflow with errors (with its findings) or bad options; a deployment
    /// that fails on the engine is an `Ok` status with `status: failed`.
    pub async fn deploy(
        &self,
        workflow: &Workflow,
        options: &DockerOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
    ) -> Result<DeploymentStatus, DeployError> {
        let p = model::project(workflow, &options.project)?;
        self.deploy_project(workflow, &p, options, events, cancel, None)
            .await
    }

    /// Deploys revision `to` (default: the newest successful one before the current) of a
    /// project's history again, as a new revision (like `helm rollback`), through the normal
    /// deploy path: change plan, gates, prune. Nothing a Job did is undone; a Job whose
    /// configuration differs from `to`'s runs again, as in any deploy.
    pub async fn rollback(
        &self,
        project: &str,
        to: Option<u64>,
        options: &DockerOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
    ) -> Result<DeploymentStatus, DeployError> {
        let h = self.history(project).await?;
        let target = h.rollback_target(to).map_err(|why| {
            DeployError::new(
                ErrorCode::NoHistory,
                format!("project {project:?} {why} on {}", self.host),
            )
        })?;
        let wf = target.workflow()?;
        let mut opts = options.clone();
        opts.project.project = Some(project.to_owned());
        let p = model::project(&wf, &opts.project)?;
        self.deploy_project(&wf, &p, &opts, events, cancel, Some(target.revision))
            .await
    }

    async fn deploy_project(
        &self,
        workflow: &Workflow,
        p: &DockerProject,
        options: &DockerOptions,
        events: Option<EventSender>,
        cancel: &Cancel,
        rollback_of: Option<u64>,
    ) -> Result<DeploymentStatus, DeployError> {
        let deployment_id = uuid_v4();
        let history = self.history(&p.name).await?;
        let live = self.inventory(&p.name).await?;
        let revision = history.next_revision().max(
            live.containers
                .iter()
                .filter_map(|c| c.revision)
                .max()
                .map_or(1, |r| r + 1),
        );
        let em = Emitter::new(
            &deployment_id,
            revision,
            DeployTarget::Docker,
            events,
            p.secret_values.clone(),
        );
        let max = options
            .history_max
            .unwrap_or(crate::deploy::DEFAULT_HISTORY_MAX);
        let mut rec = Revision::new(revision, &deployment_id, workflow, options.to_json(), now());
        rec.rollback_of = rollback_of;
        self.write_record(&p.name, &rec, max).await?;
        let outcome = self
            .run(
                p,
                &live,
                &em,
                revision,
                &deployment_id,
                options,
                cancel,
                rollback_of,
            )
            .await;
        let (jobs_ran, end) = match outcome {
            Ok(x) => x,
            Err(e) => (Vec::new(), Some((Reason::Error, e.message))),
        };
        let status = em.status();
        rec.outcome = if status.status == crate::deploy::DeploymentState::Success {
            RevisionOutcome::Success
        } else {
            RevisionOutcome::Failed
        };
        rec.message = match &end {
            Some((_, m)) => em.redact(m),
            None => status.details.clone(),
        };
        rec.jobs_ran = jobs_ran;
        rec.finished_at = Some(now());
        self.write_record(&p.name, &rec, max).await?;
        // Automatic rollback of a failed deploy.
        let wants = options.rollback_on_failure
            || p.policy.error_handling == ErrorHandling::RollbackOnError;
        if let Some((failed, why)) = end.clone()
            && wants
            && rollback_of.is_none()
        {
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
            let wf = prev.workflow()?;
            let mut opts = options.clone();
            opts.project.project = Some(p.name.clone());
            opts.rollback_on_failure = false;
            let pp = model::project(&wf, &opts.project)?;
            let new_revision = revision + 1;
            em.emit(EventBody::RollbackStarted {
                to_revision: prev.revision,
                new_revision,
            });
            // The rollback's own events follow under its revision (on the same stream).
            let inner = Box::pin(self.deploy_rollback_stream(
                &wf,
                &pp,
                &opts,
                &em,
                cancel,
                prev.revision,
                new_revision,
            ))
            .await;
            em.set_revision(revision);
            super::finish_after_rollback(&em, failed, &why, revision, prev.revision, inner);
        } else if let Some((failed, why)) = end {
            em.emit(EventBody::Finished {
                outcome: Outcome::Failed,
                reason: Some(failed),
                message: why,
            });
        }
        Ok(em.status())
    }

    /// A rollback deploy whose events go to the failed deploy's stream, under its own revision.
    #[allow(clippy::too_many_arguments)]
    async fn deploy_rollback_stream(
        &self,
        wf: &Workflow,
        p: &DockerProject,
        options: &DockerOptions,
        em: &Emitter,
        cancel: &Cancel,
        to: u64,
        revision: u64,
    ) -> Result<DeploymentStatus, DeployError> {
        let live = self.inventory(&p.name).await?;
        let deployment_id = uuid_v4();
        // A status of the rollback alone, folded from the same events under its revision.
        let sub = Emitter::new(
            &deployment_id,
            revision,
            DeployTarget::Docker,
            None,
            p.secret_values.clone(),
        );
        let max = options
            .history_max
            .unwrap_or(crate::deploy::DEFAULT_HISTORY_MAX);
        let mut rec = Revision::new(revision, &deployment_id, wf, options.to_json(), now());
        rec.rollback_of = Some(to);
        self.write_record(&p.name, &rec, max).await?;
        em.set_revision(revision);
        let tee = Tee { a: em, b: &sub };
        let res = self
            .run_with(
                p,
                &live,
                &tee,
                revision,
                &deployment_id,
                options,
                cancel,
                Some(to),
            )
            .await;
        let s = sub.status();
        rec.outcome = match &res {
            Ok((_, None)) => RevisionOutcome::Success,
            _ => RevisionOutcome::Failed,
        };
        rec.message = s.details.clone();
        rec.finished_at = Some(now());
        self.write_record(&p.name, &rec, max).await?;
        res.map(|_| s)
    }

    #[allow(clippy::too_many_arguments)]
    async fn run(
        &self,
        p: &DockerProject,
        live: &LiveInventory,
        em: &Emitter,
        revision: u64,
        deployment_id: &str,
        options: &DockerOptions,
        cancel: &Cancel,
        rollback_of: Option<u64>,
    ) -> Result<(Vec<String>, Option<(Reason, String)>), DeployError> {
        let one = One(em);
        self.run_with(
            p,
            live,
            &one,
            revision,
            deployment_id,
            options,
            cancel,
            rollback_of,
        )
        .await
    }

    /// The deploy proper. Returns the Jobs that ran and, for a failure, its reason; emits
    /// `Finished` itself only on success (the caller decides about rollback first).
    #[allow(clippy::too_many_arguments)]
    async fn run_with(
        &self,
        p: &DockerProject,
        live: &LiveInventory,
        sink: &dyn Sink,
        revision: u64,
        deployment_id: &str,
        options: &DockerOptions,
        cancel: &Cancel,
        rollback_of: Option<u64>,
    ) -> Result<(Vec<String>, Option<(Reason, String)>), DeployError> {
        let em = sink.primary();
        let plan = model::change_plan(p, live);
        sink.emit(EventBody::Started {
            workflow_id: p.workflow_id.clone(),
            project: p.name.clone(),
            nodes: p.planned_nodes(),
            total_waves: p.total_waves,
            rollback_of,
        });
        // Engine events of the project's containers, for the gates.
        let (tx, _) = broadcast::channel::<String>(1024);
        let mut stream = self.client.events(Some(EventsOptions {
            filters: Some(filters(&[
                ("type", "container".to_owned()),
                ("label", format!("{}={}", labels::PROJECT, p.name)),
            ])),
            ..Default::default()
        }));
        let txc = tx.clone();
        let listener = tokio::spawn(async move {
            while let Some(ev) = stream.next().await {
                let Ok(ev) = ev else { break };
                if let Some(id) = ev.actor.and_then(|a| a.id) {
                    let _ = txc.send(id);
                }
            }
        });
        let _stop_listener = AbortOnDrop(listener);
        let total = options
            .timeout
            .unwrap_or(Duration::from_secs(p.policy.total_timeout_seconds));
        let step_timeout = options
            .step_timeout
            .unwrap_or(Duration::from_secs(p.policy.step_timeout_seconds));
        let run = Run {
            d: self,
            p,
            plan: &plan,
            em,
            revision,
            deployment_id: deployment_id.to_owned(),
            events: tx,
            jobs_ran: Mutex::new(Vec::new()),
            created: Mutex::new(Vec::new()),
            step_timeout,
        };
        let waves = async {
            run.infrastructure(sink).await?;
            run.waves(sink, cancel).await
        };
        let res = tokio::select! {
            r = waves => r,
            _ = tokio::time::sleep(total) => Ok(Some((Reason::Timeout, format!("the deploy did not finish within {}", human(total))))),
            _ = cancel.cancelled() => Ok(Some((Reason::Cancelled, "cancelled".to_owned()))),
        };
        let jobs = run.jobs_ran.lock().expect("jobs").clone();
        match res {
            Err(e) => {
                sink.emit_failure_details(&e.message);
                Ok((jobs, Some((Reason::Error, e.message))))
            }
            Ok(Some((reason, message))) => {
                sink.emit_failure_details(&message);
                Ok((jobs, Some((reason, message))))
            }
            Ok(None) => {
                run.prune(sink).await?;
                sink.emit(EventBody::Finished {
                    outcome: Outcome::Success,
                    reason: None,
                    message: format!("revision {revision} deployed"),
                });
                Ok((jobs, None))
            }
        }
    }

    // ------------------------------------------------------------------ status, down

    /// The §5.3 status of a project's current revision, read from the engine now: every step of
    /// the revision's snapshot with the live state of its containers.
    pub async fn status(&self, project: &str) -> Result<DeploymentStatus, DeployError> {
        let h = self.history(project).await?;
        let Some(cur) = h.current() else {
            return Err(DeployError::new(
                ErrorCode::NoHistory,
                format!("project {project:?} has no revisions on {}", self.host),
            ));
        };
        let wf = cur.workflow()?;
        let p = model::project(
            &wf,
            &ProjectOptions {
                project: Some(project.to_owned()),
                publish_address: None,
            },
        )?;
        let live = self.inventory(project).await?;
        Ok(live_status(&p, &live, cur))
    }

    /// Removes the project: its containers (ours and any other with the project's label),
    /// networks, revision records, and its volumes only with `volumes`.
    pub async fn down(&self, project: &str, volumes: bool) -> Result<DownReport, DeployError> {
        let live = self.inventory(project).await?;
        let mut report = DownReport::default();
        // Reverse of creation: newest revision's servers first does not matter on Docker; all
        // are stopped together.
        let stops = live.containers.iter().map(|c| async move {
            let r = self
                .client
                .remove_container(
                    &c.id,
                    Some(RemoveContainerOptions {
                        force: true,
                        ..Default::default()
                    }),
                )
                .await;
            (c.name.clone(), r)
        });
        for (name, r) in futures_util::future::join_all(stops).await {
            match r {
                Ok(()) => report.containers.push(name),
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(self.err(e)),
            }
        }
        for n in &live.networks {
            match self.client.remove_network(n).await {
                Ok(()) => report.networks.push(n.clone()),
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(self.err(e)),
            }
        }
        if volumes {
            for v in &live.volumes {
                match self
                    .client
                    .remove_volume(v, None::<bollard::query_parameters::RemoveVolumeOptions>)
                    .await
                {
                    Ok(()) => report.volumes.push(v.clone()),
                    Err(e) if not_found(&e) => {}
                    Err(e) => return Err(self.err(e)),
                }
            }
        }
        let h = self.history(project).await?;
        for r in &h.revisions {
            if self
                .client
                .remove_volume(
                    &Docker::record_name(project, r.revision),
                    None::<bollard::query_parameters::RemoveVolumeOptions>,
                )
                .await
                .is_ok()
            {
                report.revisions += 1;
            }
        }
        Ok(report)
    }

    /// Follows a project's status: calls `on_change` with the first status and after every
    /// change seen on the engine, until `cancel` or `on_change` returns false.
    pub async fn watch(
        &self,
        project: &str,
        cancel: &Cancel,
        mut on_change: impl FnMut(&DeploymentStatus) -> bool,
    ) -> Result<(), DeployError> {
        let mut stream = self.client.events(Some(EventsOptions {
            filters: Some(filters(&[(
                "label",
                format!("{}={project}", labels::PROJECT),
            )])),
            ..Default::default()
        }));
        let mut records = self.client.events(Some(EventsOptions {
            filters: Some(filters(&[
                ("type", "volume".to_owned()),
                ("label", format!("{}={project}", labels::HISTORY_PROJECT)),
            ])),
            ..Default::default()
        }));
        let mut last: Option<DeploymentStatus> = None;
        loop {
            let s = self.status(project).await?;
            let mut cmp = s.clone();
            if let Some(l) = &last {
                cmp.last_seq = l.last_seq;
            }
            if last.as_ref() != Some(&cmp) {
                if !on_change(&s) {
                    return Ok(());
                }
                last = Some(s);
            }
            tokio::select! {
                e = stream.next() => if e.is_none() { return Ok(()) },
                _ = records.next() => {},
                _ = tokio::time::sleep(GATE_RECHECK) => {},
                _ = cancel.cancelled() => return Ok(()),
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where a run's events go: the deploy's emitter, or the failed deploy's and the rollback's.
trait Sink: Sync {
    fn emit(&self, body: EventBody);
    fn primary(&self) -> &Emitter;
    /// Marks what did not run as skipped (the caller emits `Finished`).
    fn emit_failure_details(&self, message: &str) {
        let s = self.primary().status();
        for n in s.nodes.iter().filter(|n| !n.status.is_terminal()) {
            self.emit(EventBody::Step {
                wave: n.wave,
                node_id: n.node_id.clone(),
                object: None,
                action: Action::Skip,
                status: EventStatus::Skipped,
                reason: Some("DeployStopped".into()),
                message: format!("not deployed: {message}"),
                progress: self.primary().progress(),
            });
        }
    }
}

struct One<'a>(&'a Emitter);
impl Sink for One<'_> {
    fn emit(&self, body: EventBody) {
        self.0.emit(body)
    }
    fn primary(&self) -> &Emitter {
        self.0
    }
}

struct Tee<'a> {
    a: &'a Emitter,
    b: &'a Emitter,
}
impl Sink for Tee<'_> {
    fn emit(&self, body: EventBody) {
        self.b.emit(body.clone());
        self.a.emit(body);
    }
    fn primary(&self) -> &Emitter {
        self.b
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else if s > 0 {
        format!("{s}s")
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl Run<'_> {
    fn ref_(&self, kind: &str, name: &str) -> ObjectRef {
        obj(kind, name, &self.p.name)
    }

    async fn infrastructure(&self, sink: &dyn Sink) -> Result<(), DeployError> {
        let c = &self.d.client;
        for ch in &self.plan.infrastructure {
            if ch.op != Op::Create {
                continue;
            }
            let mut l = HashMap::new();
            l.insert(labels::PROJECT.to_owned(), self.p.name.clone());
            l.insert(labels::MANAGED_BY.to_owned(), "celestra".to_owned());
            let res = if ch.object.kind == "Network" {
                let key = self
                    .p
                    .networks
                    .iter()
                    .find(|n| n.name == ch.object.name)
                    .map(|n| n.key.clone())
                    .unwrap_or_default();
                l.insert(labels::NETWORK.to_owned(), key);
                c.create_network(NetworkCreateRequest {
                    name: ch.object.name.clone(),
                    driver: Some("bridge".into()),
                    labels: Some(l),
                    ..Default::default()
                })
                .await
                .map(|_| ())
            } else {
                let key = self
                    .p
                    .volumes
                    .iter()
                    .find(|n| n.name == ch.object.name)
                    .map(|n| n.key.clone())
                    .unwrap_or_default();
                l.insert(labels::VOLUME.to_owned(), key);
                c.create_volume(VolumeCreateRequest {
                    name: Some(ch.object.name.clone()),
                    labels: Some(l),
                    ..Default::default()
                })
                .await
                .map(|_| ())
            };
            res.map_err(|e| self.d.err(e))?;
            let _ = sink;
        }
        Ok(())
    }

    /// Every wave in order. `Ok(None)` when all succeeded, `Ok(Some(reason, message))` when the
    /// deploy stopped.
    async fn waves(
        &self,
        sink: &dyn Sink,
        cancel: &Cancel,
    ) -> Result<Option<(Reason, String)>, DeployError> {
        let mut failed: Vec<String> = Vec::new();
        let mut first_failure: Option<(Reason, String)> = None;
        let cont = self.p.policy.error_handling == ErrorHandling::ContinueOnError;
        for w in 0..self.p.total_waves {
            if cancel.is_cancelled() {
                return Ok(Some((Reason::Cancelled, "cancelled".into())));
            }
            sink.emit(EventBody::WaveStarted { wave: w });
            let steps: Vec<&DockerStep> = self.p.steps.iter().filter(|s| s.wave == w).collect();
            let futs = steps.iter().map(|st| {
                let blocked = st.depends_on.iter().find(|d| failed.contains(d)).cloned();
                async move {
                    if let Some(b) = blocked {
                        return StepEnd::Skipped(format!(
                            "skipped: it depends on {b}, which failed"
                        ));
                    }
                    self.step_with_policy(sink, st, cancel).await
                }
            });
            let ends = futures_util::future::join_all(futs).await;
            let mut wave_failed = false;
            for (st, end) in steps.iter().zip(ends) {
                match end {
                    StepEnd::Ready => {}
                    StepEnd::Skipped(msg) => {
                        if msg.starts_with("skipped: it depends on") {
                            failed.push(st.node_id.clone());
                        }
                        sink.emit(EventBody::Step {
                            wave: w,
                            node_id: st.node_id.clone(),
                            object: None,
                            action: Action::Skip,
                            status: EventStatus::Skipped,
                            reason: Some(if msg.starts_with("skipped: it depends on") {
                                "DependencyFailed".into()
                            } else {
                                "NoDockerEquivalent".into()
                            }),
                            message: msg,
                            progress: sink.primary().progress(),
                        });
                    }
                    StepEnd::Failed {
                        reason,
                        message,
                        timed_out,
                    } => {
                        wave_failed = true;
                        failed.push(st.node_id.clone());
                        sink.emit(EventBody::Step {
                            wave: w,
                            node_id: st.node_id.clone(),
                            object: None,
                            action: Action::Wait,
                            status: if timed_out {
                                EventStatus::TimedOut
                            } else {
                                EventStatus::Failed
                            },
                            reason: Some(reason),
                            message: message.clone(),
                            progress: sink.primary().progress(),
                        });
                        if first_failure.is_none() {
                            first_failure = Some((
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
            sink.emit(EventBody::WaveFinished {
                wave: w,
                status: if wave_failed {
                    EventStatus::Failed
                } else {
                    EventStatus::Succeeded
                },
            });
            if wave_failed && !cont {
                return Ok(first_failure);
            }
        }
        Ok(first_failure)
    }

    async fn step_with_policy(&self, sink: &dyn Sink, st: &DockerStep, cancel: &Cancel) -> StepEnd {
        let pol = self.p.policy;
        let attempts = if pol.error_handling == ErrorHandling::RetryOnError {
            pol.max_attempts.max(1)
        } else {
            1
        };
        let mut delay = Duration::from_secs(pol.initial_delay_seconds);
        let mut attempt = 1;
        loop {
            let end = match tokio::time::timeout(self.step_timeout, self.step(sink, st)).await {
                Ok(e) => e,
                Err(_) => StepEnd::Failed {
                    reason: "Timeout".into(),
                    message: format!("not ready within {}", human(self.step_timeout)),
                    timed_out: true,
                },
            };
            match end {
                StepEnd::Failed { ref message, .. }
                    if attempt < attempts && !cancel.is_cancelled() =>
                {
                    sink.emit(EventBody::Step {
                        wave: st.wave,
                        node_id: st.node_id.clone(),
                        object: None,
                        action: Action::Apply,
                        status: EventStatus::InProgress,
                        reason: Some("Retrying".into()),
                        message: format!(
                            "attempt {attempt} of {attempts} failed ({message}); retrying in {}",
                            human(delay)
                        ),
                        progress: sink.primary().progress(),
                    });
                    tokio::time::sleep(delay).await;
                    if pol.exponential {
                        delay *= 2;
                    }
                    attempt += 1;
                }
                e => return e,
            }
        }
    }

    async fn step(&self, sink: &dyn Sink, st: &DockerStep) -> StepEnd {
        let progress = || sink.primary().progress();
        let node_event = |action, status, reason: Option<&str>, message: String| {
            sink.emit(EventBody::Step {
                wave: st.wave,
                node_id: st.node_id.clone(),
                object: None,
                action,
                status,
                reason: reason.map(str::to_owned),
                message,
                progress: progress(),
            })
        };
        match &st.kind {
            StepKind::Skipped { why } => StepEnd::Skipped(why.clone()),
            StepKind::Consumed { how } => {
                node_event(Action::Skip, EventStatus::Succeeded, None, how.clone());
                StepEnd::Ready
            }
            StepKind::Network { network } => {
                let msg = format!("network {network}");
                node_event(Action::Apply, EventStatus::Succeeded, None, msg.clone());
                StepEnd::Ready
            }
            StepKind::Containers {
                service,
                one_shot,
                replicas,
                spec,
                hash,
                parts,
            } => {
                node_event(
                    Action::Apply,
                    EventStatus::InProgress,
                    None,
                    format!(
                        "{} container{}",
                        replicas,
                        if *replicas == 1 { "" } else { "s" }
                    ),
                );
                let mut ids = Vec::new();
                for k in 1..=*replicas {
                    let name = model::container_name(&self.p.name, service, k);
                    match self
                        .apply_container(sink, st, &name, k, spec, hash, parts, *one_shot)
                        .await
                    {
                        Ok(id) => ids.push((name, id)),
                        Err(end) => return end,
                    }
                }
                let what = if *one_shot {
                    "completed (exit 0)"
                } else {
                    "running"
                };
                for (name, id) in &ids {
                    if let Err(end) = self
                        .gate(
                            sink,
                            st,
                            name,
                            &id.0,
                            *one_shot,
                            id.1,
                            spec.healthcheck.as_ref(),
                        )
                        .await
                    {
                        return end;
                    }
                }
                let msg = if *replicas == 1 {
                    format!("{} {what}", ids[0].0)
                } else {
                    format!("{replicas} containers {what}")
                };
                node_event(Action::Wait, EventStatus::Succeeded, None, msg.clone());
                StepEnd::Ready
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn container_event(
        &self,
        sink: &dyn Sink,
        st: &DockerStep,
        name: &str,
        action: Action,
        status: EventStatus,
        reason: Option<&str>,
        message: String,
    ) {
        sink.emit(EventBody::Step {
            wave: st.wave,
            node_id: st.node_id.clone(),
            object: Some(self.ref_("Container", name)),
            action,
            status,
            reason: reason.map(str::to_owned),
            message,
            progress: sink.primary().progress(),
        });
    }

    /// Creates, recreates or starts one container as the change plan says; its id.
    #[allow(clippy::too_many_arguments)]
    async fn apply_container(
        &self,
        sink: &dyn Sink,
        st: &DockerStep,
        name: &str,
        number: u32,
        spec: &ContainerSpec,
        hash: &str,
        parts: &str,
        one_shot: bool,
    ) -> Result<(String, bool), StepEnd> {
        let c = &self.d.client;
        // The plan was made before the deploy; read the container again (a retry, a wave
        // that ran a while).
        let current = c.inspect_container(name, None).await;
        let live = match &current {
            Ok(i) => {
                let labels: BTreeMap<String, String> = i
                    .config
                    .as_ref()
                    .and_then(|c| c.labels.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                let mut l = LiveContainer::from_labels(
                    i.id.as_deref().unwrap_or_default(),
                    name,
                    "",
                    &labels,
                );
                if let Some(s) = &i.state {
                    l.state = s.status.map(|s| s.to_string()).unwrap_or_default();
                    l.exit_code = s.exit_code;
                    l.health = s
                        .health
                        .as_ref()
                        .and_then(|h| h.status)
                        .map(|s| s.to_string())
                        .filter(|s| !s.is_empty() && s != "none");
                }
                Some(l)
            }
            Err(e) if not_found(e) => None,
            Err(e) => return Err(self.fail("EngineError", self.d.err(clone_err(e)).message)),
        };
        let (op, why) = model::container_change(live.as_ref(), hash, parts, one_shot);
        let _ = self.plan;
        match op {
            Op::Unchanged => {
                self.container_event(
                    sink,
                    st,
                    name,
                    Action::Skip,
                    EventStatus::Succeeded,
                    None,
                    format!("unchanged: {why}"),
                );
                Ok((live.map(|l| l.id).unwrap_or_default(), false))
            }
            Op::Update => {
                let id = live.map(|l| l.id).unwrap_or_default();
                self.container_event(
                    sink,
                    st,
                    name,
                    Action::Apply,
                    EventStatus::InProgress,
                    None,
                    format!("starting: {why}"),
                );
                c.start_container(
                    &id,
                    None::<bollard::query_parameters::StartContainerOptions>,
                )
                .await
                .map_err(|e| {
                    self.fail(
                        "StartFailed",
                        format!("{name} did not start: {}", self.d.err(e).message),
                    )
                })?;
                Ok((id, true))
            }
            Op::Create | Op::Recreate | Op::Prune => {
                // The image must be on the engine: Celestra never pulls.
                if let Err(e) = c.inspect_image(&spec.image).await {
                    let msg = if not_found(&e) {
                        format!(
                            "image {:?} is not on the Docker engine (Celestra does not pull images: build or pull it first)",
                            spec.image
                        )
                    } else {
                        self.d.err(e).message
                    };
                    self.container_event(
                        sink,
                        st,
                        name,
                        Action::Apply,
                        EventStatus::Failed,
                        Some("ImageNotFound"),
                        msg.clone(),
                    );
                    return Err(self.fail("ImageNotFound", msg));
                }
                let action = if op == Op::Recreate {
                    Action::Recreate
                } else {
                    Action::Apply
                };
                self.container_event(
                    sink,
                    st,
                    name,
                    action,
                    EventStatus::InProgress,
                    None,
                    why.clone(),
                );
                if let Some(l) = &live {
                    match c
                        .remove_container(
                            &l.id,
                            Some(RemoveContainerOptions {
                                force: true,
                                ..Default::default()
                            }),
                        )
                        .await
                    {
                        Ok(()) => {}
                        Err(e) if not_found(&e) => {}
                        Err(e) => return Err(self.fail("EngineError", self.d.err(e).message)),
                    }
                }
                let body = self.create_body(st, spec, hash, parts, number, one_shot);
                let id = c
                    .create_container(
                        Some(CreateContainerOptions {
                            name: Some(name.to_owned()),
                            ..Default::default()
                        }),
                        body,
                    )
                    .await
                    .map_err(|e| {
                        self.fail("CreateFailed", format!("{name}: {}", self.d.err(e).message))
                    })?
                    .id;
                self.created.lock().expect("created").push(name.to_owned());
                if !spec.files.is_empty() {
                    let files: Vec<(String, Vec<u8>, u32)> = spec
                        .files
                        .iter()
                        .map(|f| (f.path.clone(), f.content.as_bytes().to_vec(), f.mode))
                        .collect();
                    let archive = tar(&files).map_err(|m| self.fail("BadFile", m))?;
                    c.upload_to_container(
                        &id,
                        Some(UploadToContainerOptions {
                            path: "/".into(),
                            ..Default::default()
                        }),
                        bollard::body_full(archive.into()),
                    )
                    .await
                    .map_err(|e| {
                        self.fail(
                            "FilesFailed",
                            format!(
                                "{name}: writing its files failed: {}",
                                self.d.err(e).message
                            ),
                        )
                    })?;
                }
                if one_shot {
                    self.jobs_ran.lock().expect("jobs").push(st.node_id.clone());
                }
                c.start_container(
                    &id,
                    None::<bollard::query_parameters::StartContainerOptions>,
                )
                .await
                .map_err(|e| {
                    let msg = format!("{name} did not start: {}", self.d.err(e).message);
                    self.container_event(
                        sink,
                        st,
                        name,
                        action,
                        EventStatus::Failed,
                        Some("StartFailed"),
                        msg.clone(),
                    );
                    self.fail("StartFailed", msg)
                })?;
                self.container_event(
                    sink,
                    st,
                    name,
                    action,
                    EventStatus::Succeeded,
                    None,
                    format!("{} started", name),
                );
                Ok((id, true))
            }
        }
    }

    fn fail(&self, reason: &str, message: String) -> StepEnd {
        StepEnd::Failed {
            reason: reason.to_owned(),
            message: self.em.redact(&message),
            timed_out: false,
        }
    }

    fn create_body(
        &self,
        st: &DockerStep,
        spec: &ContainerSpec,
        hash: &str,
        parts: &str,
        number: u32,
        one_shot: bool,
    ) -> ContainerCreateBody {
        let mut l: HashMap<String, String> = spec.labels.clone().into_iter().collect();
        let service = match &st.kind {
            StepKind::Containers { service, .. } => service.clone(),
            _ => st.name.clone(),
        };
        for (k, v) in [
            (labels::PROJECT, self.p.name.clone()),
            (labels::SERVICE, service),
            (labels::NUMBER, number.to_string()),
            (labels::ONEOFF, "False".to_owned()),
            (labels::COMPOSE_HASH, hash.to_owned()),
            (labels::VERSION, "2.40.3".to_owned()),
            (labels::WORKFLOW, self.p.workflow_id.clone()),
            (labels::NODE, st.node_id.clone()),
            (labels::REVISION, self.revision.to_string()),
            (labels::DEPLOYMENT, self.deployment_id.clone()),
            (labels::HASH, hash.to_owned()),
            (labels::PARTS, parts.to_owned()),
            (labels::ONE_SHOT, one_shot.to_string()),
            (labels::MANAGED_BY, "celestra".to_owned()),
        ] {
            l.insert(k.to_owned(), v);
        }
        let mut port_bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
        for p in &spec.ports {
            port_bindings
                .entry(format!("{}/{}", p.container_port, p.protocol))
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(PortBinding {
                    host_ip: Some(p.host_ip.clone()),
                    host_port: Some(p.host_port.to_string()),
                });
        }
        let mut endpoints = HashMap::new();
        endpoints.insert(
            spec.network.clone(),
            EndpointSettings {
                aliases: Some(
                    std::iter::once(st.name.clone())
                        .chain(spec.aliases.iter().cloned())
                        .collect(),
                ),
                ..Default::default()
            },
        );
        let nz = |v: i64| (v != 0).then_some(v);
        ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            labels: Some(l),
            user: spec.user.clone(),
            exposed_ports: (!spec.exposed.is_empty()).then(|| spec.exposed.clone()),
            healthcheck: spec.healthcheck.as_ref().map(|h| HealthConfig {
                test: Some(h.test.clone()),
                interval: nz(h.interval_ns),
                timeout: nz(h.timeout_ns),
                retries: nz(h.retries),
                start_period: nz(h.start_period_ns),
                start_interval: None,
            }),
            stop_timeout: Some(10),
            host_config: Some(HostConfig {
                init: Some(true),
                port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
                restart_policy: Some(RestartPolicy {
                    name: Some(if spec.restart == "unless-stopped" {
                        RestartPolicyNameEnum::UNLESS_STOPPED
                    } else {
                        RestartPolicyNameEnum::NO
                    }),
                    maximum_retry_count: None,
                }),
                mounts: (!spec.mounts.is_empty()).then(|| {
                    spec.mounts
                        .iter()
                        .map(|m| Mount {
                            target: Some(m.target.clone()),
                            source: Some(m.volume.clone()),
                            typ: Some(MountType::VOLUME),
                            ..Default::default()
                        })
                        .collect()
                }),
                privileged: spec.privileged.then_some(true),
                readonly_rootfs: spec.read_only.then_some(true),
                nano_cpus: nz(spec.nano_cpus),
                memory: nz(spec.memory),
                memory_reservation: nz(spec.memory_reservation),
                network_mode: Some(spec.network.clone()),
                ..Default::default()
            }),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(endpoints),
            }),
            ..Default::default()
        }
    }

    /// The exit code of a container's last `die` event (the engine keeps recent events).
    async fn last_exit_code(&self, id: &str) -> Option<i64> {
        let until = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs()
            + 1;
        let mut past = self.d.client.events(Some(EventsOptions {
            since: Some("0".to_owned()),
            until: Some(until.to_string()),
            filters: Some(filters(&[
                ("container", id.to_owned()),
                ("event", "die".to_owned()),
            ])),
        }));
        let mut last = None;
        // bounded: the listing ends at `until`
        while let Ok(Some(Ok(ev))) = tokio::time::timeout(Duration::from_secs(2), past.next()).await
        {
            last = ev
                .actor
                .and_then(|a| a.attributes)
                .and_then(|m| m.get("exitCode").and_then(|c| c.parse().ok()))
                .or(last);
        }
        last
    }

    /// Reads one container's state into a verdict.
    async fn verdict(&self, id: &str, one_shot: bool) -> Result<Verdict, DeployError> {
        let i = self
            .d
            .client
            .inspect_container(id, None)
            .await
            .map_err(|e| self.d.err(e))?;
        let st = i.state.unwrap_or_default();
        let status = st.status.map(|s| s.to_string()).unwrap_or_default();
        let health = st
            .health
            .as_ref()
            .and_then(|h| h.status)
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty() && s != "none");
        let code = st.exit_code.unwrap_or(0);
        let oom = st.oom_killed == Some(true);
        if !one_shot && i.restart_count.unwrap_or(0) > 0 {
            // restarted and running again: the state's exit code is the new run's (0); the last
            // exit is in the engine's `die` events
            let code = if code == 0 {
                self.last_exit_code(id).await.unwrap_or(code)
            } else {
                code
            };
            return Ok(Verdict::Failed {
                reason: "CrashLoop",
                message: format!(
                    "restarted {} times (last exit code {code})",
                    i.restart_count.unwrap_or(0)
                ),
            });
        }
        Ok(match (one_shot, status.as_str()) {
            (true, "exited") if code == 0 => Verdict::Ready,
            (_, "exited" | "dead") | (false, "restarting") => Verdict::Failed {
                reason: if oom { "OOMKilled" } else { "ExitCode" },
                message: if oom {
                    format!("killed: out of memory (exit code {code})")
                } else {
                    format!("exited with code {code}")
                },
            },
            (false, "running") => match health.as_deref() {
                Some("healthy") => Verdict::Ready,
                Some("unhealthy") => {
                    let last = st
                        .health
                        .and_then(|h| h.log)
                        .and_then(|l| l.last().cloned())
                        .and_then(|r| r.output)
                        .unwrap_or_default();
                    Verdict::Failed {
                        reason: "Unhealthy",
                        message: format!("unhealthy: {}", last.trim()),
                    }
                }
                Some(h) => Verdict::Waiting(format!("health: {h}")),
                None => Verdict::Up,
            },
            (true, "running" | "created") => Verdict::Waiting("running".into()),
            (_, s) => Verdict::Waiting(s.to_owned()),
        })
    }

    /// Waits until one container passes its gate, following the engine's events.
    #[allow(clippy::too_many_arguments)]
    async fn gate(
        &self,
        sink: &dyn Sink,
        st: &DockerStep,
        name: &str,
        id: &str,
        one_shot: bool,
        fresh: bool,
        probe: Option<&crate::deploy::docker::Healthcheck>,
    ) -> Result<(), StepEnd> {
        let mut rx = self.events.subscribe();
        let mut said = String::new();
        let since = tokio::time::Instant::now();
        loop {
            let mut recheck = GATE_RECHECK;
            let v = self
                .verdict(id, one_shot)
                .await
                .map_err(|e| self.fail("EngineError", e.message))?;
            match v {
                Verdict::Ready => return Ok(()),
                Verdict::Up if !fresh || since.elapsed() >= SETTLE => return Ok(()),
                Verdict::Up => recheck = SETTLE.saturating_sub(since.elapsed()),
                Verdict::Failed { reason, message } => {
                    let lines = self.log_tail(id).await;
                    let msg = format!("{name} {message}");
                    self.container_event(
                        sink,
                        st,
                        name,
                        Action::Wait,
                        EventStatus::Failed,
                        Some(reason),
                        msg.clone(),
                    );
                    if !lines.is_empty() {
                        sink.emit(EventBody::Log {
                            node_id: st.node_id.clone(),
                            object: self.ref_("Container", name),
                            lines: lines.clone(),
                        });
                    }
                    let tail = lines
                        .last()
                        .map(|l| format!("; last log line: {l}"))
                        .unwrap_or_default();
                    return Err(self.fail(reason, format!("{msg}{tail}")));
                }
                Verdict::Waiting(m) => {
                    // While Docker's first health check is still to come (it runs only after
                    // a whole interval), run the probe ourselves, as a kubelet runs a readiness
                    // probe right after start: a pass is ready now.
                    if m == "health: starting"
                        && let Some(h) = probe
                    {
                        if self.probe(id, h).await {
                            return Ok(());
                        }
                        recheck = PROBE_EVERY;
                    }
                    if m != said {
                        self.container_event(
                            sink,
                            st,
                            name,
                            Action::Wait,
                            EventStatus::InProgress,
                            None,
                            format!("waiting: {m}"),
                        );
                        said = m;
                    }
                }
            }
            // Until an event about this container (or a periodic re-read).
            let deadline = tokio::time::sleep(recheck);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    r = rx.recv() => match r {
                        Ok(ev) if ev == id => break,
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => { (&mut deadline).await; break }
                    },
                    _ = &mut deadline => break,
                }
            }
        }
    }

    /// Runs a health check's test in the container once: true when it exits 0 in time.
    async fn probe(&self, id: &str, h: &crate::deploy::docker::Healthcheck) -> bool {
        let cmd: Vec<String> = match h.test.split_first() {
            Some((k, rest)) if k == "CMD" => rest.to_vec(),
            Some((k, rest)) if k == "CMD-SHELL" => {
                vec!["/bin/sh".into(), "-c".into(), rest.join(" ")]
            }
            _ => return false,
        };
        if cmd.is_empty() {
            return false;
        }
        let c = &self.d.client;
        let limit = if h.timeout_ns > 0 {
            Duration::from_nanos(h.timeout_ns as u64)
        } else {
            Duration::from_secs(30)
        };
        let run = async {
            let exec = c
                .create_exec(
                    id,
                    bollard::models::ExecConfig {
                        cmd: Some(cmd),
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        ..Default::default()
                    },
                )
                .await
                .ok()?;
            if let Ok(bollard::exec::StartExecResults::Attached { mut output, .. }) =
                c.start_exec(&exec.id, None).await
            {
                while let Some(Ok(_)) = output.next().await {}
            }
            c.inspect_exec(&exec.id).await.ok()?.exit_code
        };
        matches!(tokio::time::timeout(limit, run).await, Ok(Some(0)))
    }

    async fn log_tail(&self, id: &str) -> Vec<String> {
        let mut s = self.d.client.logs(
            id,
            Some(LogsOptions {
                stdout: true,
                stderr: true,
                tail: LOG_TAIL.to_string(),
                ..Default::default()
            }),
        );
        let mut text = String::new();
        while let Some(Ok(chunk)) = s.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        }
        let lines: Vec<String> = text.lines().map(|l| self.em.redact(l)).collect();
        let n = lines.len().saturating_sub(LOG_TAIL);
        lines[n..].to_vec()
    }

    async fn prune(&self, sink: &dyn Sink) -> Result<(), DeployError> {
        let c = &self.d.client;
        for ch in &self.plan.prune {
            let wave = self.p.total_waves.saturating_sub(1);
            let node = ch.node_id.clone().unwrap_or_default();
            if ch.object.kind == "Container" {
                let _ = c
                    .stop_container(
                        &ch.object.name,
                        Some(StopContainerOptions {
                            t: Some(10),
                            ..Default::default()
                        }),
                    )
                    .await;
                match c
                    .remove_container(
                        &ch.object.name,
                        Some(RemoveContainerOptions {
                            force: true,
                            ..Default::default()
                        }),
                    )
                    .await
                {
                    Ok(()) => {}
                    Err(e) if not_found(&e) => {}
                    Err(e) => return Err(self.d.err(e)),
                }
            } else if ch.object.kind == "Network" {
                // A network still used by something else stays.
                if c.remove_network(&ch.object.name).await.is_err() {
                    continue;
                }
            }
            sink.emit(EventBody::Step {
                wave,
                node_id: node,
                object: Some(ch.object.clone()),
                action: Action::Prune,
                status: EventStatus::Succeeded,
                reason: None,
                message: format!("pruned: {}", ch.why),
                progress: sink.primary().progress(),
            });
        }
        Ok(())
    }
}

fn clone_err(e: &bollard::errors::Error) -> bollard::errors::Error {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => bollard::errors::Error::DockerResponseServerError {
            status_code: *status_code,
            message: message.clone(),
        },
        other => bollard::errors::Error::DockerResponseServerError {
            status_code: 0,
            message: other.to_string(),
        },
    }
}

/// The live status of a project's revision: each step's containers as they are now.
pub fn live_status(p: &DockerProject, live: &LiveInventory, rev: &Revision) -> DeploymentStatus {
    use crate::deploy::status::NodeStatus;
    let mut nodes = Vec::new();
    let mut any_failed = false;
    for st in &p.steps {
        let (status, reason, message) = match &st.kind {
            StepKind::Skipped { why } => (
                NodeState::Skipped,
                Some("NoDockerEquivalent".to_owned()),
                why.clone(),
            ),
            StepKind::Consumed { how } => (NodeState::Ready, None, how.clone()),
            StepKind::Network { network } => {
                if live.networks.contains(network) {
                    (NodeState::Ready, None, format!("network {network}"))
                } else {
                    (
                        NodeState::Failed,
                        Some("Missing".into()),
                        format!("network {network} is missing"),
                    )
                }
            }
            StepKind::Containers {
                service,
                one_shot,
                replicas,
                hash,
                ..
            } => {
                let mine: Vec<&LiveContainer> = live
                    .containers
                    .iter()
                    .filter(|c| &c.service == service && c.number <= *replicas)
                    .collect();
                let mut problems = Vec::new();
                let mut waiting = Vec::new();
                for k in 1..=*replicas {
                    let name = model::container_name(&p.name, service, k);
                    match mine.iter().find(|c| c.number == k) {
                        None => problems.push(("Missing", format!("{name} is missing"))),
                        Some(c) => {
                            let drift = c.hash.as_deref() != Some(hash.as_str());
                            match (
                                *one_shot,
                                c.state.as_str(),
                                c.exit_code,
                                c.health.as_deref(),
                            ) {
                                (true, "exited", Some(0), _) => {}
                                (true, "running" | "created", _, _) => {
                                    waiting.push(format!("{name} running"))
                                }
                                (true, _, code, _) => problems.push((
                                    "ExitCode",
                                    format!("{name} exited with code {}", code.unwrap_or(-1)),
                                )),
                                (false, "running", _, Some("unhealthy")) => {
                                    problems.push(("Unhealthy", format!("{name} is unhealthy")))
                                }
                                // The deploy's gate ran the probe itself; Docker's first check follows.
                                (false, "running", _, Some("starting"))
                                    if rev.outcome == RevisionOutcome::Success => {}
                                (false, "running", _, Some("starting")) => {
                                    waiting.push(format!("{name} health: starting"))
                                }
                                (false, "running", _, _) => {}
                                (false, "restarting", code, _) => problems.push((
                                    "CrashLoop",
                                    format!(
                                        "{name} is restarting (exit code {})",
                                        code.unwrap_or(-1)
                                    ),
                                )),
                                (false, s, code, _) => problems.push((
                                    "NotRunning",
                                    format!("{name} is {s} (exit code {})", code.unwrap_or(-1)),
                                )),
                            }
                            if drift && problems.is_empty() && waiting.is_empty() {
                                waiting
                                    .push(format!("{name} differs from revision {}", rev.revision));
                            }
                        }
                    }
                }
                if let Some((r, m)) = problems.first() {
                    (NodeState::Failed, Some((*r).to_owned()), m.clone())
                } else if let Some(m) = waiting.first() {
                    (NodeState::Waiting, None, m.clone())
                } else {
                    let what = if *one_shot { "completed" } else { "running" };
                    (NodeState::Ready, None, format!("{replicas} {what}"))
                }
            }
        };
        any_failed |= status == NodeState::Failed;
        nodes.push(NodeStatus {
            node_id: st.node_id.clone(),
            name: st.name.clone(),
            node_type: st.node_type.clone(),
            wave: st.wave,
            status,
            reason,
            message,
            log: Vec::new(),
        });
    }
    let done = nodes.iter().filter(|n| n.status.is_terminal()).count();
    let (state, reason) = match rev.outcome {
        RevisionOutcome::Running => (crate::deploy::DeploymentState::Running, None),
        RevisionOutcome::Failed => (crate::deploy::DeploymentState::Failed, Some(Reason::Error)),
        RevisionOutcome::Success if any_failed => {
            (crate::deploy::DeploymentState::Failed, Some(Reason::Error))
        }
        RevisionOutcome::Success => (crate::deploy::DeploymentState::Success, None),
    };
    let details = match state {
        crate::deploy::DeploymentState::Success => format!("revision {} is running", rev.revision),
        crate::deploy::DeploymentState::Running => {
            format!("revision {} is deploying", rev.revision)
        }
        _ if any_failed && rev.outcome == RevisionOutcome::Success => {
            format!(
                "revision {} degraded: {}",
                rev.revision,
                nodes
                    .iter()
                    .find(|n| n.status == NodeState::Failed)
                    .map(|n| n.message.clone())
                    .unwrap_or_default()
            )
        }
        _ => {
            if rev.message.is_empty() {
                format!("revision {} failed", rev.revision)
            } else {
                rev.message.clone()
            }
        }
    };
    let total = nodes.len().max(1);
    DeploymentStatus {
        deployment_id: rev.deployment_id.clone(),
        workflow_id: rev.workflow_id.clone(),
        project: p.name.clone(),
        revision: rev.revision,
        target: Some(DeployTarget::Docker),
        status: state,
        progress: if state == crate::deploy::DeploymentState::Success {
            100
        } else {
            ((100 * done / total) as u8).min(99)
        },
        details,
        reason,
        wave: None,
        total_waves: p.total_waves,
        started_at: Some(rev.started_at),
        finished_at: rev.finished_at,
        duration_ms: rev
            .finished_at
            .map(|f| f.0.saturating_sub(rev.started_at.0)),
        rolled_back_to: None,
        nodes,
        last_seq: 0,
    }
}

fn encode_record(r: &Revision) -> String {
    use std::io::Write;
    let json = serde_json::to_vec(r).unwrap_or_default();
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = z.write_all(&json);
    let bytes = z.finish().unwrap_or_default();
    crate::generate::kubernetes::base64_encode(&bytes)
}

fn decode_record(text: &str) -> Option<Revision> {
    use std::io::Read;
    let bytes = crate::generate::kubernetes::base64_decode(text)?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .take(256 * 1024 * 1024)
        .read_to_end(&mut out)
        .ok()?;
    serde_json::from_slice(&out).ok()
}

/// The size in bytes of a revision record as stored (for the snapshot-size measurement).
pub fn record_size(r: &Revision) -> usize {
    encode_record(r).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let wf = crate::api::parse_str(include_str!(
            "../../../../tests/fixtures/workflows/ex3-microservice.json"
        ))
        .unwrap();
        let r = Revision::new(3, "d", &wf, json!({"x": 1}), crate::deploy::Timestamp(5));
        let text = encode_record(&r);
        assert!(text.len() < r.workflow.len());
        assert_eq!(decode_record(&text), Some(r));
        assert_eq!(decode_record("not base64"), None);
    }
}
