//! The Celestra DSL target: a Python program for the real `celestra` 0.0.3 (workflow-format
//! §2.17). Every call it writes exists and works in 0.0.3; what 0.0.3 cannot express becomes a
//! `# celestra-engine:` comment and a `dropped` (or `approximated`) ledger line, never a broken call.
//!
//! Values come from the node properties, or from the native Kubernetes objects where the engine
//! derives them (Service selectors and ports, Ingress rules, RoleBindings, ServiceMonitors,
//! quotas), so the program says the same thing as the native output wherever 0.0.3 can.
//! Every user value is written as an escaped Python literal (ASCII only); comments are escaped too.

use super::build::KubeUnit;
use super::common;
use super::ledger::{Fidelity, Ledger, LedgerEntry, Recorder};
use super::{Obj, kubernetes};
use crate::graph::{Graph, Pair};
use crate::model::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Python keywords and builtins a variable must not shadow.
const RESERVED: &[&str] = &[
    "false",
    "none",
    "true",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "vars",
    "zip",
    "celestra",
    "os",
    "sys",
];

/// A Python string literal: double-quoted, ASCII only, every other character escaped.
pub(crate) fn py_str(s: &str) -> String {
    common::quote_ascii(s)
}

/// A Python bytes literal.
fn py_bytes(b: &[u8]) -> String {
    let mut out = String::from("b\"");
    for &c in b {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b' '..=b'~' => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// A Python literal of a JSON value.
pub(crate) fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn strs(v: &[String]) -> String {
    py(&json!(v))
}

/// Comment text: printable ASCII only (a newline can never end the comment).
fn comment(s: &str) -> String {
    let lit = py_str(s);
    lit[1..lit.len() - 1].to_owned()
}

/// One builder: `var = (Class(args)\n    .call(...)...)`.
struct Builder {
    var: String,
    class: &'static str,
    name: String,
    calls: Vec<String>,
    notes: Vec<String>,
    /// Goes into the Kubernetes AppGroup.
    k8s: bool,
    /// Goes into the Compose AppGroup (App, StatefulApp).
    compose: bool,
    /// Index of the node (for group membership).
    node: usize,
}

impl Builder {
    fn call(&mut self, method: &str, args: &[String]) {
        self.calls.push(format!(".{method}({})", args.join(", ")));
    }

    fn render(&self, out: &mut String) {
        for n in &self.notes {
            let _ = writeln!(out, "# celestra-engine: {}", comment(n));
        }
        if self.class.is_empty() {
            return;
        }
        let ctor = format!("{}({})", self.class, py_str(&self.name));
        if self.calls.is_empty() {
            let _ = writeln!(out, "{} = {ctor}", self.var);
        } else {
            let _ = write!(out, "{} = ({ctor}", self.var);
            for c in &self.calls {
                let _ = write!(out, "\n    {c}");
            }
            out.push_str(")\n");
        }
    }
}

/// `.mount_as_env_vars()` of a Secret or ConfigMap builder, with its prefix when there is one.
fn mount_as_env_vars(b: &mut Builder, prefix: Option<&str>) {
    match prefix.filter(|p| !p.is_empty()) {
        None => b.call("mount_as_env_vars", &[]),
        Some(prefix) => b.call("mount_as_env_vars", &[format!("prefix={}", py_str(prefix))]),
    }
}

/// What the ledger says per property, and which keys the node set.
struct NodeCx {
    id: String,
    present: Vec<String>,
    handled: BTreeSet<String>,
}

/// Builds the program.
pub(crate) struct Dsl<'g, 'a> {
    pub(crate) g: &'g Graph<'a>,
    pub(crate) led: &'g mut Recorder,
    pub(crate) objs: &'g [Obj],
    pub(crate) native: &'g Ledger,
    pub(crate) redact: bool,
    vars: BTreeSet<String>,
    /// Variable names to reuse (a rebuilt node keeps its names), consumed from the end.
    preset: Vec<String>,
}

const NATIVE_ONLY: &str = "no celestra 0.0.3 method expresses it; the engine's native targets do";

impl<'g, 'a> Dsl<'g, 'a> {
    pub(crate) fn new(
        g: &'g Graph<'a>,
        led: &'g mut Recorder,
        objs: &'g [Obj],
        native: &'g Ledger,
        redact: bool,
    ) -> Self {
        Dsl {
            g,
            led,
            objs,
            native,
            redact,
            vars: BTreeSet::new(),
            preset: Vec::new(),
        }
    }

    /// A fresh variable name for a Kubernetes name (§2.17 rule 2).
    fn var(&mut self, name: &str) -> String {
        if let Some(v) = self.preset.pop() {
            return v;
        }
        let mut base: String = name
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty()
            || base.starts_with(|c: char| c.is_ascii_digit())
            || RESERVED.contains(&base.as_str())
            || base.starts_with("__")
        {
            base = format!("n_{base}");
        }
        let mut v = base.clone();
        let mut k = 2;
        while self.vars.contains(&v) {
            v = format!("{base}_{k}");
            k += 1;
        }
        self.vars.insert(v.clone());
        v
    }

    fn builder(&mut self, i: usize, class: &'static str, name: &str) -> Builder {
        let var = self.var(name);
        Builder {
            var,
            class,
            name: name.to_owned(),
            calls: Vec::new(),
            notes: Vec::new(),
            k8s: true,
            compose: false,
            node: i,
        }
    }

    /// The node's own native object of `kind` (named like the node).
    fn native_obj(&self, i: usize, kind: &str) -> Option<&'g Value> {
        let name = self.g.name(i);
        self.objs
            .iter()
            .find(|o| o.node == i && o.kind == kind && o.name == name)
            .map(|o| &o.value)
    }

    fn native_objs(&self, i: usize, kind: &str) -> Vec<&'g Obj> {
        let objs: &'g [Obj] = self.objs;
        objs.iter()
            .filter(|o| o.node == i && o.kind == kind)
            .collect()
    }

    fn cx(&self, i: usize) -> NodeCx {
        NodeCx {
            id: self.g.id(i).to_owned(),
            present: common::present_keys(self.g.nodes[i])
                .into_iter()
                .map(str::to_owned)
                .collect(),
            handled: BTreeSet::new(),
        }
    }

    fn has(cx: &NodeCx, key: &str) -> bool {
        cx.present.iter().any(|k| k == key)
    }

    fn mapped(&mut self, cx: &mut NodeCx, key: &str) {
        if Self::has(cx, key) && cx.handled.insert(key.to_owned()) {
            self.led.mapped(&cx.id, key);
        }
    }

    fn approx(&mut self, cx: &mut NodeCx, b: &mut Builder, key: &str, how: &str) {
        if Self::has(cx, key) && cx.handled.insert(key.to_owned()) {
            self.led.approx(&cx.id, key, how);
            b.notes.push(format!("{key}: {how}"));
        }
    }

    fn dropped(&mut self, cx: &mut NodeCx, b: &mut Builder, key: &str, why: &str) {
        if Self::has(cx, key) && cx.handled.insert(key.to_owned()) {
            self.led.dropped(&cx.id, key, why);
            b.notes.push(format!("{key} not expressed: {why}"));
        }
    }

    /// Keys the native target expressed through data the program copies (annotations, ...):
    /// the same fidelity as the native target.
    fn like_native(&mut self, cx: &mut NodeCx, b: &mut Builder, key: &str) {
        if !Self::has(cx, key) || cx.handled.contains(key) {
            return;
        }
        match self.native.get(&cx.id, key).cloned() {
            Some(Fidelity::Mapped) | None => self.mapped(cx, key),
            Some(Fidelity::Approximated { how }) => self.approx(cx, b, key, &how),
            Some(Fidelity::Dropped { why }) => self.dropped(cx, b, key, &why),
        }
    }

    /// Everything the node set that no call expressed.
    fn finish(&mut self, mut cx: NodeCx, b: &mut Builder) {
        let rest: Vec<String> = cx
            .present
            .iter()
            .filter(|k| !cx.handled.contains(*k))
            .cloned()
            .collect();
        if !rest.is_empty() {
            for k in &rest {
                self.led.dropped(&cx.id, k, NATIVE_ONLY);
                cx.handled.insert(k.clone());
            }
            b.notes.push(format!(
                "native only (no 0.0.3 method): {}",
                rest.join(", ")
            ));
        }
    }

    fn labels(&mut self, cx: &mut NodeCx, b: &mut Builder, i: usize, native_kind: Option<&str>) {
        let n = self.g.nodes[i];
        if let Some(l) = n.data.properties.labels().filter(|l| !l.is_empty()) {
            b.call("add_labels", &[py(&json!(l))]);
            self.mapped(cx, "labels");
        }
        let native_ann = native_kind
            .and_then(|k| self.native_obj(i, k))
            .and_then(|o| o.pointer("/metadata/annotations"))
            .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()));
        if let Some(a) = native_ann {
            b.call("add_annotations", &[py(a)]);
            self.mapped(cx, "annotations");
        } else if let Some(a) = n.data.properties.annotations().filter(|a| !a.is_empty()) {
            b.call("add_annotations", &[py(&json!(a))]);
            self.mapped(cx, "annotations");
        }
    }

    /// The builders of one non-group node, and its ledger lines.
    fn node_unit(
        &mut self,
        i: usize,
        source_var: &dyn Fn(usize) -> Option<String>,
        emitted_by_app: &mut BTreeSet<usize>,
    ) -> Vec<Builder> {
        self.node(i, source_var, emitted_by_app)
    }

    /// Connections the node handlers did not record, by pair.
    /// The ledger rule for connections no node recorded.
    pub(crate) fn connection_rule(pair: Pair) -> Fidelity {
        match pair {
            Pair::WorkloadToService
            | Pair::ServiceToIngress
            | Pair::AppToIngress
            | Pair::SecretToIngress
            | Pair::SecretToSa
            | Pair::SaToRole
            | Pair::NpToWorkload
            | Pair::ObsToTarget => Fidelity::Mapped,
            Pair::WorkloadToNp => Fidelity::Approximated {
                how: "as the NetworkPolicy peer labels the native target derives".into(),
            },
            Pair::SaToWorkload | Pair::RoleToWorkload => Fidelity::Approximated {
                how: "App.service_account only; StatefulApp, Job and CronJob have no method".into(),
            },
            Pair::ServerToServer => Fidelity::Approximated {
                how: "depends_on, which 0.0.3 uses for Docker Compose only".into(),
            },
            _ => Fidelity::Dropped {
                why: "celestra 0.0.3 has no deploy ordering; the engine's plan orders it".into(),
            },
        }
    }

    fn node(
        &mut self,
        i: usize,
        source_var: &dyn Fn(usize) -> Option<String>,
        emitted_by_app: &mut BTreeSet<usize>,
    ) -> Vec<Builder> {
        let g = self.g;
        let props = &g.nodes[i].data.properties;
        match props {
            Properties::App(_)
            | Properties::StatefulApp(_)
            | Properties::Job(_)
            | Properties::CronJob(_) => vec![self.workload(i, source_var, emitted_by_app)],
            Properties::Service(_) => vec![self.service(i)],
            Properties::Ingress(_) => vec![self.ingress(i)],
            Properties::NetworkPolicy(p) => vec![self.netpol(i, p)],
            Properties::Secret(p) => vec![self.secret(i, p)],
            Properties::ConfigMap(p) => vec![self.configmap(i, p)],
            Properties::ServiceAccount(_) => vec![self.service_account(i)],
            Properties::Role(p) => self.role(i, p),
            Properties::DeploymentStrategy(p) => self.strategy(i, p),
            Properties::Observability(p) => vec![self.observability(i, p)],
            Properties::CustomResource(p) => vec![self.custom_resource(i, p)],
            _ => Vec::new(),
        }
    }

    fn workload(
        &mut self,
        i: usize,
        source_var: &dyn Fn(usize) -> Option<String>,
        emitted_by_app: &mut BTreeSet<usize>,
    ) -> Builder {
        let g = self.g;
        let ty = g.ty(i).expect("typed");
        let (class, kind) = match ty {
            NodeType::App => ("App", "Deployment"),
            NodeType::StatefulApp => ("StatefulApp", "StatefulSet"),
            NodeType::Job => ("Job", "Job"),
            _ => ("CronJob", "CronJob"),
        };
        let mut b = self.builder(i, class, g.name(i));
        b.compose = matches!(ty, NodeType::App | NodeType::StatefulApp);
        let mut cx = self.cx(i);
        let native = self.native_obj(i, kind);
        let pod = native.and_then(|o| match ty {
            NodeType::CronJob => o.pointer("/spec/jobTemplate/spec/template/spec"),
            _ => o.pointer("/spec/template/spec"),
        });
        let container = pod.and_then(|p| p.pointer("/containers/0"));
        let props = &g.nodes[i].data.properties;
        if let Properties::CronJob(p) = props {
            if let Some(s) = &p.schedule {
                b.call("schedule", &[py_str(s)]);
                self.mapped(&mut cx, "schedule");
            }
        }
        if let Some(img) = container.and_then(|c| c["image"].as_str()) {
            b.call("image", &[py_str(img)]);
            self.mapped(&mut cx, "image");
        }
        for key in ["command", "args"] {
            if let Some(list) = container.and_then(|c| c.get(key)).filter(|l| l.is_array()) {
                b.call(key, &[py(list)]);
                self.mapped(&mut cx, key);
            }
        }
        // Ports.
        for p in container
            .and_then(|c| c["ports"].as_array())
            .into_iter()
            .flatten()
        {
            let mut args = vec![p["containerPort"].to_string()];
            if let Some(n) = p["name"].as_str() {
                args.push(py_str(n));
                args.push(py_str(p["protocol"].as_str().unwrap_or("TCP")));
            } else if let Some(proto) = p["protocol"].as_str() {
                args.push(format!("protocol={}", py_str(proto)));
            }
            b.call("port", &args);
        }
        self.mapped(&mut cx, "port");
        self.mapped(&mut cx, "ports");
        if let Some(r) = native.and_then(|o| o.pointer("/spec/replicas")) {
            if matches!(ty, NodeType::App | NodeType::StatefulApp) {
                b.call("replicas", &[r.to_string()]);
                self.mapped(&mut cx, "replicas");
            }
        }
        if let Some(env) = match props {
            Properties::App(p) => p.environment.as_ref(),
            Properties::StatefulApp(p) => p.environment.as_ref(),
            Properties::Job(p) => p.environment.as_ref(),
            Properties::CronJob(p) => p.environment.as_ref(),
            _ => None,
        }
        .filter(|e| !e.is_empty())
        {
            b.call("environment", &[py(&json!(env))]);
            self.mapped(&mut cx, "environment");
        }
        // Resources.
        if let Some(res) = container.and_then(|c| c.get("resources")) {
            let mut args = Vec::new();
            for (arg, path, key) in [
                ("cpu", "/requests/cpu", "cpuRequest"),
                ("memory", "/requests/memory", "memoryRequest"),
                ("cpu_limit", "/limits/cpu", "cpuLimit"),
                ("memory_limit", "/limits/memory", "memoryLimit"),
            ] {
                if let Some(v) = res.pointer(path).and_then(Value::as_str) {
                    args.push(format!("{arg}={}", py_str(v)));
                    self.mapped(&mut cx, key);
                }
            }
            if let Some(n) = res
                .pointer("/limits/nvidia.com~1gpu")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<i64>().ok())
            {
                args.push(format!("gpu={n}"));
                self.mapped(&mut cx, "gpu");
            }
            if !args.is_empty() {
                b.call("resources", &args);
            }
            self.dropped(
                &mut cx,
                &mut b,
                "storageRequirements",
                "0.0.3 resources() has no ephemeral-storage",
            );
        }
        if let Some(sc) = container.and_then(|c| c.get("securityContext")) {
            b.call("security_context", &[py(sc)]);
            self.mapped(&mut cx, "securityContext");
            self.mapped(&mut cx, "podSecurityStandard");
        }
        match props {
            Properties::App(_) => {
                if let Some(sa) = common::service_account(g, i) {
                    b.call("service_account", &[py_str(&sa)]);
                    self.mapped(&mut cx, "serviceAccount");
                }
            }
            Properties::StatefulApp(p) => self.stateful_extras(i, p, &mut b, &mut cx),
            Properties::Job(p) => self.job_extras(p, &mut b, &mut cx),
            Properties::CronJob(p) => self.cron_extras(p, native, &mut b, &mut cx),
            _ => {}
        }
        // Secrets and ConfigMaps.
        for inj in common::injections(g, i) {
            let var = source_var(inj.source);
            let method = if inj.secret {
                "add_secret"
            } else {
                "add_config"
            };
            match (ty, var) {
                (NodeType::StatefulApp, _) => {
                    self.led.connection(
                        inj.conn_id,
                        Fidelity::Dropped {
                            why: format!("StatefulApp.{method} breaks generation in 0.0.3"),
                        },
                    );
                    b.notes.push(format!(
                        "{} {} not attached: StatefulApp.{method} breaks generation in 0.0.3",
                        if inj.secret { "secret" } else { "configmap" },
                        inj.source_name
                    ));
                }
                (_, Some(var)) => {
                    b.call(method, &[var]);
                    if ty == NodeType::App {
                        emitted_by_app.insert(inj.source);
                        self.led.connection(
                            inj.conn_id,
                            Fidelity::Approximated {
                                how: "0.0.3 emits the object with the App but does not wire it into the Deployment".into(),
                            },
                        );
                    } else {
                        self.led.connection(
                            inj.conn_id,
                            Fidelity::Approximated {
                                how: "wired by 0.0.3's own rules (per-key env vars, volume <name>-volume)".into(),
                            },
                        );
                    }
                }
                (_, None) => {}
            }
        }
        // depends_on: other App / StatefulApp nodes this one waits for (Compose only).
        if matches!(ty, NodeType::App | NodeType::StatefulApp) {
            let mut deps: Vec<&str> = g
                .sources(i, Pair::ServerToServer)
                .map(|s| g.name(s))
                .collect();
            crate::sort::sort(&mut deps);
            deps.dedup();
            if !deps.is_empty() {
                let list: Vec<String> = deps.iter().map(|s| (*s).to_owned()).collect();
                b.call("depends_on", &[strs(&list)]);
            }
        }
        self.labels(&mut cx, &mut b, i, Some(kind));
        if ty == NodeType::App {
            for k in ["livenessProbe", "readinessProbe", "startupProbe"] {
                self.dropped(
                    &mut cx,
                    &mut b,
                    k,
                    "App.health writes broken probe keys in 0.0.3",
                );
            }
        }
        if ty == NodeType::StatefulApp {
            for k in ["livenessProbe", "readinessProbe", "startupProbe"] {
                self.dropped(
                    &mut cx,
                    &mut b,
                    k,
                    "StatefulApp.health writes null probes in 0.0.3",
                );
            }
        }
        self.finish(cx, &mut b);
        b
    }

    fn stateful_extras(
        &mut self,
        i: usize,
        p: &StatefulAppProps,
        b: &mut Builder,
        cx: &mut NodeCx,
    ) {
        if let Some(size) = &p.storage {
            let mut args = vec![py_str(&size.text())];
            if let Some(c) = &p.storage_class {
                args.push(format!("storage_class={}", py_str(c)));
            }
            if let Some(m) = p.access_mode {
                args.push(format!("access_modes=[{}]", py_str(m.as_str())));
            }
            if let Some(m) = &p.mount_path {
                args.push(format!("mount_path={}", py_str(m)));
            }
            b.call("storage", &args);
            for k in ["storage", "storageClass", "accessMode", "mountPath"] {
                self.mapped(cx, k);
            }
        }
        if let Some(h) = p.headless {
            b.call("headless_service", &[py(&json!(h))]);
            self.mapped(cx, "headless");
        }
        if let Some(s) = p.update_strategy {
            let mut args = vec![py_str(s.as_str())];
            if let Some(part) = p.partition {
                args.push(part.to_string());
            }
            b.call("update_strategy", &args);
            self.mapped(cx, "updateStrategy");
            self.mapped(cx, "partition");
        }
        if let Some(cron) = &p.backup_schedule {
            let retention = self
                .objs
                .iter()
                .find(|o| o.node == i && o.kind == "CronJob")
                .and_then(|o| o.value.pointer("/spec/successfulJobsHistoryLimit"))
                .and_then(Value::as_i64)
                .unwrap_or(7);
            b.call(
                "backup_schedule",
                &[py_str(cron), format!("retention={retention}")],
            );
            self.mapped(cx, "backupSchedule");
            let id = cx.id.clone();
            if Self::has(cx, "backupRetention") && cx.handled.insert("backupRetention".into()) {
                match self.native.get(&id, "backupRetention").cloned() {
                    Some(Fidelity::Approximated { how }) => {
                        self.led.approx(&id, "backupRetention", how)
                    }
                    _ => self.led.mapped(&id, "backupRetention"),
                }
            }
        }
        if let Some(t) = p.service_type {
            b.call("service_type", &[py_str(t.as_str())]);
            self.mapped(cx, "serviceType");
        }
        self.dropped(
            cx,
            b,
            "serviceAccount",
            "StatefulApp has no service_account method in 0.0.3",
        );
    }

    fn job_extras(&mut self, p: &JobProps, b: &mut Builder, cx: &mut NodeCx) {
        if let Some(n) = p.parallelism {
            b.call("parallelism", &[n.to_string()]);
            self.mapped(cx, "parallelism");
        }
        if let Some(n) = p.completions {
            b.call("completions", &[n.to_string()]);
            self.mapped(cx, "completions");
        }
        if let Some(n) = p.backoff_limit {
            b.call("retry_limit", &[n.to_string()]);
            self.mapped(cx, "backoffLimit");
        }
        if let Some(s) =
            common::seconds(p.timeout.as_ref()).or(common::seconds(p.active_deadline.as_ref()))
        {
            b.call("timeout", &[s.to_string()]);
            self.mapped(cx, "timeout");
            self.mapped(cx, "activeDeadline");
        }
        if let Some(r) = p.restart_policy {
            b.call("restart_policy", &[py_str(r.as_str())]);
            self.mapped(cx, "restartPolicy");
        }
        if let Some(ns) = p.node_selector.as_ref().filter(|m| !m.is_empty()) {
            b.call("node_selector", &[py(&json!(ns))]);
            self.mapped(cx, "nodeSelector");
        }
        if let Some(a) = &p.affinity {
            b.call("affinity", &[py(&Value::Object(a.clone()))]);
            self.mapped(cx, "affinity");
        }
        if let Some(ts) = &p.tolerations {
            let mut exact = true;
            for t in ts {
                let Some(key) = &t.key else {
                    exact = false;
                    continue;
                };
                let mut args = vec![py_str(key)];
                if let Some(o) = &t.operator {
                    args.push(format!("operator={}", py_str(o)));
                }
                if let Some(v) = &t.value {
                    args.push(format!("value={}", py_str(v)));
                }
                if let Some(e) = &t.effect {
                    args.push(format!("effect={}", py_str(e)));
                }
                exact &= t.toleration_seconds.is_none();
                b.call("toleration", &args);
            }
            if exact {
                self.mapped(cx, "tolerations");
            } else {
                self.approx(
                    cx,
                    b,
                    "tolerations",
                    "tolerations without a key or with tolerationSeconds are native only",
                );
            }
        }
        if let Some(vols) = &p.volumes {
            for v in vols {
                let (Some(name), Some(path)) = (&v.name, &v.mount_path) else {
                    continue;
                };
                let src = v
                    .source
                    .clone()
                    .map(Value::Object)
                    .unwrap_or_else(|| json!({"emptyDir": {}}));
                b.call("add_volume", &[py_str(name), py(&src)]);
                let mut args = vec![py_str(name), py_str(path)];
                if v.read_only == Some(true) {
                    args.push("read_only=True".into());
                }
                b.call("mount_volume", &args);
            }
            self.mapped(cx, "volumes");
        }
        self.dropped(
            cx,
            b,
            "serviceAccount",
            "Job has no service_account method in 0.0.3",
        );
    }

    fn cron_extras(
        &mut self,
        p: &CronJobProps,
        native: Option<&Value>,
        b: &mut Builder,
        cx: &mut NodeCx,
    ) {
        if let Some(c) = p.concurrency_policy {
            b.call("concurrency_policy", &[py_str(c.as_str())]);
            self.mapped(cx, "concurrencyPolicy");
        }
        if let Some(s) = p.suspend {
            b.call("suspend", &[py(&json!(s))]);
            self.mapped(cx, "suspend");
        }
        if p.successful_jobs_history.is_some() || p.failed_jobs_history.is_some() {
            b.call(
                "history_limits",
                &[
                    p.successful_jobs_history.unwrap_or(3).to_string(),
                    p.failed_jobs_history.unwrap_or(1).to_string(),
                ],
            );
            self.mapped(cx, "successfulJobsHistory");
            self.mapped(cx, "failedJobsHistory");
        }
        if let Some(s) = native
            .and_then(|o| o.pointer("/spec/startingDeadlineSeconds"))
            .and_then(Value::as_i64)
        {
            b.call("starting_deadline", &[s.to_string()]);
            self.mapped(cx, "startingDeadline");
        }
        if let Some(tz) = &p.time_zone {
            b.call("timezone", &[py_str(tz)]);
            self.mapped(cx, "timeZone");
        }
        if let Some(s) = common::seconds(p.timeout.as_ref()) {
            b.call("timeout", &[s.to_string()]);
            self.mapped(cx, "timeout");
        }
        if let Some(n) = p.backoff_limit {
            b.call("retry_limit", &[n.to_string()]);
            self.mapped(cx, "backoffLimit");
        }
        if let Some(r) = p.restart_policy {
            b.call("restart_policy", &[py_str(r.as_str())]);
            self.mapped(cx, "restartPolicy");
        }
        for k in ["concurrency", "lastScheduleTime"] {
            self.like_native(cx, b, k);
        }
        self.dropped(
            cx,
            b,
            "serviceAccount",
            "CronJob has no service_account method in 0.0.3",
        );
    }

    fn service(&mut self, i: usize) -> Builder {
        let mut b = self.builder(i, "Service", self.g.name(i));
        let mut cx = self.cx(i);
        if let Some(o) = self.native_obj(i, "Service") {
            let spec = &o["spec"];
            if let Some(t) = spec["type"].as_str() {
                b.call("type", &[py_str(t)]);
            }
            if let Some(sel) = spec.get("selector").filter(|s| s.is_object()) {
                b.call("selector", &[py(sel)]);
            }
            for p in spec["ports"].as_array().into_iter().flatten() {
                let target = p.get("targetPort").unwrap_or(&p["port"]);
                b.call(
                    "add_port",
                    &[
                        py_str(p["name"].as_str().unwrap_or("http")),
                        p["port"].to_string(),
                        py(target),
                        py_str(p["protocol"].as_str().unwrap_or("TCP")),
                    ],
                );
            }
            for k in [
                "type",
                "selector",
                "port",
                "targetPort",
                "ports",
                "protocol",
            ] {
                self.mapped(&mut cx, k);
            }
        }
        self.labels(&mut cx, &mut b, i, Some("Service"));
        self.finish(cx, &mut b);
        b
    }

    fn ingress(&mut self, i: usize) -> Builder {
        let mut b = self.builder(i, "Ingress", self.g.name(i));
        let mut cx = self.cx(i);
        if let Some(o) = self.native_obj(i, "Ingress") {
            let spec = &o["spec"];
            if let Some(c) = spec["ingressClassName"].as_str() {
                b.call("ingress_class", &[py_str(c)]);
                self.mapped(&mut cx, "ingressClassName");
            }
            let mut hostless_after_host = false;
            let mut seen_host = false;
            for r in spec["rules"].as_array().into_iter().flatten() {
                match r["host"].as_str() {
                    Some(h) => {
                        b.call("host", &[py_str(h)]);
                        seen_host = true;
                    }
                    None => hostless_after_host |= seen_host,
                }
                for p in r["http"]["paths"].as_array().into_iter().flatten() {
                    let svc = &p["backend"]["service"];
                    let port = svc["port"]
                        .get("number")
                        .or_else(|| svc["port"].get("name"))
                        .cloned()
                        .unwrap_or(json!(80));
                    b.call(
                        "path",
                        &[
                            py_str(p["path"].as_str().unwrap_or("/")),
                            py_str(svc["name"].as_str().unwrap_or_default()),
                            py(&port),
                            py_str(p["pathType"].as_str().unwrap_or("Prefix")),
                        ],
                    );
                }
            }
            for t in spec["tls"].as_array().into_iter().flatten() {
                b.call(
                    "tls",
                    &[
                        py_str(t["secretName"].as_str().unwrap_or_default()),
                        py(t.get("hosts").unwrap_or(&json!([]))),
                    ],
                );
            }
            for k in [
                "host",
                "path",
                "pathType",
                "rules",
                "tls",
                "defaultCertificate",
            ] {
                if hostless_after_host && matches!(k, "rules" | "path") {
                    self.approx(
                        &mut cx,
                        &mut b,
                        k,
                        "0.0.3 appends host-less paths to the previous host's rule",
                    );
                } else {
                    self.mapped(&mut cx, k);
                }
            }
        }
        self.labels(&mut cx, &mut b, i, Some("Ingress"));
        for k in [
            "rewriteRules",
            "redirectRules",
            "customHeaders",
            "rateLimiting",
        ] {
            self.like_native(&mut cx, &mut b, k);
        }
        self.finish(cx, &mut b);
        b
    }

    fn np_ports(ports: Option<&Vec<NpPort>>) -> (String, bool) {
        let Some(ports) = ports.filter(|p| !p.is_empty()) else {
            return ("None".into(), true);
        };
        let mut exact = true;
        let list: Vec<Value> = ports
            .iter()
            .map(|p| {
                exact &= p.end_port.is_none();
                let port = match &p.port {
                    Some(IntOrString::Int(n)) => json!(n),
                    Some(IntOrString::Name(s)) => json!(s),
                    None => Value::Null,
                };
                json!({"protocol": p.protocol.unwrap_or(Protocol::Tcp).as_str(), "port": port})
            })
            .collect();
        (py(&Value::Array(list)), exact)
    }

    fn netpol(&mut self, i: usize, p: &NetworkPolicyProps) -> Builder {
        let mut b = self.builder(i, "NetworkPolicy", self.g.name(i));
        let mut cx = self.cx(i);
        let native = self.native_obj(i, "NetworkPolicy");
        if let Some(sel) = native.and_then(|o| o.pointer("/spec/podSelector")) {
            match sel.get("matchLabels").filter(|m| m.is_object()) {
                Some(ml) => b.call("apply_to_labels", &[py(ml)]),
                None if sel.get("matchExpressions").is_none() => {
                    b.call("apply_to_all_pods", &[]);
                }
                None => b.notes.push(
                    "podSelector with matchExpressions is native only; 0.0.3 selects all pods"
                        .into(),
                ),
            }
            self.mapped(&mut cx, "podSelector");
        }
        let types: Vec<PolicyType> = p.policy_types.clone().unwrap_or_default();
        let mut exact = true;
        for (rules, ingress) in [(&p.ingress_rules, true), (&p.egress_rules, false)] {
            let rules = rules.as_deref().unwrap_or_default();
            let want = types.contains(if ingress {
                &PolicyType::Ingress
            } else {
                &PolicyType::Egress
            });
            if rules.is_empty() {
                let dns_only = !ingress && p.allow_dns == Some(true);
                if want && !dns_only {
                    b.call(
                        if ingress {
                            "deny_all_ingress"
                        } else {
                            "deny_all_egress"
                        },
                        &[],
                    );
                }
                continue;
            }
            let dir = if ingress { "ingress" } else { "egress" };
            let to = if ingress {
                "allow_ingress_from"
            } else {
                "allow_egress_to"
            };
            for r in rules {
                let (ports, ports_exact) = Self::np_ports(r.ports.as_ref());
                exact &= ports_exact;
                let peers = r.peers.as_deref().unwrap_or_default();
                if peers.is_empty() {
                    if r.ports.as_ref().is_none_or(|p| p.is_empty()) {
                        b.call(&format!("allow_all_{dir}"), &[]);
                    } else {
                        b.call(
                            &format!("{to}_external"),
                            &[py(&json!(["0.0.0.0/0"])), format!("ports={ports}")],
                        );
                        exact = false;
                    }
                    continue;
                }
                for peer in peers {
                    match (&peer.pod_labels, &peer.namespace_labels, &peer.cidr) {
                        (Some(pl), Some(_), _) if !pl.is_empty() => {
                            exact = false;
                            b.notes.push(format!(
                                "{dir} peer selecting pods in selected namespaces is native only (0.0.3 would widen it)"
                            ));
                        }
                        (Some(pl), _, None) => b.call(
                            &format!("{to}_labels"),
                            &[py(&json!(pl)), format!("ports={ports}")],
                        ),
                        (None, Some(nl), None) => b.call(
                            &format!("{to}_namespace"),
                            &[py(&json!(nl)), format!("ports={ports}")],
                        ),
                        (_, _, Some(cidr)) => {
                            let mut args = vec![py(&json!([cidr])), format!("ports={ports}")];
                            if let Some(ex) = peer.except.as_ref().filter(|e| !e.is_empty()) {
                                if ingress {
                                    exact = false;
                                    b.notes.push(format!(
                                        "ingress ipBlock except {} is native only",
                                        ex.join(", ")
                                    ));
                                } else {
                                    args.push(format!("except_cidrs={}", strs(ex)));
                                }
                            }
                            b.call(&format!("{to}_external"), &args);
                        }
                        (None, None, None) => {
                            b.call(&format!("allow_all_{dir}"), &[]);
                        }
                    }
                }
            }
        }
        if p.allow_dns == Some(true) {
            b.call("allow_dns", &[]);
            self.mapped(&mut cx, "allowDns");
        }
        for k in ["ingressRules", "egressRules", "policyTypes"] {
            if exact {
                self.mapped(&mut cx, k);
            } else {
                self.approx(
                    &mut cx,
                    &mut b,
                    k,
                    "0.0.3 rule methods cannot say all of it (see the notes); the native NetworkPolicy is exact",
                );
            }
        }
        self.labels(&mut cx, &mut b, i, Some("NetworkPolicy"));
        self.finish(cx, &mut b);
        b
    }

    fn secret(&mut self, i: usize, p: &SecretProps) -> Builder {
        let mut b = self.builder(i, "Secret", self.g.name(i));
        let mut cx = self.cx(i);
        let redact = self.redact;
        let val = |v: &str| {
            if redact {
                py_str(kubernetes::REDACTED)
            } else {
                py_str(v)
            }
        };
        if let Some(t) = p.kind.filter(|t| *t != SecretType::Opaque) {
            b.call("type", &[py_str(t.as_str())]);
        }
        self.mapped(&mut cx, "type");
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (k, v) in p.data.iter().flatten() {
            b.call("add", &[py_str(k), val(v)]);
            seen.insert(k.clone());
        }
        self.mapped(&mut cx, "data");
        if let Some(ev) = &p.env_vars {
            for (k, v) in ev.pairs() {
                if seen.insert(k.clone()) {
                    b.call("add", &[py_str(&k), val(&v)]);
                }
            }
            self.mapped(&mut cx, "envVars");
        }
        let mut files_exact = true;
        for (k, f) in p.files.iter().flatten() {
            let content = f.content.clone().unwrap_or_default();
            if f.encoding == Some(FileEncoding::Base64) {
                let bytes = if redact {
                    Some(kubernetes::REDACTED.as_bytes().to_vec())
                } else {
                    kubernetes::base64_decode(&content)
                };
                match bytes {
                    Some(bytes) => b.call("add_binary", &[py_str(k), py_bytes(&bytes)]),
                    None => files_exact = false,
                }
            } else {
                b.call("add", &[py_str(k), val(&content)]);
            }
        }
        if files_exact {
            self.mapped(&mut cx, "files");
        } else {
            self.approx(
                &mut cx,
                &mut b,
                "files",
                "a base64 file that does not decode is left out",
            );
        }
        if let Some(src) = &p.external_source {
            match (src.provider, &src.path) {
                (Some(SecretProvider::Vault), Some(path)) => {
                    let mut args = vec![py_str(path)];
                    if let Some(m) = &src.mapping {
                        args.push(format!("mapping={}", py(&json!(m))));
                    }
                    b.call("from_vault", &args);
                    self.approx(
                        &mut cx,
                        &mut b,
                        "externalSource",
                        "from_vault is stored by 0.0.3 but emits nothing",
                    );
                }
                (Some(SecretProvider::Aws), Some(path)) => {
                    b.call("from_cloud_secrets_manager", &[py_str(path)]);
                    self.approx(
                        &mut cx,
                        &mut b,
                        "externalSource",
                        "from_cloud_secrets_manager is stored by 0.0.3 but emits nothing",
                    );
                }
                _ => self.dropped(
                    &mut cx,
                    &mut b,
                    "externalSource",
                    "0.0.3 has no method for this provider",
                ),
            }
        }
        if let Some(generated) = &p.generated {
            let mut exact = true;
            for gv in generated {
                let Some(key) = &gv.key else { continue };
                match gv.kind {
                    Some(GeneratedKind::RandomPassword) => b.call(
                        "generate_password",
                        &[py_str(key), format!("length={}", gv.length.unwrap_or(32))],
                    ),
                    Some(GeneratedKind::Random) => b.call(
                        "generate_random",
                        &[py_str(key), format!("length={}", gv.length.unwrap_or(64))],
                    ),
                    Some(GeneratedKind::SshKeyPair) => b.call(
                        "generate_rsa_key_pair",
                        &[py_str(key), py_str(&format!("{key}.pub"))],
                    ),
                    _ => exact = false,
                }
            }
            self.approx(
                &mut cx,
                &mut b,
                "generated",
                if exact {
                    "0.0.3 generates new values on every run (SSH keys are placeholders)"
                } else {
                    "TLS certificates and JWT tokens have no 0.0.3 generator"
                },
            );
        }
        if let Some(m) = &p.mount_path {
            b.call("mount_path", &[py_str(m)]);
            self.mapped(&mut cx, "mountPath");
        }
        let env = match p.inject_as {
            Some(InjectAs::Env | InjectAs::Both) => true,
            None => p.mount_path.is_none(),
            _ => false,
        };
        if env {
            mount_as_env_vars(&mut b, p.env_prefix.as_deref());
        }
        self.mapped(&mut cx, "injectAs");
        self.mapped(&mut cx, "envPrefix");
        self.labels(&mut cx, &mut b, i, Some("Secret"));
        for k in ["encryption", "rotationPolicy", "accessControl"] {
            self.like_native(&mut cx, &mut b, k);
        }
        self.finish(cx, &mut b);
        b
    }

    fn configmap(&mut self, i: usize, p: &ConfigMapProps) -> Builder {
        let mut b = self.builder(i, "ConfigMap", self.g.name(i));
        let mut cx = self.cx(i);
        for (k, v) in p.data.iter().flatten() {
            match v {
                ConfigValue::Text(t) => b.call("add", &[py_str(k), py_str(t)]),
                ConfigValue::Json(j @ Value::Object(_)) => b.call("add_json", &[py_str(k), py(j)]),
                ConfigValue::Json(j) => b.call(
                    "add",
                    &[
                        py_str(k),
                        py_str(&serde_json::to_string_pretty(j).unwrap_or_default()),
                    ],
                ),
            }
        }
        self.mapped(&mut cx, "data");
        let mut binary = false;
        for (key, src) in [("files", &p.files), ("directories", &p.directories)] {
            for (k, f) in src.iter().flatten() {
                if f.encoding == Some(FileEncoding::Base64) {
                    binary = true;
                    continue;
                }
                b.call(
                    "add",
                    &[py_str(k), py_str(f.content.as_deref().unwrap_or_default())],
                );
            }
            if binary {
                self.approx(
                    &mut cx,
                    &mut b,
                    key,
                    "binary (base64) files have no ConfigMap method in 0.0.3; native binaryData",
                );
            } else {
                self.mapped(&mut cx, key);
            }
        }
        match &p.hot_reload {
            Some(HotReload::Toggle(true)) | Some(HotReload::Mode(HotReloadMode::Enabled)) => {
                b.call("hot_reload", &["True".into()]);
                self.mapped(&mut cx, "hotReload");
            }
            Some(HotReload::Mode(HotReloadMode::Conditional)) => {
                b.call("hot_reload", &["True".into()]);
                self.approx(
                    &mut cx,
                    &mut b,
                    "hotReload",
                    "Conditional is written as enabled",
                );
            }
            _ => self.mapped(&mut cx, "hotReload"),
        }
        if let Some(m) = &p.mount_path {
            b.call("mount_path", &[py_str(m)]);
            self.mapped(&mut cx, "mountPath");
        }
        if let Some(mode) = p
            .default_mode
            .as_deref()
            .and_then(|m| crate::validate::formats::octal_mode(m).ok())
        {
            if mode != 0o644 {
                b.call("file_permissions", &[format!("0o{mode:o}")]);
            }
            self.mapped(&mut cx, "defaultMode");
        }
        let env = match p.inject_as {
            Some(InjectAs::Env | InjectAs::Both) => true,
            None => {
                p.mount_path.is_none()
                    || p.transformation == Some(ConfigTransformation::EnvironmentVariables)
            }
            _ => false,
        };
        if env {
            mount_as_env_vars(&mut b, p.env_prefix.as_deref());
        }
        self.mapped(&mut cx, "injectAs");
        self.mapped(&mut cx, "envPrefix");
        self.labels(&mut cx, &mut b, i, Some("ConfigMap"));
        for k in ["template", "validation", "transformation", "subPath"] {
            self.like_native(&mut cx, &mut b, k);
        }
        self.finish(cx, &mut b);
        b
    }

    fn service_account(&mut self, i: usize) -> Builder {
        let mut b = self.builder(i, "ServiceAccount", self.g.name(i));
        let mut cx = self.cx(i);
        if let Some(o) = self.native_obj(i, "ServiceAccount") {
            for s in o["secrets"].as_array().into_iter().flatten() {
                if let Some(n) = s["name"].as_str() {
                    b.call("add_secret", &[py_str(n)]);
                }
            }
            for s in o["imagePullSecrets"].as_array().into_iter().flatten() {
                if let Some(n) = s["name"].as_str() {
                    b.call("add_image_pull_secret", &[py_str(n)]);
                }
            }
            if let Some(a) = o["automountServiceAccountToken"].as_bool() {
                b.call("automount_token", &[py(&json!(a))]);
            }
            for k in ["secrets", "imagePullSecrets", "automountToken"] {
                self.mapped(&mut cx, k);
            }
        }
        self.labels(&mut cx, &mut b, i, Some("ServiceAccount"));
        self.finish(cx, &mut b);
        b
    }

    fn role(&mut self, i: usize, p: &RoleProps) -> Vec<Builder> {
        let g = self.g;
        let cluster = p.kind == Some(RoleKind::ClusterRole);
        let mut b = self.builder(i, if cluster { "ClusterRole" } else { "Role" }, g.name(i));
        let mut cx = self.cx(i);
        let mut exact = true;
        for r in p.rules.iter().flatten() {
            if r.non_resource_urls.as_ref().is_some_and(|u| !u.is_empty()) {
                exact = false;
                continue;
            }
            let mut args = vec![
                strs(r.api_groups.as_deref().unwrap_or(&[String::new()])),
                strs(r.resources.as_deref().unwrap_or_default()),
                strs(r.verbs.as_deref().unwrap_or_default()),
            ];
            if let Some(n) = r.resource_names.as_ref().filter(|n| !n.is_empty()) {
                args.push(format!("resource_names={}", strs(n)));
            }
            b.call("add_rule", &args);
        }
        if exact {
            self.mapped(&mut cx, "rules");
        } else {
            self.approx(
                &mut cx,
                &mut b,
                "rules",
                "nonResourceURLs rules have no 0.0.3 method",
            );
        }
        self.mapped(&mut cx, "kind");
        self.mapped(&mut cx, "clusterWide");
        self.labels(
            &mut cx,
            &mut b,
            i,
            Some(if cluster { "ClusterRole" } else { "Role" }),
        );
        self.finish(cx, &mut b);
        let mut out = vec![b];
        // One binding per SA → Role connection, as the native target names them.
        let mut bindings = self.native_objs(i, "RoleBinding");
        bindings.extend(self.native_objs(i, "ClusterRoleBinding"));
        for o in bindings {
            let class = if o.kind == "ClusterRoleBinding" {
                "ClusterRoleBinding"
            } else {
                "RoleBinding"
            };
            let mut rb = self.builder(i, class, &o.name);
            let role_ref = &o.value["roleRef"];
            let role_name = role_ref["name"].as_str().unwrap_or_default();
            if role_ref["kind"] == "ClusterRole" {
                rb.call("bind_cluster_role", &[py_str(role_name)]);
            } else {
                rb.call("bind_role", &[py_str(role_name)]);
            }
            for s in o.value["subjects"].as_array().into_iter().flatten() {
                let mut args = vec![py_str(s["name"].as_str().unwrap_or_default())];
                if let Some(ns) = s["namespace"].as_str() {
                    args.push(format!("namespace={}", py_str(ns)));
                }
                rb.call("to_service_account", &args);
            }
            out.push(rb);
        }
        out
    }

    fn strategy(&mut self, i: usize, p: &DeploymentStrategyProps) -> Vec<Builder> {
        let g = self.g;
        let t = p.kind.unwrap_or(StrategyType::RollingUpdate);
        let mut b = self.builder(i, "DeploymentStrategy", g.name(i));
        let mut cx = self.cx(i);
        let targets: Vec<&str> = g.targets(i, Pair::DsToApp).map(|a| g.name(a)).collect();
        match t {
            StrategyType::RollingUpdate | StrategyType::Recreate => {
                let why = "0.0.3 cannot attach a strategy to an App; the native target sets the Deployment's spec.strategy";
                for k in [
                    "type",
                    "strategy",
                    "timeout",
                    "maxSurge",
                    "maxUnavailable",
                    "revisionHistoryLimit",
                ] {
                    self.dropped(&mut cx, &mut b, k, why);
                }
                self.finish(cx, &mut b);
                // Nothing to build: RollingUpdate emits nothing in 0.0.3 and Recreate has no method.
                b.k8s = false;
                b.calls.clear();
                return vec![self.comment_only(b)];
            }
            StrategyType::Canary => {
                let steps = p
                    .canary_steps
                    .clone()
                    .unwrap_or_else(|| vec![25, 50, 75, 100]);
                let mut args = vec![format!("steps={}", py(&json!(steps)))];
                if let Some(pr) = p.promotion {
                    args.push(format!("promotion_strategy={}", py_str(pr.as_str())));
                }
                b.call("canary_deployment", &args);
                self.mapped(&mut cx, "canarySteps");
                self.mapped(&mut cx, "promotion");
            }
            StrategyType::BlueGreen => {
                let mut args = Vec::new();
                if let Some(a) = p.auto_promotion {
                    args.push(format!("auto_promotion={}", py(&json!(a))));
                }
                if let Some(d) = &p.scale_down_delay {
                    args.push(format!("scale_down_delay={}", py_str(d)));
                }
                if let Some(n) = p.preview_replicas {
                    args.push(format!("preview_replicas={n}"));
                }
                b.call("blue_green_deployment", &args);
                for k in ["autoPromotion", "scaleDownDelay", "previewReplicas"] {
                    self.mapped(&mut cx, k);
                }
            }
        }
        if let Some(a) = &p.analysis {
            let mut args = Vec::new();
            if let Some(s) = a.success_rate {
                args.push(format!("success_rate={}", py(&json!(s))));
            }
            if let Some(s) = a.error_rate {
                args.push(format!("error_rate={}", py(&json!(s))));
            }
            if let Some(d) = &a.duration {
                args.push(format!("duration={}", py_str(d)));
            }
            if let Some(n) = a.failure_limit {
                args.push(format!("failure_limit={n}"));
            }
            b.call("analysis", &args);
            self.mapped(&mut cx, "analysis");
        }
        if let Some(r) = p.traffic_routing {
            b.call(
                "traffic_splitting",
                &[format!("method={}", py_str(r.as_str()))],
            );
            self.mapped(&mut cx, "trafficRouting");
        }
        let how = format!(
            "0.0.3 writes Rollout {} without workloadRef or services; the native Rollout targets {}",
            g.name(i),
            if targets.is_empty() {
                "no App".to_owned()
            } else {
                targets.join(", ")
            }
        );
        self.approx(&mut cx, &mut b, "type", &how);
        for k in ["strategy", "timeout"] {
            self.like_native(&mut cx, &mut b, k);
        }
        for k in ["rollbackConditions", "promotionGate"] {
            self.dropped(
                &mut cx,
                &mut b,
                k,
                "stored by 0.0.3 but never emitted; native only",
            );
        }
        self.labels(&mut cx, &mut b, i, None);
        self.finish(cx, &mut b);
        vec![b]
    }

    /// A builder that renders only its notes.
    fn comment_only(&mut self, mut b: Builder) -> Builder {
        self.vars.remove(&b.var);
        b.class = "";
        b
    }

    fn observability(&mut self, i: usize, p: &ObservabilityProps) -> Builder {
        let mut b = self.builder(i, "Observability", self.g.name(i));
        let mut cx = self.cx(i);
        let monitors = self.native_objs(i, "ServiceMonitor");
        for m in &monitors {
            let sel = m
                .value
                .pointer("/spec/selector/matchLabels")
                .cloned()
                .unwrap_or(json!({}));
            let eps = m
                .value
                .pointer("/spec/endpoints")
                .cloned()
                .unwrap_or(json!([]));
            b.call("add_service_monitor", &[py(&sel), py(&eps)]);
        }
        if !monitors.is_empty() {
            for k in ["metrics", "metricsPort", "metricsPath", "scrapeInterval"] {
                self.approx(
                    &mut cx,
                    &mut b,
                    k,
                    "0.0.3 names the monitors <name>-monitor-<index>; the native ones are <name>-<target>",
                );
            }
        }
        if p.logging.is_some_and(|l| l != LoggingBackend::None) {
            let mut args = Vec::new();
            if let Some(l) = p.log_level {
                args.push(format!("level={}", py_str(l.as_str())));
            }
            if let Some(f) = p.log_format {
                args.push(format!("format={}", py_str(f.as_str())));
            }
            b.call("enable_logging", &args);
            if p.logging == Some(LoggingBackend::Elk) {
                let mut args = vec!["backend=\"elasticsearch\"".to_owned()];
                if let Some(e) = &p.log_endpoint {
                    args.push(format!("endpoint={}", py_str(e)));
                }
                b.call("enable_log_aggregation", &args);
            }
            for k in ["logging", "logLevel", "logFormat", "logEndpoint"] {
                self.mapped(&mut cx, k);
            }
        }
        if let Some(t) = p.tracing.filter(|t| *t != TracingBackend::None) {
            let mut args = Vec::new();
            match (t, &p.tracing_endpoint) {
                (TracingBackend::Jaeger, Some(e)) => {
                    args.push(format!("jaeger_endpoint={}", py_str(e)))
                }
                (TracingBackend::Zipkin, Some(e)) => {
                    args.push(format!("zipkin_endpoint={}", py_str(e)))
                }
                _ => {}
            }
            if let Some(r) = p.sampling_rate {
                args.push(format!("sampling_rate={}", py(&json!(r))));
            }
            b.call("enable_tracing", &args);
            if t == TracingBackend::OpenTelemetry {
                self.approx(
                    &mut cx,
                    &mut b,
                    "tracing",
                    "0.0.3 has no OpenTelemetry endpoint; the native tracing ConfigMap has otlp-endpoint",
                );
                self.approx(&mut cx, &mut b, "tracingEndpoint", "see tracing");
            }
            for k in ["tracing", "tracingEndpoint", "samplingRate"] {
                self.mapped(&mut cx, k);
            }
        }
        for r in p.alert_rules.iter().flatten() {
            let (Some(name), Some(expr)) = (&r.name, &r.expr) else {
                continue;
            };
            let mut args = vec![py_str(name), py_str(expr)];
            if let Some(s) = &r.severity {
                args.push(format!("severity={}", py_str(s)));
            }
            if let Some(d) = &r.description {
                args.push(format!("description={}", py_str(d)));
            }
            if let Some(f) = &r.for_duration {
                args.push(format!("duration={}", py_str(f)));
            }
            b.call("add_alert_rule", &args);
        }
        self.mapped(&mut cx, "alerts");
        self.mapped(&mut cx, "alertRules");
        for d in p.dashboards.iter().flatten() {
            if let Some(name) = &d.name {
                b.call(
                    "add_dashboard",
                    &[py_str(name), py(d.config.as_ref().unwrap_or(&json!({})))],
                );
            }
        }
        self.approx(
            &mut cx,
            &mut b,
            "dashboards",
            "add_dashboard is stored by 0.0.3 but never emitted",
        );
        self.like_native(&mut cx, &mut b, "metrics");
        self.labels(&mut cx, &mut b, i, None);
        self.finish(cx, &mut b);
        b
    }

    fn custom_resource(&mut self, i: usize, p: &CustomResourceProps) -> Builder {
        let mut b = self.builder(i, "CustomResource", self.g.name(i));
        let mut cx = self.cx(i);
        if let Some(gr) = &p.group {
            b.call("group", &[py_str(gr)]);
        }
        if let Some(v) = &p.version {
            b.call("version", &[py_str(v)]);
        }
        b.call(
            "scope",
            &[if p.scope == Some(CrdScope::Cluster) {
                "CRDScope.CLUSTER".into()
            } else {
                "CRDScope.NAMESPACED".into()
            }],
        );
        let mut names = Vec::new();
        if let Some(x) = &p.plural {
            names.push(format!("plural={}", py_str(x)));
        }
        if let Some(x) = &p.kind {
            names.push(format!("kind={}", py_str(x)));
        }
        if let Some(x) = p.short_names.as_ref().filter(|x| !x.is_empty()) {
            names.push(format!("short_names={}", strs(x)));
        }
        if let Some(x) = p.categories.as_ref().filter(|x| !x.is_empty()) {
            names.push(format!("categories={}", strs(x)));
        }
        if !names.is_empty() {
            b.call("names", &names);
        }
        for k in [
            "group",
            "version",
            "scope",
            "plural",
            "kind",
            "shortNames",
            "categories",
        ] {
            self.mapped(&mut cx, k);
        }
        // Schema fields, with the exact pieces the native CRD uses for objects and arrays.
        let crd = self
            .native_objs(i, "CustomResourceDefinition")
            .into_iter()
            .next();
        let native_props = crd.and_then(|o| {
            o.value
                .pointer("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties")
        });
        for f in p.schema.iter().flatten() {
            let Some(name) = &f.name else { continue };
            let native_field = native_props.and_then(|np| np.get(name));
            let required = f.required == Some(true);
            match f.kind {
                Some(FieldType::Object) => {
                    let props = native_field
                        .and_then(|n| n.get("properties"))
                        .cloned()
                        .unwrap_or(json!({}));
                    let mut args = vec![py_str(name), py(&props)];
                    if required {
                        args.push("required=True".into());
                    }
                    if let Some(d) = &f.description {
                        args.push(format!("description={}", py_str(d)));
                    }
                    b.call("add_object_property", &args);
                }
                Some(FieldType::Array) => {
                    let items = native_field
                        .and_then(|n| n.get("items"))
                        .cloned()
                        .unwrap_or(json!({"type": "string"}));
                    let item_type = items["type"].as_str().unwrap_or("string").to_owned();
                    let mut rest: Map<String, Value> =
                        items.as_object().cloned().unwrap_or_default();
                    rest.remove("type");
                    let mut args = vec![py_str(name), py_str(&item_type)];
                    if !rest.is_empty() {
                        args.push(format!("item_schema={}", py(&Value::Object(rest))));
                    }
                    if required {
                        args.push("required=True".into());
                    }
                    if let Some(d) = &f.description {
                        args.push(format!("description={}", py_str(d)));
                    }
                    b.call("add_array_property", &args);
                }
                kind => {
                    let ty = kind.map_or("string", |k| k.as_str());
                    let mut args = vec![py_str(name), py_str(ty)];
                    if let Some(d) = &f.description {
                        args.push(format!("description={}", py_str(d)));
                    }
                    if required {
                        args.push("required=True".into());
                    }
                    if let Some(d) = &f.default {
                        args.push(format!("default={}", py(d)));
                    }
                    if let Some(e) = f.enum_values.as_ref().filter(|e| !e.is_empty()) {
                        args.push(format!("enum_values={}", py(&json!(e))));
                    }
                    if let Some(pat) = &f.pattern {
                        args.push(format!("pattern={}", py_str(pat)));
                    }
                    if let Some(m) = f.minimum {
                        args.push(format!("minimum={}", py(&num(m))));
                    }
                    if let Some(m) = f.maximum {
                        args.push(format!("maximum={}", py(&num(m))));
                    }
                    b.call("add_property", &args);
                }
            }
        }
        self.mapped(&mut cx, "schema");
        if let Some(v) = p.validation {
            b.call("enable_validation", &[py(&json!(v))]);
            self.mapped(&mut cx, "validation");
        }
        for c in p.printer_columns.iter().flatten() {
            let (Some(name), Some(path)) = (&c.name, &c.json_path) else {
                continue;
            };
            let mut args = vec![py_str(name), py_str(path)];
            if let Some(t) = &c.kind {
                args.push(format!("column_type={}", py_str(t)));
            }
            if let Some(d) = &c.description {
                args.push(format!("description={}", py_str(d)));
            }
            if let Some(pr) = c.priority {
                args.push(format!("priority={pr}"));
            }
            b.call("add_printer_column", &args);
        }
        self.mapped(&mut cx, "printerColumns");
        if let Some(s) = &p.subresources {
            b.call(
                "enable_subresources",
                &[
                    format!("status={}", py(&json!(s.status.unwrap_or(false)))),
                    format!("scale={}", py(&json!(s.scale.unwrap_or(false)))),
                ],
            );
            self.mapped(&mut cx, "subresources");
        }
        for inst in p.instances.iter().flatten() {
            if let Some(n) = &inst.name {
                let spec = py(inst.spec.as_ref().unwrap_or(&json!({})));
                b.call("create_instance", &[py_str(n), spec]);
            }
        }
        self.mapped(&mut cx, "instances");
        if let Some(c) = &p.controller {
            if let Some(img) = &c.image {
                let mut args = vec![py_str(img)];
                if let Some(r) = c.replicas {
                    args.push(format!("replicas={r}"));
                }
                if let Some(sa) = &c.service_account {
                    args.push(format!("service_account={}", py_str(sa)));
                }
                b.call("add_controller", &args);
                self.mapped(&mut cx, "controller");
            }
        }
        self.labels(&mut cx, &mut b, i, None);
        self.finish(cx, &mut b);
        b
    }

    fn group(&mut self, i: usize) -> Builder {
        let g = self.g;
        let mut b = self.builder(i, "AppGroup", g.name(i));
        b.k8s = false;
        let mut cx = self.cx(i);
        let Properties::AppGroup(p) = &g.nodes[i].data.properties else {
            return b;
        };
        let ns = crate::graph::group_namespace(g.nodes[i]).to_owned();
        b.call("set_namespace", &[py_str(&ns)]);
        self.mapped(&mut cx, "namespace");
        if let Some(env) = p.environment {
            b.call("add_label", &[py_str("environment"), py_str(env.as_str())]);
            self.approx(
                &mut cx,
                &mut b,
                "environment",
                "label on the group's own objects; the native target labels every member",
            );
        }
        if crate::objects::group_creates_namespace(g.nodes[i]) {
            if ns == g.name(i) {
                b.call("configure_namespace", &[]);
                self.mapped(&mut cx, "createNamespace");
            } else {
                self.dropped(
                    &mut cx,
                    &mut b,
                    "createNamespace",
                    "configure_namespace names the Namespace after the group, not its namespace",
                );
            }
        } else {
            self.mapped(&mut cx, "createNamespace");
        }
        let quota = self
            .objs
            .iter()
            .find(|o| o.node == i && o.kind == "ResourceQuota")
            .map(|o| &o.value["spec"]["hard"]);
        if let Some(h) = quota {
            let mut args = Vec::new();
            for (arg, key) in [
                ("cpu_limit", "limits.cpu"),
                ("memory_limit", "limits.memory"),
                ("storage_limit", "requests.storage"),
            ] {
                if let Some(v) = h[key].as_str() {
                    args.push(format!("{arg}={}", py_str(v)));
                }
            }
            if let Some(n) = h["count/pods"].as_str().and_then(|s| s.parse::<i64>().ok()) {
                args.push(format!("pod_limit={n}"));
            }
            b.call("set_resource_quotas", &args);
            self.mapped(&mut cx, "resourceQuota");
            self.mapped(&mut cx, "resourceQuotaCustom");
        }
        if p.allow_internal_communication == Some(true) {
            b.call(
                "configure_networking",
                &["allow_internal_communication=True".into()],
            );
            self.approx(
                &mut cx,
                &mut b,
                "allowInternalCommunication",
                "0.0.3's <group>-internal policy also allows egress to every namespace",
            );
        } else {
            self.mapped(&mut cx, "allowInternalCommunication");
        }
        self.mapped(&mut cx, "replicas");
        self.labels(&mut cx, &mut b, i, Some("Namespace"));
        self.finish(cx, &mut b);
        b
    }
}

