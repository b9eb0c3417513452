//! The Docker project of a workflow, pure: the networks, volumes and containers a deploy
//! creates, each container's full configuration and its hash, and the [`ChangePlan`] against a
//! live inventory. The containers are what the Compose generator writes as services (one
//! meaning of a workflow for both), read back without Compose's `$$` escaping.
//!
//! Names and labels are Compose's (`<project>-<service>-<n>`, `<project>_<network>`,
//! `com.docker.compose.*`), so `docker compose -p NAME ps` and `down` see what a deploy made.

use super::change::{Change, ChangePlan, ChangeWave, Op, SkippedNode};
use super::event::{ObjectRef, PlannedNode};
use crate::error::Error;
use crate::generate::common::Fnv;
use crate::generate::compose::{Compose, ComposeParts};
use crate::generate::ledger::Recorder;
use crate::graph::Graph;
use crate::model::{ErrorHandling, NodeType, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Label keys: Compose's (what `docker compose ps/down` read) and ours.
pub mod labels {
    /// The project (Compose).
    pub const PROJECT: &str = "com.docker.compose.project";
    /// The service: the node's name (Compose).
    pub const SERVICE: &str = "com.docker.compose.service";
    /// Replica number from 1 (Compose).
    pub const NUMBER: &str = "com.docker.compose.container-number";
    /// `False`: not a `compose run` container (Compose).
    pub const ONEOFF: &str = "com.docker.compose.oneoff";
    /// The configuration hash (Compose reads its presence; the value is ours).
    pub const COMPOSE_HASH: &str = "com.docker.compose.config-hash";
    /// The network key (Compose).
    pub const NETWORK: &str = "com.docker.compose.network";
    /// The volume key (Compose).
    pub const VOLUME: &str = "com.docker.compose.volume";
    /// `service:condition:restart,…` (Compose's `down` order).
    pub const DEPENDS_ON: &str = "com.docker.compose.depends_on";
    /// The Compose version Compose records; ours records the engine's.
    pub const VERSION: &str = "com.docker.compose.version";
    /// The workflow's id.
    pub const WORKFLOW: &str = "io.celestra.workflow";
    /// The node's id.
    pub const NODE: &str = "io.celestra.node";
    /// The revision that created the container.
    pub const REVISION: &str = "io.celestra.revision";
    /// The deployment that created the container.
    pub const DEPLOYMENT: &str = "io.celestra.deployment";
    /// Our configuration hash.
    pub const HASH: &str = "io.celestra.config-hash";
    /// A hash per part of the configuration (`cmd=…;env=…`), to say what changed.
    pub const PARTS: &str = "io.celestra.config-parts";
    /// `true` for a Job's one-shot container.
    pub const ONE_SHOT: &str = "io.celestra.one-shot";
    /// `celestra`.
    pub const MANAGED_BY: &str = "io.celestra.managed-by";
    /// The project of a revision record (a volume of its own).
    pub const HISTORY_PROJECT: &str = "io.celestra.history.project";
}

/// Options of a Docker deploy that shape the project.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectOptions {
    /// The Compose project name (default: the workflow's name, made a valid project name).
    pub project: Option<String>,
    /// The host address NodePort/LoadBalancer ports are published on (default `127.0.0.1`).
    pub publish_address: Option<String>,
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortBinding {
    /// Host address.
    pub host_ip: String,
    /// Host port.
    pub host_port: u16,
    /// Container port.
    pub container_port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

/// A container health check (Docker's, from the node's readiness or liveness probe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Healthcheck {
    /// `["CMD", …]` or `["CMD-SHELL", "…"]`.
    pub test: Vec<String>,
    /// Nanoseconds between checks (0: Docker's default, 30 s).
    pub interval_ns: i64,
    /// Nanoseconds a check may take (0: default).
    pub timeout_ns: i64,
    /// Failures before `unhealthy` (0: default, 3).
    pub retries: i64,
    /// Nanoseconds of grace after start (0: none).
    pub start_period_ns: i64,
}

/// A file written into a container before it starts (a Secret's or ConfigMap's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSpec {
    /// Absolute path in the container.
    pub path: String,
    /// Content, as the node holds it.
    pub content: String,
    /// Permission bits.
    pub mode: u32,
}

/// A named volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MountSpec {
    /// The volume's full name (`<project>_<key>`).
    pub volume: String,
    /// Mount path.
    pub target: String,
}

