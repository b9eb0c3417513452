//! Deploys on a real Docker engine (`make docker`: scripts/docker.sh starts a private dockerd
//! and builds the test images `celestra-test/busybox:1|2`, whose CMD runs `$RUN`).
//!
//! Every test uses its own project and host port, is bounded in time, removes its project
//! before and after, and checks the engine's own view (container ids, start and finish times,
//! environment, files) rather than the engine's word for it.

use celestra_core::api::{self, Cancel, Docker, DockerOptions, ErrorCode};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::{
    Action, DeployEvent, DeploymentState, DeploymentStatus, EventBody, NodeState, Op, Reason,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;

const EX2: &str = include_str!("../fixtures/deploy/ex2-docker.json");
/// No single test may run longer.
const BOUND: Duration = Duration::from_secs(150);

fn host() -> String {
    std::env::var("DOCKER_HOST").expect(
        "DOCKER_HOST is not set: run these tests through `make docker` (scripts/docker.sh start)",
    )
}

async fn docker() -> Docker {
    Docker::connect(Some(&host()))
        .await
        .expect("the test engine answers")
}

/// Ex2 for one test: its project name and the api's published port.
fn ex2(port: u16) -> Value {
    let mut v: Value = serde_json::from_str(EX2).unwrap();
    for n in v["nodes"].as_array_mut().unwrap() {
        if n["id"] == "v2" {
            n["data"]["properties"]["ports"][0]["nodePort"] = json!(port);
        }
    }
    v
}

fn node<'v>(wf: &'v mut Value, id: &str) -> &'v mut Value {
    wf["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

fn props<'v>(wf: &'v mut Value, id: &str) -> &'v mut Value {
    &mut node(wf, id)["data"]["properties"]
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

fn opts(project: &str) -> DockerOptions {
    DockerOptions {
        project: ProjectOptions {
            project: Some(project.to_owned()),
            publish_address: None,
        },
        step_timeout: Some(Duration::from_secs(60)),
        timeout: Some(Duration::from_secs(120)),
        ..DockerOptions::default()
    }
}

/// Deploys and collects every event.
async fn deploy_with(
    d: &Docker,
    wf: &Value,
    o: &DockerOptions,
    cancel: &Cancel,
) -> (DeploymentStatus, Vec<DeployEvent>) {
    let workflow = api::parse_value(wf).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let status = d
        .deploy(&workflow, o, Some(tx), cancel)
        .await
        .expect("the deploy runs");
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    check_stream(&events, &status);
    (status, events)
}

async fn deploy(d: &Docker, wf: &Value, o: &DockerOptions) -> (DeploymentStatus, Vec<DeployEvent>) {
    deploy_with(d, wf, o, &Cancel::new()).await
}

/// What holds for every stream: seq strictly increasing from 1, one deployment id, the
/// reducer's fold equals the driver's status, and progress never goes down.
fn check_stream(events: &[DeployEvent], status: &DeploymentStatus) {
    assert!(!events.is_empty());
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "seq");
        assert_eq!(e.deployment_id, events[0].deployment_id);
    }
    let mut s = DeploymentStatus::new();
    let mut last = 0;
    for e in events {
        s.apply(e);
        assert!(s.progress >= last, "progress went down at seq {}", e.seq);
        last = s.progress;
    }
    assert_eq!(&s, status, "folding the events gives the returned status");
    assert!(matches!(
        events.last().unwrap().body,
        EventBody::Finished { .. }
    ));
    assert_eq!(
        status.progress == 100,
        status.status == DeploymentState::Success
    );
}

async fn inspect(d: &Docker, name: &str) -> bollard::models::ContainerInspectResponse {
    d.client()
        .inspect_container(name, None)
        .await
        .unwrap_or_else(|e| panic!("container {name}: {e}"))
}

async fn exists(d: &Docker, name: &str) -> bool {
    d.client().inspect_container(name, None).await.is_ok()
}

async fn id(d: &Docker, name: &str) -> String {
    inspect(d, name).await.id.unwrap()
}

fn env_of(i: &bollard::models::ContainerInspectResponse) -> Vec<String> {
    i.config
        .as_ref()
        .and_then(|c| c.env.clone())
        .unwrap_or_default()
}

