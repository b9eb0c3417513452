//! Findings: diagnostics, their severity, and the sorted report `validate()` returns.

mod codes;

pub use codes::{Code, CodeInfo};
use schemars::JsonSchema;
use serde::Serialize;

/// How serious a finding is. `isValid` is false when any finding is an error.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks generation and deployment.
    Error,
    /// Worth fixing; never blocks.
    Warning,
    /// For information only.
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Where a rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The document envelope (schema version, ids, required fields).
    Document,
    /// One property value.
    Field,
    /// One node as a whole.
    Node,
    /// Connections and relations between nodes.
    Graph,
}

/// Another element a finding points at, e.g. each node of a cycle, in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    /// Node id, when the related element is a node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// Connection id, when the related element is a connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// What the related element is to the finding (e.g. the node name).
    pub label: String,
}

impl Related {
    /// A related node.
    pub fn node(id: &str, label: impl Into<String>) -> Self {
        Related {
            node_id: Some(id.to_owned()),
            connection_id: None,
            label: label.into(),
        }
    }
    /// A related connection.
    pub fn connection(id: &str, label: impl Into<String>) -> Self {
        Related {
            node_id: None,
            connection_id: Some(id.to_owned()),
            label: label.into(),
        }
    }
}

/// One finding: a stable code, a severity, a one-line message and where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Stable code from the registry.
    pub code: Code,
    /// Severity of this finding.
    pub severity: Severity,
    /// One line, names the offending value.
    pub message: String,
    /// The node the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The connection the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Path of the property inside the node, connection or document, e.g.
    /// `data.properties.ports[1].port`, `source`, `settings.executionMode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Other elements involved, in a meaningful order (a cycle lists its nodes in cycle order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A finding with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            message: message.into(),
            node_id: None,
            connection_id: None,
            property: None,
            hint: None,
            related: Vec::new(),
        }
    }
    /// Sets the node.
    pub fn node(mut self, id: &str) -> Self {
        self.node_id = Some(id.to_owned());
        self
    }
    /// Sets the connection.
    pub fn connection(mut self, id: &str) -> Self {
        self.connection_id = Some(id.to_owned());
        self
    }
    /// Sets the property path.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.property = Some(path.into());
        self
    }
    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Overrides the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    /// Adds a related element.
    pub fn related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }

    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.node_id.as_deref().unwrap_or(""),
            self.connection_id.as_deref().unwrap_or(""),
            self.property.as_deref().unwrap_or(""),
            self.code.as_str(),
            &self.message,
            &self.hint,
            &self.related,
        )
    }
}

/// The result of `validate()`: findings split by severity, each list sorted deterministically
/// (by node id, connection id, property path, code, message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// True when there is no error.
    pub is_valid: bool,
    /// Findings that block generation and deployment.
    pub errors: Vec<Diagnostic>,
    /// Findings worth fixing.
    pub warnings: Vec<Diagnostic>,
    /// Informational findings.
    pub infos: Vec<Diagnostic>,
}

impl Report {
    /// Builds a sorted, de-duplicated report from findings in any order.
    pub fn from_diagnostics(mut all: Vec<Diagnostic>) -> Self {
        crate::sort::sort_by(&mut all, |a, b| a.sort_key().cmp(&b.sort_key()));
        all.dedup_by(|a, b| a == b);
        let mut report = Report::default();
        for d in all {
            match d.severity {
                Severity::Error => report.errors.push(d),
                Severity::Warning => report.warnings.push(d),
                Severity::Info => report.infos.push(d),
            }
        }
        report.is_valid = report.errors.is_empty();
        report
    }

    /// Every finding: errors, then warnings, then infos.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.errors
            .iter()
            .chain(self.warnings.iter())
            .chain(self.infos.iter())
    }

    /// True when some finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.iter().any(|d| d.code == code)
    }
}