/// Everything a container is created with, but its name and per-deploy labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSpec {
    /// Image reference.
    pub image: String,
    /// Entrypoint override (Kubernetes `command`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Command override (Kubernetes `args`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// Environment, sorted by name.
    pub env: Vec<(String, String)>,
    /// The node's labels (ours and Compose's are added per container).
    pub labels: BTreeMap<String, String>,
    /// The network's full name.
    pub network: String,
    /// Network aliases (the Services that select it).
    pub aliases: Vec<String>,
    /// Published ports.
    pub ports: Vec<PortBinding>,
    /// Exposed container ports (`80/tcp`).
    pub exposed: Vec<String>,
    /// Health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `unless-stopped` for servers, `no` for one-shots.
    pub restart: String,
    /// Named volumes.
    pub mounts: Vec<MountSpec>,
    /// Files written before start.
    pub files: Vec<FileSpec>,
    /// `uid` or `uid:gid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Privileged.
    pub privileged: bool,
    /// Read-only root filesystem.
    pub read_only: bool,
    /// CPU limit in 1e-9 CPUs (0: none).
    pub nano_cpus: i64,
    /// Memory limit in bytes (0: none).
    pub memory: i64,
    /// Memory reservation in bytes (0: none).
    pub memory_reservation: i64,
}

impl ContainerSpec {
    /// The configuration split into named parts, each hashed: what a recreate names as changed.
    pub fn part_hashes(&self) -> Vec<(&'static str, u64)> {
        let h = |v: Value| {
            let mut f = Fnv::new();
            f.value(&v);
            f.finish()
        };
        let j = |x: &dyn erased::Ser| x.value();
        vec![
            ("image", h(j(&self.image))),
            ("command", h(serde_json::json!([self.entrypoint, self.cmd]))),
            ("env", h(j(&self.env))),
            ("files", h(j(&self.files))),
            ("labels", h(j(&self.labels))),
            (
                "network",
                h(serde_json::json!([
                    self.network,
                    self.aliases,
                    self.exposed
                ])),
            ),
            ("ports", h(j(&self.ports))),
            ("health", h(j(&self.healthcheck))),
            ("restart", h(j(&self.restart))),
            ("volumes", h(j(&self.mounts))),
            (
                "security",
                h(serde_json::json!([
                    self.user,
                    self.privileged,
                    self.read_only
                ])),
            ),
            (
                "resources",
                h(serde_json::json!([
                    self.nano_cpus,
                    self.memory,
                    self.memory_reservation
                ])),
            ),
        ]
    }

    /// `sha1`-length hex of every part: the value of the config-hash labels.
    pub fn config_hash(&self) -> String {
        let mut f = Fnv::new();
        for (k, v) in self.part_hashes() {
            f.text(k);
            f.bytes(&v.to_le_bytes());
        }
        format!("{:016x}", f.finish())
    }

    /// `image=…;command=…;…`: the value of [`labels::PARTS`].
    pub fn parts_label(&self) -> String {
        self.part_hashes()
            .iter()
            .map(|(k, v)| format!("{k}={:08x}", (*v >> 32) as u32 ^ (*v as u32)))
            .collect::<Vec<_>>()
            .join(";")
    }
}

mod erased {
    pub(super) trait Ser {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

/// The parts of two parts labels that differ (all part names when either is unreadable).
pub fn changed_parts(old: &str, new: &str) -> Vec<String> {
    let read = |s: &str| -> Vec<(String, String)> {
        s.split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    };
    let (o, n) = (read(old), read(new));
    n.iter()
        .filter(|(k, v)| o.iter().find(|(ok, _)| ok == k).map(|(_, ov)| ov) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// What a step does on Docker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StepKind {
    /// Containers of an App, StatefulApp (one per replica) or Job (one, run to exit 0).
    #[serde(rename_all = "camelCase")]
    Containers {
        /// The Compose service name (the node's name).
        service: String,
        /// A Job: must exit 0.
        one_shot: bool,
        /// Number of containers.
        replicas: u32,
        /// Their configuration.
        spec: Box<ContainerSpec>,
        /// [`ContainerSpec::config_hash`].
        hash: String,
        /// [`ContainerSpec::parts_label`].
        parts: String,
    },
    /// An AppGroup: its network.
    #[serde(rename_all = "camelCase")]
    Network {
        /// The network's full name.
        network: String,
    },
    /// A Secret, ConfigMap or Service: nothing of its own; its values, files or name are part
    /// of the containers that use it.
    #[serde(rename_all = "camelCase")]
    Consumed {
        /// How, for people.
        how: String,
    },
    /// No Docker equivalent.
    #[serde(rename_all = "camelCase")]
    Skipped {
        /// Why, for people.
        why: String,
    },
}

/// One step of a Docker deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerStep {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type (`App`…).
    pub node_type: String,
    /// Its wave.
    pub wave: usize,
    /// The nodes it waits for (direct).
    pub depends_on: Vec<String>,
    /// What it does.
    pub kind: StepKind,
}

/// A network or volume of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// Full name (`<project>_<key>`).
    pub name: String,
    /// The Compose key (`default`, the group's name, the volume's name).
    pub key: String,
}

/// Error handling of the workflow (§3.5 point 8) with its retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// stop, continue, rollback or retry.
    pub error_handling: ErrorHandling,
    /// Attempts of a failed step under `retryOnError` (default 3).
    pub max_attempts: u32,
    /// First retry delay in seconds (default 5).
    pub initial_delay_seconds: u64,
    /// The delay doubles each attempt (default) or stays fixed.
    pub exponential: bool,
    /// Per-step timeout in seconds (default 300).
    pub step_timeout_seconds: u64,
    /// Whole-deploy timeout in seconds (default 1800).
    pub total_timeout_seconds: u64,
}

