//! Semantics shared by every target: labels, resolved injections, service accounts, service
//! ports and selectors, container ports. One place decides what a graph means; targets only
//! decide how to write it.

use crate::graph::{Graph, Pair};
use crate::model::*;
use crate::validate::formats;
use std::collections::BTreeMap;

/// Labels of every object a node produces (also what selectors match; see `Graph::pod_labels`).
pub(crate) fn labels(g: &Graph<'_>, i: usize) -> BTreeMap<String, String> {
    g.pod_labels(i)
}

/// The immutable selector of a workload's pods.
pub(crate) fn selector(name: &str) -> BTreeMap<String, String> {
    crate::sort::map([("app".to_owned(), name.to_owned())])
}

/// How a Secret or ConfigMap reaches one workload (one per connection).
#[derive(Debug, Clone)]
pub(crate) struct Injection<'a> {
    pub(crate) conn_id: &'a str,
    pub(crate) source: usize,
    pub(crate) secret: bool,
    pub(crate) source_name: &'a str,
    /// Env names → key (per-key injection), or `None` for "all keys, no prefix" (envFrom).
    pub(crate) env: Option<Vec<(String, String)>>,
    pub(crate) env_all: bool,
    pub(crate) mount: Option<Mount>,
    pub(crate) optional: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub(crate) path: String,
    pub(crate) sub_path: Option<String>,
    pub(crate) keys: Option<Vec<String>>,
    pub(crate) mode: Option<i32>,
}

/// Secret / ConfigMap injections into workload `w`, in connection-id order.
pub(crate) fn injections<'a>(g: &Graph<'a>, w: usize) -> Vec<Injection<'a>> {
    let mut out = Vec::new();
    for k in g.inn(w) {
        let e = &g.edges[*k];
        let secret = match e.pair {
            Pair::SecretToWorkload => true,
            Pair::ConfigToWorkload => false,
            _ => continue,
        };
        let n = g.nodes[e.src];
        let (inject, prefix, mount, sub_path, mode) = match &n.data.properties {
            Properties::Secret(p) => (
                p.inject_as,
                p.env_prefix.clone(),
                p.mount_path.clone(),
                p.sub_path.clone(),
                p.file_permissions
                    .as_deref()
                    .and_then(|m| formats::octal_mode(m).ok()),
            ),
            Properties::ConfigMap(p) => (
                p.inject_as,
                p.env_prefix.clone(),
                p.mount_path.clone(),
                p.sub_path.clone(),
                p.default_mode
                    .as_deref()
                    .and_then(|m| formats::octal_mode(m).ok()),
            ),
            _ => continue,
        };
        let d = e.conn.data.as_ref();
        let mount_path = d.and_then(|d| d.mount_path.clone()).or(mount);
        let inject = d
            .and_then(|d| d.inject_as)
            .or(inject)
            .unwrap_or(if mount_path.is_some() {
                InjectAs::Volume
            } else {
                InjectAs::Env
            });
        let prefix = d
            .and_then(|d| d.env_prefix.clone())
            .or(prefix)
            .unwrap_or_default();
        let keys = d.and_then(|d| d.keys.clone());
        let wants_env = matches!(inject, InjectAs::Env | InjectAs::Both);
        let wants_volume = matches!(inject, InjectAs::Volume | InjectAs::Both);
        let (env, env_all) = if wants_env {
            if prefix.is_empty() && keys.is_none() {
                (None, true)
            } else {
                let list = keys.clone().unwrap_or_else(|| n.provided_keys());
                (
                    Some(
                        list.into_iter()
                            .map(|k| (formats::sanitize_env(&format!("{prefix}{k}")), k))
                            .collect(),
                    ),
                    false,
                )
            }
        } else {
            (None, false)
        };
        let mount = match (wants_volume, mount_path) {
            (true, Some(path)) => Some(Mount {
                path,
                sub_path: sub_path.clone(),
                keys: keys.clone(),
                mode: mode.map(|m| m as i32),
            }),
            _ => None,
        };
        out.push(Injection {
            conn_id: &e.conn.id,
            source: e.src,
            secret,
            source_name: n.name(),
            env,
            env_all,
            mount,
            optional: e.conn.style() == Style::Dashed,
        });
    }
    out
}

