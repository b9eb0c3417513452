//! Incremental generation: a [`Session`] keeps, for one target, the output of every node keyed
//! by content hashes. After an edit, only the edited node and the nodes whose output reads it are
//! regenerated, and the result is byte-identical to a full `generate()` of the edited workflow
//! (a property test checks it).
//!
//! Two paths:
//! * a *value edit* changes only properties no other part of the analysis reads (an image, env
//!   values, resources, replicas, annotations, Secret / ConfigMap values...): the structural hash
//!   of the node is unchanged, so the graph's findings, the plan and every other node's output
//!   still hold. The node's own findings are re-checked, and the node and the nodes within two
//!   connections (which may copy its values, e.g. Compose env from a Secret) are regenerated;
//! * anything else (a name, a type, a connection, a key of a Secret...) regenerates everything.
//!
//! A session may keep several targets current (a preview showing all four outputs): the
//! workflow is read, validated and planned once for all of them, and each node's Kubernetes
//! objects are built once for the Kubernetes, Helm and DSL targets.

use super::build::{Ctx, TargetState};
use super::common::Fnv;
use super::{Error, GenerateOptions, Generated, Ledger, check_version, plan_order};
use crate::diag::{Diagnostic, Report, Severity};
use crate::graph::Graph;
use crate::model::{Node, NodeType, Workflow};
use crate::validate::{Mode, Target, ValidateOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Properties whose value only the node itself (and, for Secrets and ConfigMaps, the consumers
/// it is connected to) reads. Editing them is a *value edit*.
fn value_keys(t: Option<NodeType>) -> &'static [&'static str] {
    match t {
        Some(NodeType::App | NodeType::StatefulApp) => &[
            "image",
            "environment",
            "cpuRequest",
            "cpuLimit",
            "memoryRequest",
            "memoryLimit",
            "gpu",
            "securityContext",
            "annotations",
            "replicas",
        ],
        Some(NodeType::Job) => &[
            "image",
            "environment",
            "cpuRequest",
            "cpuLimit",
            "memoryRequest",
            "memoryLimit",
            "gpu",
            "securityContext",
            "annotations",
            "command",
            "args",
            "backoffLimit",
            "parallelism",
            "completions",
        ],
        Some(NodeType::CronJob) => &[
            "image",
            "environment",
            "cpuRequest",
            "cpuLimit",
            "memoryRequest",
            "memoryLimit",
            "gpu",
            "securityContext",
            "annotations",
            "command",
            "args",
            "schedule",
            "suspend",
            "concurrencyPolicy",
            "successfulJobsHistory",
            "failedJobsHistory",
            "timeZone",
            "backoffLimit",
        ],
        Some(NodeType::AppGroup) | None => &[],
        Some(_) => &["annotations"],
    }
}

/// Hash of a JSON value.
fn hash(v: &Value) -> u64 {
    let mut h = Fnv::new();
    h.value(v);
    h.finish()
}

/// Hash of everything in a node, and of its structure (all but its value properties; for
/// Secrets and ConfigMaps the keys of `data` but not the values; never the canvas position).
fn hashes(n: &Node) -> (u64, u64) {
    let mut v = crate::json::ToJson::to_json(n);
    let content = hash(&v);
    if let Some(m) = v.as_object_mut() {
        m.remove("position");
    }
    if let Some(props) = v
        .pointer_mut("/data/properties")
        .and_then(Value::as_object_mut)
    {
        for k in value_keys(n.node_type()) {
            props.remove(*k);
        }
        if matches!(n.node_type(), Some(NodeType::Secret | NodeType::ConfigMap))
            && let Some(Value::Object(data)) = props.get_mut("data")
        {
            for (_, val) in data.iter_mut() {
                *val = Value::Null;
            }
        }
    }
    (content, hash(&v))
}

/// A copy of a generation error (`Error` holds a non-cloneable JSON error in another variant).
fn dup(e: &Error) -> Error {
    match e {
        Error::Invalid { diagnostics } => Error::Invalid {
            diagnostics: diagnostics.clone(),
        },
        Error::Plan { diagnostics } => Error::Plan {
            diagnostics: diagnostics.clone(),
        },
        other => Error::Option {
            message: other.to_string(),
        },
    }
}

/// What one call changed (serialized as `{"full", "regenerated"}` by every binding).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Update {
    /// True when everything was regenerated (a structural edit, or the first generation).
    pub full: bool,
    /// Ids of the nodes whose output was regenerated, sorted (all of them when `full`).
    pub regenerated: Vec<String>,
}

