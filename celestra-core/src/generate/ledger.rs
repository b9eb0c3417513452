//! The fidelity ledger: for every node property and connection, what a target did with it.

use crate::validate::Target;
use schemars::JsonSchema;
use serde::Serialize;

/// What a target did with one property or connection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Fidelity {
    /// Expressed exactly.
    Mapped,
    /// Expressed, but not exactly; `how` says what was done instead.
    Approximated {
        /// What was done instead.
        how: String,
    },
    /// Not expressed; `why` says why.
    Dropped {
        /// Why it could not be expressed.
        why: String,
    },
}

/// One ledger line. Serialized as one flat object — `nodeId`, `connectionId`, `property`,
/// `status`, then `how` or `why` — by a hand-written `Serialize` (what `#[serde(flatten)]` would
/// give, without serde's buffering map path: a ledger has thousands of lines).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// The node (absent for workflow-level settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The connection, for connection effects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Property name (`image`, `ports`, …) or `connection` for a connection's effect.
    pub property: String,
    /// What happened.
    #[serde(flatten)]
    pub fidelity: Fidelity,
}

/// The `status` of a ledger line (a unit variant: serializers can share the name).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Status {
    Mapped,
    Approximated,
    Dropped,
}

impl Serialize for LedgerEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 2
            + usize::from(self.node_id.is_some())
            + usize::from(self.connection_id.is_some())
            + usize::from(!matches!(self.fidelity, Fidelity::Mapped));
        let mut st = s.serialize_struct("LedgerEntry", fields)?;
        if let Some(id) = &self.node_id {
            st.serialize_field("nodeId", id)?;
        }
        if let Some(id) = &self.connection_id {
            st.serialize_field("connectionId", id)?;
        }
        st.serialize_field("property", &self.property)?;
        match &self.fidelity {
            Fidelity::Mapped => st.serialize_field("status", &Status::Mapped)?,
            Fidelity::Approximated { how } => {
                st.serialize_field("status", &Status::Approximated)?;
                st.serialize_field("how", how)?;
            }
            Fidelity::Dropped { why } => {
                st.serialize_field("status", &Status::Dropped)?;
                st.serialize_field("why", why)?;
            }
        }
        st.end()
    }
}

/// The ledger of one generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    /// The target it describes.
    pub target: Target,
    /// Entries sorted by node, connection, property.
    pub entries: Vec<LedgerEntry>,
}

impl Ledger {
    /// Entries about one node.
    pub fn of_node<'a>(&'a self, node_id: &'a str) -> impl Iterator<Item = &'a LedgerEntry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.node_id.as_deref() == Some(node_id))
    }

    /// The entry for a node property, if recorded.
    pub fn get(&self, node_id: &str, property: &str) -> Option<&Fidelity> {
        self.entries
            .iter()
            .find(|e| e.node_id.as_deref() == Some(node_id) && e.property == property)
            .map(|e| &e.fidelity)
    }
}

/// Collects ledger lines while a target generates.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    entries: Vec<LedgerEntry>,
}

impl Recorder {
    fn push(&mut self, node: Option<&str>, conn: Option<&str>, property: &str, f: Fidelity) {
        self.entries.push(LedgerEntry {
            node_id: node.map(str::to_owned),
            connection_id: conn.map(str::to_owned),
            property: property.to_owned(),
            fidelity: f,
        });
    }

    /// A node property expressed exactly.
    pub(crate) fn mapped(&mut self, node: &str, property: &str) {
        self.push(Some(node), None, property, Fidelity::Mapped);
    }

    /// A node property expressed approximately.
    pub(crate) fn approx(&mut self, node: &str, property: &str, how: impl Into<String>) {
        self.push(
            Some(node),
            None,
            property,
            Fidelity::Approximated { how: how.into() },
        );
    }

    /// A node property not expressed.
    pub(crate) fn dropped(&mut self, node: &str, property: &str, why: impl Into<String>) {
        self.push(
            Some(node),
            None,
            property,
            Fidelity::Dropped { why: why.into() },
        );
    }

    /// A connection's effect.
    pub(crate) fn connection(&mut self, conn: &str, f: Fidelity) {
        self.push(None, Some(conn), "connection", f);
    }

    /// Connection ids recorded so far, sorted.
    pub(crate) fn connections(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .entries
            .iter()
            .filter_map(|e| e.connection_id.as_deref())
            .collect();
        crate::sort::sort(&mut ids);
        ids.dedup();
        ids
    }

    /// Whether a line for this node property exists (recorders hold one node's lines).
    pub(crate) fn recorded(&self, node: &str, property: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.node_id.as_deref() == Some(node) && e.property == property)
    }

    /// The lines recorded so far (for per-node caches).
    pub(crate) fn into_entries(self) -> Vec<LedgerEntry> {
        self.entries
    }

    /// Adds lines recorded elsewhere.
    pub(crate) fn extend(&mut self, entries: impl IntoIterator<Item = LedgerEntry>) {
        self.entries.extend(entries);
    }

    pub(crate) fn finish(mut self, target: Target) -> Ledger {
        normalize(&mut self.entries);
        Ledger {
            target,
            entries: self.entries,
        }
    }
}

/// Sorts lines by node, connection and property, one line per property: the least faithful
/// outcome wins (dropped > approximated > mapped).
/// [`normalize`] for lines that all name the same node (one node's unit): the node is not
/// compared again for every pair.
pub(crate) fn normalize_node(entries: &mut Vec<LedgerEntry>) {
    debug_assert!(entries.windows(2).all(|w| w[0].node_id == w[1].node_id));
    crate::sort::sort_by(entries, |a, b| {
        (&a.connection_id, &a.property)
            .cmp(&(&b.connection_id, &b.property))
            .then_with(|| b.fidelity.cmp(&a.fidelity))
    });
    entries.dedup_by(|a, b| a.connection_id == b.connection_id && a.property == b.property);
}

pub(crate) fn normalize(entries: &mut Vec<LedgerEntry>) {
    crate::sort::sort_by(entries, |a, b| {
        (&a.node_id, &a.connection_id, &a.property)
            .cmp(&(&b.node_id, &b.connection_id, &b.property))
            .then_with(|| b.fidelity.cmp(&a.fidelity))
    });
    entries.dedup_by(|a, b| {
        a.node_id == b.node_id && a.connection_id == b.connection_id && a.property == b.property
    });
}
