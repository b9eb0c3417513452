//! `celestra deploy | status | history | rollback | down (delete) --target docker|kubernetes`.
//!
//! Exit codes: 0 success, 1 a failed deploy (or a workflow with errors, refused before any
//! engine call), 2 usage or connection errors.

use celestra_core::api::{
    self, Cancel, DeployError, Docker, DockerOptions, ErrorCode, Kube, KubeConnect, KubeOptions,
};
use celestra_core::deploy::docker::ProjectOptions;
use celestra_core::deploy::kube::KubeProjectOptions;
use celestra_core::deploy::{
    DeployEvent, DeploymentState, DeploymentStatus, EventBody, EventStatus, History, NodeState,
};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum DeployTargetArg {
    Docker,
    #[value(alias = "k8s")]
    Kubernetes,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum OutFormat {
    Text,
    Json,
}

/// Where to deploy.
#[derive(Args, Clone)]
pub(crate) struct TargetArgs {
    /// `docker` (the Docker Engine API) or `kubernetes` (server-side apply).
    #[arg(long, value_enum)]
    pub target: DeployTargetArg,
    /// Kubernetes: the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster).
    #[arg(long)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Kubernetes: the kubeconfig context (default: its current context).
    #[arg(long)]
    pub context: Option<String>,
    /// Kubernetes: the namespace of the project's inventory and of objects outside AppGroups
    /// (default: the context's namespace, else `default`).
    #[arg(long)]
    pub namespace: Option<String>,
    /// The Docker engine (`unix:///path` or `tcp://127.0.0.1:PORT`; default `DOCKER_HOST`, then
    /// /var/run/docker.sock).
    #[arg(long)]
    pub host: Option<String>,
    /// Output: `text` (a live per-wave view) or `json` (one event per line, the final status last).
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

/// How to deploy.
#[derive(Args, Clone)]
pub(crate) struct RunArgs {
    /// The whole deploy's timeout (`90s`, `5m`, `1h`; default: the workflow's totalTimeoutSeconds).
    #[arg(long)]
    pub timeout: Option<String>,
    /// Each step's timeout (default: the workflow's stepTimeoutSeconds).
    #[arg(long)]
    pub step_timeout: Option<String>,
    /// Restore the previous successful revision if the deploy fails (never past a Job that ran).
    #[arg(long)]
    pub rollback_on_failure: bool,
    /// Revisions kept in the history (default 10).
    #[arg(long)]
    pub history_max: Option<usize>,
    /// Kubernetes: delete and create again an object whose update the server refuses as
    /// immutable (changed Jobs always are).
    #[arg(long)]
    pub force_replace: bool,
    /// Kubernetes: apply every wave without waiting for readiness (like `kubectl apply`).
    #[arg(long)]
    pub no_wait: bool,
}

fn duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: use e.g. 90s, 5m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "ms" => return Ok(Duration::from_millis(n)),
        _ => return Err(format!("invalid duration {s:?}: use e.g. 90s, 5m or 1h")),
    };
    Ok(Duration::from_secs(secs))
}

fn options(
    project: Option<String>,
    publish: Option<String>,
    r: &RunArgs,
) -> Result<DockerOptions, String> {
    Ok(DockerOptions {
        project: ProjectOptions {
            project,
            publish_address: publish,
        },
        timeout: r.timeout.as_deref().map(duration).transpose()?,
        step_timeout: r.step_timeout.as_deref().map(duration).transpose()?,
        rollback_on_failure: r.rollback_on_failure,
        history_max: r.history_max,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn check_target(t: &TargetArgs) -> Result<(), String> {
    if t.target == DeployTargetArg::Docker
        && (t.kubeconfig.is_some() || t.context.is_some() || t.namespace.is_some())
    {
        return Err("--kubeconfig, --context and --namespace are Kubernetes options: use --target kubernetes".into());
    }
    if t.target == DeployTargetArg::Kubernetes && t.host.is_some() {
        return Err(
            "--host is a Docker option: use --kubeconfig/--context for --target kubernetes".into(),
        );
    }
    Ok(())
}

/// Connects to the cluster and runs `f`; an error of either is printed and exits as [`fail`]
/// says (or with `code`, when given).
fn on_kube<F, Fut>(t: &TargetArgs, code: Option<u8>, f: F) -> Result<ExitCode, String>
where
    F: FnOnce(Kube) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode, DeployError>>,
{
    let conn = kube_connect(t);
    let format = t.format;
    runtime()?.block_on(async move {
        let r = match Kube::connect(&conn).await {
            Ok(k) => f(k).await,
            Err(e) => Err(e),
        };
        Ok(r.unwrap_or_else(|e| {
            let printed = fail(&e, format);
            code.map_or(printed, ExitCode::from)
        }))
    })
}

/// Connects to the Docker engine and runs `f`, as [`on_kube`] does.
fn on_docker<F, Fut>(t: &TargetArgs, f: F) -> Result<ExitCode, String>
where
    F: FnOnce(Docker) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode, DeployError>>,
{
    let host = t.host.clone();
    let format = t.format;
    runtime()?.block_on(async move {
        let r = match Docker::connect(host.as_deref()).await {
            Ok(d) => f(d).await,
            Err(e) => Err(e),
        };
        Ok(r.unwrap_or_else(|e| fail(&e, format)))
    })
}

/// Ctrl-C cancels `cancel`.
fn cancel_on_ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c2.cancel();
        }
    });
    cancel
}

