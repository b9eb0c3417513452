//! The binding's errors: every engine error, bad argument, input that is not JSON and panic
//! becomes one `EngineError(code, message, diagnostics, line, column)`; the package's Python
//! layer (`celestra_engine/__init__.py`) maps it to its public exception classes by `code`. The
//! deploy API raises its own `DeployError` (same arguments, the deploy codes; `deploy.rs`).

use crate::convert::{NotJson, to_py};
use celestra_core::{Error, api};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

create_exception!(
    _native,
    EngineError,
    PyException,
    "An engine error: args are (code, message, diagnostics, line, column)."
);

create_exception!(
    _native,
    DeployError,
    PyException,
    "A deploy error: args are (code, message, diagnostics, line, column); code is a deploy code \
     (ENGINE_UNREACHABLE, IMAGE_NOT_FOUND, GATE_FAILED, TIMEOUT, CANCELLED...)."
);

/// What an engine call can fail with, before it becomes a Python exception.
pub(crate) enum Fail {
    Engine(Error),
    /// A stable code and a message (bad argument, input that is not JSON, internal error).
    Other(&'static str, String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Engine(e)
    }
}

impl From<NotJson> for Fail {
    fn from(e: NotJson) -> Self {
        Fail::Other("PARSE", format!("{}: {}", e.path, e.what))
    }
}

impl Fail {
    pub(crate) fn into_py(self, py: Python<'_>) -> PyErr {
        let (code, message, diagnostics, line, column) = match self {
            Fail::Engine(e) => {
                let (line, column) = match &e {
                    Error::Parse { line, column, .. } => (Some(*line), Some(*column)),
                    _ => (None, None),
                };
                (
                    e.code().to_owned(),
                    e.to_string(),
                    e.diagnostics().to_vec(),
                    line,
                    column,
                )
            }
            Fail::Other(code, message) => (code.to_owned(), message, Vec::new(), None, None),
        };
        let diagnostics = match to_py(py, &diagnostics) {
            Ok(d) => d.unbind(),
            Err(e) => return e,
        };
        EngineError::new_err((code, message, diagnostics, line, column))
    }
}

pub(crate) type R<T> = Result<T, Fail>;

/// Runs engine work without the GIL; a panic becomes an `INTERNAL` error.
pub(crate) fn engine<T: Send>(py: Python<'_>, f: impl FnOnce() -> R<T> + Send) -> R<T> {
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(f))
            .unwrap_or_else(|p| Err(Fail::Other("INTERNAL", api::panic_message(p.as_ref()))))
    })
}

/// Runs the binding's own work (reading the input, which may call back into Python) so that a
/// panic becomes an `INTERNAL` error too.
pub(crate) fn guarded<T>(f: impl FnOnce() -> R<T>) -> R<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Fail::Other(
            "INTERNAL",
            "internal error while reading the input (please report it)".to_owned(),
        ))
    })
}