/// A JSON number from an f64 (integral values as integers).
fn num(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

/// One node's builders, rendered, and its ledger lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct DslUnit {
    text: String,
    ledger: Vec<LedgerEntry>,
}

impl DslUnit {
    pub(crate) fn ledger(&self) -> &[LedgerEntry] {
        &self.ledger
    }

    pub(crate) fn take_ledger(&mut self) -> Vec<LedgerEntry> {
        std::mem::take(&mut self.ledger)
    }
}

/// What the program shares, all of it structural: variable names, the position of each node in
/// the program, the import line, the groups and the output calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct DslCtx {
    vars_of: Vec<Vec<String>>,
    first_var: Vec<Option<String>>,
    pos: Vec<usize>,
    head: String,
    tail: String,
}

/// The node's own Kubernetes ledger (what the native target did with each property).
fn node_native(kube: &KubeUnit) -> Ledger {
    let mut r = Recorder::default();
    r.extend(kube.ledger.iter().cloned());
    r.finish(crate::validate::Target::Kubernetes)
}

fn render_all(builders: &[Builder]) -> String {
    let mut out = String::new();
    for b in builders {
        b.render(&mut out);
    }
    out
}

/// Every node's unit and the shared parts, in plan order.
pub(crate) fn build_all(
    wf: &Workflow,
    g: &Graph<'_>,
    order: &[usize],
    kube: &[KubeUnit],
    redact: bool,
) -> (DslCtx, Vec<DslUnit>) {
    let n = g.nodes.len();
    let mut ctx = DslCtx {
        vars_of: vec![Vec::new(); n],
        first_var: vec![None; n],
        pos: vec![usize::MAX; n],
        ..DslCtx::default()
    };
    for (p, &i) in order.iter().enumerate() {
        ctx.pos[i] = p;
    }
    let mut units = vec![DslUnit::default(); n];
    let mut vars: BTreeSet<String> = BTreeSet::new();
    let mut builders: Vec<Builder> = Vec::new();
    // Secrets / ConfigMaps handed to an App with add_secret/add_config are emitted by it.
    let mut emitted_by_app: BTreeSet<usize> = BTreeSet::new();
    for &i in order {
        if matches!(g.ty(i), Some(NodeType::AppGroup) | None) {
            continue;
        }
        let native = node_native(&kube[i]);
        let mut rec = Recorder::default();
        let mut d = Dsl::new(g, &mut rec, &kube[i].objs, &native, redact);
        d.vars = std::mem::take(&mut vars);
        let (first, pos) = (&ctx.first_var, &ctx.pos);
        let here = pos[i];
        let lookup = |s: usize| {
            if pos[s] < here {
                first[s].clone()
            } else {
                None
            }
        };
        let made = d.node_unit(i, &lookup, &mut emitted_by_app);
        vars = std::mem::take(&mut d.vars);
        ctx.vars_of[i] = made.iter().map(|b| b.var.clone()).collect();
        ctx.first_var[i] = made.first().map(|b| b.var.clone());
        units[i] = DslUnit {
            text: render_all(&made),
            ledger: rec.into_entries(),
        };
        builders.extend(made);
    }
    // Groups: one AppGroup per AppGroup node, then one for the ungrouped nodes.
    let mut groups: Vec<(Option<usize>, Builder)> = Vec::new();
    for &i in order {
        if g.ty(i) == Some(NodeType::AppGroup) {
            let native = node_native(&kube[i]);
            let mut rec = Recorder::default();
            let mut d = Dsl::new(g, &mut rec, &kube[i].objs, &native, redact);
            d.vars = std::mem::take(&mut vars);
            let b = d.group(i);
            vars = std::mem::take(&mut d.vars);
            units[i].ledger = rec.into_entries();
            groups.push((Some(i), b));
        }
    }
    let ungrouped = builders.iter().any(|b| b.k8s && g.group[b.node].is_none());
    if ungrouped || groups.is_empty() {
        let empty = Ledger {
            target: crate::validate::Target::Kubernetes,
            entries: Vec::new(),
        };
        let mut rec = Recorder::default();
        let mut d = Dsl::new(g, &mut rec, &[], &empty, redact);
        d.vars = std::mem::take(&mut vars);
        let var = d.var(&format!("{}-root", wf.name));
        let ns = wf.namespace.clone().unwrap_or_else(|| "default".into());
        let mut b = Builder {
            var,
            class: "AppGroup",
            name: wf.name.clone(),
            calls: Vec::new(),
            notes: Vec::new(),
            k8s: true,
            compose: false,
            node: usize::MAX,
        };
        b.call("set_namespace", &[py_str(&ns)]);
        groups.push((None, b));
    }
    for (gi, gb) in &mut groups {
        let members: Vec<String> = builders
            .iter()
            .filter(|b| b.k8s && g.group[b.node] == *gi && !emitted_by_app.contains(&b.node))
            .map(|b| b.var.clone())
            .collect();
        if !members.is_empty() {
            // add_services goes first: configure_namespace / quotas read the members.
            gb.calls
                .insert(1, format!(".add_services([{}])", members.join(", ")));
        }
    }
    let compose: Vec<String> = builders
        .iter()
        .filter(|b| b.compose)
        .map(|b| b.var.clone())
        .collect();
    let mut classes: Vec<&str> = builders
        .iter()
        .map(|b| b.class)
        .filter(|c| !c.is_empty())
        .collect();
    classes.extend(["AppGroup", "HelmOutput"]);
    if classes.contains(&"CustomResource") {
        classes.push("CRDScope");
    }
    let classes = crate::sort::strs(classes);
    // The head: comments and imports.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Celestra DSL program generated by Celestra Engine from workflow {}.",
        comment(&wf.name)
    );
    out.push_str("# Runs on celestra==0.0.3: writes ./k8s/, ./docker-compose.yml and ./charts/.\n");
    out.push_str(
        "# Lines marked `celestra-engine:` name what 0.0.3 cannot express; the engine's native\n# Kubernetes, Compose and Helm targets generate those parts.\n",
    );
    let imports: Vec<&str> = classes.into_iter().collect();
    let line = format!("from celestra import {}", imports.join(", "));
    if line.len() <= 99 {
        out.push_str(&line);
        out.push('\n');
    } else {
        out.push_str("from celestra import (\n");
        let mut cur = String::from("   ");
        for (k, c) in imports.iter().enumerate() {
            let piece = format!(" {c}{}", if k + 1 < imports.len() { "," } else { "" });
            if cur.len() + piece.len() > 99 {
                out.push_str(&cur);
                out.push('\n');
                cur = String::from("   ");
            }
            cur.push_str(&piece);
        }
        out.push_str(&cur);
        out.push_str("\n)\n");
    }
    out.push('\n');
    ctx.head = out;
    // The tail: groups and outputs.
    let mut out = String::from("\n");
    for (_, gb) in &groups {
        gb.render(&mut out);
    }
    out.push('\n');
    let many = groups.len() > 1;
    for (_, gb) in &groups {
        let dir = if many {
            format!("./k8s/{}/", gb.var)
        } else {
            "./k8s/".to_owned()
        };
        let _ = writeln!(out, "{}.generate().to_yaml({})", gb.var, py_str(&dir));
    }
    if !compose.is_empty() {
        let _ = writeln!(
            out,
            "AppGroup({}).add_services([{}]).generate().to_docker_compose(\"./docker-compose.yml\")",
            py_str(&wf.name),
            compose.join(", ")
        );
    }
    let mut helm = format!("HelmOutput({})", py_str(&wf.name));
    for (_, gb) in &groups {
        let _ = write!(helm, ".add_resource({})", gb.var);
    }
    let _ = writeln!(out, "{helm}.generate_files(\"./charts/\")");
    ctx.tail = out;
    (ctx, units)
}

