//! THE facade. Bindings (Python, WASM, Node) and the CLI call only these functions:
//! convert in, call one function, convert out.

use crate::diag::{Code, CodeInfo, Report};
use crate::error::Error;
use crate::generate::{GenerateOptions, Layout};
use crate::model::lite::Lite;
use crate::model::{Workflow, load_workflow};
use crate::plan::Plan;
use crate::validate::{Target, ValidateOptions};
use serde_json::Value;

/// Size limits applied before a document is read. Documents over a limit are refused with
/// [`Error::TooLarge`], never half-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON text accepted, in bytes (default 64 MiB).
    pub max_bytes: usize,
    /// Most nodes accepted (default 100,000).
    pub max_nodes: usize,
    /// Most connections accepted (default 400,000).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_nodes: 100_000,
            max_connections: 400_000,
        }
    }
}

/// Reads a workflow from JSON text with the default [`Limits`].
///
/// Fails only on malformed JSON (with line and column), a top level that is not an object, or a
/// document over the limits. Everything else — wrong types, unknown node types or properties —
/// becomes a finding of [`validate`].
pub fn parse_str(text: &str) -> Result<Workflow, Error> {
    parse_str_with(text, &Limits::default())
}

/// Reads a workflow from JSON text with explicit limits.
pub fn parse_str_with(text: &str, limits: &Limits) -> Result<Workflow, Error> {
    parse_bytes_with(text.as_bytes(), limits)
}

/// Reads a workflow from UTF-8 JSON bytes with the default limits.
pub fn parse_bytes(bytes: &[u8]) -> Result<Workflow, Error> {
    parse_bytes_with(bytes, &Limits::default())
}

/// Reads a workflow from UTF-8 JSON bytes with explicit limits.
pub fn parse_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Workflow, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            what: "bytes",
            actual: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    crate::model::stream::read_workflow(bytes, limits, json_error)
}

/// Reads a workflow from an already-parsed JSON value (a Python dict, a JS object…).
pub fn parse_value(value: &Value) -> Result<Workflow, Error> {
    load_workflow(&Lite::from_value(value), &Limits::default())
}

/// Reads a workflow from an already-parsed JSON value with explicit limits.
pub fn parse_value_with(value: &Value, limits: &Limits) -> Result<Workflow, Error> {
    load_workflow(&Lite::from_value(value), limits)
}

fn json_error(e: serde_json::Error) -> Error {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    };
    Error::Parse {
        message,
        line: e.line().max(1),
        column: e.column().max(1),
        source: e,
    }
}

/// Serializes a workflow back to canonical JSON (keys in a fixed order, nothing lost).
pub fn to_json(workflow: &Workflow) -> String {
    serde_json::to_string_pretty(workflow).expect("workflows always serialize")
}

/// Validates a workflow for generation (see [`validate_with`] for live mode and targets).
/// Never fails; the report is sorted deterministically.
pub fn validate(workflow: &Workflow) -> Report {
    crate::validate::validate(workflow, &ValidateOptions::default())
}

/// Validates a workflow with options.
pub fn validate_with(workflow: &Workflow, options: &ValidateOptions) -> Report {
    crate::validate::validate(workflow, options)
}

/// Computes the execution plan: waves of steps, each with its readiness gate and what it waits
/// for. Fails only with [`Error::Plan`] when dependencies form a cycle.
pub fn plan(workflow: &Workflow) -> Result<Plan, Error> {
    crate::plan::plan(workflow)
}

/// Validation and plan in one pass over the graph — what a live preview calls on every edit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Analysis {
    /// The same report as [`validate_with`].
    pub report: Report,
    /// The same plan as [`plan`]; `None` when dependencies form a cycle (the report then holds
    /// the `GRAPH_CYCLE` findings).
    pub plan: Option<Plan>,
}

