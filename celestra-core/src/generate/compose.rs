//! The Docker Compose target (compose-spec): services for Apps, StatefulApps and Jobs, named
//! volumes, networks, secrets and configs; `depends_on` conditions from the connections; health
//! checks from probes; Kubernetes resources converted to Compose units. Everything without a
//! Compose equivalent is in the ledger as dropped.

use super::common;
use super::ledger::{Fidelity, Recorder};
use crate::graph::{Graph, Pair};
use crate::model::*;
use crate::validate::formats;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Escapes Compose interpolation: every `$` becomes `$$`.
pub(crate) fn esc(s: &str) -> String {
    s.replace('$', "$$")
}

fn esc_list(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(esc(s))).collect())
}

/// Kubernetes CPU (`500m`, `1.5`, `2`) → Compose cpus (`0.5`, `1.5`, `2`).
pub(crate) fn cpus(q: &NumOrStr) -> Option<String> {
    let text = q.text();
    let cores = formats::cpu(&text).ok()?;
    let s = format!("{cores:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    Some(if s.is_empty() {
        "0".into()
    } else {
        s.to_owned()
    })
}

/// Kubernetes memory (`512Mi`, `1Gi`, `500M`, `1024`) → Compose bytes notation (`512m`, `1g`,
/// `500000000`).
pub(crate) fn memory(q: &NumOrStr) -> Option<String> {
    let text = q.text();
    let (bytes, _) = formats::quantity(&text).ok()?;
    let bytes = bytes.round() as u64;
    const K: u64 = 1024;
    Some(if bytes > 0 && bytes % (K * K * K) == 0 {
        format!("{}g", bytes / (K * K * K))
    } else if bytes > 0 && bytes % (K * K) == 0 {
        format!("{}m", bytes / (K * K))
    } else if bytes > 0 && bytes % K == 0 {
        format!("{}k", bytes / K)
    } else {
        bytes.to_string()
    })
}

pub(crate) struct Compose<'g, 'a> {
    pub(crate) g: &'g Graph<'a>,
    pub(crate) led: &'g mut Recorder,
    pub(crate) redact: bool,
}

/// What one node contributes to the compose file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ComposeParts {
    pub(crate) service: Option<(String, Value)>,
    pub(crate) volumes: Vec<(String, Value)>,
    pub(crate) secrets: Vec<(String, Value)>,
    pub(crate) configs: Vec<(String, Value)>,
    pub(crate) network: Option<String>,
    /// Secret files referenced by the service.
    pub(crate) files: BTreeMap<String, String>,
}

/// The ledger rule for connections no node recorded.
pub(crate) fn connection_rule(pair: Pair) -> Fidelity {
    match pair {
        Pair::ServerToServer
        | Pair::ServerToJob
        | Pair::JobToWorkload
        | Pair::ServiceToWorkload
        | Pair::SecretToWorkload
        | Pair::ConfigToWorkload
        | Pair::WorkloadToService => Fidelity::Mapped,
        _ => Fidelity::Dropped {
            why: "no Docker Compose equivalent".into(),
        },
    }
}

fn has_healthcheck(n: &Node) -> bool {
    match &n.data.properties {
        Properties::App(p) => p.readiness_probe.is_some() || p.liveness_probe.is_some(),
        Properties::StatefulApp(p) => p.readiness_probe.is_some() || p.liveness_probe.is_some(),
        _ => false,
    }
}

