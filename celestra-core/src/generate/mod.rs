//! Generators: Kubernetes YAML (and, next, Docker Compose, Helm, Celestra DSL), each with a
//! fidelity ledger. A workflow with errors is refused; warnings never block.

pub(crate) mod build;
pub(crate) mod common;
pub(crate) mod compose;
pub(crate) mod dsl;
pub(crate) mod helm;
pub(crate) mod k8s;
pub mod kubernetes;
pub mod ledger;
mod session;
pub(crate) mod yamlout;

use crate::diag::Severity;
use crate::error::Error;
use crate::graph::Graph;
use crate::model::Workflow;
use crate::validate::{Mode, Target, ValidateOptions};
pub use ledger::{Fidelity, Ledger, LedgerEntry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use session::{Session, Update};
use std::collections::BTreeMap;

/// How Kubernetes objects are laid out in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Layout {
    /// One multi-document `manifests.yaml` (default).
    #[default]
    SingleFile,
    /// One file per object, numbered in apply order.
    PerObject,
}

impl Layout {
    /// Reads a layout name (`singleFile`, `perObject`; the kebab-case spellings too).
    pub fn parse(name: &str) -> Option<Layout> {
        match name {
            "singleFile" | "single-file" | "single" => Some(Layout::SingleFile),
            "perObject" | "per-object" => Some(Layout::PerObject),
            _ => None,
        }
    }
}

/// Options of `generate()`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct GenerateOptions {
    /// Kubernetes version of the target cluster, `"1.20"` … (default `"1.30"`): picks served
    /// apiVersions and drops fields the version lacks (like `helm template --kube-version`).
    pub kubernetes_version: Option<String>,
    /// File layout of the Kubernetes target.
    pub layout: Layout,
    /// Replace secret values by `<redacted>` (live previews must never show secrets).
    pub redact_secrets: bool,
}

/// Kubernetes `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion(pub u32, pub u32);

impl KubeVersion {
    /// Oldest supported version.
    pub const OLDEST: KubeVersion = KubeVersion(1, 20);
    /// Newest version whose schemas the tests check against.
    pub const NEWEST: KubeVersion = KubeVersion(1, 37);
    /// Default target.
    pub const DEFAULT: KubeVersion = KubeVersion(1, 30);

    /// Parses `"1.30"` or `"v1.30.2"`.
    pub fn parse(s: &str) -> Option<KubeVersion> {
        let s = s.trim().trim_start_matches('v');
        let mut it = s.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        Some(KubeVersion(major, minor))
    }

    /// True when this version is older than `major.minor`.
    pub fn before(self, major: u32, minor: u32) -> bool {
        self < KubeVersion(major, minor)
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// One generated object.
///
/// While a node's objects are built, a typed object stays typed (`body`); it becomes JSON
/// (`value`) when a target reads it (Helm, DSL) or writes it (the Kubernetes YAML).
#[derive(Debug)]
pub(crate) struct Obj {
    pub(crate) node: usize,
    pub(crate) kind: String,
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    /// The object as JSON (`Null` while it is still typed, or once written).
    pub(crate) value: Value,
    /// The typed object, until it is written or turned into `value`.
    pub(crate) body: Option<Box<dyn Body>>,
    /// An apiVersion the cluster serves instead of the typed object's own (CronJob before
    /// 1.21).
    pub(crate) api_version: Option<&'static str>,
    /// Built as a typed object: its YAML starts with `apiVersion` and `kind` (a JSON-built
    /// object's keys are all sorted).
    pub(crate) typed: bool,
}

/// A typed object kept until it is written.
pub(crate) trait Body: Send + Sync {
    /// The object as JSON, `apiVersion` and `kind` included.
    fn to_value(&self) -> Value;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

impl<T> Body for T
where
    T: k8s::ToJson + k8s::Resource + Send + Sync + 'static,
{
    fn to_value(&self) -> Value {
        typed(self.to_json(), T::API_VERSION, T::KIND)
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// An object's JSON with its `apiVersion` and `kind` (once, not once per object type).
fn typed(mut v: Value, api_version: &str, kind: &str) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("apiVersion".to_owned(), Value::from(api_version));
        m.insert("kind".to_owned(), Value::from(kind));
    }
    v
}

// Not a supertrait: a vtable keeps every method of its traits alive, and nothing prints an
// object's tree.
impl std::fmt::Debug for dyn Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<typed object>")
    }
}

impl Obj {
    /// Edits the typed object if it is a `T`; `false` if it is not (or no longer) typed.
    pub(crate) fn edit<T: 'static>(&mut self, f: impl FnOnce(&mut T)) -> bool {
        match self
            .body
            .as_mut()
            .and_then(|b| b.as_any_mut().downcast_mut::<T>())
        {
            Some(t) => {
                f(t);
                true
            }
            None => false,
        }
    }

