//! Generation as per-node units plus an assembly step, shared by `generate()` and the
//! incremental [`Session`](super::Session): a full generation builds the unit of every node and
//! assembles the files; a session rebuilds only the units of the nodes an edit touches and
//! assembles again. The same functions run in both cases, so the bytes are the same.

use super::kubernetes::Kube;
use super::ledger::{Fidelity, Ledger, LedgerEntry, Recorder};
use super::{GenerateOptions, KubeVersion, Layout, Obj, file_part, yaml};
use crate::graph::{Graph, Pair};
use crate::model::Workflow;
use crate::validate::Target;
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

/// A target's per-node results.
pub(crate) enum TargetState {
    K8s(K8sState),
    /// Targets generated as a whole (no per-node cache).
    Whole(Box<(BTreeMap<String, String>, Ledger)>),
}

impl TargetState {
    pub(crate) fn build(cx: &Ctx<'_, '_>, target: Target) -> TargetState {
        match target {
            Target::Kubernetes => TargetState::K8s(K8sState::build(cx)),
            other => TargetState::Whole(Box::new(super::whole(cx, other))),
        }
    }

    pub(crate) fn update(&mut self, cx: &Ctx<'_, '_>, dirty: &[usize]) {
        match self {
            TargetState::K8s(s) => s.update(cx, dirty),
            TargetState::Whole(w) => {
                let target = w.1.target;
                **w = super::whole(cx, target);
            }
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
            TargetState::Whole(w) => files.clone_from(&w.0),
        }
    }

    pub(crate) fn ledger(&self, cx: &Ctx<'_, '_>, target: Target) -> Ledger {
        match self {
            TargetState::K8s(s) => {
                let mut l = s.ledger(cx);
                l.target = target;
                l
            }
            TargetState::Whole(w) => w.1.clone(),
        }
    }
}
