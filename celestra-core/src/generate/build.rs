//! Generation as per-node units plus an assembly step, shared by `generate()` and the
//! incremental [`Session`](super::Session): a full generation builds the unit of every node and
//! assembles the files; a session rebuilds only the units of the nodes an edit touches and
//! assembles again. The same functions run in both cases, so the bytes are the same.

use super::compose::{self, Compose, ComposeParts};
use super::kubernetes::Kube;
use super::ledger::{Fidelity, Ledger, LedgerEntry, Recorder};
use super::{GenerateOptions, KubeVersion, Layout, Obj, file_part, yaml};
use super::{dsl, helm};
use crate::graph::{Graph, Pair};
use crate::model::Workflow;
use crate::validate::Target;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What every unit builder may read.
pub(crate) struct Ctx<'c, 'a> {
    pub(crate) wf: &'a Workflow,
    pub(crate) g: &'c Graph<'a>,
    pub(crate) opts: &'c GenerateOptions,
    pub(crate) version: KubeVersion,
    /// Node indices in plan order.
    pub(crate) order: &'c [usize],
}

/// The Kubernetes objects of one node and the ledger lines they recorded.
#[derive(Debug, Clone, Default)]
pub(crate) struct KubeUnit {
    pub(crate) objs: Vec<Obj>,
    pub(crate) ledger: Vec<LedgerEntry>,
}

pub(crate) fn kube_unit(cx: &Ctx<'_, '_>, i: usize) -> KubeUnit {
    let mut rec = Recorder::default();
    let objs = Kube {
        g: cx.g,
        led: &mut rec,
        version: cx.version,
        redact: cx.opts.redact_secrets,
    }
    .node(i);
    KubeUnit {
        objs,
        ledger: rec.into_entries(),
    }
}

/// Units of every node in plan order (indexed by node; nodes outside the plan stay empty).
pub(crate) fn kube_units(cx: &Ctx<'_, '_>) -> Vec<KubeUnit> {
    let mut units = vec![KubeUnit::default(); cx.g.nodes.len()];
    for &i in cx.order {
        units[i] = kube_unit(cx, i);
    }
    units
}

/// Objects in apply order.
pub(crate) fn objects_in_order<'u>(
    cx: &Ctx<'_, '_>,
    units: &'u [KubeUnit],
) -> impl Iterator<Item = &'u Obj> + 'u {
    let order: Vec<usize> = cx.order.to_vec();
    order.into_iter().flat_map(move |i| units[i].objs.iter())
}

/// The Kubernetes ledger: the units' lines, every connection no unit recorded, unknown nodes.
pub(crate) fn kube_ledger(cx: &Ctx<'_, '_>, units: &[KubeUnit], target: Target) -> Ledger {
    let mut led = Recorder::default();
    for u in units {
        led.extend(u.ledger.iter().cloned());
    }
    super::record_connections(cx.g, &mut led, |pair| match pair {
        Pair::ServerToServer
        | Pair::ServerToJob
        | Pair::JobToWorkload
        | Pair::ServiceToWorkload
        | Pair::CrToWorkload => Fidelity::Approximated {
            how: "apply order in the file; readiness is awaited at deploy".into(),
        },
        _ => Fidelity::Mapped,
    });
    for i in 0..cx.g.nodes.len() {
        if cx.g.ty(i).is_none() {
            led.dropped(cx.g.id(i), "type", "unknown node type");
        }
    }
    led.finish(target)
}

/// The Kubernetes target: objects and their YAML, per node.
#[derive(Debug, Clone)]
pub(crate) struct K8sState {
    kube: Vec<KubeUnit>,
    yaml: Vec<Vec<String>>,
}