/// A file's bytes, read out of a container through the archive endpoint.
async fn file(d: &Docker, container: &str, path: &str) -> Vec<u8> {
    let mut s = d.client().download_from_container(
        container,
        Some(bollard::query_parameters::DownloadFromContainerOptions { path: path.into() }),
    );
    let mut tar = Vec::new();
    while let Some(chunk) = s.next().await {
        tar.extend_from_slice(&chunk.unwrap_or_else(|e| panic!("{container}:{path}: {e}")));
    }
    let size = std::str::from_utf8(&tar[124..135])
        .unwrap()
        .trim_matches(char::from(0));
    let size = usize::from_str_radix(size.trim(), 8).unwrap();
    tar[512..512 + size].to_vec()
}

fn http_get(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("published port");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn compose(args: &[&str]) -> std::process::Output {
    std::process::Command::new("docker")
        .arg("compose")
        .args(args)
        .output()
        .expect("the docker CLI with the compose plugin (scripts/tools.sh)")
}

async fn clean(d: &Docker, project: &str) {
    d.down(project, true).await.expect("down");
}

fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(BOUND, f)
                .await
                .expect("the test finished within its bound")
        })
}

fn node_status<'s>(s: &'s DeploymentStatus, name: &str) -> &'s celestra_core::deploy::NodeStatus {
    s.nodes.iter().find(|n| n.name == name).unwrap()
}