/// Validates and plans a workflow, building the dependency graph once.
pub fn analyze(workflow: &Workflow, options: &ValidateOptions) -> Analysis {
    let g = crate::graph::Graph::build(workflow);
    let cycles = crate::validate::cycle_diagnostics(&g);
    let objects = crate::objects::all_objects(&g);
    let report = crate::validate::validate_graph(workflow, &g, options, cycles.clone(), &objects);
    let plan = crate::plan::plan_graph(workflow, &g, &cycles, objects).ok();
    Analysis { report, plan }
}

/// Generates one target (Kubernetes YAML, …) with its fidelity ledger. Refuses a workflow with
/// errors ([`Error::Invalid`]).
pub fn generate(
    workflow: &Workflow,
    target: crate::validate::Target,
    options: &crate::generate::GenerateOptions,
) -> Result<crate::generate::Generated, Error> {
    crate::generate::generate(workflow, target, options)
}

/// The JSON Schema (draft 2020-12) of the workflow document: the committed
/// `schema/workflow.schema.json`, embedded at build time. A test checks it equals
/// [`schema_from_types`]; returning the text keeps the schema builder out of programs that
/// only serve the schema (the browser engine is 6% smaller without it).
pub fn schema() -> Value {
    serde_json::from_slice(schema_text().as_bytes()).unwrap_or(Value::Null)
}

/// The text of [`schema`] (compact JSON), for bindings that hand it to a JSON parser of their
/// own (the browser's `JSON.parse`).
pub fn schema_text() -> &'static str {
    // build.rs writes it without insignificant whitespace.
    include_str!(concat!(env!("OUT_DIR"), "/workflow.schema.min.json"))
}

/// The JSON Schema generated from the Rust types (what `make generate` writes to
/// `schema/workflow.schema.json`; equal to [`schema`] while that file is fresh).
pub fn schema_from_types() -> Value {
    crate::schema::workflow_schema()
}

/// Every diagnostic code with its documentation, in catalogue order.
pub fn codes() -> Vec<&'static CodeInfo> {
    Code::ALL.iter().map(|c| c.info()).collect()
}

/// The documentation of one code (`PORT_RANGE`), if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    Code::parse(code).map(Code::info)
}

/// The diagnostics reference page (`docs/diagnostics.md`), generated from the registry.
pub fn diagnostics_markdown() -> String {
    crate::schema::diagnostics_markdown()
}

/// The options object of the JavaScript packages' `validate(workflow, options)`:
/// `{"target"?: "kubernetes" | "compose" | …, "live"?: bool}`, as JSON text. Read strictly: an
/// unknown key or a wrong type is [`Error::Option`] naming it (a typo must not be ignored).
pub fn validate_options_from_json(text: &str) -> Result<ValidateOptions, Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Js {
        target: Option<String>,
        live: Option<bool>,
    }
    let o: Js = js_options(text)?;
    Ok(ValidateOptions {
        mode: if o.live.unwrap_or(false) {
            crate::validate::Mode::Live
        } else {
            crate::validate::Mode::Generate
        },
        target: o.target.as_deref().map(target_from_name).transpose()?,
    })
}

/// The options object of the JavaScript packages' `generate(workflow, target, options)` and
/// `new Session(…)`: `{"kubernetesVersion"?, "layout"?: "singleFile" | "perObject",
/// "redactSecrets"?: bool}`, as JSON text, read strictly (see [`validate_options_from_json`]).
pub fn generate_options_from_json(text: &str) -> Result<GenerateOptions, Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Js {
        kubernetes_version: Option<String>,
        layout: Option<String>,
        redact_secrets: Option<bool>,
    }
    let o: Js = js_options(text)?;
    let layout = o.layout.as_deref().map(layout_from_name).transpose()?;
    Ok(GenerateOptions {
        kubernetes_version: o.kubernetes_version,
        layout: layout.unwrap_or_default(),
        redact_secrets: o.redact_secrets.unwrap_or(false),
    })
}

/// A file layout by name (`singleFile`, `perObject`, …), or [`Error::Option`].
pub fn layout_from_name(name: &str) -> Result<Layout, Error> {
    Layout::parse(name).ok_or_else(|| Error::Option {
        message: format!("unknown layout {name:?}: use \"singleFile\" or \"perObject\""),
    })
}