    /// Turns the typed object into `value` (for targets that read objects).
    pub(crate) fn make_json(&mut self) {
        if let Some(b) = self.body.take() {
            self.value = b.to_value();
            if let (Some(v), Value::Object(m)) = (self.api_version, &mut self.value) {
                m.insert("apiVersion".to_owned(), Value::String(v.to_owned()));
            }
        }
    }

    /// The object's YAML document; the object's tree is dropped (only kind, namespace and name
    /// stay, for file names). A typed object is written `apiVersion`, `kind`, then the rest.
    pub(crate) fn write_yaml(&mut self) -> String {
        self.make_json();
        let y = self.yaml_text();
        self.value = Value::Null;
        y
    }

    /// The YAML document of an object already turned into JSON (see [`write_yaml`](Self::write_yaml)).
    pub(crate) fn yaml_text(&self) -> String {
        if self.typed {
            yamlout::to_manifest_yaml(&self.value)
        } else {
            yaml(&self.value)
        }
    }

    /// The object without its tree: kind, namespace and name (for file names) stay.
    pub(crate) fn head(&self) -> Obj {
        Obj {
            node: self.node,
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            value: Value::Null,
            body: None,
            api_version: self.api_version,
            typed: self.typed,
        }
    }
}

/// The result of a generation: files by relative path, and the fidelity ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Generated {
    /// The target.
    pub target: Target,
    /// File path (relative, `/`-separated) → content.
    pub files: BTreeMap<String, String>,
    /// What each property and connection became.
    pub ledger: Ledger,
    /// Warnings and infos of the workflow for this target (e.g. `COMPOSE_UNSUPPORTED`).
    pub warnings: Vec<crate::diag::Diagnostic>,
}

fn check_version(opts: &GenerateOptions) -> Result<KubeVersion, Error> {
    match &opts.kubernetes_version {
        None => Ok(KubeVersion::DEFAULT),
        Some(s) => match KubeVersion::parse(s) {
            Some(v) if v >= KubeVersion::OLDEST && v <= KubeVersion(1, 99) => Ok(v),
            _ => Err(Error::Option {
                message: format!(
                    "kubernetesVersion {s:?} is not supported; use {} or newer, e.g. \"1.30\"",
                    KubeVersion::OLDEST
                ),
            }),
        },
    }
}

/// Node indices in plan order (each step, then the nodes attached to it).
pub(crate) fn plan_order(wf: &Workflow, g: &Graph<'_>) -> Result<Vec<usize>, Error> {
    crate::plan::apply_order(wf, g, &crate::validate::cycle_diagnostics(g))
}

/// Records every connection the target did not record itself: active ones by the target's rule
/// for their pair, inactive conditional ones and duplicates as dropped (nothing silent).
pub(crate) fn record_connections(
    g: &Graph<'_>,
    led: &mut ledger::Recorder,
    rule: impl Fn(crate::graph::Pair) -> Fidelity,
) {
    let missing: Vec<&crate::model::Connection> = {
        let recorded = led.connections();
        g.wf.connections
            .iter()
            .filter(|c| recorded.binary_search(&c.id.as_str()).is_err())
            .collect()
    };
    for c in missing {
        // Edges are sorted by connection id: the first edge of this id.
        let k = g
            .edges
            .partition_point(|e| e.conn.id.as_str() < c.id.as_str());
        let edge = g.edges.get(k).filter(|e| e.conn.id == c.id);
        match edge {
            Some(e) => led.connection(&c.id, rule(e.pair)),
            None => led.connection(
                &c.id,
                Fidelity::Dropped {
                    why: "inactive in this environment, or a duplicate of another connection"
                        .into(),
                },
            ),
        }
    }
}