#[test]
fn ex2_deploys_in_wave_order_and_compose_sees_it() {
    bounded(async {
        let d = docker().await;
        let p = "t-ex2";
        clean(&d, p).await;
        let (s, events) = deploy(&d, &ex2(31881), &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        assert_eq!(s.progress, 100);
        assert_eq!(s.total_waves, 6);
        assert!(
            s.nodes.iter().all(|n| n.status == NodeState::Ready),
            "{s:#?}"
        );
        // Waves in order: every wave's events come after the previous wave finished.
        let mut wave = 0;
        for e in &events {
            if let EventBody::WaveStarted { wave: w } = e.body {
                assert_eq!(w, wave);
                wave += 1;
            }
        }
        assert_eq!(wave, 6);
        // The engine's own clock: pg started before the migration, the migration finished
        // before the app started.
        let t = |i: &bollard::models::ContainerInspectResponse,
                 f: fn(&bollard::models::ContainerState) -> Option<String>| {
            celestra_core::deploy::parse_rfc3339(&f(i.state.as_ref().unwrap()).unwrap()).unwrap()
        };
        let pg = inspect(&d, "t-ex2-pg-1").await;
        let job = inspect(&d, "t-ex2-pg-migrate-1").await;
        let app = inspect(&d, "t-ex2-api-1").await;
        assert_eq!(job.state.as_ref().unwrap().exit_code, Some(0));
        assert!(t(&pg, |s| s.started_at.clone()) <= t(&job, |s| s.started_at.clone()));
        assert!(t(&job, |s| s.finished_at.clone()) <= t(&app, |s| s.started_at.clone()));
        // The migration reached the database through the Service's alias, with the Secret's
        // values under the edge's prefix.
        let mut logs = d.client().logs(
            "t-ex2-pg-migrate-1",
            Some(bollard::query_parameters::LogsOptions {
                stdout: true,
                stderr: true,
                tail: "all".into(),
                ..Default::default()
            }),
        );
        let mut text = String::new();
        while let Some(Ok(l)) = logs.next().await {
            text.push_str(&l.to_string());
        }
        assert!(
            text.contains("CREATE DATABASE app;migrated as app"),
            "{text}"
        );
        assert!(env_of(&job).contains(&"DB_POSTGRES_PASSWORD=s3cr3t-canary-7f3a".to_owned()));
        // Published on loopback only.
        let ports = app
            .host_config
            .as_ref()
            .unwrap()
            .port_bindings
            .clone()
            .unwrap();
        let b = ports["8080/tcp"].as_ref().unwrap();
        assert_eq!(b[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert!(http_get(31881).contains("api-v1"));
        // Read back from the engine at once (Docker's own first health check still to come).
        let live = d.status(p).await.unwrap();
        assert_eq!(
            (live.status, live.progress, live.revision),
            (DeploymentState::Success, 100, 1),
            "{live:#?}"
        );
        assert!(
            live.nodes.iter().all(|n| n.status == NodeState::Ready),
            "{live:#?}"
        );
        // No secret value in any event.
        let stream = serde_json::to_string(&events).unwrap();
        assert!(!stream.contains("s3cr3t-canary-7f3a"));
        // docker compose sees the project and removes it.
        let ps = compose(&["-p", p, "ps", "--format", "{{.Service}} {{.State}}"]);
        let ps = String::from_utf8_lossy(&ps.stdout).to_string();
        assert!(
            ps.contains("api running") && ps.contains("pg running"),
            "{ps}"
        );
        let down = compose(&["-p", p, "down", "-t", "1"]);
        assert!(
            down.status.success(),
            "{}",
            String::from_utf8_lossy(&down.stderr)
        );
        for c in ["t-ex2-pg-1", "t-ex2-pg-migrate-1", "t-ex2-api-1"] {
            assert!(!exists(&d, c).await, "{c} survived compose down");
        }
        // ...and leaves the data volume, like compose does without -v.
        let inv = d.inventory(p).await.unwrap();
        assert_eq!(inv.volumes, ["t-ex2_pg-data"]);
        clean(&d, p).await;
    });
}

#[test]
fn redeploy_changes_nothing_an_edit_recreates_only_its_node_and_removal_prunes() {
    bounded(async {
        let d = docker().await;
        let p = "t-converge";
        clean(&d, p).await;
        let wf = ex2(31882);
        let (s, _) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        let names = [
            "t-converge-pg-1",
            "t-converge-pg-migrate-1",
            "t-converge-api-1",
        ];
        let mut before = Vec::new();
        for n in names {
            before.push(id(&d, n).await);
        }
        // Data written into the StatefulApp's volume.
        let workflow = api::parse_value(&wf).unwrap();
        let (_, plan) = d.plan(&workflow, &opts(p)).await.unwrap();
        assert!(plan.is_noop(), "{}", plan.to_text());
        let (s, events) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success);
        assert_eq!(s.revision, 2);
        for (n, b) in names.iter().zip(&before) {
            assert_eq!(
                &id(&d, n).await,
                b,
                "{n} was recreated by a no-change redeploy"
            );
        }
        assert!(!events.iter().any(|e| matches!(
            &e.body,
            EventBody::Step {
                action: Action::Recreate | Action::Apply,
                object: Some(_),
                ..
            }
        )));
        // An edit of the api recreates only the api, and says why.
        let mut edited = wf.clone();
        props(&mut edited, "a1")["environment"]["GREETING"] = json!("bonjour");
        let (_, plan) = d
            .plan(&api::parse_value(&edited).unwrap(), &opts(p))
            .await
            .unwrap();
        let changed: Vec<_> = plan.changes().filter(|c| c.op != Op::Unchanged).collect();
        assert_eq!(changed.len(), 1, "{}", plan.to_text());
        assert_eq!(
            (
                changed[0].object.name.as_str(),
                changed[0].op,
                changed[0].why.as_str()
            ),
            ("t-converge-api-1", Op::Recreate, "changed: env")
        );
        let (s, _) = deploy(&d, &edited, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success);
        assert_eq!(id(&d, names[0]).await, before[0]);
        assert_eq!(id(&d, names[1]).await, before[1]);
        let api_now = inspect(&d, names[2]).await;
        assert_ne!(api_now.id.as_deref(), Some(before[2].as_str()));
        assert!(env_of(&api_now).contains(&"GREETING=bonjour".to_owned()));
        // Removing the api and its Service prunes the container.
        remove_node(&mut edited, "v2");
        remove_node(&mut edited, "a1");
        let (s, events) = deploy(&d, &edited, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        assert!(
            !exists(&d, names[2]).await,
            "the removed node's container is pruned"
        );
        assert!(events.iter().any(|e| matches!(
            &e.body,
            EventBody::Step {
                action: Action::Prune,
                ..
            }
        )));
        assert_eq!(id(&d, names[0]).await, before[0]);
        clean(&d, p).await;
    });
}

#[test]
fn a_failing_job_fails_the_deploy_with_its_exit_code_and_log_and_starts_nothing_after_it() {
    bounded(async {
        let d = docker().await;
        let p = "t-jobfail";
        clean(&d, p).await;
        let mut wf = ex2(31883);
        props(&mut wf, "j1")["command"] = json!([
            "sh",
            "-c",
            "echo step one; echo boom: password is $DB_POSTGRES_PASSWORD >&2; exit 3"
        ]);
        let (s, events) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Failed);
        assert_eq!(s.reason, Some(Reason::Error));
        let job = node_status(&s, "pg-migrate");
        assert_eq!(job.status, NodeState::Failed);
        assert_eq!(job.reason.as_deref(), Some("ExitCode"));
        assert!(
            job.message.contains("exited with code 3"),
            "{}",
            job.message
        );
        assert!(job.log.iter().any(|l| l.contains("boom")), "{:?}", job.log);
        // The secret printed by the job never leaves the engine.
        assert!(
            job.log.iter().any(|l| l.contains("<redacted>")),
            "{:?}",
            job.log
        );
        assert!(
            !serde_json::to_string(&events)
                .unwrap()
                .contains("s3cr3t-canary-7f3a")
        );
        assert_eq!(node_status(&s, "api").status, NodeState::Skipped);
        assert_eq!(node_status(&s, "api-svc").status, NodeState::Skipped);
        assert!(
            !exists(&d, "t-jobfail-api-1").await,
            "nothing after the failed job starts"
        );
        assert!(s.progress < 100);
        let err = celestra_core::api::DeployError::from_status(&s).unwrap();
        assert_eq!(err.code, ErrorCode::GateFailed);
        // The same failure is reported by `status` from the engine.
        let live = d.status(p).await.unwrap();
        assert_eq!(live.status, DeploymentState::Failed);
        assert_eq!(node_status(&live, "pg-migrate").status, NodeState::Failed);
        clean(&d, p).await;
    });
}

fn one_app(run: &str, probe: Option<Value>) -> Value {
    let mut props =
        json!({"image": "celestra-test/busybox:1", "port": 8080, "environment": {"RUN": run}});
    if let Some(p) = probe {
        props["readinessProbe"] = p;
    }
    json!({
        "schemaVersion": "1.0", "id": "wf-one", "name": "one",
        "nodes": [{"id": "a", "type": "celestra-app", "position": {"x": 0, "y": 0},
                   "data": {"name": "web", "properties": props}}],
        "connections": []
    })
}

#[test]
fn an_unhealthy_service_fails_its_node_with_the_check_output() {
    bounded(async {
        let d = docker().await;
        let p = "t-unhealthy";
        clean(&d, p).await;
        let wf = one_app(
            "sleep 3600",
            Some(
                json!({"type": "exec", "command": ["sh", "-c", "echo not ready yet; exit 1"], "periodSeconds": 1, "failureThreshold": 1}),
            ),
        );
        let t0 = std::time::Instant::now();
        let (s, _) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Failed);
        let n = node_status(&s, "web");
        assert_eq!(n.reason.as_deref(), Some("Unhealthy"), "{n:#?}");
        assert!(n.message.contains("not ready yet"), "{}", n.message);
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "failed fast, not at the timeout"
        );
        clean(&d, p).await;
    });
}

