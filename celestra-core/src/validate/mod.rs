//! `validate()`: every field, node and graph rule of workflow-format.md §4.1–4.2.
//! Never fails; returns a sorted [`Report`].

pub(crate) mod formats;
mod graph_rules;
pub(crate) use graph_rules::compose_unsupported;
mod names;
mod nodes;
mod tz;

use crate::diag::{Code, Diagnostic, Report};
use crate::graph::Graph;
use crate::model::Workflow;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use formats::sanitize_env;

/// When the workflow is validated: while editing (live preview) or before generate/deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Live preview: incomplete nodes are warnings (`IMAGE_REQUIRED`).
    Live,
    /// Generate or deploy: everything needed must be there (default).
    #[default]
    Generate,
}

/// An output target, for target-specific findings (`COMPOSE_UNSUPPORTED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// Kubernetes YAML.
    Kubernetes,
    /// Docker Compose.
    Compose,
    /// Helm chart.
    Helm,
    /// Celestra DSL program.
    Dsl,
}

impl Mode {
    /// Reads a mode name (`generate`, `live`), as every binding and option file spells it.
    pub fn parse(name: &str) -> Option<Mode> {
        match name {
            "generate" => Some(Mode::Generate),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

impl Target {
    /// Every target, in the order they are documented.
    pub const ALL: [Target; 4] = [
        Target::Kubernetes,
        Target::Compose,
        Target::Helm,
        Target::Dsl,
    ];

    /// The canonical name (`kubernetes`, `compose`, `helm`, `dsl`), as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Kubernetes => "kubernetes",
            Target::Compose => "compose",
            Target::Helm => "helm",
            Target::Dsl => "dsl",
        }
    }

    /// Reads a target name: the canonical ones and the aliases users type (`k8s`,
    /// `docker-compose`, `dockerCompose`, `celestra`). The same names in every binding.
    pub fn parse(name: &str) -> Option<Target> {
        Some(match name {
            "kubernetes" | "k8s" => Target::Kubernetes,
            "compose" | "docker-compose" | "dockerCompose" => Target::Compose,
            "helm" => Target::Helm,
            "dsl" | "celestra" => Target::Dsl,
            _ => return None,
        })
    }
}

/// Options of `validate()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ValidateOptions {
    /// Live or generate (default).
    pub mode: Mode,
    /// Target-specific findings for this output.
    pub target: Option<Target>,
}

/// Validates a workflow.
pub(crate) fn validate(wf: &Workflow, opts: &ValidateOptions) -> Report {
    let g = Graph::build(wf);
    let cycles = cycle_diagnostics(&g);
    let objects = crate::objects::all_objects(&g);
    validate_graph(wf, &g, opts, cycles, &objects)
}

/// Validates with an already built graph and its cycle findings (shared with `plan`).
pub(crate) fn validate_graph(
    wf: &Workflow,
    g: &Graph<'_>,
    opts: &ValidateOptions,
    cycles: Vec<Diagnostic>,
    objects: &[Vec<crate::objects::ObjectRef>],
) -> Report {
    let mut out: Vec<Diagnostic> = wf.load_diagnostics().to_vec();
    out.extend(g.diags.iter().cloned());
    workflow_rules(wf, &mut out);
    for i in 0..g.nodes.len() {
        nodes::check_node(g, i, opts, &mut out);
    }
    graph_rules::check(g, opts, &mut out);
    names::check(g, objects, &mut out);
    out.extend(cycles);
    Report::from_diagnostics(out)
}

/// The same findings as [`validate_graph`], split into those of each node alone (what reading
/// it found and the node rules, indexed like `g.nodes`) and the rest. A session re-checks one
/// node after a value edit and keeps the rest.
pub(crate) fn validate_parts(
    wf: &Workflow,
    g: &Graph<'_>,
    opts: &ValidateOptions,
) -> (Vec<Diagnostic>, Vec<Vec<Diagnostic>>) {
    let cycles = cycle_diagnostics(g);
    let objects = crate::objects::all_objects(g);
    let mut global: Vec<Diagnostic> = Vec::new();
    let mut local: Vec<Vec<Diagnostic>> = vec![Vec::new(); g.nodes.len()];
    // The node ids, sorted: an id is unique when it occurs once.
    let mut ids: Vec<&str> = wf.nodes.iter().map(|n| n.id.as_str()).collect();
    crate::sort::sort(&mut ids);
    let once = |id: &str| {
        let k = ids.partition_point(|x| *x < id);
        ids.get(k) == Some(&id) && ids.get(k + 1) != Some(&id)
    };
    for d in wf.load_diagnostics() {
        let unique = d
            .node_id
            .as_deref()
            .filter(|id| once(id))
            .and_then(|id| g.idx(id));
        match unique {
            Some(i) => local[i].push(d.clone()),
            None => global.push(d.clone()),
        }
    }
    global.extend(g.diags.iter().cloned());
    workflow_rules(wf, &mut global);
    for (i, l) in local.iter_mut().enumerate() {
        nodes::check_node(g, i, opts, l);
    }
    graph_rules::check(g, opts, &mut global);
    names::check(g, &objects, &mut global);
    global.extend(cycles);
    (global, local)
}

/// The node rules of one node (for a session's value edit).
pub(crate) fn check_one_node(
    g: &Graph<'_>,
    i: usize,
    opts: &ValidateOptions,
    out: &mut Vec<Diagnostic>,
) {
    nodes::check_node(g, i, opts, out);
}

