//! `celestra-node`: the engine's facade for Node.js (N-API, napi-rs).
//!
//! The native layer is deliberately narrow: it takes JSON text (or UTF-8 bytes) and returns JSON
//! text, and the package's JavaScript layer (`celestra.js`) turns that into the same camelCase
//! API and the same error objects as the browser package (`JSON.stringify` / `JSON.parse` are
//! V8's fastest way across the boundary). Engine errors leave as an `Error` whose message is a
//! marker plus a JSON payload (`code`, `message`, `diagnostics`, `line`, `column`), which the JS
//! layer rethrows as `ParseError` / `ValidationError` / `GenerateError` / `CelestraError`.
//! A panic becomes `CelestraError` with code `INTERNAL`, never a crash of the process.
//! Long calls have `...Async` variants: `AsyncTask`s on libuv's thread pool.
//! The deploy API (`deploy.rs`) runs on a tokio runtime of its own and reports through
//! thread-safe functions; its errors leave as `DeployError`.

pub mod deploy;
mod errors;

use celestra_core::generate::GenerateOptions;
use celestra_core::{Error, Target, ValidateOptions, Workflow, api};
use errors::{Fail, R, caught, engine_error_payload, guarded, to_napi};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use serde::Serialize;

/// Generation allocates and frees many small values; in Node's multi-threaded process glibc's
/// malloc is much slower at that than mimalloc (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn json<T: Serialize + ?Sized>(v: &T) -> R<String> {
    serde_json::to_string(v)
        .map_err(|e| Fail::Other("INTERNAL", format!("writing the result as JSON: {e}")))
}

/// A workflow as the JS layer passes it: JSON text, or UTF-8 bytes (a `Buffer`).
pub enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

impl From<Either<String, Buffer>> for Input {
    fn from(v: Either<String, Buffer>) -> Self {
        match v {
            Either::A(s) => Input::Text(s),
            Either::B(b) => Input::Bytes(b.to_vec()),
        }
    }
}

fn parse(input: &Input) -> R<Workflow> {
    Ok(match input {
        Input::Text(t) => api::parse_str(t)?,
        Input::Bytes(b) => api::parse_bytes(b)?,
    })
}

fn target_of(name: &str) -> R<Target> {
    Ok(api::target_from_name(name)?)
}

/// Options arrive as JSON text from the JS layer (None: the defaults) and are read strictly by
/// the core (an unknown key is an `OPTION` error naming it).
fn validate_options(text: Option<&str>) -> R<ValidateOptions> {
    Ok(text
        .map(api::validate_options_from_json)
        .transpose()?
        .unwrap_or_default())
}

fn generate_options(text: Option<&str>) -> R<GenerateOptions> {
    Ok(text
        .map(api::generate_options_from_json)
        .transpose()?
        .unwrap_or_default())
}

/// One engine call, complete with its input: what the sync functions run at once and the async
/// ones on the thread pool.
pub enum Call {
    Validate(Input, ValidateOptions),
    Analyze(Input, ValidateOptions),
    Plan(Input),
    Generate(Input, Target, GenerateOptions),
}

impl Call {
    /// The result as UTF-8 JSON bytes (handed to JS as a Buffer without another copy).
    fn run(&self) -> R<Vec<u8>> {
        match self {
            Call::Validate(input, o) => json_bytes(&api::validate_with(&parse(input)?, o)),
            Call::Analyze(input, o) => json_bytes(&api::analyze(&parse(input)?, o)),
            Call::Plan(input) => json_bytes(&api::plan(&parse(input)?)?),
            Call::Generate(input, target, o) => {
                json_bytes(&api::generate(&parse(input)?, *target, o)?)
            }
        }
    }
}

fn json_bytes<T: Serialize + ?Sized>(v: &T) -> R<Vec<u8>> {
    serde_json::to_vec(v)
        .map_err(|e| Fail::Other("INTERNAL", format!("writing the result as JSON: {e}")))
}

/// A `validate` or `analyze` call (`make`: which) with its options read.
fn validate_like_call(
    workflow: Either<String, Buffer>,
    options: Option<String>,
    make: fn(Input, ValidateOptions) -> Call,
) -> napi::Result<Call> {
    guarded(|| Ok(make(workflow.into(), validate_options(options.as_deref())?)))
}

fn generate_call(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
) -> napi::Result<Call> {
    guarded(|| {
        Ok(Call::Generate(
            workflow.into(),
            target_of(&target)?,
            generate_options(options.as_deref())?,
        ))
    })
}

/// The report of `validate`, as UTF-8 JSON (a Buffer over the Rust allocation: no copy).
#[napi(js_name = "validate")]
pub fn validate(workflow: Either<String, Buffer>, options: Option<String>) -> napi::Result<Buffer> {
    let call = validate_like_call(workflow, options, Call::Validate)?;
    guarded(|| call.run()).map(Buffer::from)
}

