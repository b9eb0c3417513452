//! Pods: containers, injections of Secrets/ConfigMaps, probes, pod specs and templates, PVCs.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn container_and_volumes(
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

    pub(super) fn injection(
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

    pub(super) fn probe(
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

    pub(super) fn pod(
        &mut self,
        i: usize,
        pc: &PodCommon<'_>,
        restart: Option<&str>,
    ) -> core::PodSpec {
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

    pub(super) fn template(&self, i: usize, spec: core::PodSpec) -> core::PodTemplateSpec {
        core::PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(common::labels(self.g, i)),
                ..ObjectMeta::default()
            }),
            spec: Some(spec),
        }
    }

    pub(super) fn add_volume(spec: &mut core::PodSpec, v: core::Volume, mount: core::VolumeMount) {
        spec.volumes.get_or_insert_with(Vec::new).push(v);
        spec.containers[0]
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(mount);
    }

    pub(super) fn pvc(
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
}
