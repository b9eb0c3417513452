//! Field and node rules (§4.1), one function per node type plus shared helpers.

use super::formats::{self, Suffix};
use super::{Mode, ValidateOptions, tz};
use crate::diag::{Code, Diagnostic, Severity};
use crate::graph::Graph;
use crate::model::load::quote;
use crate::model::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Collects findings for one node; property paths are relative to `data.properties`.
struct Ck<'o> {
    id: String,
    name: String,
    mode: Mode,
    out: &'o mut Vec<Diagnostic>,
}

impl Ck<'_> {
    fn d(&mut self, code: Code, prop: &str, msg: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(code, msg).node(&self.id);
        if !prop.is_empty() {
            d.property = Some(format!("data.properties.{prop}"));
        }
        self.out.push(d);
        self.out.last_mut().expect("pushed")
    }

    fn hint(&mut self, code: Code, prop: &str, msg: impl Into<String>, hint: impl Into<String>) {
        self.d(code, prop, msg).hint = Some(hint.into());
    }

    fn min(&mut self, prop: &str, v: Option<i64>, min: i64) {
        if let Some(v) = v
            && v < min
        {
            self.d(
                Code::ValueRange,
                prop,
                format!("`{prop}` is {v}; it must be at least {min}"),
            );
        }
    }

    fn between(&mut self, prop: &str, v: Option<f64>, lo: f64, hi: f64) {
        if let Some(v) = v
            && !(lo..=hi).contains(&v)
        {
            self.d(
                Code::ValueRange,
                prop,
                format!("`{prop}` is {v}; it must be between {lo} and {hi}"),
            );
        }
    }

    fn port(&mut self, prop: &str, p: i64) {
        if !(1..=65535).contains(&p) {
            self.hint(
                Code::PortRange,
                prop,
                format!("port {p} is out of range 1–65535"),
                "use a port from 1 to 65535",
            );
        } else if p < 1024 {
            self.hint(
                Code::PortPrivileged,
                prop,
                format!("port {p} is privileged (< 1024)"),
                "non-root containers need NET_BIND_SERVICE to bind it; fine if the image expects it",
            );
        }
    }

    fn image(&mut self, image: Option<&String>, prop: &str) {
        let Some(img) = image.filter(|s| !s.trim().is_empty()) else {
            let mut d = Diagnostic::new(
                Code::ImageRequired,
                format!("{} has no image", quote(&self.name)),
            )
            .node(&self.id)
            .at(format!("data.properties.{prop}"))
            .hint("set `image`, e.g. \"nginx:1.27\"");
            if self.mode == Mode::Live {
                d.severity = Severity::Warning;
            }
            self.out.push(d);
            return;
        };
        match formats::image_ref(img) {
            Err(why) => self.hint(
                Code::ImageFormat,
                prop,
                format!("image {} {why}", quote(img)),
                "write [registry[:port]/]repository[:tag][@sha256:digest], e.g. ghcr.io/acme/api:1.4.2",
            ),
            Ok(r) => {
                if r.digest.is_none() && r.tag.is_none_or(|t| t == "latest") {
                    let what = if r.tag.is_none() { "has no tag" } else { "uses the `latest` tag" };
                    self.hint(
                        Code::ImageLatest,
                        prop,
                        format!("image {} {what}", quote(img)),
                        "pin a version tag (e.g. :1.4.2) or a digest",
                    );
                }
            }
        }
    }

    fn replicas(&mut self, prop: &str, v: Option<i64>) {
        if let Some(r) = v
            && !(1..=1000).contains(&r)
        {
            self.hint(
                Code::ReplicasRange,
                prop,
                format!("replicas is {r}; it must be between 1 and 1000"),
                "use an integer from 1 to 1000",
            );
        }
    }

    fn quantity(&mut self, prop: &str, q: Option<&NumOrStr>) -> Option<f64> {
        let q = q?;
        let text = q.text();
        match formats::quantity(&text) {
            Err(why) => {
                self.hint(
                    Code::QuantityFormat,
                    prop,
                    format!("`{prop}` {} is invalid: {why}", quote(&text)),
                    "use Kubernetes units, e.g. 512Mi, 2Gi, 10Gi",
                );
                None
            }
            Ok((v, kind)) => {
                match kind {
                    Suffix::Milli => {
                        self.hint(
                            Code::QuantityFormat,
                            prop,
                            format!("`{prop}` {} is in milli-bytes", quote(&text)),
                            "'m' means 1/1000 of a byte here; use Mi for mebibytes",
                        );
                        return None;
                    }
                    Suffix::Decimal
                        if text.ends_with('M') || text.ends_with('G') || text.ends_with('T') =>
                    {
                        let bin = format!("{}i", &text);
                        self.hint(
                            Code::QuantityDecimalSi,
                            prop,
                            format!("`{prop}` {} uses a decimal unit", quote(&text)),
                            format!("did you mean {bin}? (binary units are usual for memory and storage)"),
                        );
                    }
                    _ => {}
                }
                Some(v)
            }
        }
    }

    fn cpu(&mut self, prop: &str, q: Option<&NumOrStr>) -> Option<f64> {
        let q = q?;
        let r = match q {
            NumOrStr::Number(n) => match n.as_f64() {
                Some(f) if f >= 0.0 => Ok(f),
                _ => Err(format!("{n} is negative")),
            },
            NumOrStr::Text(s) => formats::cpu(s),
        };
        match r {
            Ok(v) => Some(v),
            Err(why) => {
                self.hint(
                    Code::CpuFormat,
                    prop,
                    format!("`{prop}`: {why}"),
                    "use millicores (e.g. 250m) or cores (e.g. 1.5)",
                );
                None
            }
        }
    }

    fn duration(&mut self, prop: &str, v: Option<&String>, timeout: bool) -> Option<u64> {
        let v = v?;
        match formats::duration(v) {
            Err(why) => {
                self.hint(
                    Code::DurationFormat,
                    prop,
                    format!("`{prop}`: {why}"),
                    "e.g. 30s, 10m, 2h, 1d",
                );
                None
            }
            Ok(secs) => {
                if timeout && !(1..=86400).contains(&secs) {
                    self.hint(
                        Code::DurationFormat,
                        prop,
                        format!("`{prop}` {} is outside 1s–24h", quote(v)),
                        "timeouts must lie between 1s and 24h",
                    );
                }
                Some(secs)
            }
        }
    }

    fn abs_path(&mut self, prop: &str, v: Option<&String>) {
        if let Some(p) = v
            && !p.starts_with('/')
        {
            self.hint(
                Code::PathFormat,
                prop,
                format!("`{prop}` {} is not an absolute path", quote(p)),
                "mount paths start with '/', e.g. /etc/config",
            );
        }
    }

    fn labels(&mut self, prop: &str, m: Option<&StrMap>, values: bool) {
        for (k, v) in m.into_iter().flatten() {
            let p = crate::model::load::join(prop, k);
            if let Err(why) = formats::label_key(k) {
                self.hint(
                    Code::LabelFormat,
                    &p,
                    format!("key {} {why}", quote(k)),
                    "keys are [prefix/]name, name ≤63 of letters, digits, '-', '_', '.'",
                );
            }
            if values && let Err(why) = formats::label_value(v) {
                self.hint(
                    Code::LabelFormat,
                    &p,
                    format!("label value {} {why}", quote(v)),
                    "label values are ≤63 letters, digits, '-', '_', '.' (or empty)",
                );
            }
        }
    }

    fn env(&mut self, prop: &str, m: Option<&StrMap>) {
        for k in m.into_iter().flatten().map(|(k, _)| k) {
            if !formats::env_name(k) {
                let p = crate::model::load::join(prop, k);
                self.hint(
                    Code::EnvName,
                    &p,
                    format!(
                        "environment variable {} will be renamed to {}",
                        quote(k),
                        formats::sanitize_env(k)
                    ),
                    "use letters, digits and '_' (not starting with a digit)",
                );
            }
        }
    }

    fn security(&mut self, prop: &str, sc: Option<&Object>) {
        let Some(sc) = sc else { return };
        if sc.get("privileged") == Some(&Value::Bool(true)) {
            self.hint(
                Code::Privileged,
                &format!("{prop}.privileged"),
                "the container is privileged",
                "remove `privileged` and add only the capabilities you need",
            );
        }
        if sc.get("runAsUser").and_then(Value::as_i64) == Some(0) {
            self.hint(
                Code::SecurityRoot,
                &format!("{prop}.runAsUser"),
                "the container runs as root (runAsUser 0)",
                "run as a non-root user",
            );
        }
        if sc.get("runAsNonRoot") == Some(&Value::Bool(false)) {
            self.hint(
                Code::SecurityRoot,
                &format!("{prop}.runAsNonRoot"),
                "`runAsNonRoot` is false: the container may run as root",
                "set runAsNonRoot: true",
            );
        }
    }

    fn probe(&mut self, prop: &str, p: Option<&Probe>, ports: &[(i64, Option<String>)]) {
        let first_port = ports.first().map(|(n, _)| *n);
        let Some(p) = p else { return };
        let kind = p.kind.unwrap_or(if p.command.is_some() {
            ProbeType::Exec
        } else {
            ProbeType::Http
        });
        match kind {
            ProbeType::Exec => {
                if p.command.as_ref().is_none_or(Vec::is_empty) {
                    self.hint(
                        Code::FieldRequired,
                        &format!("{prop}.command"),
                        format!("exec probe `{prop}` has no command"),
                        "add \"command\": [\"...\"]",
                    );
                }
            }
            _ => match p.port.clone().or(first_port.map(IntOrString::Int)) {
                Some(IntOrString::Int(port)) => {
                    if !(1..=65535).contains(&port) {
                        self.d(
                            Code::PortRange,
                            &format!("{prop}.port"),
                            format!("probe port {port} is out of range 1–65535"),
                        );
                    }
                }
                Some(IntOrString::Name(name)) => {
                    if !ports
                        .iter()
                        .any(|(_, n)| n.as_deref() == Some(name.as_str()))
                    {
                        let names: Vec<&str> =
                            ports.iter().filter_map(|(_, n)| n.as_deref()).collect();
                        self.hint(
                            Code::PortName,
                            &format!("{prop}.port"),
                            format!(
                                "probe port {} is not a port name of the container",
                                quote(&name)
                            ),
                            format!(
                                "named ports: {}",
                                if names.is_empty() {
                                    "none".to_owned()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        );
                    }
                }
                None => self.hint(
                    Code::FieldRequired,
                    &format!("{prop}.port"),
                    format!("{kind} probe `{prop}` has no port and the container declares none"),
                    "add \"port\"",
                ),
            },
        }
        if kind == ProbeType::Http
            && let Some(path) = &p.path
            && !path.starts_with('/')
        {
            self.d(
                Code::PathFormat,
                &format!("{prop}.path"),
                format!("probe path {} must start with '/'", quote(path)),
            );
        }
        for (k, v, min) in [
            ("initialDelaySeconds", p.initial_delay_seconds, 0),
            ("periodSeconds", p.period_seconds, 1),
            ("timeoutSeconds", p.timeout_seconds, 1),
            ("failureThreshold", p.failure_threshold, 1),
            ("successThreshold", p.success_threshold, 1),
        ] {
            self.min(&format!("{prop}.{k}"), v, min);
        }
    }

    fn tolerations(&mut self, prop: &str, t: Option<&Vec<Toleration>>) {
        for (k, tol) in t.into_iter().flatten().enumerate() {
            if let Some(op) = &tol.operator
                && op != "Equal"
                && op != "Exists"
            {
                self.hint(
                    Code::EnumValue,
                    &format!("{prop}[{k}].operator"),
                    format!("operator {} is not allowed", quote(op)),
                    "allowed: Equal, Exists",
                );
            }
            if let Some(e) = &tol.effect
                && !["NoSchedule", "PreferNoSchedule", "NoExecute", ""].contains(&e.as_str())
            {
                self.hint(
                    Code::EnumValue,
                    &format!("{prop}[{k}].effect"),
                    format!("effect {} is not allowed", quote(e)),
                    "allowed: NoSchedule, PreferNoSchedule, NoExecute",
                );
            }
        }
    }

    /// Container ports: main port (+ default name) and the list; range, names, duplicates.
    fn container_ports(
        &mut self,
        main: Option<i64>,
        main_name: &str,
        list: Option<&Vec<PortSpec>>,
    ) {
        let mut entries: Vec<(String, i64, Protocol, Option<String>)> = Vec::new();
        if let Some(p) = main {
            self.port("port", p);
            entries.push(("port".into(), p, Protocol::Tcp, Some(main_name.into())));
        }
        for (k, ps) in list.into_iter().flatten().enumerate() {
            let prop = format!("ports[{k}]");
            match ps.port {
                Some(p) => self.port(&format!("{prop}.port"), p),
                None => {
                    self.hint(
                        Code::FieldRequired,
                        &format!("{prop}.port"),
                        format!("`{prop}` has no port number"),
                        "add \"port\"",
                    );
                    continue;
                }
            }
            entries.push((
                prop,
                ps.port.unwrap_or(0),
                ps.protocol.unwrap_or(Protocol::Tcp),
                ps.name.clone(),
            ));
        }
        self.port_set(&entries);
    }

    fn port_set(&mut self, entries: &[(String, i64, Protocol, Option<String>)]) {
        // String maps (a map type the engine has anyway); a node has a few ports.
        let mut by_port: BTreeMap<String, String> = BTreeMap::new();
        let mut by_name: BTreeMap<String, String> = BTreeMap::new();
        for (prop, port, proto, name) in entries {
            let key = format!("{port}/{proto}");
            if let Some(first) = by_port.get(&key) {
                self.hint(
                    Code::PortDuplicate,
                    &format!("{prop}.port"),
                    format!("port {port}/{proto} is already declared at `{first}`"),
                    "remove the duplicate",
                );
            } else {
                by_port.insert(key, prop.clone());
            }
            if let Some(n) = name {
                let np = if prop == "port" {
                    "port".to_owned()
                } else {
                    format!("{prop}.name")
                };
                if let Err(why) = formats::port_name(n) {
                    self.hint(
                        Code::PortName,
                        &np,
                        format!("port name {} {why}", quote(n)),
                        "e.g. http, metrics, grpc (≤15 lowercase letters, digits, '-')",
                    );
                } else if let Some(first) = by_name.get(n) {
                    self.hint(
                        Code::PortName,
                        &np,
                        format!("port name {} is already used at `{first}`", quote(n)),
                        "port names must be unique",
                    );
                } else {
                    by_name.insert(n.clone(), prop.clone());
                }
            }
        }
    }

    fn resources(&mut self, p: Res<'_>, require_limits: bool) {
        let cr = self.cpu("cpuRequest", p.cpu_request);
        let cl = self.cpu("cpuLimit", p.cpu_limit);
        let mr = self.quantity("memoryRequest", p.memory_request);
        let ml = self.quantity("memoryLimit", p.memory_limit);
        for (what, req, lim, prop) in [
            ("cpu", cr, cl, "cpuRequest"),
            ("memory", mr, ml, "memoryRequest"),
        ] {
            if let (Some(r), Some(l)) = (req, lim)
                && r > l * (1.0 + 1e-9)
            {
                self.hint(
                    Code::RequestGtLimit,
                    prop,
                    format!("{what} request exceeds its limit"),
                    "lower the request or raise the limit",
                );
            }
        }
        self.min("gpu", p.gpu, 0);
        if require_limits && (p.cpu_limit.is_none() || p.memory_limit.is_none()) {
            let missing: Vec<&str> = [("cpuLimit", p.cpu_limit), ("memoryLimit", p.memory_limit)]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| *k)
                .collect();
            self.hint(
                Code::ResourceLimitsMissing,
                "",
                format!("{} has no {}", quote(&self.name), missing.join(" and ")),
                "set cpuLimit and memoryLimit",
            );
        }
    }

    fn pod_common(&mut self, p: Pod<'_>) {
        self.env("environment", p.environment);
        self.resources(p.res, true);
        self.security("securityContext", p.security_context);
        self.tolerations("tolerations", p.tolerations);
        self.labels("nodeSelector", p.node_selector, true);
    }
}

