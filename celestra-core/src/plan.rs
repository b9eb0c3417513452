//! `plan()`: dependency waves (§3.5) for `parallel`, `phased` and `sequential` modes, with the
//! readiness gate of every step and, for every node, what it waits for and why.

use crate::diag::Diagnostic;
use crate::error::Error;
use crate::graph::{Graph, Pair, Why};
use crate::model::*;
use crate::objects::ObjectRef;
use crate::validate::cycle_diagnostics;
use schemars::JsonSchema;
use serde::Serialize;

/// The execution plan of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Execution mode the waves were computed for.
    pub mode: ExecutionMode,
    /// What happens when a step fails.
    pub error_handling: ErrorHandling,
    /// Number of steps (attached nodes are not steps).
    pub total_steps: usize,
    /// Waves in execution order; every step of a wave may run concurrently.
    pub waves: Vec<Wave>,
}

impl Plan {
    /// Every step, in execution order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.waves.iter().flat_map(|w| w.steps.iter())
    }
    /// The step of a node (or the step it is attached to).
    pub fn step_of(&self, node_id: &str) -> Option<(&Wave, &Step)> {
        self.waves.iter().find_map(|w| {
            w.steps
                .iter()
                .find(|s| s.node_id == node_id || s.attached.iter().any(|a| a.node_id == node_id))
                .map(|s| (w, s))
        })
    }
}

/// A set of steps that run concurrently once the previous wave is ready.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Wave {
    /// Position in execution order, from 0.
    pub index: usize,
    /// In `phased` mode, the phase this wave belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<u8>,
    /// Steps of the wave, in apply order (phase, kind, name).
    pub steps: Vec<Step>,
}

/// Applying one node's objects and waiting for them to be ready.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Namespace of its namespaced objects.
    pub namespace: String,
    /// Creation phase of the node type (0 namespaces/CRDs … 5 monitoring).
    pub phase: u8,
    /// Objects applied by this step.
    pub objects: Vec<ObjectRef>,
    /// Strategy and observability nodes applied inside this step, after its objects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attached: Vec<Attached>,
    /// What must hold before dependents may start.
    pub readiness: Vec<Readiness>,
    /// The nodes this step waits for, and why.
    pub waits_for: Vec<Wait>,
    /// On the critical path (a double connection leads here).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
}

/// A node applied inside another node's step.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attached {
    /// The attached node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Its objects.
    pub objects: Vec<ObjectRef>,
}

/// A readiness condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// Kind of the object.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The condition.
    pub gate: Gate,
}

/// Readiness gates (§3.5 item 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Gate {
    /// The object exists.
    Created,
    /// Namespace phase Active.
    NamespaceActive,
    /// CRD condition Established.
    CrdEstablished,
    /// Deployment Available and `updatedReplicas == replicas`.
    DeploymentAvailable,
    /// StatefulSet `readyReplicas == replicas`.
    StatefulSetReady,
    /// Job condition Complete.
    JobComplete,
    /// Argo Rollout Healthy.
    RolloutHealthy,
}

impl Gate {
    /// Short human form.
    pub fn describe(self) -> &'static str {
        match self {
            Gate::Created => "created",
            Gate::NamespaceActive => "Active",
            Gate::CrdEstablished => "Established",
            Gate::DeploymentAvailable => "Available",
            Gate::StatefulSetReady => "all replicas ready",
            Gate::JobComplete => "Complete",
            Gate::RolloutHealthy => "Healthy",
        }
    }
}

/// A node a step waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Wait {
    /// The node waited for.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: WaitReason,
}

/// Why a step waits for another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum WaitReason {
    /// A connection orders the two nodes.
    #[serde(rename_all = "camelCase")]
    Connection {
        /// The connection.
        connection_id: String,
        /// Its style (solid, double, slashed).
        style: Style,
        /// What the connection means, e.g. "injects secret".
        meaning: std::borrow::Cow<'static, str>,
    },
    /// The node belongs to the AppGroup (its namespace comes first).
    Group,
    /// A strategy or observability node applied in this step needs the other node first.
    #[serde(rename_all = "camelCase")]
    Attached {
        /// The attached node.
        attached_id: String,
        /// Its name.
        attached_name: String,
    },
    /// A property of the node names the other node (§3.4).
    #[serde(rename_all = "camelCase")]
    Reference {
        /// The property path.
        property: String,
    },
}

impl WaitReason {
    /// Short human form.
    pub fn describe(&self) -> String {
        match self {
            WaitReason::Connection {
                connection_id,
                style,
                meaning,
            } => {
                format!("{connection_id} ({style}, {meaning})")
            }
            WaitReason::Group => "group".into(),
            WaitReason::Attached { attached_name, .. } => format!("for attached {attached_name}"),
            WaitReason::Reference { property } => format!("ref {property}"),
        }
    }
}