#[test]
fn a_crashing_server_fails_at_once_and_a_missing_image_before_any_container() {
    bounded(async {
        let d = docker().await;
        let p = "t-crash";
        clean(&d, p).await;
        let (s, _) = deploy(&d, &one_app("echo crashing; exit 7", None), &opts(p)).await;
        let n = node_status(&s, "web");
        assert_eq!(s.status, DeploymentState::Failed);
        // Exited, or already restarted by its restart policy: either way with its exit code.
        assert!(
            matches!(n.reason.as_deref(), Some("ExitCode" | "CrashLoop")),
            "{n:#?}"
        );
        assert!(n.message.contains("code 7"), "{}", n.message);
        assert!(n.log.iter().any(|l| l == "crashing"), "{:?}", n.log);
        let mut wf = one_app("sleep 1", None);
        wf["nodes"][0]["data"]["properties"]["image"] = json!("celestra-test/absent:1");
        let (s, _) = deploy(&d, &wf, &opts(p)).await;
        let n = node_status(&s, "web");
        assert_eq!(n.reason.as_deref(), Some("ImageNotFound"));
        assert!(
            n.message.contains("celestra-test/absent:1"),
            "{}",
            n.message
        );
        assert_eq!(
            celestra_core::api::DeployError::from_status(&s)
                .unwrap()
                .code,
            ErrorCode::ImageNotFound
        );
        clean(&d, p).await;
    });
}

#[test]
fn rollback_restores_the_earlier_configuration_as_a_new_revision() {
    bounded(async {
        let d = docker().await;
        let p = "t-rollback";
        clean(&d, p).await;
        let v1 = one_app("sleep 3600", None);
        let mut v2 = v1.clone();
        v2["nodes"][0]["data"]["properties"]["environment"]["GREETING"] = json!("v2");
        assert_eq!(
            deploy(&d, &v1, &opts(p)).await.0.status,
            DeploymentState::Success
        );
        assert_eq!(
            deploy(&d, &v2, &opts(p)).await.0.status,
            DeploymentState::Success
        );
        assert!(env_of(&inspect(&d, "t-rollback-web-1").await).contains(&"GREETING=v2".to_owned()));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let s = d
            .rollback(p, None, &opts(p), Some(tx), &Cancel::new())
            .await
            .unwrap();
        let mut events = Vec::new();
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        check_stream(&events, &s);
        assert_eq!(s.status, DeploymentState::Success);
        assert_eq!(s.revision, 3);
        let env = env_of(&inspect(&d, "t-rollback-web-1").await);
        assert!(!env.iter().any(|e| e.starts_with("GREETING=")), "{env:?}");
        let h = d.history(p).await.unwrap();
        let revs: Vec<(u64, Option<u64>)> = h
            .revisions
            .iter()
            .map(|r| (r.revision, r.rollback_of))
            .collect();
        assert_eq!(revs, [(1, None), (2, None), (3, Some(1))]);
        assert_eq!(h.get(3).unwrap().hash, h.get(1).unwrap().hash);
        // --to a revision that is not kept
        let e = d
            .rollback(p, Some(9), &opts(p), None, &Cancel::new())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::NoHistory);
        assert!(e.message.contains("1, 2, 3"), "{}", e.message);
        clean(&d, p).await;
        assert!(d.history(p).await.unwrap().revisions.is_empty());
    });
}

