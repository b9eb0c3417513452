//! Generation as per-node units plus an assembly step, shared by `generate()` and the
//! incremental [`Session`](super::Session): a full generation builds the unit of every node and
//! assembles the files; a session rebuilds only the units of the nodes an edit touches and
//! assembles again. The same functions run in both cases, so the bytes are the same.

use super::compose::{self, Compose, ComposeParts};
use super::kubernetes::Kube;
use super::ledger::{self, Fidelity, Ledger, LedgerEntry, Recorder};
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

/// `f` over `items`, results in order. (Generation stays on the calling thread: measured on
/// 2 cores, splitting units over threads was slower with mimalloc, whose cross-thread frees cost
/// more than the work saved.)
pub(crate) fn map_units<T>(items: &[usize], f: impl Fn(usize) -> T) -> Vec<T> {
    items.iter().map(|&i| f(i)).collect()
}

/// The Kubernetes objects of one node and the ledger lines they recorded.
#[derive(Debug, Default)]
pub(crate) struct KubeUnit {
    pub(crate) objs: Vec<Obj>,
    pub(crate) ledger: Vec<LedgerEntry>,
}

/// A node's objects as JSON (for the targets that read objects: Helm, DSL).
pub(crate) fn kube_unit(cx: &Ctx<'_, '_>, i: usize) -> KubeUnit {
    let mut u = typed_unit(cx, i);
    for o in &mut u.objs {
        o.make_json();
    }
    u
}