fn readiness(
    g: &Graph<'_>,
    i: usize,
    objects: &[ObjectRef],
    has_dependents: bool,
) -> Vec<Readiness> {
    let first = |kind: &str| {
        objects
            .iter()
            .find(|o| o.kind == kind)
            .map(|o| o.name.clone())
    };
    let r = |kind: &str, name: String, gate: Gate| Readiness {
        kind: kind.into(),
        name,
        gate,
    };
    let mut out = Vec::new();
    match g.ty(i) {
        Some(NodeType::AppGroup) => {
            if let Some(n) = first("Namespace") {
                out.push(r("Namespace", n, Gate::NamespaceActive));
            }
        }
        Some(NodeType::CustomResource) => {
            if let Some(n) = first("CustomResourceDefinition") {
                out.push(r("CustomResourceDefinition", n, Gate::CrdEstablished));
            }
            if let Some(n) = objects
                .iter()
                .find(|o| o.kind == "Deployment")
                .map(|o| o.name.clone())
            {
                out.push(r("Deployment", n, Gate::DeploymentAvailable));
            }
        }
        Some(NodeType::App) => {
            out.push(r("Deployment", g.name(i).into(), Gate::DeploymentAvailable))
        }
        Some(NodeType::StatefulApp) => {
            out.push(r("StatefulSet", g.name(i).into(), Gate::StatefulSetReady))
        }
        Some(NodeType::Job) if has_dependents => {
            out.push(r("Job", g.name(i).into(), Gate::JobComplete))
        }
        _ => {}
    }
    if out.is_empty()
        && let Some(o) = objects.first()
    {
        out.push(r(&o.kind, o.name.clone(), Gate::Created));
    }
    out
}

struct Prep {
    /// Nodes that are steps.
    steps: Vec<usize>,
    /// Attached nodes (strategy / observability with targets).
    attached: Vec<usize>,
    preds: Vec<Vec<(usize, Why)>>,
    succ: Vec<Vec<usize>>,
}

fn prepare(g: &Graph<'_>) -> Prep {
    let n = g.nodes.len();
    let mut preds: Vec<Vec<(usize, Why)>> = vec![Vec::new(); n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (s, t, why) in &g.ordering {
        preds[*t].push((*s, why.clone()));
        succ[*s].push(*t);
    }
    let mut steps = Vec::new();
    let mut attached = Vec::new();
    for i in 0..n {
        match g.ty(i) {
            None => {}
            Some(t) if t.is_attached() => {
                let pair = if t == NodeType::DeploymentStrategy {
                    Pair::DsToApp
                } else {
                    Pair::ObsToTarget
                };
                let targets: Vec<usize> = g.targets(i, pair).collect();
                if targets.is_empty() {
                    steps.push(i);
                } else {
                    attached.push(i);
                }
            }
            Some(_) => steps.push(i),
        }
    }
    // An attached node's objects are applied in its target's step, so whatever the attached
    // node waits for (its group's namespace…) the target step waits for too.
    for &a in &attached {
        let t = g.ty(a).expect("known");
        let pair = if t == NodeType::DeploymentStrategy {
            Pair::DsToApp
        } else {
            Pair::ObsToTarget
        };
        let own: Vec<usize> = preds[a].iter().map(|(p, _)| *p).collect();
        for target in g.targets(a, pair) {
            for &p in &own {
                if p != target && !preds[target].iter().any(|(q, _)| *q == p) {
                    preds[target].push((p, Why::Attached { attached: a }));
                    succ[p].push(target);
                }
            }
        }
    }
    Prep {
        steps,
        attached,
        preds,
        succ,
    }
}

fn sort_key<'a>(g: &Graph<'a>, i: usize) -> (u8, u8, &'a str, &'a str) {
    let t = g.ty(i).expect("steps have known types");
    (t.phase(), t.kind_order(), g.name(i), g.id(i))
}

/// Computes the plan. Fails only when ordering edges form a cycle.
pub(crate) fn plan(wf: &Workflow) -> Result<Plan, Error> {
    let g = Graph::build(wf);
    let cycles = cycle_diagnostics(&g);
    plan_graph(wf, &g, &cycles, crate::objects::all_objects(&g))
}