impl<'g, 'a> Compose<'g, 'a> {
    fn id(&self, i: usize) -> &'a str {
        self.g.id(i)
    }

    /// The unit of node `i`: its service (App, StatefulApp, Job), the top-level entries it adds
    /// (volumes, secrets, configs, a group network), its files and ledger lines.
    pub(crate) fn unit(mut self, i: usize) -> ComposeParts {
        let g = self.g;
        let mut parts = ComposeParts::default();
        let Some(t) = g.ty(i) else { return parts };
        let n = g.nodes[i];
        match t {
            NodeType::App | NodeType::StatefulApp | NodeType::Job => {
                let mut volumes = Map::new();
                let mut secrets = Map::new();
                let mut configs = Map::new();
                let svc = self.service(
                    i,
                    &mut volumes,
                    &mut secrets,
                    &mut configs,
                    &mut parts.files,
                );
                parts.service = Some((n.name().to_owned(), svc));
                parts.volumes = volumes.into_iter().collect();
                parts.secrets = secrets.into_iter().collect();
                parts.configs = configs.into_iter().collect();
            }
            NodeType::AppGroup => {
                parts.network = Some(n.name().to_owned());
                for k in common::present_keys(n) {
                    let f = match k {
                        "namespace"
                        | "createNamespace"
                        | "resourceQuota"
                        | "resourceQuotaCustom"
                        | "allowInternalCommunication" => Fidelity::Dropped {
                            why: "Compose has no namespaces, quotas or network policies".into(),
                        },
                        "replicas" => Fidelity::Mapped,
                        "labels" | "annotations" => Fidelity::Approximated {
                            how: "only members' own labels are written".into(),
                        },
                        _ => Fidelity::Approximated {
                            how: "members share the network named after the group".into(),
                        },
                    };
                    self.led_entry(i, k, f);
                }
            }
            NodeType::Secret | NodeType::ConfigMap => {
                // Consumed through their connections (env values, files); the node itself
                // produces no Compose object.
                for k in common::present_keys(n) {
                    let f = match k {
                        "data" | "files" | "envVars" | "directories" | "injectAs" | "envPrefix"
                        | "mountPath" | "subPath" => Fidelity::Mapped,
                        "type" | "labels" | "annotations" | "filePermissions" | "defaultMode" => {
                            Fidelity::Approximated {
                                how: "files are written with Compose defaults".into(),
                            }
                        }
                        "generated" => Fidelity::Approximated {
                            how: "values are generated at deploy time".into(),
                        },
                        other => Fidelity::Dropped {
                            why: format!("`{other}` has no Compose equivalent"),
                        },
                    };
                    self.led_entry(i, k, f);
                }
            }
            NodeType::Service => {
                for k in common::present_keys(n) {
                    let f = match k {
                        "type" | "port" | "targetPort" | "ports" => Fidelity::Approximated {
                            how: "NodePort/LoadBalancer ports are published; the Service name is a network alias of the workload".into(),
                        },
                        "selector" => Fidelity::Mapped,
                        other => Fidelity::Dropped {
                            why: format!("`{other}` has no Compose equivalent"),
                        },
                    };
                    self.led_entry(i, k, f);
                }
            }
            other => {
                for k in common::present_keys(n) {
                    self.led.dropped(
                        self.id(i),
                        k,
                        format!("{} has no Docker Compose equivalent", other.short()),
                    );
                }
                self.led.dropped(
                    self.id(i),
                    "node",
                    format!("{} has no Docker Compose equivalent", other.short()),
                );
            }
        }
        parts
    }

    fn led_entry(&mut self, i: usize, k: &str, f: Fidelity) {
        let id = self.id(i);
        match f {
            Fidelity::Mapped => self.led.mapped(id, k),
            Fidelity::Approximated { how } => self.led.approx(id, k, how),
            Fidelity::Dropped { why } => self.led.dropped(id, k, why),
        }
    }

    fn service(
        &mut self,
        i: usize,
        volumes: &mut Map<String, Value>,
        secrets: &mut Map<String, Value>,
        configs: &mut Map<String, Value>,
        files: &mut BTreeMap<String, String>,
    ) -> Value {
        let g = self.g;
        let n = g.nodes[i];
        let id = self.id(i);
        let name = n.name();
        let mut s = Map::new();
        let present = common::present_keys(n);
        let has = |k: &str| present.contains(&k);
        // Only workloads become services; the pod properties are shared with the Kubernetes
        // target (`PodCommon`).
        let Some(pc) = common::PodCommon::of(n) else {
            return Value::Object(s);
        };
        let replicas = match &n.data.properties {
            Properties::App(AppProps { replicas, .. })
            | Properties::StatefulApp(StatefulAppProps { replicas, .. }) => Some(
                replicas
                    .or_else(|| common::group_replicas(g, i))
                    .unwrap_or(1),
            ),
            _ => None,
        };
        let probes = [pc.readiness, pc.liveness];
        let labels = n.data.properties.labels();
        let (image, command, args, env) = (pc.image, pc.command, pc.args, pc.environment);
        let (cpu_req, cpu_lim) = (pc.cpu_request, pc.cpu_limit);
        let (mem_req, mem_lim) = (pc.memory_request, pc.memory_limit);
        let security = pc.security_context;
        if let Some(img) = &image {
            s.insert("image".into(), json!(esc(img)));
            self.led.mapped(id, "image");
        }
        // Kubernetes `command` is the entrypoint, `args` the command.
        if let Some(c) = &command {
            s.insert("entrypoint".into(), esc_list(c));
            self.led.mapped(id, "command");
        }
        if let Some(a) = &args {
            s.insert("command".into(), esc_list(a));
            self.led.mapped(id, "args");
        }
        s.insert(
            "restart".into(),
            json!(if n.node_type() == Some(NodeType::Job) {
                "no"
            } else {
                "unless-stopped"
            }),
        );
        // environment: own variables, then injected Secret / ConfigMap keys.
        let mut environment: BTreeMap<String, String> = BTreeMap::new();
        if let Some(e) = env {
            for (k, v) in e {
                environment.insert(formats::sanitize_env_keep_case(k), esc(v));
            }
            self.led.mapped(id, "environment");
        }
        let mut svc_secrets: Vec<Value> = Vec::new();
        let mut svc_configs: Vec<Value> = Vec::new();
        for inj in common::injections(g, i) {
            let values = source_values(g.nodes[inj.source], self.redact);
            let env_pairs: Vec<(String, String)> = if inj.env_all {
                values
                    .iter()
                    .map(|(k, v)| (formats::sanitize_env(k), v.clone()))
                    .collect()
            } else {
                inj.env
                    .iter()
                    .flatten()
                    .filter_map(|(var, key)| values.get(key).map(|v| (var.clone(), v.clone())))
                    .collect()
            };
            for (var, v) in env_pairs {
                environment.insert(var, esc(&v));
            }
            if let Some(m) = &inj.mount {
                let keys: Vec<String> = m
                    .keys
                    .clone()
                    .unwrap_or_else(|| values.keys().cloned().collect());
                for key in keys {
                    let Some(v) = values.get(&key) else { continue };
                    let obj_name =
                        format!("{}-{}", inj.source_name, formats::suggest_name(&key, 40));
                    let target = format!("{}/{}", m.path.trim_end_matches('/'), key);
                    if inj.secret {
                        let rel = format!("secrets/{}/{}", inj.source_name, key);
                        files.insert(rel.clone(), v.clone());
                        secrets.insert(obj_name.clone(), json!({"file": format!("./{rel}")}));
                        svc_secrets.push(json!({"source": obj_name, "target": target}));
                    } else {
                        configs.insert(obj_name.clone(), json!({"content": esc(v)}));
                        svc_configs.push(json!({"source": obj_name, "target": target}));
                    }
                }
            }
        }
        if !environment.is_empty() {
            s.insert("environment".into(), json!(environment));
        }
        if !svc_secrets.is_empty() {
            s.insert("secrets".into(), Value::Array(svc_secrets));
        }
        if !svc_configs.is_empty() {
            s.insert("configs".into(), Value::Array(svc_configs));
        }
        // ports: published only through NodePort / LoadBalancer Services; otherwise exposed.
        let cports = common::container_ports(n);
        let mut published: Vec<String> = Vec::new();
        let mut aliases: Vec<String> = Vec::new();
        for svc in g.targets(i, Pair::WorkloadToService) {
            aliases.push(g.name(svc).to_owned());
            if let Properties::Service(sp) = &g.nodes[svc].data.properties
                && matches!(
                    sp.kind,
                    Some(ServiceType::NodePort | ServiceType::LoadBalancer)
                )
            {
                for p in common::service_ports(g, svc) {
                    let target = match &p.target {
                        IntOrString::Int(t) => Some(*t),
                        IntOrString::Name(nm) => cports
                            .iter()
                            .find(|c| c.name.as_deref() == Some(nm))
                            .map(|c| c.port),
                    };
                    if let Some(t) = target {
                        let proto = if p.protocol == Protocol::Udp {
                            "/udp"
                        } else {
                            ""
                        };
                        published.push(format!("{}:{t}{proto}", p.node_port.unwrap_or(p.port)));
                    }
                }
            }
        }
        for sel in &g.selector_services {
            if common::selected_workloads(g, *sel).contains(&i)
                && !aliases.contains(&g.name(*sel).to_owned())
            {
                aliases.push(g.name(*sel).to_owned());
            }
        }
        if !published.is_empty() {
            crate::sort::sort(&mut published);
            published.dedup();
            s.insert("ports".into(), json!(published));
        }
        if !cports.is_empty() {
            s.insert(
                "expose".into(),
                Value::Array(cports.iter().map(|c| json!(c.port.to_string())).collect()),
            );
        }
        for k in ["port", "ports"] {
            if has(k) {
                self.led.approx(id, k, "exposed to other services; published on the host only through a NodePort/LoadBalancer Service");
            }
        }
        // health check from the readiness (else liveness) probe
        let probe = probes.iter().flatten().next();
        if let Some(p) = probe {
            if let Some(hc) = healthcheck(p, &cports) {
                s.insert("healthcheck".into(), hc);
            }
        }
        for k in ["readinessProbe", "livenessProbe"] {
            if has(k) {
                self.led.approx(
                    id,
                    k,
                    "a Compose healthcheck (http/tcp checks run wget or nc inside the container)",
                );
            }
        }
        if has("startupProbe") {
            self.led
                .approx(id, "startupProbe", "the healthcheck start_period");
        }
        // deploy: replicas and resources
        let mut deploy = Map::new();
        if let Some(r) = replicas {
            if r != 1 {
                deploy.insert("replicas".into(), json!(r));
            }
            if has("replicas") {
                self.led.mapped(id, "replicas");
            }
        }
        let mut limits = Map::new();
        let mut reservations = Map::new();
        if let Some(c) = cpu_lim.and_then(cpus) {
            limits.insert("cpus".into(), json!(c));
        }
        if let Some(m) = mem_lim.and_then(memory) {
            limits.insert("memory".into(), json!(m));
        }
        if let Some(c) = cpu_req.and_then(cpus) {
            reservations.insert("cpus".into(), json!(c));
        }
        if let Some(m) = mem_req.and_then(memory) {
            reservations.insert("memory".into(), json!(m));
        }
        for k in ["cpuLimit", "memoryLimit", "cpuRequest", "memoryRequest"] {
            if has(k) {
                self.led
                    .approx(id, k, "converted to Compose units under deploy.resources");
            }
        }
        if !limits.is_empty() || !reservations.is_empty() {
            let mut res = Map::new();
            if !limits.is_empty() {
                res.insert("limits".into(), Value::Object(limits));
            }
            if !reservations.is_empty() {
                res.insert("reservations".into(), Value::Object(reservations));
            }
            deploy.insert("resources".into(), Value::Object(res));
        }
        if !deploy.is_empty() {
            s.insert("deploy".into(), Value::Object(deploy));
        }
        // storage → named volume
        if let Properties::App(p) = &n.data.properties
            && p.storage.is_some()
        {
            let vname = format!("{name}-data");
            volumes.insert(vname.clone(), json!({}));
            s.insert(
                "volumes".into(),
                json!([format!(
                    "{vname}:{}",
                    p.storage_mount_path
                        .clone()
                        .unwrap_or_else(|| "/data".into())
                )]),
            );
            self.led
                .approx(id, "storage", "a named volume (no size limit in Compose)");
            if p.storage_mount_path.is_some() {
                self.led.mapped(id, "storageMountPath");
            }
        }
        if let Properties::StatefulApp(p) = &n.data.properties
            && p.storage.is_some()
        {
            let vname = format!("{name}-data");
            volumes.insert(vname.clone(), json!({}));
            s.insert(
                "volumes".into(),
                json!([format!(
                    "{vname}:{}",
                    p.mount_path.clone().unwrap_or_else(|| "/data".into())
                )]),
            );
            self.led
                .approx(id, "storage", "a named volume (no size limit in Compose)");
            if p.mount_path.is_some() {
                self.led.mapped(id, "mountPath");
            }
        }
        // user / privilege from the security context
        if let Some(sc) = &security {
            if let Some(u) = sc.get("runAsUser").and_then(Value::as_i64) {
                s.insert("user".into(), json!(u.to_string()));
            }
            if sc.get("privileged") == Some(&Value::Bool(true)) {
                s.insert("privileged".into(), json!(true));
            }
            if sc.get("readOnlyRootFilesystem") == Some(&Value::Bool(true)) {
                s.insert("read_only".into(), json!(true));
            }
            self.led.approx(
                id,
                "securityContext",
                "runAsUser, privileged and readOnlyRootFilesystem only",
            );
        }
        // labels
        let mut all_labels = common::labels(g, i);
        if let Some(l) = &labels {
            all_labels.extend(l.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        s.insert(
            "labels".into(),
            Value::Object(crate::sort::object(
                all_labels.into_iter().map(|(k, v)| (k, json!(esc(&v)))),
            )),
        );
        if has("labels") {
            self.led.mapped(id, "labels");
        }
        // networks: default, or the group's, with the Services selecting it as aliases
        let net = match g.group[i] {
            Some(gi) => g.name(gi).to_owned(),
            None => "default".to_owned(),
        };
        crate::sort::sort(&mut aliases);
        aliases.dedup();
        aliases.retain(|a| a != name);
        s.insert(
            "networks".into(),
            if aliases.is_empty() {
                json!({ net: {} })
            } else {
                json!({ net: {"aliases": aliases} })
            },
        );
        // depends_on from connections (§3.2 #15–18)
        let mut deps: BTreeMap<String, Value> = BTreeMap::new();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            let src = e.src;
            let dashed = e.conn.style() == Style::Dashed;
            let (target, condition) = match e.pair {
                Pair::ServerToServer | Pair::ServerToJob => (
                    g.name(src).to_owned(),
                    if !dashed && has_healthcheck(g.nodes[src]) {
                        "service_healthy"
                    } else {
                        "service_started"
                    },
                ),
                Pair::JobToWorkload => (g.name(src).to_owned(), "service_completed_successfully"),
                Pair::ServiceToWorkload => {
                    let Some(w) = common::selected_workloads(g, src)
                        .into_iter()
                        .find(|w| *w != i)
                    else {
                        continue;
                    };
                    (g.name(w).to_owned(), "service_started")
                }
                _ => continue,
            };
            if target == name {
                continue;
            }
            let entry = if dashed {
                json!({"condition": "service_started", "required": false})
            } else {
                json!({ "condition": condition })
            };
            deps.entry(target).or_insert(entry);
        }
        if !deps.is_empty() {
            s.insert("depends_on".into(), json!(deps));
        }
        // everything else on the node
        for k in present.iter() {
            let done = matches!(
                *k,
                "image"
                    | "command"
                    | "args"
                    | "environment"
                    | "port"
                    | "ports"
                    | "readinessProbe"
                    | "livenessProbe"
                    | "startupProbe"
                    | "replicas"
                    | "cpuLimit"
                    | "memoryLimit"
                    | "cpuRequest"
                    | "memoryRequest"
                    | "storage"
                    | "securityContext"
                    | "labels"
            );
            if !done && !self.led.recorded(id, k) {
                self.led
                    .dropped(id, k, format!("`{k}` has no Docker Compose equivalent"));
            }
        }
        Value::Object(s)
    }
}

