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
        matches!(
            self,
            NodeState::Ready | NodeState::Failed | NodeState::Skipped
        )
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
            EventBody::Log { node_id, lines, .. } => {
                if own
                    && !self.is_finished()
                    && let Some(n) = self.nodes.iter_mut().find(|n| &n.node_id == node_id)
                {
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
                (100 * done)
                    .checked_div(total)
                    .map_or(0, |p| (p as u8).min(99))
            }
        };
        self.progress = self.progress.max(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::event::{ObjectRef, PlannedNode, Progress};
    use proptest::prelude::*;

    fn ev(seq: u64, revision: u64, body: EventBody) -> DeployEvent {
        DeployEvent {
            seq,
            ts: Timestamp(1_000 + seq * 10),
            deployment_id: "d".into(),
            revision,
            target: DeployTarget::Docker,
            body,
        }
    }

    fn started(n: usize) -> EventBody {
        EventBody::Started {
            workflow_id: "w".into(),
            project: "p".into(),
            nodes: (0..n)
                .map(|i| PlannedNode {
                    node_id: format!("n{i}"),
                    name: format!("node-{i}"),
                    node_type: "App".into(),
                    wave: i / 2,
                })
                .collect(),
            total_waves: n.div_ceil(2),
            rollback_of: None,
        }
    }

    const ACTIONS: [Action; 6] = [
        Action::Apply,
        Action::Wait,
        Action::Recreate,
        Action::Prune,
        Action::Delete,
        Action::Skip,
    ];
    const STATUSES: [EventStatus; 6] = [
        EventStatus::Pending,
        EventStatus::InProgress,
        EventStatus::Succeeded,
        EventStatus::Failed,
        EventStatus::Skipped,
        EventStatus::TimedOut,
    ];

    /// One random event body for a deployment of `n` nodes.
    fn body(n: usize) -> impl Strategy<Value = EventBody> {
        prop_oneof![
            (0..4usize).prop_map(|wave| EventBody::WaveStarted { wave }),
            (0..n, 0..6usize, 0..6usize, any::<bool>()).prop_map(|(i, a, s, with_ref)| {
                EventBody::Step {
                    wave: i / 2,
                    node_id: format!("n{i}"),
                    object: with_ref.then(|| ObjectRef {
                        kind: "Container".into(),
                        name: format!("c{i}"),
                        namespace: None,
                    }),
                    action: ACTIONS[a],
                    status: STATUSES[s],
                    reason: None,
                    message: format!("m{i}{a}{s}"),
                    progress: Progress::default(),
                }
            }),
            (0..n).prop_map(|i| EventBody::Log {
                node_id: format!("n{i}"),
                object: ObjectRef {
                    kind: "Container".into(),
                    name: "c".into(),
                    namespace: None,
                },
                lines: vec!["x".into()],
            }),
            (1..3u64).prop_map(|to| EventBody::RollbackStarted {
                to_revision: to,
                new_revision: 9
            }),
            (any::<bool>(), 0..4usize).prop_map(|(ok, r)| EventBody::Finished {
                outcome: if ok {
                    Outcome::Success
                } else {
                    Outcome::Failed
                },
                reason: (!ok).then_some(
                    [
                        Reason::Error,
                        Reason::Timeout,
                        Reason::Cancelled,
                        Reason::RolledBack
                    ][r]
                ),
                message: String::new(),
            }),
        ]
    }

    /// Streams as drivers send them: `Started` first, then events of this revision or of a
    /// rollback's (revision 9), sometimes a repeated `seq`.
    fn stream() -> impl Strategy<Value = Vec<DeployEvent>> {
        (1..7usize).prop_flat_map(|n| {
            proptest::collection::vec((body(n), 0..10u8), 0..40).prop_map(move |bodies| {
                let mut out = vec![ev(1, 3, started(n))];
                let mut seq = 1;
                for (b, k) in bodies {
                    if k != 0 {
                        seq += 1;
                    }
                    out.push(ev(seq, if k == 9 { 9 } else { 3 }, b));
                }
                out
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_reducer_keeps_its_promises(events in stream()) {
            let mut s = DeploymentStatus::new();
            let mut finished_as: Option<DeploymentState> = None;
            let mut success_seen = false;
            for e in &events {
                let before = s.clone();
                let applied = s.apply(e);
                // Not newer than the last event: ignored, nothing changes.
                if e.seq <= before.last_seq {
                    prop_assert!(!applied);
                    prop_assert_eq!(&s, &before);
                    continue;
                }
                prop_assert!(applied);
                // Progress: 0..=100, never down, 100 exactly with success.
                prop_assert!(s.progress <= 100);
                prop_assert!(s.progress >= before.progress);
                prop_assert_eq!(s.progress == 100, s.status == DeploymentState::Success);
                if e.revision == 3
                    && matches!(e.body, EventBody::Finished { outcome: Outcome::Success, .. })
                    && !before.is_finished()
                {
                    success_seen = true;
                }
                prop_assert!(s.status != DeploymentState::Success || success_seen);
                // A finished deployment stays as it finished; a failed one has no node left
                // waiting or in progress.
                if let Some(f) = finished_as {
                    prop_assert_eq!(s.status, f);
                    prop_assert_eq!(&s.nodes, &before.nodes);
                }
                if s.is_finished() {
                    finished_as = Some(s.status);
                    prop_assert!(s.finished_at.is_some() && s.duration_ms.is_some());
                }
                if s.status == DeploymentState::Failed {
                    prop_assert!(s.reason.is_some());
                    prop_assert!(s.nodes.iter().all(|n| n.status.is_terminal()));
                }
                // A rollback's own events never touch the nodes.
                if e.revision == 9 {
                    prop_assert_eq!(&s.nodes, &before.nodes);
                }
                // A failed node stays failed.
                for (a, b) in before.nodes.iter().zip(&s.nodes) {
                    if a.status == NodeState::Failed {
                        prop_assert_eq!(b.status, NodeState::Failed);
                    }
                }
            }
            // Folding all at once is applying one by one.
            prop_assert_eq!(DeploymentStatus::fold(&events), s);
        }
    }

    #[test]
    fn a_deployment_from_start_to_success() {
        let mut events = vec![ev(1, 1, started(2))];
        let step = |seq, i: usize, status| {
            ev(
                seq,
                1,
                EventBody::Step {
                    wave: 0,
                    node_id: format!("n{i}"),
                    object: None,
                    action: Action::Apply,
                    status,
                    reason: None,
                    message: "ok".into(),
                    progress: Progress::default(),
                },
            )
        };
        events.push(step(2, 0, EventStatus::InProgress));
        events.push(step(3, 0, EventStatus::Succeeded));
        let s = DeploymentStatus::fold(&events);
        assert_eq!(s.status, DeploymentState::Running);
        assert_eq!(s.progress, 50);
        assert_eq!(s.nodes[0].status, NodeState::Ready);
        assert_eq!(s.nodes[1].status, NodeState::NotStarted);
        events.push(step(4, 1, EventStatus::Succeeded));
        events.push(ev(
            5,
            1,
            EventBody::Finished {
                outcome: Outcome::Success,
                reason: None,
                message: String::new(),
            },
        ));
        let s = DeploymentStatus::fold(&events);
        assert_eq!((s.status, s.progress), (DeploymentState::Success, 100));
        assert_eq!(s.duration_ms, Some(40));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["status"], "success");
        assert_eq!(json["nodes"][0]["status"], "ready");
        assert_eq!(json["startedAt"], "1970-01-01T00:00:01.010Z");
        // Events read back from their JSON lines fold to the same status.
        let lines: Vec<String> = events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        let back: Vec<DeployEvent> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(DeploymentStatus::fold(&back), s);
        assert!(
            lines[1].contains("\"type\":\"step\"")
                && lines[1].contains("\"status\":\"in_progress\"")
        );
    }
}