/// Plans with an already built graph and its cycle findings (shared with `validate`).
pub(crate) fn plan_graph(
    wf: &Workflow,
    g: &Graph<'_>,
    cycles: &[Diagnostic],
    mut objects: Vec<Vec<ObjectRef>>,
) -> Result<Plan, Error> {
    let layout = layout(wf, g, cycles)?;
    let settings = wf.settings();
    let mode = settings.mode();
    let prep = &layout.prep;
    let mut waves = Vec::with_capacity(layout.waves.len());
    for (index, (phase, members)) in layout.waves.iter().enumerate() {
        let steps = members
            .iter()
            .map(|&i| make_step(g, prep, i, layout.attached_of.get(i), &mut objects))
            .collect();
        waves.push(Wave {
            index,
            phase: (mode == ExecutionMode::Phased).then_some(*phase),
            steps,
        });
    }
    Ok(Plan {
        mode,
        error_handling: settings
            .error_handling
            .unwrap_or(ErrorHandling::StopOnError),
        total_steps: prep.steps.len(),
        waves,
    })
}

/// The node indices of a plan in apply order: each step, then the nodes attached to it (what
/// [`plan_graph`] gives, without building the steps).
pub(crate) fn apply_order(
    wf: &Workflow,
    g: &Graph<'_>,
    cycles: &[Diagnostic],
) -> Result<Vec<usize>, Error> {
    let layout = layout(wf, g, cycles)?;
    let mut order = Vec::with_capacity(g.nodes.len());
    for (_, members) in &layout.waves {
        for &i in members {
            order.push(i);
            order.extend(layout.attached_of.get(i).into_iter().flatten());
        }
    }
    Ok(order)
}

/// Waves (phase and sorted members) and the nodes attached to each step.
struct Layout {
    prep: Prep,
    waves: Vec<(u8, Vec<usize>)>,
    /// The nodes attached to each step, by node index.
    attached_of: Vec<Vec<usize>>,
}

fn layout(wf: &Workflow, g: &Graph<'_>, cycles: &[Diagnostic]) -> Result<Layout, Error> {
    if !cycles.is_empty() {
        return Err(Error::Plan {
            diagnostics: cycles.to_vec(),
        });
    }
    let mode = wf.settings().mode();
    let prep = prepare(g);
    let n = g.nodes.len();

    // Topological order over all known nodes (attached ones included, they just carry no step).
    let order = topo_order(g, &prep);
    let is_step: Vec<bool> = {
        let mut v = vec![false; n];
        for s in &prep.steps {
            v[*s] = true;
        }
        v
    };

    // (phase, wave) per node.
    let mut slot: Vec<(u8, usize)> = vec![(0, 0); n];
    match mode {
        ExecutionMode::Parallel => {
            for &i in &order {
                let w = prep.preds[i]
                    .iter()
                    .map(|(p, _)| slot[*p].1 + 1)
                    .max()
                    .unwrap_or(0);
                slot[i] = (0, w);
            }
        }
        ExecutionMode::Phased => {
            for &i in &order {
                let own = g.ty(i).map_or(0, NodeType::phase);
                let phase = prep.preds[i]
                    .iter()
                    .map(|(p, _)| slot[*p].0)
                    .max()
                    .unwrap_or(0)
                    .max(own);
                let w = prep.preds[i]
                    .iter()
                    .filter(|(p, _)| slot[*p].0 == phase)
                    .map(|(p, _)| slot[*p].1 + 1)
                    .max()
                    .unwrap_or(0);
                slot[i] = (phase, w);
            }
        }
        ExecutionMode::Sequential => {
            let mut k = 0;
            for &i in &order {
                if is_step[i] {
                    slot[i] = (0, k);
                    k += 1;
                }
            }
        }
    }

    // Attached nodes go to the step of their latest target (each step's list by node index).
    let mut attach_to: Vec<Option<usize>> = vec![None; n];
    for &a in &prep.attached {
        let t = g.ty(a).expect("known");
        let pair = if t == NodeType::DeploymentStrategy {
            Pair::DsToApp
        } else {
            Pair::ObsToTarget
        };
        let best = g
            .targets(a, pair)
            .max_by_key(|&x| (slot[x], std::cmp::Reverse(sort_key(g, x))))
            .expect("attached nodes have targets");
        attach_to[a] = Some(best);
    }
    let mut attached_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, s) in attach_to.iter().enumerate() {
        if let Some(s) = s {
            attached_of[*s].push(a);
        }
    }

    // Group steps into waves: by (phase, wave), members sorted.
    let mut steps: Vec<usize> = prep.steps.clone();
    crate::sort::sort_by_key(&mut steps, |&s| slot[s]);
    let mut waves: Vec<(u8, Vec<usize>)> = Vec::new();
    let mut last = None;
    for s in steps {
        if last != Some(slot[s]) {
            last = Some(slot[s]);
            waves.push((slot[s].0, Vec::new()));
        }
        waves.last_mut().expect("pushed").1.push(s);
    }
    for (_, members) in &mut waves {
        crate::sort::sort_by_key(members, |&i| sort_key(g, i));
    }
    Ok(Layout {
        prep,
        waves,
        attached_of,
    })
}