struct Res<'a> {
    cpu_request: Option<&'a NumOrStr>,
    cpu_limit: Option<&'a NumOrStr>,
    memory_request: Option<&'a NumOrStr>,
    memory_limit: Option<&'a NumOrStr>,
    gpu: Option<i64>,
}

struct Pod<'a> {
    environment: Option<&'a StrMap>,
    res: Res<'a>,
    security_context: Option<&'a Object>,
    tolerations: Option<&'a Vec<Toleration>>,
    node_selector: Option<&'a StrMap>,
}

macro_rules! pod {
    ($p:expr) => {
        Pod {
            environment: $p.environment.as_ref(),
            res: Res {
                cpu_request: $p.cpu_request.as_ref(),
                cpu_limit: $p.cpu_limit.as_ref(),
                memory_request: $p.memory_request.as_ref(),
                memory_limit: $p.memory_limit.as_ref(),
                gpu: $p.gpu,
            },
            security_context: $p.security_context.as_ref(),
            tolerations: $p.tolerations.as_ref(),
            node_selector: $p.node_selector.as_ref(),
        }
    };
}

/// Container ports (number, name) with the main port first, named `main_name`.
fn named_ports(
    main: Option<i64>,
    main_name: &str,
    list: Option<&Vec<PortSpec>>,
) -> Vec<(i64, Option<String>)> {
    let mut out = Vec::new();
    if let Some(p) = main {
        out.push((p, Some(main_name.to_owned())));
    }
    for ps in list.into_iter().flatten() {
        if let Some(p) = ps.port {
            out.push((p, ps.name.clone()));
        }
    }
    out
}