/// Cached analysis of the last successful generation (the same for every target).
struct Cache {
    ids: Vec<String>,
    order: Vec<usize>,
    global: Vec<Diagnostic>,
    local: Vec<Vec<Diagnostic>>,
    /// `COMPOSE_UNSUPPORTED` findings (structural: a value edit cannot change them).
    compose: Vec<Diagnostic>,
    /// Nodes edited while the workflow had errors: regenerate them with the next success.
    stale: BTreeSet<usize>,
}

/// One target's output.
struct Out {
    target: Target,
    /// The per-node results; `None` until the target is first generated.
    state: Option<TargetState>,
    files: BTreeMap<String, String>,
    warnings: Vec<Diagnostic>,
    ledger: Option<Ledger>,
}

/// Incremental generation of one or more targets (see the module docs).
pub struct Session {
    opts: GenerateOptions,
    wf: Workflow,
    cache: Option<Cache>,
    /// The first target given is the session's [`target`](Self::target).
    outs: Vec<Out>,
    error: Option<Error>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("targets", &self.targets())
            .field("nodes", &self.wf.nodes.len())
            .field("files", &self.outs[0].files.len())
            .field("error", &self.error)
            .finish()
    }
}

fn out(target: Target) -> Out {
    Out {
        target,
        state: None,
        files: BTreeMap::new(),
        warnings: Vec::new(),
        ledger: None,
    }
}

impl Session {
    /// Starts a session and generates everything. Fails only for bad options; a workflow with
    /// errors gives a session whose [`last_error`](Self::last_error) holds them.
    pub fn new(
        workflow: Workflow,
        target: Target,
        options: GenerateOptions,
    ) -> Result<Self, Error> {
        Session::with_targets(workflow, &[target], options)
    }

    /// Starts a session that keeps several targets current (each once; the first is the
    /// session's [`target`](Self::target)). Every edit regenerates all of them, reading,
    /// validating and planning the workflow once.
    pub fn with_targets(
        workflow: Workflow,
        targets: &[Target],
        options: GenerateOptions,
    ) -> Result<Self, Error> {
        check_version(&options)?;
        let mut outs: Vec<Out> = Vec::new();
        for &t in targets {
            if !outs.iter().any(|o| o.target == t) {
                outs.push(out(t));
            }
        }
        if outs.is_empty() {
            return Err(Error::Option {
                message: "a session needs at least one target".into(),
            });
        }
        let mut s = Session {
            opts: options,
            wf: workflow,
            cache: None,
            outs,
            error: None,
        };
        let _ = s.rebuild();
        Ok(s)
    }

    /// The workflow as edited so far.
    pub fn workflow(&self) -> &Workflow {
        &self.wf
    }

    /// The session's first target.
    pub fn target(&self) -> Target {
        self.outs[0].target
    }

    /// Every target the session keeps current, in the order they were given or added.
    pub fn targets(&self) -> Vec<Target> {
        self.outs.iter().map(|o| o.target).collect()
    }

    fn out(&self, target: Target) -> Option<&Out> {
        self.outs.iter().find(|o| o.target == target)
    }