/// `{report, plan}` from one read of the workflow (`plan` null on a cycle), as UTF-8 JSON.
#[napi(js_name = "analyze")]
pub fn analyze(workflow: Either<String, Buffer>, options: Option<String>) -> napi::Result<Buffer> {
    let call = validate_like_call(workflow, options, Call::Analyze)?;
    guarded(|| call.run()).map(Buffer::from)
}

/// The plan, as UTF-8 JSON.
#[napi(js_name = "plan")]
pub fn plan(workflow: Either<String, Buffer>) -> napi::Result<Buffer> {
    let call = Call::Plan(workflow.into());
    guarded(|| call.run()).map(Buffer::from)
}

/// `{target, files, ledger, warnings}` of one target, as UTF-8 JSON.
#[napi(js_name = "generate")]
pub fn generate(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
) -> napi::Result<Buffer> {
    let call = generate_call(workflow, target, options)?;
    guarded(|| call.run()).map(Buffer::from)
}

/// A call run on libuv's thread pool; resolves to UTF-8 JSON.
pub struct Background(Call);

impl Task for Background {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        guarded(|| self.0.run())
    }

    fn resolve(&mut self, _env: Env, output: Vec<u8>) -> napi::Result<Buffer> {
        Ok(Buffer::from(output))
    }
}

/// `validate` off the event loop.
#[napi(js_name = "validateAsync")]
pub fn validate_async(
    workflow: Either<String, Buffer>,
    options: Option<String>,
) -> napi::Result<AsyncTask<Background>> {
    Ok(AsyncTask::new(Background(validate_like_call(
        workflow,
        options,
        Call::Validate,
    )?)))
}

/// `analyze` off the event loop.
#[napi(js_name = "analyzeAsync")]
pub fn analyze_async(
    workflow: Either<String, Buffer>,
    options: Option<String>,
) -> napi::Result<AsyncTask<Background>> {
    Ok(AsyncTask::new(Background(validate_like_call(
        workflow,
        options,
        Call::Analyze,
    )?)))
}

/// `plan` off the event loop.
#[napi(js_name = "planAsync")]
pub fn plan_async(workflow: Either<String, Buffer>) -> AsyncTask<Background> {
    AsyncTask::new(Background(Call::Plan(workflow.into())))
}

/// `generate` off the event loop.
#[napi(js_name = "generateAsync")]
pub fn generate_async(
    workflow: Either<String, Buffer>,
    target: String,
    options: Option<String>,
) -> napi::Result<AsyncTask<Background>> {
    Ok(AsyncTask::new(Background(generate_call(
        workflow, target, options,
    )?)))
}

/// Every diagnostic code with its documentation, as JSON text.
#[napi(js_name = "diagnosticCodes")]
pub fn diagnostic_codes() -> napi::Result<String> {
    guarded(|| json(&api::codes()))
}

/// The error codes with what each means, as a JSON object.
#[napi(js_name = "errorCodes")]
pub fn error_codes() -> napi::Result<String> {
    let codes: std::collections::BTreeMap<&str, &str> =
        celestra_core::ERROR_CODES.iter().copied().collect();
    guarded(|| json(&codes))
}

/// The JSON Schema of the workflow document, as JSON text.
#[napi(js_name = "schema")]
pub fn schema() -> napi::Result<String> {
    guarded(|| json(&api::schema()))
}

/// The engine's version.
#[napi(js_name = "version")]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// An incremental generation session of one or more targets (the JS `Session` wraps it).
#[napi]
pub struct NativeSession {
    inner: celestra_core::Session,
    /// Set when a call panicked: the state may be half-updated, so it refuses further work.
    poisoned: bool,
}

#[napi]
impl NativeSession {
    /// Starts a session and generates everything.
    #[napi(constructor)]
    pub fn new(
        workflow: Either<String, Buffer>,
        targets: Vec<String>,
        options: Option<String>,
    ) -> napi::Result<Self> {
        let input: Input = workflow.into();
        guarded(|| {
            let targets = targets
                .iter()
                .map(|t| target_of(t))
                .collect::<R<Vec<Target>>>()?;
            let opts = generate_options(options.as_deref())?;
            Ok(NativeSession {
                inner: celestra_core::Session::with_targets(parse(&input)?, &targets, opts)?,
                poisoned: false,
            })
        })
    }

    /// `target` (the first target when omitted), if the session keeps it.
    fn pick(&self, target: Option<String>) -> R<Target> {
        Ok(self.inner.pick(target.as_deref(), "addTarget")?)
    }

    fn files_of(&self, target: Option<String>) -> R<&std::collections::BTreeMap<String, String>> {
        let t = self.pick(target)?;
        Ok(self
            .inner
            .files_for(t)
            .unwrap_or_else(|| self.inner.files()))
    }

