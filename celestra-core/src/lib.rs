//! # celestra-core
//!
//! The Celestra engine: it turns a visual workflow graph (nodes such as App, Service, Secret,
//! Ingress… and the connections between them) into findings, an execution plan and — in later
//! releases — Kubernetes YAML, Docker Compose, Helm charts and Celestra DSL programs.
//!
//! Everything goes through the facade in [`api`]:
//!
//! ```
//! use celestra_core::api;
//!
//! let text = r#"{
//!   "schemaVersion": "1.0", "id": "wf-hello", "name": "hello-world",
//!   "nodes": [
//!     {"id": "n1", "type": "celestra-app", "position": {"x": 0, "y": 0},
//!      "data": {"name": "hello", "properties": {"image": "nginx:1.27", "port": 80}}},
//!     {"id": "n2", "type": "celestra-service", "position": {"x": 300, "y": 0},
//!      "data": {"name": "hello-svc", "properties": {"type": "NodePort", "port": 80}}}
//!   ],
//!   "connections": [{"id": "c1", "source": "n1", "target": "n2"}]
//! }"#;
//!
//! let workflow = api::parse_str(text)?;
//! let report = api::validate(&workflow);
//! assert!(report.is_valid);
//! let plan = api::plan(&workflow)?;
//! assert_eq!(plan.waves.len(), 2); // hello, then hello-svc
//! # Ok::<(), celestra_core::Error>(())
//! ```
//!
//! The core is pure: no I/O, no threads, no clock, no environment. It builds for
//! `wasm32-unknown-unknown`, and the same input always gives the same bytes out.

#![warn(missing_docs)]

pub mod api;
pub mod deploy;
pub mod diag;
mod error;
pub mod generate;
mod graph;
mod json;
pub mod model;
mod objects;
pub mod plan;
mod refs;
mod schema;
mod sort;
pub mod span;
#[cfg(test)]
mod test_fixtures;
mod validate;

pub use diag::{Code, CodeInfo, Diagnostic, Related, Report, Severity};
pub use error::{ERROR_CODES, Error};
pub use generate::{Fidelity, GenerateOptions, Generated, Ledger, Session};
pub use model::Workflow;
pub use objects::ObjectRef;
pub use plan::Plan;
pub use validate::{Mode, Target, ValidateOptions, sanitize_env};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
