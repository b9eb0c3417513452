//! `DeployEvent`: one thing a deploy driver did or saw. One JSON object per line on the CLI,
//! one WebSocket frame in the backend, the input of the status reducer.

use super::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a deployment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeployTarget {
    /// A Docker engine (Engine API).
    Docker,
    /// A Kubernetes cluster (server-side apply).
    Kubernetes,
}

impl DeployTarget {
    /// `docker` / `kubernetes`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployTarget::Docker => "docker",
            DeployTarget::Kubernetes => "kubernetes",
        }
    }
}

/// What a step does to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create or update the object.
    Apply,
    /// Wait for the object's readiness gate.
    Wait,
    /// Delete and create again (its configuration changed and cannot be updated in place).
    Recreate,
    /// Remove an object whose node left the workflow.
    Prune,
    /// Remove an object (down, rollback of a created object).
    Delete,
    /// Nothing to do (unchanged, or no equivalent on this target).
    Skip,
}

/// The state of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Queued.
    Pending,
    /// Running.
    InProgress,
    /// Done.
    Succeeded,
    /// Failed (the reason says why).
    Failed,
    /// Not done (a dependency failed, the deploy stopped, or nothing to do).
    Skipped,
    /// The step or the deploy ran out of time.
    TimedOut,
}

impl EventStatus {
    /// Succeeded, failed, skipped or timed out.
    pub fn is_terminal(self) -> bool {
        !matches!(self, EventStatus::Pending | EventStatus::InProgress)
    }
}

/// The object an event is about: a container, a network, a volume, a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// `Container`, `Network`, `Volume`, or a Kubernetes kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The Kubernetes namespace, or the Docker project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Finished steps out of all steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Steps that reached a terminal state.
    pub done: usize,
    /// All steps of the deployment.
    pub total: usize,
}

/// A step of the deployment, as announced when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedNode {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type (`App`, `Job`…).
    #[serde(rename = "type")]
    pub node_type: String,
    /// Its wave.
    pub wave: usize,
}

impl PlannedNode {
    /// The announcement of a step.
    pub fn new(node_id: &str, name: &str, node_type: &str, wave: usize) -> PlannedNode {
        PlannedNode {
            node_id: node_id.to_owned(),
            name: name.to_owned(),
            node_type: node_type.to_owned(),
            wave,
        }
    }
}

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Every step is ready (or has nothing to do on this target).
    Success,
    /// A step failed, timed out, or the deploy was cancelled.
    Failed,
}

/// One event of a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployEvent {
    /// Strictly increasing per deployment, from 1.
    pub seq: u64,
    /// When the driver saw it.
    pub ts: Timestamp,
    /// The deployment (a UUID).
    pub deployment_id: String,
    /// The revision being deployed.
    pub revision: u64,
    /// Docker or Kubernetes.
    pub target: DeployTarget,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// What an event says, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventBody {
    /// The deployment starts: its steps and waves.
    #[serde(rename_all = "camelCase")]
    Started {
        /// The workflow's id.
        workflow_id: String,
        /// The Docker project or the Kubernetes namespace.
        project: String,
        /// Every step, in plan order.
        nodes: Vec<PlannedNode>,
        /// Number of waves.
        total_waves: usize,
        /// The revision whose snapshot this deployment restores (a rollback).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rollback_of: Option<u64>,
    },
    /// A wave starts.
    #[serde(rename_all = "camelCase")]
    WaveStarted {
        /// The wave.
        wave: usize,
    },
    /// A step or one of its objects changed state.
    #[serde(rename_all = "camelCase")]
    Step {
        /// The wave.
        wave: usize,
        /// The node.
        node_id: String,
        /// The object, when the event is about one object of the step; absent for the step as
        /// a whole.
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        object: Option<ObjectRef>,
        /// What is done.
        action: Action,
        /// Its state.
        status: EventStatus,
        /// A short machine-readable reason (`ImageNotFound`, `ExitCode`, `Unhealthy`…).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// What a person reads.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        message: String,
        /// Steps finished so far.
        progress: Progress,
    },
    /// The last lines of a failed container's or pod's log.
    #[serde(rename_all = "camelCase")]
    Log {
        /// The node.
        node_id: String,
        /// The container or pod.
        #[serde(rename = "ref")]
        object: ObjectRef,
        /// The lines, oldest first.
        lines: Vec<String>,
    },
    /// A wave ended.
    #[serde(rename_all = "camelCase")]
    WaveFinished {
        /// The wave.
        wave: usize,
        /// `succeeded`, `failed`, `skipped` or `timed_out`.
        status: EventStatus,
    },
    /// The failed deployment is being rolled back: the snapshot of `to_revision` is deployed
    /// as revision `revision` (its own events follow, with that revision).
    #[serde(rename_all = "camelCase")]
    RollbackStarted {
        /// The revision restored.
        to_revision: u64,
        /// The new revision that restores it.
        new_revision: u64,
    },
    /// The deployment ended.
    #[serde(rename_all = "camelCase")]
    Finished {
        /// Success or failure.
        outcome: Outcome,
        /// `error`, `timeout`, `cancelled` or `rolledBack` for a failure.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<super::Reason>,
        /// What a person reads.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        message: String,
    },
}