/// Kahn's algorithm; ready nodes are taken by (phase, kind order, name, id).
fn topo_order(g: &Graph<'_>, prep: &Prep) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = g.nodes.len();
    let mut indeg = vec![0usize; n];
    for (i, p) in prep.preds.iter().enumerate() {
        indeg[i] = p.len();
    }
    let key = |i: usize| {
        let t = g.ty(i);
        (
            t.map_or(9, NodeType::phase),
            t.map_or(99, NodeType::kind_order),
            g.name(i),
            g.id(i),
            i,
        )
    };
    let mut heap: BinaryHeap<Reverse<(u8, u8, &str, &str, usize)>> = (0..n)
        .filter(|&i| indeg[i] == 0)
        .map(|i| Reverse(key(i)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((.., i))) = heap.pop() {
        order.push(i);
        for &s in &prep.succ[i] {
            indeg[s] -= 1;
            if indeg[s] == 0 {
                heap.push(Reverse(key(s)));
            }
        }
    }
    order.retain(|&i| g.ty(i).is_some());
    order
}

fn make_step(
    g: &Graph<'_>,
    prep: &Prep,
    i: usize,
    attached: Option<&Vec<usize>>,
    all: &mut [Vec<ObjectRef>],
) -> Step {
    let t = g.ty(i).expect("steps have known types");
    let objects = std::mem::take(&mut all[i]);
    let has_dependents = !prep.succ[i].is_empty();
    let mut readiness = readiness(g, i, &objects, has_dependents);
    let mut att = Vec::new();
    for &a in attached.into_iter().flatten() {
        let objs = std::mem::take(&mut all[a]);
        if objs
            .iter()
            .any(|o| o.kind == "Rollout" && o.name == g.name(i))
        {
            readiness.push(Readiness {
                kind: "Rollout".into(),
                name: g.name(i).into(),
                gate: Gate::RolloutHealthy,
            });
        }
        att.push(Attached {
            node_id: g.id(a).into(),
            name: g.name(a).into(),
            node_type: g.ty(a).expect("known"),
            objects: objs,
        });
    }
    crate::sort::sort_by(&mut att, |a, b| {
        (a.node_type, &a.name, &a.node_id).cmp(&(b.node_type, &b.name, &b.node_id))
    });
    let mut waits: Vec<Wait> = prep.preds[i]
        .iter()
        .filter(|(p, _)| g.ty(*p).is_some())
        .map(|(p, why)| Wait {
            node_id: g.id(*p).into(),
            name: g.name(*p).into(),
            reason: match why {
                Why::Connection { id, pair, style } => WaitReason::Connection {
                    connection_id: id.clone(),
                    style: *style,
                    meaning: std::borrow::Cow::Borrowed(pair.describe()),
                },
                Why::Group => WaitReason::Group,
                Why::Attached { attached } => WaitReason::Attached {
                    attached_id: g.id(*attached).into(),
                    attached_name: g.name(*attached).into(),
                },
                Why::Reference { property } => WaitReason::Reference {
                    property: property.clone(),
                },
            },
        })
        .collect();
    crate::sort::sort_by(&mut waits, |a, b| {
        (&a.name, &a.node_id, &a.reason).cmp(&(&b.name, &b.node_id, &b.reason))
    });
    let critical = prep.preds[i].iter().any(|(_, w)| {
        matches!(
            w,
            Why::Connection {
                style: Style::Double,
                ..
            }
        )
    });
    Step {
        node_id: g.id(i).into(),
        name: g.name(i).into(),
        node_type: t,
        namespace: g.ns[i].into(),
        phase: t.phase(),
        objects,
        attached: att,
        readiness,
        waits_for: waits,
        critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `apply_order` is the plan's steps, each followed by its attached nodes, on every
    /// fixture and on synthetic workflows of every execution mode.
    #[test]
    fn apply_order_is_the_plans_order() {
        let mut checked = 0;
        for text in crate::test_fixtures::WORKFLOWS {
            for mode in ["parallel", "phased", "sequential"] {
                let mut v: serde_json::Value = serde_json::from_str(text).expect("json");
                v["settings"]["executionMode"] = serde_json::json!(mode);
                let wf = crate::api::parse_value(&v).expect("parses");
                let g = Graph::build(&wf);
                let cycles = crate::validate::cycle_diagnostics(&g);
                let plan = plan_graph(&wf, &g, &cycles, crate::objects::all_objects(&g));
                let order = apply_order(&wf, &g, &cycles);
                let (Ok(plan), Ok(order)) = (plan, order) else {
                    continue;
                };
                let mut expected = Vec::new();
                for step in plan.steps() {
                    expected.push(g.idx(&step.node_id).expect("a node"));
                    for a in &step.attached {
                        expected.push(g.idx(&a.node_id).expect("a node"));
                    }
                }
                assert_eq!(order, expected, "{mode}");
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked}");
    }
}