/// Validates (for generation) and plans on one graph; refuses a workflow that has errors.
/// Returns the warnings and infos for the target and the node indices in plan order.
pub(crate) fn refuse_errors(
    wf: &Workflow,
    g: &Graph<'_>,
    target: Target,
) -> Result<(Vec<crate::diag::Diagnostic>, Vec<usize>), Error> {
    let cycles = crate::validate::cycle_diagnostics(g);
    let objects = crate::objects::all_objects(g);
    let report = crate::validate::validate_graph(
        wf,
        g,
        &ValidateOptions {
            mode: Mode::Generate,
            target: Some(target),
        },
        cycles.clone(),
        &objects,
    );
    if report.errors.iter().any(|d| d.severity == Severity::Error) {
        return Err(Error::Invalid {
            diagnostics: report.errors,
        });
    }
    let order = crate::plan::apply_order(wf, g, &cycles)?;
    Ok((
        report.warnings.into_iter().chain(report.infos).collect(),
        order,
    ))
}

/// YAML of one object (block style, keys sorted, every ambiguous scalar quoted).
pub(crate) fn yaml(v: &Value) -> String {
    yamlout::to_yaml(v)
}

/// The YAML text of a JSON value as the generators write it (block style, sorted keys, every
/// ambiguous scalar quoted). Public for tools and tests.
pub fn to_yaml(v: &Value) -> String {
    yamlout::to_yaml(v)
}

/// The text of a map key as JSON writes it (strings as they are, numbers and booleans as their
/// JSON text); for bindings that turn engine results into their own objects.
pub fn map_key_text<T: Serialize + ?Sized>(k: &T) -> Result<String, String> {
    yamlout::map_key_text(k)
}

/// Parses one YAML document into JSON (for tests and tools; serde-saphyr).
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// File-name-safe piece (`a-z0-9-.`).
pub(crate) fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Generates one target: every node's unit, then the assembly (the same code a [`Session`]
/// runs incrementally).
pub(crate) fn generate(
    wf: &Workflow,
    target: Target,
    opts: &GenerateOptions,
) -> Result<Generated, Error> {
    let g = Graph::build(wf);
    let (warnings, order) = refuse_errors(wf, &g, target)?;
    let version = check_version(opts)?;
    let cx = build::Ctx {
        wf,
        g: &g,
        opts,
        version,
        order: &order,
    };
    let state = build::TargetState::build(&cx, target);
    let mut files = BTreeMap::new();
    state.write_files(&cx, &mut files, None);
    Ok(Generated {
        target,
        files,
        ledger: state.into_ledger(&cx, target),
        warnings,
    })
}

/// The Kubernetes objects of every node, as JSON, for a deploy: validated for the Kubernetes
/// target (errors refuse), per node index, with the warnings and the version used.
pub(crate) fn kube_objects(
    wf: &Workflow,
    g: &Graph<'_>,
    opts: &GenerateOptions,
) -> Result<(Vec<Vec<Value>>, KubeVersion, Vec<crate::diag::Diagnostic>), Error> {
    let (warnings, order) = refuse_errors(wf, g, Target::Kubernetes)?;
    let version = check_version(opts)?;
    let cx = build::Ctx {
        wf,
        g,
        opts,
        version,
        order: &order,
    };
    let units = build::kube_units(&cx);
    let per_node = units
        .into_iter()
        .map(|u| u.objs.into_iter().map(|o| o.value).collect())
        .collect();
    Ok((per_node, version, warnings))
}
