//! Deploys on a real Kubernetes 1.20.2 cluster (`make kube`: scripts/kube.sh builds and starts
//! etcd, the API server, the controller manager, the scheduler and a kubelet on the private
//! Docker engine, whose test images `celestra-test/busybox:1|2` run `$RUN`).
//!
//! Every test uses its own namespace (created and removed by the test), is bounded in time, and
//! checks the cluster's own view through `kubectl` 1.20 (resourceVersions, creation times,
//! labels, pod logs) rather than the engine's word for it.

use celestra_core::api::{self, Cancel, ErrorCode, Kube, KubeConnect, KubeOptions};
use celestra_core::deploy::kube::{KubeProjectOptions, PART_OF};
use celestra_core::deploy::{
    Action, DeployEvent, DeploymentState, DeploymentStatus, EventBody, EventStatus, NodeState,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

const EX2: &str = include_str!("../fixtures/deploy/ex2-kube.json");
/// No single test may run longer.
const BOUND: Duration = Duration::from_secs(180);

fn kubeconfig() -> String {
    std::env::var("KUBECONFIG").expect(
        "KUBECONFIG is not set: run these tests through `make kube` (scripts/kube.sh start)",
    )
}

fn kubectl(args: &[&str]) -> (bool, String) {
    let bin = std::env::var("CELESTRA_KUBECTL").expect("CELESTRA_KUBECTL (scripts/kube.sh env)");
    let out = Command::new(bin)
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .args(args)
        .output()
        .expect("kubectl runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn kubectl_json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["-o", "json"]);
    let (ok, text) = kubectl(&a);
    assert!(ok, "kubectl {args:?}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("kubectl {args:?}: {e}: {text}"))
}

/// `kubectl apply -f` of `objects` (a `List` or one object), through a temporary file.
fn kubectl_apply(objects: &Value, tag: &str) {
    let path = std::env::temp_dir().join(format!("kt-{tag}-{}.json", std::process::id()));
    std::fs::write(&path, objects.to_string()).unwrap();
    let (ok, text) = kubectl(&["apply", "-f", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert!(ok, "kubectl apply ({tag}): {text}");
}

/// Polls `f` every `every` until it gives a value; panics naming `what` after `limit`.
async fn wait_until<T>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t0.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(every).await;
    }
}

async fn kube(ns: &str) -> Kube {
    Kube::connect(&KubeConnect {
        kubeconfig: Some(kubeconfig().into()),
        namespace: Some(ns.to_owned()),
        ..KubeConnect::default()
    })
    .await
    .expect("the test cluster answers")
}

/// A fresh namespace for one test: `kt-<name>-<pid>` (a namespace being deleted by an earlier
/// run cannot be created again until its pods are gone).
fn namespace(name: &str) -> String {
    let ns = format!("kt-{name}-{}", std::process::id());
    let (ok, text) = kubectl(&["create", "namespace", &ns]);
    assert!(ok, "{text}");
    ns
}

fn drop_namespace(ns: &str) {
    let _ = kubectl(&["delete", "namespace", ns, "--wait=false"]);
}

fn ex2() -> Value {
    serde_json::from_str(EX2).unwrap()
}

fn props<'v>(wf: &'v mut Value, id: &str) -> &'v mut Value {
    let n = wf["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"));
    &mut n["data"]["properties"]
}

fn remove_node(wf: &mut Value, id: &str) {
    wf["nodes"]
        .as_array_mut()
        .unwrap()
        .retain(|n| n["id"] != id);
    wf["connections"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["source"] != id && c["target"] != id);
}

fn opts(project: &str, ns: &str) -> KubeOptions {
    KubeOptions {
        project: KubeProjectOptions {
            name: Some(project.to_owned()),
            namespace: Some(ns.to_owned()),
            kubernetes_version: None,
        },
        step_timeout: Some(Duration::from_secs(90)),
        timeout: Some(Duration::from_secs(150)),
        ..KubeOptions::default()
    }
}

/// Deploys and collects every event.
async fn deploy(k: &Kube, wf: &Value, o: &KubeOptions) -> (DeploymentStatus, Vec<DeployEvent>) {
    let wf = api::parse_value(wf).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let s = tokio::time::timeout(BOUND, k.deploy(&wf, o, Some(tx), &Cancel::new()))
        .await
        .expect("bounded")
        .expect("deploy runs");
    let mut evs = Vec::new();
    while let Ok(e) = rx.try_recv() {
        evs.push(e);
    }
    (s, evs)
}

