//! The deployment status of `workflow-format.md` §5.3, computed by folding [`DeployEvent`]s.
//! One reducer for every client: the CLI, the backend and the browser fold the same events into
//! the same status.

use super::event::{Action, DeployEvent, DeployTarget, EventBody, EventStatus, Outcome};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `pending`, `running`, `success` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeploymentState {
    /// Not started.
    #[default]
    Pending,
    /// Started, not finished.
    Running,
    /// Every step is ready.
    Success,
    /// A step failed, or the deployment timed out or was cancelled.
    Failed,
}

/// Why a deployment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// A step failed.
    Error,
    /// The deployment or a step ran out of time.
    Timeout,
    /// Someone cancelled it.
    Cancelled,
    /// It failed and the previous revision was restored.
    RolledBack,
}

/// A node's state (§5.3 colors: gray, yellow, blue, green, red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeState {
    /// Its wave has not started (gray).
    #[default]
    NotStarted,
    /// Created, waiting for its readiness gate (yellow).
    Waiting,
    /// Being applied (blue).
    InProgress,
    /// Ready (green).
    Ready,
    /// Failed (red).
    Failed,
    /// Not deployed: nothing to do on this target, or the deployment stopped before it.
    Skipped,
}

impl NodeState {
    /// Ready, failed or skipped.
    pub fn is_terminal(self) -> bool {
        matches!(self, NodeState::Ready | NodeState::Failed | NodeState::Skipped)
    }
}

/// One node of the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Its wave.
    pub wave: usize,
    /// Its state.
    pub status: NodeState,
    /// The last reason reported (`ExitCode`, `Unhealthy`, `NoDockerEquivalent`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The last message.
    #[serde(default)]
    pub message: String,
    /// The last lines of a failed container's log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
}

/// The status of one deployment (§5.3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// The deployment.
    pub deployment_id: String,
    /// The workflow deployed.
    pub workflow_id: String,
    /// The Docker project or Kubernetes namespace.
    pub project: String,
    /// The revision deployed.
    pub revision: u64,
    /// Docker or Kubernetes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<DeployTarget>,
    /// pending / running / success / failed.
    pub status: DeploymentState,
    /// `floor(100 * finished steps / steps)`, monotonic; 100 only with `success`.
    pub progress: u8,
    /// One line for people (the seed's `details`).
    pub details: String,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The wave running (or the last one that ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<usize>,
    /// Number of waves.
    pub total_waves: usize,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    /// `finishedAt - startedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The revision restored after a failure (`reason: rolledBack`), or being restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back_to: Option<u64>,
    /// Every step, in plan order.
    pub nodes: Vec<NodeStatus>,
    /// The last event folded in (events with a lower or equal `seq` are ignored).
    pub last_seq: u64,
}

impl DeploymentStatus {
    /// The status before any event.
    pub fn new() -> DeploymentStatus {
        DeploymentStatus::default()
    }