/// Everything a Docker deploy of a workflow creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerProject {
    /// The Compose project name.
    pub name: String,
    /// The workflow's id.
    pub workflow_id: String,
    /// The workflow's name.
    pub workflow_name: String,
    /// Networks: `default` first, then one per AppGroup.
    pub networks: Vec<Resource>,
    /// Named volumes (StatefulApp and App storage).
    pub volumes: Vec<Resource>,
    /// Steps in plan order.
    pub steps: Vec<DockerStep>,
    /// Number of waves.
    pub total_waves: usize,
    /// Error handling and timeouts.
    pub policy: Policy,
    /// The values of the workflow's Secrets: drivers replace them in every message and log
    /// line they report (never serialized).
    #[serde(skip)]
    pub secret_values: Vec<String>,
}

impl DockerProject {
    /// Its steps as a `started` event announces them.
    pub fn planned_nodes(&self) -> Vec<PlannedNode> {
        self.steps
            .iter()
            .map(|s| PlannedNode::new(&s.node_id, &s.name, &s.node_type, s.wave))
            .collect()
    }
}

/// A valid Compose project name from any text: lower case, `[a-z0-9_-]`, starting with a
/// letter or digit; `celestra` when nothing is left.
pub fn project_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    while s.starts_with(['-', '_']) {
        s.remove(0);
    }
    s.truncate(63);
    if s.is_empty() { "celestra".into() } else { s }
}

/// True when `name` is a valid Compose project name.
pub fn is_project_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

/// The container of replica `number` (from 1): `<project>-<service>-<number>`.
pub fn container_name(project: &str, service: &str, number: u32) -> String {
    format!("{project}-{service}-{number}")
}

/// Undoes the Compose generator's `$` → `$$` escaping in every string of a value.
fn unescape(v: &mut Value) {
    match v {
        Value::String(s) => {
            if s.contains("$$") {
                *s = s.replace("$$", "$");
            }
        }
        Value::Array(a) => a.iter_mut().for_each(unescape),
        Value::Object(m) => m.values_mut().for_each(unescape),
        _ => {}
    }
}

/// Compose duration (`10s`, `1m30s`, `500ms`) → nanoseconds.
fn duration_ns(v: Option<&Value>) -> i64 {
    let Some(s) = v.and_then(Value::as_str) else {
        return 0;
    };
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().unwrap_or(0);
        num.clear();
        let unit = match c {
            'h' => 3_600_000_000_000,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1_000_000
            }
            'm' => 60_000_000_000,
            's' => 1_000_000_000,
            _ => 0,
        };
        total = total.saturating_add(n.saturating_mul(unit));
    }
    total
}

