//! Engine errors leaving the addon: an `Error` whose message is [`MARK`] and a JSON payload
//! (`name`, `code`, `message`, `diagnostics`, `line`, `column`) that `celestra.js` rethrows as
//! the browser package's error objects. Panics are caught here and become `INTERNAL`.
//!
//! The deploy API's failures all leave as `DeployError` (name `DeployError`) with the core's
//! stable deploy codes (`ENGINE_UNREACHABLE`, `IMAGE_NOT_FOUND`, `GATE_FAILED`, `TIMEOUT`,
//! `CANCELLED`, `INVALID`, `OPTION`, `NO_HISTORY`…; `INTERNAL` for a panic): synchronously through
//! [`to_napi_deploy`], and as the message payload of a deploy worker ([`deploy_payload`]).

use celestra_core::api::DeployError;
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
    /// A failure of the deploy API, with its stable code.
    Deploy(DeployError),
}

impl From<DeployError> for Fail {
    fn from(e: DeployError) -> Self {
        Fail::Deploy(e)
    }
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

/// The class name of the deploy API's errors.
const DEPLOY_ERROR: &str = "DeployError";

/// The payload of a failure of the deploy API: always a `DeployError`. Engine errors go through
/// the core's conversion (a workflow with errors is `INVALID` with its findings, other input
/// errors `OPTION`; a malformed document keeps its line and column).
pub(crate) fn deploy_payload(f: Fail) -> String {
    match f {
        Fail::Deploy(e) => Payload {
            name: DEPLOY_ERROR,
            code: e.code.as_str(),
            message: e.message.clone(),
            diagnostics: &e.diagnostics,
            line: None,
            column: None,
        }
        .text(),
        Fail::Engine(e) => {
            let (line, column) = match &e {
                Error::Parse { line, column, .. } => (Some(*line), Some(*column)),
                _ => (None, None),
            };
            let d = DeployError::from(e);
            Payload {
                name: DEPLOY_ERROR,
                code: d.code.as_str(),
                message: d.message.clone(),
                diagnostics: &d.diagnostics,
                line,
                column,
            }
            .text()
        }
        Fail::Other(code, message) => Payload {
            name: DEPLOY_ERROR,
            code,
            message,
            diagnostics: &[],
            line: None,
            column: None,
        }
        .text(),
    }
}

/// A deploy-API failure as the error N-API throws.
pub(crate) fn to_napi_deploy(f: Fail) -> napi::Error {
    napi::Error::new(
        Status::GenericFailure,
        format!("{MARK}{}", deploy_payload(f)),
    )
}

pub(crate) fn to_napi(f: Fail) -> napi::Error {
    let payload = match f {
        Fail::Deploy(_) => return to_napi_deploy(f),
        Fail::Engine(ref e) => engine_error_payload(e),
        Fail::Other(code, message) => Payload {
            name: Error::class_for_code(code),
            code,
            message,
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
