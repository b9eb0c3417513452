//! The Kubernetes target: typed objects (`k8s.rs`) per node and connection effect (§2, §3.2),
//! in apply order, with recommended labels and immutable selectors. Custom kinds (Argo Rollout,
//! Prometheus Operator, CR instances) are built as JSON.

use super::common::{self, Injection, PodCommon};
use super::k8s as apiext;
use super::k8s as apps;
use super::k8s as batch;
use super::k8s as core;
use super::k8s as net;
use super::k8s as rbac;
use super::k8s::ToJson;
use super::k8s::{IntOrString as KInt, LabelSelector, ObjectMeta, Quantity};
use super::ledger::{Fidelity, Recorder};
use super::{KubeVersion, Obj};
use crate::graph::{Graph, Pair, group_namespace};
use crate::model::*;
use crate::objects::{
    app_has_ports, app_selected_by_service, backup_local, group_creates_namespace,
};
use crate::validate::formats;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Builds the objects of one node (and records its ledger lines).
pub(crate) struct Kube<'g, 'a> {
    pub(crate) g: &'g Graph<'a>,
    pub(crate) led: &'g mut Recorder,
    pub(crate) version: KubeVersion,
    pub(crate) redact: bool,
}

fn q(s: impl Into<String>) -> Quantity {
    s.into()
}

fn kint(p: &IntOrString) -> KInt {
    match p {
        IntOrString::Int(n) => KInt::Int(*n as i32),
        IntOrString::Name(s) => KInt::String(s.clone()),
    }
}

fn obj<T>(node: usize, kind: &str, ns: Option<&str>, name: &str, o: T) -> Obj
where
    T: ToJson + super::k8s::Resource + Send + Sync + 'static,
{
    Obj {
        node,
        kind: kind.to_owned(),
        namespace: ns.map(str::to_owned),
        name: name.to_owned(),
        value: Value::Null,
        body: Some(Box::new(o)),
        api_version: None,
        typed: true,
    }
}

fn json_obj(node: usize, kind: &str, ns: Option<&str>, name: &str, value: Value) -> Obj {
    Obj {
        node,
        kind: kind.to_owned(),
        namespace: ns.map(str::to_owned),
        name: name.to_owned(),
        value,
        body: None,
        api_version: None,
        typed: false,
    }
}

/// Decodes standard base64 (whitespace ignored); `None` if invalid.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (k, c) in chunk.iter().enumerate() {
            let v = if k >= 4 - pad { 0 } else { val(*c)? };
            n = (n << 6) | v;
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Some(out)
}

/// Standard base64 encoding.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The placeholder that replaces secret values when secrets are redacted (previews).
pub(crate) const REDACTED: &str = "<redacted>";

