//! `celestra-wasm`: the engine's facade for JavaScript (browsers and Node), with wasm-bindgen.
//!
//! Thin by design: every function reads its input (a workflow object, JSON text or UTF-8
//! bytes), calls the core, and returns plain JS values. Results cross as JSON text and
//! `JSON.parse` (one pass in the JS engine's native parser; faster than building objects field
//! by field across the boundary). Engine errors are thrown as real JS `Error`s named
//! `ParseError`, `ValidationError`, `GenerateError` or `CelestraError`, with a stable `code`,
//! the findings in `diagnostics` (the same objects `validate()` returns) and, for malformed
//! JSON, `line` and `column`.
//!
//! The TypeScript declarations of the workflow, the report, the plan, the ledger and the
//! errors are written here (`TYPES`) and land in the package's `.d.ts`; `scripts/web.sh`
//! checks the committed copy (`celestra-wasm/celestra_wasm.d.ts`) is fresh.

mod errors;

use celestra_core::generate::GenerateOptions;
use celestra_core::{Target, ValidateOptions, Workflow, api};
use errors::{engine_error, js_error, option_error};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Talc instead of std's dlmalloc (see Cargo.toml): single-threaded wasm, memory grown on demand.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A workflow document (docs/workflow-format.md; only the top level is spelled out here). */
export interface Workflow {
  schemaVersion?: string;
  id?: string;
  name?: string;
  description?: string;
  settings?: Record<string, unknown>;
  nodes: Node[];
  connections?: Connection[];
}
/** One node of the graph: its id, its kind (`celestra-app`, …) and its properties. */
export interface Node {
  id: string;
  type: string;
  parent?: string;
  position?: { x: number; y: number };
  data: NodeData;
}
/** A node's name, its catalog type (`App`, `Service`, …) and its properties. */
export interface NodeData {
  name?: string;
  type?: string;
  properties?: Record<string, unknown>;
}
/** A connection from one node's handle to another's. */
export interface Connection {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string;
  targetHandle?: string;
  style?: string;
  label?: string;
  when?: unknown;
}
/** A workflow as an object, as JSON text, or as UTF-8 JSON bytes. */
export type WorkflowInput = Workflow | string | Uint8Array;
/** An output target (the aliases are accepted too). */
export type Target =
  | "kubernetes" | "k8s" | "compose" | "docker-compose" | "dockerCompose" | "helm" | "dsl" | "celestra";
export type Severity = "error" | "warning" | "info";

export interface Related {
  label: string;
  nodeId?: string;
  connectionId?: string;
}
/** One finding: a stable code, where (node, property, connection), what, and how to fix it. */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  nodeId?: string;
  connectionId?: string;
  property?: string;
  hint?: string;
  related?: Related[];
}
/** What `validate()` returns. */
export interface Report {
  isValid: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  infos: Diagnostic[];
}
/** One step of the plan: a node, its objects, its readiness gates, what it waits for and why. */
export interface Step {
  nodeId: string;
  name: string;
  type: string;
  namespace: string;
  phase: number;
  objects: Record<string, unknown>[];
  readiness: Record<string, unknown>[];
  waitsFor: Record<string, unknown>[];
  attached?: Record<string, unknown>[];
}
/** One wave: steps that can run in parallel. */
export interface Wave {
  index: number;
  steps: Step[];
  phase?: number;
}
/** What `plan()` returns: dependency waves. */
export interface Plan {
  mode: "parallel" | "phased" | "sequential";
  errorHandling: string;
  totalSteps: number;
  waves: Wave[];
}
/** `validate` and `plan` in one pass: `plan` is null when dependencies form a cycle (the report
 * then holds the `GRAPH_CYCLE` findings). */