    /// The names of [`targets`](Self::targets).
    pub fn target_names(&self) -> Vec<&'static str> {
        self.outs.iter().map(|o| o.target.as_str()).collect()
    }

    /// The target a binding's accessor names: the first target when `name` is `None`; else the
    /// named one, which the session must keep. An unknown name, or a target the session does
    /// not keep, is an `OPTION` error; the latter says to add it first with `add` (the
    /// binding's name for [`add_target`](Self::add_target)).
    pub fn pick(&self, name: Option<&str>, add: &str) -> Result<Target, Error> {
        let Some(name) = name else {
            return Ok(self.target());
        };
        let target = crate::api::target_from_name(name)?;
        match self.out(target) {
            Some(_) => Ok(target),
            None => Err(Error::Option {
                message: format!(
                    "the session does not keep target {:?}; {add}({:?}) first",
                    target.as_str(),
                    target.as_str()
                ),
            }),
        }
    }

    /// The files of the last successful generation (kept while the workflow has errors).
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.outs[0].files
    }

    /// The files of `target`'s last successful generation (`None` if the session does not
    /// keep that target).
    pub fn files_for(&self, target: Target) -> Option<&BTreeMap<String, String>> {
        self.out(target).map(|o| &o.files)
    }

    /// The warnings and infos of the last successful generation.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.outs[0].warnings
    }

    /// The warnings and infos of `target`'s last successful generation.
    pub fn warnings_for(&self, target: Target) -> Option<&[Diagnostic]> {
        self.out(target).map(|o| o.warnings.as_slice())
    }

    /// Why the last call could not generate (the workflow has errors), if it could not.
    pub fn last_error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// The fidelity ledger of the last successful generation (assembled on first use).
    pub fn ledger(&mut self) -> Option<&Ledger> {
        let t = self.target();
        self.ledger_for(t)
    }

    /// The fidelity ledger of `target`'s last successful generation.
    pub fn ledger_for(&mut self, target: Target) -> Option<&Ledger> {
        let k = self.outs.iter().position(|o| o.target == target)?;
        if self.outs[k].ledger.is_none() {
            let cache = self.cache.as_ref()?;
            let state = self.outs[k].state.as_ref()?;
            let g = Graph::build(&self.wf);
            let cx = ctx(&self.wf, &g, &self.opts, &cache.order).ok()?;
            self.outs[k].ledger = Some(state.ledger(&cx, target));
        }
        self.outs[k].ledger.as_ref()
    }

    /// Everything of the last successful generation, as `generate()` returns it.
    pub fn generated(&mut self) -> Option<Generated> {
        let t = self.target();
        self.generated_for(t)
    }

    /// Everything of `target`'s last successful generation, as `generate()` returns it.
    pub fn generated_for(&mut self, target: Target) -> Option<Generated> {
        let ledger = self.ledger_for(target)?.clone();
        let o = self.out(target)?;
        Some(Generated {
            target,
            files: o.files.clone(),
            ledger,
            warnings: o.warnings.clone(),
        })
    }

    /// Adds a target and generates it from the analysis the session already holds (the
    /// workflow is not read, validated or planned again). Adding a target the session keeps
    /// changes nothing. While the workflow has errors, the target is added and generated with
    /// the next successful edit, and the error is returned.
    pub fn add_target(&mut self, target: Target) -> Result<Update, Error> {
        if self.out(target).is_some() {
            return Ok(Update {
                full: false,
                regenerated: Vec::new(),
            });
        }
        self.outs.push(out(target));
        if let Some(e) = &self.error {
            return Err(dup(e));
        }
        let Some(cache) = &self.cache else {
            return self.rebuild();
        };
        let g = Graph::build(&self.wf);
        let cx = ctx(&self.wf, &g, &self.opts, &cache.order)?;
        let o = self.outs.last_mut().expect("pushed");
        let state = TargetState::build(&cx, target);
        state.write_files(&cx, &mut o.files, None);
        o.warnings = SharedWarnings::default().of(cache, target);
        o.state = Some(state);
        Ok(Update {
            full: true,
            regenerated: cache.ids.clone(),
        })
    }

    /// Replaces the node with the same `id` (or adds it) and regenerates what it affects.
    pub fn update_node(&mut self, node: &Value) -> Result<Update, Error> {
        let (node, diags) = crate::model::parse::load_one_node(node)?;
        let id = node.id.clone();
        let positions: Vec<usize> = self
            .wf
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.id == id)
            .map(|(k, _)| k)
            .collect();
        let (new_content, new_structure) = hashes(&node);
        // The node it replaces, as the session last saw it (its hashes are computed now, not
        // kept for every node: a full generation then hashes nothing).
        let old = match positions.as_slice() {
            [p] if self.cache.is_some() => Some(hashes(&self.wf.nodes[*p])),
            _ => None,
        };
        // Replace the node and what reading it found.
        let loads = &mut self.wf.load_diagnostics.0;
        loads.retain(|d| d.node_id.as_deref() != Some(id.as_str()));
        loads.extend(diags.iter().cloned());
        let single = match positions.as_slice() {
            [p] => {
                self.wf.nodes[*p] = node;
                true
            }
            [] => {
                self.wf.nodes.push(node);
                false
            }
            [first, rest @ ..] => {
                for p in rest.iter().rev() {
                    self.wf.nodes.remove(*p);
                }
                self.wf.nodes[*first] = node;
                false
            }
        };
        let fast = single
            && self.outs.iter().all(|o| o.state.is_some())
            && self.cache.as_ref().is_some_and(|c| {
                c.ids.binary_search(&id).is_ok()
                    && old.is_some_and(|(_, structure)| structure == new_structure)
            });
        if !fast {
            return self.rebuild();
        }
        let cache = self.cache.as_mut().expect("checked");
        let i = cache.ids.binary_search(&id).expect("checked");
        if old.is_some_and(|(content, _)| content == new_content)
            && cache.stale.is_empty()
            && self.error.is_none()
        {
            return Ok(Update {
                full: false,
                regenerated: Vec::new(),
            });
        }
        let g = Graph::build(&self.wf);
        let opts = ValidateOptions {
            mode: Mode::Generate,
            target: None,
        };
        let mut local = diags;
        crate::validate::check_one_node(&g, i, &opts, &mut local);
        cache.local[i] = local;
        cache.stale.insert(i);
        if cache
            .global
            .iter()
            .chain(cache.local.iter().flatten())
            .any(|d| d.severity == Severity::Error)
        {
            let e = Error::Invalid {
                diagnostics: report(cache, None).errors,
            };
            self.error = Some(dup(&e));
            return Err(e);
        }
        // Nodes within two connections read the edited one's values (a Secret's consumers
        // inline them in Compose; a blue-green strategy copies the annotations of the Service
        // that selects its App).
        let mut dirty: BTreeSet<usize> = std::mem::take(&mut cache.stale);
        for _ in 0..2 {
            for d in dirty.clone() {
                for e in g.out(d) {
                    dirty.insert(g.edges[*e].tgt);
                }
                for e in g.inn(d) {
                    dirty.insert(g.edges[*e].src);
                }
            }
        }
        let dirty: Vec<usize> = dirty.into_iter().collect();
        let cx = ctx(&self.wf, &g, &self.opts, &cache.order)?;
        let mut states: Vec<&mut TargetState> = self
            .outs
            .iter_mut()
            .filter_map(|o| o.state.as_mut())
            .collect();
        TargetState::update_all(&mut states, &cx, &dirty);
        let mut shared = SharedWarnings::default();
        for o in &mut self.outs {
            let state = o.state.as_ref().expect("checked");
            state.write_files(&cx, &mut o.files, Some(&dirty));
            o.warnings = shared.of(cache, o.target);
            o.ledger = None;
        }
        self.error = None;
        Ok(Update {
            full: false,
            regenerated: dirty.iter().map(|&k| g.id(k).to_owned()).collect(),
        })
    }

    /// Removes a node and the connections that touch it, and regenerates.
    pub fn remove_node(&mut self, id: &str) -> Result<Update, Error> {
        self.wf.nodes.retain(|n| n.id != id);
        self.wf
            .connections
            .retain(|c| c.source != id && c.target != id);
        self.wf
            .load_diagnostics
            .0
            .retain(|d| d.node_id.as_deref() != Some(id));
        self.rebuild()
    }

    /// Replaces the whole workflow (connections, settings...) and regenerates.
    pub fn set_workflow(&mut self, workflow: Workflow) -> Result<Update, Error> {
        self.wf = workflow;
        self.rebuild()
    }

    /// Regenerates everything and refills the caches.
    fn rebuild(&mut self) -> Result<Update, Error> {
        for o in &mut self.outs {
            o.ledger = None;
        }
        self.cache = None;
        let g = Graph::build(&self.wf);
        let opts = ValidateOptions {
            mode: Mode::Generate,
            target: None,
        };
        let (global, local) = crate::validate::validate_parts(&self.wf, &g, &opts);
        let mut compose = Vec::new();
        crate::validate::compose_unsupported(&g, &mut compose);
        let cache = Cache {
            ids: g.nodes.iter().map(|n| n.id.clone()).collect(),
            order: Vec::new(),
            global,
            local,
            compose,
            stale: BTreeSet::new(),
        };
        // The shared findings, sorted once: the errors refuse, the rest are the warnings.
        let shared_report = report(&cache, None);
        if shared_report
            .errors
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            let e = Error::Invalid {
                diagnostics: shared_report.errors,
            };
            self.error = Some(dup(&e));
            return Err(e);
        }
        let order = match plan_order(&self.wf, &g) {
            Ok(o) => o,
            Err(e) => {
                self.error = Some(dup(&e));
                return Err(e);
            }
        };
        let cache = Cache { order, ..cache };
        let cx = ctx(&self.wf, &g, &self.opts, &cache.order)?;
        let targets = self.targets();
        let states = TargetState::build_all(&cx, &targets);
        let mut shared = SharedWarnings(Some(warnings_and_infos(shared_report)));
        for (o, state) in self.outs.iter_mut().zip(states) {
            let mut files = BTreeMap::new();
            state.write_files(&cx, &mut files, None);
            o.files = files;
            o.warnings = shared.of(&cache, o.target);
            o.state = Some(state);
        }
        self.error = None;
        let regenerated = cache.ids.clone();
        self.cache = Some(cache);
        Ok(Update {
            full: true,
            regenerated,
        })
    }
}

