//! Deploy drivers: the parts that talk to an engine (cargo feature `docker`; never in the wasm
//! build). They read the clock and the environment (`DOCKER_HOST`), which the pure core never
//! does, so the core's clippy rules are lifted here.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[cfg(feature = "docker")]
pub mod docker;
#[cfg(feature = "kube")]
pub mod kube;

use super::event::{DeployEvent, DeployTarget, EventBody};
use super::status::{DeploymentStatus, NodeState, Reason};
use super::time::Timestamp;
use crate::diag::Diagnostic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Stable error codes of the deploy API (each binding raises `DeployError` with one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The engine's socket or `DOCKER_HOST` does not answer.
    EngineUnreachable,
    /// The engine answered with an error.
    Engine,
    /// The workflow has errors (the findings are attached).
    Invalid,
    /// A wrong option (project name, timeout…).
    Option,
    /// An image is not on the engine.
    ImageNotFound,
    /// A step's readiness gate failed (exit code, unhealthy…).
    GateFailed,
    /// The deploy or a step ran out of time.
    Timeout,
    /// The deploy was cancelled.
    Cancelled,
    /// No revision to roll back to, or no such revision.
    NoHistory,
    /// A rollback that would go past a Job that already ran.
    RollbackRefused,
    /// The cluster refused the credentials (401: missing, wrong or expired).
    Unauthorized,
    /// The credentials may not do something the deploy needs (403, or the pre-flight's
    /// access reviews).
    Forbidden,
    /// The API server rejected an object (422 invalid, an admission webhook, an unknown field).
    Rejected,
    /// An update the server refuses because a field is immutable.
    Immutable,
    /// A write conflict (409).
    Conflict,
    /// A kind the cluster does not serve (its CRD is not installed).
    CrdMissing,
    /// A ResourceQuota has no room for what the deploy adds.
    Quota,
}

impl ErrorCode {
    /// `ENGINE_UNREACHABLE`, `IMAGE_NOT_FOUND`…
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::EngineUnreachable => "ENGINE_UNREACHABLE",
            ErrorCode::Engine => "ENGINE",
            ErrorCode::Invalid => "INVALID",
            ErrorCode::Option => "OPTION",
            ErrorCode::ImageNotFound => "IMAGE_NOT_FOUND",
            ErrorCode::GateFailed => "GATE_FAILED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::NoHistory => "NO_HISTORY",
            ErrorCode::RollbackRefused => "ROLLBACK_REFUSED",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Rejected => "REJECTED",
            ErrorCode::Immutable => "IMMUTABLE",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::CrdMissing => "CRD_MISSING",
            ErrorCode::Quota => "QUOTA",
        }
    }
}

/// A deploy call that could not proceed, or (from [`DeployError::from_status`]) a deployment
/// that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct DeployError {
    /// The stable code.
    pub code: ErrorCode,
    /// What a person reads: what is wrong and where.
    pub message: String,
    /// The workflow's findings ([`ErrorCode::Invalid`]).
    pub diagnostics: Vec<Diagnostic>,
}

impl DeployError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> DeployError {
        DeployError {
            code,
            message: message.into(),
            diagnostics: Vec::new(),
        }
    }

    /// The error of a failed deployment (`None` unless it failed).
    pub fn from_status(s: &DeploymentStatus) -> Option<DeployError> {
        if s.status != super::DeploymentState::Failed {
            return None;
        }
        let failed = s.nodes.iter().find(|n| n.status == NodeState::Failed);
        let code = match s.reason {
            Some(Reason::Timeout) => ErrorCode::Timeout,
            Some(Reason::Cancelled) => ErrorCode::Cancelled,
            _ if failed.and_then(|n| n.reason.as_deref()) == Some("ImageNotFound") => {
                ErrorCode::ImageNotFound
            }
            _ => ErrorCode::GateFailed,
        };
        let message = match failed {
            Some(n) => format!("{}: {} ({})", s.details, n.message, n.name),
            None => s.details.clone(),
        };
        Some(DeployError::new(code, message))
    }
}

impl From<crate::Error> for DeployError {
    fn from(e: crate::Error) -> Self {
        let code = match e.code() {
            "INVALID" | "PLAN_BLOCKED" => ErrorCode::Invalid,
            _ => ErrorCode::Option,
        };
        let diagnostics = match &e {
            crate::Error::Invalid { diagnostics } => diagnostics.clone(),
            crate::Error::Plan { diagnostics } => diagnostics.clone(),
            _ => Vec::new(),
        };
        DeployError {
            code,
            message: e.to_string(),
            diagnostics,
        }
    }
}

/// Cancels a running deploy from another task or thread (Ctrl-C, `handle.cancel()`).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    /// A token nobody has cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }
    /// Cancels: the deploy stops at its next step and reports `cancelled`.
    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }
    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        loop {
            let n = self.0.notify.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            n.await;
        }
    }
}

/// Where events go: a channel, read by the CLI's printer or a binding's async iterator.
pub type EventSender = tokio::sync::mpsc::UnboundedSender<DeployEvent>;