/// The key → value pairs a Secret or ConfigMap provides (redacted when asked).
pub(crate) fn source_values(n: &Node, redact: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let r = |v: &str| {
        if redact {
            super::kubernetes::REDACTED.to_owned()
        } else {
            v.to_owned()
        }
    };
    match &n.data.properties {
        Properties::Secret(p) => {
            for (k, v) in p.data.iter().flatten() {
                out.insert(k.clone(), r(v));
            }
            for (k, f) in p.files.iter().flatten() {
                let content = f.content.clone().unwrap_or_default();
                let text = if f.encoding == Some(FileEncoding::Base64) {
                    super::kubernetes::base64_decode(&content)
                        .and_then(|b| String::from_utf8(b).ok())
                        .unwrap_or(content)
                } else {
                    content
                };
                out.insert(k.clone(), r(&text));
            }
            if let Some(ev) = &p.env_vars {
                for (k, v) in ev.pairs() {
                    out.entry(k).or_insert_with(|| r(&v));
                }
            }
        }
        Properties::ConfigMap(p) => {
            for (k, v) in p.data.iter().flatten() {
                out.insert(
                    k.clone(),
                    match v {
                        ConfigValue::Text(t) => t.clone(),
                        ConfigValue::Json(j) => serde_json::to_string_pretty(j).unwrap_or_default(),
                    },
                );
            }
            for (k, f) in p
                .files
                .iter()
                .flatten()
                .chain(p.directories.iter().flatten())
            {
                out.insert(k.clone(), f.content.clone().unwrap_or_default());
            }
        }
        _ => {}
    }
    out
}

