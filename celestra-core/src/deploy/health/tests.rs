//! kstatus's rules written down as fixtures of our own: per kind, the status and reason kstatus
//! gives (status.go / core.go / generic.go semantics), then the gates and fast-fail signals.

use serde_json::{Value, json};

use super::*;

const NOW: u64 = 1_800_000_000_000; // 2027-01-15T08:00:00Z
fn ts(ms_before_now: u64) -> String {
    crate::deploy::format_rfc3339(NOW - ms_before_now)
}

fn check(obj: Value, status: Health, reason: &str) {
    let h = compute(&obj, NOW);
    assert_eq!(
        (h.status, h.reason.as_str()),
        (status, reason),
        "{obj}\n→ {h:?}"
    );
    assert!(
        !h.message.is_empty() || h.status == Health::Failed,
        "a message for {obj}"
    );
}

fn deploy(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "generation": 1},
           "spec": spec, "status": status})
}

#[test]
fn deployment_rules_in_kstatus_order() {
    let avail = json!([{"type": "Available", "status": "True"},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]);
    let full = |n: i64| {
        json!({"observedGeneration": 1, "replicas": n, "updatedReplicas": n,
        "readyReplicas": n, "availableReplicas": n, "conditions": avail})
    };
    check(deploy(json!({"replicas": 2}), full(2)), Health::Current, "");
    check(
        deploy(json!({"replicas": 3}), full(2)),
        Health::InProgress,
        "LessReplicas",
    );
    let mut st = full(2);
    st["updatedReplicas"] = json!(1);
    check(
        deploy(json!({"replicas": 2}), st),
        Health::InProgress,
        "LessUpdated",
    );
    check(
        deploy(json!({"replicas": 1}), full(2)),
        Health::InProgress,
        "ExtraPods",
    );
    let mut st = full(2);
    st["availableReplicas"] = json!(1);
    check(
        deploy(json!({"replicas": 2}), st),
        Health::InProgress,
        "LessAvailable",
    );
    let mut st = full(2);
    st["readyReplicas"] = json!(1);
    check(
        deploy(json!({"replicas": 2}), st),
        Health::InProgress,
        "LessReady",
    );
    // replicas defaults to 1
    check(deploy(json!({}), full(1)), Health::Current, "");
    check(
        deploy(json!({}), json!({"observedGeneration": 1})),
        Health::InProgress,
        "LessReplicas",
    );
    // a progress deadline without NewReplicaSetAvailable: not progressing
    let mut st = full(1);
    st["conditions"] = json!([{"type": "Available", "status": "True"},
                              {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]);
    check(
        deploy(json!({"progressDeadlineSeconds": 600}), st.clone()),
        Health::InProgress,
        "ReplicaSetNotAvailable",
    );
    // without a deadline the Progressing reason does not matter, but Available must be True
    st["conditions"] = json!([{"type": "Available", "status": "False"}]);
    check(
        deploy(json!({}), st),
        Health::InProgress,
        "DeploymentNotAvailable",
    );
    // a deadline exceeded fails before any count is looked at
    let st = json!({"observedGeneration": 1, "conditions": [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]});
    check(
        deploy(json!({"replicas": 2}), st),
        Health::Failed,
        "ProgressDeadlineExceeded",
    );
}

#[test]
fn generic_rules_come_first() {
    // deletion wins over everything
    let mut d = deploy(json!({}), json!({}));
    d["metadata"]["deletionTimestamp"] = json!(ts(1000));
    check(d, Health::Terminating, "");
    // generation not observed
    let mut d = deploy(json!({}), json!({"observedGeneration": 1}));
    d["metadata"]["generation"] = json!(2);
    check(d, Health::InProgress, "LatestGenerationNotObserved");
    // Reconciling / Stalled on any kind, first match in list order
    let cr = |conds: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"}, "status": {"conditions": conds}})
    };
    check(
        cr(json!([{"type": "Reconciling", "status": "True", "reason": "Scaling"}])),
        Health::InProgress,
        "Scaling",
    );
    check(
        cr(json!([{"type": "Stalled", "status": "True", "reason": "BadSpec", "message": "x"}])),
        Health::Failed,
        "BadSpec",
    );
    check(
        cr(json!([{"type": "Stalled", "status": "True", "reason": "A"},
                    {"type": "Reconciling", "status": "True", "reason": "B"}])),
        Health::Failed,
        "A",
    );
    check(
        cr(json!([{"type": "Stalled", "status": "False", "reason": "A"}])),
        Health::Current,
        "",
    );
    // a custom resource's Ready condition
    check(
        cr(json!([{"type": "Ready", "status": "True"}])),
        Health::Current,
        "",
    );
    check(
        cr(json!([{"type": "Ready", "status": "False", "reason": "Waiting"}])),
        Health::InProgress,
        "Waiting",
    );
    check(
        cr(json!([{"type": "Ready", "status": "Unknown"}])),
        Health::InProgress,
        "NotReady",
    );
    // observedGeneration for custom resources
    check(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "generation": 3},
                 "status": {"observedGeneration": 2}}),
        Health::InProgress,
        "LatestGenerationNotObserved",
    );
    // no rule, no conditions: current
    for (api, kind) in [
        ("v1", "Namespace"),
        ("networking.k8s.io/v1", "Ingress"),
        ("v1", "ServiceAccount"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("v1", "ResourceQuota"),
        ("example.com/v1", "Widget"),
    ] {
        check(
            json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}}),
            Health::Current,
            "",
        );
    }
    // always current
    for (api, kind) in [
        ("batch/v1beta1", "CronJob"),
        ("batch/v1", "CronJob"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("policy/v1beta1", "PodDisruptionBudget"),
    ] {
        check(
            json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}}),
            Health::Current,
            "",
        );
    }
    // not an object, no kind
    assert_eq!(compute(&json!([1]), NOW).status, Health::Unknown);
    assert_eq!(
        compute(&json!({"apiVersion": "v1"}), NOW).reason,
        "InvalidObject"
    );
}