/// What the unit builders read.
fn ctx<'c, 'a>(
    wf: &'a Workflow,
    g: &'c Graph<'a>,
    opts: &'c GenerateOptions,
    order: &'c [usize],
) -> Result<Ctx<'c, 'a>, Error> {
    Ok(Ctx {
        wf,
        g,
        opts,
        version: check_version(opts)?,
        order,
    })
}

/// The findings of the cached analysis, for `target` (`None`: those every target shares).
fn report(cache: &Cache, target: Option<Target>) -> Report {
    let compose = match target {
        Some(Target::Compose) => cache.compose.as_slice(),
        _ => &[],
    };
    Report::from_diagnostics(
        cache
            .global
            .iter()
            .chain(cache.local.iter().flatten())
            .chain(compose)
            .cloned()
            .collect(),
    )
}

/// The targets' warnings and infos: those every target shares are sorted once; Compose adds
/// its own when Docker Compose leaves nodes out.
#[derive(Default)]
struct SharedWarnings(Option<Vec<Diagnostic>>);

impl SharedWarnings {
    fn of(&mut self, cache: &Cache, target: Target) -> Vec<Diagnostic> {
        if target == Target::Compose && !cache.compose.is_empty() {
            return warnings_and_infos(report(cache, Some(target)));
        }
        self.0
            .get_or_insert_with(|| warnings_and_infos(report(cache, None)))
            .clone()
    }
}

/// A report's warnings, then its infos (what a target's `warnings` holds).
fn warnings_and_infos(r: Report) -> Vec<Diagnostic> {
    r.warnings.into_iter().chain(r.infos).collect()
}
