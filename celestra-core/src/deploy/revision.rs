//! Revisions: a model snapshot per deploy (like a Helm release revision, but the model, not the
//! rendered manifests), and the history kept with the target.

use super::time::Timestamp;
use crate::model::Workflow;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many revisions a history keeps unless told otherwise (Helm's `--history-max`).
pub const DEFAULT_HISTORY_MAX: usize = 10;

/// How a revision's deploy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RevisionOutcome {
    /// Still deploying (or interrupted: no outcome was recorded).
    Running,
    /// Deployed and ready.
    Success,
    /// Failed.
    Failed,
}

/// One deploy of a workflow: what was deployed, with which options, and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// 1, 2, 3… per project.
    pub revision: u64,
    /// The deployment that made it.
    pub deployment_id: String,
    /// The workflow's id.
    pub workflow_id: String,
    /// The workflow's name.
    pub workflow_name: String,
    /// The workflow as canonical JSON (the engine's own serialization).
    pub workflow: String,
    /// The deploy options (target-specific, JSON).
    pub options: Value,
    /// `fnv1a64:<hex>` of `workflow`.
    pub hash: String,
    /// The revision whose snapshot this one restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<u64>,
    /// How it ended.
    pub outcome: RevisionOutcome,
    /// Why it failed, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Node ids of one-shot Jobs that ran during this deploy (rollback never goes past them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs_ran: Vec<String>,
    /// When it started.
    pub started_at: Timestamp,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
}

/// The canonical JSON of a workflow and its content hash.
pub fn snapshot(workflow: &Workflow) -> (String, String) {
    let text = serde_json::to_string(workflow).unwrap_or_default();
    let mut h = crate::generate::common::Fnv::new();
    h.bytes(text.as_bytes());
    let hash = format!("fnv1a64:{:016x}", h.finish());
    (text, hash)
}

impl Revision {
    /// A new revision of `workflow`, running since `started_at`.
    pub fn new(
        revision: u64,
        deployment_id: &str,
        workflow: &Workflow,
        options: Value,
        started_at: Timestamp,
    ) -> Revision {
        let (text, hash) = snapshot(workflow);
        Revision {
            revision,
            deployment_id: deployment_id.to_owned(),
            workflow_id: workflow.id.clone(),
            workflow_name: workflow.name.clone(),
            workflow: text,
            options,
            hash,
            rollback_of: None,
            outcome: RevisionOutcome::Running,
            message: String::new(),
            jobs_ran: Vec::new(),
            started_at,
            finished_at: None,
        }
    }

    /// The snapshot read back as a workflow.
    pub fn workflow(&self) -> Result<Workflow, crate::Error> {
        crate::api::parse_str(&self.workflow)
    }
}

/// The revisions of one project, oldest first, at most `max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// Oldest first.
    pub revisions: Vec<Revision>,
    /// How many are kept.
    pub max: usize,
}

impl Default for History {
    fn default() -> Self {
        History {
            revisions: Vec::new(),
            max: DEFAULT_HISTORY_MAX,
        }
    }
}

impl History {
    /// A history of the given revisions (any order), trimmed to `max`.
    pub fn from_revisions(mut revisions: Vec<Revision>, max: usize) -> History {
        crate::sort::sort_by_key(&mut revisions, |r| r.revision);
        let mut h = History {
            revisions,
            max: max.max(1),
        };
        h.trim();
        h
    }

    /// The number the next revision gets.
    pub fn next_revision(&self) -> u64 {
        self.revisions.last().map_or(1, |r| r.revision + 1)
    }

    /// Adds or replaces a revision (by number) and drops the oldest beyond `max`. Returns the
    /// numbers of the revisions dropped.
    pub fn record(&mut self, r: Revision) -> Vec<u64> {
        match self.revisions.iter_mut().find(|x| x.revision == r.revision) {
            Some(x) => *x = r,
            None => {
                self.revisions.push(r);
                crate::sort::sort_by_key(&mut self.revisions, |r| r.revision);
            }
        }
        self.trim()
    }