/// The message every binding gives for a panic caught at its boundary (`INTERNAL`), from the
/// panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal engine error (please report it): {what}")
}

/// A target by name (`kubernetes`, `k8s`, `compose`, `helm`, `dsl`, …), or [`Error::Option`].
pub fn target_from_name(name: &str) -> Result<Target, Error> {
    Target::parse(name).ok_or_else(|| Error::Option {
        message: format!(
            "unknown target {name:?}: use \"kubernetes\", \"compose\", \"helm\" or \"dsl\""
        ),
    })
}

// ------------------------------------------------------------------ deploy

/// The Docker project a deploy of `workflow` creates: networks, volumes, one container spec per
/// App/StatefulApp/Job with its hash, and the nodes skipped with their reason. Pure; refuses a
/// workflow with errors.
pub fn docker_project(
    workflow: &Workflow,
    options: &crate::deploy::docker::ProjectOptions,
) -> Result<crate::deploy::docker::DockerProject, Error> {
    crate::deploy::docker::project(workflow, options)
}

/// What a Docker deploy would change on top of a live inventory (pure: `--dry-run`, tests).
pub fn docker_change_plan(
    project: &crate::deploy::docker::DockerProject,
    live: &crate::deploy::docker::LiveInventory,
) -> crate::deploy::ChangePlan {
    crate::deploy::docker::change_plan(project, live)
}

/// The §5.3 status of a deployment, folded from its events (any client: CLI, backend, browser).
pub fn deployment_status<'e>(
    events: impl IntoIterator<Item = &'e crate::deploy::DeployEvent>,
) -> crate::deploy::DeploymentStatus {
    crate::deploy::DeploymentStatus::fold(events)
}

/// Kubernetes objects read from text: JSON (one object, an array, or a `List`) or YAML (one or
/// more `---`-separated documents, each an object or a `List`). Empty documents are skipped.
/// The error names the document that could not be read.
pub fn read_objects(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let docs: Vec<Value> = if t.starts_with('{') || t.starts_with('[') {
        vec![serde_json::from_str(t).map_err(|e| format!("malformed JSON: {e}"))?]
    } else {
        let mut docs = Vec::new();
        let mut cur = String::new();
        let mut n = 1;
        let flush = |cur: &mut String, n: usize, docs: &mut Vec<Value>| -> Result<(), String> {
            if cur
                .lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            {
                let v = crate::generate::parse_yaml(cur)
                    .map_err(|e| format!("document {n}: malformed YAML: {e}"))?;
                docs.push(v);
            }
            cur.clear();
            Ok(())
        };
        for line in t.lines() {
            if line == "---" || line.starts_with("--- ") || line == "..." {
                flush(&mut cur, n, &mut docs)?;
                n += 1;
            } else {
                cur.push_str(line);
                cur.push('\n');
            }
        }
        flush(&mut cur, n, &mut docs)?;
        docs
    };
    fn push(v: Value, out: &mut Vec<Value>, at: &str) -> Result<(), String> {
        match v {
            Value::Null => Ok(()),
            Value::Array(items) => items.into_iter().try_for_each(|i| push(i, out, at)),
            Value::Object(mut m) => {
                let is_list = m
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k == "List" || k.ends_with("List"))
                    && m.get("items").is_some_and(Value::is_array);
                if is_list {
                    let items = m.remove("items").unwrap_or(Value::Null);
                    push(items, out, at)
                } else if m.get("kind").and_then(Value::as_str).is_none() {
                    Err(format!("{at}: an object without a kind"))
                } else {
                    out.push(Value::Object(m));
                    Ok(())
                }
            }
            other => Err(format!("{at}: not an object: {other}")),
        }
    }
    for (k, d) in docs.into_iter().enumerate() {
        push(d, &mut out, &format!("document {}", k + 1))?;
    }
    Ok(out)
}

