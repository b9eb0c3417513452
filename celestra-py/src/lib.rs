//! `celestra_engine._native`: the engine's facade for Python.
//!
//! Thin by design: every function reads its input (a `dict`, a JSON `str` or `bytes`), releases
//! the GIL while the engine works, and returns plain Python objects. Engine errors are raised as
//! `EngineError(code, message, diagnostics, line, column)`; the package's Python layer turns them
//! into its public exception classes. A panic never crosses into Python as anything else: it
//! becomes `EngineError("INTERNAL", ...)`.

mod convert;
mod deploy;
mod errors;

use celestra_core::generate::GenerateOptions;
use celestra_core::{Error, Mode, Target, ValidateOptions, Workflow, api};
use convert::{Input, input, to_py};
use errors::{EngineError, Fail, R, engine, guarded};
use pyo3::prelude::*;
use serde_json::Value;

fn parse(input: Input) -> R<Workflow> {
    Ok(match input {
        Input::Text(t) => api::parse_str(&t)?,
        Input::Bytes(b) => api::parse_bytes(&b)?,
    })
}

fn target_of(name: &str) -> R<Target> {
    Ok(api::target_from_name(name)?)
}

fn mode_of(name: Option<&str>) -> R<Mode> {
    name.map_or(Ok(Mode::Generate), |n| {
        Mode::parse(n).ok_or_else(|| {
            Fail::Other(
                "OPTION",
                format!("unknown mode {n:?}: use \"generate\" or \"live\""),
            )
        })
    })
}

fn generate_options(
    kubernetes_version: Option<String>,
    layout: &str,
    redact_secrets: bool,
) -> R<GenerateOptions> {
    Ok(GenerateOptions {
        kubernetes_version,
        layout: api::layout_from_name(layout)?,
        redact_secrets,
    })
}

fn read(workflow: &Bound<'_, PyAny>) -> R<Input> {
    Ok(input(workflow, "workflow")?)
}

/// A call's result: the value, or (the `json=True` calls) its compact JSON, written without the
/// GIL — for a web backend that sends the result on as a response body, this skips building
/// Python objects and encoding them again.
enum Done<T> {
    Value(T),
    Json(Vec<u8>),
}

fn done<T: serde::Serialize>(v: T, json: bool) -> R<Done<T>> {
    if !json {
        return Ok(Done::Value(v));
    }
    serde_json::to_vec(&v)
        .map(Done::Json)
        .map_err(|e| Fail::Other("INTERNAL", format!("writing the result as JSON: {e}")))
}

fn deliver<'py, T: serde::Serialize>(
    py: Python<'py>,
    r: R<Done<T>>,
) -> PyResult<Bound<'py, PyAny>> {
    match r.map_err(|f| f.into_py(py))? {
        Done::Value(v) => to_py(py, &v),
        Done::Json(bytes) => Ok(pyo3::types::PyBytes::new(py, &bytes).into_any()),
    }
}

/// `validate` and `analyze`: the workflow and the options read, then `call` without the GIL.
fn with_validate_options<'py, T: serde::Serialize + Send>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    target: Option<&str>,
    mode: Option<&str>,
    json: bool,
    call: fn(&Workflow, &ValidateOptions) -> T,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> R<_> {
        let input = read(workflow)?;
        let opts = ValidateOptions {
            mode: mode_of(mode)?,
            target: target.map(target_of).transpose()?,
        };
        engine(py, move || done(call(&parse(input)?, &opts), json))
    };
    deliver(py, guarded(run))
}

/// Validates a workflow: the report as a dict (or its JSON bytes with `json=True`).
#[pyfunction]
#[pyo3(signature = (workflow, target=None, mode=None, json=false))]
fn validate<'py>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    target: Option<&str>,
    mode: Option<&str>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    with_validate_options(py, workflow, target, mode, json, api::validate_with)
}

/// Validates and plans a workflow from one read of it and one graph: `{"report", "plan"}`
/// (`plan` None on a cycle), or its JSON bytes with `json=True`.
#[pyfunction]
#[pyo3(signature = (workflow, target=None, mode=None, json=false))]
fn analyze<'py>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    target: Option<&str>,
    mode: Option<&str>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    with_validate_options(py, workflow, target, mode, json, api::analyze)
}

/// Plans a workflow: the waves as a dict (or their JSON bytes with `json=True`).
#[pyfunction]
#[pyo3(signature = (workflow, json=false))]
fn plan<'py>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> R<_> {
        let input = read(workflow)?;
        engine(py, move || done(api::plan(&parse(input)?)?, json))
    };
    deliver(py, guarded(run))
}