export interface Analysis {
  report: Report;
  plan: Plan | null;
}
/** One line of the fidelity ledger: a node property or a connection, and how it was carried. */
export interface LedgerEntry {
  property: string;
  status: "mapped" | "approximated" | "dropped";
  nodeId?: string;
  connectionId?: string;
  how?: string;
  why?: string;
}
/** What a target mapped, approximated or could not express. */
export interface Ledger {
  target: string;
  entries: LedgerEntry[];
}
/** What `generate()` returns: the files by path, the ledger and the warnings. */
export interface Generated {
  target: string;
  files: Record<string, string>;
  ledger: Ledger;
  warnings: Diagnostic[];
}
/** What a session edit returns: whether everything was rebuilt, and which nodes were. */
export interface Update {
  full: boolean;
  regenerated: string[];
}
export interface ValidateOptions {
  /** Add the rules of one output target. */
  target?: Target;
  /** Downgrade what a half-drawn workflow cannot have yet (e.g. a missing image) to warnings. */
  live?: boolean;
}
export interface GenerateOptions {
  /** "1.20" … ; default "1.30": picks served API versions. */
  kubernetesVersion?: string;
  /** One multi-document file (default) or one file per object (Kubernetes target). */
  layout?: "singleFile" | "perObject";
  /** Replace secret values by "<redacted>" (for previews). */
  redactSecrets?: boolean;
}
/** One code of the diagnostic catalogue. */
export interface CodeInfo {
  code: string;
  severity: Severity;
  level: string;
  title: string;
  why: string;
  fix: string;
  example: string;
  origin: string;
}
export type ErrorCode =
  | "PARSE" | "SHAPE" | "TOO_LARGE" | "INVALID" | "PLAN_BLOCKED" | "OPTION" | "INTERNAL";
/** What the engine throws: a JS `Error` with these fields. `name` is "ParseError" (PARSE,
 * SHAPE, TOO_LARGE), "ValidationError" (INVALID, PLAN_BLOCKED), "GenerateError" (OPTION) or
 * "CelestraError". */
export interface CelestraError extends Error {
  name: "ParseError" | "ValidationError" | "GenerateError" | "CelestraError";
  code: ErrorCode;
  /** The findings behind INVALID and PLAN_BLOCKED (empty otherwise). */
  diagnostics: Diagnostic[];
  /** 1-based position of malformed JSON (PARSE only). */
  line?: number;
  column?: number;
}
"#;

/// A value as a JS value: JSON text, then `JSON.parse`.
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(v).map_err(|e| {
        js_error(
            "INTERNAL",
            &format!("writing the result as JSON: {e}"),
            &[],
            None,
        )
    })?;
    js_sys::JSON::parse(&text)
}

/// JSON text of a JS value given as a string, UTF-8 bytes or anything `JSON.stringify` takes.
enum Text {
    Str(String),
    Bytes(Vec<u8>),
}

fn text_of(v: &JsValue, what: &str) -> Result<Text, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(Text::Str(s));
    }
    if let Some(bytes) = v.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(Text::Bytes(bytes.to_vec()));
    }
    let not_json = |why: String| {
        js_error(
            "PARSE",
            &format!("{what}: not a JSON value ({why})"),
            &[],
            None,
        )
    };
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return Err(not_json(format!(
            "got {}",
            v.js_typeof().as_string().unwrap_or_default()
        )));
    }
    let s = js_sys::JSON::stringify(v).map_err(|e| {
        not_json(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "JSON.stringify failed".to_owned()),
        )
    })?;
    s.as_string()
        .map(Text::Str)
        .ok_or_else(|| not_json("JSON.stringify gave nothing".to_owned()))
}

fn workflow_of(v: &JsValue) -> Result<Workflow, JsValue> {
    match text_of(v, "workflow")? {
        Text::Str(s) => api::parse_str(&s),
        Text::Bytes(b) => api::parse_bytes(&b),
    }
    .map_err(|e| engine_error(&e))
}

/// An options object (undefined and null: the defaults) as JSON text for the core's strict
/// readers ([`api::validate_options_from_json`], [`api::generate_options_from_json`]).
fn options_text(v: Option<&JsValue>) -> Result<Option<String>, JsValue> {
    let Some(v) = v.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    if !v.is_object() || js_sys::Array::is_array(v) || v.is_instance_of::<js_sys::Uint8Array>() {
        return Err(option_error("options must be an object".to_owned()));
    }
    match text_of(v, "options")? {
        Text::Str(s) => Ok(Some(s)),
        Text::Bytes(_) => Err(option_error("options must be an object".to_owned())),
    }
}

fn validate_options(v: Option<&JsValue>) -> Result<ValidateOptions, JsValue> {
    match options_text(v)? {
        None => Ok(ValidateOptions::default()),
        Some(t) => api::validate_options_from_json(&t).map_err(|e| engine_error(&e)),
    }
}

fn generate_options(v: Option<&JsValue>) -> Result<GenerateOptions, JsValue> {
    match options_text(v)? {
        None => Ok(GenerateOptions::default()),
        Some(t) => api::generate_options_from_json(&t).map_err(|e| engine_error(&e)),
    }
}

fn target_of(name: &str) -> Result<Target, JsValue> {
    api::target_from_name(name).map_err(|e| engine_error(&e))
}