    /// Every target the session keeps current.
    #[napi(getter)]
    pub fn targets(&self) -> Vec<String> {
        self.inner
            .target_names()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Adds a target, generated from the analysis the session holds.
    #[napi(js_name = "addTarget")]
    pub fn add_target(&mut self, target: String) -> napi::Result<String> {
        self.work(|s| json(&s.add_target(target_of(&target)?)?))
    }

    fn work<T>(&mut self, f: impl FnOnce(&mut celestra_core::Session) -> R<T>) -> napi::Result<T> {
        if self.poisoned {
            return Err(to_napi(Fail::Other(
                "INTERNAL",
                "this session hit an internal error earlier; create a new Session".to_owned(),
            )));
        }
        let inner = &mut self.inner;
        let r = caught(|| f(inner));
        if matches!(r, Err(Fail::Other("INTERNAL", _))) {
            self.poisoned = true;
        }
        r.map_err(to_napi)
    }

    /// The target name.
    #[napi(getter)]
    pub fn target(&self) -> String {
        self.inner.target().as_str().to_owned()
    }

    /// Replaces (or adds) one node given as JSON text, and regenerates what it touches.
    #[napi(js_name = "updateNode")]
    pub fn update_node(&mut self, node: String) -> napi::Result<String> {
        self.work(|s| {
            let value: serde_json::Value = serde_json::from_str(&node).map_err(|e| {
                Fail::Engine(Error::Parse {
                    message: format!("node: {e}"),
                    line: e.line(),
                    column: e.column(),
                    source: e,
                })
            })?;
            json(&s.update_node(&value)?)
        })
    }

    /// Removes a node and its connections, and regenerates.
    #[napi(js_name = "removeNode")]
    pub fn remove_node(&mut self, id: String) -> napi::Result<String> {
        self.work(|s| json(&s.remove_node(&id)?))
    }

    /// Replaces the whole workflow and regenerates.
    #[napi(js_name = "setWorkflow")]
    pub fn set_workflow(&mut self, workflow: Either<String, Buffer>) -> napi::Result<String> {
        let input: Input = workflow.into();
        self.work(|s| json(&s.set_workflow(parse(&input)?)?))
    }

    /// The files of `target`'s last successful generation (the first target's when omitted),
    /// as a JSON object.
    #[napi]
    pub fn files(&self, target: Option<String>) -> napi::Result<String> {
        guarded(|| json(self.files_of(target)?))
    }

    /// One file of the last successful generation.
    #[napi]
    pub fn file(&self, path: String, target: Option<String>) -> napi::Result<Option<String>> {
        guarded(|| Ok(self.files_of(target)?.get(&path).cloned()))
    }

    /// The paths of the files of the last successful generation, sorted.
    #[napi]
    pub fn paths(&self, target: Option<String>) -> napi::Result<Vec<String>> {
        guarded(|| Ok(self.files_of(target)?.keys().cloned().collect()))
    }

    /// The warnings of the last successful generation, as JSON text.
    #[napi]
    pub fn warnings(&self, target: Option<String>) -> napi::Result<String> {
        guarded(|| {
            let t = self.pick(target)?;
            json(self.inner.warnings_for(t).unwrap_or_default())
        })
    }

    /// The ledger of the last successful generation, as JSON text (None before one).
    #[napi]
    pub fn ledger(&mut self, target: Option<String>) -> napi::Result<Option<String>> {
        let t = guarded(|| self.pick(target))?;
        self.work(|s| s.ledger_for(t).map(json).transpose())
    }

    /// Files, ledger and warnings of the last successful generation, as JSON text.
    #[napi]
    pub fn generated(&mut self, target: Option<String>) -> napi::Result<Option<String>> {
        let t = guarded(|| self.pick(target))?;
        self.work(|s| s.generated_for(t).map(|g| json(&g)).transpose())
    }

    /// The error payload of the last refused edit (None after a good one).
    #[napi(js_name = "lastError")]
    pub fn last_error(&self) -> Option<String> {
        self.inner.last_error().map(engine_error_payload)
    }
}

/// Benchmark probe: the median time in µs of `call` ("validate", "plan" or "generate-<target>",
/// each writing its result as JSON) run `repeats` times inside the addon on JSON bytes. Tells
/// the engine's own time in this process from the binding's (`celestra-node/bench`).
#[napi(js_name = "_engineTime")]
pub fn engine_time(data: Buffer, call: String, repeats: u32) -> napi::Result<f64> {
    let data = data.to_vec();
    guarded(|| {
        let target = call.strip_prefix("generate-").map(target_of).transpose()?;
        let mut times = Vec::with_capacity(repeats.max(1) as usize);
        for _ in 0..repeats.max(1) {
            let t = std::time::Instant::now();
            let input = Input::Bytes(data.clone());
            let c = match (call.as_str(), target) {
                ("validate", _) => Call::Validate(input, ValidateOptions::default()),
                ("plan", _) => Call::Plan(input),
                (_, Some(target)) => Call::Generate(input, target, GenerateOptions::default()),
                _ => return Err(Fail::Other("OPTION", format!("unknown call {call:?}"))),
            };
            std::hint::black_box(c.run()?);
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    })
}