pub(super) fn check_node(
    g: &Graph<'_>,
    i: usize,
    opts: &ValidateOptions,
    out: &mut Vec<Diagnostic>,
) {
    let n = g.nodes[i];
    if n.id.len() > 64 {
        out.push(
            Diagnostic::new(Code::ValueRange, "node id is longer than 64 characters")
                .node(&n.id)
                .at("id"),
        );
    }
    let mut ck = Ck {
        id: n.id.clone(),
        name: n.name().to_owned(),
        mode: opts.mode,
        out,
    };
    let props = &n.data.properties;
    ck.labels("labels", props.labels(), true);
    ck.labels("annotations", props.annotations(), false);
    match props {
        Properties::App(p) => app(&mut ck, g, i, p),
        Properties::StatefulApp(p) => stateful(&mut ck, p),
        Properties::Job(p) => job(&mut ck, p),
        Properties::CronJob(p) => cronjob(&mut ck, p),
        Properties::Service(p) => service(&mut ck, p),
        Properties::Ingress(p) => ingress(&mut ck, p),
        Properties::NetworkPolicy(p) => netpol(&mut ck, p),
        Properties::Secret(p) => secret(&mut ck, p),
        Properties::ConfigMap(p) => configmap(&mut ck, p),
        Properties::ServiceAccount(_) => {}
        Properties::Role(p) => role(&mut ck, p),
        Properties::DeploymentStrategy(p) => strategy(&mut ck, p),
        Properties::Observability(p) => observability(&mut ck, p),
        Properties::AppGroup(p) => group(&mut ck, p),
        Properties::CustomResource(p) => custom_resource(&mut ck, p),
        Properties::Unknown(_) => {}
    }
}

fn app(ck: &mut Ck<'_>, g: &Graph<'_>, i: usize, p: &AppProps) {
    ck.image(p.image.as_ref(), "image");
    ck.replicas("replicas", p.replicas);
    ck.container_ports(p.port, "http", p.ports.as_ref());
    ck.pod_common(pod!(p));
    let fp = named_ports(p.port, "http", p.ports.as_ref());
    ck.probe("livenessProbe", p.liveness_probe.as_ref(), &fp);
    ck.probe("readinessProbe", p.readiness_probe.as_ref(), &fp);
    ck.probe("startupProbe", p.startup_probe.as_ref(), &fp);
    if p.liveness_probe.is_none() && p.readiness_probe.is_none() && p.startup_probe.is_none() {
        let name = ck.name.clone();
        ck.hint(
            Code::AppNoHealthCheck,
            "",
            format!("App {} has no health checks", quote(&name)),
            "add a readinessProbe (and a livenessProbe)",
        );
    }
    if ck.quantity("storage", p.storage.as_ref()).is_some() {
        let replicas = p.replicas.or_else(|| group_replicas(g, i)).unwrap_or(1);
        if replicas > 1 {
            ck.hint(
                Code::StorageRwoScale,
                "storage",
                format!("one ReadWriteOnce volume is shared by {replicas} replicas"),
                "use a StatefulApp (one volume per replica) or a single replica",
            );
        }
    }
    ck.abs_path("storageMountPath", p.storage_mount_path.as_ref());
    if p.dns_policy == Some(DnsPolicy::None) {
        ck.hint(
            Code::PropUnsupported,
            "dnsPolicy",
            "dnsPolicy None needs a dnsConfig, which the builder cannot set",
            "use ClusterFirst (the default) or Default",
        );
    }
    for (k, v) in p.volume_mounts.iter().flatten().enumerate() {
        ck.abs_path(
            &format!("volumeMounts[{k}].mountPath"),
            v.mount_path.as_ref(),
        );
    }
    for (k, v) in p.persistent_volumes.iter().flatten().enumerate() {
        ck.quantity(&format!("persistentVolumes[{k}].size"), v.size.as_ref());
        ck.abs_path(
            &format!("persistentVolumes[{k}].mountPath"),
            v.mount_path.as_ref(),
        );
    }
    for (k, v) in p.empty_dirs.iter().flatten().enumerate() {
        ck.quantity(&format!("emptyDirs[{k}].sizeLimit"), v.size_limit.as_ref());
        ck.abs_path(&format!("emptyDirs[{k}].mountPath"), v.mount_path.as_ref());
    }
}

fn group_replicas(g: &Graph<'_>, i: usize) -> Option<i64> {
    let gi = g.group[i]?;
    match &g.nodes[gi].data.properties {
        Properties::AppGroup(p) => p.replicas,
        _ => None,
    }
}

fn stateful(ck: &mut Ck<'_>, p: &StatefulAppProps) {
    ck.image(p.image.as_ref(), "image");
    ck.replicas("replicas", p.replicas);
    ck.container_ports(p.port, "app", p.ports.as_ref());
    ck.pod_common(pod!(p));
    let fp = named_ports(p.port, "app", p.ports.as_ref());
    ck.probe("livenessProbe", p.liveness_probe.as_ref(), &fp);
    ck.probe("readinessProbe", p.readiness_probe.as_ref(), &fp);
    ck.probe("startupProbe", p.startup_probe.as_ref(), &fp);
    if p.liveness_probe.is_none() && p.readiness_probe.is_none() && p.startup_probe.is_none() {
        let name = ck.name.clone();
        ck.hint(
            Code::AppNoHealthCheck,
            "",
            format!("StatefulApp {} has no health checks", quote(&name)),
            "add a readinessProbe (e.g. exec pg_isready for PostgreSQL)",
        );
    }
    if p.storage.is_none() {
        let name = ck.name.clone();
        ck.hint(
            Code::StatefulNoStorage,
            "",
            format!("StatefulApp {} has no storage", quote(&name)),
            "set `storage` (e.g. \"10Gi\"), or use an App",
        );
    }
    ck.quantity("storage", p.storage.as_ref());
    ck.abs_path("mountPath", p.mount_path.as_ref());
    ck.min("partition", p.partition, 0);
    if p.partition.is_some() && p.update_strategy == Some(StatefulUpdateStrategy::OnDelete) {
        ck.hint(
            Code::PropUnsupported,
            "partition",
            "`partition` has no effect with updateStrategy OnDelete",
            "remove it or use RollingUpdate",
        );
    }
    if let Some(s) = &p.backup_schedule
        && let Err(why) = formats::cron(s)
    {
        ck.hint(
            Code::CronSchedule,
            "backupSchedule",
            format!("invalid cron expression {}: {why}", quote(s)),
            "five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"",
        );
    }
    match &p.backup_retention {
        Some(NumOrStr::Number(n)) => {
            if n.as_i64().is_none_or(|v| v < 1) {
                ck.d(
                    Code::ValueRange,
                    "backupRetention",
                    format!("backupRetention {n} must be a whole number ≥ 1"),
                );
            }
        }
        Some(NumOrStr::Text(t)) => {
            let days = t.strip_suffix(" days").and_then(|d| d.parse::<i64>().ok());
            if t == "Forever" {
                ck.hint(
                    Code::BackupRetentionApprox,
                    "backupRetention",
                    "backupRetention \"Forever\" cannot be expressed; 7 backup Jobs are kept",
                    "retention is the number of kept backup Jobs, not a data retention period",
                );
            } else if days.is_none() && t != "1 year" {
                ck.hint(
                    Code::EnumValue,
                    "backupRetention",
                    format!("backupRetention {} is not an allowed value", quote(t)),
                    "allowed: a number of days, \"7 days\", \"30 days\", \"90 days\", \"1 year\", \"Forever\"",
                );
            }
        }
        None => {}
    }
    if let Some(loc) = p.backup_location
        && loc != BackupLocation::Local
    {
        ck.hint(
            Code::BackupLocationUnsupported,
            "backupLocation",
            format!("backup location \"{loc}\" is not generated; backups stay local"),
            "use Local, or upload from your own backup image",
        );
    }
    let headless = p.headless.unwrap_or(true);
    match p.service_type {
        Some(ServiceType::ExternalName) => ck.hint(
            Code::SvcTypeFields,
            "serviceType",
            "the governing Service of a StatefulApp cannot be ExternalName",
            "use ClusterIP",
        ),
        Some(t @ (ServiceType::NodePort | ServiceType::LoadBalancer)) if headless => ck.hint(
            Code::SvcTypeFields,
            "serviceType",
            format!("a headless governing Service cannot be {t}"),
            "set headless: false, or add a separate Service node",
        ),
        _ => {}
    }
}