impl K8sState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> K8sState {
        let kube = kube_units(cx);
        let yaml = kube
            .iter()
            .map(|u| u.objs.iter().map(|o| yaml(&o.value)).collect())
            .collect();
        K8sState { kube, yaml }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            let u = kube_unit(cx, i);
            self.yaml[i] = u.objs.iter().map(|o| yaml(&o.value)).collect();
            self.kube[i] = u;
        }
    }

    fn file_name(k: usize, width: usize, o: &Obj) -> String {
        let mut name = format!(
            "{:0width$}-{}",
            k + 1,
            file_part(&o.kind.to_ascii_lowercase())
        );
        if let Some(ns) = &o.namespace {
            name.push('-');
            name.push_str(&file_part(ns));
        }
        name.push('-');
        name.push_str(&file_part(&o.name));
        name.push_str(".yaml");
        name
    }

    /// Writes the files; with `dirty`, only what those nodes changed.
    pub(crate) fn write_files(
        &self,
        cx: &Ctx<'_, '_>,
        files: &mut BTreeMap<String, String>,
        dirty: Option<&[usize]>,
    ) {
        match cx.opts.layout {
            Layout::SingleFile => {
                let len: usize = cx
                    .order
                    .iter()
                    .flat_map(|&i| self.yaml[i].iter())
                    .map(|y| y.len() + 4)
                    .sum();
                let mut text = String::with_capacity(len);
                for &i in cx.order {
                    for y in &self.yaml[i] {
                        text.push_str("---\n");
                        text.push_str(y);
                    }
                }
                files.insert("manifests.yaml".to_owned(), text);
            }
            Layout::PerObject => {
                let total: usize = cx.order.iter().map(|&i| self.yaml[i].len()).sum();
                let width = total.to_string().len().max(2);
                if dirty.is_none() {
                    files.clear();
                }
                let mut k = 0;
                for &i in cx.order {
                    let wanted = dirty.is_none_or(|d| d.contains(&i));
                    for (o, y) in self.kube[i].objs.iter().zip(&self.yaml[i]) {
                        if wanted {
                            files.insert(Self::file_name(k, width, o), y.clone());
                        }
                        k += 1;
                    }
                }
            }
        }
    }

    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>) -> Ledger {
        kube_ledger(cx, &self.kube, Target::Kubernetes)
    }
}

