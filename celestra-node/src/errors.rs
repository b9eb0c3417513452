//! Engine errors leaving the addon: an `Error` whose message is [`MARK`] and a JSON payload
//! (`name`, `code`, `message`, `diagnostics`, `line`, `column`) that `celestra.js` rethrows as
//! the browser package's error objects. Panics are caught here and become `INTERNAL`.

use celestra_core::{Diagnostic, Error, api};
use napi::Status;
use serde::Serialize;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Starts the message of an engine error (the JS layer looks for it).
const MARK: &str = "\u{0}celestra:";

/// Why a call failed: an engine error, or a code and a message (internal error, bad benchmark
/// argument).
pub(crate) enum Fail {
    Engine(Error),
    Other(&'static str, String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Engine(e)
    }
}

pub(crate) type R<T> = Result<T, Fail>;

#[derive(Serialize)]
struct Payload<'a> {
    /// The class name the bindings share (`ParseError`, `ValidationError`, …).
    name: &'static str,
    code: &'a str,
    message: String,
    diagnostics: &'a [Diagnostic],
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

impl Payload<'_> {
    fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"name":"CelestraError","code":"INTERNAL","message":"error payload","diagnostics":[]}"#
                .to_owned()
        })
    }
}

/// The payload of an engine error (also what `NativeSession.lastError()` returns).
pub(crate) fn engine_error_payload(e: &Error) -> String {
    let (line, column) = match e {
        Error::Parse { line, column, .. } => (Some(*line), Some(*column)),
        _ => (None, None),
    };
    Payload {
        name: Error::class_for_code(e.code()),
        code: e.code(),
        message: e.to_string(),
        diagnostics: e.diagnostics(),
        line,
        column,
    }
    .text()
}

pub(crate) fn to_napi(f: Fail) -> napi::Error {
    let payload = match &f {
        Fail::Engine(e) => engine_error_payload(e),
        Fail::Other(code, message) => Payload {
            name: Error::class_for_code(code),
            code,
            message: message.clone(),
            diagnostics: &[],
            line: None,
            column: None,
        }
        .text(),
    };
    napi::Error::new(Status::GenericFailure, format!("{MARK}{payload}"))
}

/// Runs engine work, turning a panic into an `INTERNAL` failure.
pub(crate) fn caught<T>(f: impl FnOnce() -> R<T>) -> R<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(Fail::Other("INTERNAL", api::panic_message(p.as_ref()))))
}

/// [`caught`], as the error N-API throws.
pub(crate) fn guarded<T>(f: impl FnOnce() -> R<T>) -> napi::Result<T> {
    caught(f).map_err(to_napi)
}