/// The ServiceAccount a workload runs under: the connected one, else the `serviceAccount` property.
pub(crate) fn service_account(g: &Graph<'_>, w: usize) -> Option<String> {
    let connected = crate::refs::connected_service_accounts(g, w);
    if let Some(first) = connected.iter().next() {
        return Some(g.name(*first).to_owned());
    }
    match &g.nodes[w].data.properties {
        Properties::App(p) => p.service_account.clone(),
        Properties::StatefulApp(p) => p.service_account.clone(),
        Properties::Job(p) => p.service_account.clone(),
        Properties::CronJob(p) => p.service_account.clone(),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CPort {
    pub(crate) port: i64,
    pub(crate) name: Option<String>,
    pub(crate) protocol: Protocol,
}

/// Container ports of a workload (main port first, named `http` for Apps and `app` for
/// StatefulApps).
pub(crate) fn container_ports(n: &Node) -> Vec<CPort> {
    let (main, list, main_name) = match &n.data.properties {
        Properties::App(p) => (p.port, p.ports.as_ref(), "http"),
        Properties::StatefulApp(p) => (p.port, p.ports.as_ref(), "app"),
        Properties::Job(p) => (None, p.ports.as_ref(), "http"),
        _ => (None, None, ""),
    };
    let mut out = Vec::new();
    if let Some(p) = main {
        out.push(CPort {
            port: p,
            name: Some(main_name.to_owned()),
            protocol: Protocol::Tcp,
        });
    }
    for ps in list.into_iter().flatten() {
        if let Some(port) = ps.port {
            if out
                .iter()
                .any(|c| c.port == port && c.protocol == ps.protocol.unwrap_or(Protocol::Tcp))
            {
                continue;
            }
            out.push(CPort {
                port,
                name: ps.name.clone(),
                protocol: ps.protocol.unwrap_or(Protocol::Tcp),
            });
        }
    }
    out
}

/// A Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SPort {
    pub(crate) name: String,
    pub(crate) port: i64,
    pub(crate) target: IntOrString,
    pub(crate) protocol: Protocol,
    pub(crate) app_protocol: Option<String>,
    pub(crate) node_port: Option<i64>,
}

/// Workloads a Service node selects: its workload connections and, with an explicit selector,
/// every matching server in its namespace. Sorted by node index.
pub(crate) fn selected_workloads(g: &Graph<'_>, s: usize) -> Vec<usize> {
    let mut out: Vec<usize> = g.sources(s, Pair::WorkloadToService).collect();
    if let Properties::Service(p) = &g.nodes[s].data.properties
        && let Some(sel) = p.selector.as_ref().filter(|m| !m.is_empty())
    {
        out.extend(g.matching_workloads(sel, g.ns[s], true));
    }
    crate::sort::sort(&mut out);
    out.dedup();
    out
}

/// The selector of a Service node: explicit, else `{app: <connected workload>}`.
pub(crate) fn service_selector(g: &Graph<'_>, s: usize) -> Option<BTreeMap<String, String>> {
    let Properties::Service(p) = &g.nodes[s].data.properties else {
        return None;
    };
    if p.kind == Some(ServiceType::ExternalName) {
        return None;
    }
    if let Some(sel) = p.selector.as_ref().filter(|m| !m.is_empty()) {
        return Some(sel.clone());
    }
    g.sources(s, Pair::WorkloadToService)
        .next()
        .map(|w| selector(g.name(w)))
}

/// The ports of a Service node (§2.6): `port` + `targetPort` as the first port (`port` defaults
/// to `targetPort`, `targetPort` to the selected workload's first port), then `ports`; with none
/// at all, the first port of the selected workload. Names: given, else `http`, then `port-<n>`.
pub(crate) fn service_ports(g: &Graph<'_>, s: usize) -> Vec<SPort> {
    let Properties::Service(p) = &g.nodes[s].data.properties else {
        return Vec::new();
    };
    let workload_first = selected_workloads(g, s)
        .into_iter()
        .find_map(|w| container_ports(g.nodes[w]).into_iter().next());
    let edge_target = g
        .inn(s)
        .iter()
        .map(|k| &g.edges[*k])
        .filter(|e| e.pair == Pair::WorkloadToService)
        .find_map(|e| e.conn.data.as_ref().and_then(|d| d.target_port.clone()));
    let mut out = Vec::new();
    let target = p
        .target_port
        .clone()
        .or(edge_target)
        .or_else(|| workload_first.as_ref().map(|c| IntOrString::Int(c.port)));
    let port = p.port.or(match &target {
        Some(IntOrString::Int(t)) => Some(*t),
        _ => None,
    });
    let has_list = p.ports.as_ref().is_some_and(|l| !l.is_empty());
    if let Some(port) = port.filter(|_| p.port.is_some() || p.target_port.is_some() || !has_list) {
        out.push(SPort {
            name: "http".to_owned(),
            port,
            target: target.clone().unwrap_or(IntOrString::Int(port)),
            protocol: p.protocol.unwrap_or(Protocol::Tcp),
            app_protocol: p.app_protocol.clone(),
            node_port: None,
        });
    }
    for (k, sp) in p.ports.iter().flatten().enumerate() {
        let Some(port) = sp.port else { continue };
        if out
            .iter()
            .any(|o| o.port == port && o.protocol == sp.protocol.unwrap_or(Protocol::Tcp))
        {
            continue;
        }
        let name = sp.name.clone().unwrap_or_else(|| {
            if out.is_empty() && k == 0 {
                "http".to_owned()
            } else {
                format!("port-{}", k + 1)
            }
        });
        out.push(SPort {
            name,
            port,
            target: sp.target_port.clone().unwrap_or(IntOrString::Int(port)),
            protocol: sp.protocol.unwrap_or(Protocol::Tcp),
            app_protocol: sp.app_protocol.clone(),
            node_port: sp.node_port,
        });
    }
    out
}

/// `10m` → 600.
pub(crate) fn seconds(d: Option<&String>) -> Option<i64> {
    d.and_then(|s| formats::duration(s).ok()).map(|s| s as i64)
}

/// The AppGroup `replicas` default of a node's group.
pub(crate) fn group_replicas(g: &Graph<'_>, i: usize) -> Option<i64> {
    let gi = g.group[i]?;
    match &g.nodes[gi].data.properties {
        Properties::AppGroup(p) => p.replicas,
        _ => None,
    }
}

/// Top-level property keys a node actually sets (for ledger coverage).
pub(crate) fn present_keys(n: &Node) -> Vec<&str> {
    n.data.properties.present_keys()
}

/// A double-quoted string in printable ASCII, valid as a YAML double-quoted scalar, a Python
/// string literal and a Go string literal: `"` and `\` escaped, `\n` `\t` `\r` by name, every
/// other character outside `' '..='~'` as `\uXXXX` / `\UXXXXXXXX`. Nothing in it can end the
/// string, start a new line, or be read differently by a YAML 1.1 reader (NEL, LS, PS).
pub(crate) fn quote_ascii(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Properties of the pod shared by every workload type.
pub(crate) struct PodCommon<'p> {
    pub(crate) present: Vec<&'p str>,
    pub(crate) image: Option<&'p String>,
    pub(crate) command: Option<&'p Vec<String>>,
    pub(crate) args: Option<&'p Vec<String>>,
    pub(crate) environment: Option<&'p StrMap>,
    pub(crate) cpu_request: Option<&'p NumOrStr>,
    pub(crate) cpu_limit: Option<&'p NumOrStr>,
    pub(crate) memory_request: Option<&'p NumOrStr>,
    pub(crate) memory_limit: Option<&'p NumOrStr>,
    pub(crate) gpu: Option<i64>,
    pub(crate) ephemeral: Option<&'p Object>,
    pub(crate) security_context: Option<&'p Object>,
    pub(crate) pss: Option<PodSecurityStandard>,
    pub(crate) liveness: Option<&'p Probe>,
    pub(crate) readiness: Option<&'p Probe>,
    pub(crate) startup: Option<&'p Probe>,
    pub(crate) node_selector: Option<&'p StrMap>,
    pub(crate) affinity: Option<&'p Object>,
    pub(crate) tolerations: Option<&'p Vec<Toleration>>,
    pub(crate) topology_spread: Option<&'p Vec<Object>>,
    pub(crate) host_network: Option<bool>,
    pub(crate) dns_policy: Option<DnsPolicy>,
    pub(crate) volume_mounts: Option<&'p Vec<VolumeMount>>,
    pub(crate) empty_dirs: Option<&'p Vec<EmptyDir>>,
}

impl<'p> PodCommon<'p> {
    /// The pod properties of a workload node (App, StatefulApp, Job, CronJob); `None` for other
    /// node types. Shared by every target that builds containers.
    pub(crate) fn of(n: &'p Node) -> Option<PodCommon<'p>> {
        let present = present_keys(n);
        Some(match &n.data.properties {
            Properties::App(p) => PodCommon {
                present,
                image: p.image.as_ref(),
                command: None,
                args: None,
                environment: p.environment.as_ref(),
                cpu_request: p.cpu_request.as_ref(),
                cpu_limit: p.cpu_limit.as_ref(),
                memory_request: p.memory_request.as_ref(),
                memory_limit: p.memory_limit.as_ref(),
                gpu: p.gpu,
                ephemeral: None,
                security_context: p.security_context.as_ref(),
                pss: p.pod_security_standard,
                liveness: p.liveness_probe.as_ref(),
                readiness: p.readiness_probe.as_ref(),
                startup: p.startup_probe.as_ref(),
                node_selector: p.node_selector.as_ref(),
                affinity: p.affinity.as_ref(),
                tolerations: p.tolerations.as_ref(),
                topology_spread: p.topology_spread.as_ref(),
                host_network: p.host_network,
                dns_policy: p.dns_policy,
                volume_mounts: p.volume_mounts.as_ref(),
                empty_dirs: p.empty_dirs.as_ref(),
            },
            Properties::StatefulApp(p) => PodCommon {
                present,
                image: p.image.as_ref(),
                command: None,
                args: None,
                environment: p.environment.as_ref(),
                cpu_request: p.cpu_request.as_ref(),
                cpu_limit: p.cpu_limit.as_ref(),
                memory_request: p.memory_request.as_ref(),
                memory_limit: p.memory_limit.as_ref(),
                gpu: p.gpu,
                ephemeral: None,
                security_context: p.security_context.as_ref(),
                pss: p.pod_security_standard,
                liveness: p.liveness_probe.as_ref(),
                readiness: p.readiness_probe.as_ref(),
                startup: p.startup_probe.as_ref(),
                node_selector: p.node_selector.as_ref(),
                affinity: p.affinity.as_ref(),
                tolerations: p.tolerations.as_ref(),
                ..PodCommon::bare()
            },
            Properties::Job(p) => PodCommon {
                present,
                image: p.image.as_ref(),
                command: p.command.as_ref(),
                args: p.args.as_ref(),
                environment: p.environment.as_ref(),
                cpu_request: p.cpu_request.as_ref(),
                cpu_limit: p.cpu_limit.as_ref(),
                memory_request: p.memory_request.as_ref(),
                memory_limit: p.memory_limit.as_ref(),
                gpu: p.gpu,
                ephemeral: p.storage_requirements.as_ref(),
                security_context: p.security_context.as_ref(),
                pss: p.pod_security_standard,
                node_selector: p.node_selector.as_ref(),
                affinity: p.affinity.as_ref(),
                tolerations: p.tolerations.as_ref(),
                ..PodCommon::bare()
            },
            Properties::CronJob(p) => PodCommon {
                present,
                image: p.image.as_ref(),
                command: p.command.as_ref(),
                args: p.args.as_ref(),
                environment: p.environment.as_ref(),
                cpu_request: p.cpu_request.as_ref(),
                cpu_limit: p.cpu_limit.as_ref(),
                memory_request: p.memory_request.as_ref(),
                memory_limit: p.memory_limit.as_ref(),
                gpu: p.gpu,
                security_context: p.security_context.as_ref(),
                pss: p.pod_security_standard,
                node_selector: p.node_selector.as_ref(),
                affinity: p.affinity.as_ref(),
                tolerations: p.tolerations.as_ref(),
                ..PodCommon::bare()
            },
            _ => return None,
        })
    }

    /// Nothing set (the base the workload types fill in).
    fn bare() -> PodCommon<'p> {
        PodCommon {
            present: Vec::new(),
            image: None,
            command: None,
            args: None,
            environment: None,
            cpu_request: None,
            cpu_limit: None,
            memory_request: None,
            memory_limit: None,
            gpu: None,
            ephemeral: None,
            security_context: None,
            pss: None,
            liveness: None,
            readiness: None,
            startup: None,
            node_selector: None,
            affinity: None,
            tolerations: None,
            topology_spread: None,
            host_network: None,
            dns_policy: None,
            volume_mounts: None,
            empty_dirs: None,
        }
    }
}

/// FNV-1a, fed piece by piece.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }

    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// A string, length first (so that concatenations differ).
    pub(crate) fn text(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }

    /// A JSON value, tagged by type; maps in key order. What serializing it to bytes would
    /// distinguish, without the bytes.
    pub(crate) fn value(&mut self, v: &serde_json::Value) {
        match v {
            serde_json::Value::Null => self.bytes(b"n"),
            serde_json::Value::Bool(b) => self.bytes(if *b { b"t" } else { b"f" }),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.bytes(b"i");
                    self.bytes(&i.to_le_bytes());
                } else if let Some(u) = n.as_u64() {
                    self.bytes(b"u");
                    self.bytes(&u.to_le_bytes());
                } else {
                    self.bytes(b"d");
                    self.bytes(&n.as_f64().unwrap_or(f64::NAN).to_bits().to_le_bytes());
                }
            }
            serde_json::Value::String(s) => {
                self.bytes(b"s");
                self.text(s);
            }
            serde_json::Value::Array(a) => {
                self.bytes(b"[");
                self.bytes(&(a.len() as u64).to_le_bytes());
                for x in a {
                    self.value(x);
                }
            }
            serde_json::Value::Object(m) => {
                self.bytes(b"{");
                self.bytes(&(m.len() as u64).to_le_bytes());
                for (k, x) in m {
                    self.text(k);
                    self.value(x);
                }
            }
        }
    }
}
