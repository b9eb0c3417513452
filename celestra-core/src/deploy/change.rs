//! The change plan: what a deploy would do, per wave, computed from the desired workflow and
//! the live inventory (no engine call), so that `--dry-run` shows it and tests check it.

use super::event::ObjectRef;
use serde::{Deserialize, Serialize};

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    /// It does not exist yet.
    Create,
    /// It exists with the same configuration but must be changed in place (started again,
    /// scaled).
    Update,
    /// Its configuration changed: removed and created again.
    Recreate,
    /// Nothing to do.
    Unchanged,
    /// Its node left the workflow (or it is a replica beyond the count): removed.
    Prune,
}

impl Op {
    /// `create`, `update`…
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Recreate => "recreate",
            Op::Unchanged => "unchanged",
            Op::Prune => "prune",
        }
    }
}

/// One object's change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The node (absent for a pruned object whose node is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The object.
    #[serde(rename = "ref")]
    pub object: ObjectRef,
    /// What happens.
    pub op: Op,
    /// Why, for people.
    pub why: String,
}

/// The changes of one wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeWave {
    /// The wave.
    pub wave: usize,
    /// Its changes, in apply order.
    pub changes: Vec<Change>,
}

/// A node the target leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedNode {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Why.
    pub why: String,
}

/// Everything a deploy would change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePlan {
    /// The Docker project or Kubernetes namespace.
    pub project: String,
    /// Networks and volumes (Docker), namespaces (Kubernetes): before the first wave.
    pub infrastructure: Vec<Change>,
    /// Per wave.
    pub waves: Vec<ChangeWave>,
    /// Removed after the last wave.
    pub prune: Vec<Change>,
    /// Nodes with no equivalent on the target.
    pub skipped: Vec<SkippedNode>,
}

impl ChangePlan {
    /// Every change, in order.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.infrastructure
            .iter()
            .chain(self.waves.iter().flat_map(|w| w.changes.iter()))
            .chain(self.prune.iter())
    }

    /// How many changes of each op: create, update, recreate, unchanged, prune.
    pub fn counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for ch in self.changes() {
            c[ch.op as usize] += 1;
        }
        c
    }

    /// True when a deploy would change nothing.
    pub fn is_noop(&self) -> bool {
        self.changes().all(|c| c.op == Op::Unchanged)
    }

    /// The plan as text, one change a line, like `kapp deploy`'s table.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, c: &Change| {
            out.push_str(&format!(
                "  {:<9} {:<9} {:<40} {}\n",
                c.op.as_str(),
                c.object.kind.to_ascii_lowercase(),
                c.object.name,
                c.why
            ));
        };
        if !self.infrastructure.is_empty() {
            out.push_str("infrastructure\n");
            for c in &self.infrastructure {
                line(&mut out, c);
            }
        }
        for w in &self.waves {
            out.push_str(&format!("wave {}\n", w.wave + 1));
            for c in &w.changes {
                line(&mut out, c);
            }
        }
        if !self.prune.is_empty() {
            out.push_str("prune\n");
            for c in &self.prune {
                line(&mut out, c);
            }
        }
        for s in &self.skipped {
            out.push_str(&format!(
                "skipped   {} ({}): {}\n",
                s.name, s.node_id, s.why
            ));
        }
        let [cr, up, re, un, pr] = self.counts();
        out.push_str(&format!(
            "{cr} to create, {up} to update, {re} to recreate, {un} unchanged, {pr} to prune\n"
        ));
        out
    }
}