fn job(ck: &mut Ck<'_>, p: &JobProps) {
    ck.image(p.image.as_ref(), "image");
    ck.pod_common(pod!(p));
    ck.min("parallelism", p.parallelism, 1);
    ck.min("completions", p.completions, 1);
    ck.min("backoffLimit", p.backoff_limit, 0);
    let a = ck.duration("timeout", p.timeout.as_ref(), true);
    let b = ck.duration("activeDeadline", p.active_deadline.as_ref(), true);
    if let (Some(a), Some(b)) = (a, b)
        && a != b
    {
        ck.hint(
            Code::PropConflict,
            "activeDeadline",
            format!(
                "`timeout` ({}) and `activeDeadline` ({}) are the same field with different values",
                p.timeout.as_deref().unwrap_or(""),
                p.active_deadline.as_deref().unwrap_or("")
            ),
            "keep one of them",
        );
    }
    ck.container_ports(None, "http", p.ports.as_ref());
    for (k, v) in p.volumes.iter().flatten().enumerate() {
        ck.abs_path(&format!("volumes[{k}].mountPath"), v.mount_path.as_ref());
    }
}

fn cronjob(ck: &mut Ck<'_>, p: &CronJobProps) {
    match &p.schedule {
        None => ck.hint(
            Code::CronSchedule,
            "schedule",
            "the CronJob has no schedule",
            "set `schedule`, e.g. \"*/5 * * * *\"",
        ),
        Some(s) => {
            if let Err(why) = formats::cron(s) {
                ck.hint(
                    Code::CronSchedule,
                    "schedule",
                    format!("invalid cron expression {}: {why}", quote(s)),
                    "five fields: minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"",
                );
            }
        }
    }
    ck.image(p.image.as_ref(), "image");
    ck.pod_common(pod!(p));
    if p.concurrency.is_some() {
        ck.hint(
            Code::PropUnsupported,
            "concurrency",
            "`concurrency` has no Kubernetes meaning and is ignored",
            "use `concurrencyPolicy` (Allow, Forbid, Replace)",
        );
    }
    ck.min("successfulJobsHistory", p.successful_jobs_history, 0);
    ck.min("failedJobsHistory", p.failed_jobs_history, 0);
    ck.min("backoffLimit", p.backoff_limit, 0);
    ck.duration("startingDeadline", p.starting_deadline.as_ref(), false);
    ck.duration("timeout", p.timeout.as_ref(), true);
    if let Some(tz_name) = &p.time_zone
        && tz::ZONES.binary_search(&tz_name.as_str()).is_err()
    {
        ck.hint(
            Code::Timezone,
            "timeZone",
            format!("unknown time zone {}", quote(tz_name)),
            "use an IANA name such as UTC, Europe/London, America/New_York",
        );
    }
    if let Some(t) = &p.last_schedule_time
        && let Err(why) = formats::rfc3339(t)
    {
        ck.d(Code::DatetimeFormat, "lastScheduleTime", why);
    }
}

/// Ports of a Service node: (prop, port, protocol, name).
pub(crate) fn service_ports(
    p: &ServiceProps,
) -> Vec<(String, i64, Protocol, Option<String>, Option<IntOrString>)> {
    let mut out = Vec::new();
    if let Some(port) = p.port.or(match &p.target_port {
        Some(IntOrString::Int(t)) => Some(*t),
        _ => None,
    }) {
        out.push((
            "port".to_owned(),
            port,
            p.protocol.unwrap_or(Protocol::Tcp),
            Some("http".to_owned()),
            p.target_port.clone(),
        ));
    }
    for (k, sp) in p.ports.iter().flatten().enumerate() {
        if let Some(port) = sp.port {
            let name = sp.name.clone().or_else(|| {
                Some(if k == 0 && out.is_empty() {
                    "http".into()
                } else {
                    format!("port-{}", k + 1)
                })
            });
            out.push((
                format!("ports[{k}]"),
                port,
                sp.protocol.unwrap_or(Protocol::Tcp),
                name,
                sp.target_port.clone(),
            ));
        }
    }
    out
}

fn service(ck: &mut Ck<'_>, p: &ServiceProps) {
    let t = p.kind.unwrap_or(ServiceType::ClusterIp);
    if let Some(port) = p.port {
        ck.port("port", port);
    }
    if let Some(IntOrString::Int(tp)) = &p.target_port
        && !(1..=65535).contains(tp)
    {
        ck.d(
            Code::PortRange,
            "targetPort",
            format!("targetPort {tp} is out of range 1–65535"),
        );
    }
    let external_ports = matches!(t, ServiceType::NodePort | ServiceType::LoadBalancer);
    for (k, sp) in p.ports.iter().flatten().enumerate() {
        match sp.port {
            Some(port) => ck.port(&format!("ports[{k}].port"), port),
            None => ck.hint(
                Code::FieldRequired,
                &format!("ports[{k}].port"),
                format!("`ports[{k}]` has no port number"),
                "add \"port\"",
            ),
        }
        if let Some(IntOrString::Int(tp)) = &sp.target_port
            && !(1..=65535).contains(tp)
        {
            ck.d(
                Code::PortRange,
                &format!("ports[{k}].targetPort"),
                format!("targetPort {tp} is out of range 1–65535"),
            );
        }
        if let Some(np) = sp.node_port {
            if !external_ports {
                ck.hint(
                    Code::SvcTypeFields,
                    &format!("ports[{k}].nodePort"),
                    format!("`nodePort` needs type NodePort or LoadBalancer, not {t}"),
                    "change the type or remove nodePort",
                );
            } else if !(30000..=32767).contains(&np) {
                ck.hint(
                    Code::PortRange,
                    &format!("ports[{k}].nodePort"),
                    format!("nodePort {np} is outside the default range 30000–32767"),
                    "use a port from 30000 to 32767, or leave it out",
                );
            }
        }
    }
    let entries: Vec<(String, i64, Protocol, Option<String>)> = service_ports(p)
        .into_iter()
        .map(|(prop, port, proto, name, _)| (prop, port, proto, name))
        .collect();
    ck.port_set(&entries);
    if p.external_traffic_policy.is_some() && !external_ports {
        ck.hint(
            Code::SvcTypeFields,
            "externalTrafficPolicy",
            format!("`externalTrafficPolicy` needs type NodePort or LoadBalancer, not {t}"),
            "change the type or remove the field",
        );
    }
    if let Some(ip) = &p.load_balancer_ip {
        if t != ServiceType::LoadBalancer {
            ck.hint(
                Code::SvcTypeFields,
                "loadBalancerIP",
                format!("`loadBalancerIP` needs type LoadBalancer, not {t}"),
                "change the type or remove the field",
            );
        }
        if ip.parse::<std::net::IpAddr>().is_err() {
            ck.d(
                Code::ValueRange,
                "loadBalancerIP",
                format!("loadBalancerIP {} is not an IP address", quote(ip)),
            );
        }
        ck.hint(
            Code::PropDeprecated,
            "loadBalancerIP",
            "`loadBalancerIP` is deprecated in Kubernetes",
            "use your load balancer's annotation for a static IP",
        );
    }
    if t == ServiceType::ExternalName {
        match &p.external_name {
            None => ck.hint(
                Code::SvcTypeFields,
                "externalName",
                "an ExternalName Service needs `externalName`",
                "set the target DNS name, e.g. db.example.com",
            ),
            Some(h) => {
                if let Err(why) = formats::dns1123_subdomain(h.trim_end_matches('.')) {
                    ck.d(
                        Code::HostFormat,
                        "externalName",
                        format!("externalName {} {why}", quote(h)),
                    );
                }
            }
        }
        if p.selector.as_ref().is_some_and(|s| !s.is_empty()) {
            ck.hint(
                Code::SvcTypeFields,
                "selector",
                "an ExternalName Service takes no selector",
                "remove the selector",
            );
        }
    } else if p.external_name.is_some() {
        ck.hint(
            Code::SvcTypeFields,
            "externalName",
            format!("`externalName` needs type ExternalName, not {t}"),
            "change the type or remove the field",
        );
    }
    if let Some(cip) = &p.cluster_ip
        && cip != "None"
        && !cip.is_empty()
        && cip.parse::<std::net::IpAddr>().is_err()
    {
        ck.hint(
            Code::EnumValue,
            "clusterIP",
            format!(
                "clusterIP {} is neither \"None\" nor an IP address",
                quote(cip)
            ),
            "use \"None\" for a headless Service, or leave it out",
        );
    }
    if let Some(s) = &p.sticky_sessions {
        if let Some(secs) = s.timeout_seconds
            && !(1..=86400).contains(&secs)
        {
            ck.d(
                Code::ValueRange,
                "stickySessions.timeoutSeconds",
                format!("timeoutSeconds {secs} must be between 1 and 86400"),
            );
        }
        if p.session_affinity == Some(SessionAffinity::None) {
            ck.hint(
                Code::PropConflict,
                "stickySessions",
                "`stickySessions` conflicts with sessionAffinity None",
                "set sessionAffinity ClientIP or remove stickySessions",
            );
        }
    }
    if p.endpoints.is_some() {
        ck.hint(
            Code::PropUnsupported,
            "endpoints",
            "manual endpoints are not supported and are ignored",
            "connect a workload, or use type ExternalName",
        );
    }
    ck.labels("selector", p.selector.as_ref(), true);
}

