//! Readiness of Kubernetes objects, pure: a function of the object (as JSON) and the time.
//!
//! Three layers, each usable alone:
//!
//! 1. [`compute`]: the status of any object in the vocabulary that kstatus, Helm 4, Flux and
//!    kpt share — `Current` / `InProgress` / `Failed` / `Terminating` / `Unknown` — with a
//!    reason and a message. The rules follow kstatus's `Compute`, in its order: deletion →
//!    `Terminating`; `metadata.generation` not yet observed → `InProgress`; generic
//!    `Reconciling` / `Stalled` conditions; the rule of the built-in kind; a generic `Ready`
//!    condition; otherwise `Current`.
//! 2. [`gate`]: the deploy gate of the plan (`workflow-format.md` §3.5 step 7) on top of it:
//!    Job complete (a running Job is *not* ready, unlike kstatus), Namespace active, CRD
//!    established, PVC bound, workloads current; a Service, Ingress or LoadBalancer is ready once
//!    it exists (addresses are not awaited).
//! 3. [`pod_failure`]: the fast-fail signals of a pod (image pull errors, crash loops,
//!    configuration errors, OOM kills, unschedulable for more than 15 s) that fail a workload in
//!    seconds with the kubelet's reason instead of waiting for a timeout.
//!
//! Nothing here reads a clock: `now` is given (milliseconds since the epoch), so the same
//! object and time give the same answer.

use serde::Serialize;
use serde_json::Value;

use super::time::parse_rfc3339;

/// kstatus's status vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Health {
    /// Ready: the object is what was asked for.
    Current,
    /// Still being reconciled (the reason says why).
    InProgress,
    /// Will not get ready without a change (the reason says why).
    Failed,
    /// Being deleted.
    Terminating,
    /// Could not be told (an unreadable object).
    Unknown,
}

impl Health {
    /// kstatus's spelling (`Current`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Current => "Current",
            Health::InProgress => "InProgress",
            Health::Failed => "Failed",
            Health::Terminating => "Terminating",
            Health::Unknown => "Unknown",
        }
    }
}

/// The status of one object: kstatus's status, a reason (kstatus's reason names where it has
/// one) and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    /// kstatus's status.
    pub status: Health,
    /// Why (empty when current), e.g. `LessReady`, `JobFailed`.
    pub reason: String,
    /// What a person reads.
    pub message: String,
}

impl HealthReport {
    fn new(status: Health, reason: &str, message: impl Into<String>) -> Self {
        HealthReport {
            status,
            reason: reason.to_string(),
            message: message.into(),
        }
    }
    fn current(message: impl Into<String>) -> Self {
        HealthReport::new(Health::Current, "", message)
    }
    fn progress(reason: &str, message: impl Into<String>) -> Self {
        HealthReport::new(Health::InProgress, reason, message)
    }
    fn failed(reason: &str, message: impl Into<String>) -> Self {
        HealthReport::new(Health::Failed, reason, message)
    }
}

/// A Pod stays `Pending` and unschedulable this long before it counts as failed (kstatus's
/// grace: the scheduler may be waiting for a node or a volume).
pub const UNSCHEDULABLE_GRACE_MS: u64 = 15_000;

// ---- small readers ----------------------------------------------------------------------------

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path)?.as_str()
}
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}
fn int(v: &Value, path: &[&str]) -> Option<i64> {
    at(v, path)?.as_i64()
}
fn int0(v: &Value, path: &[&str]) -> i64 {
    int(v, path).unwrap_or(0)
}

/// One entry of `status.conditions`.
#[derive(Debug, Clone, Copy)]
pub struct Condition<'a> {
    /// The condition's type (`Ready`, `Available`…).
    pub kind: &'a str,
    /// `True`, `False` or `Unknown`.
    pub status: &'a str,
    /// The condition's reason.
    pub reason: &'a str,
    /// The condition's message.
    pub message: &'a str,
    /// When it last changed (RFC 3339).
    pub last_transition: Option<&'a str>,
}