#[test]
fn statefulset_daemonset_replicaset() {
    let sts = |spec: Value, status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "s"}, "spec": spec, "status": status})
    };
    let ok = json!({"replicas": 2, "readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 2,
                    "currentRevision": "r1", "updateRevision": "r1"});
    check(sts(json!({"replicas": 2}), ok.clone()), Health::Current, "");
    check(
        sts(json!({"replicas": 3}), ok.clone()),
        Health::InProgress,
        "LessReplicas",
    );
    check(
        sts(json!({"replicas": 1}), ok.clone()),
        Health::InProgress,
        "ExtraPods",
    );
    let mut st = ok.clone();
    st["readyReplicas"] = json!(1);
    check(
        sts(json!({"replicas": 2}), st),
        Health::InProgress,
        "LessReady",
    );
    let mut st = ok.clone();
    st["currentReplicas"] = json!(1);
    check(
        sts(json!({"replicas": 2}), st),
        Health::InProgress,
        "LessCurrent",
    );
    let mut st = ok.clone();
    st["updateRevision"] = json!("r2");
    check(
        sts(json!({"replicas": 2}), st.clone()),
        Health::InProgress,
        "RevisionMismatch",
    );
    check(
        sts(
            json!({"replicas": 2, "updateStrategy": {"type": "OnDelete"}}),
            json!({}),
        ),
        Health::Current,
        "",
    );
    st["updatedReplicas"] = json!(0);
    check(
        sts(
            json!({"replicas": 2, "updateStrategy": {"rollingUpdate": {"partition": 1}}}),
            st.clone(),
        ),
        Health::InProgress,
        "PartitionRollout",
    );
    st["updatedReplicas"] = json!(1);
    check(
        sts(
            json!({"replicas": 2, "updateStrategy": {"rollingUpdate": {"partition": 1}}}),
            st,
        ),
        Health::Current,
        "",
    );

    let ds = |meta: Value, status: Value| json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "status": status});
    check(
        ds(json!({"name": "d"}), json!({"observedGeneration": 1})),
        Health::InProgress,
        "NoGeneration",
    );
    check(
        ds(json!({"name": "d", "generation": 1}), json!({})),
        Health::InProgress,
        "NoObservedGeneration",
    );
    check(
        ds(
            json!({"name": "d", "generation": 1}),
            json!({"observedGeneration": 1}),
        ),
        Health::InProgress,
        "NoDesiredNumber",
    );
    let full = json!({"observedGeneration": 1, "desiredNumberScheduled": 2, "currentNumberScheduled": 2,
                      "updatedNumberScheduled": 2, "numberAvailable": 2, "numberReady": 2});
    check(
        ds(json!({"name": "d", "generation": 1}), full.clone()),
        Health::Current,
        "",
    );
    for (field, reason) in [
        ("currentNumberScheduled", "LessCurrent"),
        ("updatedNumberScheduled", "LessUpdated"),
        ("numberAvailable", "LessAvailable"),
        ("numberReady", "LessReady"),
    ] {
        let mut st = full.clone();
        st[field] = json!(1);
        check(
            ds(json!({"name": "d", "generation": 1}), st),
            Health::InProgress,
            reason,
        );
    }

    let rs = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"},
        "spec": {"replicas": 2}, "status": status})
    };
    let full = json!({"replicas": 2, "fullyLabeledReplicas": 2, "availableReplicas": 2, "readyReplicas": 2});
    check(rs(full.clone()), Health::Current, "");
    let mut st = full.clone();
    st["conditions"] =
        json!([{"type": "ReplicaFailure", "status": "True", "message": "exceeded quota"}]);
    check(rs(st), Health::InProgress, "ReplicaFailure");
    for (field, reason) in [
        ("fullyLabeledReplicas", "LessLabelled"),
        ("availableReplicas", "LessAvailable"),
        ("readyReplicas", "LessReady"),
    ] {
        let mut st = full.clone();
        st[field] = json!(1);
        check(rs(st), Health::InProgress, reason);
    }
    let mut st = full;
    st["replicas"] = json!(3);
    check(rs(st), Health::InProgress, "ExtraPods");
}