/// A Compose healthcheck from a probe.
fn healthcheck(p: &Probe, ports: &[common::CPort]) -> Option<Value> {
    let kind = p.kind.unwrap_or(if p.command.is_some() {
        ProbeType::Exec
    } else {
        ProbeType::Http
    });
    let port = match p
        .port
        .clone()
        .or_else(|| ports.first().map(|c| IntOrString::Int(c.port)))
    {
        Some(IntOrString::Int(n)) => Some(n),
        Some(IntOrString::Name(nm)) => ports
            .iter()
            .find(|c| c.name.as_deref() == Some(&nm))
            .map(|c| c.port),
        None => None,
    };
    let test = match kind {
        ProbeType::Exec => {
            let cmd = p.command.as_ref()?;
            let mut v = vec![json!("CMD")];
            v.extend(cmd.iter().map(|c| json!(esc(c))));
            Value::Array(v)
        }
        ProbeType::Http => {
            let path = p.path.clone().unwrap_or_else(|| "/".into());
            // The path is validated (starts with '/'); quote it for the shell anyway.
            let url = format!("http://localhost:{}{}", port?, path);
            json!([
                "CMD-SHELL",
                esc(&format!(
                    "wget -q -O /dev/null {} || exit 1",
                    shell_quote(&url)
                ))
            ])
        }
        ProbeType::Tcp | ProbeType::Grpc => {
            json!(["CMD-SHELL", format!("nc -z localhost {} || exit 1", port?)])
        }
    };
    let mut hc = json!({"test": test});
    if let Some(s) = p.period_seconds {
        hc["interval"] = json!(format!("{s}s"));
    }
    if let Some(s) = p.timeout_seconds {
        hc["timeout"] = json!(format!("{s}s"));
    }
    if let Some(s) = p.failure_threshold {
        hc["retries"] = json!(s);
    }
    if let Some(s) = p.initial_delay_seconds {
        hc["start_period"] = json!(format!("{s}s"));
    }
    Some(hc)
}

/// Single-quotes a string for `sh -c`.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let q = |s: &str| NumOrStr::Text(s.into());
        assert_eq!(cpus(&q("500m")).as_deref(), Some("0.5"));
        assert_eq!(cpus(&q("2")).as_deref(), Some("2"));
        assert_eq!(cpus(&q("1.25")).as_deref(), Some("1.25"));
        assert_eq!(memory(&q("512Mi")).as_deref(), Some("512m"));
        assert_eq!(memory(&q("1Gi")).as_deref(), Some("1g"));
        assert_eq!(memory(&q("500M")).as_deref(), Some("500000000"));
        assert_eq!(esc("a$b${c}"), "a$$b$${c}");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