/// Compose bytes (`512m`, `1g`, `1024`) → bytes.
fn bytes(v: Option<&Value>) -> i64 {
    let Some(s) = v.and_then(Value::as_str) else {
        return 0;
    };
    let (n, mult) = match s.as_bytes().last() {
        Some(b'k') => (&s[..s.len() - 1], 1024),
        Some(b'm') => (&s[..s.len() - 1], 1024 * 1024),
        Some(b'g') => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    n.parse::<i64>().map_or(0, |n| n.saturating_mul(mult))
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array().map(|a| {
        a.iter()
            .map(|x| x.as_str().unwrap_or_default().to_owned())
            .collect()
    })
}

/// The container configuration of a node's Compose service.
fn container_spec(
    project: &str,
    parts: &ComposeParts,
    service: &Value,
    publish: &str,
) -> ContainerSpec {
    let s = service;
    let env: Vec<(String, String)> = s
        .get("environment")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let labels: BTreeMap<String, String> = s
        .get("labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let (network, aliases) = s
        .get("networks")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().next())
        .map(|(k, v)| {
            (
                format!("{project}_{k}"),
                strings(v.get("aliases")).unwrap_or_default(),
            )
        })
        .unwrap_or_else(|| (format!("{project}_default"), Vec::new()));
    let mut ports = Vec::new();
    for p in s
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = p.as_str().unwrap_or_default();
        let (spec, proto) = match text.split_once('/') {
            Some((a, b)) => (a, b),
            None => (text, "tcp"),
        };
        if let Some((h, c)) = spec.split_once(':')
            && let (Ok(h), Ok(c)) = (h.parse(), c.parse())
        {
            ports.push(PortBinding {
                host_ip: publish.to_owned(),
                host_port: h,
                container_port: c,
                protocol: proto.to_owned(),
            });
        }
    }
    let mut exposed: Vec<String> = s
        .get("expose")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(|p| format!("{p}/tcp")))
        .collect();
    for p in &ports {
        exposed.push(format!("{}/{}", p.container_port, p.protocol));
    }
    crate::sort::sort(&mut exposed);
    exposed.dedup();
    let healthcheck = s.get("healthcheck").map(|h| Healthcheck {
        test: strings(h.get("test")).unwrap_or_default(),
        interval_ns: duration_ns(h.get("interval")),
        timeout_ns: duration_ns(h.get("timeout")),
        retries: h.get("retries").and_then(Value::as_i64).unwrap_or(0),
        start_period_ns: duration_ns(h.get("start_period")),
    });
    let mounts = s
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str()?.split_once(':'))
        .map(|(vol, target)| MountSpec {
            volume: format!("{project}_{vol}"),
            target: target.to_owned(),
        })
        .collect();
    // Files: Secret keys (their content is in the unit's files) and ConfigMap keys (inline).
    let mut files = Vec::new();
    let lookup = |list: &[(String, Value)], name: &str| -> Option<Value> {
        list.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    for m in s
        .get("secrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(src), Some(target)) = (
            m.get("source").and_then(Value::as_str),
            m.get("target").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(file) = lookup(&parts.secrets, src) else {
            continue;
        };
        let rel = file
            .get("file")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_start_matches("./");
        if let Some(content) = parts.files.get(rel) {
            files.push(FileSpec {
                path: target.to_owned(),
                content: content.clone(),
                mode: 0o444,
            });
        }
    }
    for m in s
        .get("configs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(src), Some(target)) = (
            m.get("source").and_then(Value::as_str),
            m.get("target").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(mut cfg) = lookup(&parts.configs, src) else {
            continue;
        };
        unescape(&mut cfg);
        files.push(FileSpec {
            path: target.to_owned(),
            content: cfg
                .get("content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            mode: 0o444,
        });
    }
    crate::sort::sort_by(&mut files, |a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let limits = s.pointer("/deploy/resources/limits");
    let nano_cpus = limits
        .and_then(|l| l.get("cpus"))
        .and_then(Value::as_str)
        .and_then(|c| c.parse::<f64>().ok())
        .map_or(0, |c| (c * 1e9).round() as i64);
    ContainerSpec {
        image: s
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        entrypoint: strings(s.get("entrypoint")),
        cmd: strings(s.get("command")),
        env,
        labels,
        network,
        aliases,
        ports,
        exposed,
        healthcheck,
        restart: s
            .get("restart")
            .and_then(Value::as_str)
            .unwrap_or("no")
            .to_owned(),
        mounts,
        files,
        user: s.get("user").and_then(Value::as_str).map(str::to_owned),
        privileged: s.get("privileged") == Some(&Value::Bool(true)),
        read_only: s.get("read_only") == Some(&Value::Bool(true)),
        nano_cpus,
        memory: bytes(limits.and_then(|l| l.get("memory"))),
        memory_reservation: bytes(s.pointer("/deploy/resources/reservations/memory")),
    }
}

/// The Docker project of a valid workflow. Refuses a workflow with errors
/// ([`Error::Invalid`]) and an invalid explicit project name ([`Error::Option`]).
pub fn project(workflow: &Workflow, opts: &ProjectOptions) -> Result<DockerProject, Error> {
    let name = match &opts.project {
        Some(p) if is_project_name(p) => p.clone(),
        Some(p) => {
            return Err(Error::Option {
                message: format!(
                    "project {p:?} is not a valid Compose project name: use lower-case letters, digits, '-' and '_', starting with a letter or digit"
                ),
            });
        }
        None => project_name(if workflow.name.is_empty() {
            &workflow.id
        } else {
            &workflow.name
        }),
    };
    let publish = opts.publish_address.as_deref().unwrap_or("127.0.0.1");
    let g = Graph::build(workflow);
    crate::generate::refuse_errors(workflow, &g, crate::validate::Target::Compose)?;
    let plan = crate::plan::plan(workflow)?;
    let index: BTreeMap<&str, usize> = (0..g.nodes.len()).map(|i| (g.id(i), i)).collect();
    let mut steps = Vec::new();
    let mut networks = vec![Resource {
        name: format!("{name}_default"),
        key: "default".into(),
    }];
    let mut volumes: Vec<Resource> = Vec::new();
    for (w, wave) in plan.waves.iter().enumerate() {
        for st in &wave.steps {
            let Some(&i) = index.get(st.node_id.as_str()) else {
                continue;
            };
            let mut rec = Recorder::default();
            let mut parts = Compose {
                g: &g,
                led: &mut rec,
                redact: false,
            }
            .unit(i);
            let depends_on: Vec<String> = {
                let mut d: Vec<String> = st.waits_for.iter().map(|x| x.node_id.clone()).collect();
                crate::sort::sort(&mut d);
                d.dedup();
                d
            };
            let ty = st.node_type;
            let kind = match ty {
                NodeType::App | NodeType::StatefulApp | NodeType::Job => {
                    let Some((service, mut svc)) = parts.service.take() else {
                        continue;
                    };
                    unescape(&mut svc);
                    for (k, _) in &parts.volumes {
                        let full = format!("{name}_{k}");
                        if !volumes.iter().any(|v| v.name == full) {
                            volumes.push(Resource {
                                name: full,
                                key: k.clone(),
                            });
                        }
                    }
                    let spec = container_spec(&name, &parts, &svc, publish);
                    let one_shot = ty == NodeType::Job;
                    let replicas = if one_shot {
                        1
                    } else {
                        svc.pointer("/deploy/replicas")
                            .and_then(Value::as_u64)
                            .unwrap_or(1)
                            .min(u64::from(u32::MAX)) as u32
                    };
                    StepKind::Containers {
                        service,
                        one_shot,
                        replicas,
                        hash: spec.config_hash(),
                        parts: spec.parts_label(),
                        spec: Box::new(spec),
                    }
                }
                NodeType::AppGroup => {
                    let full = format!("{name}_{}", st.name);
                    networks.push(Resource {
                        name: full.clone(),
                        key: st.name.clone(),
                    });
                    StepKind::Network { network: full }
                }
                NodeType::Secret | NodeType::ConfigMap => StepKind::Consumed {
                    how: "its keys are written into the containers that use it (environment or files)"
                        .into(),
                },
                NodeType::Service => StepKind::Consumed {
                    how: "a network alias of the containers it selects".into(),
                },
                other => StepKind::Skipped {
                    why: format!("{} has no Docker equivalent", other.short()),
                },
            };
            steps.push(DockerStep {
                node_id: st.node_id.clone(),
                name: st.name.clone(),
                node_type: ty.short().to_owned(),
                wave: w,
                depends_on,
                kind,
            });
            for a in &st.attached {
                steps.push(DockerStep {
                    node_id: a.node_id.clone(),
                    name: a.name.clone(),
                    node_type: a.node_type.short().to_owned(),
                    wave: w,
                    depends_on: vec![st.node_id.clone()],
                    kind: StepKind::Skipped {
                        why: format!("{} has no Docker equivalent", a.node_type.short()),
                    },
                });
            }
        }
    }
    let policy = policy(workflow);
    let secret_values = secret_values(&g);
    Ok(DockerProject {
        secret_values,
        workflow_id: workflow.id.clone(),
        workflow_name: workflow.name.clone(),
        total_waves: plan.waves.len(),
        name,
        networks,
        volumes,
        steps,
        policy,
    })
}

/// The workflow's error handling, retry settings and timeouts (defaults filled in).
pub(crate) fn policy(workflow: &Workflow) -> Policy {
    let settings = workflow.settings.as_ref();
    let retry = settings.and_then(|s| s.retry.as_ref());
    let pos = |v: Option<i64>, d: u64| {
        v.and_then(|x| u64::try_from(x).ok())
            .filter(|x| *x > 0)
            .unwrap_or(d)
    };
    Policy {
        error_handling: settings
            .and_then(|s| s.error_handling)
            .unwrap_or(ErrorHandling::StopOnError),
        max_attempts: pos(retry.and_then(|r| r.max_attempts), 3).min(100) as u32,
        initial_delay_seconds: retry
            .and_then(|r| r.initial_delay_seconds)
            .and_then(|x| u64::try_from(x).ok())
            .unwrap_or(5),
        exponential: retry.and_then(|r| r.backoff) != Some(crate::model::Backoff::Fixed),
        step_timeout_seconds: pos(settings.and_then(|s| s.step_timeout_seconds), 300),
        total_timeout_seconds: pos(settings.and_then(|s| s.total_timeout_seconds), 1800),
    }
}

/// The values of the workflow's Secrets, longest first (drivers replace them in every
/// message they report), except those that are also a node's name or namespace.
pub(crate) fn secret_values(g: &Graph<'_>) -> Vec<String> {
    let mut secret_values: Vec<String> = Vec::new();
    for n in &g.nodes {
        if matches!(n.data.properties, crate::model::Properties::Secret(_)) {
            secret_values.extend(crate::generate::compose::source_values(n, false).into_values());
        }
    }
    crate::sort::sort(&mut secret_values);
    secret_values.dedup();
    // A value that is also a node's name or an AppGroup's namespace is public already (every
    // object name shows it): replacing it would only hide which object a message is about.
    let public: Vec<&str> = g
        .nodes
        .iter()
        .flat_map(|n| [n.name(), crate::graph::group_namespace(n)])
        .collect();
    secret_values.retain(|v| !public.contains(&v.as_str()));
    // Longest first, so that a value containing another is replaced whole.
    crate::sort::sort_by(&mut secret_values, |a, b| b.len().cmp(&a.len()));
    secret_values
}

/// One container as the engine lists it (labels read back).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveContainer {
    /// Container id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// `com.docker.compose.service`.
    pub service: String,
    /// `com.docker.compose.container-number`.
    pub number: u32,
    /// `io.celestra.node`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// `io.celestra.config-hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// `io.celestra.config-parts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<String>,
    /// `io.celestra.revision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// `created`, `running`, `exited`, `restarting`, `paused`, `dead`.
    pub state: String,
    /// Exit code once exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// `starting`, `healthy`, `unhealthy` when it has a health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
}

impl LiveContainer {
    /// Reads the labels of a listed container.
    pub fn from_labels(
        id: &str,
        name: &str,
        state: &str,
        labels: &BTreeMap<String, String>,
    ) -> LiveContainer {
        LiveContainer {
            id: id.to_owned(),
            name: name.trim_start_matches('/').to_owned(),
            service: labels.get(labels::SERVICE).cloned().unwrap_or_default(),
            number: labels
                .get(labels::NUMBER)
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            node_id: labels.get(labels::NODE).cloned(),
            hash: labels.get(labels::HASH).cloned(),
            parts: labels.get(labels::PARTS).cloned(),
            revision: labels.get(labels::REVISION).and_then(|r| r.parse().ok()),
            state: state.to_owned(),
            exit_code: None,
            health: None,
        }
    }
}

/// What exists of a project on the engine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveInventory {
    /// Containers labelled with the project.
    pub containers: Vec<LiveContainer>,
    /// Networks labelled with the project (full names).
    pub networks: Vec<String>,
    /// Volumes labelled with the project (full names).
    pub volumes: Vec<String>,
}