fn workflow_rules(wf: &Workflow, out: &mut Vec<Diagnostic>) {
    if wf.name.is_empty() {
        out.push(
            Diagnostic::new(Code::NameRequired, "the workflow has no `name`")
                .at("name")
                .hint("set a name such as \"shop\" (a DNS label)"),
        );
    } else if let Err(why) = formats::dns1123_label(&wf.name, 63) {
        out.push(
            Diagnostic::new(
                Code::NameFormat,
                format!(
                    "workflow name {} {why}",
                    crate::model::load::quote(&wf.name)
                ),
            )
            .at("name")
            .hint(format!(
                "try \"{}\" (lowercase letters, digits, '-')",
                formats::suggest_name(&wf.name, 63)
            )),
        );
    }
    if wf.id.len() > 128 {
        out.push(
            Diagnostic::new(
                Code::ValueRange,
                "the workflow `id` is longer than 128 characters",
            )
            .at("id"),
        );
    }
    if let Some(ns) = &wf.namespace {
        if let Err(why) = formats::dns1123_label(ns, 63) {
            out.push(
                Diagnostic::new(
                    Code::NameFormat,
                    format!("namespace {} {why}", crate::model::load::quote(ns)),
                )
                .at("namespace"),
            );
        } else if ns == "kube-system" {
            out.push(
                Diagnostic::new(
                    Code::NamespaceSystem,
                    "the workflow deploys into kube-system",
                )
                .at("namespace")
                .hint("use a namespace of your own"),
            );
        }
    }
    if wf.nodes.is_empty() && wf.rejected_nodes.is_empty() {
        out.push(
            Diagnostic::new(
                Code::WorkflowEmpty,
                "the workflow has no nodes; nothing will be generated",
            )
            .at("nodes"),
        );
    }
    if let Some(s) = &wf.settings {
        let mut range = |prop: &str, v: Option<i64>, min: i64, what: &str| {
            if let Some(v) = v
                && v < min
            {
                out.push(
                    Diagnostic::new(
                        Code::ValueRange,
                        format!("{what} is {v}; it must be at least {min}"),
                    )
                    .at(format!("settings.{prop}")),
                );
            }
        };
        range(
            "stepTimeoutSeconds",
            s.step_timeout_seconds,
            1,
            "the step timeout",
        );
        range(
            "totalTimeoutSeconds",
            s.total_timeout_seconds,
            1,
            "the total timeout",
        );
        if let Some(r) = &s.retry {
            range("retry.maxAttempts", r.max_attempts, 1, "retry.maxAttempts");
            range(
                "retry.initialDelaySeconds",
                r.initial_delay_seconds,
                0,
                "retry.initialDelaySeconds",
            );
        }
        if let (Some(step), Some(total)) = (s.step_timeout_seconds, s.total_timeout_seconds)
            && total < step
        {
            out.push(
                Diagnostic::new(
                    Code::ValueRange,
                    format!(
                        "the total timeout ({total}s) is shorter than one step timeout ({step}s)"
                    ),
                )
                .at("settings.totalTimeoutSeconds"),
            );
        }
    }
}

/// One `GRAPH_CYCLE` finding per cycle, naming every node in cycle order.
pub(crate) fn cycle_diagnostics(g: &Graph<'_>) -> Vec<Diagnostic> {
    g.cycles()
        .into_iter()
        .map(|cycle| {
            let names: Vec<&str> = cycle.iter().map(|(i, _)| g.name(*i)).collect();
            let mut text = names.join(" → ");
            text.push_str(" → ");
            text.push_str(names[0]);
            let mut d = Diagnostic::new(Code::GraphCycle, format!("dependency cycle: {text}"))
                .node(g.id(cycle[0].0))
                .hint("remove one connection of the cycle, or make it dashed (optional)");
            for (i, via) in &cycle {
                let mut r = crate::diag::Related::node(g.id(*i), g.name(*i));
                if !via.contains(' ') {
                    r.connection_id = Some(via.clone());
                } else {
                    r.label = format!("{} (then via {via})", g.name(*i));
                }
                d.related.push(r);
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn target_and_mode_names_are_the_serialized_ones() {
        for t in Target::ALL {
            let json = serde_json::to_value(t).expect("serializes");
            assert_eq!(json, serde_json::Value::String(t.as_str().to_owned()));
            assert_eq!(Target::parse(t.as_str()), Some(t));
        }
        assert_eq!(Target::parse("k8s"), Some(Target::Kubernetes));
        assert_eq!(Target::parse("docker-compose"), Some(Target::Compose));
        assert_eq!(Target::parse("terraform"), None);
        for m in [Mode::Live, Mode::Generate] {
            let name = serde_json::to_value(m).expect("serializes");
            assert_eq!(Mode::parse(name.as_str().expect("a string")), Some(m));
        }
        assert_eq!(Mode::parse("Live"), None);
        use crate::generate::Layout;
        for l in [Layout::SingleFile, Layout::PerObject] {
            let name = serde_json::to_value(l).expect("serializes");
            assert_eq!(Layout::parse(name.as_str().expect("a string")), Some(l));
        }
        assert_eq!(Layout::parse("per-object"), Some(Layout::PerObject));
    }
}