/// `text` with every non-empty line indented by `n` spaces (a YAML fragment nested one level).
pub(crate) fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(text.len() + text.len() / 8 * n);
    for line in text.split_inclusive('\n') {
        if line != "\n" {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// The YAML of one map entry `key: value`, nested under a top-level key.
pub(crate) fn entry_yaml(key: &str, value: &Value) -> String {
    let mut m = serde_json::Map::new();
    m.insert(key.to_owned(), value.clone());
    indent(&yaml(&Value::Object(m)), 2)
}

/// Writes `key:` and its entries (already rendered by [`entry_yaml`]), or `key: {}`.
pub(crate) fn section<'s>(
    out: &mut String,
    key: &str,
    entries: impl IntoIterator<Item = &'s String>,
) {
    let start = out.len();
    out.push_str(key);
    out.push_str(":\n");
    let body = out.len();
    for e in entries {
        out.push_str(e);
    }
    if out.len() == body {
        out.truncate(start);
        out.push_str(key);
        out.push_str(": {}\n");
    }
}

/// One node's part of the compose file, rendered.
#[derive(Debug, Clone, Default)]
pub(crate) struct ComposeUnit {
    service: Option<(String, String)>,
    volumes: Vec<(String, String)>,
    secrets: Vec<(String, String)>,
    configs: Vec<(String, String)>,
    network: Option<(String, String)>,
    files: BTreeMap<String, String>,
    ledger: Vec<LedgerEntry>,
}

fn compose_unit(cx: &Ctx<'_, '_>, i: usize) -> ComposeUnit {
    let mut rec = Recorder::default();
    let parts: ComposeParts = Compose {
        g: cx.g,
        led: &mut rec,
        redact: cx.opts.redact_secrets,
    }
    .unit(i);
    let render = |v: Vec<(String, Value)>| -> Vec<(String, String)> {
        v.into_iter()
            .map(|(k, val)| {
                let y = entry_yaml(&k, &val);
                (k, y)
            })
            .collect()
    };
    ComposeUnit {
        service: parts.service.map(|(k, v)| {
            let y = entry_yaml(&k, &v);
            (k, y)
        }),
        volumes: render(parts.volumes),
        secrets: render(parts.secrets),
        configs: render(parts.configs),
        network: parts.network.map(|k| {
            let y = entry_yaml(&k, &json!({}));
            (k, y)
        }),
        files: parts.files,
        ledger: rec.into_entries(),
    }
}

/// The Docker Compose target: each node's services and top-level entries.
pub(crate) struct ComposeState {
    units: Vec<ComposeUnit>,
}

impl ComposeState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> ComposeState {
        ComposeState {
            units: (0..cx.g.nodes.len()).map(|i| compose_unit(cx, i)).collect(),
        }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            self.units[i] = compose_unit(cx, i);
        }
    }

    pub(crate) fn write_files(
        &self,
        cx: &Ctx<'_, '_>,
        files: &mut BTreeMap<String, String>,
        dirty: Option<&[usize]>,
    ) {
        // Later nodes win on equal keys, as a map built in node order would.
        let mut services: BTreeMap<&str, &String> = BTreeMap::new();
        let mut volumes: BTreeMap<&str, &String> = BTreeMap::new();
        let mut secrets: BTreeMap<&str, &String> = BTreeMap::new();
        let mut configs: BTreeMap<&str, &String> = BTreeMap::new();
        let mut networks: BTreeMap<&str, &String> = BTreeMap::new();
        let default_net = entry_yaml("default", &json!({}));
        networks.insert("default", &default_net);
        let mut groups = false;
        for u in &self.units {
            if let Some((k, y)) = &u.service {
                services.insert(k, y);
            }
            for (target, list) in [
                (&mut volumes, &u.volumes),
                (&mut secrets, &u.secrets),
                (&mut configs, &u.configs),
            ] {
                for (k, y) in list {
                    target.insert(k, y);
                }
            }
            if let Some((k, y)) = &u.network {
                networks.insert(k, y);
                groups = true;
            }
        }
        let mut out = String::new();
        if !configs.is_empty() {
            section(&mut out, "configs", configs.values().copied());
        }
        out.push_str(&yaml(&json!({"name": cx.wf.name})));
        if groups {
            section(&mut out, "networks", networks.values().copied());
        }
        if !secrets.is_empty() {
            section(&mut out, "secrets", secrets.values().copied());
        }
        section(&mut out, "services", services.values().copied());
        if !volumes.is_empty() {
            section(&mut out, "volumes", volumes.values().copied());
        }
        match dirty {
            None => {
                files.clear();
                for u in &self.units {
                    files.extend(u.files.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            Some(d) => {
                for &i in d {
                    files.extend(
                        self.units[i]
                            .files
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone())),
                    );
                }
            }
        }
        files.insert("docker-compose.yml".to_owned(), out);
    }

    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>) -> Ledger {
        let mut led = Recorder::default();
        for u in &self.units {
            led.extend(u.ledger.iter().cloned());
        }
        super::record_connections(cx.g, &mut led, compose::connection_rule);
        led.finish(Target::Compose)
    }
}

/// The Helm target: each node's objects and templates, and what the templates share.
pub(crate) struct HelmState {
    kube: Vec<KubeUnit>,
    hctx: helm::HelmCtx,
    units: Vec<helm::HelmUnit>,
}