/// The object's `status.conditions`, in list order (entries without a type are left out).
pub fn conditions(obj: &Value) -> Vec<Condition<'_>> {
    let Some(list) = at(obj, &["status", "conditions"]).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|c| {
            Some(Condition {
                kind: c.get("type")?.as_str()?,
                status: c.get("status").and_then(Value::as_str).unwrap_or(""),
                reason: c.get("reason").and_then(Value::as_str).unwrap_or(""),
                message: c.get("message").and_then(Value::as_str).unwrap_or(""),
                last_transition: c.get("lastTransitionTime").and_then(Value::as_str),
            })
        })
        .collect()
}

fn condition<'a>(conds: &[Condition<'a>], kind: &str) -> Option<Condition<'a>> {
    conds.iter().copied().find(|c| c.kind == kind)
}
fn is_true(conds: &[Condition<'_>], kind: &str) -> bool {
    condition(conds, kind).is_some_and(|c| c.status == "True")
}

/// `group/Kind` of an object (`Kind` alone for the core group), the key kstatus uses: the
/// version is ignored, so `batch/v1beta1` and `batch/v1` CronJobs share their rule.
pub fn group_kind(obj: &Value) -> (String, String) {
    let api = s(obj, &["apiVersion"]).unwrap_or("");
    let group = match api.split_once('/') {
        Some((g, _)) => g.to_string(),
        None => String::new(),
    };
    (group, s(obj, &["kind"]).unwrap_or("").to_string())
}

// ---- layer 1: kstatus -------------------------------------------------------------------------

/// The status of `obj` at `now` (milliseconds since the epoch; only a Pending Pod's
/// unschedulable grace uses it).
pub fn compute(obj: &Value, now: u64) -> HealthReport {
    if !obj.is_object() {
        return HealthReport::new(Health::Unknown, "InvalidObject", "not a JSON object");
    }
    let (group, kind) = group_kind(obj);
    if kind.is_empty() {
        return HealthReport::new(Health::Unknown, "InvalidObject", "the object has no kind");
    }
    if at(obj, &["metadata", "deletionTimestamp"]).is_some_and(|v| !v.is_null()) {
        return HealthReport::new(Health::Terminating, "", "resource scheduled for deletion");
    }
    // generation not yet observed (skipped when observedGeneration is absent, as kstatus does;
    // DaemonSet requires both below)
    if let (Some(g), Some(o)) = (
        int(obj, &["metadata", "generation"]),
        int(obj, &["status", "observedGeneration"]),
    ) && g != o
    {
        return HealthReport::progress(
            "LatestGenerationNotObserved",
            format!("{kind} generation is {g}, but latest observed generation is {o}"),
        );
    }
    let conds = conditions(obj);
    for c in &conds {
        let msg = || {
            if c.message.is_empty() {
                format!("{}: {}", c.kind, c.reason)
            } else {
                c.message.to_owned()
            }
        };
        if c.kind == "Reconciling" && c.status == "True" {
            return HealthReport::progress(c.reason, msg());
        }
        if c.kind == "Stalled" && c.status == "True" {
            return HealthReport::failed(c.reason, msg());
        }
    }
    let rule: Option<fn(&Value, &[Condition<'_>], u64) -> HealthReport> =
        match (group.as_str(), kind.as_str()) {
            ("apps", "Deployment") => Some(deployment),
            ("apps", "StatefulSet") => Some(statefulset),
            ("apps", "DaemonSet") => Some(daemonset),
            ("apps", "ReplicaSet") => Some(replicaset),
            ("", "Pod") => Some(pod),
            ("", "PersistentVolumeClaim") => Some(pvc),
            ("", "Service") => Some(service),
            ("batch", "Job") => Some(job),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => Some(crd),
            ("batch", "CronJob") | ("", "ConfigMap") | ("", "Secret") => {
                return HealthReport::current("resource is always ready");
            }
            ("policy", "PodDisruptionBudget") => {
                return HealthReport::current("resource is current");
            }
            _ => None,
        };
    if let Some(rule) = rule {
        return rule(obj, &conds, now);
    }
    if let Some(c) = condition(&conds, "Ready") {
        return if c.status == "True" {
            HealthReport::current(if c.message.is_empty() {
                "Ready"
            } else {
                c.message
            })
        } else {
            let reason = if c.reason.is_empty() {
                "NotReady"
            } else {
                c.reason
            };
            HealthReport::progress(
                reason,
                if c.message.is_empty() {
                    "not Ready"
                } else {
                    c.message
                },
            )
        };
    }
    HealthReport::current("resource is current")
}

fn spec_replicas(obj: &Value) -> i64 {
    int(obj, &["spec", "replicas"]).unwrap_or(1)
}

/// The first of `checks` (wanted, there, reason, what) with fewer there than wanted.
fn short_of(checks: &[(i64, i64, &str, &str)]) -> Option<HealthReport> {
    checks
        .iter()
        .find(|(want, have, ..)| want > have)
        .map(|(want, have, reason, what)| {
            HealthReport::progress(reason, format!("{what}: {have}/{want}"))
        })
}

/// More pods than wanted: old ones are still terminating.
fn extra_pods(replicas: i64, spec: i64) -> Option<HealthReport> {
    (replicas > spec).then(|| {
        HealthReport::progress(
            "ExtraPods",
            format!("pending termination: {}", replicas - spec),
        )
    })
}

fn deployment(obj: &Value, conds: &[Condition<'_>], _now: u64) -> HealthReport {
    let mut progressing = at(obj, &["spec", "progressDeadlineSeconds"]).is_none();
    let mut available = false;
    for c in conds {
        match c.kind {
            "Progressing" => {
                if c.reason == "ProgressDeadlineExceeded" {
                    return HealthReport::failed(
                        "ProgressDeadlineExceeded",
                        "progress deadline exceeded",
                    );
                }
                if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                    progressing = true;
                }
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }
    let spec = spec_replicas(obj);
    let replicas = int0(obj, &["status", "replicas"]);
    let updated = int0(obj, &["status", "updatedReplicas"]);
    let ready = int0(obj, &["status", "readyReplicas"]);
    let avail = int0(obj, &["status", "availableReplicas"]);
    let short = short_of(&[
        (spec, replicas, "LessReplicas", "replicas"),
        (spec, updated, "LessUpdated", "updated"),
    ])
    .or_else(|| extra_pods(replicas, spec))
    .or_else(|| {
        short_of(&[
            (updated, avail, "LessAvailable", "available"),
            (spec, ready, "LessReady", "ready"),
        ])
    });
    if let Some(r) = short {
        return r;
    }
    if !progressing {
        return HealthReport::progress("ReplicaSetNotAvailable", "ReplicaSet not available");
    }
    if !available {
        return HealthReport::progress("DeploymentNotAvailable", "Deployment not available");
    }
    HealthReport::current(format!("Deployment is available: {spec} replicas"))
}

fn statefulset(obj: &Value, _conds: &[Condition<'_>], _now: u64) -> HealthReport {
    if s(obj, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
        return HealthReport::current("StatefulSet uses the OnDelete update strategy");
    }
    let spec = spec_replicas(obj);
    let replicas = int0(obj, &["status", "replicas"]);
    let ready = int0(obj, &["status", "readyReplicas"]);
    let current = int0(obj, &["status", "currentReplicas"]);
    let updated = int0(obj, &["status", "updatedReplicas"]);
    let short = short_of(&[
        (spec, replicas, "LessReplicas", "replicas"),
        (spec, ready, "LessReady", "ready"),
    ])
    .or_else(|| extra_pods(replicas, spec));
    if let Some(r) = short {
        return r;
    }
    if let Some(partition) = int(
        obj,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
    ) {
        let want = (spec - partition).max(0);
        if updated < want {
            return HealthReport::progress(
                "PartitionRollout",
                format!("updated: {updated}/{want} (partition {partition})"),
            );
        }
        return HealthReport::current(format!("partitioned rollout complete: {updated} updated"));
    }
    if spec > current {
        return HealthReport::progress("LessCurrent", format!("current: {current}/{spec}"));
    }
    let cur_rev = s(obj, &["status", "currentRevision"]).unwrap_or("");
    let upd_rev = s(obj, &["status", "updateRevision"]).unwrap_or("");
    if cur_rev != upd_rev {
        return HealthReport::progress(
            "RevisionMismatch",
            format!("waiting for updated revision {upd_rev} to match current {cur_rev}"),
        );
    }
    HealthReport::current(format!(
        "all replicas scheduled as expected: {spec} replicas"
    ))
}

fn daemonset(obj: &Value, _conds: &[Condition<'_>], _now: u64) -> HealthReport {
    if int(obj, &["metadata", "generation"]).is_none() {
        return HealthReport::progress("NoGeneration", "missing metadata.generation");
    }
    if int(obj, &["status", "observedGeneration"]).is_none() {
        return HealthReport::progress("NoObservedGeneration", "missing status.observedGeneration");
    }
    let Some(desired) = int(obj, &["status", "desiredNumberScheduled"]) else {
        return HealthReport::progress("NoDesiredNumber", "missing status.desiredNumberScheduled");
    };
    let n = |field: &str| int0(obj, &["status", field]);
    if let Some(r) = short_of(&[
        (
            desired,
            n("currentNumberScheduled"),
            "LessCurrent",
            "current",
        ),
        (
            desired,
            n("updatedNumberScheduled"),
            "LessUpdated",
            "updated",
        ),
        (desired, n("numberAvailable"), "LessAvailable", "available"),
        (desired, n("numberReady"), "LessReady", "ready"),
    ]) {
        return r;
    }
    HealthReport::current(format!(
        "all replicas scheduled as expected: {desired} replicas"
    ))
}

fn replicaset(obj: &Value, conds: &[Condition<'_>], _now: u64) -> HealthReport {
    if let Some(c) = condition(conds, "ReplicaFailure").filter(|c| c.status == "True") {
        return HealthReport::progress("ReplicaFailure", c.message);
    }
    let spec = spec_replicas(obj);
    let labelled = int0(obj, &["status", "fullyLabeledReplicas"]);
    let avail = int0(obj, &["status", "availableReplicas"]);
    let ready = int0(obj, &["status", "readyReplicas"]);
    let replicas = int0(obj, &["status", "replicas"]);
    let short = short_of(&[
        (spec, labelled, "LessLabelled", "labelled"),
        (spec, avail, "LessAvailable", "available"),
        (spec, ready, "LessReady", "ready"),
    ])
    .or_else(|| extra_pods(replicas, spec));
    if let Some(r) = short {
        return r;
    }
    HealthReport::current(format!("ReplicaSet is available: {spec} replicas"))
}

fn container_states(obj: &Value) -> impl Iterator<Item = &Value> {
    ["initContainerStatuses", "containerStatuses"]
        .into_iter()
        .filter_map(|k| at(obj, &["status", k]).and_then(Value::as_array))
        .flatten()
}

fn pod(obj: &Value, conds: &[Condition<'_>], now: u64) -> HealthReport {
    match s(obj, &["status", "phase"]) {
        Some("Succeeded") => HealthReport::current("Pod has completed successfully"),
        // kstatus's choice: a finished pod is not in progress any more (the gate of a
        // one-shot pod says failed)
        Some("Failed") => HealthReport::current("Pod has completed, but not successfully"),
        Some("Running") => {
            if is_true(conds, "Ready") {
                return HealthReport::current("Pod is Ready");
            }
            let looping: Vec<&str> = container_states(obj)
                .filter(|c| s(c, &["state", "waiting", "reason"]) == Some("CrashLoopBackOff"))
                .filter_map(|c| s(c, &["name"]))
                .collect();
            if !looping.is_empty() {
                return HealthReport::failed(
                    "ContainerCrashLooping",
                    format!("containers in CrashLoopBackOff: {}", looping.join(", ")),
                );
            }
            HealthReport::progress("PodRunningNotReady", "Pod is running but is not Ready")
        }
        Some("Pending") => {
            if let Some(c) = condition(conds, "PodScheduled")
                .filter(|c| c.status == "False" && c.reason == "Unschedulable")
            {
                if unschedulable_for(obj, c, now) >= UNSCHEDULABLE_GRACE_MS {
                    return HealthReport::failed("PodUnschedulable", c.message);
                }
                return HealthReport::progress("PodNotScheduled", c.message);
            }
            HealthReport::progress("PodPending", "Pod is in the Pending phase")
        }
        Some(other) => HealthReport::progress("PodUnknownPhase", format!("Pod phase is {other}")),
        None => HealthReport::progress("PodNotObserved", "Pod phase not available"),
    }
}

/// How long a pod has been unschedulable: since the condition's transition (or the pod's
/// creation when the condition has no time).
fn unschedulable_for(obj: &Value, c: Condition<'_>, now: u64) -> u64 {
    let since = c
        .last_transition
        .or_else(|| s(obj, &["metadata", "creationTimestamp"]))
        .and_then(parse_rfc3339);
    since.map_or(0, |t| now.saturating_sub(t))
}

fn pvc(obj: &Value, _conds: &[Condition<'_>], _now: u64) -> HealthReport {
    match s(obj, &["status", "phase"]) {
        Some("Bound") => HealthReport::current("PVC is Bound"),
        Some("Lost") => HealthReport::failed("ClaimLost", "PVC lost its volume"),
        phase => HealthReport::progress(
            "NotBound",
            format!("PVC is not Bound: phase {}", phase.unwrap_or("unknown")),
        ),
    }
}

fn service(obj: &Value, _conds: &[Condition<'_>], _now: u64) -> HealthReport {
    if s(obj, &["spec", "type"]) == Some("LoadBalancer")
        && s(obj, &["spec", "clusterIP"]).is_none_or(str::is_empty)
    {
        return HealthReport::progress("NoIPAssigned", "Service does not have an IP address");
    }
    HealthReport::current("Service is ready")
}

fn job(obj: &Value, conds: &[Condition<'_>], _now: u64) -> HealthReport {
    let (succeeded, failed, active) = job_counts(obj);
    let completions = int(obj, &["spec", "completions"]).unwrap_or(1);
    if is_true(conds, "Complete") {
        return HealthReport::current(format!(
            "Job completed: {succeeded}/{completions} succeeded"
        ));
    }
    if let Some(c) = condition(conds, "Failed").filter(|c| c.status == "True") {
        let why = if c.message.is_empty() {
            c.reason
        } else {
            c.message
        };
        return HealthReport::failed("JobFailed", format!("Job failed: {why} ({failed} failed)"));
    }
    if is_true(conds, "Suspended") && at(obj, &["spec", "suspend"]) == Some(&Value::Bool(true)) {
        return HealthReport::current("Job is suspended");
    }
    if at(obj, &["status", "startTime"]).is_none() {
        return HealthReport::progress("JobNotStarted", "Job not started");
    }
    HealthReport::current(format!(
        "Job in progress: {succeeded} succeeded, {active} active, {failed} failed"
    ))
}

fn job_counts(obj: &Value) -> (i64, i64, i64) {
    (
        int0(obj, &["status", "succeeded"]),
        int0(obj, &["status", "failed"]),
        int0(obj, &["status", "active"]),
    )
}

fn crd(_obj: &Value, conds: &[Condition<'_>], _now: u64) -> HealthReport {
    if let Some(c) = condition(conds, "NamesAccepted").filter(|c| c.status == "False") {
        return HealthReport::failed(c.reason, c.message);
    }
    match condition(conds, "Established") {
        Some(c) if c.status == "True" => HealthReport::current("CRD is established"),
        Some(c) if c.status == "False" && c.reason != "Installing" => {
            HealthReport::failed(c.reason, c.message)
        }
        _ => HealthReport::progress("Installing", "CRD is being installed"),
    }
}

// ---- layer 2: the deploy gate -----------------------------------------------------------------

/// A gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The gate holds: the next wave may start.
    Ready,
    /// Not yet (the reason says what is missing).
    Waiting,
    /// It will not hold without a change: the step fails now.
    Failed,
}

impl Verdict {
    /// `ready`, `waiting` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Waiting => "waiting",
            Verdict::Failed => "failed",
        }
    }
}

/// A gate's verdict on one object, with the reason and message that explain it (the answer to
/// "why is this still waiting?").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Why (empty when ready).
    pub reason: String,
    /// What a person reads.
    pub message: String,
}

impl GateReport {
    fn new(verdict: Verdict, reason: &str, message: impl Into<String>) -> Self {
        GateReport {
            verdict,
            reason: reason.to_string(),
            message: message.into(),
        }
    }
}

/// The gate of `obj` at `now`: what must hold before the next wave starts.
pub fn gate(obj: &Value, now: u64) -> GateReport {
    let h = compute(obj, now);
    let (group, kind) = group_kind(obj);
    let from = |h: HealthReport| {
        let verdict = match h.status {
            Health::Current => Verdict::Ready,
            Health::Failed => Verdict::Failed,
            Health::InProgress | Health::Terminating | Health::Unknown => Verdict::Waiting,
        };
        let reason = match h.status {
            Health::Terminating => "Terminating".to_string(),
            _ => h.reason,
        };
        GateReport {
            verdict,
            reason,
            message: h.message,
        }
    };
    if matches!(h.status, Health::Terminating | Health::Unknown) {
        return from(h);
    }
    match (group.as_str(), kind.as_str()) {
        // the controller cannot create pods (a quota, an admission webhook): they will not come
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            if h.status != Health::Current
                && condition(&conditions(obj), "ReplicaFailure")
                    .is_some_and(|c| c.status == "True") =>
        {
            let c = condition(&conditions(obj), "ReplicaFailure").expect("checked");
            let why = if c.message.is_empty() {
                c.reason
            } else {
                c.message
            };
            GateReport::new(
                Verdict::Failed,
                "ReplicaFailure",
                format!("pods cannot be created: {why}"),
            )
        }
        ("batch", "Job") => {
            let conds = conditions(obj);
            let (succeeded, failed, active) = job_counts(obj);
            if is_true(&conds, "Complete") {
                GateReport::new(Verdict::Ready, "", h.message)
            } else if let Some(c) = condition(&conds, "Failed").filter(|c| c.status == "True") {
                let reason = if c.reason.is_empty() {
                    "JobFailed"
                } else {
                    c.reason
                };
                GateReport::new(Verdict::Failed, reason, h.message)
            } else {
                GateReport::new(
                    Verdict::Waiting,
                    "JobRunning",
                    format!(
                        "waiting for the Job to complete: {succeeded} succeeded, {active} active, {failed} failed"
                    ),
                )
            }
        }
        ("", "Pod") => match s(obj, &["status", "phase"]) {
            Some("Failed") => GateReport::new(Verdict::Failed, "PodFailed", h.message),
            _ => match pod_failure(obj, now) {
                Some(f) => GateReport::new(Verdict::Failed, &f.reason, f.message),
                None => from(h),
            },
        },
        ("", "Namespace") => match s(obj, &["status", "phase"]) {
            Some("Active") => GateReport::new(Verdict::Ready, "", "Namespace is Active"),
            Some(p) => {
                GateReport::new(Verdict::Waiting, "NamespaceNotActive", format!("phase {p}"))
            }
            None => GateReport::new(
                Verdict::Waiting,
                "NamespaceNotActive",
                "phase not reported yet",
            ),
        },
        // created is enough: the address of a LoadBalancer or an Ingress is not awaited
        ("", "Service") | ("networking.k8s.io", "Ingress") | ("extensions", "Ingress") => {
            GateReport::new(Verdict::Ready, "", "created")
        }
        ("argoproj.io", "Rollout") => match s(obj, &["status", "phase"]) {
            Some("Healthy") => GateReport::new(Verdict::Ready, "", "Rollout is Healthy"),
            Some("Degraded") => GateReport::new(
                Verdict::Failed,
                "RolloutDegraded",
                s(obj, &["status", "message"]).unwrap_or("Rollout is Degraded"),
            ),
            Some(p) => GateReport::new(Verdict::Waiting, "RolloutNotHealthy", format!("phase {p}")),
            None => from(h),
        },
        _ => from(h),
    }
}

// ---- layer 3: fast-fail signals of pods -------------------------------------------------------

/// Why a pod cannot become ready on its own, seen in its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodFailure {
    /// The kubelet's reason (`ErrImagePull`, `CrashLoopBackOff`, …) or `Unschedulable`.
    pub reason: String,
    /// `pod/<name> container <c>: <reason>: <kubelet message>`.
    pub message: String,
    /// The container, when the signal is a container's.
    pub container: Option<String>,
}

/// Waiting reasons that do not go away without a change to the workflow or the cluster.
pub const FAST_FAIL_WAITING: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CrashLoopBackOff",
    "RunContainerError",
    "CreateContainerConfigError",
    "CreateContainerError",
];

/// The first fast-fail signal of `pod` at `now`, if any: a container waiting for one of
/// [`FAST_FAIL_WAITING`], a container whose last run was OOM-killed, or a pod unschedulable
/// for more than [`UNSCHEDULABLE_GRACE_MS`].
pub fn pod_failure(pod: &Value, now: u64) -> Option<PodFailure> {
    let name = s(pod, &["metadata", "name"]).unwrap_or("?");
    for c in container_states(pod) {
        let cname = s(c, &["name"]).unwrap_or("?");
        let fail = |reason: &str, msg: &str| {
            let msg = msg.trim();
            Some(PodFailure {
                reason: reason.to_string(),
                message: if msg.is_empty() {
                    format!("pod/{name} container {cname}: {reason}")
                } else {
                    format!("pod/{name} container {cname}: {reason}: {msg}")
                },
                container: Some(cname.to_string()),
            })
        };
        if let Some(reason) = s(c, &["state", "waiting", "reason"])
            && FAST_FAIL_WAITING.contains(&reason)
        {
            let mut msg = s(c, &["state", "waiting", "message"])
                .unwrap_or("")
                .to_string();
            if reason == "CrashLoopBackOff"
                && let Some(t) = at(c, &["lastState", "terminated"])
            {
                let code = int(t, &["exitCode"]).unwrap_or(0);
                let why = s(t, &["reason"]).unwrap_or("Error");
                msg = format!("last run ended: {why}, exit code {code}");
            }
            return fail(reason, &msg);
        }
        for st in ["state", "lastState"] {
            if s(c, &[st, "terminated", "reason"]) == Some("OOMKilled") {
                return fail("OOMKilled", "the container ran out of memory");
            }
        }
    }
    let conds = conditions(pod);
    if s(pod, &["status", "phase"]) == Some("Pending")
        && let Some(c) = condition(&conds, "PodScheduled")
            .filter(|c| c.status == "False" && c.reason == "Unschedulable")
        && unschedulable_for(pod, c, now) >= UNSCHEDULABLE_GRACE_MS
    {
        return Some(PodFailure {
            reason: "Unschedulable".to_string(),
            message: format!("pod/{name}: unschedulable: {}", c.message),
            container: None,
        });
    }
    None
}

/// The gate of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job) given the pods
/// it selects: its own gate, except that a pod's fast-fail signal fails a workload that is not
/// ready yet.
pub fn workload_gate(obj: &Value, pods: &[Value], now: u64) -> GateReport {
    let g = gate(obj, now);
    if g.verdict != Verdict::Waiting {
        return g;
    }
    // a Job's failed pods are its own business (backoffLimit); only waiting signals count
    for p in pods {
        if let Some(f) = pod_failure(p, now) {
            return GateReport {
                verdict: Verdict::Failed,
                reason: f.reason,
                message: f.message,
            };
        }
    }
    g
}

#[cfg(test)]
mod tests;
