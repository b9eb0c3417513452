//! Engine errors as JS `Error`s: `name` (the class the Python package raises too, from
//! [`Error::class_for_code`]), `code`, `diagnostics` and, for malformed JSON, `line` and `column`.

use crate::to_js;
use celestra_core::{Diagnostic, Error};
use wasm_bindgen::JsValue;

/// A JS `Error` with `name`, `code`, `diagnostics` and, when known, `line` and `column`.
pub(crate) fn js_error(
    code: &str,
    message: &str,
    diagnostics: &[Diagnostic],
    position: Option<(usize, usize)>,
) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name(Error::class_for_code(code));
    let set = |k: &str, v: &JsValue| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&e, &JsValue::from_str(k), v);
    };
    set("code", &JsValue::from_str(code));
    set(
        "diagnostics",
        &to_js(&diagnostics).unwrap_or_else(|_| js_sys::Array::new().into()),
    );
    if let Some((line, column)) = position {
        set("line", &JsValue::from_f64(line as f64));
        set("column", &JsValue::from_f64(column as f64));
    }
    e.into()
}

pub(crate) fn engine_error(e: &Error) -> JsValue {
    let position = match e {
        Error::Parse { line, column, .. } => Some((*line, *column)),
        _ => None,
    };
    js_error(e.code(), &e.to_string(), e.diagnostics(), position)
}

pub(crate) fn option_error(message: String) -> JsValue {
    js_error("OPTION", &message, &[], None)
}