/// Generates one target: `{"target", "files", "ledger", "warnings"}` (or its JSON bytes with
/// `json=True`).
#[pyfunction]
#[pyo3(signature = (workflow, target, kubernetes_version=None, layout="singleFile", redact_secrets=false, json=false))]
fn generate<'py>(
    py: Python<'py>,
    workflow: &Bound<'py, PyAny>,
    target: &str,
    kubernetes_version: Option<String>,
    layout: &str,
    redact_secrets: bool,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let run = || -> R<_> {
        let input = read(workflow)?;
        let target = target_of(target)?;
        let opts = generate_options(kubernetes_version, layout, redact_secrets)?;
        engine(py, move || {
            done(api::generate(&parse(input)?, target, &opts)?, json)
        })
    };
    deliver(py, guarded(run))
}

/// Every diagnostic code with its severity, title, why, fix and example.
#[pyfunction]
fn diagnostic_codes(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &api::codes())
}

/// The error codes of `EngineError` with a one-line explanation each.
#[pyfunction]
fn error_codes(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let codes: Vec<(&str, &str)> = celestra_core::ERROR_CODES.to_vec();
    to_py(py, &codes)
}

/// The JSON Schema of the workflow document.
#[pyfunction]
fn schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &api::schema())
}

/// An incremental generation session of one or more targets.
#[pyclass(module = "celestra_engine._native")]
struct Session {
    inner: celestra_core::Session,
    /// Set when an engine call on this session panicked: its state may be half-updated, so it
    /// refuses further work.
    poisoned: bool,
}

/// A session's targets: one name, or a list (or tuple) of names.
fn targets_of(v: &Bound<'_, PyAny>) -> R<Vec<Target>> {
    if let Ok(name) = v.extract::<String>() {
        return Ok(vec![target_of(&name)?]);
    }
    match v.extract::<Vec<String>>() {
        Ok(names) => names.iter().map(|n| target_of(n)).collect(),
        Err(_) => Err(Fail::Engine(Error::Option {
            message: "target: a target name or a list of them".into(),
        })),
    }
}

impl Session {
    /// `target` (the first target when None), if the session keeps it.
    fn pick(&self, target: Option<&str>) -> R<Target> {
        Ok(self.inner.pick(target, "add_target")?)
    }

    /// Runs engine work on the session without the GIL, refusing a poisoned session.
    fn work<T: Send>(
        &mut self,
        py: Python<'_>,
        f: impl FnOnce(&mut celestra_core::Session) -> R<T> + Send,
    ) -> R<T> {
        if self.poisoned {
            return Err(Fail::Other(
                "INTERNAL",
                "this session hit an internal error earlier; create a new Session".to_owned(),
            ));
        }
        let inner = &mut self.inner;
        let r = engine(py, move || f(inner));
        if matches!(r, Err(Fail::Other("INTERNAL", _))) {
            self.poisoned = true;
        }
        r
    }
}

fn node_value(node: &Bound<'_, PyAny>) -> R<Value> {
    let parsed = match input(node, "node")? {
        Input::Text(t) => serde_json::from_str(&t),
        Input::Bytes(b) => serde_json::from_slice(&b),
    };
    parsed.map_err(|e| {
        Fail::Engine(Error::Parse {
            message: format!("node: {e}"),
            line: e.line(),
            column: e.column(),
            source: e,
        })
    })
}

#[pymethods]
impl Session {
    #[new]
    #[pyo3(signature = (workflow, target, kubernetes_version=None, layout="singleFile", redact_secrets=false))]
    fn new(
        py: Python<'_>,
        workflow: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        kubernetes_version: Option<String>,
        layout: &str,
        redact_secrets: bool,
    ) -> PyResult<Self> {
        let run = || -> R<_> {
            let input = read(workflow)?;
            let targets = targets_of(target)?;
            let opts = generate_options(kubernetes_version, layout, redact_secrets)?;
            engine(py, move || {
                Ok(celestra_core::Session::with_targets(
                    parse(input)?,
                    &targets,
                    opts,
                )?)
            })
        };
        let inner = guarded(run).map_err(|f| f.into_py(py))?;
        Ok(Session {
            inner,
            poisoned: false,
        })
    }