/// Validates a workflow: findings per node, field and connection.
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let opts = validate_options(options.as_ref())?;
    let wf = workflow_of(workflow)?;
    to_js(&api::validate_with(&wf, &opts))
}

/// Validates and plans a workflow, reading it and building its graph once (what a live preview
/// calls on every edit). `plan` is null when dependencies form a cycle.
#[wasm_bindgen(unchecked_return_type = "Analysis")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let opts = validate_options(options.as_ref())?;
    let wf = workflow_of(workflow)?;
    to_js(&api::analyze(&wf, &opts))
}

/// Plans a workflow: dependency waves, what waits for what and why.
#[wasm_bindgen(unchecked_return_type = "Plan")]
pub fn plan(
    #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
) -> Result<JsValue, JsValue> {
    let wf = workflow_of(workflow)?;
    to_js(&api::plan(&wf).map_err(|e| engine_error(&e))?)
}

/// Generates one target: the files, the fidelity ledger and the warnings. Throws a
/// `ValidationError` (code `INVALID`) for a workflow with errors.
#[wasm_bindgen(unchecked_return_type = "Generated")]
pub fn generate(
    #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Target")] target: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "GenerateOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let target = target_of(target)?;
    let opts = generate_options(options.as_ref())?;
    let wf = workflow_of(workflow)?;
    to_js(&api::generate(&wf, target, &opts).map_err(|e| engine_error(&e))?)
}

/// Every diagnostic code with its severity, title, why, fix and example.
#[wasm_bindgen(js_name = diagnosticCodes, unchecked_return_type = "CodeInfo[]")]
pub fn diagnostic_codes() -> Result<JsValue, JsValue> {
    to_js(&api::codes())
}

/// The error codes (`CelestraError.code`) with what each means.
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "Record<ErrorCode, string>")]
pub fn error_codes() -> Result<JsValue, JsValue> {
    // Inserted one by one: `collect` would build a sort just for this.
    let mut codes = std::collections::BTreeMap::new();
    codes.extend(celestra_core::ERROR_CODES.iter().copied());
    to_js(&codes)
}

/// The JSON Schema of the workflow document.
#[wasm_bindgen(unchecked_return_type = "Record<string, unknown>")]
pub fn schema() -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(api::schema_text())
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Incremental generation of one target, or of several at once: after `updateNode`, only the
/// edited node and the nodes whose output depends on it are regenerated; the files equal a full
/// `generate()` of the edited workflow. A session of several targets reads, validates and plans
/// the workflow once for all of them, and builds each node's Kubernetes objects once for the
/// Kubernetes, Helm and DSL targets. An edit that introduces errors throws a `ValidationError`
/// and keeps the last good output. Call `free()` when done (or rely on the JS garbage
/// collector).
#[wasm_bindgen]
pub struct Session {
    inner: celestra_core::Session,
}

/// The targets of a session: one name or an array of names.
fn targets_of(v: &JsValue) -> Result<Vec<Target>, JsValue> {
    if let Some(name) = v.as_string() {
        return Ok(vec![target_of(&name)?]);
    }
    if let Some(list) = v.dyn_ref::<js_sys::Array>() {
        let mut out = Vec::new();
        for item in list.iter() {
            let Some(name) = item.as_string() else {
                return Err(option_error(
                    "targets: every target is a name such as \"kubernetes\"".into(),
                ));
            };
            out.push(target_of(&name)?);
        }
        return Ok(out);
    }
    Err(option_error(
        "target: a target name or an array of them".into(),
    ))
}