/// `Kind/name` → resourceVersion of every member in `ns`.
fn versions(ns: &str) -> BTreeMap<String, String> {
    let list = kubectl_json(&[
        "-n",
        ns,
        "get",
        "deployments,statefulsets,jobs,services,configmaps,secrets",
        "-l",
        "app.kubernetes.io/managed-by=celestra",
    ]);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["metadata"]["labels"].get(PART_OF).is_some())
        .map(|o| {
            (
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                ),
                o["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

fn node_state(s: &DeploymentStatus, name: &str) -> NodeState {
    s.nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}"))
        .status
}

fn message(s: &DeploymentStatus, name: &str) -> String {
    s.nodes
        .iter()
        .find(|n| n.name == name)
        .map(|n| n.message.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex2_deploys_in_waves_then_redeploy_changes_nothing_and_an_edit_only_its_object() {
    let ns = &namespace("ex2");
    let k = kube(ns).await;
    assert_eq!(k.git_version(), "v1.20.2");
    let o = opts("pg-stack", ns);
    let (s, evs) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    assert_eq!(s.progress, 100);
    for n in &s.nodes {
        assert_eq!(n.status, NodeState::Ready, "{}: {}", n.name, n.message);
    }
    // the Job ran with the Secret's value injected; its log says so
    let (ok, log) = kubectl(&["-n", ns, "logs", "job/pg-migrate"]);
    assert!(ok && log.contains("migrated as app"), "{log}");
    // wave order: every object of wave w+1 was created after wave w was ready. The events say
    // when each wave finished; the cluster says when each object was created (seconds).
    let mut wave_done: BTreeMap<usize, u64> = BTreeMap::new();
    for e in &evs {
        if let EventBody::WaveFinished { wave, .. } = e.body {
            wave_done.insert(wave, e.ts.0);
        }
    }
    assert_eq!(wave_done.len(), s.total_waves);
    let created = |kind: &str, name: &str| -> u64 {
        let v = kubectl_json(&["-n", ns, "get", kind, name]);
        celestra_core::deploy::parse_rfc3339(v["metadata"]["creationTimestamp"].as_str().unwrap())
            .unwrap()
    };
    // pg (wave 2) ready before pg-rw (wave 3), the Job (wave 4) complete before api (wave 5)
    let job = kubectl_json(&["-n", ns, "get", "job", "pg-migrate"]);
    let completed =
        celestra_core::deploy::parse_rfc3339(job["status"]["completionTime"].as_str().unwrap())
            .unwrap();
    assert!(
        created("deployment", "api") >= completed,
        "api created before the Job completed"
    );
    let sts = kubectl_json(&["-n", ns, "get", "statefulset", "pg"]);
    assert_eq!(sts["status"]["readyReplicas"], 1);
    assert!(created("service", "pg-rw") / 1000 >= created("statefulset", "pg") / 1000);
    // inventory: kubectl sees the set through the part-of label, and the parent names it
    let parent = kubectl_json(&["-n", ns, "get", "secret", "celestra-pg-stack"]);
    let id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.starts_with("applyset-") && id.len() == 55, "{id}");
    let kinds = parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"]
        .as_str()
        .unwrap();
    assert_eq!(
        kinds,
        "ConfigMap,Deployment.apps,Job.batch,Secret,Service,StatefulSet.apps"
    );
    let members = kubectl_json(&[
        "-n",
        ns,
        "get",
        "all,configmaps,secrets",
        "-l",
        &format!("{PART_OF}={id}"),
    ]);
    let mut names: Vec<String> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ConfigMap/pg-init",
            "Deployment/api",
            "Job/pg-migrate",
            "Secret/pg-auth",
            "Service/api-svc",
            "Service/pg",
            "Service/pg-rw",
            "StatefulSet/pg"
        ]
    );
    // one field manager
    let dep = kubectl_json(&["-n", ns, "get", "deployment", "api"]);
    let managers: Vec<&str> = dep["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["operation"] == "Apply")
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["celestra"]);
    // no secret value in any event
    let all = serde_json::to_string(&evs).unwrap();
    assert!(!all.contains("s3cr3t-canary-7f3a"));

    // a redeploy changes no resourceVersion, and says so
    let before = versions(ns);
    assert_eq!(before.len(), 8, "{before:?}");
    let (s2, evs2) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    assert_eq!(s2.revision, 2);
    assert_eq!(
        versions(ns),
        before,
        "a redeploy of the same workflow changed objects"
    );
    let applied = evs2
        .iter()
        .filter(|e| {
            matches!(
                &e.body,
                EventBody::Step {
                    action: Action::Apply,
                    status: EventStatus::Succeeded,
                    ..
                }
            )
        })
        .count();
    assert_eq!(applied, 0, "nothing is sent for unchanged objects");

    // an edit changes only the edited object
    let mut wf = ex2();
    props(&mut wf, "a1")["environment"]["GREETING"] = json!("hello again");
    let (s3, _) = deploy(&k, &wf, &o).await;
    assert_eq!(s3.status, DeploymentState::Success, "{}", s3.details);
    let after = versions(ns);
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| after.get(*k) != before.get(*k))
        .collect();
    assert_eq!(
        changed,
        ["Deployment/api"],
        "only the edited App's Deployment changes"
    );
    let dep = kubectl_json(&["-n", ns, "get", "deployment", "api"]);
    let env = dep["spec"]["template"]["spec"]["containers"][0]["env"].to_string();
    assert!(env.contains("hello again"), "{env}");

    // status from the cluster, history
    let st = k.status("pg-stack", Some(ns)).await.unwrap();
    assert_eq!(st.status, DeploymentState::Success, "{}", st.details);
    assert_eq!(st.revision, 3);
    let h = k.history("pg-stack", Some(ns)).await.unwrap();
    assert_eq!(
        h.revisions.iter().map(|r| r.revision).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(h.revisions[0].jobs_ran, ["j1"]);
    assert!(
        h.revisions[1].jobs_ran.is_empty(),
        "an unchanged Job does not run again"
    );

    // delete removes everything, pods included
    let r = k.delete("pg-stack", Some(ns)).await.unwrap();
    assert_eq!(r.objects.len(), 8, "{:?}", r.objects);
    assert_eq!(r.revisions, 3);
    assert!(r.parent);
    let (_, left) = kubectl(&[
        "-n",
        ns,
        "get",
        "secrets,configmaps,deployments,statefulsets,jobs,services",
        "-l",
        &format!("{PART_OF}={id}"),
        "-o",
        "name",
    ]);
    assert!(
        left.trim().is_empty() || left.contains("No resources"),
        "left: {left}"
    );
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_node_is_pruned_and_drift_is_restored() {
    let ns = &namespace("prune");
    let k = kube(ns).await;
    let o = opts("prune", ns);
    let (s, _) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    // drift: someone scales the api with kubectl
    let (ok, text) = kubectl(&["-n", ns, "scale", "deployment", "api", "--replicas=3"]);
    assert!(ok, "{text}");
    let mut wf = ex2();
    remove_node(&mut wf, "v2");
    let (s2, evs) = deploy(&k, &wf, &o).await;
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    let pruned: Vec<String> = evs
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Step {
                action: Action::Prune,
                object: Some(o),
                ..
            } => Some(format!("{}/{}", o.kind, o.name)),
            _ => None,
        })
        .collect();
    assert_eq!(pruned, ["Service/api-svc"]);
    let (ok, text) = kubectl(&["-n", ns, "get", "service", "api-svc"]);
    assert!(!ok && text.contains("NotFound"), "{text}");
    let dep = kubectl_json(&["-n", ns, "get", "deployment", "api"]);
    assert_eq!(dep["spec"]["replicas"], 1, "the drift was restored");
    let id = kubectl_json(&["-n", ns, "get", "secret", "celestra-prune"])["metadata"]["labels"]["applyset.kubernetes.io/id"].as_str().unwrap().to_owned();
    let (_, names) = kubectl(&[
        "-n",
        ns,
        "get",
        "services",
        "-l",
        &format!("{PART_OF}={id}"),
        "-o",
        "name",
    ]);
    let mut names: Vec<&str> = names.lines().collect();
    names.sort();
    // without a Service node selecting it, the App gets the generator's implicit Service `api`
    assert_eq!(names, ["service/api", "service/pg", "service/pg-rw"]);
    k.delete("prune", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_watch_follows_the_cluster_and_the_next_revision() {
    let ns = &namespace("watch");
    let k = kube(ns).await;
    let o = opts("watch", ns);
    let (s, _) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    // someone deletes the api's Deployment; once the watch has seen it, a redeploy brings it back
    let (saw_missing, mut missing_seen) = tokio::sync::mpsc::unbounded_channel::<()>();
    // (one task: the driver's futures are not Send)
    let redeploy = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (ok, text) = kubectl(&["-n", ns, "delete", "deployment", "api", "--wait=false"]);
        assert!(ok, "{text}");
        missing_seen.recv().await;
        let k2 = kube(ns).await;
        deploy(&k2, &ex2(), &o).await.0
    };
    let mut seen: Vec<(u64, DeploymentState, NodeState, String)> = Vec::new();
    let started = Instant::now();
    let cancel = Cancel::new();
    let watch = tokio::time::timeout(
        BOUND,
        k.watch("watch", Some(ns), &cancel, |s| {
            let api = s.nodes.iter().find(|n| n.name == "api").expect("api");
            seen.push((s.revision, s.status, api.status, api.message.clone()));
            if api.message.contains("missing") {
                let _ = saw_missing.send(());
            }
            !(s.revision == 2 && s.status == DeploymentState::Success)
        }),
    );
    let (watched, s2) = tokio::join!(watch, redeploy);
    watched
        .unwrap_or_else(|_| panic!("the watch saw revision 2 succeed within {BOUND:?}"))
        .unwrap();
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    assert_eq!(
        (seen[0].0, seen[0].1, seen[0].2),
        (1, DeploymentState::Success, NodeState::Ready),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|x| x.0 == 1
            && x.2 != NodeState::Ready
            && x.3.contains("Deployment")
            && x.3.contains("missing")),
        "the deletion was seen: {seen:?}"
    );
    let last = seen.last().unwrap();
    assert_eq!(
        (last.0, last.1, last.2),
        (2, DeploymentState::Success, NodeState::Ready),
        "{seen:?}"
    );
    assert!(started.elapsed() < BOUND);
    k.delete("watch", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wait_applies_in_existence_tiers_and_reports_wave_by_wave() {
    let ns = &namespace("nowait");
    let k = kube(ns).await;
    let mut o = opts("nowait", ns);
    o.no_wait = true;
    // a Secret of another type is in the way: its type is immutable, so the tier of
    // configuration fails, and no workload (a later tier) is applied
    let (ok, text) = kubectl(&[
        "-n",
        ns,
        "create",
        "secret",
        "docker-registry",
        "pg-auth",
        "--docker-server=127.0.0.1:1",
        "--docker-username=u",
        "--docker-password=p",
    ]);
    assert!(ok, "{text}");
    let (s, evs) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Failed, "{}", s.details);
    assert_eq!(node_state(&s, "pg-auth"), NodeState::Failed);
    assert!(
        message(&s, "pg-auth").contains("immutable"),
        "{}",
        message(&s, "pg-auth")
    );
    let (_, workloads) = kubectl(&[
        "-n",
        ns,
        "get",
        "statefulsets,jobs,deployments",
        "-o",
        "name",
    ]);
    assert!(
        !workloads.contains('/'),
        "no workload was applied: {workloads}"
    );
    let (ok, _) = kubectl(&["-n", ns, "get", "configmap", "pg-init"]);
    assert!(ok, "the rest of its tier was applied");
    for name in ["pg", "pg-migrate", "api"] {
        assert_eq!(node_state(&s, name), NodeState::Skipped, "{name}");
    }
    // the events come wave by wave, as a gated deploy's do
    let check_order = |evs: &[DeployEvent]| {
        let mut wave: Option<usize> = None;
        for e in evs {
            match &e.body {
                EventBody::WaveStarted { wave: w } => {
                    assert!(wave.is_none_or(|x| *w == x + 1), "{w} after {wave:?}");
                    wave = Some(*w);
                }
                EventBody::Step { wave: w, .. } => assert_eq!(Some(*w), wave, "{e:?}"),
                _ => {}
            }
        }
        wave
    };
    assert_eq!(check_order(&evs), Some(s.total_waves - 1));
    // out of the way: every object applied, every node reported as applied, not waited for
    let (ok, text) = kubectl(&["-n", ns, "delete", "secret", "pg-auth"]);
    assert!(ok, "{text}");
    let (s2, evs2) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    assert_eq!(check_order(&evs2), Some(s2.total_waves - 1));
    for n in &s2.nodes {
        assert_eq!(n.status, NodeState::Ready, "{}", n.name);
        assert!(n.message.contains("--no-wait"), "{}: {}", n.name, n.message);
    }
    let (_, workloads) = kubectl(&[
        "-n",
        ns,
        "get",
        "statefulsets,jobs,deployments",
        "-o",
        "name",
    ]);
    let mut names: Vec<&str> = workloads.lines().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "deployment.apps/api",
            "job.batch/pg-migrate",
            "statefulset.apps/pg"
        ]
    );
    k.delete("nowait", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

/// The CLI in a pod, with no kubeconfig: the in-cluster configuration (the service account's
/// token, CA and namespace; the API server's address from `KUBERNETES_SERVICE_HOST`/`_PORT`).
/// The pod runs on the host's network (this cluster has no kube-proxy, so the `kubernetes`
/// Service's address does not route) with the test build of the CLI and the host's C library
/// mounted read-only from the host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_cluster_config_deploys_from_a_pod_with_its_service_account() {
    let ns = &namespace("incluster");
    let cli = std::path::PathBuf::from(
        std::env::var("CELESTRA_CLI")
            .expect("CELESTRA_CLI: the celestra binary (make kube builds it)"),
    );
    let cli = cli.canonicalize().expect("the CLI exists");
    let bin_dir = cli.parent().unwrap().to_str().unwrap().to_owned();
    let bin_name = cli.file_name().unwrap().to_str().unwrap().to_owned();
    let server =
        kubectl_json(&["config", "view", "--minify", "--raw"])["clusters"][0]["cluster"]["server"]
            .as_str()
            .unwrap()
            .to_owned();
    let hostport = server.trim_start_matches("https://");
    let (host, port) = hostport.rsplit_once(':').unwrap();
    let wf = json!({"schemaVersion": "1.0", "id": "wf-incluster", "name": "incluster", "nodes": [
        {"id": "c", "type": "celestra-configmap", "position": {"x": 0, "y": 0},
         "data": {"name": "from-inside", "properties": {"data": {"WHERE": "in-cluster"}}}}],
        "connections": []});
    let lib = if std::path::Path::new("/lib/x86_64-linux-gnu").is_dir() {
        "/lib/x86_64-linux-gnu"
    } else {
        "/usr/lib"
    };
    let objects = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer", "namespace": ns}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "deployer-admin", "namespace": ns},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
         "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": ns}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "workflow", "namespace": ns},
         "data": {"wf.json": wf.to_string()}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "celestra", "namespace": ns},
         "spec": {
            "serviceAccountName": "deployer", "hostNetwork": true, "restartPolicy": "Never",
            "containers": [{"name": "celestra", "image": "celestra-test/busybox:1",
                "imagePullPolicy": "Never",
                "command": [format!("/celestra/{bin_name}"), "deploy", "/wf/wf.json", "--target", "kubernetes",
                            "--project", "incluster", "--format", "json"],
                "env": [{"name": "KUBERNETES_SERVICE_HOST", "value": host},
                        {"name": "KUBERNETES_SERVICE_PORT", "value": port}],
                "volumeMounts": [
                    {"name": "cli", "mountPath": "/celestra", "readOnly": true},
                    {"name": "lib", "mountPath": lib, "readOnly": true},
                    {"name": "lib64", "mountPath": "/lib64", "readOnly": true},
                    {"name": "wf", "mountPath": "/wf", "readOnly": true}]}],
            "volumes": [
                {"name": "cli", "hostPath": {"path": bin_dir, "type": "Directory"}},
                {"name": "lib", "hostPath": {"path": lib, "type": "Directory"}},
                {"name": "lib64", "hostPath": {"path": "/lib64", "type": "Directory"}},
                {"name": "wf", "configMap": {"name": "workflow"}}]}}]});
    kubectl_apply(&objects, "incluster");
    let phase = wait_until(
        "the in-cluster pod ends",
        Duration::from_secs(120),
        Duration::from_millis(500),
        || {
            let pod = kubectl_json(&["-n", ns, "get", "pod", "celestra"]);
            let phase = pod["status"]["phase"].as_str().unwrap_or("").to_owned();
            (phase == "Succeeded" || phase == "Failed").then_some(phase)
        },
    )
    .await;
    let (_, log) = kubectl(&["-n", ns, "logs", "celestra"]);
    assert_eq!(phase, "Succeeded", "the in-cluster deploy: {log}");
    let last: Value = serde_json::from_str(log.lines().last().unwrap_or("")).unwrap_or(Value::Null);
    assert_eq!(last["status"], "success", "{log}");
    // the service account's namespace is the project's: its inventory and its object are there
    let cm = kubectl_json(&["-n", ns, "get", "configmap", "from-inside"]);
    assert_eq!(cm["data"]["WHERE"], "in-cluster");
    assert!(cm["metadata"]["labels"].get(PART_OF).is_some(), "{cm}");
    let (ok, text) = kubectl(&["-n", ns, "get", "secret", "celestra-incluster"]);
    assert!(ok, "{text}");
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpullable_image_and_crash_loop_fail_in_seconds_with_the_pods_reason() {
    let ns = &namespace("fail");
    let k = kube(ns).await;
    let mut wf = ex2();
    // a registry on a closed loopback port: the pull fails without leaving the machine
    props(&mut wf, "a1")["image"] = json!("127.0.0.1:1/celestra-test/missing:1");
    let t0 = Instant::now();
    let (s, evs) = deploy(&k, &wf, &opts("fail", ns)).await;
    let took = t0.elapsed();
    assert_eq!(s.status, DeploymentState::Failed);
    assert_eq!(node_state(&s, "api"), NodeState::Failed);
    let msg = message(&s, "api");
    assert!(
        msg.contains("ErrImagePull") || msg.contains("ImagePullBackOff"),
        "{msg}"
    );
    assert_eq!(node_state(&s, "api-svc"), NodeState::Skipped);
    // the api's wave started after the others were ready; it failed within seconds of its apply
    let applied = evs.iter().find(|e| matches!(&e.body, EventBody::Step { action: Action::Apply, object: Some(o), status: EventStatus::Succeeded, .. } if o.name == "api")).unwrap().ts.0;
    let failed = evs.iter().find(|e| matches!(&e.body, EventBody::Step { object: None, status: EventStatus::Failed, node_id, .. } if node_id == "a1")).unwrap().ts.0;
    assert!(
        failed - applied < 15_000,
        "reported {} ms after the apply",
        failed - applied
    );
    assert!(took < Duration::from_secs(90), "{took:?}");

    // a crash loop
    let mut wf = ex2();
    props(&mut wf, "a1")["environment"]["RUN"] = json!("echo starting; exit 3");
    let (s, evs) = deploy(&k, &wf, &opts("fail", ns)).await;
    assert_eq!(s.status, DeploymentState::Failed);
    let msg = message(&s, "api");
    assert!(msg.contains("CrashLoopBackOff"), "{msg}");
    assert!(msg.contains("exit code 3"), "{msg}");
    let log = evs.iter().find_map(|e| match &e.body {
        EventBody::Log { lines, .. } => Some(lines.join("\n")),
        _ => None,
    });
    assert!(log.as_deref().unwrap_or("").contains("starting"), "{log:?}");
    k.delete("fail", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_migration_stops_the_deploy_with_its_log_tail() {
    let ns = &namespace("job");
    let k = kube(ns).await;
    let mut wf = ex2();
    props(&mut wf, "j1")["command"] = json!([
        "sh",
        "-c",
        "echo applying 0042_add_index; echo 'ERROR: relation missing' >&2; exit 1"
    ]);
    let (s, evs) = deploy(&k, &wf, &opts("job", ns)).await;
    assert_eq!(s.status, DeploymentState::Failed);
    assert_eq!(node_state(&s, "pg-migrate"), NodeState::Failed);
    assert!(
        message(&s, "pg-migrate").contains("BackoffLimitExceeded")
            || message(&s, "pg-migrate").contains("backoff limit"),
        "{}",
        message(&s, "pg-migrate")
    );
    assert_eq!(
        node_state(&s, "api"),
        NodeState::Skipped,
        "nothing after the Job runs"
    );
    let (ok, _) = kubectl(&["-n", ns, "get", "deployment", "api"]);
    assert!(!ok, "the api was not applied");
    let log = evs
        .iter()
        .find_map(|e| match &e.body {
            EventBody::Log { lines, .. } => Some(lines.join("\n")),
            _ => None,
        })
        .unwrap_or_default();
    assert!(
        log.contains("0042_add_index") && log.contains("relation missing"),
        "{log}"
    );
    k.delete("job", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_permissions_is_refused_before_anything_is_applied() {
    let ns = &namespace("rbac");
    let limited = std::env::var("CELESTRA_KUBECONFIG_LIMITED").expect("scripts/kube.sh env");
    // the limited user may only read and write ConfigMaps and Secrets in the namespace
    let (ok, text) = kubectl(&[
        "-n",
        ns,
        "create",
        "role",
        "cm-only",
        "--verb=get,list,watch,create,patch,delete",
        "--resource=configmaps,secrets",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = kubectl(&[
        "-n",
        ns,
        "create",
        "rolebinding",
        "cm-only",
        "--role=cm-only",
        "--user=celestra-limited",
    ]);
    assert!(ok, "{text}");
    let k = Kube::connect(&KubeConnect {
        kubeconfig: Some(limited.into()),
        namespace: Some(ns.into()),
        ..KubeConnect::default()
    })
    .await
    .unwrap();
    let wf = api::parse_value(&ex2()).unwrap();
    let err = k
        .deploy(&wf, &opts("rbac", ns), None, &Cancel::new())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden, "{}", err.message);
    for verb in [
        format!("create deployments.apps in namespace {ns}"),
        format!("patch statefulsets.apps in namespace {ns}"),
        format!("watch jobs.batch in namespace {ns}"),
    ] {
        assert!(err.message.contains(&verb), "{verb}: {}", err.message);
    }
    assert!(!err.message.contains("configmaps"), "{}", err.message);
    let (_, left) = kubectl(&[
        "-n",
        ns,
        "get",
        "configmaps,secrets",
        "-l",
        "app.kubernetes.io/managed-by=celestra",
        "-o",
        "name",
    ]);
    assert!(
        !left.contains("pg-init") && !left.contains("celestra-rbac"),
        "nothing applied: {left}"
    );
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_connections_are_clear_errors() {
    // an uploaded kubeconfig may not run commands or read files
    let exec = "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:16443'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/touch, args: [/tmp/pwned]}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n";
    let e = Kube::connect(&KubeConnect {
        kubeconfig_text: Some(exec.into()),
        ..KubeConnect::default()
    })
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Option);
    assert!(e.message.contains("exec"), "{}", e.message);
    let file = exec.replace("{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/touch, args: [/tmp/pwned]}}", "{tokenFile: /etc/shadow}");
    let e = Kube::connect(&KubeConnect {
        kubeconfig_text: Some(file),
        ..KubeConnect::default()
    })
    .await
    .unwrap_err();
    assert!(e.message.contains("tokenFile"), "{}", e.message);
    // the test cluster's own kubeconfig is inline: accepted as text
    let text = std::fs::read_to_string(kubeconfig()).unwrap();
    let k = Kube::connect(&KubeConnect {
        kubeconfig_text: Some(text.clone()),
        ..KubeConnect::default()
    })
    .await
    .unwrap();
    assert_eq!(k.version().to_string(), "1.20");
    // a wrong token
    let bad = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("token:") {
                "    token: not-a-token".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let e = Kube::connect(&KubeConnect {
        kubeconfig_text: Some(bad),
        ..KubeConnect::default()
    })
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized, "{}", e.message);
    // nobody listening
    let gone = text.replace("https://127.0.0.1:16443", "https://127.0.0.1:16499");
    let t0 = Instant::now();
    let e = Kube::connect(&KubeConnect {
        kubeconfig_text: Some(gone),
        ..KubeConnect::default()
    })
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::EngineUnreachable, "{}", e.message);
    assert!(e.message.contains("127.0.0.1:16499"), "{}", e.message);
    assert!(t0.elapsed() < Duration::from_secs(15));
    // a namespace that does not exist
    let k = kube("kt-does-not-exist").await;
    let wf = api::parse_value(&ex2()).unwrap();
    let e = k
        .deploy(
            &wf,
            &opts("nons", "kt-does-not-exist"),
            None,
            &Cancel::new(),
        )
        .await
        .unwrap_err();
    assert!(
        e.message.contains("kt-does-not-exist") && e.message.contains("does not exist"),
        "{}",
        e.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_shows_exactly_the_edit_and_dry_run_changes_nothing() {
    let ns = &namespace("diff");
    let k = kube(ns).await;
    let o = opts("diff", ns);
    let (s, _) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    let before = versions(ns);
    let same = k
        .diff(&api::parse_value(&ex2()).unwrap(), &o)
        .await
        .unwrap();
    assert!(!same.changed(), "{}", same.to_text());
    let mut wf = ex2();
    props(&mut wf, "a1")["environment"]["GREETING"] = json!("bonjour");
    props(&mut wf, "s1")["data"]["POSTGRES_PASSWORD"] = json!("n3w-s3cr3t-value");
    let d = k.diff(&api::parse_value(&wf).unwrap(), &o).await.unwrap();
    assert!(d.changed());
    let changed: Vec<(String, Vec<String>)> = d
        .objects
        .iter()
        .filter(|o| o.op != api::DiffOp::Unchanged)
        .map(|o| (o.object.clone(), o.paths.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            (
                format!("Secret/{ns}/pg-auth"),
                vec!["/data/POSTGRES_PASSWORD".to_owned()]
            ),
            (
                format!("Deployment/{ns}/api"),
                vec!["/spec/template/spec/containers/0/env/0/value".to_owned()]
            ),
        ]
    );
    let text = d.to_text();
    assert!(
        text.contains("-          value: hello\n+          value: bonjour\n"),
        "{text}"
    );
    assert!(
        text.contains("POSTGRES_PASSWORD: <redacted (after)>"),
        "{text}"
    );
    for secret in [
        "n3w-s3cr3t-value",
        "s3cr3t-canary-7f3a",
        "bjN3LXMzY3IzdC12YWx1ZQ",
    ] {
        assert!(!text.contains(secret) && !serde_json::to_string(&d).unwrap().contains(secret));
    }
    // neither the diff nor the dry-run plan wrote anything
    let _ = k.plan(&api::parse_value(&wf).unwrap(), &o).await.unwrap();
    assert_eq!(versions(ns), before);
    // the CLI: exit 1 when something would change, 0 when nothing would
    {
        let cli = std::env::var("CELESTRA_CLI")
            .expect("CELESTRA_CLI: the celestra binary (make kube builds it)");
        let path = std::env::temp_dir().join(format!("kt-diff-{}.json", std::process::id()));
        std::fs::write(&path, serde_json::to_string(&wf).unwrap()).unwrap();
        let run = |file: &str| {
            Command::new(&cli)
                .args([
                    "diff",
                    file,
                    "--target",
                    "kubernetes",
                    "--kubeconfig",
                    &kubeconfig(),
                    "--namespace",
                    ns,
                    "--project",
                    "diff",
                ])
                .output()
                .unwrap()
        };
        let edited = run(path.to_str().unwrap());
        assert_eq!(
            edited.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&edited.stderr)
        );
        assert!(String::from_utf8_lossy(&edited.stdout).contains("+          value: bonjour"));
        let same = run(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/deploy/ex2-kube.json"
        ));
        assert_eq!(
            same.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&same.stdout)
        );
        let _ = std::fs::remove_file(path);
    }
    k.delete("diff", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restores_and_prunes_without_running_the_job_again() {
    let ns = &namespace("rollback");
    let k = kube(ns).await;
    let o = opts("rb", ns);
    let (s, _) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    let job_uid = kubectl_json(&["-n", ns, "get", "job", "pg-migrate"])["metadata"]["uid"].clone();
    // revision 2: an edit and an addition
    let mut wf = ex2();
    props(&mut wf, "a1")["environment"]["GREETING"] = json!("v2");
    let mut extra = wf["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "m1")
        .unwrap()
        .clone();
    extra["id"] = json!("m9");
    extra["data"]["name"] = json!("extra-config");
    wf["nodes"].as_array_mut().unwrap().push(extra);
    let (s2, _) = deploy(&k, &wf, &o).await;
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    let (ok, _) = kubectl(&["-n", ns, "get", "configmap", "extra-config"]);
    assert!(ok);
    // roll back to 1
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let s3 = tokio::time::timeout(BOUND, k.rollback("rb", None, &o, Some(tx), &Cancel::new()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s3.status, DeploymentState::Success, "{}", s3.details);
    assert_eq!(s3.revision, 3);
    let mut started = None;
    while let Ok(e) = rx.try_recv() {
        if let EventBody::Started { rollback_of, .. } = e.body {
            started = rollback_of;
        }
    }
    assert_eq!(started, Some(1));
    let (ok, text) = kubectl(&["-n", ns, "get", "configmap", "extra-config"]);
    assert!(
        !ok && text.contains("NotFound"),
        "the later addition is pruned: {text}"
    );
    let env = kubectl_json(&["-n", ns, "get", "deployment", "api"])["spec"]["template"]["spec"]["containers"][0]["env"].to_string();
    assert!(env.contains("hello") && !env.contains("v2"), "{env}");
    assert_eq!(
        kubectl_json(&["-n", ns, "get", "job", "pg-migrate"])["metadata"]["uid"],
        job_uid,
        "the Job was not run again"
    );
    let h = k.history("rb", Some(ns)).await.unwrap();
    let last = h.current().unwrap();
    assert_eq!(last.rollback_of, Some(1));
    assert!(last.jobs_ran.is_empty());
    // a revision whose changed Job ran cannot be rolled back past
    let mut wf4 = ex2();
    props(&mut wf4, "j1")["command"] = json!(["sh", "-c", "echo migration 2"]);
    let (s4, _) = deploy(&k, &wf4, &o).await;
    assert_eq!(s4.status, DeploymentState::Success, "{}", s4.details);
    let e = k
        .rollback("rb", Some(3), &o, None, &Cancel::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RollbackRefused, "{}", e.message);
    assert!(e.message.contains("pg-migrate"), "{}", e.message);
    k.delete("rb", Some(ns)).await.unwrap();
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex3_deploys_with_its_appgroup_namespace_and_a_1000_node_snapshot_stays_small() {
    let ns = &namespace("ex3");
    let k = kube(ns).await;
    let wf: Value = serde_json::from_str(include_str!("../fixtures/deploy/ex3-kube.json")).unwrap();
    // the AppGroup's namespace is `shop`: give this run its own
    let mut wf = wf;
    let group_ns = format!("{ns}-shop");
    props(&mut wf, "g0")["namespace"] = json!(group_ns);
    let (s, _) = deploy(&k, &wf, &opts("ex3", ns)).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    assert_eq!(s.nodes.len(), 12);
    let dep = kubectl_json(&["-n", &group_ns, "get", "deployment", "api"]);
    assert_eq!(dep["status"]["availableReplicas"], 2);
    let st = k.status("ex3", Some(ns)).await.unwrap();
    assert_eq!(st.status, DeploymentState::Success, "{}", st.details);
    // the Namespace is a member and goes last on delete
    let r = k.delete("ex3", Some(ns)).await.unwrap();
    assert_eq!(
        r.objects.last().map(String::as_str),
        Some(format!("Namespace/{group_ns}").as_str())
    );
    drop_namespace(ns);
    // revision records: a 1,000-node workflow's snapshot stays far below the 1 MiB object limit
    let big = api::parse_value(&celestra_fixtures::synthetic(1000, 7)).unwrap();
    let rec = celestra_core::deploy::Revision::new(
        1,
        "d",
        &big,
        json!({}),
        celestra_core::deploy::Timestamp(0),
    );
    let size = celestra_core::api::kube_record_size(&rec);
    eprintln!("1,000-node revision record: {size} bytes");
    assert!(size < 256 * 1024, "{size} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_without_room_is_refused_before_anything_is_applied() {
    let ns = &namespace("quota");
    let (ok, text) = kubectl(&["-n", ns, "create", "quota", "small", "--hard=pods=1"]);
    assert!(ok, "{text}");
    // the quota controller fills in status.used
    wait_until(
        "the quota controller fills in status.used",
        Duration::from_secs(30),
        Duration::from_millis(200),
        || {
            let q = kubectl_json(&["-n", ns, "get", "resourcequota", "small"]);
            (!q["status"]["used"]["pods"].is_null()).then_some(())
        },
    )
    .await;
    let k = kube(ns).await;
    let wf = api::parse_value(&ex2()).unwrap();
    let e = k
        .deploy(&wf, &opts("quota", ns), None, &Cancel::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Quota, "{}", e.message);
    assert!(
        e.message.contains(&format!(
            "namespace {ns}, ResourceQuota small: pods needs 2 more, 1 left of 1"
        )),
        "{}",
        e.message
    );
    let (_, left) = kubectl(&[
        "-n",
        ns,
        "get",
        "secrets,configmaps",
        "-l",
        "app.kubernetes.io/managed-by=celestra",
        "-o",
        "name",
    ]);
    assert!(
        left.trim().is_empty() || left.contains("No resources"),
        "nothing applied: {left}"
    );
    drop_namespace(ns);
}

/// A fixture made runnable on the test node: every image the local test image (which runs
/// `$RUN`, here a web server), commands of Jobs and CronJobs `true`, probes and pod security
/// left out (the image serves no health paths and runs as root), CPU and memory made small,
/// storage classes the cluster's default, AppGroup namespaces prefixed for this run.
fn runnable(mut v: Value, prefix: &str) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in [
                    "livenessProbe",
                    "readinessProbe",
                    "startupProbe",
                    "podSecurityStandard",
                    "storageClass",
                    "gpu",
                    "nodeSelector",
                    "tolerations",
                    "imagePullSecrets",
                    "securityContext",
                ] {
                    m.remove(k);
                }
                if m.contains_key("image") {
                    m.insert("image".into(), json!("celestra-test/busybox:1"));
                }
                // the node has 2 CPUs: every request and limit kept (quotas may require them)
                // but made small
                for (k, small) in [
                    ("cpuRequest", "10m"),
                    ("cpuLimit", "50m"),
                    ("memoryRequest", "16Mi"),
                    ("memoryLimit", "64Mi"),
                ] {
                    if m.contains_key(k) {
                        m.insert(k.into(), json!(small));
                    }
                }
                for x in m.values_mut() {
                    walk(x);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    for n in v["nodes"].as_array_mut().unwrap() {
        let ty = n["type"].as_str().unwrap_or("").to_owned();
        let p = &mut n["data"]["properties"];
        walk(p);
        if ty == "celestra-appgroup" {
            let ns = p["namespace"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| n["data"]["name"].as_str().unwrap_or("g").to_owned());
            n["data"]["properties"]["namespace"] = json!(format!("{prefix}-{ns}"));
            continue;
        }
        if matches!(ty.as_str(), "celestra-job" | "celestra-cronjob") {
            let p = n["data"]["properties"].as_object_mut().unwrap();
            p.remove("args");
            p.insert("command".into(), json!(["true"]));
        }
        if matches!(ty.as_str(), "celestra-app" | "celestra-statefulapp") {
            let p = n["data"]["properties"].as_object_mut().unwrap();
            p.remove("args");
            p.remove("command");
            let env = &mut n["data"]["properties"]["environment"];
            if !env.is_object() {
                *env = json!({});
            }
            env["RUN"] = json!("mkdir -p /tmp/w && exec httpd -f -p 8080 -h /tmp/w");
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_deploys_to_its_gates_or_is_refused_with_a_reason() {
    let ns = &namespace("all");
    let k = kube(ns).await;
    let mut outcomes = Vec::new();
    for (i, path) in celestra_fixtures::valid_workflows().iter().enumerate() {
        let name = celestra_fixtures::stem(path);
        let wf: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let wf = runnable(wf, &format!("{ns}-{i}"));
        let parsed = api::parse_value(&wf).unwrap();
        let mut o = opts(&format!("f{i}"), ns);
        o.step_timeout = Some(Duration::from_secs(60));
        let got = tokio::time::timeout(BOUND, k.deploy(&parsed, &o, None, &Cancel::new()))
            .await
            .expect("bounded");
        let outcome = match got {
            Ok(s) if s.status == DeploymentState::Success => "deployed".to_owned(),
            Ok(s) => format!("FAILED: {}", s.details),
            Err(e) => format!("refused {}: {}", e.code.as_str(), e.message),
        };
        eprintln!("{name}: {outcome}");
        outcomes.push((name, outcome));
        let _ = k.delete(&format!("f{i}"), Some(ns)).await;
    }
    // a deploy that fails is a bug; a refusal must be for a reason the cluster really has.
    // One fixture fails for a reason of its own: its Job mounts the PVC of an App that the
    // plan applies after the Job (the Job is the App's dependency), so the pod cannot be
    // scheduled; the failure must say so.
    for (name, outcome) in &outcomes {
        let expected = match name.as_str() {
            "ml-inference-gpu" => {
                outcome.contains("persistentvolumeclaim \"llm-server-models\" not found")
            }
            _ => outcome == "deployed" || outcome.starts_with("refused CRD_MISSING"),
        };
        assert!(expected, "{name}: {outcome}");
    }
    // the operators' CRDs (Argo Rollouts, Prometheus Operator) are not installed on the test
    // cluster: exactly the fixtures that use them are refused, before anything is applied
    let refused: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| o.starts_with("refused"))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "blue-green-storefront",
            "ex4-canary-observability-crd",
            "grpc-geo-services",
            "hostile-values",
            "observability-stack"
        ]
    );
    let deployed = outcomes.iter().filter(|(_, o)| o == "deployed").count();
    assert_eq!(deployed, outcomes.len() - refused.len() - 1, "{outcomes:?}");
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_is_established_before_its_custom_resources_are_applied() {
    let ns = &namespace("crd");
    let k = kube(ns).await;
    let group = format!("t{}.celestra.test", std::process::id());
    let wf = json!({"schemaVersion": "1.0", "id": "wf-crd", "name": "crd", "nodes": [
        {"id": "crd", "type": "celestra-customresource", "position": {"x": 0, "y": 0}, "data": {"name": "widget", "properties": {
            "group": group, "version": "v1alpha1", "kind": "Widget", "plural": "widgets", "scope": "Namespaced",
            "schema": [{"name": "size", "type": "integer", "default": 1, "minimum": 1, "maximum": 9}],
            "instances": [{"name": "small", "spec": {"size": 2}}, {"name": "large", "spec": {"size": 9}}]}}}],
        "connections": []});
    let (s, evs) = deploy(&k, &wf, &opts("crd", ns)).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    // the CRD was applied, then the instances (in this order, in one step)
    let applied: Vec<String> = evs
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Step {
                action: Action::Apply,
                status: EventStatus::Succeeded,
                object: Some(o),
                ..
            } => Some(format!("{}/{}", o.kind, o.name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        applied,
        [
            format!("CustomResourceDefinition/widgets.{group}"),
            "Widget/small".to_owned(),
            "Widget/large".to_owned()
        ]
    );
    let w = kubectl_json(&["-n", ns, "get", &format!("widgets.{group}"), "large"]);
    assert_eq!(w["spec"]["size"], 9);
    // a redeploy sends nothing; delete removes the instances, then the CRD
    let (s2, evs2) = deploy(&k, &wf, &opts("crd", ns)).await;
    assert_eq!(s2.status, DeploymentState::Success, "{}", s2.details);
    assert!(!evs2.iter().any(|e| matches!(
        &e.body,
        EventBody::Step {
            action: Action::Apply,
            status: EventStatus::Succeeded,
            ..
        }
    )));
    let r = k.delete("crd", Some(ns)).await.unwrap();
    assert_eq!(
        r.objects.last().map(String::as_str),
        Some(format!("CustomResourceDefinition/widgets.{group}").as_str()),
        "{:?}",
        r.objects
    );
    let (ok, _) = kubectl(&["get", "crd", &format!("widgets.{group}")]);
    assert!(!ok, "the CRD is gone");
    drop_namespace(ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immutable_change_fails_naming_the_node_unless_force_replace_and_failures_roll_back() {
    let ns = &namespace("immutable");
    let k = kube(ns).await;
    let mut o = opts("imm", ns);
    let (s, _) = deploy(&k, &ex2(), &o).await;
    assert_eq!(s.status, DeploymentState::Success, "{}", s.details);
    let pvc_before = kubectl_json(&["-n", ns, "get", "pvc"])["items"]
        .as_array()
        .unwrap()
        .len();
    // a StatefulSet's volume claim templates cannot change in place
    let mut wf = ex2();
    props(&mut wf, "p1")["storage"] = json!("2Gi");
    let (s2, _) = deploy(&k, &wf, &o).await;
    assert_eq!(s2.status, DeploymentState::Failed);
    assert_eq!(node_state(&s2, "pg"), NodeState::Failed);
    let msg = message(&s2, "pg");
    assert!(
        msg.contains("StatefulSet") && msg.contains("--force-replace"),
        "{msg}"
    );
    // with --force-replace it is deleted and created again; its volume is kept
    o.force_replace = true;
    let (s3, evs) = deploy(&k, &wf, &o).await;
    assert_eq!(s3.status, DeploymentState::Success, "{}", s3.details);
    assert!(evs.iter().any(|e| matches!(&e.body, EventBody::Step { object: Some(r), status: EventStatus::Succeeded, message, .. } if r.name == "pg" && message == "recreated")));
    assert!(
        kubectl_json(&["-n", ns, "get", "pvc"])["items"]
            .as_array()
            .unwrap()
            .len()
            >= pvc_before,
        "no volume deleted"
    );
    // rollback on failure: an unpullable image in the next revision, the previous one restored
    o.force_replace = false;
    o.rollback_on_failure = true;
    let mut bad = wf.clone();
    props(&mut bad, "a1")["image"] = json!("127.0.0.1:1/celestra-test/missing:2");
    let (s4, evs4) = deploy(&k, &bad, &o).await;
    assert_eq!(s4.status, DeploymentState::Failed);
    assert_eq!(
        s4.reason,
        Some(celestra_core::deploy::Reason::RolledBack),
        "{}",
        s4.details
    );
    assert!(
        evs4.iter()
            .any(|e| matches!(e.body, EventBody::RollbackStarted { .. }))
    );
    let image = kubectl_json(&["-n", ns, "get", "deployment", "api"])["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    assert_eq!(image, "celestra-test/busybox:1");
    let h = k.history("imm", Some(ns)).await.unwrap();
    assert_eq!(h.current().unwrap().rollback_of, Some(3));
    k.delete("imm", Some(ns)).await.unwrap();
    drop_namespace(ns);
}