/// The readiness of a Kubernetes object at `now_ms` (kstatus's statuses).
pub fn object_health(object: &Value, now_ms: u64) -> crate::deploy::health::HealthReport {
    crate::deploy::health::compute(object, now_ms)
}

/// The deploy gate's verdict on a Kubernetes object at `now_ms` (ready / waiting / failed).
pub fn object_gate(object: &Value, now_ms: u64) -> crate::deploy::health::GateReport {
    crate::deploy::health::gate(object, now_ms)
}

/// The Kubernetes project of a workflow: objects per step with inventory metadata (pure).
pub fn kube_project(
    workflow: &Workflow,
    options: &crate::deploy::kube::KubeProjectOptions,
) -> Result<crate::deploy::kube::KubeProject, Error> {
    crate::deploy::kube::project(workflow, options)
}

/// A Kubernetes diff (server-side dry run, normalized, secrets masked).
pub use crate::deploy::diff::{DiffOp, KubeDiff, ObjectDiff};
/// The native Docker driver (cargo feature `docker`): `Docker::connect`, then `deploy`,
/// `plan` (dry run), `status`, `watch`, `history`, `rollback`, `down`.
#[cfg(feature = "docker")]
pub use crate::deploy::driver::docker::{Docker, DockerOptions, DownReport};
/// The size in bytes of a Kubernetes revision record as stored (gzip + base64).
#[cfg(feature = "kube")]
pub use crate::deploy::driver::kube::record_size as kube_record_size;
/// The Kubernetes driver (cargo feature `kube`): `Kube::connect`, then `deploy`, `plan`,
/// `status`, `history`, `rollback`, `delete`.
#[cfg(feature = "kube")]
pub use crate::deploy::driver::kube::{DeleteReport, Kube, KubeConnect, KubeOptions, KubePlan};
/// Errors, cancellation and the event channel of the deploy drivers.
#[cfg(any(feature = "docker", feature = "kube"))]
pub use crate::deploy::driver::{Cancel, DeployError, ErrorCode, EventSender};

fn js_options<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    // The slice reader, as for workflows: one JSON reader in the engine.
    serde_json::from_slice(text.as_bytes()).map_err(|e| Error::Option {
        message: format!("options: {e}"),
    })
}

#[cfg(test)]
mod js_option_tests {
    use super::*;

    #[test]
    fn js_options_are_read_strictly() {
        let v = validate_options_from_json(r#"{"target": "k8s", "live": true}"#).unwrap();
        assert_eq!(v.target, Some(Target::Kubernetes));
        assert_eq!(v.mode, crate::validate::Mode::Live);
        assert_eq!(
            validate_options_from_json("{}").unwrap(),
            ValidateOptions::default()
        );
        let g = generate_options_from_json(
            r#"{"kubernetesVersion": "1.21", "layout": "per-object", "redactSecrets": true}"#,
        )
        .unwrap();
        assert_eq!(g.kubernetes_version.as_deref(), Some("1.21"));
        assert_eq!(g.layout, Layout::PerObject);
        assert!(g.redact_secrets);
        let option_error = |r: Result<(), Error>, text: &str, needle: &str| {
            let e = r.unwrap_err();
            assert_eq!(e.code(), "OPTION", "{text}");
            assert!(e.to_string().contains(needle), "{text}: {e}");
        };
        for (text, needle) in [
            (r#"{"live": "yes"}"#, "expected a boolean"),
            (r#"{"target": "terraform"}"#, "terraform"),
            (r#"{"redactSecrets": true}"#, "redactSecrets"),
            ("[1]", "options"),
        ] {
            option_error(validate_options_from_json(text).map(|_| ()), text, needle);
        }
        for (text, needle) in [
            (r#"{"redactSecret": true}"#, "redactSecret"),
            (r#"{"layout": "zip"}"#, "zip"),
            (r#"{"kubernetesVersion": 1.3}"#, "expected a string"),
            ("null", "options"),
        ] {
            option_error(generate_options_from_json(text).map(|_| ()), text, needle);
        }
    }
}