fn is_kube(t: &TargetArgs) -> bool {
    t.target == DeployTargetArg::Kubernetes
}

fn kube_connect(t: &TargetArgs) -> KubeConnect {
    KubeConnect {
        kubeconfig: t.kubeconfig.clone(),
        kubeconfig_text: None,
        context: t.context.clone(),
        namespace: t.namespace.clone(),
    }
}

fn kube_options(
    project: Option<String>,
    t: &TargetArgs,
    r: &RunArgs,
) -> Result<KubeOptions, String> {
    Ok(KubeOptions {
        project: KubeProjectOptions {
            name: project,
            namespace: t.namespace.clone(),
            kubernetes_version: None,
        },
        timeout: r.timeout.as_deref().map(duration).transpose()?,
        step_timeout: r.step_timeout.as_deref().map(duration).transpose()?,
        rollback_on_failure: r.rollback_on_failure,
        history_max: r.history_max,
        force_replace: r.force_replace,
        concurrency: None,
        no_wait: r.no_wait,
    })
}

fn kube_deploy(
    wf: celestra_core::Workflow,
    t: &TargetArgs,
    project: Option<String>,
    dry_run: bool,
    r: &RunArgs,
) -> Result<ExitCode, String> {
    let opts = kube_options(project, t, r)?;
    // Refused before any cluster call: a workflow with errors, a bad project name.
    if let Err(e) = api::kube_project(&wf, &opts.project) {
        return Ok(fail(&DeployError::from(e), t.format));
    }
    if dry_run {
        // the server's dry run of every apply: what would change, object by object
        let format = t.format;
        return on_kube(t, None, |k| async move {
            let d = k.diff(&wf, &opts).await?;
            if format == OutFormat::Json {
                println!("{}", serde_json::to_string(&d).unwrap_or_default());
            } else {
                println!(
                    "{} in namespace {} on {} ({}), server dry run:",
                    d.project,
                    d.namespace,
                    k.url(),
                    k.git_version()
                );
                print!("{}", d.summary());
            }
            Ok(ExitCode::SUCCESS)
        });
    }
    let conn = kube_connect(t);
    streamed(t.format, |tx, cancel| async move {
        let k = Kube::connect(&conn).await?;
        k.deploy(&wf, &opts, Some(tx), &cancel).await
    })
}

