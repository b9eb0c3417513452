//! Names: NAME_REQUIRED, NAME_FORMAT (incl. derived names), NAME_DUPLICATE (incl. implicit objects).

use super::formats;
use crate::diag::{Code, Diagnostic, Related};
use crate::graph::Graph;
use crate::model::NodeType;
use crate::model::load::quote;
use crate::objects::{ObjectRef, derived_names};

pub(super) fn check(g: &Graph<'_>, objects: &[Vec<ObjectRef>], out: &mut Vec<Diagnostic>) {
    // Every produced object with its node; sorted so equal identities are adjacent.
    let mut all: Vec<(&ObjectRef, usize)> = Vec::with_capacity(g.nodes.len() * 2);
    for (i, node_objects) in objects.iter().enumerate() {
        let n = g.nodes[i];
        let Some(t) = n.node_type() else { continue };
        let name = n.name();
        if name.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::NameRequired,
                    format!("{} node has no name", t.short()),
                )
                .node(&n.id)
                .at("data.name")
                .hint("set `data.name`; it becomes the Kubernetes object name"),
            );
            continue;
        }
        let (check, rule): (Result<(), String>, &str) = match t {
            NodeType::App | NodeType::StatefulApp | NodeType::Service => (
                formats::dns1035_label(name, 63),
                "a DNS-1035 label: lowercase letters, digits, '-', starting with a letter, ≤63",
            ),
            NodeType::CronJob => (
                formats::dns1123_label(name, 52),
                "a DNS-1123 label of at most 52 characters",
            ),
            NodeType::Secret
            | NodeType::ConfigMap
            | NodeType::ServiceAccount
            | NodeType::Role
            | NodeType::NetworkPolicy => (
                formats::dns1123_subdomain(name),
                "a DNS-1123 subdomain: lowercase letters, digits, '-', '.', ≤253",
            ),
            _ => (
                formats::dns1123_label(name, 63),
                "a DNS-1123 label: lowercase letters, digits, '-', ≤63",
            ),
        };
        if let Err(why) = check {
            let max = if t == NodeType::CronJob { 52 } else { 63 };
            let mut suggestion = formats::suggest_name(name, max);
            if matches!(t, NodeType::App | NodeType::StatefulApp | NodeType::Service)
                && suggestion.starts_with(|c: char| c.is_ascii_digit())
            {
                suggestion.insert_str(0, "x-");
            }
            out.push(
                Diagnostic::new(Code::NameFormat, format!("name {} {why}", quote(name)))
                    .node(&n.id)
                    .at("data.name")
                    .hint(format!("must be {rule}; try \"{suggestion}\"")),
            );
        } else {
            for d in derived_names(n) {
                if d.name.len() > d.max {
                    out.push(
                        Diagnostic::new(
                            Code::NameFormat,
                            format!(
                                "derived {} name {} is {} characters long; the limit is {}",
                                d.what,
                                quote(&d.name),
                                d.name.len(),
                                d.max
                            ),
                        )
                        .node(&n.id)
                        .at("data.name")
                        .hint(format!(
                            "shorten the name to at most {} characters",
                            d.max - (d.name.len() - name.len())
                        )),
                    );
                }
            }
        }
        all.extend(node_objects.iter().map(|o| (o, i)));
    }
    // Group equal identities with a hash map (lookups only), then report in sorted order.
    let mut first: crate::graph::LookupMap<(&str, Option<&str>, &str), usize> =
        crate::graph::LookupMap::with_capacity_and_hasher(all.len(), Default::default());
    let mut dups: Vec<(usize, usize)> = Vec::new();
    for (k, (o, _)) in all.iter().enumerate() {
        let key = (o.kind.as_ref(), o.namespace.as_deref(), o.name.as_str());
        match first.get(&key) {
            Some(&f) => dups.push((f, k)),
            None => {
                first.insert(key, k);
            }
        }
    }
    // By first occurrence (an index vector, not a map: one map type less in the engine).
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); all.len()];
    for (f, k) in dups {
        if groups[f].is_empty() {
            groups[f].push(f);
        }
        groups[f].push(k);
    }
    for members in groups.into_iter().filter(|m| !m.is_empty()) {
        let (kind, ns, name) = (
            all[members[0]].0.kind.clone(),
            all[members[0]].0.namespace.clone(),
            all[members[0]].0.name.clone(),
        );
        let mut users: Vec<(usize, bool)> = members
            .iter()
            .map(|&k| (all[k].1, all[k].0.implicit))
            .collect();
        crate::sort::sort(&mut users);
        for (k, &(i, implicit)) in users.iter().enumerate() {
            // Name at most a few of the others: a finding per duplicate stays small even when
            // thousands of nodes share one name.
            const SHOWN: usize = 5;
            let total_others = users.len() - 1;
            let others: Vec<&(usize, bool)> = users
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, u)| u)
                .take(SHOWN)
                .collect();
            let more = if total_others > SHOWN {
                format!(" and {} more", total_others - SHOWN)
            } else {
                String::new()
            };
            let where_ = ns
                .as_deref()
                .map(|n| format!(" in namespace {}", quote(n)))
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                Code::NameDuplicate,
                format!(
                    "{}{kind} {}{where_} is also produced by {}",
                    if implicit { "implicit " } else { "" },
                    quote(&name),
                    others
                        .iter()
                        .map(|(o, imp)| format!(
                            "{} {}{}",
                            g.ty(*o).map_or("node", |t| t.short()),
                            quote(g.name(*o)),
                            if *imp { " (implicitly)" } else { "" }
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                        + &more
                ),
            )
            .node(g.id(i))
            .at("data.name")
            .hint("rename one of the nodes");
            for (o, _) in others {
                d.related.push(Related::node(g.id(*o), g.name(*o)));
            }
            out.push(d);
        }
    }
}