impl<'g, 'a> Kube<'g, 'a> {
    fn id(&self, i: usize) -> &'a str {
        self.g.id(i)
    }

    fn meta(&self, i: usize, name: &str, ns: Option<&str>) -> ObjectMeta {
        let n = self.g.nodes[i];
        let annotations = n
            .data
            .properties
            .annotations()
            .filter(|a| !a.is_empty())
            .cloned();
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: ns.map(str::to_owned),
            labels: Some(common::labels(self.g, i)),
            annotations,
        }
    }

    /// A free-form value the user wrote for Kubernetes, passed through as written (the API
    /// server checks it; the judge checks the fixtures' against the schemas).
    fn raw(&mut self, i: usize, prop: &str, v: Value) -> Option<Value> {
        self.led.mapped(self.id(i), prop);
        Some(v)
    }

    fn common_meta_ledger(&mut self, i: usize) {
        let n = self.g.nodes[i];
        if n.data.properties.labels().is_some() {
            self.led.mapped(self.id(i), "labels");
        }
        if n.data.properties.annotations().is_some() {
            self.led.mapped(self.id(i), "annotations");
        }
    }

    /// All objects of node `i`.
    pub(crate) fn node(&mut self, i: usize) -> Vec<Obj> {
        self.common_meta_ledger(i);
        let n = self.g.nodes[i];
        let out = match &n.data.properties {
            Properties::App(p) => self.app(i, p),
            Properties::StatefulApp(p) => self.stateful(i, p),
            Properties::Job(p) => self.job(i, p),
            Properties::CronJob(p) => self.cronjob(i, p),
            Properties::Service(p) => self.service(i, p),
            Properties::Ingress(p) => self.ingress(i, p),
            Properties::NetworkPolicy(p) => self.netpol(i, p),
            Properties::Secret(p) => self.secret(i, p),
            Properties::ConfigMap(p) => self.configmap(i, p),
            Properties::ServiceAccount(p) => self.service_account(i, p),
            Properties::Role(p) => self.role(i, p),
            Properties::DeploymentStrategy(p) => self.strategy(i, p),
            Properties::Observability(p) => self.observability(i, p),
            Properties::AppGroup(p) => self.group(i, p),
            Properties::CustomResource(p) => self.custom_resource(i, p),
            Properties::Unknown(_) => Vec::new(),
        };
        for k in n.data.properties.other().into_iter().flat_map(|m| m.keys()) {
            self.led
                .dropped(self.id(i), k, "unknown or unreadable property");
        }
        out
    }

    // ------------------------------------------------------------------ pods

    fn container_and_volumes(
        &mut self,
        i: usize,
        pc: &PodCommon<'_>,
    ) -> (core::Container, Vec<core::Volume>) {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let mut c = core::Container {
            name: name.to_owned(),
            image: pc.image.cloned(),
            ..core::Container::default()
        };
        if pc.image.is_some() {
            self.led.mapped(id, "image");
        }
        if let Some(cmd) = pc.command {
            c.command = Some(cmd.clone());
            self.led.mapped(id, "command");
        }
        if let Some(args) = pc.args {
            c.args = Some(args.clone());
            self.led.mapped(id, "args");
        }
        // ports
        let ports = common::container_ports(g.nodes[i]);
        if !ports.is_empty() {
            c.ports = Some(
                ports
                    .iter()
                    .map(|p| core::ContainerPort {
                        container_port: p.port as i32,
                        name: p.name.clone(),
                        protocol: Some(p.protocol.as_str().to_owned()),
                    })
                    .collect(),
            );
        }
        for key in ["port", "ports"] {
            if pc.present.contains(&key) {
                self.led.mapped(id, key);
            }
        }
        // env
        let mut env: Vec<core::EnvVar> = Vec::new();
        if let Some(e) = pc.environment {
            for (k, v) in e {
                env.push(core::EnvVar {
                    name: formats::sanitize_env_keep_case(k),
                    value: Some(v.clone()),
                    ..core::EnvVar::default()
                });
            }
            self.led.mapped(id, "environment");
        }
        let mut env_from: Vec<core::EnvFromSource> = Vec::new();
        let mut volumes: Vec<core::Volume> = Vec::new();
        let mut mounts: Vec<core::VolumeMount> = Vec::new();
        for inj in common::injections(g, i) {
            self.injection(&inj, &mut env, &mut env_from, &mut volumes, &mut mounts);
        }
        // resources
        let mut requests = BTreeMap::new();
        let mut limits = BTreeMap::new();
        for (key, v, is_limit, res) in [
            ("cpuRequest", pc.cpu_request, false, "cpu"),
            ("memoryRequest", pc.memory_request, false, "memory"),
            ("cpuLimit", pc.cpu_limit, true, "cpu"),
            ("memoryLimit", pc.memory_limit, true, "memory"),
        ] {
            if let Some(v) = v {
                let map = if is_limit { &mut limits } else { &mut requests };
                map.insert(res.to_owned(), q(v.text()));
                self.led.mapped(id, key);
            }
        }
        if let Some(st) = pc.ephemeral {
            let mut used = false;
            for (key, is_limit) in [("request", false), ("limit", true)] {
                if let Some(v) = st.get(key).and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }) {
                    let map = if is_limit { &mut limits } else { &mut requests };
                    map.insert("ephemeral-storage".to_owned(), q(v));
                    used = true;
                }
            }
            if used {
                self.led.mapped(id, "storageRequirements");
            } else {
                self.led.dropped(
                    id,
                    "storageRequirements",
                    "expected {\"request\": \"1Gi\", \"limit\": \"2Gi\"}",
                );
            }
        }
        if let Some(gpu) = pc.gpu {
            limits.insert("nvidia.com/gpu".to_owned(), q(gpu.to_string()));
            self.led.mapped(id, "gpu");
        }
        if !requests.is_empty() || !limits.is_empty() {
            c.resources = Some(core::ResourceRequirements {
                requests: (!requests.is_empty()).then_some(requests),
                limits: (!limits.is_empty()).then_some(limits),
            });
        }
        // security context (+ Pod Security Standard "restricted")
        let mut sc = match pc.security_context {
            Some(o) => {
                self.led.mapped(id, "securityContext");
                o.clone()
            }
            None => core::Object::new(),
        };
        if let Some(pss) = pc.pss {
            if pss == PodSecurityStandard::Restricted {
                for (key, value) in [
                    ("runAsNonRoot", json!(true)),
                    ("allowPrivilegeEscalation", json!(false)),
                    ("capabilities", json!({"drop": ["ALL"]})),
                    ("seccompProfile", json!({"type": "RuntimeDefault"})),
                ] {
                    sc.entry(key).or_insert(value);
                }
                self.led.mapped(id, "podSecurityStandard");
            } else {
                self.led.approx(
                    id,
                    "podSecurityStandard",
                    format!("only the namespace label pod-security.kubernetes.io/enforce={pss} (group members)"),
                );
            }
        }
        if !sc.is_empty() {
            c.security_context = Some(sc);
        }
        // probes
        for (key, p, slot) in [
            ("livenessProbe", pc.liveness, 0),
            ("readinessProbe", pc.readiness, 1),
            ("startupProbe", pc.startup, 2),
        ] {
            let Some(p) = p else { continue };
            let probe = self.probe(i, key, p, &ports);
            match slot {
                0 => c.liveness_probe = probe,
                1 => c.readiness_probe = probe,
                _ => c.startup_probe = probe,
            }
        }
        if !env.is_empty() {
            c.env = Some(env);
        }
        if !env_from.is_empty() {
            c.env_from = Some(env_from);
        }
        if !mounts.is_empty() {
            c.volume_mounts = Some(mounts);
        }
        (c, volumes)
    }

    fn injection(
        &mut self,
        inj: &Injection<'_>,
        env: &mut Vec<core::EnvVar>,
        env_from: &mut Vec<core::EnvFromSource>,
        volumes: &mut Vec<core::Volume>,
        mounts: &mut Vec<core::VolumeMount>,
    ) {
        let optional = inj.optional.then_some(true);
        if inj.env_all {
            env_from.push(if inj.secret {
                core::EnvFromSource {
                    secret_ref: Some(core::SecretEnvSource {
                        name: inj.source_name.to_owned(),
                        optional,
                    }),
                    ..core::EnvFromSource::default()
                }
            } else {
                core::EnvFromSource {
                    config_map_ref: Some(core::ConfigMapEnvSource {
                        name: inj.source_name.to_owned(),
                        optional,
                    }),
                    ..core::EnvFromSource::default()
                }
            });
        }
        for (var, key) in inj.env.iter().flatten() {
            let source = if inj.secret {
                core::EnvVarSource {
                    secret_key_ref: Some(core::SecretKeySelector {
                        name: inj.source_name.to_owned(),
                        key: key.clone(),
                        optional,
                    }),
                    ..core::EnvVarSource::default()
                }
            } else {
                core::EnvVarSource {
                    config_map_key_ref: Some(core::ConfigMapKeySelector {
                        name: inj.source_name.to_owned(),
                        key: key.clone(),
                        optional,
                    }),
                    ..core::EnvVarSource::default()
                }
            };
            env.push(core::EnvVar {
                name: var.clone(),
                value_from: Some(source),
                ..core::EnvVar::default()
            });
        }
        if let Some(m) = &inj.mount {
            let vol_name = format!("{}-volume", inj.source_name);
            let items = m.keys.as_ref().map(|keys| {
                keys.iter()
                    .map(|k| core::KeyToPath {
                        key: k.clone(),
                        path: k.clone(),
                        ..core::KeyToPath::default()
                    })
                    .collect()
            });
            if !volumes.iter().any(|v| v.name == vol_name) {
                volumes.push(if inj.secret {
                    core::Volume {
                        name: vol_name.clone(),
                        secret: Some(core::SecretVolumeSource {
                            secret_name: Some(inj.source_name.to_owned()),
                            default_mode: m.mode,
                            items,
                            optional,
                        }),
                        ..core::Volume::default()
                    }
                } else {
                    core::Volume {
                        name: vol_name.clone(),
                        config_map: Some(core::ConfigMapVolumeSource {
                            name: inj.source_name.to_owned(),
                            default_mode: m.mode,
                            items,
                            optional,
                        }),
                        ..core::Volume::default()
                    }
                });
            }
            mounts.push(core::VolumeMount {
                name: vol_name,
                mount_path: m.path.clone(),
                sub_path: m.sub_path.clone(),
                read_only: Some(true),
            });
        }
        self.led.connection(inj.conn_id, Fidelity::Mapped);
    }

    fn probe(
        &mut self,
        i: usize,
        key: &str,
        p: &Probe,
        ports: &[common::CPort],
    ) -> Option<core::Probe> {
        let id = self.id(i);
        let kind = p.kind.unwrap_or(if p.command.is_some() {
            ProbeType::Exec
        } else {
            ProbeType::Http
        });
        let port = p
            .port
            .clone()
            .or_else(|| ports.first().map(|c| IntOrString::Int(c.port)));
        let mut probe = core::Probe {
            initial_delay_seconds: p.initial_delay_seconds.map(|v| v as i32),
            period_seconds: p.period_seconds.map(|v| v as i32),
            timeout_seconds: p.timeout_seconds.map(|v| v as i32),
            failure_threshold: p.failure_threshold.map(|v| v as i32),
            success_threshold: p.success_threshold.map(|v| v as i32),
            ..core::Probe::default()
        };
        match kind {
            ProbeType::Exec => {
                probe.exec = Some(core::ExecAction {
                    command: p.command.clone(),
                });
            }
            ProbeType::Http => {
                probe.http_get = Some(core::HTTPGetAction {
                    path: Some(p.path.clone().unwrap_or_else(|| "/".into())),
                    port: kint(&port?),
                    ..core::HTTPGetAction::default()
                });
            }
            ProbeType::Tcp => {
                probe.tcp_socket = Some(core::TCPSocketAction { port: kint(&port?) });
            }
            ProbeType::Grpc => {
                let IntOrString::Int(n) = port? else {
                    self.led
                        .dropped(id, key, "gRPC probes need a port number, not a name");
                    return None;
                };
                if self.version.before(1, 24) {
                    self.led.dropped(
                        id,
                        key,
                        format!(
                            "gRPC probes need Kubernetes 1.24+ (target {})",
                            self.version
                        ),
                    );
                    return None;
                }
                probe.grpc = Some(core::GRPCAction {
                    port: n as i32,
                    service: None,
                });
            }
        }
        self.led.mapped(id, key);
        Some(probe)
    }

    fn pod(&mut self, i: usize, pc: &PodCommon<'_>, restart: Option<&str>) -> core::PodSpec {
        let g = self.g;
        let id = self.id(i);
        let (container, mut volumes) = self.container_and_volumes(i, pc);
        let mut spec = core::PodSpec {
            containers: vec![container],
            restart_policy: restart.map(str::to_owned),
            ..core::PodSpec::default()
        };
        if let Some(sa) = common::service_account(g, i) {
            spec.service_account_name = Some(sa);
        }
        if pc.present.contains(&"serviceAccount") {
            self.led.mapped(id, "serviceAccount");
        }
        if let Some(ns) = pc.node_selector {
            spec.node_selector = Some(ns.clone());
            self.led.mapped(id, "nodeSelector");
        }
        if let Some(a) = pc.affinity {
            spec.affinity = self.raw(i, "affinity", Value::Object(a.clone()));
        }
        if let Some(t) = pc.tolerations {
            let raw = serde_json::to_value(t).unwrap_or_default();
            spec.tolerations = self.raw(i, "tolerations", raw);
        }
        if let Some(t) = pc.topology_spread {
            let raw = Value::Array(t.iter().cloned().map(Value::Object).collect());
            spec.topology_spread_constraints = self.raw(i, "topologySpread", raw);
        }
        if let Some(h) = pc.host_network {
            spec.host_network = Some(h);
            self.led.mapped(id, "hostNetwork");
        }
        match pc.dns_policy {
            Some(DnsPolicy::None) => self.led.dropped(
                id,
                "dnsPolicy",
                "dnsPolicy None needs a dnsConfig the builder cannot set; the cluster default is used",
            ),
            Some(d) => {
                spec.dns_policy = Some(d.as_str().to_owned());
                self.led.mapped(id, "dnsPolicy");
            }
            None => {}
        }
        let c = &mut spec.containers[0];
        if let Some(vm) = pc.volume_mounts {
            for m in vm {
                let (Some(name), Some(path)) = (&m.name, &m.mount_path) else {
                    continue;
                };
                c.volume_mounts
                    .get_or_insert_with(Vec::new)
                    .push(core::VolumeMount {
                        name: name.clone(),
                        mount_path: path.clone(),
                        read_only: m.read_only,
                        sub_path: m.sub_path.clone(),
                    });
            }
            self.led.mapped(id, "volumeMounts");
        }
        if let Some(eds) = pc.empty_dirs {
            for e in eds {
                let Some(name) = &e.name else { continue };
                volumes.push(core::Volume {
                    name: name.clone(),
                    empty_dir: Some(core::EmptyDirVolumeSource {
                        medium: e.medium.clone(),
                        size_limit: e.size_limit.as_ref().map(|s| q(s.text())),
                    }),
                    ..core::Volume::default()
                });
                if let Some(path) = &e.mount_path {
                    c.volume_mounts
                        .get_or_insert_with(Vec::new)
                        .push(core::VolumeMount {
                            name: name.clone(),
                            mount_path: path.clone(),
                            ..core::VolumeMount::default()
                        });
                }
            }
            self.led.mapped(id, "emptyDirs");
        }
        if !volumes.is_empty() {
            spec.volumes = Some(volumes);
        }
        spec
    }

    fn template(&self, i: usize, spec: core::PodSpec) -> core::PodTemplateSpec {
        core::PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(common::labels(self.g, i)),
                ..ObjectMeta::default()
            }),
            spec: Some(spec),
        }
    }

    fn add_volume(spec: &mut core::PodSpec, v: core::Volume, mount: core::VolumeMount) {
        spec.volumes.get_or_insert_with(Vec::new).push(v);
        spec.containers[0]
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(mount);
    }

    fn pvc(
        &self,
        i: usize,
        name: &str,
        ns: &str,
        size: &str,
        class: Option<&String>,
        mode: AccessMode,
    ) -> Obj {
        let claim = core::PersistentVolumeClaim {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(pvc_spec(size, class, mode)),
        };
        obj(i, "PersistentVolumeClaim", Some(ns), name, claim)
    }

    // ------------------------------------------------------------------ workloads

    fn app(&mut self, i: usize, p: &AppProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let mut spec = self.pod(i, &pc, None);
        let mut out = Vec::new();
        if let Some(size) = &p.storage {
            let claim = format!("{name}-data");
            Self::add_volume(
                &mut spec,
                core::Volume {
                    name: "data".into(),
                    persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                        claim_name: claim.clone(),
                        read_only: None,
                    }),
                    ..core::Volume::default()
                },
                core::VolumeMount {
                    name: "data".into(),
                    mount_path: p
                        .storage_mount_path
                        .clone()
                        .unwrap_or_else(|| "/data".into()),
                    ..core::VolumeMount::default()
                },
            );
            out.push(self.pvc(
                i,
                &claim,
                ns,
                &size.text(),
                p.storage_class.as_ref(),
                AccessMode::ReadWriteOnce,
            ));
            self.led.mapped(id, "storage");
            for k in ["storageClass", "storageMountPath"] {
                if present.contains(&k) {
                    self.led.mapped(id, k);
                }
            }
        } else {
            for k in ["storageClass", "storageMountPath"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `storage` set, so there is no volume");
                }
            }
        }
        for pv in p.persistent_volumes.iter().flatten() {
            let (Some(pvn), Some(size)) = (&pv.name, &pv.size) else {
                continue;
            };
            let claim = format!("{name}-{pvn}");
            if let Some(path) = &pv.mount_path {
                Self::add_volume(
                    &mut spec,
                    core::Volume {
                        name: pvn.clone(),
                        persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                            claim_name: claim.clone(),
                            read_only: None,
                        }),
                        ..core::Volume::default()
                    },
                    core::VolumeMount {
                        name: pvn.clone(),
                        mount_path: path.clone(),
                        ..core::VolumeMount::default()
                    },
                );
            }
            out.push(self.pvc(
                i,
                &claim,
                ns,
                &size.text(),
                pv.storage_class.as_ref(),
                pv.access_mode.unwrap_or(AccessMode::ReadWriteOnce),
            ));
        }
        if p.persistent_volumes.is_some() {
            self.led.mapped(id, "persistentVolumes");
        }
        if p.network_policies.is_some() {
            self.led.mapped(id, "networkPolicies");
        }
        let replicas = p
            .replicas
            .or_else(|| common::group_replicas(g, i))
            .unwrap_or(1);
        if p.replicas.is_some() {
            self.led.mapped(id, "replicas");
        }
        let mut dspec = apps::DeploymentSpec {
            replicas: Some(replicas as i32),
            selector: LabelSelector {
                match_labels: Some(common::selector(name)),
                ..LabelSelector::default()
            },
            template: self.template(i, spec),
            ..apps::DeploymentSpec::default()
        };
        // Rolling / Recreate strategy from a DeploymentStrategy node (§2.13).
        if let Some(ds) = g.sources(i, Pair::DsToApp).next()
            && let Properties::DeploymentStrategy(sp) = &g.nodes[ds].data.properties
        {
            let t = sp.kind.unwrap_or(StrategyType::RollingUpdate);
            let fallback = match t {
                StrategyType::RollingUpdate => Some(FallbackStrategy::RollingUpdate),
                StrategyType::Recreate => Some(FallbackStrategy::Recreate),
                _ => sp.strategy,
            };
            dspec.strategy = Some(match fallback.unwrap_or(FallbackStrategy::RollingUpdate) {
                FallbackStrategy::Recreate => apps::DeploymentStrategy {
                    type_: Some("Recreate".into()),
                    rolling_update: None,
                },
                FallbackStrategy::RollingUpdate => apps::DeploymentStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(apps::RollingUpdateDeployment {
                        max_surge: Some(
                            sp.max_surge
                                .as_ref()
                                .map_or(KInt::String("25%".into()), kint),
                        ),
                        max_unavailable: Some(
                            sp.max_unavailable
                                .as_ref()
                                .map_or(KInt::String("25%".into()), kint),
                        ),
                    }),
                },
            });
            dspec.progress_deadline_seconds =
                common::seconds(sp.timeout.as_ref()).map(|s| s as i32);
            dspec.revision_history_limit = sp.revision_history_limit.map(|v| v as i32);
        }
        let dep = apps::Deployment {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(dspec),
        };
        let mut objs = vec![obj(i, "Deployment", Some(ns), name, dep)];
        if app_has_ports(p) && !app_selected_by_service(g, i) {
            objs.push(self.implicit_service(i, name, ns, false, ServiceType::ClusterIp));
        }
        objs.extend(out);
        objs
    }

    /// The Service an App implies, or a StatefulApp's governing Service.
    fn implicit_service(
        &self,
        i: usize,
        name: &str,
        ns: &str,
        by_name: bool,
        t: ServiceType,
    ) -> Obj {
        let ports = common::container_ports(self.g.nodes[i]);
        let spec = core::ServiceSpec {
            type_: Some(t.as_str().to_owned()),
            selector: Some(common::selector(name)),
            ports: Some(
                ports
                    .iter()
                    .enumerate()
                    .map(|(k, p)| core::ServicePort {
                        name: Some(p.name.clone().unwrap_or_else(|| format!("port-{}", k + 1))),
                        port: p.port as i32,
                        target_port: Some(match (&p.name, by_name) {
                            (Some(n), true) => KInt::String(n.clone()),
                            _ => KInt::Int(p.port as i32),
                        }),
                        protocol: Some(p.protocol.as_str().to_owned()),
                        ..core::ServicePort::default()
                    })
                    .collect(),
            ),
            ..core::ServiceSpec::default()
        };
        let svc = core::Service {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        obj(i, "Service", Some(ns), name, svc)
    }

    fn stateful(&mut self, i: usize, p: &StatefulAppProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let mut spec = self.pod(i, &pc, None);
        let mut claims = Vec::new();
        if let Some(size) = &p.storage {
            spec.containers[0]
                .volume_mounts
                .get_or_insert_with(Vec::new)
                .push(core::VolumeMount {
                    name: "data".into(),
                    mount_path: p.mount_path.clone().unwrap_or_else(|| "/data".into()),
                    ..core::VolumeMount::default()
                });
            claims.push(core::PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some("data".into()),
                    ..ObjectMeta::default()
                },
                spec: Some(pvc_spec(
                    &size.text(),
                    p.storage_class.as_ref(),
                    p.access_mode.unwrap_or(AccessMode::ReadWriteOnce),
                )),
            });
            for k in ["storage", "storageClass", "accessMode", "mountPath"] {
                if present.contains(&k) {
                    self.led.mapped(id, k);
                }
            }
        } else {
            for k in ["storageClass", "accessMode", "mountPath"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `storage` set, so there is no volume");
                }
            }
        }
        let replicas = p
            .replicas
            .or_else(|| common::group_replicas(g, i))
            .unwrap_or(1);
        if p.replicas.is_some() {
            self.led.mapped(id, "replicas");
        }
        let update = p
            .update_strategy
            .unwrap_or(StatefulUpdateStrategy::RollingUpdate);
        let sspec = apps::StatefulSetSpec {
            replicas: Some(replicas as i32),
            service_name: Some(name.to_owned()),
            selector: LabelSelector {
                match_labels: Some(common::selector(name)),
                ..LabelSelector::default()
            },
            template: self.template(i, spec),
            update_strategy: Some(apps::StatefulSetUpdateStrategy {
                type_: Some(update.as_str().to_owned()),
                rolling_update: (update == StatefulUpdateStrategy::RollingUpdate
                    && p.partition.is_some())
                .then(|| apps::RollingUpdateStatefulSetStrategy {
                    partition: p.partition.map(|v| v as i32),
                    max_unavailable: None,
                }),
            }),
            pod_management_policy: p.pod_management_policy.map(|x| x.as_str().to_owned()),
            // Embedded objects carry their apiVersion and kind, as the API writes them.
            volume_claim_templates: (!claims.is_empty())
                .then(|| claims.iter().map(super::Body::to_value).collect()),
            ..apps::StatefulSetSpec::default()
        };
        for k in ["updateStrategy", "partition", "podManagementPolicy"] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let sts = apps::StatefulSet {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(sspec),
        };
        let mut objs = vec![obj(i, "StatefulSet", Some(ns), name, sts)];
        // governing Service
        let headless = p.headless.unwrap_or(true);
        let st = p.service_type.unwrap_or(ServiceType::ClusterIp);
        let mut svc = self.implicit_service(i, name, ns, true, st);
        if headless {
            let typed = svc.edit(|s: &mut core::Service| {
                if let Some(spec) = s.spec.as_mut() {
                    spec.cluster_ip = Some("None".to_owned());
                }
            });
            debug_assert!(typed, "the implicit Service is typed");
        }
        for k in ["headless", "serviceType"] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        objs.push(svc);
        // backup CronJob (+ local PVC)
        if let Some(schedule) = &p.backup_schedule {
            let bname = format!("{name}-backup");
            let retention = match &p.backup_retention {
                Some(NumOrStr::Number(n)) => n.as_i64().unwrap_or(7),
                Some(NumOrStr::Text(t)) if t == "1 year" => 365,
                Some(NumOrStr::Text(t)) => t
                    .strip_suffix(" days")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(7),
                None => 7,
            };
            let mut container = core::Container {
                name: "backup".into(),
                image: p.image.clone(),
                command: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    format!(
                        "backup_tool --source {name} --dest /backup/backup-$(date +%Y%m%d).sql"
                    ),
                ]),
                ..core::Container::default()
            };
            let mut pod = core::PodSpec {
                restart_policy: Some("OnFailure".into()),
                ..core::PodSpec::default()
            };
            if backup_local(p) {
                container.volume_mounts = Some(vec![core::VolumeMount {
                    name: "backup".into(),
                    mount_path: "/backup".into(),
                    ..core::VolumeMount::default()
                }]);
                pod.volumes = Some(vec![core::Volume {
                    name: "backup".into(),
                    persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                        claim_name: bname.clone(),
                        read_only: None,
                    }),
                    ..core::Volume::default()
                }]);
            }
            pod.containers = vec![container];
            let cj = batch::CronJob {
                metadata: self.meta(i, &bname, Some(ns)),
                spec: Some(batch::CronJobSpec {
                    schedule: schedule.clone(),
                    concurrency_policy: Some("Forbid".into()),
                    successful_jobs_history_limit: Some(retention as i32),
                    failed_jobs_history_limit: Some(3),
                    job_template: batch::JobTemplateSpec {
                        metadata: None,
                        spec: Some(
                            batch::JobSpec {
                                template: self.template(i, pod),
                                ..batch::JobSpec::default()
                            }
                            .to_json(),
                        ),
                    },
                    ..batch::CronJobSpec::default()
                }),
            };
            objs.push(self.cronjob_obj(i, &bname, ns, cj));
            self.led.mapped(id, "backupSchedule");
            if p.backup_retention.is_some() {
                self.led.approx(
                    id,
                    "backupRetention",
                    format!("keeps the last {retention} successful backup Jobs"),
                );
            }
            match p.backup_location {
                None | Some(BackupLocation::Local) => {
                    let size = p.storage.as_ref().map_or("10Gi".to_owned(), NumOrStr::text);
                    objs.push(self.pvc(i, &bname, ns, &size, p.storage_class.as_ref(), AccessMode::ReadWriteOnce));
                    if p.backup_location.is_some() {
                        self.led.mapped(id, "backupLocation");
                    }
                }
                Some(other) => self.led.dropped(
                    id,
                    "backupLocation",
                    format!("{other} backups need credentials and upload tooling the engine does not create"),
                ),
            }
        } else {
            for k in ["backupRetention", "backupLocation"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `backupSchedule`, so no backup job");
                }
            }
        }
        objs
    }

    fn job_spec(&mut self, i: usize, pc: &PodCommon<'_>, jp: JobParts<'_>) -> batch::JobSpec {
        let id = self.id(i);
        let restart = jp.restart.unwrap_or(JobRestartPolicy::OnFailure);
        let mut pod = self.pod(i, pc, Some(restart.as_str()));
        if jp.restart.is_some() {
            self.led.mapped(id, "restartPolicy");
        }
        for v in jp.volumes.into_iter().flatten() {
            let (Some(name), Some(src)) = (&v.name, &v.source) else {
                continue;
            };
            // The source passes through as written; the volume's own name wins.
            let mut raw = src.clone();
            raw.remove("name");
            pod.volumes.get_or_insert_with(Vec::new).push(core::Volume {
                name: name.clone(),
                raw,
                ..core::Volume::default()
            });
            if let Some(path) = &v.mount_path {
                pod.containers[0]
                    .volume_mounts
                    .get_or_insert_with(Vec::new)
                    .push(core::VolumeMount {
                        name: name.clone(),
                        mount_path: path.clone(),
                        read_only: v.read_only,
                        ..core::VolumeMount::default()
                    });
            }
        }
        if jp.volumes.is_some() {
            self.led.mapped(id, "volumes");
        }
        let deadline = jp.timeout.or(jp.active_deadline);
        for (k, set) in [
            ("timeout", jp.timeout.is_some()),
            ("activeDeadline", jp.active_deadline.is_some()),
        ] {
            if set {
                self.led.mapped(id, k);
            }
        }
        for (k, set) in [
            ("parallelism", jp.parallelism.is_some()),
            ("completions", jp.completions.is_some()),
            ("backoffLimit", jp.backoff_limit.is_some()),
        ] {
            if set {
                self.led.mapped(id, k);
            }
        }
        batch::JobSpec {
            parallelism: jp.parallelism.filter(|v| *v != 1).map(|v| v as i32),
            completions: jp.completions.filter(|v| *v != 1).map(|v| v as i32),
            backoff_limit: jp.backoff_limit.filter(|v| *v != 6).map(|v| v as i32),
            active_deadline_seconds: common::seconds(deadline),
            template: self.template(i, pod),
            ..batch::JobSpec::default()
        }
    }

    fn job(&mut self, i: usize, p: &JobProps) -> Vec<Obj> {
        let g = self.g;
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let spec = self.job_spec(
            i,
            &pc,
            JobParts {
                restart: p.restart_policy,
                volumes: p.volumes.as_ref(),
                timeout: p.timeout.as_ref(),
                active_deadline: p.active_deadline.as_ref(),
                parallelism: p.parallelism,
                completions: p.completions,
                backoff_limit: p.backoff_limit,
            },
        );
        let job = batch::Job {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        vec![obj(i, "Job", Some(ns), name, job)]
    }

    /// A CronJob object in the apiVersion the target cluster serves.
    fn cronjob_obj(&mut self, i: usize, name: &str, ns: &str, cj: batch::CronJob) -> Obj {
        let mut o = obj(i, "CronJob", Some(ns), name, cj);
        if self.version.before(1, 21) {
            o.api_version = Some("batch/v1beta1");
        }
        o
    }

    fn cronjob(&mut self, i: usize, p: &CronJobProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let spec = self.job_spec(
            i,
            &pc,
            JobParts {
                restart: p.restart_policy,
                volumes: None,
                timeout: p.timeout.as_ref(),
                active_deadline: None,
                parallelism: None,
                completions: None,
                backoff_limit: p.backoff_limit,
            },
        );
        // Deep-merge overrides.
        let mut job_value = spec.to_json();
        if let Some(js) = &p.job_spec {
            merge(&mut job_value, &Value::Object(js.clone()));
            self.led.mapped(id, "jobSpec");
        }
        if let Some(pt) = &p.pod_template {
            merge(&mut job_value["template"], &Value::Object(pt.clone()));
            self.led.mapped(id, "podTemplate");
        }
        if let Some(vt) = &p.volume_templates {
            let vols: Vec<Value> = vt.iter().cloned().map(Value::Object).collect();
            match path_mut(&mut job_value, &["template", "spec", "volumes"]) {
                Some(Value::Array(a)) => {
                    a.extend(vols);
                    self.led.mapped(id, "volumeTemplates");
                }
                Some(slot) => {
                    *slot = Value::Array(vols);
                    self.led.mapped(id, "volumeTemplates");
                }
                None => self.led.dropped(
                    id,
                    "volumeTemplates",
                    "the jobSpec/podTemplate overrides replace the pod template with a non-object",
                ),
            }
        }
        let tz = match &p.time_zone {
            Some(tz) if self.version.before(1, 25) => {
                self.led.dropped(
                    id,
                    "timeZone",
                    format!(
                        "CronJob timeZone needs Kubernetes 1.25+ (target {})",
                        self.version
                    ),
                );
                None
            }
            Some(tz) => {
                self.led.mapped(id, "timeZone");
                Some(tz.clone())
            }
            None => None,
        };
        let cj = batch::CronJob {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(batch::CronJobSpec {
                schedule: p.schedule.clone().unwrap_or_else(|| "0 0 * * *".into()),
                time_zone: tz,
                concurrency_policy: p.concurrency_policy.map(|c| c.as_str().to_owned()),
                suspend: p.suspend,
                successful_jobs_history_limit: p.successful_jobs_history.map(|v| v as i32),
                failed_jobs_history_limit: p.failed_jobs_history.map(|v| v as i32),
                starting_deadline_seconds: common::seconds(p.starting_deadline.as_ref()),
                job_template: batch::JobTemplateSpec {
                    metadata: None,
                    spec: Some(job_value),
                },
            }),
        };
        for k in [
            "schedule",
            "concurrencyPolicy",
            "suspend",
            "successfulJobsHistory",
            "failedJobsHistory",
            "startingDeadline",
        ] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.concurrency.is_some() {
            self.led.dropped(
                id,
                "concurrency",
                "no Kubernetes meaning; use concurrencyPolicy",
            );
        }
        if p.last_schedule_time.is_some() {
            self.led.dropped(
                id,
                "lastScheduleTime",
                "read-only status, set by the cluster",
            );
        }
        vec![self.cronjob_obj(i, name, ns, cj)]
    }

    // ------------------------------------------------------------------ networking

    fn service(&mut self, i: usize, p: &ServiceProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let t = p.kind.unwrap_or(ServiceType::ClusterIp);
        let ports = common::service_ports(g, i);
        let mut spec = core::ServiceSpec {
            type_: Some(t.as_str().to_owned()),
            selector: common::service_selector(g, i),
            ports: (!ports.is_empty()).then(|| {
                ports
                    .iter()
                    .map(|p| core::ServicePort {
                        name: Some(p.name.clone()),
                        port: p.port as i32,
                        target_port: (t != ServiceType::ExternalName).then(|| kint(&p.target)),
                        protocol: Some(p.protocol.as_str().to_owned()),
                        app_protocol: p.app_protocol.clone(),
                        node_port: p.node_port.map(|n| n as i32),
                    })
                    .collect()
            }),
            external_ips: p.external_ips.clone(),
            load_balancer_ip: p.load_balancer_ip.clone(),
            session_affinity: p.session_affinity.map(|s| s.as_str().to_owned()),
            external_traffic_policy: p.external_traffic_policy.map(|s| s.as_str().to_owned()),
            external_name: p.external_name.clone(),
            cluster_ip: p.cluster_ip.clone().filter(|s| !s.is_empty()),
            ..core::ServiceSpec::default()
        };
        if let Some(st) = &p.sticky_sessions {
            spec.session_affinity = Some("ClientIP".into());
            spec.session_affinity_config = Some(core::SessionAffinityConfig {
                client_ip: Some(core::ClientIPConfig {
                    timeout_seconds: st.timeout_seconds.map(|v| v as i32),
                }),
            });
        }
        for k in [
            "type",
            "selector",
            "port",
            "targetPort",
            "ports",
            "protocol",
            "appProtocol",
            "clusterIP",
            "externalIPs",
            "loadBalancerIP",
            "sessionAffinity",
            "stickySessions",
            "externalTrafficPolicy",
            "externalName",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.endpoints.is_some() {
            self.led
                .dropped(id, "endpoints", "manual endpoints are not supported");
        }
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::WorkloadToService {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let svc = core::Service {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        vec![obj(i, "Service", Some(ns), name, svc)]
    }

    fn ingress(&mut self, i: usize, p: &IngressProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let present = common::present_keys(g.nodes[i]);
        // host → [(path, pathType, service, port)]
        let mut rules: Vec<(String, Vec<(String, String, String, KInt)>)> = Vec::new();
        let default_host = p.host.clone().unwrap_or_default();
        let default_path = p.path.clone().unwrap_or_else(|| "/".into());
        let default_pt = p.path_type.unwrap_or(PathType::Prefix);
        let ruled: Vec<&str> = p
            .rules
            .iter()
            .flatten()
            .flat_map(|r| r.paths.iter().flatten())
            .filter_map(|x| x.service.as_deref())
            .collect();
        let mut add = |host: String, path: String, pt: String, svc: String, port: KInt| {
            let at = match rules.iter().position(|(h, _)| *h == host) {
                Some(at) => at,
                None => {
                    rules.push((host, Vec::new()));
                    rules.len() - 1
                }
            };
            let list = &mut rules[at].1;
            if !list.iter().any(|(p0, _, s0, _)| *p0 == path && *s0 == svc) {
                list.push((path, pt, svc, port));
            }
        };
        let mut tls_from_edges: Vec<(String, Vec<String>)> = Vec::new();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            let d = e.conn.data.as_ref();
            match e.pair {
                Pair::ServiceToIngress | Pair::AppToIngress => {
                    let plain =
                        d.is_none_or(|d| d.host.is_none() && d.path.is_none() && d.port.is_none());
                    if plain && ruled.contains(&g.name(e.src)) {
                        self.led.connection(&e.conn.id, Fidelity::Mapped);
                        continue;
                    }
                    let svc_name = g.name(e.src).to_owned();
                    let port = d.and_then(|d| d.port.clone()).or_else(|| {
                        if e.pair == Pair::ServiceToIngress {
                            common::service_ports(g, e.src)
                                .first()
                                .map(|p| IntOrString::Int(p.port))
                        } else {
                            common::container_ports(g.nodes[e.src])
                                .first()
                                .map(|p| IntOrString::Int(p.port))
                        }
                    });
                    let Some(port) = port else {
                        self.led.connection(
                            &e.conn.id,
                            Fidelity::Dropped {
                                why: "the backend has no port".into(),
                            },
                        );
                        continue;
                    };
                    add(
                        d.and_then(|d| d.host.clone())
                            .unwrap_or_else(|| default_host.clone()),
                        d.and_then(|d| d.path.clone())
                            .unwrap_or_else(|| default_path.clone()),
                        d.and_then(|d| d.path_type)
                            .unwrap_or(default_pt)
                            .as_str()
                            .to_owned(),
                        svc_name,
                        kint(&port),
                    );
                    self.led.connection(&e.conn.id, Fidelity::Mapped);
                }
                Pair::SecretToIngress => {
                    let hosts = d.and_then(|d| d.hosts.clone());
                    tls_from_edges.push((g.name(e.src).to_owned(), hosts.unwrap_or_default()));
                    self.led.connection(&e.conn.id, Fidelity::Mapped);
                }
                _ => {}
            }
        }
        for rule in p.rules.iter().flatten() {
            for path in rule.paths.iter().flatten() {
                let Some(svc) = &path.service else { continue };
                let port = path.port.clone().or_else(|| {
                    g.find(NodeType::Service, svc, ns).and_then(|s| {
                        common::service_ports(g, s)
                            .first()
                            .map(|p| IntOrString::Int(p.port))
                    })
                });
                let Some(port) = port else { continue };
                add(
                    rule.host.clone().unwrap_or_default(),
                    path.path.clone().unwrap_or_else(|| "/".into()),
                    path.path_type.unwrap_or(default_pt).as_str().to_owned(),
                    svc.clone(),
                    kint(&port),
                );
            }
        }
        // By host, as a map would give them (a vector: one map type less in the engine).
        crate::sort::sort_by(&mut rules, |a, b| a.0.cmp(&b.0));
        let all_hosts: Vec<String> = rules
            .iter()
            .map(|(h, _)| h)
            .filter(|h| !h.is_empty())
            .cloned()
            .collect();
        let k8s_rules: Vec<net::IngressRule> = rules
            .into_iter()
            .map(|(host, paths)| net::IngressRule {
                host: (!host.is_empty()).then_some(host),
                http: Some(net::HTTPIngressRuleValue {
                    paths: paths
                        .into_iter()
                        .map(|(path, pt, svc, port)| net::HTTPIngressPath {
                            path: Some(path),
                            path_type: pt,
                            backend: net::IngressBackend {
                                service: Some(net::IngressServiceBackend {
                                    name: svc,
                                    port: Some(match port {
                                        KInt::Int(n) => net::ServiceBackendPort {
                                            number: Some(n),
                                            name: None,
                                        },
                                        KInt::String(s) => net::ServiceBackendPort {
                                            name: Some(s),
                                            number: None,
                                        },
                                    }),
                                }),
                                resource: None,
                            },
                        })
                        .collect(),
                }),
            })
            .collect();
        let mut tls: Vec<net::IngressTLS> = Vec::new();
        for (secret, hosts) in tls_from_edges {
            let hosts = if hosts.is_empty() {
                all_hosts.clone()
            } else {
                hosts
            };
            tls.push(net::IngressTLS {
                secret_name: Some(secret),
                hosts: (!hosts.is_empty()).then_some(hosts),
            });
        }
        for t in p.tls.iter().flatten() {
            tls.push(net::IngressTLS {
                secret_name: t.secret_name.clone(),
                hosts: t.hosts.clone().filter(|h| !h.is_empty()),
            });
        }
        crate::sort::sort_by(&mut tls, |a, b| {
            (&a.secret_name, &a.hosts).cmp(&(&b.secret_name, &b.hosts))
        });
        tls.dedup();
        // nginx features as annotations
        let mut meta = self.meta(i, name, Some(ns));
        let nginx = p.ingress_class_name.as_deref() == Some("nginx");
        let mut ann = meta.annotations.take().unwrap_or_default();
        if nginx {
            if let Some(r) = &p.rate_limiting {
                if let Some(rpm) = r.requests_per_minute {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/limit-rpm".into(),
                        rpm.to_string(),
                    );
                }
                if let Some(b) = r.burst {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/limit-burst-multiplier".into(),
                        b.to_string(),
                    );
                }
                self.led.mapped(id, "rateLimiting");
            }
            if let Some(rw) = p.rewrite_rules.as_ref().and_then(|r| r.first()) {
                if let Some(target) = rw
                    .get("target")
                    .or_else(|| rw.get("rewriteTarget"))
                    .or_else(|| rw.get("to"))
                    .and_then(Value::as_str)
                {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/rewrite-target".into(),
                        target.to_owned(),
                    );
                    self.led.approx(
                        id,
                        "rewriteRules",
                        "first rule as nginx rewrite-target annotation",
                    );
                } else {
                    self.led
                        .dropped(id, "rewriteRules", "a rewrite rule needs a `target`");
                }
            }
            if let Some(rd) = p.redirect_rules.as_ref().and_then(|r| r.first()) {
                if let Some(url) = rd
                    .get("url")
                    .or_else(|| rd.get("to"))
                    .or_else(|| rd.get("target"))
                    .and_then(Value::as_str)
                {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/permanent-redirect".into(),
                        url.to_owned(),
                    );
                    self.led.approx(
                        id,
                        "redirectRules",
                        "first rule as nginx permanent-redirect annotation",
                    );
                } else {
                    self.led
                        .dropped(id, "redirectRules", "a redirect rule needs a `url`");
                }
            }
            if let Some(h) = &p.custom_headers {
                // Header names and values are restricted to safe characters before they enter nginx
                // configuration; anything else is dropped rather than risk config injection.
                let safe = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || " -_.,/=:;".contains(c))
                };
                let lines: Vec<String> = h
                    .iter()
                    .filter(|(k, v)| safe(k) && safe(v) && !k.contains(' '))
                    .map(|(k, v)| format!("more_set_headers \"{k}: {v}\";"))
                    .collect();
                if lines.len() == h.len() {
                    self.led.mapped(id, "customHeaders");
                } else {
                    self.led.approx(
                        id,
                        "customHeaders",
                        "headers with unsafe characters were left out",
                    );
                }
                if !lines.is_empty() {
                    ann.insert(
                        "nginx.ingress.kubernetes.io/configuration-snippet".into(),
                        lines.join("\n"),
                    );
                }
            }
        } else {
            for (k, set) in [
                ("rateLimiting", p.rate_limiting.is_some()),
                ("rewriteRules", p.rewrite_rules.is_some()),
                ("redirectRules", p.redirect_rules.is_some()),
                ("customHeaders", p.custom_headers.is_some()),
            ] {
                if set {
                    self.led
                        .dropped(id, k, "only generated for the nginx ingress class");
                }
            }
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        for k in [
            "host",
            "path",
            "pathType",
            "ingressClassName",
            "rules",
            "tls",
            "defaultCertificate",
        ] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let ing = net::Ingress {
            metadata: meta,
            spec: Some(net::IngressSpec {
                ingress_class_name: p.ingress_class_name.clone(),
                rules: (!k8s_rules.is_empty()).then_some(k8s_rules),
                tls: (!tls.is_empty()).then_some(tls),
                default_backend: None,
            }),
        };
        vec![obj(i, "Ingress", Some(ns), name, ing)]
    }

    fn peer(&self, p: &NpPeer) -> net::NetworkPolicyPeer {
        let sel = |m: &Option<StrMap>| {
            m.as_ref().map(|l| LabelSelector {
                match_labels: Some(l.clone()),
                ..LabelSelector::default()
            })
        };
        match &p.cidr {
            Some(c) => net::NetworkPolicyPeer {
                ip_block: Some(net::IPBlock {
                    cidr: c.clone(),
                    except: p.except.clone().filter(|e| !e.is_empty()),
                }),
                ..net::NetworkPolicyPeer::default()
            },
            None => net::NetworkPolicyPeer {
                pod_selector: sel(&p.pod_labels),
                namespace_selector: sel(&p.namespace_labels),
                ..net::NetworkPolicyPeer::default()
            },
        }
    }

    fn np_ports(ports: Option<&Vec<NpPort>>) -> Option<Vec<net::NetworkPolicyPort>> {
        let v: Vec<net::NetworkPolicyPort> = ports
            .into_iter()
            .flatten()
            .map(|p| net::NetworkPolicyPort {
                port: p.port.as_ref().map(kint),
                protocol: Some(p.protocol.unwrap_or(Protocol::Tcp).as_str().to_owned()),
                end_port: p.end_port.map(|v| v as i32),
            })
            .collect();
        (!v.is_empty()).then_some(v)
    }

    fn netpol(&mut self, i: usize, p: &NetworkPolicyProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let targets: Vec<usize> = g.targets(i, Pair::NpToWorkload).collect();
        let pod_selector = if let Some(sel) = p.pod_selector.as_ref().filter(|s| !s.is_empty()) {
            self.led.mapped(id, "podSelector");
            LabelSelector {
                match_labels: Some(sel.clone()),
                ..LabelSelector::default()
            }
        } else if targets.len() == 1 {
            LabelSelector {
                match_labels: Some(common::selector(g.name(targets[0]))),
                ..LabelSelector::default()
            }
        } else if targets.len() > 1 {
            let mut names: Vec<String> = targets.iter().map(|t| g.name(*t).to_owned()).collect();
            crate::sort::sort(&mut names);
            names.dedup();
            LabelSelector {
                match_expressions: Some(vec![super::k8s::LabelSelectorRequirement {
                    key: "app".into(),
                    operator: "In".into(),
                    values: Some(names),
                }]),
                ..LabelSelector::default()
            }
        } else {
            LabelSelector::default()
        };
        let mut ingress: Vec<net::NetworkPolicyIngressRule> = p
            .ingress_rules
            .iter()
            .flatten()
            .map(|r| net::NetworkPolicyIngressRule {
                from: r
                    .peers
                    .as_ref()
                    .filter(|ps| !ps.is_empty())
                    .map(|ps| ps.iter().map(|x| self.peer(x)).collect()),
                ports: Self::np_ports(r.ports.as_ref()),
            })
            .collect();
        // Workload → NetworkPolicy: those pods are allowed in (§3.2 #12).
        let mut allowed: Vec<&str> = Vec::new();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::WorkloadToNp {
                allowed.push(g.name(e.src));
                let mut peer = net::NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector {
                        match_labels: Some(common::selector(g.name(e.src))),
                        ..LabelSelector::default()
                    }),
                    ..net::NetworkPolicyPeer::default()
                };
                if g.ns[e.src] != ns {
                    peer.namespace_selector = Some(LabelSelector {
                        match_labels: Some(crate::sort::map([(
                            "kubernetes.io/metadata.name".to_owned(),
                            g.ns[e.src].to_owned(),
                        )])),
                        ..LabelSelector::default()
                    });
                }
                ingress.push(net::NetworkPolicyIngressRule {
                    from: Some(vec![peer]),
                    ports: None,
                });
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let mut egress: Vec<net::NetworkPolicyEgressRule> = p
            .egress_rules
            .iter()
            .flatten()
            .map(|r| net::NetworkPolicyEgressRule {
                to: r
                    .peers
                    .as_ref()
                    .filter(|ps| !ps.is_empty())
                    .map(|ps| ps.iter().map(|x| self.peer(x)).collect()),
                ports: Self::np_ports(r.ports.as_ref()),
            })
            .collect();
        if p.allow_dns == Some(true) {
            egress.push(net::NetworkPolicyEgressRule {
                to: None,
                ports: Some(
                    ["UDP", "TCP"]
                        .iter()
                        .map(|proto| net::NetworkPolicyPort {
                            port: Some(KInt::Int(53)),
                            protocol: Some((*proto).to_owned()),
                            end_port: None,
                        })
                        .collect(),
                ),
            });
            self.led.mapped(id, "allowDns");
        }
        let mut types: Vec<String> = match &p.policy_types {
            Some(t) => t.iter().map(|x| x.as_str().to_owned()).collect(),
            None => {
                let mut t = vec!["Ingress".to_owned()];
                if !egress.is_empty() {
                    t.push("Egress".to_owned());
                }
                t
            }
        };
        crate::sort::sort(&mut types);
        types.dedup();
        for k in ["policyTypes", "ingressRules", "egressRules"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::NpToWorkload {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let np = net::NetworkPolicy {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(net::NetworkPolicySpec {
                pod_selector: Some(pod_selector),
                policy_types: Some(types),
                ingress: (!ingress.is_empty()).then_some(ingress),
                egress: (!egress.is_empty()).then_some(egress),
            }),
        };
        vec![obj(i, "NetworkPolicy", Some(ns), name, np)]
    }

    // ------------------------------------------------------------------ configuration

    fn secret(&mut self, i: usize, p: &SecretProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let redact = |v: &str| {
            if self.redact {
                REDACTED.to_owned()
            } else {
                v.to_owned()
            }
        };
        let mut string_data: BTreeMap<String, String> = BTreeMap::new();
        // Base64 text of the bytes.
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        if let Some(d) = &p.data {
            for (k, v) in d {
                string_data.insert(k.clone(), redact(v));
            }
            self.led.mapped(id, "data");
        }
        if let Some(ev) = &p.env_vars {
            for (k, v) in ev.pairs() {
                string_data.entry(k).or_insert_with(|| redact(&v));
            }
            self.led.mapped(id, "envVars");
        }
        if let Some(files) = &p.files {
            for (k, f) in files {
                let content = f.content.clone().unwrap_or_default();
                match f.encoding {
                    Some(FileEncoding::Base64) => {
                        let bytes = if self.redact {
                            REDACTED.as_bytes().to_vec()
                        } else {
                            base64_decode(&content).unwrap_or_default()
                        };
                        data.insert(k.clone(), base64_encode(&bytes));
                    }
                    _ => {
                        string_data.insert(k.clone(), redact(&content));
                    }
                }
            }
            self.led.mapped(id, "files");
        }
        if p.generated.is_some() {
            self.led.approx(
                id,
                "generated",
                "values are generated at deploy time, never in generated files",
            );
        }
        if p.external_source.is_some() {
            self.led.dropped(
                id,
                "externalSource",
                "external secret stores need an operator (e.g. External Secrets); nothing is generated",
            );
        }
        for k in [
            "mountPath",
            "filePermissions",
            "subPath",
            "injectAs",
            "envPrefix",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let mut meta = self.meta(i, name, Some(ns));
        let mut ann = meta.annotations.take().unwrap_or_default();
        if let Some(e) = p.encryption {
            ann.insert("celestra.io/encryption".into(), e.as_str().to_owned());
            self.led.approx(
                id,
                "encryption",
                "annotation celestra.io/encryption only (etcd encryption is cluster-wide)",
            );
        }
        if let Some(r) = p.rotation_policy {
            ann.insert("celestra.io/rotation-policy".into(), r.as_str().to_owned());
            self.led.approx(
                id,
                "rotationPolicy",
                "annotation celestra.io/rotation-policy only",
            );
        }
        if p.access_control.is_some() {
            self.led
                .dropped(id, "accessControl", "use a Role and a ServiceAccount");
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        if p.kind.is_some() {
            self.led.mapped(id, "type");
        }
        let s = core::Secret {
            metadata: meta,
            type_: Some(p.kind.unwrap_or(SecretType::Opaque).as_str().to_owned()),
            string_data: (!string_data.is_empty()).then_some(string_data),
            data: (!data.is_empty()).then_some(data),
            ..core::Secret::default()
        };
        vec![obj(i, "Secret", Some(ns), name, s)]
    }

    fn configmap(&mut self, i: usize, p: &ConfigMapProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        // Base64 text, normalized (decoded and encoded again).
        let mut binary: BTreeMap<String, String> = BTreeMap::new();
        if let Some(d) = &p.data {
            for (k, v) in d {
                let text = match v {
                    ConfigValue::Text(t) => t.clone(),
                    ConfigValue::Json(j) => serde_json::to_string_pretty(j).expect("json"),
                };
                data.insert(k.clone(), text);
            }
            self.led.mapped(id, "data");
        }
        for (key, files) in [("files", &p.files), ("directories", &p.directories)] {
            let Some(files) = files else { continue };
            for (k, f) in files {
                let content = f.content.clone().unwrap_or_default();
                match f.encoding {
                    Some(FileEncoding::Base64) => {
                        binary.insert(
                            k.clone(),
                            base64_encode(&base64_decode(&content).unwrap_or_default()),
                        );
                    }
                    _ => {
                        data.insert(k.clone(), content);
                    }
                }
            }
            self.led.mapped(id, key);
        }
        let mut meta = self.meta(i, name, Some(ns));
        let mut ann = meta.annotations.take().unwrap_or_default();
        match &p.hot_reload {
            Some(HotReload::Toggle(true)) | Some(HotReload::Mode(HotReloadMode::Enabled)) => {
                ann.insert("celestra.io/hot-reload".into(), "true".into());
                ann.insert("celestra.io/restart-policy".into(), "rolling".into());
                ann.insert("celestra.io/check-interval".into(), "30s".into());
                self.led.approx(
                    id,
                    "hotReload",
                    "celestra.io/hot-reload annotations for a reloader",
                );
            }
            Some(HotReload::Mode(HotReloadMode::Conditional)) => {
                ann.insert("celestra.io/hot-reload".into(), "true".into());
                self.led
                    .approx(id, "hotReload", "Conditional treated as Enabled");
            }
            Some(_) => self.led.mapped(id, "hotReload"),
            None => {}
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        if p.template.is_some() {
            self.led.dropped(id, "template", "a UI prefill, no output");
        }
        if let Some(v) = p.validation {
            match v {
                ConfigValidation::JsonSchema | ConfigValidation::None => {
                    self.led.mapped(id, "validation")
                }
                other => self.led.dropped(
                    id,
                    "validation",
                    format!("\"{other}\" is not checked by the engine"),
                ),
            }
        }
        match p.transformation {
            Some(ConfigTransformation::EnvironmentVariables) | Some(ConfigTransformation::None) => {
                self.led.mapped(id, "transformation")
            }
            Some(t) => self
                .led
                .dropped(id, "transformation", format!("\"{t}\" is not supported")),
            None => {}
        }
        for k in [
            "mountPath",
            "subPath",
            "defaultMode",
            "injectAs",
            "envPrefix",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let cm = core::ConfigMap {
            metadata: meta,
            data: (!data.is_empty()).then_some(data),
            binary_data: (!binary.is_empty()).then_some(binary),
            ..core::ConfigMap::default()
        };
        vec![obj(i, "ConfigMap", Some(ns), name, cm)]
    }

    // ------------------------------------------------------------------ RBAC

    fn service_account(&mut self, i: usize, p: &ServiceAccountProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut secrets: Vec<String> = p.secrets.clone().unwrap_or_default();
        let mut pulls: Vec<String> = p.image_pull_secrets.clone().unwrap_or_default();
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair != Pair::SecretToSa {
                continue;
            }
            let pull = matches!(&g.nodes[e.src].data.properties,
                Properties::Secret(sp) if sp.kind == Some(SecretType::DockerConfigJson));
            let target = if pull { &mut pulls } else { &mut secrets };
            target.push(g.name(e.src).to_owned());
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        crate::sort::sort(&mut secrets);
        secrets.dedup();
        crate::sort::sort(&mut pulls);
        pulls.dedup();
        for k in ["secrets", "imagePullSecrets", "automountToken"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let sa = core::ServiceAccount {
            metadata: self.meta(i, name, Some(ns)),
            automount_service_account_token: p.automount_token,
            secrets: (!secrets.is_empty()).then(|| {
                secrets
                    .into_iter()
                    .map(|s| core::ObjectReference {
                        name: Some(s),
                        ..core::ObjectReference::default()
                    })
                    .collect()
            }),
            image_pull_secrets: (!pulls.is_empty()).then(|| {
                pulls
                    .into_iter()
                    .map(|s| core::LocalObjectReference { name: s })
                    .collect()
            }),
        };
        vec![obj(i, "ServiceAccount", Some(ns), name, sa)]
    }

    fn role(&mut self, i: usize, p: &RoleProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let cluster = p.kind == Some(RoleKind::ClusterRole);
        let rules: Vec<rbac::PolicyRule> = p
            .rules
            .iter()
            .flatten()
            .map(|r| rbac::PolicyRule {
                api_groups: r.api_groups.clone(),
                resources: r.resources.clone(),
                verbs: r.verbs.clone().unwrap_or_default(),
                resource_names: r.resource_names.clone(),
                non_resource_urls: r.non_resource_urls.clone(),
            })
            .collect();
        for k in ["kind", "rules", "clusterWide"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.finalizers.is_some() {
            self.led.dropped(
                id,
                "finalizers",
                "finalizers on RBAC objects are not generated",
            );
        }
        let mut out = Vec::new();
        if cluster {
            let aggregation = p.aggregation_selector.as_ref().map(|sel| {
                self.led.mapped(id, "aggregationSelector");
                rbac::AggregationRule {
                    cluster_role_selectors: Some(vec![LabelSelector {
                        match_labels: Some(sel.clone()),
                        ..LabelSelector::default()
                    }]),
                }
            });
            let cr = rbac::ClusterRole {
                metadata: self.meta(i, name, None),
                rules: (!rules.is_empty()).then_some(rules),
                aggregation_rule: aggregation,
            };
            out.push(obj(i, "ClusterRole", None, name, cr));
        } else {
            if p.aggregation_selector.is_some() {
                self.led
                    .dropped(id, "aggregationSelector", "only a ClusterRole aggregates");
            }
            let r = rbac::Role {
                metadata: self.meta(i, name, Some(ns)),
                rules: (!rules.is_empty()).then_some(rules),
            };
            out.push(obj(i, "Role", Some(ns), name, r));
        }
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair != Pair::SaToRole {
                continue;
            }
            let sa = e.src;
            let wide = e
                .conn
                .data
                .as_ref()
                .and_then(|d| d.cluster_wide)
                .or(p.cluster_wide)
                .unwrap_or(false);
            let bname = format!("{name}-{}", g.name(sa));
            let subject = rbac::Subject {
                kind: "ServiceAccount".into(),
                name: g.name(sa).to_owned(),
                namespace: Some(g.ns[sa].to_owned()),
                api_group: None,
            };
            let role_ref = rbac::RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: if cluster {
                    "ClusterRole".into()
                } else {
                    "Role".into()
                },
                name: name.to_owned(),
            };
            if cluster && wide {
                let b = rbac::ClusterRoleBinding {
                    metadata: self.meta(i, &bname, None),
                    role_ref,
                    subjects: Some(vec![subject]),
                };
                out.push(obj(i, "ClusterRoleBinding", None, &bname, b));
            } else {
                let bns = if cluster { g.ns[sa] } else { ns };
                let b = rbac::RoleBinding {
                    metadata: self.meta(i, &bname, Some(bns)),
                    role_ref,
                    subjects: Some(vec![subject]),
                };
                out.push(obj(i, "RoleBinding", Some(bns), &bname, b));
            }
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::RoleToWorkload {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        out
    }

    // ------------------------------------------------------------------ advanced

    fn strategy(&mut self, i: usize, p: &DeploymentStrategyProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let t = p.kind.unwrap_or(StrategyType::RollingUpdate);
        let mut out = Vec::new();
        let present = common::present_keys(g.nodes[i]);
        for k in g.out(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::DsToApp {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        match t {
            StrategyType::RollingUpdate | StrategyType::Recreate => {
                for k in [
                    "type",
                    "strategy",
                    "timeout",
                    "maxSurge",
                    "maxUnavailable",
                    "revisionHistoryLimit",
                ] {
                    if present.contains(&k) {
                        self.led.mapped(id, k);
                    }
                }
            }
            StrategyType::Canary | StrategyType::BlueGreen => {
                for app in g.targets(i, Pair::DsToApp) {
                    let app_name = g.name(app);
                    let app_ns = g.ns[app];
                    let strategy = if t == StrategyType::Canary {
                        let steps: Vec<Value> = p
                            .canary_steps
                            .clone()
                            .unwrap_or_else(|| vec![25, 50, 75, 100])
                            .into_iter()
                            .flat_map(|w| {
                                let mut s = vec![json!({"setWeight": w})];
                                if w < 100 {
                                    s.push(if p.promotion == Some(Promotion::Automatic) {
                                        json!({"pause": {"duration": "1m"}})
                                    } else {
                                        json!({"pause": {}})
                                    });
                                }
                                s
                            })
                            .collect();
                        let mut c = json!({"steps": steps});
                        if p.analysis.is_some() {
                            c["analysis"] = json!({"templates": [{"templateName": format!("{name}-analysis")}]});
                        }
                        if let Some(tr) = p.traffic_routing {
                            c["trafficRouting"] = match tr {
                                TrafficRouting::Nginx => {
                                    json!({"nginx": {"stableIngress": app_name}})
                                }
                                TrafficRouting::Istio => {
                                    json!({"istio": {"virtualService": {"name": app_name}}})
                                }
                                TrafficRouting::Ambassador => {
                                    json!({"ambassador": {"mappings": [app_name]}})
                                }
                            };
                            self.led.approx(
                                id,
                                "trafficRouting",
                                "routing object names default to the App name; adjust to your mesh/ingress",
                            );
                        }
                        json!({"canary": c})
                    } else {
                        let active = g
                            .targets(app, Pair::WorkloadToService)
                            .next()
                            .map(|s| g.name(s).to_owned())
                            .unwrap_or_else(|| app_name.to_owned());
                        let mut b = json!({
                            "activeService": active,
                            "previewService": format!("{active}-preview"),
                            "autoPromotionEnabled": p.auto_promotion.unwrap_or(false),
                        });
                        if let Some(d) = common::seconds(p.scale_down_delay.as_ref()) {
                            b["scaleDownDelaySeconds"] = json!(d);
                        }
                        if let Some(r) = p.preview_replicas {
                            b["previewReplicaCount"] = json!(r);
                        }
                        if p.analysis.is_some() {
                            b["prePromotionAnalysis"] = json!({"templates": [{"templateName": format!("{name}-analysis")}]});
                        }
                        json!({"blueGreen": b})
                    };
                    let mut meta = self.meta(i, app_name, Some(app_ns)).to_json();
                    meta["labels"] = json!(common::labels(g, app));
                    let rollout = json!({
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "Rollout",
                        "metadata": meta,
                        "spec": {
                            "replicas": common_replicas(g, app),
                            "selector": {"matchLabels": common::selector(app_name)},
                            "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app_name},
                            "strategy": strategy,
                        }
                    });
                    out.push(json_obj(i, "Rollout", Some(app_ns), app_name, rollout));
                    if t == StrategyType::BlueGreen {
                        for svc in g.targets(app, Pair::WorkloadToService) {
                            let pname = format!("{}-preview", g.name(svc));
                            let mut v = self.service(
                                svc,
                                match &g.nodes[svc].data.properties {
                                    Properties::Service(sp) => sp,
                                    _ => continue,
                                },
                            );
                            let mut o = v.remove(0);
                            let typed = o.edit(|s: &mut core::Service| {
                                s.metadata.name = Some(pname.clone());
                            });
                            debug_assert!(typed, "a Service node's Service is typed");
                            o.name = pname;
                            o.node = i;
                            out.push(o);
                        }
                    }
                }
                if let Some(a) = &p.analysis {
                    let mut metrics = Vec::new();
                    if let Some(sr) = a.success_rate {
                        metrics.push(json!({
                            "name": "success-rate",
                            "interval": a.duration.clone().unwrap_or_else(|| "5m".into()),
                            "failureLimit": a.failure_limit.unwrap_or(5),
                            "successCondition": format!("result[0] >= {}", sr / 100.0),
                            "provider": {"prometheus": {
                                "address": "http://prometheus:9090",
                                "query": "sum(rate(http_requests_total{status!~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
                            }}
                        }));
                    }
                    if let Some(er) = a.error_rate {
                        metrics.push(json!({
                            "name": "error-rate",
                            "interval": a.duration.clone().unwrap_or_else(|| "5m".into()),
                            "failureLimit": a.failure_limit.unwrap_or(5),
                            "successCondition": format!("result[0] <= {}", er / 100.0),
                            "provider": {"prometheus": {
                                "address": "http://prometheus:9090",
                                "query": "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
                            }}
                        }));
                    }
                    let aname = format!("{name}-analysis");
                    let at = json!({
                        "apiVersion": "argoproj.io/v1alpha1",
                        "kind": "AnalysisTemplate",
                        "metadata": self.meta(i, &aname, Some(ns)).to_json(),
                        "spec": {"metrics": metrics}
                    });
                    out.push(json_obj(i, "AnalysisTemplate", Some(ns), &aname, at));
                    self.led.approx(
                        id,
                        "analysis",
                        "Prometheus queries on http_requests_total at http://prometheus:9090",
                    );
                }
                for k in [
                    "type",
                    "timeout",
                    "canarySteps",
                    "promotion",
                    "autoPromotion",
                    "scaleDownDelay",
                    "previewReplicas",
                ] {
                    if present.contains(&k) {
                        self.led.mapped(id, k);
                    }
                }
                if p.strategy.is_some() {
                    self.led.approx(
                        id,
                        "strategy",
                        "used when Argo Rollouts is missing (deploy pre-flight)",
                    );
                }
                for k in ["maxSurge", "maxUnavailable", "revisionHistoryLimit"] {
                    if present.contains(&k) {
                        self.led.dropped(id, k, "only used by RollingUpdate");
                    }
                }
            }
        }
        for k in ["rollbackConditions", "promotionGate"] {
            if present.contains(&k) {
                self.led.dropped(id, k, "no generated output");
            }
        }
        out
    }

    fn observability(&mut self, i: usize, p: &ObservabilityProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut out = Vec::new();
        let path = p.metrics_path.clone().unwrap_or_else(|| "/metrics".into());
        let interval = p.scrape_interval.clone().unwrap_or_else(|| "30s".into());
        if p.metrics == Some(MetricsBackend::Prometheus) {
            for k in g.out(i) {
                let e = &g.edges[*k];
                if e.pair != Pair::ObsToTarget {
                    continue;
                }
                let t = e.tgt;
                let mname = format!("{name}-{}", g.name(t));
                let target_app = match g.ty(t) {
                    Some(NodeType::Service) => common::selected_workloads(g, t)
                        .first()
                        .map(|w| g.name(*w).to_owned())
                        .unwrap_or_else(|| g.name(t).to_owned()),
                    _ => g.name(t).to_owned(),
                };
                let sm = json!({
                    "apiVersion": "monitoring.coreos.com/v1",
                    "kind": "ServiceMonitor",
                    "metadata": self.meta(i, &mname, Some(g.ns[t])).to_json(),
                    "spec": {
                        "selector": {"matchLabels": {"app": target_app}},
                        "endpoints": [{"port": "metrics", "path": path, "interval": interval}]
                    }
                });
                out.push(json_obj(i, "ServiceMonitor", Some(g.ns[t]), &mname, sm));
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
            self.led.mapped(id, "metrics");
        } else if let Some(m) = p.metrics {
            if m == MetricsBackend::None {
                self.led.mapped(id, "metrics");
            } else {
                self.led
                    .dropped(id, "metrics", "custom metrics produce no output");
            }
        }
        for k in ["metricsPort", "metricsPath", "scrapeInterval"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.alerts == Some(AlertsBackend::AlertManager)
            && p.alert_rules.as_ref().is_some_and(|r| !r.is_empty())
        {
            let rules: Vec<Value> = p
                .alert_rules
                .iter()
                .flatten()
                .map(|r| {
                    let mut v = json!({
                        "alert": r.name.clone().unwrap_or_default(),
                        "expr": r.expr.clone().unwrap_or_default(),
                        "for": r.for_duration.clone().unwrap_or_else(|| "5m".into()),
                        "labels": {"severity": r.severity.clone().unwrap_or_else(|| "warning".into())},
                    });
                    if let Some(d) = &r.description {
                        v["annotations"] = json!({"description": d});
                    }
                    v
                })
                .collect();
            let rname = format!("{name}-alerts");
            let pr = json!({
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PrometheusRule",
                "metadata": self.meta(i, &rname, Some(ns)).to_json(),
                "spec": {"groups": [{"name": name, "rules": rules}]}
            });
            out.push(json_obj(i, "PrometheusRule", Some(ns), &rname, pr));
            self.led.mapped(id, "alerts");
            self.led.mapped(id, "alertRules");
        } else {
            if p.alerts.is_some() {
                self.led.dropped(
                    id,
                    "alerts",
                    "no alert rules, or not Prometheus AlertManager",
                );
            }
            if p.alert_rules.is_some() {
                self.led
                    .dropped(id, "alertRules", "alerts are not Prometheus AlertManager");
            }
        }
        if let Some(l) = p.logging.filter(|l| *l != LoggingBackend::None) {
            let cname = format!("{name}-logging-config");
            let mut data = crate::sort::map([
                (
                    "level".to_owned(),
                    p.log_level.unwrap_or(LogLevel::Info).as_str().to_owned(),
                ),
                (
                    "format".to_owned(),
                    p.log_format.unwrap_or(LogFormat::Json).as_str().to_owned(),
                ),
                ("output".to_owned(), "stdout".to_owned()),
                ("backend".to_owned(), l.as_str().to_owned()),
            ]);
            if let Some(ep) = &p.log_endpoint {
                data.insert("endpoint".into(), ep.clone());
            }
            let cm = core::ConfigMap {
                metadata: self.meta(i, &cname, Some(ns)),
                data: Some(data),
                ..core::ConfigMap::default()
            };
            out.push(obj(i, "ConfigMap", Some(ns), &cname, cm));
            self.led.approx(
                id,
                "logging",
                "a logging ConfigMap; no log shipper is deployed",
            );
        } else if p.logging.is_some() {
            self.led.mapped(id, "logging");
        }
        for k in ["logLevel", "logFormat", "logEndpoint"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if let Some(t) = p.tracing.filter(|t| *t != TracingBackend::None) {
            let cname = format!("{name}-tracing-config");
            let mut data = crate::sort::map([
                ("backend".to_owned(), t.as_str().to_owned()),
                (
                    "sampling-rate".to_owned(),
                    p.sampling_rate.unwrap_or(0.1).to_string(),
                ),
            ]);
            if let Some(ep) = &p.tracing_endpoint {
                let key = match t {
                    TracingBackend::Jaeger => "jaeger-endpoint",
                    TracingBackend::Zipkin => "zipkin-endpoint",
                    _ => "otlp-endpoint",
                };
                data.insert(key.into(), ep.clone());
            }
            let cm = core::ConfigMap {
                metadata: self.meta(i, &cname, Some(ns)),
                data: Some(data),
                ..core::ConfigMap::default()
            };
            out.push(obj(i, "ConfigMap", Some(ns), &cname, cm));
            self.led.approx(
                id,
                "tracing",
                "a tracing ConfigMap; no collector is deployed",
            );
        } else if p.tracing.is_some() {
            self.led.mapped(id, "tracing");
        }
        for k in ["tracingEndpoint", "samplingRate"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.dashboards.is_some() {
            self.led
                .dropped(id, "dashboards", "dashboards produce no output");
        }
        out
    }

    fn group(&mut self, i: usize, p: &AppGroupProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let gns = group_namespace(g.nodes[i]);
        let mut out = Vec::new();
        if group_creates_namespace(g.nodes[i]) {
            let mut meta = self.meta(i, gns, None);
            let labels = meta.labels.get_or_insert_with(BTreeMap::new);
            if let Some(env) = p.environment {
                labels.insert("environment".into(), env.as_str().to_owned());
            }
            // Pod Security Admission: the strictest standard any member asks for.
            let strictest = (0..g.nodes.len())
                .filter(|m| g.group[*m] == Some(i))
                .filter_map(|m| match &g.nodes[m].data.properties {
                    Properties::App(x) => x.pod_security_standard,
                    Properties::StatefulApp(x) => x.pod_security_standard,
                    Properties::Job(x) => x.pod_security_standard,
                    Properties::CronJob(x) => x.pod_security_standard,
                    _ => None,
                })
                .max();
            if let Some(pss) = strictest {
                labels.insert(
                    "pod-security.kubernetes.io/enforce".into(),
                    pss.as_str().to_owned(),
                );
            }
            let nsobj = core::Namespace { metadata: meta };
            out.push(obj(i, "Namespace", None, gns, nsobj));
        }
        for k in ["namespace", "createNamespace", "environment", "replicas"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let quota = match (p.resource_quota, &p.resource_quota_custom) {
            (Some(QuotaPreset::Small), _) => {
                Some(("2".to_owned(), "4Gi".to_owned(), "50Gi".to_owned(), 10))
            }
            (Some(QuotaPreset::Medium), _) => {
                Some(("4".to_owned(), "8Gi".to_owned(), "100Gi".to_owned(), 20))
            }
            (Some(QuotaPreset::Large), _) => {
                Some(("8".to_owned(), "16Gi".to_owned(), "250Gi".to_owned(), 50))
            }
            (Some(QuotaPreset::Enterprise), _) => {
                Some(("16".to_owned(), "32Gi".to_owned(), "500Gi".to_owned(), 100))
            }
            (_, Some(c)) => Some((
                c.cpu.as_ref().map_or("4".to_owned(), NumOrStr::text),
                c.memory.as_ref().map_or("8Gi".to_owned(), NumOrStr::text),
                c.storage
                    .as_ref()
                    .map_or("100Gi".to_owned(), NumOrStr::text),
                c.pods.unwrap_or(20),
            )),
            _ => None,
        };
        if let Some((cpu, mem, storage, pods)) = quota {
            let qname = format!("{name}-quota");
            let hard = crate::sort::map([
                ("requests.cpu".to_owned(), q(cpu.clone())),
                ("limits.cpu".to_owned(), q(cpu)),
                ("requests.memory".to_owned(), q(mem.clone())),
                ("limits.memory".to_owned(), q(mem)),
                ("requests.storage".to_owned(), q(storage)),
                ("count/pods".to_owned(), q(pods.to_string())),
            ]);
            let rq = core::ResourceQuota {
                metadata: self.meta(i, &qname, Some(gns)),
                spec: Some(core::ResourceQuotaSpec { hard: Some(hard) }),
            };
            out.push(obj(i, "ResourceQuota", Some(gns), &qname, rq));
            if p.resource_quota.is_some() {
                self.led.approx(
                    id,
                    "resourceQuota",
                    "preset sizes of workflow-format.md §2.15",
                );
            }
            if p.resource_quota_custom.is_some() {
                self.led.mapped(id, "resourceQuotaCustom");
            }
        }
        if p.allow_internal_communication == Some(true) {
            let npname = format!("{name}-internal");
            let np = net::NetworkPolicy {
                metadata: self.meta(i, &npname, Some(gns)),
                spec: Some(net::NetworkPolicySpec {
                    pod_selector: Some(LabelSelector::default()),
                    policy_types: Some(vec!["Ingress".into()]),
                    ingress: Some(vec![net::NetworkPolicyIngressRule {
                        from: Some(vec![net::NetworkPolicyPeer {
                            pod_selector: Some(LabelSelector::default()),
                            ..net::NetworkPolicyPeer::default()
                        }]),
                        ports: None,
                    }]),
                    egress: None,
                }),
            };
            out.push(obj(i, "NetworkPolicy", Some(gns), &npname, np));
            self.led.mapped(id, "allowInternalCommunication");
        } else if p.allow_internal_communication.is_some() {
            self.led.mapped(id, "allowInternalCommunication");
        }
        out
    }

    fn custom_resource(&mut self, i: usize, p: &CustomResourceProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let group = p.group.clone().unwrap_or_else(|| "example.com".into());
        let version = p.version.clone().unwrap_or_else(|| "v1".into());
        let plural = p.plural.clone().unwrap_or_else(|| format!("{name}s"));
        let kind = p
            .kind
            .clone()
            .unwrap_or_else(|| crate::objects::capitalize(name));
        let cluster = p.scope == Some(CrdScope::Cluster);
        let mut spec_props: BTreeMap<String, Value> = BTreeMap::new();
        let mut required = Vec::new();
        for f in p.schema.iter().flatten() {
            let Some(fname) = &f.name else { continue };
            let mut s = apiext::JSONSchemaProps {
                type_: Some(f.kind.unwrap_or(FieldType::String).as_str().to_owned()),
                description: f.description.clone(),
                default: f.default.clone().map(apiext::Json),
                enum_: f
                    .enum_values
                    .clone()
                    .map(|v| v.into_iter().map(apiext::Json).collect()),
                pattern: f.pattern.clone(),
                minimum: f.minimum,
                maximum: f.maximum,
                ..apiext::JSONSchemaProps::default()
            };
            // The user's item and property schemas pass through as written.
            if f.kind == Some(FieldType::Array) {
                s.items = Some(match &f.items {
                    Some(o) => Value::Object(o.clone()),
                    None => json!({"type": "string"}),
                });
            }
            if f.kind == Some(FieldType::Object) {
                match &f.properties {
                    Some(Value::Object(props)) if props.values().all(Value::is_object) => {
                        s.properties = Some(crate::sort::map(props.clone()));
                    }
                    _ => s.x_kubernetes_preserve_unknown_fields = Some(true),
                }
            }
            if f.required == Some(true) {
                required.push(fname.clone());
            }
            spec_props.insert(fname.clone(), s.to_json());
        }
        let validation = p.validation.unwrap_or(true);
        let spec_schema = if validation && !spec_props.is_empty() {
            apiext::JSONSchemaProps {
                type_: Some("object".into()),
                properties: Some(spec_props),
                required: (!required.is_empty()).then_some(required),
                ..apiext::JSONSchemaProps::default()
            }
        } else {
            apiext::JSONSchemaProps {
                type_: Some("object".into()),
                x_kubernetes_preserve_unknown_fields: Some(true),
                ..apiext::JSONSchemaProps::default()
            }
        };
        let root = apiext::JSONSchemaProps {
            type_: Some("object".into()),
            properties: Some(crate::sort::map([
                ("spec".to_owned(), spec_schema.to_json()),
                (
                    "status".to_owned(),
                    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                ),
            ])),
            ..apiext::JSONSchemaProps::default()
        };
        let columns: Vec<apiext::CustomResourceColumnDefinition> = p
            .printer_columns
            .iter()
            .flatten()
            .filter_map(|c| {
                Some(apiext::CustomResourceColumnDefinition {
                    name: c.name.clone()?,
                    json_path: c.json_path.clone()?,
                    type_: c.kind.clone().unwrap_or_else(|| "string".into()),
                    description: c.description.clone(),
                    priority: c.priority.map(|v| v as i32),
                    format: None,
                })
            })
            .collect();
        let subresources = p
            .subresources
            .as_ref()
            .map(|s| apiext::CustomResourceSubresources {
                status: (s.status == Some(true)).then(core::Object::new),
                scale: (s.scale == Some(true)).then(|| apiext::CustomResourceSubresourceScale {
                    spec_replicas_path: ".spec.replicas".into(),
                    status_replicas_path: ".status.replicas".into(),
                    label_selector_path: None,
                }),
            });
        let crd_name = format!("{plural}.{group}");
        let crd = apiext::CustomResourceDefinition {
            metadata: self.meta(i, &crd_name, None),
            spec: apiext::CustomResourceDefinitionSpec {
                group: group.clone(),
                names: apiext::CustomResourceDefinitionNames {
                    kind: kind.clone(),
                    plural: plural.clone(),
                    singular: Some(name.to_owned()),
                    short_names: p.short_names.clone().filter(|s| !s.is_empty()),
                    categories: p.categories.clone().filter(|s| !s.is_empty()),
                    list_kind: None,
                },
                scope: if cluster {
                    "Cluster".into()
                } else {
                    "Namespaced".into()
                },
                versions: vec![apiext::CustomResourceDefinitionVersion {
                    name: version.clone(),
                    served: true,
                    storage: true,
                    schema: Some(apiext::CustomResourceValidation {
                        open_api_v3_schema: Some(root),
                    }),
                    additional_printer_columns: (!columns.is_empty()).then_some(columns),
                    subresources,
                }],
            },
        };
        let mut out = vec![obj(i, "CustomResourceDefinition", None, &crd_name, crd)];
        for inst in p.instances.iter().flatten() {
            let Some(iname) = &inst.name else { continue };
            let ins_ns = (!cluster).then_some(ns);
            let mut v = json!({
                "apiVersion": format!("{group}/{version}"),
                "kind": kind,
                "metadata": self.meta(i, iname, ins_ns).to_json(),
            });
            if let Some(spec) = &inst.spec {
                v["spec"] = spec.clone();
            }
            out.push(json_obj(i, &kind, ins_ns, iname, v));
        }
        if let Some(c) = &p.controller {
            let cname = format!("{name}-controller");
            let sa = core::ServiceAccount {
                metadata: self.meta(i, &cname, Some(ns)),
                ..core::ServiceAccount::default()
            };
            out.push(obj(i, "ServiceAccount", Some(ns), &cname, sa));
            let cr = rbac::ClusterRole {
                metadata: self.meta(i, &cname, None),
                rules: Some(vec![
                    rbac::PolicyRule {
                        api_groups: Some(vec![group.clone()]),
                        resources: Some(vec![plural.clone(), format!("{plural}/status")]),
                        verbs: [
                            "get", "list", "watch", "create", "update", "patch", "delete",
                        ]
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                        ..rbac::PolicyRule::default()
                    },
                    rbac::PolicyRule {
                        api_groups: Some(vec![String::new()]),
                        resources: Some(vec!["events".into()]),
                        verbs: vec!["create".into(), "patch".into()],
                        ..rbac::PolicyRule::default()
                    },
                ]),
                aggregation_rule: None,
            };
            out.push(obj(i, "ClusterRole", None, &cname, cr));
            let crb = rbac::ClusterRoleBinding {
                metadata: self.meta(i, &cname, None),
                role_ref: rbac::RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: cname.clone(),
                },
                subjects: Some(vec![rbac::Subject {
                    kind: "ServiceAccount".into(),
                    name: c.service_account.clone().unwrap_or_else(|| cname.clone()),
                    namespace: Some(ns.to_owned()),
                    api_group: None,
                }]),
            };
            out.push(obj(i, "ClusterRoleBinding", None, &cname, crb));
            let mut labels = common::labels(g, i);
            labels.insert("app".into(), cname.clone());
            let dep = apps::Deployment {
                metadata: ObjectMeta {
                    name: Some(cname.clone()),
                    namespace: Some(ns.to_owned()),
                    labels: Some(labels.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(apps::DeploymentSpec {
                    replicas: Some(c.replicas.unwrap_or(1) as i32),
                    selector: LabelSelector {
                        match_labels: Some(common::selector(&cname)),
                        ..LabelSelector::default()
                    },
                    template: core::PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(labels),
                            ..ObjectMeta::default()
                        }),
                        spec: Some(core::PodSpec {
                            service_account_name: Some(
                                c.service_account.clone().unwrap_or_else(|| cname.clone()),
                            ),
                            containers: vec![core::Container {
                                name: "controller".into(),
                                image: c.image.clone(),
                                ..core::Container::default()
                            }],
                            ..core::PodSpec::default()
                        }),
                    },
                    ..apps::DeploymentSpec::default()
                }),
            };
            out.push(obj(i, "Deployment", Some(ns), &cname, dep));
            self.led.mapped(id, "controller");
        }
        for k in [
            "group",
            "version",
            "kind",
            "plural",
            "shortNames",
            "categories",
            "scope",
            "schema",
            "validation",
            "printerColumns",
            "subresources",
            "instances",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        out
    }
}

fn common_replicas(g: &Graph<'_>, app: usize) -> i64 {
    match &g.nodes[app].data.properties {
        Properties::App(p) => p
            .replicas
            .or_else(|| common::group_replicas(g, app))
            .unwrap_or(1),
        _ => 1,
    }
}

fn pvc_spec(
    size: &str,
    class: Option<&String>,
    mode: AccessMode,
) -> core::PersistentVolumeClaimSpec {
    core::PersistentVolumeClaimSpec {
        access_modes: Some(vec![mode.as_str().to_owned()]),
        storage_class_name: class.cloned(),
        resources: Some(core::VolumeResourceRequirements {
            requests: Some(crate::sort::map([("storage".to_owned(), q(size))])),
            limits: None,
        }),
    }
}

/// JSON merge (objects merge recursively, everything else replaces).
/// The value at `path` inside nested objects, created (as null) where missing; `None` when a
/// step is neither an object nor null.
fn path_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    let mut cur = v;
    for key in path {
        if cur.is_null() {
            *cur = Value::Object(serde_json::Map::new());
        }
        cur = cur.as_object_mut()?.entry(*key).or_insert(Value::Null);
    }
    Some(cur)
}

pub(crate) fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

struct JobParts<'p> {
    restart: Option<JobRestartPolicy>,
    volumes: Option<&'p Vec<JobVolume>>,
    timeout: Option<&'p String>,
    active_deadline: Option<&'p String>,
    parallelism: Option<i64>,
    completions: Option<i64>,
    backoff_limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world\n", "\u{0}\u{ff}"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), s.as_bytes(), "{s:?}");
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("!!!!").is_none());
    }
}