/// Milliseconds since the epoch, now.
pub(crate) fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Timestamp(ms)
}

/// A random UUID v4 (from the standard library's per-process random hash keys).
pub(crate) fn uuid_v4() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut words = [0u64; 2];
    for w in &mut words {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(now().0);
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u32(std::process::id());
        *w = h.finish();
    }
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&words[0].to_le_bytes());
    b[8..].copy_from_slice(&words[1].to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Stamps events (seq, time, deployment, revision), folds them into the status and sends them.
pub(crate) struct Emitter {
    inner: Mutex<EmitterInner>,
    tx: Option<EventSender>,
    /// Values that must never leave the engine (secret values): replaced in messages and logs.
    secrets: Vec<String>,
}

struct EmitterInner {
    seq: u64,
    deployment_id: String,
    revision: u64,
    target: DeployTarget,
    status: DeploymentStatus,
}

pub(crate) const REDACTED: &str = "<redacted>";

/// `text` with every secret value of 3 or more characters replaced (shorter ones would blank
/// out ordinary words).
pub(crate) fn redact(secrets: &[String], text: &str) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

impl Emitter {
    pub(crate) fn new(
        deployment_id: &str,
        revision: u64,
        target: DeployTarget,
        tx: Option<EventSender>,
        secrets: Vec<String>,
    ) -> Emitter {
        Emitter {
            inner: Mutex::new(EmitterInner {
                seq: 0,
                deployment_id: deployment_id.to_owned(),
                revision,
                target,
                status: DeploymentStatus::new(),
            }),
            tx,
            secrets: secrets.into_iter().filter(|s| s.len() >= 3).collect(),
        }
    }

    /// Replaces every secret value in `text`.
    pub(crate) fn redact(&self, text: &str) -> String {
        redact(&self.secrets, text)
    }

    #[cfg_attr(not(feature = "docker"), allow(dead_code))]
    pub(crate) fn set_revision(&self, revision: u64) {
        self.inner.lock().expect("emitter").revision = revision;
    }

    pub(crate) fn emit(&self, mut body: EventBody) {
        match &mut body {
            EventBody::Step { message, .. } | EventBody::Finished { message, .. } => {
                *message = self.redact(message);
            }
            EventBody::Log { lines, .. } => {
                for l in lines.iter_mut() {
                    *l = self.redact(l);
                }
            }
            _ => {}
        }
        let mut g = self.inner.lock().expect("emitter");
        g.seq += 1;
        let ev = DeployEvent {
            seq: g.seq,
            ts: now(),
            deployment_id: g.deployment_id.clone(),
            revision: g.revision,
            target: g.target,
            body,
        };
        g.status.apply(&ev);
        if let Some(tx) = &self.tx {
            let _ = tx.send(ev);
        }
    }

    /// Passes on an event of another deployment (a rollback run inside this one) with this
    /// stream's sequence, keeping its revision.
    #[cfg_attr(not(feature = "kube"), allow(dead_code))]
    pub(crate) fn forward(&self, ev: DeployEvent) {
        let mut g = self.inner.lock().expect("emitter");
        g.seq += 1;
        let ev = DeployEvent {
            seq: g.seq,
            deployment_id: g.deployment_id.clone(),
            ..ev
        };
        g.status.apply(&ev);
        if let Some(tx) = &self.tx {
            let _ = tx.send(ev);
        }
    }

    pub(crate) fn status(&self) -> DeploymentStatus {
        self.inner.lock().expect("emitter").status.clone()
    }

    pub(crate) fn progress(&self) -> super::Progress {
        let g = self.inner.lock().expect("emitter");
        super::Progress {
            done: g
                .status
                .nodes
                .iter()
                .filter(|n| n.status.is_terminal())
                .count(),
            total: g.status.nodes.len(),
        }
    }
}

/// Why a failed deploy is not rolled back automatically, as the `finished` message (`None`: it
/// is, to `prev`). A Job that ran in it (`jobs_ran`: node ids, named through `steps`' (node id,
/// name) pairs) is not undone by restarting old code.
pub(crate) fn no_auto_rollback<'a>(
    why: &str,
    jobs_ran: &[String],
    steps: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    prev: Option<&super::revision::Revision>,
) -> Option<String> {
    if !jobs_ran.is_empty() {
        let names: Vec<&str> = jobs_ran
            .iter()
            .map(|id| {
                steps
                    .clone()
                    .find(|(i, _)| i == id)
                    .map_or(id.as_str(), |(_, n)| n)
            })
            .collect();
        return Some(format!(
            "{why}; not rolled back: the Job {} already ran in this deploy (a migration is not undone by restarting old code); fix forward or roll back by hand with `celestra rollback`",
            names.join(", ")
        ));
    }
    if prev.is_none() {
        return Some(format!(
            "{why}; not rolled back: no earlier successful revision"
        ));
    }
    None
}

