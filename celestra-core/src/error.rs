//! Errors: operations that could not proceed. Findings about the workflow are not errors; they
//! are [`crate::diag::Diagnostic`]s in a [`crate::diag::Report`].

use crate::diag::Diagnostic;

/// An operation of the engine that could not proceed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not valid JSON. `line` and `column` are 1-based.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Parse {
        /// What is wrong.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The JSON parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is valid but is not a workflow document (e.g. an array at the top).
    #[error("not a workflow document: {message}")]
    Shape {
        /// What is wrong.
        message: String,
    },
    /// The document exceeds a size limit and was refused before it was read.
    #[error("document refused: {actual} {what} exceeds the limit of {limit}")]
    TooLarge {
        /// What was counted (`bytes`, `nodes`, `connections`).
        what: &'static str,
        /// The size found.
        actual: usize,
        /// The limit.
        limit: usize,
    },
    /// The workflow has errors, so nothing is generated. `diagnostics` are the errors.
    #[error("the workflow has {} error(s): {}", .diagnostics.len(), summarize(.diagnostics))]
    Invalid {
        /// The error findings.
        diagnostics: Vec<Diagnostic>,
    },
    /// An option is not valid (e.g. an unsupported `kubernetesVersion`).
    #[error("invalid option: {message}")]
    Option {
        /// What is wrong.
        message: String,
    },
    /// The plan could not be computed because the dependency graph has cycles.
    #[error("cannot plan: {}", summarize(.diagnostics))]
    Plan {
        /// The `GRAPH_CYCLE` findings, one per cycle.
        diagnostics: Vec<Diagnostic>,
    },
}

fn summarize(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The error codes of [`Error::code`] with a one-line explanation each.
pub const ERROR_CODES: &[(&str, &str)] = &[
    (
        "PARSE",
        "The text is not valid JSON (the error gives line and column). Fix the syntax.",
    ),
    (
        "SHAPE",
        "The JSON is valid but is not a workflow document: the top level must be an object.",
    ),
    (
        "TOO_LARGE",
        "The document exceeds a size limit (64 MiB, 100,000 nodes, 400,000 connections) and was refused before it was read.",
    ),
    (
        "PLAN_BLOCKED",
        "The plan cannot be computed because dependencies form a cycle; the GRAPH_CYCLE findings name every node of each cycle.",
    ),
    (
        "INVALID",
        "Generation refused: the workflow has errors (carried as diagnostics); fix them first. Warnings never block.",
    ),
    (
        "OPTION",
        "An option is not valid, e.g. an unsupported kubernetesVersion.",
    ),
];

impl Error {
    /// A stable code for the kind of error: `PARSE`, `SHAPE`, `TOO_LARGE`, `PLAN_BLOCKED`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Parse { .. } => "PARSE",
            Error::Shape { .. } => "SHAPE",
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::Plan { .. } => "PLAN_BLOCKED",
            Error::Invalid { .. } => "INVALID",
            Error::Option { .. } => "OPTION",
        }
    }

    /// The name of the exception class the bindings raise for an error code (Python classes, JS
    /// `Error.name`): `ParseError` (PARSE, SHAPE, TOO_LARGE), `ValidationError` (INVALID,
    /// PLAN_BLOCKED), `GenerateError` (OPTION), else `CelestraError` (INTERNAL).
    pub fn class_for_code(code: &str) -> &'static str {
        match code {
            "PARSE" | "SHAPE" | "TOO_LARGE" => "ParseError",
            "INVALID" | "PLAN_BLOCKED" => "ValidationError",
            "OPTION" => "GenerateError",
            _ => "CelestraError",
        }
    }

    /// The findings carried by the error (for `PLAN_BLOCKED`), else empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Plan { diagnostics } | Error::Invalid { diagnostics } => diagnostics,
            _ => &[],
        }
    }
}