fn obj(kind: &str, name: &str, project: &str) -> ObjectRef {
    ObjectRef {
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: Some(project.to_owned()),
    }
}

/// The decision for one desired container against what runs.
pub fn container_change(
    live: Option<&LiveContainer>,
    hash: &str,
    parts: &str,
    one_shot: bool,
) -> (Op, String) {
    let Some(c) = live else {
        return (Op::Create, "new".into());
    };
    match &c.hash {
        None => {
            return (
                Op::Recreate,
                "not created by Celestra (no configuration hash)".into(),
            );
        }
        Some(h) if h != hash => {
            let changed = changed_parts(c.parts.as_deref().unwrap_or_default(), parts);
            let what = if changed.is_empty() {
                "configuration".to_owned()
            } else {
                changed.join(", ")
            };
            return (Op::Recreate, format!("changed: {what}"));
        }
        Some(_) => {}
    }
    match (one_shot, c.state.as_str(), c.exit_code) {
        (true, "exited", Some(0)) => (Op::Unchanged, "completed (exit 0)".into()),
        (true, "exited", Some(code)) => {
            (Op::Recreate, format!("its last run failed (exit {code})"))
        }
        (true, "running", _) => (Op::Unchanged, "still running".into()),
        (true, _, _) => (Op::Recreate, format!("never completed ({})", c.state)),
        (false, "running", _) if c.health.as_deref() == Some("unhealthy") => {
            (Op::Recreate, "unhealthy".into())
        }
        (false, "running", _) => (Op::Unchanged, "running, same configuration".into()),
        (false, "restarting", _) => (Op::Recreate, "restarting (crash loop)".into()),
        (false, state, _) => (Op::Update, format!("{state}: start it again")),
    }
}