fn pod(phase: &str, extra: Value) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "creationTimestamp": ts(60_000)}, "status": {"phase": phase}});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            p["status"][k] = v;
        }
    }
    p
}

#[test]
fn pod_job_pvc_service_crd() {
    check(pod("Succeeded", json!({})), Health::Current, "");
    check(pod("Failed", json!({})), Health::Current, "");
    check(
        pod(
            "Running",
            json!({"conditions": [{"type": "Ready", "status": "True"}]}),
        ),
        Health::Current,
        "",
    );
    check(
        pod("Running", json!({})),
        Health::InProgress,
        "PodRunningNotReady",
    );
    check(
        pod(
            "Running",
            json!({"containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
        ),
        Health::Failed,
        "ContainerCrashLooping",
    );
    check(pod("Pending", json!({})), Health::InProgress, "PodPending");
    let unsched = |since: u64| {
        json!({"conditions": [{"type": "PodScheduled", "status": "False",
        "reason": "Unschedulable", "message": "0/1 nodes are available", "lastTransitionTime": ts(since)}]})
    };
    check(
        pod("Pending", unsched(5_000)),
        Health::InProgress,
        "PodNotScheduled",
    );
    check(
        pod("Pending", unsched(16_000)),
        Health::Failed,
        "PodUnschedulable",
    );
    check(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}),
        Health::InProgress,
        "PodNotObserved",
    );

    let job = |spec: Value, status: Value| {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": spec, "status": status})
    };
    check(
        job(
            json!({}),
            json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}),
        ),
        Health::Current,
        "",
    );
    check(
        job(
            json!({}),
            json!({"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}),
        ),
        Health::Failed,
        "JobFailed",
    );
    check(
        job(json!({}), json!({})),
        Health::InProgress,
        "JobNotStarted",
    );
    // kstatus: a running Job is Current (the gate below disagrees on purpose)
    check(
        job(json!({}), json!({"startTime": ts(1000), "active": 1})),
        Health::Current,
        "",
    );
    check(
        job(
            json!({"suspend": true}),
            json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
        ),
        Health::Current,
        "",
    );

    let pvc = |phase: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
        "status": {"phase": phase}})
    };
    check(pvc("Bound"), Health::Current, "");
    check(pvc("Pending"), Health::InProgress, "NotBound");

    let svc = |ty: &str, ip: &str| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": ty, "clusterIP": ip}})
    };
    check(svc("LoadBalancer", ""), Health::InProgress, "NoIPAssigned");
    check(svc("LoadBalancer", "10.96.0.5"), Health::Current, "");
    check(svc("ClusterIP", ""), Health::Current, "");

    let crd = |conds: Value| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"}, "status": {"conditions": conds}})
    };
    check(
        crd(
            json!([{"type": "NamesAccepted", "status": "True"}, {"type": "Established", "status": "True"}]),
        ),
        Health::Current,
        "",
    );
    check(
        crd(
            json!([{"type": "NamesAccepted", "status": "False", "reason": "MultipleNameConflict"}]),
        ),
        Health::Failed,
        "MultipleNameConflict",
    );
    check(
        crd(json!([{"type": "Established", "status": "False", "reason": "Installing"}])),
        Health::InProgress,
        "Installing",
    );
    check(
        crd(json!([{"type": "Established", "status": "False", "reason": "Broken"}])),
        Health::Failed,
        "Broken",
    );
    check(crd(json!([])), Health::InProgress, "Installing");
}