/// Prints a deploy error; usage and connection errors exit 2, a failed deploy 1.
fn fail(e: &DeployError, format: OutFormat) -> ExitCode {
    if format == OutFormat::Json {
        let v = serde_json::json!({"error": {"code": e.code.as_str(), "message": e.message,
            "diagnostics": e.diagnostics}});
        println!("{v}");
    } else {
        eprintln!("celestra: error[{}]: {}", e.code.as_str(), e.message);
        for d in &e.diagnostics {
            eprintln!(
                "  {}[{}] {}: {}",
                d.severity.as_str(),
                d.code,
                d.node_id.as_deref().unwrap_or("-"),
                d.message
            );
        }
    }
    match e.code {
        ErrorCode::Invalid
        | ErrorCode::GateFailed
        | ErrorCode::ImageNotFound
        | ErrorCode::Timeout
        | ErrorCode::Rejected
        | ErrorCode::Immutable
        | ErrorCode::CrdMissing
        | ErrorCode::RollbackRefused => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// The live view: one line per thing worth a person's attention.
struct Printer {
    format: OutFormat,
    waves: usize,
    names: Vec<(String, String)>,
}

impl Printer {
    fn name(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    }

    fn event(&mut self, e: &DeployEvent) {
        let mut out = std::io::stdout().lock();
        if self.format == OutFormat::Json {
            let _ = writeln!(out, "{}", serde_json::to_string(e).unwrap_or_default());
            let _ = out.flush();
            return;
        }
        let line = match &e.body {
            EventBody::Started {
                project,
                nodes,
                total_waves,
                rollback_of,
                ..
            } => {
                self.waves = *total_waves;
                self.names = nodes
                    .iter()
                    .map(|n| (n.node_id.clone(), n.name.clone()))
                    .collect();
                let what = match rollback_of {
                    Some(r) => format!(" (restores revision {r})"),
                    None => String::new(),
                };
                format!(
                    "[+] {project}: revision {}{what}, {} steps in {} waves",
                    e.revision,
                    nodes.len(),
                    total_waves
                )
            }
            EventBody::WaveStarted { wave } => {
                format!("---- wave {}/{} ----", wave + 1, self.waves)
            }
            EventBody::Step {
                node_id,
                object,
                action,
                status,
                message,
                ..
            } => {
                let mark = match status {
                    EventStatus::Succeeded => "✔",
                    EventStatus::Failed | EventStatus::TimedOut => "✘",
                    EventStatus::Skipped => "-",
                    _ => "…",
                };
                let action = serde_json::to_value(action)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                match object {
                    Some(o) => format!(
                        "  {mark} {:<9} {} {}: {message}",
                        action,
                        o.kind.to_ascii_lowercase(),
                        o.name
                    ),
                    None => {
                        let word = match status {
                            EventStatus::Succeeded => "ready",
                            EventStatus::Failed => "FAILED",
                            EventStatus::TimedOut => "TIMED OUT",
                            EventStatus::Skipped => "skipped",
                            EventStatus::Pending => "waiting",
                            EventStatus::InProgress => "applying",
                        };
                        format!("{mark} {} {word}: {message}", self.name(node_id))
                    }
                }
            }
            EventBody::Log { object, lines, .. } => {
                let mut s = format!("    last lines of {}:", object.name);
                for l in lines {
                    s.push_str("\n    | ");
                    s.push_str(l);
                }
                s
            }
            EventBody::WaveFinished { .. } => return,
            EventBody::RollbackStarted {
                to_revision,
                new_revision,
            } => {
                format!("[!] rolling back: revision {new_revision} restores revision {to_revision}")
            }
            EventBody::Finished { message, .. } => format!("==== {message}"),
        };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn finish(&self, s: &DeploymentStatus) {
        if self.format == OutFormat::Json {
            println!("{}", serde_json::to_string(s).unwrap_or_default());
        } else {
            let took = s
                .duration_ms
                .map(|d| format!(" in {:.1}s", d as f64 / 1000.0))
                .unwrap_or_default();
            println!(
                "{}: {}{took} ({}%)",
                match s.status {
                    DeploymentState::Success => "success",
                    DeploymentState::Failed => "FAILED",
                    DeploymentState::Running => "running",
                    DeploymentState::Pending => "pending",
                },
                s.details,
                s.progress
            );
        }
    }
}

/// Runs a deploy-like call with a live printer, Ctrl-C cancelling it.
fn streamed<F, Fut>(format: OutFormat, f: F) -> Result<ExitCode, String>
where
    F: FnOnce(tokio::sync::mpsc::UnboundedSender<DeployEvent>, Cancel) -> Fut,
    Fut: std::future::Future<Output = Result<DeploymentStatus, DeployError>>,
{
    let rt = runtime()?;
    rt.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("celestra: cancelling (Ctrl-C again to quit at once)");
                c2.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let mut printer = Printer {
            format,
            waves: 0,
            names: Vec::new(),
        };
        let fut = f(tx, cancel);
        tokio::pin!(fut);
        let res = loop {
            tokio::select! {
                r = &mut fut => break r,
                Some(e) = rx.recv() => printer.event(&e),
            }
        };
        while let Ok(e) = rx.try_recv() {
            printer.event(&e);
        }
        match res {
            Ok(s) => {
                printer.finish(&s);
                Ok(if s.status == DeploymentState::Success {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
            Err(e) => Ok(fail(&e, format)),
        }
    })
}

pub(crate) fn deploy(
    file: &str,
    text: &str,
    t: &TargetArgs,
    project: Option<String>,
    publish: Option<String>,
    dry_run: bool,
    r: &RunArgs,
) -> Result<ExitCode, String> {
    check_target(t)?;
    let wf = match api::parse_str(text) {
        Ok(wf) => wf,
        Err(e) => {
            let mut err = DeployError::from(e);
            err.message = format!("{file}: {}", err.message);
            return Ok(fail(&err, t.format));
        }
    };
    if is_kube(t) {
        if publish.is_some() {
            return Err("--publish-address is a Docker option".into());
        }
        return kube_deploy(wf, t, project, dry_run, r);
    }
    let opts = options(project, publish, r)?;
    // Refused before any engine call: a workflow with errors, a bad project name.
    if let Err(e) = api::docker_project(&wf, &opts.project) {
        return Ok(fail(&DeployError::from(e), t.format));
    }
    if dry_run {
        let format = t.format;
        return on_docker(t, |d| async move {
            let (_, plan) = d.plan(&wf, &opts).await?;
            if format == OutFormat::Json {
                println!("{}", serde_json::to_string(&plan).unwrap_or_default());
            } else {
                print!("{}", plan.to_text());
            }
            Ok(ExitCode::SUCCESS)
        });
    }
    let host = t.host.clone();
    streamed(t.format, |tx, cancel| async move {
        let d = Docker::connect(host.as_deref()).await?;
        d.deploy(&wf, &opts, Some(tx), &cancel).await
    })
}

pub(crate) fn rollback(
    t: &TargetArgs,
    project: String,
    to: Option<u64>,
    r: &RunArgs,
) -> Result<ExitCode, String> {
    check_target(t)?;
    if is_kube(t) {
        let opts = kube_options(Some(project.clone()), t, r)?;
        let conn = kube_connect(t);
        return streamed(t.format, |tx, cancel| async move {
            let k = Kube::connect(&conn).await?;
            k.rollback(&project, to, &opts, Some(tx), &cancel).await
        });
    }
    let opts = options(Some(project.clone()), None, r)?;
    let host = t.host.clone();
    streamed(t.format, |tx, cancel| async move {
        let d = Docker::connect(host.as_deref()).await?;
        d.rollback(&project, to, &opts, Some(tx), &cancel).await
    })
}

fn print_status(s: &DeploymentStatus, format: OutFormat) {
    if format == OutFormat::Json {
        println!("{}", serde_json::to_string(s).unwrap_or_default());
        return;
    }
    println!(
        "{} revision {}: {:?} ({}%) — {}",
        s.project, s.revision, s.status, s.progress, s.details
    );
    for n in &s.nodes {
        let word = match n.status {
            NodeState::NotStarted => "not started",
            NodeState::Waiting => "waiting",
            NodeState::InProgress => "in progress",
            NodeState::Ready => "ready",
            NodeState::Failed => "FAILED",
            NodeState::Skipped => "skipped",
        };
        println!(
            "  wave {:<2} {:<24} {:<12} {:<11} {}",
            n.wave + 1,
            n.name,
            n.node_type,
            word,
            n.message
        );
    }
}

/// Exit 1 for a failed deployment, else 0.
fn status_code(s: &DeploymentStatus) -> ExitCode {
    if s.status == DeploymentState::Failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn status(t: &TargetArgs, project: String, watch: bool) -> Result<ExitCode, String> {
    check_target(t)?;
    let format = t.format;
    // `--watch`: the status again after every change, until Ctrl-C
    let print = move |s: &DeploymentStatus| {
        print_status(s, format);
        if format == OutFormat::Text {
            println!();
        }
        true
    };
    if is_kube(t) {
        let ns = t.namespace.clone();
        return on_kube(t, None, |k| async move {
            if watch {
                k.watch(&project, ns.as_deref(), &cancel_on_ctrl_c(), print)
                    .await?;
                return Ok(ExitCode::SUCCESS);
            }
            let s = k.status(&project, ns.as_deref()).await?;
            print_status(&s, format);
            Ok(status_code(&s))
        });
    }
    on_docker(t, |d| async move {
        if watch {
            d.watch(&project, &cancel_on_ctrl_c(), print).await?;
            return Ok(ExitCode::SUCCESS);
        }
        let s = d.status(&project).await?;
        print_status(&s, format);
        Ok(status_code(&s))
    })
}

pub(crate) fn history(t: &TargetArgs, project: String) -> Result<ExitCode, String> {
    check_target(t)?;
    let rt = runtime()?;
    rt.block_on(async {
        let got = if is_kube(t) {
            match Kube::connect(&kube_connect(t)).await {
                Ok(k) => k.history(&project, t.namespace.as_deref()).await,
                Err(e) => Err(e),
            }
        } else {
            match Docker::connect(t.host.as_deref()).await {
                Ok(d) => d.history(&project).await,
                Err(e) => Err(e),
            }
        };
        let h: History = match got {
            Ok(h) => h,
            Err(e) => return Ok(fail(&e, t.format)),
        };
        if t.format == OutFormat::Json {
            // Snapshots hold secret values: the listing leaves them out (`rollback` uses them).
            let rows: Vec<serde_json::Value> = h
                .revisions
                .iter()
                .map(|r| {
                    serde_json::json!({"revision": r.revision, "deploymentId": r.deployment_id,
                    "workflowId": r.workflow_id, "hash": r.hash, "outcome": r.outcome,
                    "rollbackOf": r.rollback_of, "message": r.message, "jobsRan": r.jobs_ran,
                    "startedAt": r.started_at, "finishedAt": r.finished_at})
                })
                .collect();
            println!("{}", serde_json::Value::Array(rows));
        } else {
            println!(
                "{:<9} {:<9} {:<24} {:<26} DESCRIPTION",
                "REVISION", "OUTCOME", "UPDATED", "HASH"
            );
            for r in &h.revisions {
                let outcome = serde_json::to_value(r.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let when =
                    celestra_core::deploy::format_rfc3339(r.finished_at.unwrap_or(r.started_at).0);
                let desc = match r.rollback_of {
                    Some(k) => format!("rollback to {k}"),
                    None => r.message.clone(),
                };
                println!(
                    "{:<9} {:<9} {:<24} {:<26} {desc}",
                    r.revision, outcome, when, r.hash
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) fn down(t: &TargetArgs, project: String, volumes: bool) -> Result<ExitCode, String> {
    check_target(t)?;
    let format = t.format;
    if is_kube(t) {
        if volumes {
            return Err("--volumes is a Docker option (Kubernetes PersistentVolumeClaims of StatefulSets are kept, as kubectl does)".into());
        }
        let ns = t.namespace.clone();
        return on_kube(t, None, |k| async move {
            let r = k.delete(&project, ns.as_deref()).await?;
            if format == OutFormat::Json {
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                for o in &r.objects {
                    println!(" ✔ {o} deleted");
                }
                println!(
                    " ✔ {} revision records removed{}",
                    r.revisions,
                    if r.parent { ", inventory removed" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        });
    }
    on_docker(t, |d| async move {
        let r = d.down(&project, volumes).await?;
        if format == OutFormat::Json {
            println!("{}", serde_json::to_string(&r).unwrap_or_default());
        } else {
            for c in &r.containers {
                println!(" ✔ container {c} removed");
            }
            for n in &r.networks {
                println!(" ✔ network {n} removed");
            }
            for v in &r.volumes {
                println!(" ✔ volume {v} removed");
            }
            if !volumes {
                println!("   volumes kept (use --volumes to remove them and their data)");
            }
            println!(" ✔ {} revision records removed", r.revisions);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `celestra diff --target kubernetes`: exit 0 when nothing would change, 1 when something
/// would, 2 on errors.
pub(crate) fn diff(
    file: &str,
    text: &str,
    t: &TargetArgs,
    project: Option<String>,
) -> Result<ExitCode, String> {
    check_target(t)?;
    if !is_kube(t) {
        return Err("diff compares with a cluster: use --target kubernetes (for Docker, `deploy --dry-run` shows the change plan)".into());
    }
    let wf = match api::parse_str(text) {
        Ok(wf) => wf,
        Err(e) => {
            let mut err = DeployError::from(e);
            err.message = format!("{file}: {}", err.message);
            return Ok(with_code(fail(&err, t.format), 2));
        }
    };
    let opts = kube_options(
        project,
        t,
        &RunArgs {
            timeout: None,
            step_timeout: None,
            rollback_on_failure: false,
            history_max: None,
            force_replace: false,
            no_wait: false,
        },
    )?;
    if let Err(e) = api::kube_project(&wf, &opts.project) {
        return Ok(with_code(fail(&DeployError::from(e), t.format), 2));
    }
    let format = t.format;
    on_kube(t, Some(2), |k| async move {
        let d = k.diff(&wf, &opts).await?;
        if format == OutFormat::Json {
            println!("{}", serde_json::to_string(&d).unwrap_or_default());
        } else {
            print!("{}", d.to_text());
        }
        Ok(if d.changed() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// `diff` keeps 1 for "something would change": every error exits 2.
fn with_code(_printed: ExitCode, code: u8) -> ExitCode {
    ExitCode::from(code)
}
