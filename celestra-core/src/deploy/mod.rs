//! The deploy model, pure (no I/O; it builds for wasm32 so that a browser can render status):
//!
//! - [`DeployEvent`]: what a deploy driver reports, one event at a time, with a strictly
//!   increasing `seq` per deployment (`event.rs`);
//! - [`DeploymentStatus`]: the deployment status of `workflow-format.md` §5.3, computed by
//!   folding events with one reducer (`status.rs`);
//! - [`Revision`] and [`History`]: a model snapshot per deploy, kept to a maximum
//!   (`revision.rs`);
//! - the Docker project of a workflow (containers, networks, volumes, files) and its
//!   [`ChangePlan`] against the live inventory (`docker.rs`, `change.rs`), so that `--dry-run`
//!   shows what would change and tests can check it without an engine.
//!
//! - [`health`]: the readiness of Kubernetes objects (kstatus's statuses), the deploy gates on
//!   top of it and the fast-fail signals of pods.
//!
//! The drivers that talk to an engine live behind cargo features (`docker`) and are never in
//! the wasm build.

mod change;
pub mod diff;
pub mod docker;
mod event;
pub mod health;
pub mod kube;
mod revision;
mod sha256;
mod status;
mod time;

#[cfg(any(feature = "docker", feature = "kube"))]
pub mod driver;

pub use change::{Change, ChangePlan, ChangeWave, Op, SkippedNode};
pub use event::{
    Action, DeployEvent, DeployTarget, EventBody, EventStatus, ObjectRef, Outcome, PlannedNode,
    Progress,
};
pub use revision::{DEFAULT_HISTORY_MAX, History, Revision, RevisionOutcome, snapshot};
pub use status::{DeploymentState, DeploymentStatus, NodeState, NodeStatus, Reason};
pub use time::{Timestamp, format_rfc3339, parse_rfc3339};