/// What a deploy of `p` would do on top of `live`.
pub fn change_plan(p: &DockerProject, live: &LiveInventory) -> ChangePlan {
    let mut plan = ChangePlan {
        project: p.name.clone(),
        ..ChangePlan::default()
    };
    let has = |list: &[String], n: &str| list.iter().any(|x| x == n);
    for n in &p.networks {
        let (op, why) = if has(&live.networks, &n.name) {
            (Op::Unchanged, "exists")
        } else {
            (Op::Create, "new")
        };
        plan.infrastructure.push(Change {
            node_id: None,
            object: obj("Network", &n.name, &p.name),
            op,
            why: why.into(),
        });
    }
    for v in &p.volumes {
        let (op, why) = if has(&live.volumes, &v.name) {
            (Op::Unchanged, "exists (its data is kept)")
        } else {
            (Op::Create, "new")
        };
        plan.infrastructure.push(Change {
            node_id: None,
            object: obj("Volume", &v.name, &p.name),
            op,
            why: why.into(),
        });
    }
    let mut services: Vec<&str> = Vec::new();
    for w in 0..p.total_waves {
        let mut changes = Vec::new();
        for st in p.steps.iter().filter(|s| s.wave == w) {
            match &st.kind {
                StepKind::Containers {
                    service,
                    one_shot,
                    replicas,
                    hash,
                    parts,
                    ..
                } => {
                    services.push(service);
                    for k in 1..=*replicas {
                        let name = container_name(&p.name, service, k);
                        let l = live
                            .containers
                            .iter()
                            .find(|c| &c.service == service && c.number == k);
                        let (op, why) = container_change(l, hash, parts, *one_shot);
                        changes.push(Change {
                            node_id: Some(st.node_id.clone()),
                            object: obj("Container", &name, &p.name),
                            op,
                            why,
                        });
                    }
                    for c in live
                        .containers
                        .iter()
                        .filter(|c| &c.service == service && c.number > *replicas)
                    {
                        plan.prune.push(Change {
                            node_id: Some(st.node_id.clone()),
                            object: obj("Container", &c.name, &p.name),
                            op: Op::Prune,
                            why: format!("replica {} of {} (scaled down)", c.number, replicas),
                        });
                    }
                }
                StepKind::Network { .. } | StepKind::Consumed { .. } => {}
                StepKind::Skipped { why } => plan.skipped.push(SkippedNode {
                    node_id: st.node_id.clone(),
                    name: st.name.clone(),
                    why: why.clone(),
                }),
            }
        }
        plan.waves.push(ChangeWave { wave: w, changes });
    }
    let mut gone: Vec<&LiveContainer> = live
        .containers
        .iter()
        .filter(|c| !services.contains(&c.service.as_str()))
        .collect();
    crate::sort::sort_by(&mut gone, |a, b| a.name.cmp(&b.name));
    for c in gone {
        plan.prune.push(Change {
            node_id: c.node_id.clone(),
            object: obj("Container", &c.name, &p.name),
            op: Op::Prune,
            why: format!("service {:?} is no longer in the workflow", c.service),
        });
    }
    let mut nets: Vec<&String> = live
        .networks
        .iter()
        .filter(|n| !p.networks.iter().any(|d| &d.name == *n))
        .collect();
    crate::sort::sort(&mut nets);
    for n in nets {
        plan.prune.push(Change {
            node_id: None,
            object: obj("Network", n, &p.name),
            op: Op::Prune,
            why: "its AppGroup is no longer in the workflow".into(),
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex2() -> Workflow {
        crate::api::parse_str(include_str!(
            "../../../tests/fixtures/workflows/ex2-postgres-migration.json"
        ))
        .unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(project_name("Pg Stack!"), "pg-stack-");
        assert_eq!(project_name("--x"), "x");
        assert_eq!(project_name("ÄÖ"), "celestra");
        assert!(is_project_name("pg-stack"));
        assert!(!is_project_name("-pg"));
        assert!(!is_project_name("Pg"));
        assert_eq!(container_name("p", "web", 2), "p-web-2");
    }

    #[test]
    fn durations_and_bytes() {
        let s = |t: &str| Value::String(t.into());
        assert_eq!(duration_ns(Some(&s("10s"))), 10_000_000_000);
        assert_eq!(duration_ns(Some(&s("1m30s"))), 90_000_000_000);
        assert_eq!(duration_ns(Some(&s("500ms"))), 500_000_000);
        assert_eq!(bytes(Some(&s("512m"))), 512 * 1024 * 1024);
        assert_eq!(bytes(Some(&s("1000"))), 1000);
    }

    #[test]
    fn ex2_project() {
        let p = project(&ex2(), &ProjectOptions::default()).unwrap();
        assert_eq!(p.name, "pg-stack");
        assert_eq!(p.total_waves, 4);
        let kinds: Vec<(&str, usize, &str)> = p
            .steps
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.wave,
                    match &s.kind {
                        StepKind::Containers { .. } => "containers",
                        StepKind::Network { .. } => "network",
                        StepKind::Consumed { .. } => "consumed",
                        StepKind::Skipped { .. } => "skipped",
                    },
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("pg-init", 0, "consumed"),
                ("pg-auth", 0, "consumed"),
                ("pg", 1, "containers"),
                ("pg-rw", 2, "consumed"),
                ("pg-migrate", 3, "containers")
            ]
        );
        let StepKind::Containers { spec, .. } = &p.steps[4].kind else {
            panic!()
        };
        assert!(
            spec.env
                .contains(&("DB_POSTGRES_PASSWORD".into(), "change-me".into()))
        );
        assert_eq!(spec.restart, "no");
        let StepKind::Containers { spec, .. } = &p.steps[2].kind else {
            panic!()
        };
        assert_eq!(spec.aliases, ["pg-rw"]);
        assert_eq!(spec.network, "pg-stack_default");
        assert_eq!(spec.files[0].path, "/docker-entrypoint-initdb.d/init.sql");
        assert_eq!(spec.files[0].content, "CREATE DATABASE app;");
        assert_eq!(spec.mounts[0].volume, "pg-stack_pg-data");
        assert_eq!(p.volumes[0].name, "pg-stack_pg-data");
        assert!(spec.healthcheck.is_some());
    }

    #[test]
    fn change_plans() {
        let p = project(&ex2(), &ProjectOptions::default()).unwrap();
        let fresh = change_plan(&p, &LiveInventory::default());
        assert_eq!(fresh.counts(), [4, 0, 0, 0, 0], "{}", fresh.to_text());
        // everything as desired → no-op
        let mut live = LiveInventory {
            networks: vec!["pg-stack_default".into()],
            volumes: vec!["pg-stack_pg-data".into()],
            ..LiveInventory::default()
        };
        for st in &p.steps {
            if let StepKind::Containers {
                service,
                hash,
                parts,
                one_shot,
                ..
            } = &st.kind
            {
                live.containers.push(LiveContainer {
                    id: format!("id-{service}"),
                    name: container_name(&p.name, service, 1),
                    service: service.clone(),
                    number: 1,
                    node_id: Some(st.node_id.clone()),
                    hash: Some(hash.clone()),
                    parts: Some(parts.clone()),
                    revision: Some(1),
                    state: if *one_shot { "exited" } else { "running" }.into(),
                    exit_code: Some(0),
                    health: Some("healthy".into()),
                });
            }
        }
        let same = change_plan(&p, &live);
        assert!(same.is_noop(), "{}", same.to_text());
        // an edited image recreates only that container, and says why
        let mut wf = ex2();
        let i = wf.nodes.iter().position(|n| n.id == "j1").unwrap();
        if let crate::model::Properties::Job(j) = &mut wf.nodes[i].data.properties {
            j.image = Some("ghcr.io/acme/migrator:1.0.0".into());
        }
        let edited = change_plan(&project(&wf, &ProjectOptions::default()).unwrap(), &live);
        let non_noop: Vec<_> = edited.changes().filter(|c| c.op != Op::Unchanged).collect();
        assert_eq!(non_noop.len(), 1, "{}", edited.to_text());
        assert_eq!(non_noop[0].op, Op::Recreate);
        assert_eq!(non_noop[0].object.name, "pg-stack-pg-migrate-1");
        assert_eq!(non_noop[0].why, "changed: image");
        // a removed node is pruned; a failed job is re-run; a stopped server is started
        live.containers.push(LiveContainer {
            name: "pg-stack-old-1".into(),
            service: "old".into(),
            number: 1,
            state: "running".into(),
            ..LiveContainer::default()
        });
        live.containers[1].exit_code = Some(3);
        live.containers[0].state = "exited".into();
        let c = change_plan(&p, &live);
        let ops: Vec<(&str, Op)> = c
            .changes()
            .filter(|c| c.op != Op::Unchanged)
            .map(|c| (c.object.name.as_str(), c.op))
            .collect();
        assert_eq!(
            ops,
            [
                ("pg-stack-pg-1", Op::Update),
                ("pg-stack-pg-migrate-1", Op::Recreate),
                ("pg-stack-old-1", Op::Prune)
            ],
            "{}",
            c.to_text()
        );
    }

    #[test]
    fn hostile_values_reach_the_spec_unescaped() {
        let wf = crate::api::parse_str(include_str!(
            "../../../tests/fixtures/workflows/hostile-values.json"
        ))
        .unwrap();
        let p = project(&wf, &ProjectOptions::default()).unwrap();
        let mut checked = 0;
        for n in &wf.nodes {
            let crate::model::Properties::App(a) = &n.data.properties else {
                continue;
            };
            let Some(step) = p.steps.iter().find(|s| s.node_id == n.id) else {
                continue;
            };
            let StepKind::Containers { spec, .. } = &step.kind else {
                panic!()
            };
            for (k, v) in a.environment.iter().flatten() {
                let key = crate::validate::formats::sanitize_env_keep_case(k);
                assert!(
                    spec.env.iter().any(|(ek, ev)| *ek == key && ev == v),
                    "{k}={v:?} did not reach the container unchanged: {:?}",
                    spec.env
                );
                checked += 1;
            }
        }
        assert!(checked > 0);
    }
}