impl HelmState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> HelmState {
        let kube = kube_units(cx);
        let hctx = helm::ctx(cx.g, objects_in_order(cx, &kube));
        let mut units = vec![helm::HelmUnit::default(); kube.len()];
        for &i in cx.order {
            units[i] = helm::unit(cx.wf, cx.g, &hctx, &kube[i].objs);
        }
        HelmState { kube, hctx, units }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            self.kube[i] = kube_unit(cx, i);
            self.units[i] = helm::unit(cx.wf, cx.g, &self.hctx, &self.kube[i].objs);
        }
    }

    pub(crate) fn write_files(
        &self,
        cx: &Ctx<'_, '_>,
        files: &mut BTreeMap<String, String>,
        dirty: Option<&[usize]>,
    ) {
        let in_order = cx.order.iter().map(|&i| &self.units[i]);
        match dirty {
            None => {
                files.clear();
                helm::assemble(cx.wf, in_order, &cx.version.to_string(), files, true);
            }
            Some(d) => {
                for &i in d {
                    for (k, v) in self.units[i].files() {
                        files.insert(k.clone(), v.clone());
                    }
                }
                helm::assemble(cx.wf, in_order, &cx.version.to_string(), files, false);
            }
        }
    }
}

/// The Celestra DSL target: each node's builders and what the program shares.
pub(crate) struct DslState {
    kube: Vec<KubeUnit>,
    ctx: dsl::DslCtx,
    units: Vec<dsl::DslUnit>,
}

impl DslState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> DslState {
        let kube = kube_units(cx);
        let (ctx, units) = dsl::build_all(cx.wf, cx.g, cx.order, &kube, cx.opts.redact_secrets);
        DslState { kube, ctx, units }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            self.kube[i] = kube_unit(cx, i);
            dsl::rebuild(
                &self.ctx,
                cx.g,
                i,
                &self.kube[i],
                cx.opts.redact_secrets,
                &mut self.units[i],
            );
        }
    }

    pub(crate) fn write_files(&self, cx: &Ctx<'_, '_>, files: &mut BTreeMap<String, String>) {
        files.insert(
            "workflow.py".to_owned(),
            dsl::assemble(&self.ctx, cx.order.iter().map(|&i| &self.units[i])),
        );
    }

    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>) -> Ledger {
        let mut led = Recorder::default();
        for u in &self.units {
            led.extend(u.ledger().iter().cloned());
        }
        dsl::Dsl::connections(cx.g, &mut led);
        led.finish(Target::Dsl)
    }
}

/// A target's per-node results.
pub(crate) enum TargetState {
    K8s(K8sState),
    Compose(ComposeState),
    Helm(Box<HelmState>),
    Dsl(Box<DslState>),
}

impl TargetState {
    pub(crate) fn build(cx: &Ctx<'_, '_>, target: Target) -> TargetState {
        match target {
            Target::Kubernetes => TargetState::K8s(K8sState::build(cx)),
            Target::Compose => TargetState::Compose(ComposeState::build(cx)),
            Target::Helm => TargetState::Helm(Box::new(HelmState::build(cx))),
            Target::Dsl => TargetState::Dsl(Box::new(DslState::build(cx))),
        }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        match self {
            TargetState::K8s(s) => s.update(cx, dirty),
            TargetState::Compose(s) => s.update(cx, dirty),
            TargetState::Helm(s) => s.update(cx, dirty),
            TargetState::Dsl(s) => s.update(cx, dirty),
        }
    }

    pub(crate) fn write_files(
        &self,
        cx: &Ctx<'_, '_>,
        files: &mut BTreeMap<String, String>,
        dirty: Option<&[usize]>,
    ) {
        match self {
            TargetState::K8s(s) => s.write_files(cx, files, dirty),
            TargetState::Compose(s) => s.write_files(cx, files, dirty),
            TargetState::Helm(s) => s.write_files(cx, files, dirty),
            TargetState::Dsl(s) => s.write_files(cx, files),
        }
    }

    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>, target: Target) -> Ledger {
        match self {
            TargetState::K8s(s) => {
                let mut l = s.ledger(cx);
                l.target = target;
                l
            }
            TargetState::Compose(s) => s.ledger(cx),
            TargetState::Helm(s) => kube_ledger(cx, &s.kube, Target::Helm),
            TargetState::Dsl(s) => s.ledger(cx),
        }
    }
}