fn ingress(ck: &mut Ck<'_>, p: &IngressProps) {
    if let Some(h) = &p.host
        && let Err(why) = formats::host(h)
    {
        ck.hint(
            Code::HostFormat,
            "host",
            format!("host {} {why}", quote(h)),
            "e.g. shop.example.com or *.example.com",
        );
    }
    check_path(ck, "path", p.path.as_deref(), p.path_type);
    for (r, rule) in p.rules.iter().flatten().enumerate() {
        if let Some(h) = &rule.host
            && let Err(why) = formats::host(h)
        {
            ck.hint(
                Code::HostFormat,
                &format!("rules[{r}].host"),
                format!("host {} {why}", quote(h)),
                "e.g. shop.example.com",
            );
        }
        for (k, path) in rule.paths.iter().flatten().enumerate() {
            check_path(
                ck,
                &format!("rules[{r}].paths[{k}].path"),
                path.path.as_deref(),
                path.path_type,
            );
            if let Some(IntOrString::Int(port)) = &path.port
                && !(1..=65535).contains(port)
            {
                ck.d(
                    Code::PortRange,
                    &format!("rules[{r}].paths[{k}].port"),
                    format!("port {port} is out of range 1–65535"),
                );
            }
        }
    }
    for (k, tls) in p.tls.iter().flatten().enumerate() {
        for (j, h) in tls.hosts.iter().flatten().enumerate() {
            if let Err(why) = formats::host(h) {
                ck.hint(
                    Code::HostFormat,
                    &format!("tls[{k}].hosts[{j}]"),
                    format!("TLS host {} {why}", quote(h)),
                    "e.g. shop.example.com",
                );
            }
        }
    }
    let nginx = p.ingress_class_name.as_deref() == Some("nginx");
    if !nginx {
        let class = p.ingress_class_name.as_deref().unwrap_or("(none)");
        for (key, set) in [
            (
                "rewriteRules",
                p.rewrite_rules.as_ref().is_some_and(|v| !v.is_empty()),
            ),
            (
                "redirectRules",
                p.redirect_rules.as_ref().is_some_and(|v| !v.is_empty()),
            ),
            (
                "customHeaders",
                p.custom_headers.as_ref().is_some_and(|v| !v.is_empty()),
            ),
            ("rateLimiting", p.rate_limiting.is_some()),
        ] {
            if set {
                ck.hint(
                    Code::PropUnsupported,
                    key,
                    format!(
                        "`{key}` is only generated for the nginx ingress class (class is {class})"
                    ),
                    "set ingressClassName \"nginx\", or use your controller's annotations",
                );
            }
        }
    }
    if let Some(r) = &p.rate_limiting {
        ck.min("rateLimiting.requestsPerMinute", r.requests_per_minute, 1);
        ck.min("rateLimiting.burst", r.burst, 1);
    }
}

fn check_path(ck: &mut Ck<'_>, prop: &str, path: Option<&str>, pt: Option<PathType>) {
    let Some(path) = path else { return };
    if !path.starts_with('/') {
        ck.hint(
            Code::PathFormat,
            prop,
            format!("path {} must start with '/'", quote(path)),
            "e.g. / or /api",
        );
        return;
    }
    let regex = path.chars().any(|c| {
        matches!(
            c,
            '*' | '(' | ')' | '[' | ']' | '$' | '^' | '+' | '?' | '|' | '\\' | '{' | '}'
        )
    });
    if regex && pt != Some(PathType::ImplementationSpecific) {
        ck.hint(
            Code::PathFormat,
            prop,
            format!("path {} looks like a regular expression", quote(path)),
            "regular expressions need pathType ImplementationSpecific",
        );
    }
}