    /// Replaces (or adds) one node given as a dict or JSON, and regenerates what it touches.
    fn update_node<'py>(
        &mut self,
        py: Python<'py>,
        node: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = guarded(|| node_value(node)).map_err(|f| f.into_py(py))?;
        let u = self
            .work(py, move |s| Ok(s.update_node(&v)?))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &u)
    }

    /// Removes a node and its connections, and regenerates.
    fn remove_node<'py>(&mut self, py: Python<'py>, node_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let id = node_id.to_owned();
        let u = self
            .work(py, move |s| Ok(s.remove_node(&id)?))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &u)
    }

    /// Replaces the whole workflow and regenerates.
    fn set_workflow<'py>(
        &mut self,
        py: Python<'py>,
        workflow: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = guarded(|| read(workflow)).map_err(|f| f.into_py(py))?;
        let u = self
            .work(py, move |s| Ok(s.set_workflow(parse(input)?)?))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &u)
    }

    /// Adds a target, generated from the analysis the session holds (the workflow is not read,
    /// validated or planned again); later edits regenerate it too.
    fn add_target<'py>(&mut self, py: Python<'py>, target: &str) -> PyResult<Bound<'py, PyAny>> {
        let t = target_of(target).map_err(|f| f.into_py(py))?;
        let u = self
            .work(py, move |s| Ok(s.add_target(t)?))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &u)
    }

    /// The files of `target`'s last successful generation (the first target's when None).
    #[pyo3(signature = (target=None))]
    fn files<'py>(&self, py: Python<'py>, target: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.pick(target).map_err(|f| f.into_py(py))?;
        to_py(
            py,
            self.inner
                .files_for(t)
                .unwrap_or_else(|| self.inner.files()),
        )
    }

    /// The warnings and infos of the last successful generation.
    #[pyo3(signature = (target=None))]
    fn warnings<'py>(&self, py: Python<'py>, target: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.pick(target).map_err(|f| f.into_py(py))?;
        to_py(py, self.inner.warnings_for(t).unwrap_or_default())
    }

    /// The fidelity ledger of the last successful generation (None before one).
    #[pyo3(signature = (target=None))]
    fn ledger<'py>(
        &mut self,
        py: Python<'py>,
        target: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = self.pick(target).map_err(|f| f.into_py(py))?;
        let ledger = self
            .work(py, move |s| Ok(s.ledger_for(t).cloned()))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &ledger)
    }

    /// `{"target", "files", "ledger", "warnings"}` of the last successful generation, or None.
    #[pyo3(signature = (target=None))]
    fn generated<'py>(
        &mut self,
        py: Python<'py>,
        target: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = self.pick(target).map_err(|f| f.into_py(py))?;
        let g = self
            .work(py, move |s| Ok(s.generated_for(t)))
            .map_err(|f| f.into_py(py))?;
        to_py(py, &g)
    }

    /// The error of the last edit (kept while the last good output stays), as
    /// `(code, message, diagnostics)`, or None.
    fn last_error<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.last_error() {
            None => Ok(py.None().into_bound(py)),
            Some(e) => to_py(py, &(e.code(), e.to_string(), e.diagnostics())),
        }
    }

    /// The first target's name.
    #[getter]
    fn target(&self) -> &'static str {
        self.inner.target().as_str()
    }

    /// Every target the session keeps current, in the order given or added.
    #[getter]
    fn targets(&self) -> Vec<&'static str> {
        self.inner.target_names()
    }

    fn __repr__(&self) -> String {
        format!(
            "Session(target={:?}, nodes={}, files={})",
            self.target(),
            self.inner.workflow().nodes.len(),
            self.inner.files().len()
        )
    }
}

/// Benchmark probe: the median time in µs of `call` ("validate", "plan" or "generate-<target>";
/// with "+json" the result is also written as JSON) run `repeats` times inside this module on
/// JSON bytes, with no conversion to Python objects.
/// Tells the engine's own time in this process from the binding's (`celestra-py/bench`).
#[pyfunction]
fn _engine_time(py: Python<'_>, data: Vec<u8>, call: &str, repeats: usize) -> PyResult<f64> {
    if repeats == 0 || repeats > 100_000 {
        return Err(Fail::Other(
            "OPTION",
            format!("repeats must be 1 to 100000, got {repeats}"),
        )
        .into_py(py));
    }
    let call = call.to_owned();
    let run = move || -> R<f64> {
        let (name, json) = match call.strip_suffix("+json") {
            Some(name) => (name, true),
            None => (call.as_str(), false),
        };
        let target = match name.strip_prefix("generate-") {
            Some(t) => Some(target_of(t)?),
            None => None,
        };
        let mut times = Vec::with_capacity(repeats);
        for _ in 0..repeats {
            let t = std::time::Instant::now();
            let wf = api::parse_bytes(&data)?;
            let out = match (name, target) {
                ("validate", _) => done(api::validate(&wf), json).map(|_| ()),
                ("plan", _) => done(api::plan(&wf)?, json).map(|_| ()),
                (_, Some(target)) => done(
                    api::generate(&wf, target, &GenerateOptions::default())?,
                    json,
                )
                .map(|_| ()),
                _ => return Err(Fail::Other("OPTION", format!("unknown call {call:?}"))),
            };
            std::hint::black_box(out)?;
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    };
    engine(py, run).map_err(|f| f.into_py(py))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("EngineError", m.py().get_type::<EngineError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostic_codes, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(_engine_time, m)?)?;
    m.add_class::<Session>()?;
    m.add("DeployError", m.py().get_type::<errors::DeployError>())?;
    m.add_class::<deploy::DeployHandle>()?;
    m.add_function(wrap_pyfunction!(deploy::deploy_start, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::rollback_start, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::deploy_plan, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::deploy_status, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::deploy_history, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::deploy_down, m)?)?;
    m.add_function(wrap_pyfunction!(deploy::deployment_status, m)?)?;
    Ok(())
}