fn verdict(obj: &Value) -> (Verdict, String) {
    let g = gate(obj, NOW);
    (g.verdict, g.reason)
}

#[test]
fn gates_of_the_plan() {
    let job = |status: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": status});
    // a running Job holds the next wave (kstatus would call it Current)
    assert_eq!(
        verdict(&job(json!({"startTime": ts(1000), "active": 1}))),
        (Verdict::Waiting, "JobRunning".into())
    );
    assert_eq!(verdict(&job(json!({}))).0, Verdict::Waiting);
    assert_eq!(
        verdict(&job(
            json!({"conditions": [{"type": "Complete", "status": "True"}]})
        ))
        .0,
        Verdict::Ready
    );
    assert_eq!(
        verdict(&job(
            json!({"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]})
        )),
        (Verdict::Failed, "BackoffLimitExceeded".into())
    );
    let ns = |phase: Option<&str>| {
        let mut n = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}});
        if let Some(p) = phase {
            n["status"] = json!({"phase": p});
        }
        n
    };
    assert_eq!(verdict(&ns(Some("Active"))).0, Verdict::Ready);
    assert_eq!(verdict(&ns(None)).0, Verdict::Waiting);
    assert_eq!(verdict(&ns(Some("Terminating"))).0, Verdict::Waiting);
    // a LoadBalancer without an address yet is ready once created
    let lb = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer"}});
    assert_eq!(verdict(&lb).0, Verdict::Ready);
    let ing =
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}});
    assert_eq!(verdict(&ing).0, Verdict::Ready);
    // one-shot pod: Failed fails
    assert_eq!(verdict(&pod("Failed", json!({}))).0, Verdict::Failed);
    assert_eq!(verdict(&pod("Succeeded", json!({}))).0, Verdict::Ready);
    // a pod's image pull error fails the pod's gate at once
    let p = pod(
        "Pending",
        json!({"containerStatuses": [{"name": "app",
        "state": {"waiting": {"reason": "ErrImageNeverPull", "message": "Container image \"x:1\" is not present"}}}]}),
    );
    assert_eq!(verdict(&p), (Verdict::Failed, "ErrImageNeverPull".into()));
    // terminating objects wait
    let mut d = ns(Some("Active"));
    d["metadata"]["deletionTimestamp"] = json!(ts(1));
    assert_eq!(verdict(&d), (Verdict::Waiting, "Terminating".into()));
    // Rollout
    let ro = |phase: &str| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
        "status": {"phase": phase}})
    };
    assert_eq!(verdict(&ro("Healthy")).0, Verdict::Ready);
    assert_eq!(verdict(&ro("Progressing")).0, Verdict::Waiting);
    assert_eq!(verdict(&ro("Degraded")).0, Verdict::Failed);
    // a controller that cannot create its pods (quota, admission) fails the gate at once
    let d = deploy(
        json!({"replicas": 2}),
        json!({"observedGeneration": 1, "conditions": [
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "pods \"a-1\" is forbidden: exceeded quota"}]}),
    );
    let g = gate(&d, NOW);
    assert_eq!(
        (g.verdict, g.reason.as_str()),
        (Verdict::Failed, "ReplicaFailure")
    );
    assert!(g.message.contains("exceeded quota"), "{}", g.message);
    // PVC bound, CRD established
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"}, "status": {"phase": "Pending"}});
    assert_eq!(verdict(&pvc), (Verdict::Waiting, "NotBound".into()));
}