/// A node's objects, typed ones still typed (the Kubernetes target writes them straight to
/// YAML).
fn typed_unit(cx: &Ctx<'_, '_>, i: usize) -> KubeUnit {
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
    let mut units = std::iter::repeat_with(KubeUnit::default)
        .take(cx.g.nodes.len())
        .collect::<Vec<_>>();
    let built = map_units(cx.order, |i| kube_unit(cx, i));
    for (&i, u) in cx.order.iter().zip(built) {
        units[i] = u;
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

/// A ledger from each node's lines (indexed like `g.nodes`, so by id), every connection no
/// node recorded (by `rule`) and, with `unknown`, a line for each node of unknown type. Each
/// node's lines are sorted on their own and appended in id order, which is the order a sort of
/// all lines gives, without sorting thousands of lines at once.
pub(crate) fn assemble_ledger(
    cx: &Ctx<'_, '_>,
    per_node: Vec<Vec<LedgerEntry>>,
    rule: fn(Pair) -> Fidelity,
    unknown: bool,
    target: Target,
) -> Ledger {
    let g = cx.g;
    let mut conns = Recorder::default();
    let mut nodes: Vec<Vec<LedgerEntry>> = Vec::with_capacity(per_node.len());
    let mut in_order = true;
    for (i, entries) in per_node.into_iter().enumerate() {
        let (c, mut n): (Vec<LedgerEntry>, Vec<LedgerEntry>) =
            entries.into_iter().partition(|e| e.node_id.is_none());
        conns.extend(c);
        if unknown && g.ty(i).is_none() {
            n.push(LedgerEntry {
                node_id: Some(g.id(i).to_owned()),
                connection_id: None,
                property: "type".into(),
                fidelity: Fidelity::Dropped {
                    why: "unknown node type".into(),
                },
            });
        }
        in_order &= n.iter().all(|e| e.node_id.as_deref() == Some(g.id(i)));
        nodes.push(n);
    }
    super::record_connections(g, &mut conns, rule);
    let mut ledger = conns.finish(target);
    if in_order {
        for mut n in nodes {
            ledger::normalize_node(&mut n);
            ledger.entries.extend(n);
        }
    } else {
        ledger.entries.extend(nodes.into_iter().flatten());
        ledger::normalize(&mut ledger.entries);
    }
    ledger
}

/// The ledger rule of the Kubernetes (and Helm) target for connections no node recorded.
pub(crate) fn kube_rule(pair: Pair) -> Fidelity {
    match pair {
        Pair::ServerToServer
        | Pair::ServerToJob
        | Pair::JobToWorkload
        | Pair::ServiceToWorkload
        | Pair::CrToWorkload => Fidelity::Approximated {
            how: "apply order in the file; readiness is awaited at deploy".into(),
        },
        _ => Fidelity::Mapped,
    }
}

/// A node's objects rendered to YAML, straight from the typed objects (no JSON tree in
/// between). Each object's tree is dropped as soon as it is written (only kind, namespace and
/// name stay, for file names): the working set stays small, which keeps generation linear in
/// the number of objects.
fn rendered_unit(cx: &Ctx<'_, '_>, i: usize) -> (KubeUnit, Vec<String>) {
    let mut u = typed_unit(cx, i);
    let y = u.objs.iter_mut().map(Obj::write_yaml).collect();
    (u, y)
}

/// The Kubernetes target: objects and their YAML, per node.
#[derive(Debug)]
pub(crate) struct K8sState {
    kube: Vec<KubeUnit>,
    yaml: Vec<Vec<String>>,
}

impl K8sState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> K8sState {
        let n = cx.g.nodes.len();
        let mut kube = std::iter::repeat_with(KubeUnit::default)
            .take(n)
            .collect::<Vec<_>>();
        let mut yaml_of = vec![Vec::new(); n];
        let built = map_units(cx.order, |i| rendered_unit(cx, i));
        for (&i, (u, y)) in cx.order.iter().zip(built) {
            kube[i] = u;
            yaml_of[i] = y;
        }
        K8sState {
            kube,
            yaml: yaml_of,
        }
    }

    /// From objects another target reads too (already JSON): keeps their YAML, names and
    /// ledger lines.
    fn from_units(cx: &Ctx<'_, '_>, units: &[KubeUnit]) -> K8sState {
        let n = cx.g.nodes.len();
        let mut s = K8sState {
            kube: std::iter::repeat_with(KubeUnit::default).take(n).collect(),
            yaml: vec![Vec::new(); n],
        };
        for &i in cx.order {
            s.set_unit(i, &units[i]);
        }
        s
    }

    fn set_unit(&mut self, i: usize, u: &KubeUnit) {
        self.yaml[i] = u.objs.iter().map(Obj::yaml_text).collect();
        self.kube[i] = KubeUnit {
            objs: u.objs.iter().map(Obj::head).collect(),
            ledger: u.ledger.clone(),
        };
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            let (u, y) = rendered_unit(cx, i);
            self.yaml[i] = y;
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

    fn ledger_parts(&self) -> Vec<Vec<LedgerEntry>> {
        self.kube.iter().map(|u| u.ledger.clone()).collect()
    }

    fn into_ledger_parts(self) -> Vec<Vec<LedgerEntry>> {
        self.kube.into_iter().map(|u| u.ledger).collect()
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

/// The values of `entries` by key, sorted; of equal keys the last one (what inserting them in
/// order into a map keeps).
fn last_wins<'s>(mut entries: Vec<(&'s str, &'s String)>) -> Vec<&'s String> {
    crate::sort::sort_by(&mut entries, |a, b| a.0.cmp(b.0));
    let mut out: Vec<&String> = Vec::with_capacity(entries.len());
    for (k, (key, y)) in entries.iter().enumerate() {
        if entries.get(k + 1).is_none_or(|next| next.0 != *key) {
            out.push(y);
        }
    }
    out
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
        let all: Vec<usize> = (0..cx.g.nodes.len()).collect();
        ComposeState {
            units: map_units(&all, |i| compose_unit(cx, i)),
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
        // (key, YAML) in node order; `last_wins` sorts them by key, later nodes winning.
        let mut services: Vec<(&str, &String)> = Vec::new();
        let mut volumes: Vec<(&str, &String)> = Vec::new();
        let mut secrets: Vec<(&str, &String)> = Vec::new();
        let mut configs: Vec<(&str, &String)> = Vec::new();
        let mut networks: Vec<(&str, &String)> = Vec::new();
        let default_net = entry_yaml("default", &json!({}));
        networks.push(("default", &default_net));
        let mut groups = false;
        for u in &self.units {
            if let Some((k, y)) = &u.service {
                services.push((k, y));
            }
            for (target, list) in [
                (&mut volumes, &u.volumes),
                (&mut secrets, &u.secrets),
                (&mut configs, &u.configs),
            ] {
                for (k, y) in list {
                    target.push((k, y));
                }
            }
            if let Some((k, y)) = &u.network {
                networks.push((k, y));
                groups = true;
            }
        }
        let [services, volumes, secrets, configs, networks] =
            [services, volumes, secrets, configs, networks].map(last_wins);
        let mut out = String::new();
        if !configs.is_empty() {
            section(&mut out, "configs", configs);
        }
        out.push_str(&yaml(&json!({"name": cx.wf.name})));
        if groups {
            section(&mut out, "networks", networks);
        }
        if !secrets.is_empty() {
            section(&mut out, "secrets", secrets);
        }
        section(&mut out, "services", services);
        if !volumes.is_empty() {
            section(&mut out, "volumes", volumes);
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

    fn ledger_parts(&self) -> Vec<Vec<LedgerEntry>> {
        self.units.iter().map(|u| u.ledger.clone()).collect()
    }

    fn into_ledger_parts(self) -> Vec<Vec<LedgerEntry>> {
        self.units.into_iter().map(|u| u.ledger).collect()
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
        HelmState::from_units(cx, kube_units(cx))
    }

    /// From the objects' JSON, which the templates take over (no copy); only the ledgers stay.
    fn from_units(cx: &Ctx<'_, '_>, mut kube: Vec<KubeUnit>) -> HelmState {
        let hctx = helm::ctx(cx.g, objects_in_order(cx, &kube));
        let mut units = vec![helm::HelmUnit::default(); kube.len()];
        for &i in cx.order {
            units[i] = helm::unit(cx.wf, cx.g, &hctx, &mut kube[i].objs);
        }
        HelmState { kube, hctx, units }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            self.set_unit(cx, i, kube_unit(cx, i));
        }
    }

    fn set_unit(&mut self, cx: &Ctx<'_, '_>, i: usize, mut u: KubeUnit) {
        self.units[i] = helm::unit(cx.wf, cx.g, &self.hctx, &mut u.objs);
        self.kube[i] = u;
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
    ctx: dsl::DslCtx,
    units: Vec<dsl::DslUnit>,
}

impl DslState {
    pub(crate) fn build(cx: &Ctx<'_, '_>) -> DslState {
        DslState::from_units(cx, &kube_units(cx))
    }

    fn from_units(cx: &Ctx<'_, '_>, kube: &[KubeUnit]) -> DslState {
        let (ctx, units) = dsl::build_all(cx.wf, cx.g, cx.order, kube, cx.opts.redact_secrets);
        DslState { ctx, units }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        for &i in dirty {
            self.set_unit(cx, i, &kube_unit(cx, i));
        }
    }

    fn set_unit(&mut self, cx: &Ctx<'_, '_>, i: usize, kube: &KubeUnit) {
        dsl::rebuild(
            &self.ctx,
            cx.g,
            i,
            kube,
            cx.opts.redact_secrets,
            &mut self.units[i],
        );
    }

    pub(crate) fn write_files(&self, cx: &Ctx<'_, '_>, files: &mut BTreeMap<String, String>) {
        files.insert(
            "workflow.py".to_owned(),
            dsl::assemble(&self.ctx, cx.order.iter().map(|&i| &self.units[i])),
        );
    }

    fn ledger_parts(&self) -> Vec<Vec<LedgerEntry>> {
        self.units.iter().map(|u| u.ledger().to_vec()).collect()
    }

    fn into_ledger_parts(self) -> Vec<Vec<LedgerEntry>> {
        self.units
            .into_iter()
            .map(|mut u| u.take_ledger())
            .collect()
    }
}

/// True when two or more of `targets` are built from the Kubernetes objects (Kubernetes,
/// Helm, DSL): then each node's objects are built once for all of them.
fn share_objects(targets: impl Iterator<Item = Target>) -> bool {
    targets.filter(|t| *t != Target::Compose).count() >= 2
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

    /// The states of several distinct targets. The Kubernetes objects of each node are built
    /// once for all the targets that read them (Kubernetes, Helm, DSL).
    pub(crate) fn build_all(cx: &Ctx<'_, '_>, targets: &[Target]) -> Vec<TargetState> {
        if !share_objects(targets.iter().copied()) {
            return targets.iter().map(|&t| TargetState::build(cx, t)).collect();
        }
        let mut units = Some(kube_units(cx));
        // Helm takes the objects' JSON over: it comes last.
        let mut states: Vec<Option<TargetState>> = targets.iter().map(|_| None).collect();
        for pass in [false, true] {
            for (k, &t) in targets.iter().enumerate() {
                if (t == Target::Helm) != pass {
                    continue;
                }
                let u = units.as_ref().expect("taken by Helm only, last");
                states[k] = Some(match t {
                    Target::Kubernetes => TargetState::K8s(K8sState::from_units(cx, u)),
                    Target::Compose => TargetState::Compose(ComposeState::build(cx)),
                    Target::Dsl => TargetState::Dsl(Box::new(DslState::from_units(cx, u))),
                    Target::Helm => TargetState::Helm(Box::new(HelmState::from_units(
                        cx,
                        units.take().expect("one Helm target"),
                    ))),
                });
            }
        }
        states.into_iter().flatten().collect()
    }

    /// Regenerates the units of `dirty` in every state, building each node's Kubernetes
    /// objects once for all of them.
    pub(crate) fn update_all(states: &mut [&mut TargetState], cx: &Ctx<'_, '_>, dirty: &[usize]) {
        if !share_objects(states.iter().map(|s| s.target())) {
            for s in states.iter_mut() {
                s.update(cx, dirty);
            }
            return;
        }
        for &i in dirty {
            let mut u = Some(kube_unit(cx, i));
            for pass in [false, true] {
                for s in states.iter_mut() {
                    match &mut **s {
                        TargetState::Compose(c) if !pass => c.update(cx, &[i]),
                        TargetState::K8s(k) if !pass => k.set_unit(i, u.as_ref().expect("kept")),
                        TargetState::Dsl(d) if !pass => {
                            d.set_unit(cx, i, u.as_ref().expect("kept"))
                        }
                        TargetState::Helm(h) if pass => {
                            h.set_unit(cx, i, u.take().expect("one Helm target"));
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn target(&self) -> Target {
        match self {
            TargetState::K8s(_) => Target::Kubernetes,
            TargetState::Compose(_) => Target::Compose,
            TargetState::Helm(_) => Target::Helm,
            TargetState::Dsl(_) => Target::Dsl,
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

    /// The ledger (copies the cached lines; a session keeps them).
    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>, target: Target) -> Ledger {
        let parts = match self {
            TargetState::K8s(s) => s.ledger_parts(),
            TargetState::Compose(s) => s.ledger_parts(),
            TargetState::Helm(s) => s.kube.iter().map(|u| u.ledger.clone()).collect(),
            TargetState::Dsl(s) => s.ledger_parts(),
        };
        self.assemble(cx, parts, target)
    }

    /// The ledger, moving the lines out (a one-off generation).
    pub(crate) fn into_ledger(self, cx: &Ctx<'_, '_>, target: Target) -> Ledger {
        let rules = self.rules();
        let parts = match self {
            TargetState::K8s(s) => s.into_ledger_parts(),
            TargetState::Compose(s) => s.into_ledger_parts(),
            TargetState::Helm(s) => s.kube.into_iter().map(|u| u.ledger).collect(),
            TargetState::Dsl(s) => s.into_ledger_parts(),
        };
        assemble_ledger(cx, parts, rules.0, rules.1, target)
    }

    fn rules(&self) -> (fn(Pair) -> Fidelity, bool) {
        match self {
            TargetState::K8s(_) | TargetState::Helm(_) => (kube_rule, true),
            TargetState::Compose(_) => (compose::connection_rule, false),
            TargetState::Dsl(_) => (dsl::Dsl::connection_rule, false),
        }
    }

    fn assemble(&self, cx: &Ctx<'_, '_>, parts: Vec<Vec<LedgerEntry>>, target: Target) -> Ledger {
        let (rule, unknown) = self.rules();
        assemble_ledger(cx, parts, rule, unknown, target)
    }
}