/// The `finished` event of revision `revision`, which failed (`failed`, `why`) and was rolled
/// back to `to` by revision `revision + 1` with `result`.
pub(crate) fn finish_after_rollback(
    em: &Emitter,
    failed: Reason,
    why: &str,
    revision: u64,
    to: u64,
    result: Result<DeploymentStatus, DeployError>,
) {
    use super::event::Outcome;
    let (reason, message) = match result {
        Ok(s) if s.status == super::status::DeploymentState::Success => (
            Reason::RolledBack,
            format!("{why}; revision {} restored revision {to}", revision + 1),
        ),
        Ok(s) => (
            failed,
            format!(
                "revision {revision} failed, and so did its rollback: {}",
                s.details
            ),
        ),
        Err(e) => (
            failed,
            format!("revision {revision} failed; rollback failed: {}", e.message),
        ),
    };
    em.emit(EventBody::Finished {
        outcome: Outcome::Failed,
        reason: Some(reason),
        message,
    });
}

#[cfg_attr(not(feature = "docker"), allow(dead_code))]
/// A tar archive (ustar) of regular files at absolute paths, for the Engine API's archive
/// upload. Parent directories are created by the engine. Refuses `..`, empty and over-long
/// paths.
pub(crate) fn tar(files: &[(String, Vec<u8>, u32)]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (path, content, mode) in files {
        let rel = path.trim_start_matches('/');
        if rel.is_empty()
            || rel.ends_with('/')
            || rel
                .split('/')
                .any(|c| c.is_empty() || c == ".." || c == ".")
        {
            return Err(format!("file path {path:?} is not a plain absolute path"));
        }
        let mut h = [0u8; 512];
        let (prefix, name) = if rel.len() <= 100 {
            ("", rel)
        } else {
            let cut = rel[..rel.len().min(156)]
                .rfind('/')
                .filter(|&i| rel.len() - i - 1 <= 100)
                .ok_or_else(|| format!("file path {path:?} is too long for a tar entry"))?;
            (&rel[..cut], &rel[cut + 1..])
        };
        h[..name.len()].copy_from_slice(name.as_bytes());
        let octal = |h: &mut [u8], at: usize, len: usize, v: u64| {
            let s = format!("{v:0w$o}\0", w = len - 1);
            h[at..at + len].copy_from_slice(s.as_bytes());
        };
        octal(&mut h, 100, 8, u64::from(*mode & 0o7777));
        octal(&mut h, 108, 8, 0);
        octal(&mut h, 116, 8, 0);
        octal(&mut h, 124, 12, content.len() as u64);
        octal(&mut h, 136, 12, 0);
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
        let s = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(s.as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(content);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_and_differ() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn tar_entries() {
        let t = tar(&[("/etc/app/a.conf".into(), b"x=1\n".to_vec(), 0o444)]).unwrap();
        assert_eq!(t.len(), 512 + 512 + 1024);
        assert_eq!(&t[..15], b"etc/app/a.conf\0");
        assert_eq!(&t[257..262], b"ustar");
        assert_eq!(&t[512..516], b"x=1\n");
        let long = format!("/{}/{}", "d".repeat(120), "f".repeat(90));
        let t = tar(&[(long, vec![], 0o400)]).unwrap();
        assert_eq!(&t[345..350], b"ddddd");
        for bad in ["/", "/a/../b", "/a//b", "rel/../x", "/a/"] {
            assert!(tar(&[(bad.into(), vec![], 0o400)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn redaction() {
        let e = Emitter::new(
            "d",
            1,
            DeployTarget::Docker,
            None,
            vec!["hunter2".into(), "x".into()],
        );
        assert_eq!(e.redact("password=hunter2 x"), "password=<redacted> x");
        assert_eq!(
            redact(&["hunter2".into(), "x".into()], "hunter2 x"),
            "<redacted> x"
        );
    }

    #[test]
    fn a_failed_deploy_is_rolled_back_only_without_a_job_and_with_an_earlier_success() {
        let wf = crate::api::parse_str(r#"{"name": "w", "nodes": [], "connections": []}"#).unwrap();
        let prev = super::super::revision::Revision::new(
            1,
            "d",
            &wf,
            serde_json::Value::Null,
            Timestamp(1),
        );
        let why = "api failed: ErrImagePull";
        let steps = [("j", "migrate"), ("a", "api")];
        let job = no_auto_rollback(why, &["j".into()], steps.into_iter(), Some(&prev)).unwrap();
        assert!(
            job.starts_with(why) && job.contains("the Job migrate already ran"),
            "{job}"
        );
        let none = no_auto_rollback(why, &[], steps.into_iter(), None).unwrap();
        assert_eq!(
            none,
            format!("{why}; not rolled back: no earlier successful revision")
        );
        assert_eq!(
            no_auto_rollback(why, &[], steps.into_iter(), Some(&prev)),
            None
        );
        let em = Emitter::new("d", 2, DeployTarget::Kubernetes, None, Vec::new());
        let err = DeployError::new(ErrorCode::Timeout, "took too long");
        finish_after_rollback(&em, Reason::Error, why, 2, 1, Err(err));
        let s = em.status();
        assert_eq!(s.reason, Some(Reason::Error));
        assert_eq!(
            s.details,
            "revision 2 failed; rollback failed: took too long"
        );
    }
}