    /// Folds events into a status.
    pub fn fold<'e>(events: impl IntoIterator<Item = &'e DeployEvent>) -> DeploymentStatus {
        let mut s = DeploymentStatus::new();
        for e in events {
            s.apply(e);
        }
        s
    }

    /// True once the deployment finished (success or failed).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status,
            DeploymentState::Success | DeploymentState::Failed
        )
    }

    /// The node by id.
    pub fn node(&self, node_id: &str) -> Option<&NodeStatus> {
        self.nodes.iter().find(|n| n.node_id == node_id)
    }

    /// Folds one event in. Returns false (and changes nothing) for an event that is not newer
    /// than the last one folded, or that belongs to another deployment.
    pub fn apply(&mut self, e: &DeployEvent) -> bool {
        if e.seq <= self.last_seq
            || (!self.deployment_id.is_empty() && e.deployment_id != self.deployment_id)
        {
            return false;
        }
        self.last_seq = e.seq;
        // A rollback's own events (a new revision) are shown in `details` only: the nodes keep
        // the state the failed revision left them in.
        let own = self.revision == 0 || e.revision == self.revision;
        match &e.body {
            EventBody::Started {
                workflow_id,
                project,
                nodes,
                total_waves,
                ..
            } => {
                if self.deployment_id.is_empty() {
                    self.deployment_id = e.deployment_id.clone();
                    self.workflow_id = workflow_id.clone();
                    self.project = project.clone();
                    self.revision = e.revision;
                    self.target = Some(e.target);
                    self.status = DeploymentState::Running;
                    self.total_waves = *total_waves;
                    self.started_at = Some(e.ts);
                    self.details = format!("deploying revision {}", e.revision);
                    self.nodes = nodes
                        .iter()
                        .map(|n| NodeStatus {
                            node_id: n.node_id.clone(),
                            name: n.name.clone(),
                            node_type: n.node_type.clone(),
                            wave: n.wave,
                            status: NodeState::NotStarted,
                            reason: None,
                            message: String::new(),
                            log: Vec::new(),
                        })
                        .collect();
                }
            }
            EventBody::WaveStarted { wave } => {
                if own && !self.is_finished() {
                    self.wave = Some(*wave);
                    self.details = format!("wave {} of {}", wave + 1, self.total_waves);
                }
            }
            EventBody::Step {
                node_id,
                object,
                action,
                status,
                reason,
                message,
                ..
            } => {
                if !own || self.is_finished() {
                    if !message.is_empty() {
                        self.details = message.clone();
                    }
                } else if let Some(n) = self.nodes.iter_mut().find(|n| &n.node_id == node_id) {
                    let failed = matches!(status, EventStatus::Failed | EventStatus::TimedOut);
                    let next = if object.is_some() && !failed {
                        // An object's progress shows on its node until the node's own verdict.
                        match (n.status, status, action) {
                            (s, _, _) if s.is_terminal() => s,
                            (_, EventStatus::InProgress, Action::Wait) => NodeState::Waiting,
                            (_, EventStatus::Pending | EventStatus::InProgress, _) => {
                                NodeState::InProgress
                            }
                            (s, _, _) => s,
                        }
                    } else {
                        match status {
                            EventStatus::Pending => NodeState::Waiting,
                            EventStatus::InProgress if *action == Action::Wait => {
                                NodeState::Waiting
                            }
                            EventStatus::InProgress => NodeState::InProgress,
                            EventStatus::Succeeded => NodeState::Ready,
                            EventStatus::Skipped => NodeState::Skipped,
                            EventStatus::Failed | EventStatus::TimedOut => NodeState::Failed,
                        }
                    };
                    // A node that failed stays failed for the rest of the deployment.
                    if n.status != NodeState::Failed || next == NodeState::Failed {
                        n.status = next;
                        if reason.is_some() || failed {
                            n.reason = reason.clone();
                        }
                        if !message.is_empty() {
                            n.message = message.clone();
                        }
                    }
                }
            }
            EventBody::Log {
                node_id, lines, ..
            } => {
                if own && let Some(n) = self.nodes.iter_mut().find(|n| &n.node_id == node_id) {
                    n.log = lines.clone();
                }
            }
            EventBody::WaveFinished { .. } => {}
            EventBody::RollbackStarted {
                to_revision,
                new_revision,
            } => {
                if own && !self.is_finished() {
                    self.rolled_back_to = Some(*to_revision);
                    self.details = format!(
                        "rolling back: revision {new_revision} restores revision {to_revision}"
                    );
                }
            }
            EventBody::Finished {
                outcome,
                reason,
                message,
            } => {
                if own && !self.is_finished() {
                    self.finished_at = Some(e.ts);
                    self.duration_ms = self.started_at.map(|s| e.ts.0.saturating_sub(s.0));
                    match outcome {
                        Outcome::Success => {
                            self.status = DeploymentState::Success;
                            self.reason = None;
                        }
                        Outcome::Failed => {
                            self.status = DeploymentState::Failed;
                            self.reason = Some(reason.unwrap_or(Reason::Error));
                            if self.reason != Some(Reason::RolledBack) {
                                self.rolled_back_to = None;
                            }
                            for n in &mut self.nodes {
                                if !n.status.is_terminal() {
                                    n.status = NodeState::Skipped;
                                    if n.message.is_empty() {
                                        n.message = "not deployed: the deployment stopped".into();
                                    }
                                }
                            }
                        }
                    }
                    self.details = if message.is_empty() {
                        match outcome {
                            Outcome::Success => format!("revision {} deployed", self.revision),
                            Outcome::Failed => format!("revision {} failed", self.revision),
                        }
                    } else {
                        message.clone()
                    };
                }
            }
        }
        self.update_progress();
        true
    }

    fn update_progress(&mut self) {
        let p = match self.status {
            DeploymentState::Success => 100,
            DeploymentState::Pending => 0,
            _ => {
                let total = self.nodes.len();
                let done = self.nodes.iter().filter(|n| n.status.is_terminal()).count();
                if total == 0 {
                    0
                } else {
                    ((100 * done / total) as u8).min(99)
                }
            }
        };
        self.progress = self.progress.max(p);
    }
}