#[test]
fn fast_fail_signals() {
    for reason in FAST_FAIL_WAITING {
        let p = pod(
            "Pending",
            json!({"containerStatuses": [{"name": "app", "state": {"waiting": {"reason": reason, "message": "m"}}}]}),
        );
        let f = pod_failure(&p, NOW).unwrap_or_else(|| panic!("{reason} is a fast-fail signal"));
        assert_eq!(f.reason, *reason);
        assert_eq!(f.container.as_deref(), Some("app"));
        assert!(
            f.message.starts_with("pod/p container app: "),
            "{}",
            f.message
        );
    }
    // init containers count too
    let p = pod(
        "Pending",
        json!({"initContainerStatuses": [{"name": "init", "state": {"waiting": {"reason": "ErrImagePull"}}}]}),
    );
    assert_eq!(
        pod_failure(&p, NOW).unwrap().container.as_deref(),
        Some("init")
    );
    // ordinary waiting reasons are not signals
    for reason in ["ContainerCreating", "PodInitializing"] {
        let p = pod(
            "Pending",
            json!({"containerStatuses": [{"name": "app", "state": {"waiting": {"reason": reason}}}]}),
        );
        assert_eq!(pod_failure(&p, NOW), None, "{reason}");
    }
    // a crash loop names the last exit
    let p = pod(
        "Running",
        json!({"containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 3, "reason": "Error"}}}]}),
    );
    assert!(
        pod_failure(&p, NOW)
            .unwrap()
            .message
            .contains("exit code 3")
    );
    let p = pod(
        "Running",
        json!({"containerStatuses": [{"name": "app", "state": {"running": {}},
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}),
    );
    assert_eq!(pod_failure(&p, NOW).unwrap().reason, "OOMKilled");
    // unschedulable only after the grace
    let unsched = |since: u64| {
        pod(
            "Pending",
            json!({"conditions": [{"type": "PodScheduled", "status": "False",
        "reason": "Unschedulable", "message": "0/1 nodes: Insufficient cpu", "lastTransitionTime": ts(since)}]}),
        )
    };
    assert_eq!(pod_failure(&unsched(1_000), NOW), None);
    let f = pod_failure(&unsched(UNSCHEDULABLE_GRACE_MS), NOW).unwrap();
    assert_eq!(f.reason, "Unschedulable");
    assert!(f.message.contains("Insufficient cpu"));
    assert_eq!(pod_failure(&pod("Running", json!({})), NOW), None);
}

#[test]
fn workload_gate_fails_on_its_pods() {
    let d = deploy(
        json!({"replicas": 1}),
        json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1}),
    );
    let bad = pod(
        "Pending",
        json!({"containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "ErrImagePull", "message": "no such host"}}}]}),
    );
    let fine = pod("Pending", json!({}));
    assert_eq!(
        workload_gate(&d, std::slice::from_ref(&fine), NOW).verdict,
        Verdict::Waiting
    );
    let g = workload_gate(&d, &[fine, bad.clone()], NOW);
    assert_eq!(
        (g.verdict, g.reason.as_str()),
        (Verdict::Failed, "ErrImagePull")
    );
    assert!(g.message.contains("no such host"));
    // a ready workload is not failed by an old pod
    let avail = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
        "availableReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]});
    assert_eq!(
        workload_gate(&deploy(json!({}), avail), &[bad], NOW).verdict,
        Verdict::Ready
    );
}

#[test]
fn same_object_same_answer() {
    // no hidden state: order of keys and repeated calls do not matter
    let a: Value = serde_json::from_str(r#"{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j"},"status":{"startTime":"2026-01-01T00:00:00Z"}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"status":{"startTime":"2026-01-01T00:00:00Z"},"metadata":{"name":"j"},"apiVersion":"batch/v1","kind":"Job"}"#).unwrap();
    assert_eq!(compute(&a, NOW), compute(&b, NOW));
    assert_eq!(gate(&a, NOW), gate(&b, NOW));
}