#[test]
fn rollback_on_failure_restores_servers_but_never_goes_past_a_job_that_ran() {
    bounded(async {
        let d = docker().await;
        let p = "t-autorb";
        clean(&d, p).await;
        let mut o = opts(p);
        o.rollback_on_failure = true;
        let good = one_app("sleep 3600", None);
        assert_eq!(
            deploy(&d, &good, &o).await.0.status,
            DeploymentState::Success
        );
        let good_id = id(&d, "t-autorb-web-1").await;
        // A bad server: rolled back to revision 1's configuration.
        let bad = one_app("exit 1", None);
        let (s, events) = deploy(&d, &bad, &o).await;
        assert_eq!(s.status, DeploymentState::Failed);
        assert_eq!(s.reason, Some(Reason::RolledBack), "{s:#?}");
        assert_eq!(s.rolled_back_to, Some(1));
        assert!(events.iter().any(|e| matches!(
            e.body,
            EventBody::RollbackStarted {
                to_revision: 1,
                new_revision: 3
            }
        )));
        let web = inspect(&d, "t-autorb-web-1").await;
        assert_ne!(web.id.as_deref(), Some(good_id.as_str()));
        assert!(env_of(&web).contains(&"RUN=sleep 3600".to_owned()));
        assert_eq!(web.state.as_ref().unwrap().running, Some(true));
        let h = d.history(p).await.unwrap();
        assert_eq!(h.current().unwrap().rollback_of, Some(1));
        // A migration Job that ran, then a failing server: not rolled back.
        let mut with_job = one_app("exit 1", None);
        with_job["nodes"].as_array_mut().unwrap().push(json!({"id": "j", "type": "celestra-job", "position": {"x": 0, "y": 0},
            "data": {"name": "migrate", "properties": {"image": "celestra-test/busybox:1", "command": ["sh", "-c", "echo migrated"], "restartPolicy": "Never"}}}));
        with_job["connections"] =
            json!([{"id": "c", "source": "j", "target": "a", "type": "dependency"}]);
        let (s, events) = deploy(&d, &with_job, &o).await;
        assert_eq!(s.status, DeploymentState::Failed);
        assert_eq!(s.reason, Some(Reason::Error));
        assert!(
            s.details.contains("not rolled back") && s.details.contains("migrate"),
            "{}",
            s.details
        );
        assert!(
            !events
                .iter()
                .any(|e| matches!(e.body, EventBody::RollbackStarted { .. }))
        );
        assert_eq!(
            d.history(p).await.unwrap().current().unwrap().jobs_ran,
            ["j"]
        );
        clean(&d, p).await;
    });
}