    fn trim(&mut self) -> Vec<u64> {
        let extra = self.revisions.len().saturating_sub(self.max);
        self.revisions.drain(..extra).map(|r| r.revision).collect()
    }

    /// The newest revision.
    pub fn current(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    /// A revision by number.
    pub fn get(&self, revision: u64) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.revision == revision)
    }

    /// The revision a rollback restores: `to`, else the newest successful one before the
    /// current. The error says why there is none, as the rest of a sentence about the project
    /// ("has no revision 9 (kept: 1, 2, 3)").
    pub fn rollback_target(&self, to: Option<u64>) -> Result<&Revision, String> {
        let current = self
            .current()
            .ok_or_else(|| "has no revisions".to_owned())?;
        match to {
            Some(n) => self.get(n).ok_or_else(|| {
                let kept: Vec<String> = self
                    .revisions
                    .iter()
                    .map(|r| r.revision.to_string())
                    .collect();
                format!("has no revision {n} (kept: {})", kept.join(", "))
            }),
            None => self
                .previous_success(current.revision)
                .ok_or_else(|| format!("has no successful revision before {}", current.revision)),
        }
    }

    /// The newest successful revision older than `revision` (what a rollback restores by
    /// default).
    pub fn previous_success(&self, revision: u64) -> Option<&Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.revision < revision && r.outcome == RevisionOutcome::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(n: u64, outcome: RevisionOutcome) -> Revision {
        let wf = crate::api::parse_str(r#"{"name": "w", "nodes": [], "connections": []}"#).unwrap();
        let mut r = Revision::new(n, "d", &wf, Value::Null, Timestamp(n));
        r.outcome = outcome;
        r
    }

    #[test]
    fn history_keeps_the_newest_max() {
        let mut h = History {
            max: 3,
            ..History::default()
        };
        assert_eq!(h.next_revision(), 1);
        for n in 1..=3 {
            assert!(h.record(rev(n, RevisionOutcome::Success)).is_empty());
        }
        assert_eq!(h.record(rev(4, RevisionOutcome::Failed)), vec![1]);
        assert_eq!(
            h.revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert_eq!(h.next_revision(), 5);
        assert_eq!(h.previous_success(4).map(|r| r.revision), Some(3));
        assert_eq!(h.rollback_target(None).map(|r| r.revision), Ok(3));
        assert_eq!(h.rollback_target(Some(2)).map(|r| r.revision), Ok(2));
        assert_eq!(
            h.rollback_target(Some(9)).map(|r| r.revision),
            Err("has no revision 9 (kept: 2, 3, 4)".to_owned())
        );
        assert_eq!(
            History::default().rollback_target(None).map(|r| r.revision),
            Err("has no revisions".to_owned())
        );
        // replacing a revision keeps the count
        assert!(h.record(rev(4, RevisionOutcome::Success)).is_empty());
        assert_eq!(h.current().unwrap().outcome, RevisionOutcome::Success);
        let h2 = History::from_revisions(
            (1..=12)
                .rev()
                .map(|n| rev(n, RevisionOutcome::Success))
                .collect(),
            DEFAULT_HISTORY_MAX,
        );
        assert_eq!(h2.revisions.len(), 10);
        assert_eq!(h2.revisions[0].revision, 3);
    }

    #[test]
    fn a_snapshot_reads_back_as_the_same_workflow() {
        let text = include_str!("../../../tests/fixtures/workflows/ex2-postgres-migration.json");
        let wf = crate::api::parse_str(text).unwrap();
        let r = Revision::new(1, "d", &wf, Value::Null, Timestamp(0));
        let back = r.workflow().unwrap();
        assert_eq!(snapshot(&back), (r.workflow.clone(), r.hash.clone()));
        assert!(r.hash.starts_with("fnv1a64:"));
    }
}