#[wasm_bindgen]
impl Session {
    /// Starts a session of one target or several (each once; the first is `target`) and
    /// generates everything. Throws only for bad input or options; a workflow with errors gives
    /// a session whose `lastError()` holds them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Target | Target[]")] target: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "GenerateOptions")] options: Option<JsValue>,
    ) -> Result<Session, JsValue> {
        let targets = targets_of(target)?;
        let opts = generate_options(options.as_ref())?;
        let wf = workflow_of(workflow)?;
        let inner = celestra_core::Session::with_targets(wf, &targets, opts)
            .map_err(|e| engine_error(&e))?;
        Ok(Session { inner })
    }

    /// The first target.
    #[wasm_bindgen(getter, unchecked_return_type = "Target")]
    pub fn target(&self) -> String {
        self.inner.target().as_str().to_owned()
    }

    /// Every target the session keeps current, in the order given or added.
    #[wasm_bindgen(getter, unchecked_return_type = "Target[]")]
    pub fn targets(&self) -> Vec<String> {
        self.inner
            .target_names()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Adds a target, generated from the analysis the session holds (the workflow is not read,
    /// validated or planned again); every later edit regenerates it too. Adding a target the
    /// session keeps changes nothing.
    #[wasm_bindgen(js_name = addTarget, unchecked_return_type = "Update")]
    pub fn add_target(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Target")] target: &str,
    ) -> Result<JsValue, JsValue> {
        let t = target_of(target)?;
        let u = self.inner.add_target(t).map_err(|e| engine_error(&e))?;
        to_js(&u)
    }

    /// Replaces (or adds) one node — an object, JSON text or bytes — and regenerates what it
    /// touches.
    #[wasm_bindgen(js_name = updateNode, unchecked_return_type = "Update")]
    pub fn update_node(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Node | string | Uint8Array")] node: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let parsed = match text_of(node, "node")? {
            // The slice reader for both: one JSON reader in the engine.
            Text::Str(s) => serde_json::from_slice(s.as_bytes()),
            Text::Bytes(b) => serde_json::from_slice(&b),
        };
        let value: serde_json::Value = parsed.map_err(|e| {
            js_error(
                "PARSE",
                &format!("node: {e}"),
                &[],
                Some((e.line(), e.column())),
            )
        })?;
        let u = self
            .inner
            .update_node(&value)
            .map_err(|e| engine_error(&e))?;
        to_js(&u)
    }

    /// Removes a node and its connections, and regenerates.
    #[wasm_bindgen(js_name = removeNode, unchecked_return_type = "Update")]
    pub fn remove_node(&mut self, id: &str) -> Result<JsValue, JsValue> {
        let u = self.inner.remove_node(id).map_err(|e| engine_error(&e))?;
        to_js(&u)
    }

    /// Replaces the whole workflow (connections, settings…) and regenerates.
    #[wasm_bindgen(js_name = setWorkflow, unchecked_return_type = "Update")]
    pub fn set_workflow(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "WorkflowInput")] workflow: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let wf = workflow_of(workflow)?;
        let u = self.inner.set_workflow(wf).map_err(|e| engine_error(&e))?;
        to_js(&u)
    }

    /// `target` (the first target when omitted), if the session keeps it.
    fn pick(&self, target: Option<String>) -> Result<Target, JsValue> {
        self.inner
            .pick(target.as_deref(), "addTarget")
            .map_err(|e| engine_error(&e))
    }

    fn files_of(
        &self,
        target: Option<String>,
    ) -> Result<&std::collections::BTreeMap<String, String>, JsValue> {
        let t = self.pick(target)?;
        Ok(self
            .inner
            .files_for(t)
            .unwrap_or_else(|| self.inner.files()))
    }

    /// The files of the last successful generation of `target` (the first target when
    /// omitted), by path.
    #[wasm_bindgen(unchecked_return_type = "Record<string, string>")]
    pub fn files(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<JsValue, JsValue> {
        to_js(self.files_of(target)?)
    }

    /// One file of the last successful generation (undefined if there is none by that path):
    /// cheaper than `files()` when a preview shows one file.
    #[wasm_bindgen]
    pub fn file(
        &self,
        path: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<Option<String>, JsValue> {
        Ok(self.files_of(target)?.get(path).cloned())
    }

    /// The paths of the files of the last successful generation, sorted.
    #[wasm_bindgen]
    pub fn paths(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<Vec<String>, JsValue> {
        Ok(self.files_of(target)?.keys().cloned().collect())
    }

    /// The warnings and infos of the last successful generation.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let t = self.pick(target)?;
        to_js(self.inner.warnings_for(t).unwrap_or_default())
    }

    /// The fidelity ledger of the last successful generation (undefined before one).
    #[wasm_bindgen(unchecked_return_type = "Ledger | undefined")]
    pub fn ledger(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let t = self.pick(target)?;
        match self.inner.ledger_for(t) {
            Some(l) => to_js(l),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Files, ledger and warnings of the last successful generation (undefined before one).
    #[wasm_bindgen(unchecked_return_type = "Generated | undefined")]
    pub fn generated(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "Target")] target: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let t = self.pick(target)?;
        match self.inner.generated_for(t) {
            Some(g) => to_js(&g),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Why the last edit was refused (undefined after a good one), as the error it threw.
    #[wasm_bindgen(js_name = lastError, unchecked_return_type = "CelestraError | undefined")]
    pub fn last_error(&self) -> JsValue {
        self.inner
            .last_error()
            .map_or(JsValue::UNDEFINED, engine_error)
    }
}