fn netpol(ck: &mut Ck<'_>, p: &NetworkPolicyProps) {
    ck.labels("podSelector", p.pod_selector.as_ref(), true);
    for (key, rules) in [
        ("ingressRules", &p.ingress_rules),
        ("egressRules", &p.egress_rules),
    ] {
        for (r, rule) in rules.iter().flatten().enumerate() {
            for (k, peer) in rule.peers.iter().flatten().enumerate() {
                let prop = format!("{key}[{r}].peers[{k}]");
                ck.labels(&format!("{prop}.podLabels"), peer.pod_labels.as_ref(), true);
                ck.labels(
                    &format!("{prop}.namespaceLabels"),
                    peer.namespace_labels.as_ref(),
                    true,
                );
                let selectors = peer.pod_labels.is_some() || peer.namespace_labels.is_some();
                if peer.pod_labels.is_some() && peer.namespace_labels.is_some() {
                    ck.hint(
                        Code::NpDslWidened,
                        &prop,
                        "this peer ANDs pod and namespace labels; the DSL program can only express it as two rules (OR)",
                        "the native Kubernetes output is exact; split the peer if you deploy the DSL output",
                    );
                }
                match &peer.cidr {
                    Some(c) => {
                        if selectors {
                            ck.hint(
                                Code::NpCidr,
                                &format!("{prop}.cidr"),
                                "a peer cannot combine `cidr` with label selectors",
                                "make two peers",
                            );
                        }
                        match formats::cidr(c) {
                            Err(why) => ck.hint(
                                Code::NpCidr,
                                &format!("{prop}.cidr"),
                                format!("cidr {} is invalid: {why}", quote(c)),
                                "e.g. 10.0.0.0/8",
                            ),
                            Ok(outer) => {
                                for (j, e) in peer.except.iter().flatten().enumerate() {
                                    match formats::cidr(e) {
                                        Err(why) => {
                                            ck.d(
                                                Code::NpCidr,
                                                &format!("{prop}.except[{j}]"),
                                                format!("except {} is invalid: {why}", quote(e)),
                                            );
                                        }
                                        Ok(inner) => {
                                            if !formats::cidr_contains(outer, inner)
                                                || inner.1 == outer.1
                                            {
                                                ck.hint(
                                                    Code::NpCidr,
                                                    &format!("{prop}.except[{j}]"),
                                                    format!(
                                                        "except {} is not inside {}",
                                                        quote(e),
                                                        quote(c)
                                                    ),
                                                    "every except must be a strict subset of cidr",
                                                );
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    None => {
                        if peer.except.as_ref().is_some_and(|e| !e.is_empty()) {
                            ck.hint(
                                Code::NpCidr,
                                &format!("{prop}.except"),
                                "`except` needs a `cidr`",
                                "add the enclosing cidr",
                            );
                        }
                    }
                }
            }
            for (k, port) in rule.ports.iter().flatten().enumerate() {
                if let Some(IntOrString::Int(n)) = &port.port
                    && !(1..=65535).contains(n)
                {
                    ck.d(
                        Code::PortRange,
                        &format!("{key}[{r}].ports[{k}].port"),
                        format!("port {n} is out of range 1–65535"),
                    );
                }
            }
        }
    }
}

fn data_keys<'a>(ck: &mut Ck<'_>, keys: impl Iterator<Item = (String, &'a str, usize)>) -> usize {
    let mut total = 0;
    for (prop, key, size) in keys {
        total += size + key.len();
        let ok = !key.is_empty()
            && key.len() <= 253
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            && key != "."
            && key != "..";
        if !ok {
            ck.hint(
                Code::DataKeyFormat,
                &prop,
                format!("key {} is not a valid data key", quote(key)),
                "keys may only use letters, digits, '-', '.', '_' (e.g. app.conf)",
            );
        }
    }
    total
}

fn file_entries<'a>(
    prop: &'a str,
    m: Option<&'a BTreeMap<String, FileContent>>,
) -> impl Iterator<Item = (String, &'a str, usize)> + 'a {
    m.into_iter().flatten().map(move |(k, f)| {
        (
            crate::model::load::join(prop, k),
            k.as_str(),
            f.content.as_ref().map_or(0, String::len),
        )
    })
}

fn check_files(ck: &mut Ck<'_>, prop: &str, m: Option<&BTreeMap<String, FileContent>>) {
    for (k, f) in m.into_iter().flatten() {
        let p = crate::model::load::join(prop, k);
        if f.content.is_none() {
            ck.hint(
                Code::FieldRequired,
                &format!("{p}.content"),
                format!("file {} has no content", quote(k)),
                "upload the file content",
            );
        } else if f.encoding == Some(FileEncoding::Base64)
            && !is_base64(f.content.as_deref().unwrap_or(""))
        {
            ck.hint(
                Code::ValueType,
                &format!("{p}.content"),
                format!("file {} is marked base64 but is not valid base64", quote(k)),
                "send utf8 text, or valid base64",
            );
        }
    }
}

fn is_base64(s: &str) -> bool {
    let t: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if t.len() % 4 != 0 {
        return false;
    }
    let pad = t.iter().rev().take_while(|b| **b == b'=').count();
    pad <= 2
        && t[..t.len() - pad]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

const MIB: usize = 1024 * 1024;

fn secret(ck: &mut Ck<'_>, p: &SecretProps) {
    let env_pairs = p.env_vars.as_ref().map(EnvVars::pairs).unwrap_or_default();
    let has_data = p.data.as_ref().is_some_and(|d| !d.is_empty())
        || p.files.as_ref().is_some_and(|d| !d.is_empty())
        || !env_pairs.is_empty()
        || p.generated.as_ref().is_some_and(|d| !d.is_empty())
        || p.external_source.is_some();
    if !has_data {
        let name = ck.name.clone();
        ck.hint(
            Code::SecretEmpty,
            "data",
            format!("Secret {} has no data source", quote(&name)),
            "add data, files, envVars, generated values or an externalSource",
        );
    }
    let data = p
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (crate::model::load::join("data", k), k.as_str(), v.len()));
    let mut total = data_keys(ck, data);
    total += data_keys(ck, file_entries("files", p.files.as_ref()));
    total += data_keys(
        ck,
        env_pairs
            .iter()
            .map(|(k, v)| (crate::model::load::join("envVars", k), k.as_str(), v.len())),
    );
    for (k, gv) in p.generated.iter().flatten().enumerate() {
        match &gv.key {
            Some(key) => {
                total += data_keys(
                    ck,
                    std::iter::once((format!("generated[{k}].key"), key.as_str(), 0)),
                );
            }
            None => ck.hint(
                Code::FieldRequired,
                &format!("generated[{k}].key"),
                "generated value has no key",
                "add \"key\"",
            ),
        }
        if let Some(len) = gv.length
            && !(8..=4096).contains(&len)
        {
            ck.d(
                Code::ValueRange,
                &format!("generated[{k}].length"),
                format!("length {len} must be between 8 and 4096"),
            );
        }
        if matches!(
            gv.kind,
            Some(GeneratedKind::TlsCertificate | GeneratedKind::JwtToken)
        ) {
            let kind = gv.kind.map(|k| k.as_str()).unwrap_or_default();
            ck.hint(
                Code::PropUnsupported,
                &format!("generated[{k}].kind"),
                format!("generated \"{kind}\" values are not produced"),
                "upload the value, or use Random Password / SSH Key Pair",
            );
        }
    }
    if total > MIB {
        ck.hint(
            Code::DataKeyFormat,
            "data",
            format!("the Secret holds {total} bytes; the limit is 1 MiB"),
            "move large content out of the Secret",
        );
    }
    check_files(ck, "files", p.files.as_ref());
    if p.kind == Some(SecretType::Tls) {
        let has = |k: &str| {
            p.data.as_ref().is_some_and(|d| d.contains_key(k))
                || p.files.as_ref().is_some_and(|f| f.contains_key(k))
        };
        let missing: Vec<&str> = ["tls.crt", "tls.key"]
            .into_iter()
            .filter(|k| !has(k))
            .collect();
        if !missing.is_empty() {
            ck.hint(
                Code::TlsSecretKeys,
                "files",
                format!("TLS secret lacks {}", missing.join(" and ")),
                "upload the certificate as tls.crt and the private key as tls.key",
            );
        }
    }
    if p.external_source.is_some() {
        ck.hint(
            Code::ExternalSourceUnsupported,
            "externalSource",
            "an external secret source produces no Kubernetes object",
            "install an external-secrets operator, or put the data in the Secret",
        );
    }
    ck.abs_path("mountPath", p.mount_path.as_ref());
    if let Some(m) = &p.file_permissions
        && let Err(why) = formats::octal_mode(m)
    {
        ck.d(Code::ValueRange, "filePermissions", why);
    }
    if p.access_control.is_some() {
        ck.hint(
            Code::PropUnsupported,
            "accessControl",
            "`accessControl` is not supported and is ignored",
            "grant access with a Role and a ServiceAccount",
        );
    }
}

fn configmap(ck: &mut Ck<'_>, p: &ConfigMapProps) {
    let has = p.data.as_ref().is_some_and(|d| !d.is_empty())
        || p.files.as_ref().is_some_and(|d| !d.is_empty())
        || p.directories.as_ref().is_some_and(|d| !d.is_empty());
    if !has {
        let name = ck.name.clone();
        ck.hint(
            Code::CmEmpty,
            "data",
            format!("ConfigMap {} has no data source", quote(&name)),
            "add data, files or directories",
        );
    }
    let text_len = |v: &ConfigValue| match v {
        ConfigValue::Text(t) => t.len(),
        ConfigValue::Json(j) => j.to_string().len(),
    };
    let mut total = data_keys(
        ck,
        p.data
            .iter()
            .flatten()
            .map(|(k, v)| (crate::model::load::join("data", k), k.as_str(), text_len(v))),
    );
    total += data_keys(ck, file_entries("files", p.files.as_ref()));
    total += data_keys(ck, file_entries("directories", p.directories.as_ref()));
    if total > MIB {
        ck.hint(
            Code::DataKeyFormat,
            "data",
            format!("the ConfigMap holds {total} bytes; the limit is 1 MiB"),
            "move large content out of the ConfigMap",
        );
    }
    check_files(ck, "files", p.files.as_ref());
    check_files(ck, "directories", p.directories.as_ref());
    match p.validation {
        Some(ConfigValidation::JsonSchema) => {
            for (k, v) in p.data.iter().flatten() {
                if let ConfigValue::Text(t) = v
                    && let Err(e) = serde_json::from_slice::<Value>(t.as_bytes())
                {
                    ck.hint(
                        Code::CmValueParse,
                        &crate::model::load::join("data", k),
                        format!("value of {} is not valid JSON: {e}", quote(k)),
                        "correct the JSON, or set validation to None",
                    );
                }
            }
        }
        Some(v @ (ConfigValidation::YamlSchema | ConfigValidation::CustomValidator)) => ck.hint(
            Code::PropUnsupported,
            "validation",
            format!("validation \"{v}\" is not performed by the engine"),
            "use \"JSON Schema\" for JSON values, or None",
        ),
        _ => {}
    }
    if let Some(HotReload::Mode(HotReloadMode::Conditional)) = &p.hot_reload {
        ck.hint(
            Code::PropUnsupported,
            "hotReload",
            "hotReload \"Conditional\" is approximated as Enabled",
            "choose Enabled or Disabled",
        );
    }
    if let Some(t @ (ConfigTransformation::JsonPath | ConfigTransformation::TemplateEngine)) =
        p.transformation
    {
        ck.hint(
            Code::PropUnsupported,
            "transformation",
            format!("transformation \"{t}\" is not supported and is ignored"),
            "use Environment Variables or None",
        );
    }
    ck.abs_path("mountPath", p.mount_path.as_ref());
    if let Some(m) = &p.default_mode
        && let Err(why) = formats::octal_mode(m)
    {
        ck.d(Code::ValueRange, "defaultMode", why);
    }
}

/// Resource → API groups it lives in (common built-in resources).
fn resource_groups(resource: &str) -> Option<&'static [&'static str]> {
    let base = resource.split('/').next().unwrap_or(resource);
    Some(match base {
        "pods"
        | "services"
        | "configmaps"
        | "secrets"
        | "persistentvolumeclaims"
        | "persistentvolumes"
        | "namespaces"
        | "nodes"
        | "serviceaccounts"
        | "endpoints"
        | "events"
        | "limitranges"
        | "resourcequotas"
        | "replicationcontrollers"
        | "podtemplates" => &[""],
        "deployments" | "statefulsets" | "daemonsets" | "replicasets" | "controllerrevisions" => {
            &["apps"]
        }
        "jobs" | "cronjobs" => &["batch"],
        "ingresses" | "networkpolicies" | "ingressclasses" => &["networking.k8s.io"],
        "roles" | "rolebindings" | "clusterroles" | "clusterrolebindings" => {
            &["rbac.authorization.k8s.io"]
        }
        "storageclasses" | "volumeattachments" | "csidrivers" | "csinodes" => &["storage.k8s.io"],
        "horizontalpodautoscalers" => &["autoscaling"],
        "poddisruptionbudgets" => &["policy"],
        "customresourcedefinitions" => &["apiextensions.k8s.io"],
        "leases" => &["coordination.k8s.io"],
        _ => return None,
    })
}

const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "*",
    "use",
    "bind",
    "escalate",
    "impersonate",
    "approve",
    "sign",
];

fn role(ck: &mut Ck<'_>, p: &RoleProps) {
    let cluster = p.kind == Some(RoleKind::ClusterRole);
    for (r, rule) in p.rules.iter().flatten().enumerate() {
        let prop = format!("rules[{r}]");
        let urls = rule
            .non_resource_urls
            .as_ref()
            .is_some_and(|v| !v.is_empty());
        if rule.verbs.as_ref().is_none_or(Vec::is_empty) {
            ck.hint(
                Code::FieldRequired,
                &format!("{prop}.verbs"),
                format!("rule #{r} has no verbs"),
                "list the verbs the rule grants",
            );
        }
        if rule.resources.as_ref().is_none_or(Vec::is_empty) && !urls {
            ck.hint(
                Code::FieldRequired,
                &format!("{prop}.resources"),
                format!("rule #{r} has no resources"),
                "list the resources (or nonResourceURLs) the rule grants",
            );
        }
        if urls && !cluster {
            ck.hint(
                Code::ValueRange,
                &format!("{prop}.nonResourceURLs"),
                "nonResourceURLs are only allowed in a ClusterRole",
                "set kind ClusterRole",
            );
        }
        for (k, verb) in rule.verbs.iter().flatten().enumerate() {
            if !VERBS.contains(&verb.as_str()) {
                ck.hint(
                    Code::EnumValue,
                    &format!("{prop}.verbs[{k}]"),
                    format!("verb {} is not a Kubernetes verb", quote(verb)),
                    "allowed: get, list, watch, create, update, patch, delete, deletecollection, *",
                );
            }
        }
        let groups: Vec<&str> = rule
            .api_groups
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !groups.contains(&"*") {
            for (k, res) in rule.resources.iter().flatten().enumerate() {
                if let Some(want) = resource_groups(res)
                    && !want.iter().any(|w| groups.contains(w))
                {
                    let shown = if want[0].is_empty() {
                        "\"\" (core)".to_owned()
                    } else {
                        format!("\"{}\"", want[0])
                    };
                    ck.hint(
                        Code::RbacGroupResource,
                        &format!("{prop}.resources[{k}]"),
                        format!(
                            "{} live in API group {shown}, which this rule does not list",
                            quote(res)
                        ),
                        format!("add {shown} to apiGroups"),
                    );
                }
            }
        }
        let star = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| v.iter().any(|s| s == "*"));
        if star(&rule.api_groups) && star(&rule.resources) && star(&rule.verbs) {
            ck.hint(
                Code::ClusterAdmin,
                &prop,
                "rule grants every verb on every resource (cluster-admin)",
                "list only what the workload needs",
            );
        }
    }
    if ck.name == "cluster-admin" {
        ck.hint(
            Code::ClusterAdmin,
            "",
            "binding to cluster-admin grants full control",
            "create a role with only the needed permissions",
        );
    }
    if !cluster {
        if p.aggregation_selector.is_some() {
            ck.hint(
                Code::PropUnsupported,
                "aggregationSelector",
                "`aggregationSelector` only applies to a ClusterRole",
                "set kind ClusterRole or remove it",
            );
        }
        if p.cluster_wide == Some(true) {
            ck.hint(
                Code::PropUnsupported,
                "clusterWide",
                "`clusterWide` only applies to a ClusterRole",
                "set kind ClusterRole or remove it",
            );
        }
    }
    ck.labels("aggregationSelector", p.aggregation_selector.as_ref(), true);
    if p.finalizers.as_ref().is_some_and(|f| !f.is_empty()) {
        ck.hint(
            Code::PropUnsupported,
            "finalizers",
            "finalizers on RBAC objects are rarely meaningful and are ignored",
            "remove them",
        );
    }
}

fn percent_or_int(ck: &mut Ck<'_>, prop: &str, v: Option<&IntOrString>) -> Option<bool> {
    match v? {
        IntOrString::Int(n) => {
            ck.min(prop, Some(*n), 0);
            Some(*n == 0)
        }
        IntOrString::Name(s) => match s.strip_suffix('%').and_then(|p| p.parse::<u32>().ok()) {
            Some(p) if p <= 100 => Some(p == 0),
            _ => {
                ck.hint(
                    Code::ValueRange,
                    prop,
                    format!(
                        "`{prop}` {} must be an integer or a percentage 0%–100%",
                        quote(s)
                    ),
                    "e.g. 25% or 1",
                );
                None
            }
        },
    }
}

fn strategy(ck: &mut Ck<'_>, p: &DeploymentStrategyProps) {
    let t = p.kind.unwrap_or(StrategyType::RollingUpdate);
    ck.duration("timeout", p.timeout.as_ref(), true);
    let s0 = percent_or_int(ck, "maxSurge", p.max_surge.as_ref());
    let u0 = percent_or_int(ck, "maxUnavailable", p.max_unavailable.as_ref());
    if s0 == Some(true) && u0 == Some(true) {
        ck.hint(
            Code::ValueRange,
            "maxUnavailable",
            "maxSurge and maxUnavailable cannot both be 0",
            "allow at least one extra or one unavailable pod",
        );
    }
    ck.min("revisionHistoryLimit", p.revision_history_limit, 0);
    ck.min("previewReplicas", p.preview_replicas, 1);
    ck.duration("scaleDownDelay", p.scale_down_delay.as_ref(), false);
    if let Some(steps) = &p.canary_steps {
        let mut prev = 0;
        for (k, s) in steps.iter().enumerate() {
            if !(1..=100).contains(s) || *s <= prev {
                ck.hint(
                    Code::ValueRange,
                    &format!("canarySteps[{k}]"),
                    format!("canary step {s} must be a percentage 1–100, increasing"),
                    "e.g. [10, 25, 50, 100]",
                );
            }
            prev = *s;
        }
    }
    if let Some(a) = &p.analysis {
        ck.between("analysis.successRate", a.success_rate, 0.0, 100.0);
        ck.between("analysis.errorRate", a.error_rate, 0.0, 100.0);
        ck.duration("analysis.duration", a.duration.as_ref(), true);
        ck.min("analysis.failureLimit", a.failure_limit, 0);
    }
    if let Some(pg) = &p.promotion_gate {
        ck.duration("promotionGate.timeout", pg.timeout.as_ref(), true);
    }
    for (key, set) in [
        ("rollbackConditions", p.rollback_conditions.is_some()),
        ("promotionGate", p.promotion_gate.is_some()),
    ] {
        if set {
            ck.hint(
                Code::PropUnsupported,
                key,
                format!("`{key}` produces no output"),
                "use `analysis` for automated rollback",
            );
        }
    }
    let only = |ck: &mut Ck<'_>, key: &str, set: bool, types: &[StrategyType]| {
        if set && !types.contains(&t) {
            let list: Vec<&str> = types.iter().map(|x| x.as_str()).collect();
            ck.hint(
                Code::PropUnsupported,
                key,
                format!("`{key}` has no effect with type {t}"),
                format!("only used with {}", list.join(" or ")),
            );
        }
    };
    only(
        ck,
        "maxSurge",
        p.max_surge.is_some(),
        &[StrategyType::RollingUpdate],
    );
    only(
        ck,
        "maxUnavailable",
        p.max_unavailable.is_some(),
        &[StrategyType::RollingUpdate],
    );
    only(
        ck,
        "canarySteps",
        p.canary_steps.is_some(),
        &[StrategyType::Canary],
    );
    only(
        ck,
        "trafficRouting",
        p.traffic_routing.is_some(),
        &[StrategyType::Canary],
    );
    only(
        ck,
        "analysis",
        p.analysis.is_some(),
        &[StrategyType::Canary, StrategyType::BlueGreen],
    );
    only(
        ck,
        "autoPromotion",
        p.auto_promotion.is_some(),
        &[StrategyType::BlueGreen],
    );
    only(
        ck,
        "scaleDownDelay",
        p.scale_down_delay.is_some(),
        &[StrategyType::BlueGreen],
    );
    only(
        ck,
        "previewReplicas",
        p.preview_replicas.is_some(),
        &[StrategyType::BlueGreen],
    );
}

fn observability(ck: &mut Ck<'_>, p: &ObservabilityProps) {
    if let Some(port) = p.metrics_port {
        ck.port("metricsPort", port);
    }
    if let Some(path) = &p.metrics_path
        && !path.starts_with('/')
    {
        ck.d(
            Code::PathFormat,
            "metricsPath",
            format!("metrics path {} must start with '/'", quote(path)),
        );
    }
    ck.duration("scrapeInterval", p.scrape_interval.as_ref(), false);
    ck.between("samplingRate", p.sampling_rate, 0.0, 1.0);
    for (key, custom) in [
        ("metrics", p.metrics == Some(MetricsBackend::Custom)),
        ("logging", p.logging == Some(LoggingBackend::Custom)),
        ("alerts", p.alerts == Some(AlertsBackend::Custom)),
    ] {
        if custom {
            ck.hint(
                Code::PropUnsupported,
                key,
                format!("custom {key} produce no output"),
                "choose a supported backend or None",
            );
        }
    }
    for (k, r) in p.alert_rules.iter().flatten().enumerate() {
        for (key, v) in [("name", &r.name), ("expr", &r.expr)] {
            if v.as_ref().is_none_or(String::is_empty) {
                ck.hint(
                    Code::FieldRequired,
                    &format!("alertRules[{k}].{key}"),
                    format!("alert rule #{k} has no {key}"),
                    format!("add \"{key}\""),
                );
            }
        }
        ck.duration(
            &format!("alertRules[{k}].for"),
            r.for_duration.as_ref(),
            false,
        );
    }
    if p.alerts == Some(AlertsBackend::AlertManager)
        && p.alert_rules.as_ref().is_none_or(Vec::is_empty)
    {
        ck.hint(
            Code::PropUnsupported,
            "alerts",
            "alerts are enabled but there are no alertRules; nothing is generated",
            "add alertRules",
        );
    }
    if p.dashboards.as_ref().is_some_and(|d| !d.is_empty()) {
        ck.hint(
            Code::PropUnsupported,
            "dashboards",
            "dashboards produce no output",
            "import them into Grafana yourself",
        );
    }
}

fn group(ck: &mut Ck<'_>, p: &AppGroupProps) {
    ck.replicas("replicas", p.replicas);
    if let Some(ns) = &p.namespace {
        if let Err(why) = formats::dns1123_label(ns, 63) {
            ck.d(
                Code::NameFormat,
                "namespace",
                format!("namespace {} {why}", quote(ns)),
            );
        } else if ns == "kube-system" {
            ck.hint(
                Code::NamespaceSystem,
                "namespace",
                "the group deploys into kube-system",
                "use a namespace of your own",
            );
        }
    }
    if p.resource_quota == Some(QuotaPreset::Custom) && p.resource_quota_custom.is_none() {
        ck.hint(
            Code::FieldRequired,
            "resourceQuotaCustom",
            "resourceQuota Custom needs `resourceQuotaCustom`",
            "add {\"cpu\": \"4\", \"memory\": \"8Gi\", \"storage\": \"100Gi\", \"pods\": 20}",
        );
    }
    if let Some(q) = &p.resource_quota_custom {
        if let Some(cpu) = &q.cpu {
            let ok = match cpu {
                NumOrStr::Number(n) => n.as_f64().is_some_and(|v| v >= 0.0),
                NumOrStr::Text(s) => formats::cpu(s).is_ok(),
            };
            if !ok {
                ck.d(
                    Code::QuotaFormat,
                    "resourceQuotaCustom.cpu",
                    format!("quota cpu {} is invalid", quote(&cpu.text())),
                );
            }
        }
        for (key, v) in [("memory", &q.memory), ("storage", &q.storage)] {
            if let Some(v) = v
                && formats::quantity(&v.text()).is_err()
            {
                ck.hint(
                    Code::QuotaFormat,
                    &format!("resourceQuotaCustom.{key}"),
                    format!("quota {key} {} is invalid", quote(&v.text())),
                    "e.g. 8Gi",
                );
            }
        }
        if let Some(pods) = q.pods
            && pods < 1
        {
            ck.d(
                Code::QuotaFormat,
                "resourceQuotaCustom.pods",
                format!("quota pods {pods} must be at least 1"),
            );
        }
    }
}

fn camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn custom_resource(ck: &mut Ck<'_>, p: &CustomResourceProps) {
    match &p.group {
        None => ck.hint(
            Code::CrdFields,
            "group",
            "the custom resource has no API `group`",
            "set a DNS subdomain with a dot, e.g. payments.acme.io",
        ),
        Some(g) => {
            if !g.contains('.') || formats::dns1123_subdomain(g).is_err() {
                ck.hint(
                    Code::CrdFields,
                    "group",
                    format!("group {} must be a DNS subdomain with a dot", quote(g)),
                    "e.g. payments.acme.io",
                );
            }
        }
    }
    if let Some(v) = &p.version {
        let ok = v.strip_prefix('v').is_some_and(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let tail = &rest[digits.len()..];
            !digits.is_empty()
                && !digits.starts_with('0')
                && (tail.is_empty()
                    || ["alpha", "beta"].iter().any(|p| {
                        tail.strip_prefix(p).is_some_and(|n| {
                            !n.is_empty()
                                && n.bytes().all(|b| b.is_ascii_digit())
                                && !n.starts_with('0')
                        })
                    }))
        });
        if !ok {
            ck.hint(
                Code::CrdFields,
                "version",
                format!("version {} is not like v1, v1alpha1, v2beta3", quote(v)),
                "e.g. v1alpha1",
            );
        }
    }
    if let Some(k) = &p.kind
        && !camel(k)
    {
        ck.hint(
            Code::CrdFields,
            "kind",
            format!("kind {} must be CamelCase", quote(k)),
            "e.g. PaymentProvider",
        );
    }
    if let Some(pl) = &p.plural
        && formats::dns1123_label(pl, 63).is_err()
    {
        ck.hint(
            Code::CrdFields,
            "plural",
            format!("plural {} must be a lowercase DNS label", quote(pl)),
            "e.g. paymentproviders",
        );
    }
    for (k, s) in p.short_names.iter().flatten().enumerate() {
        if formats::dns1123_label(s, 63).is_err() {
            ck.d(
                Code::CrdFields,
                &format!("shortNames[{k}]"),
                format!("short name {} must be a lowercase DNS label", quote(s)),
            );
        }
    }
    let mut fields = std::collections::BTreeSet::new();
    for (k, f) in p.schema.iter().flatten().enumerate() {
        match &f.name {
            None => ck.hint(
                Code::FieldRequired,
                &format!("schema[{k}].name"),
                format!("schema field #{k} has no name"),
                "add \"name\"",
            ),
            Some(n) => {
                if !fields.insert(n.clone()) {
                    ck.d(
                        Code::CrdFields,
                        &format!("schema[{k}].name"),
                        format!("schema field {} is declared twice", quote(n)),
                    );
                }
            }
        }
        if let (Some(lo), Some(hi)) = (f.minimum, f.maximum)
            && lo > hi
        {
            ck.d(
                Code::ValueRange,
                &format!("schema[{k}].minimum"),
                format!("minimum {lo} is greater than maximum {hi}"),
            );
        }
    }
    for (k, c) in p.printer_columns.iter().flatten().enumerate() {
        match &c.json_path {
            Some(jp) if jp.starts_with('.') => {}
            Some(jp) => ck.hint(
                Code::CrdFields,
                &format!("printerColumns[{k}].jsonPath"),
                format!("jsonPath {} must start with '.'", quote(jp)),
                "e.g. .spec.provider",
            ),
            None => ck.hint(
                Code::FieldRequired,
                &format!("printerColumns[{k}].jsonPath"),
                format!("printer column #{k} has no jsonPath"),
                "add \"jsonPath\"",
            ),
        }
    }
    for (k, inst) in p.instances.iter().flatten().enumerate() {
        match &inst.name {
            None => ck.hint(
                Code::FieldRequired,
                &format!("instances[{k}].name"),
                format!("instance #{k} has no name"),
                "add \"name\"",
            ),
            Some(n) => {
                if let Err(why) = formats::dns1123_subdomain(n) {
                    ck.d(
                        Code::NameFormat,
                        &format!("instances[{k}].name"),
                        format!("instance name {} {why}", quote(n)),
                    );
                }
            }
        }
    }
    if let Some(c) = &p.controller {
        ck.image(c.image.as_ref(), "controller.image");
        ck.replicas("controller.replicas", c.replicas);
    }
}