#[test]
fn cancel_mid_deploy_then_a_redeploy_converges() {
    bounded(async {
        let d = docker().await;
        let p = "t-cancel";
        clean(&d, p).await;
        let mut wf = ex2(31884);
        props(&mut wf, "j1")["command"] = json!(["sh", "-c", "sleep 30"]);
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        let h = host();
        let watcher = tokio::spawn(async move {
            let d = Docker::connect(Some(&h)).await.unwrap();
            // Cancel once the job runs.
            for _ in 0..200 {
                if let Ok(i) = d
                    .client()
                    .inspect_container("t-cancel-pg-migrate-1", None)
                    .await
                    && i.state.and_then(|s| s.running) == Some(true)
                {
                    c2.cancel();
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            false
        });
        let t0 = std::time::Instant::now();
        let (s, _) = deploy_with(&d, &wf, &opts(p), &cancel).await;
        assert!(watcher.await.unwrap(), "the job started");
        assert!(
            t0.elapsed() < Duration::from_secs(25),
            "cancelled, not waited out"
        );
        assert_eq!(s.status, DeploymentState::Failed);
        assert_eq!(s.reason, Some(Reason::Cancelled));
        assert_eq!(
            celestra_core::api::DeployError::from_status(&s)
                .unwrap()
                .code,
            ErrorCode::Cancelled
        );
        assert!(!exists(&d, "t-cancel-api-1").await);
        // The next deploy converges from what was left.
        let (s, _) = deploy(&d, &ex2(31884), &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        assert!(http_get(31884).contains("api-v1"));
        clean(&d, p).await;
    });
}

#[test]
fn an_unreachable_engine_is_a_clear_error_naming_it() {
    bounded(async {
        for host in ["unix:///nonexistent/celestra.sock", "tcp://127.0.0.1:1"] {
            let e = Docker::connect(Some(host)).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::EngineUnreachable, "{host}: {e}");
            assert!(e.message.contains(host), "{host}: {e}");
        }
        // A socket file nobody listens on (a daemon that stopped).
        let dir = std::env::temp_dir().join(format!("celestra-dead-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("docker.sock");
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let host = format!("unix://{}", path.display());
        let e = Docker::connect(Some(&host)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::EngineUnreachable, "{e}");
        assert!(e.message.contains(&host), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
        // A workflow with errors is refused before any engine call.
        let bad = api::parse_str(
            include_str!("../fixtures/workflows/ex1-hello-world.json")
                .replace("\"nginx:1.27\"", "\"\"")
                .as_str(),
        )
        .unwrap();
        let d = docker().await;
        let e = d
            .deploy(&bad, &opts("t-refused"), None, &Cancel::new())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid, "{e}");
        assert!(!e.diagnostics.is_empty());
        assert!(
            d.inventory("t-refused").await.unwrap().networks.is_empty(),
            "nothing was created"
        );
    });
}

#[test]
fn hostile_values_reach_the_environment_and_files_byte_for_byte_and_volumes_keep_data() {
    bounded(async {
        let d = docker().await;
        let p = "t-hostile";
        clean(&d, p).await;
        let mut wf: Value =
            serde_json::from_str(include_str!("../fixtures/workflows/hostile-values.json"))
                .unwrap();
        let app = props(&mut wf, "app");
        app["image"] = json!("celestra-test/busybox:1");
        app["environment"]["RUN"] =
            json!("mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www");
        app["readinessProbe"]["periodSeconds"] = json!(1);
        app["storage"] = json!("1Gi");
        app["storageMountPath"] = json!("/data");
        let expect_env: Vec<(String, String)> = app["environment"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let cfg: Vec<(String, String)> = props(&mut wf, "cfg")["data"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let (s, _) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        let c = "t-hostile-hostile-app-1";
        let env = env_of(&inspect(&d, c).await);
        for (k, v) in &expect_env {
            assert!(
                env.contains(&format!("{k}={v}")),
                "{k}={v:?} did not arrive unchanged"
            );
        }
        for (k, v) in &cfg {
            assert_eq!(
                file(&d, c, &format!("/etc/hostile/{k}")).await,
                v.as_bytes(),
                "file {k}"
            );
        }
        // Nothing a user wrote to a volume is lost: not by a recreate, not by down.
        let exec = d
            .client()
            .create_exec(
                c,
                bollard::models::ExecConfig {
                    cmd: Some(vec![
                        "sh".into(),
                        "-c".into(),
                        "echo precious > /data/user.txt".into(),
                    ]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        d.client().start_exec(&exec.id, None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        props(&mut wf, "app")["environment"]["EXTRA"] = json!("1");
        assert_eq!(
            deploy(&d, &wf, &opts(p)).await.0.status,
            DeploymentState::Success
        );
        assert_eq!(file(&d, c, "/data/user.txt").await, b"precious\n");
        d.down(p, false).await.unwrap();
        assert_eq!(
            d.inventory(p).await.unwrap().volumes,
            ["t-hostile_hostile-app-data"]
        );
        assert_eq!(
            deploy(&d, &wf, &opts(p)).await.0.status,
            DeploymentState::Success
        );
        assert_eq!(file(&d, c, "/data/user.txt").await, b"precious\n");
        let r = d.down(p, true).await.unwrap();
        assert_eq!(r.volumes, ["t-hostile_hostile-app-data"]);
    });
}

fn two_chains(policy: Value) -> Value {
    let app = |id: &str, name: &str, run: &str| {
        json!({"id": id, "type": "celestra-app", "position": {"x": 0, "y": 0},
               "data": {"name": name, "properties": {"image": "celestra-test/busybox:1", "environment": {"RUN": run}}}})
    };
    let job = |id: &str, name: &str, cmd: &str| {
        json!({"id": id, "type": "celestra-job", "position": {"x": 0, "y": 0},
               "data": {"name": name, "properties": {"image": "celestra-test/busybox:1", "command": ["sh", "-c", cmd], "restartPolicy": "Never"}}})
    };
    json!({
        "schemaVersion": "1.0", "id": "wf-chains", "name": "chains", "settings": policy,
        "nodes": [job("j1", "bad-job", "echo failing; exit 2"), app("a1", "after-bad", "sleep 3600"),
                  job("j2", "good-job", "true"), app("a2", "after-good", "sleep 3600")],
        "connections": [{"id": "c1", "source": "j1", "target": "a1", "type": "dependency"},
                        {"id": "c2", "source": "j2", "target": "a2", "type": "dependency"}]
    })
}

#[test]
fn continue_on_error_skips_only_the_failed_steps_dependents() {
    bounded(async {
        let d = docker().await;
        let p = "t-continue";
        clean(&d, p).await;
        let (s, _) = deploy(
            &d,
            &two_chains(json!({"errorHandling": "continueOnError"})),
            &opts(p),
        )
        .await;
        assert_eq!(s.status, DeploymentState::Failed);
        assert_eq!(node_status(&s, "bad-job").status, NodeState::Failed);
        let skipped = node_status(&s, "after-bad");
        assert_eq!(
            (skipped.status, skipped.reason.as_deref()),
            (NodeState::Skipped, Some("DependencyFailed"))
        );
        assert_eq!(node_status(&s, "good-job").status, NodeState::Ready);
        assert_eq!(node_status(&s, "after-good").status, NodeState::Ready);
        assert!(
            exists(&d, "t-continue-after-good-1").await
                && !exists(&d, "t-continue-after-bad-1").await
        );
        // The default, stopOnError: the wave fails, nothing of the next wave starts.
        clean(&d, p).await;
        let (s, _) = deploy(&d, &two_chains(json!({})), &opts(p)).await;
        assert_eq!(node_status(&s, "after-good").status, NodeState::Skipped);
        assert!(!exists(&d, "t-continue-after-good-1").await);
        clean(&d, p).await;
    });
}

#[test]
fn retry_on_error_runs_a_failed_step_again_then_stops() {
    bounded(async {
        let d = docker().await;
        let p = "t-retry";
        clean(&d, p).await;
        let wf = two_chains(json!({"errorHandling": "retryOnError",
            "retry": {"maxAttempts": 3, "backoff": "fixed", "initialDelaySeconds": 0}}));
        let (s, events) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Failed);
        let retries: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.body {
                EventBody::Step {
                    reason: Some(r),
                    message,
                    ..
                } if r == "Retrying" => Some(message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(retries.len(), 2, "{retries:?}");
        assert!(
            retries[0].starts_with("attempt 1 of 3 failed")
                && retries[1].starts_with("attempt 2 of 3 failed"),
            "{retries:?}"
        );
        // Each attempt ran the job again (a new container).
        let recreated = events
            .iter()
            .filter(|e| matches!(&e.body, EventBody::Step { action: Action::Recreate, object: Some(o), status: celestra_core::deploy::EventStatus::InProgress, .. } if o.name == "t-retry-bad-job-1"))
            .count();
        assert_eq!(recreated, 2);
        assert_eq!(
            node_status(&s, "bad-job").reason.as_deref(),
            Some("ExitCode")
        );
        clean(&d, p).await;
    });
}

#[test]
fn watch_follows_the_live_status_and_sees_a_node_degrade() {
    bounded(async {
        let d = docker().await;
        let p = "t-watch";
        clean(&d, p).await;
        let (s, _) = deploy(&d, &one_app("sleep 3600", None), &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success);
        let cancel = Cancel::new();
        let h = host();
        // Someone stops the container behind our back.
        let killer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let d = Docker::connect(Some(&h)).await.unwrap();
            d.client()
                .kill_container(
                    "t-watch-web-1",
                    None::<bollard::query_parameters::KillContainerOptions>,
                )
                .await
                .unwrap();
        });
        let mut seen = Vec::new();
        d.watch(p, &cancel, |s| {
            seen.push((
                s.status,
                node_status(s, "web").status,
                node_status(s, "web").message.clone(),
            ));
            s.status == DeploymentState::Success
        })
        .await
        .unwrap();
        killer.await.unwrap();
        assert_eq!(seen[0].0, DeploymentState::Success);
        let last = seen.last().unwrap();
        assert_eq!(
            (last.0, last.1),
            (DeploymentState::Failed, NodeState::Failed),
            "{seen:?}"
        );
        assert!(last.2.contains("t-watch-web-1 is exited"), "{seen:?}");
        // A redeploy brings it back (same container, started again).
        let before = id(&d, "t-watch-web-1").await;
        let (s, _) = deploy(&d, &one_app("sleep 3600", None), &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success);
        assert_eq!(id(&d, "t-watch-web-1").await, before);
        clean(&d, p).await;
    });
}

#[test]
fn an_appgroup_is_a_network_replicas_are_containers_and_a_step_times_out() {
    bounded(async {
        let d = docker().await;
        let p = "t-group";
        clean(&d, p).await;
        let wf = json!({
            "schemaVersion": "1.0", "id": "wf-group", "name": "group",
            "nodes": [
                {"id": "g", "type": "celestra-appgroup", "position": {"x": 0, "y": 0},
                 "data": {"name": "shop", "properties": {"namespace": "shop"}}},
                {"id": "w", "type": "celestra-app", "position": {"x": 0, "y": 0}, "parent": "g",
                 "data": {"name": "web", "properties": {"image": "celestra-test/busybox:1", "replicas": 2, "port": 8080,
                          "environment": {"RUN": "exec httpd -f -p 8080 -h /tmp"}}}},
                {"id": "s", "type": "celestra-service", "position": {"x": 0, "y": 0}, "parent": "g",
                 "data": {"name": "web-svc", "properties": {"type": "ClusterIP", "port": 8080}}}
            ],
            "connections": [{"id": "c", "source": "w", "target": "s", "type": "dependency"}]
        });
        let (s, _) = deploy(&d, &wf, &opts(p)).await;
        assert_eq!(s.status, DeploymentState::Success, "{s:#?}");
        let inv = d.inventory(p).await.unwrap();
        assert_eq!(inv.networks, ["t-group_default", "t-group_shop"]);
        for k in 1..=2 {
            let c = inspect(&d, &format!("t-group-web-{k}")).await;
            let nets = c.network_settings.unwrap().networks.unwrap();
            let shop = &nets["t-group_shop"];
            assert!(
                shop.aliases
                    .clone()
                    .unwrap_or_default()
                    .contains(&"web-svc".to_owned())
            );
            assert_eq!(
                c.config.unwrap().labels.unwrap()["com.docker.compose.container-number"],
                k.to_string()
            );
        }
        // Scaled down to one: the second replica is pruned.
        let mut one = wf.clone();
        props(&mut one, "w")["replicas"] = json!(1);
        let (_, plan) = d
            .plan(&api::parse_value(&one).unwrap(), &opts(p))
            .await
            .unwrap();
        assert_eq!(plan.counts(), [0, 0, 0, 3, 1], "{}", plan.to_text());
        assert_eq!(
            deploy(&d, &one, &opts(p)).await.0.status,
            DeploymentState::Success
        );
        assert!(exists(&d, "t-group-web-1").await && !exists(&d, "t-group-web-2").await);
        clean(&d, p).await;
        // A step that outlives its timeout.
        let mut slow = one_app("sleep 3600", None);
        slow["nodes"].as_array_mut().unwrap().push(json!({"id": "j", "type": "celestra-job", "position": {"x": 0, "y": 0},
            "data": {"name": "slow", "properties": {"image": "celestra-test/busybox:1", "command": ["sleep", "30"], "restartPolicy": "Never"}}}));
        slow["connections"] =
            json!([{"id": "c", "source": "j", "target": "a", "type": "dependency"}]);
        let mut o = opts(p);
        o.step_timeout = Some(Duration::from_secs(2));
        let t0 = std::time::Instant::now();
        let (s, _) = deploy(&d, &slow, &o).await;
        assert!(t0.elapsed() < Duration::from_secs(10));
        assert_eq!(s.reason, Some(Reason::Timeout), "{s:#?}");
        assert_eq!(node_status(&s, "slow").reason.as_deref(), Some("Timeout"));
        assert_eq!(
            celestra_core::api::DeployError::from_status(&s)
                .unwrap()
                .code,
            ErrorCode::Timeout
        );
        // The whole deploy's timeout.
        o.step_timeout = None;
        o.timeout = Some(Duration::from_secs(2));
        let (s, _) = deploy(&d, &slow, &o).await;
        assert_eq!(s.reason, Some(Reason::Timeout));
        assert!(
            s.details.contains("did not finish within 2s"),
            "{}",
            s.details
        );
        clean(&d, p).await;
    });
}