/// Rebuilds one (non-group) node's unit with the names and positions of the full build.
pub(crate) fn rebuild(
    ctx: &DslCtx,
    g: &Graph<'_>,
    i: usize,
    kube: &KubeUnit,
    redact: bool,
    unit: &mut DslUnit,
) {
    if matches!(g.ty(i), Some(NodeType::AppGroup) | None) {
        return;
    }
    let native = node_native(kube);
    let mut rec = Recorder::default();
    let mut d = Dsl::new(g, &mut rec, &kube.objs, &native, redact);
    d.preset = ctx.vars_of[i].iter().rev().cloned().collect();
    let here = ctx.pos[i];
    let lookup = |s: usize| {
        if ctx.pos[s] < here {
            ctx.first_var[s].clone()
        } else {
            None
        }
    };
    let mut emitted = BTreeSet::new();
    let made = d.node_unit(i, &lookup, &mut emitted);
    *unit = DslUnit {
        text: render_all(&made),
        ledger: rec.into_entries(),
    };
}

/// The program: head, every unit in plan order, groups and outputs.
pub(crate) fn assemble<'u>(ctx: &DslCtx, units: impl Iterator<Item = &'u DslUnit>) -> String {
    let mut out = ctx.head.clone();
    for u in units {
        out.push_str(&u.text);
    }
    out.push_str(&ctx.tail);
    out
}
