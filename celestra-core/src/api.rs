//! THE facade. Bindings (Python, WASM, Node) and the CLI call only these functions:
//! convert in, call one function, convert out.

use crate::diag::{Code, CodeInfo, Report};
use crate::error::Error;
use crate::model::lite::Lite;
use crate::model::{Workflow, load_workflow};
use crate::plan::Plan;
use crate::validate::ValidateOptions;
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
    serde_json::from_str(include_str!("../../schema/workflow.schema.json")).unwrap_or(Value::Null)
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
