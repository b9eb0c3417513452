//! The effective graph: valid, active, de-duplicated connections classified by the pair table
//! (§3.2), implicit edges (group membership, property references §3.4), ordering edges and
//! cycles. Shared by `validate()` and `plan()`; petgraph types stay inside this module.

use crate::diag::{Code, Diagnostic, Related};
use crate::model::load::quote;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// Meaning of a connection, by row of the pair table (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pair {
    SecretToWorkload,
    ConfigToWorkload,
    SecretToIngress,
    SecretToSa,
    WorkloadToService,
    ServiceToIngress,
    AppToIngress,
    SaToWorkload,
    SaToRole,
    RoleToWorkload,
    NpToWorkload,
    WorkloadToNp,
    DsToApp,
    ObsToTarget,
    ServerToServer,
    ServerToJob,
    JobToWorkload,
    ServiceToWorkload,
    CrToWorkload,
}

impl Pair {
    pub(crate) fn conn_type(self) -> ConnectionType {
        use Pair::*;
        match self {
            SecretToWorkload | ConfigToWorkload | DsToApp => ConnectionType::Configuration,
            SecretToIngress | SecretToSa | SaToWorkload | SaToRole | RoleToWorkload
            | NpToWorkload | WorkloadToNp => ConnectionType::Security,
            ObsToTarget => ConnectionType::Monitoring,
            WorkloadToService | ServiceToIngress | AppToIngress | ServerToServer | ServerToJob
            | JobToWorkload | ServiceToWorkload | CrToWorkload => ConnectionType::Dependency,
        }
    }

    /// Whether the pair orders deployment (before style is considered).
    pub(crate) fn orders(self) -> bool {
        !matches!(self, Pair::WorkloadToNp | Pair::DsToApp | Pair::ObsToTarget)
    }

    /// Human description of what the target waits for.
    pub(crate) fn describe(self) -> &'static str {
        use Pair::*;
        match self {
            SecretToWorkload => "injects secret",
            ConfigToWorkload => "injects config",
            SecretToIngress => "provides TLS certificate",
            SecretToSa => "provides pull/token secret",
            WorkloadToService => "is selected by the service",
            ServiceToIngress => "is the ingress backend",
            AppToIngress => "is the ingress backend (implicit service)",
            SaToWorkload => "is the pod identity",
            SaToRole => "is bound to the role",
            RoleToWorkload => "grants permissions",
            NpToWorkload => "applies the network policy",
            WorkloadToNp => "is allowed in by the policy",
            DsToApp => "sets the rollout strategy",
            ObsToTarget => "is monitored",
            ServerToServer => "must be ready first",
            ServerToJob => "must be ready first",
            JobToWorkload => "must complete first",
            ServiceToWorkload => "is consumed",
            CrToWorkload => "CRD must be established first",
        }
    }
}

/// The pair-table row of a (source, target) pair, if the pair is valid.
fn valid_pair(src: NodeType, tgt: NodeType) -> Option<Pair> {
    use NodeType::*;
    let w = |t: NodeType| t.is_workload();
    let srv = |t: NodeType| t.is_server();
    match (src, tgt) {
        (Secret, t) if w(t) => Some(Pair::SecretToWorkload),
        (ConfigMap, t) if w(t) => Some(Pair::ConfigToWorkload),
        (Secret, Ingress) => Some(Pair::SecretToIngress),
        (Secret, ServiceAccount) => Some(Pair::SecretToSa),
        (s, Service) if srv(s) => Some(Pair::WorkloadToService),
        (Service, Ingress) => Some(Pair::ServiceToIngress),
        (App, Ingress) => Some(Pair::AppToIngress),
        (ServiceAccount, t) if w(t) => Some(Pair::SaToWorkload),
        (ServiceAccount, Role) => Some(Pair::SaToRole),
        (Role, t) if w(t) => Some(Pair::RoleToWorkload),
        (NetworkPolicy, t) if w(t) => Some(Pair::NpToWorkload),
        (s, NetworkPolicy) if w(s) => Some(Pair::WorkloadToNp),
        (DeploymentStrategy, App) => Some(Pair::DsToApp),
        (Observability, App | StatefulApp | Service) => Some(Pair::ObsToTarget),
        (s, t) if srv(s) && srv(t) => Some(Pair::ServerToServer),
        (s, Job | CronJob) if srv(s) => Some(Pair::ServerToJob),
        (Job, t) if w(t) => Some(Pair::JobToWorkload),
        (Service, t) if w(t) => Some(Pair::ServiceToWorkload),
        (CustomResource, t) if w(t) => Some(Pair::CrToWorkload),
        _ => None,
    }
}

/// Classifies a (source, target) pair. `Err(hint)` for an invalid pair.
pub(crate) fn classify(src: NodeType, tgt: NodeType) -> Result<Pair, Option<String>> {
    use NodeType::*;
    if let Some(p) = valid_pair(src, tgt) {
        return Ok(p);
    }
    let hint = match (src, tgt) {
        (AppGroup, _) | (_, AppGroup) => Some(
            "AppGroups take no connections; set `parent` to the group's id on its members"
                .to_owned(),
        ),
        (DeploymentStrategy, StatefulApp) => {
            Some("StatefulApps have their own `updateStrategy` property".to_owned())
        }
        (CronJob, t) if t.is_workload() => Some(
            "a CronJob never completes, so nothing can wait for it; use a Job (e.g. a migration)"
                .to_owned(),
        ),
        (Job, Service | Ingress) => {
            Some("a Job is not long-running, so it cannot back a Service or Ingress".to_owned())
        }
        (Secret, Service) => Some(
            "a Secret cannot configure a Service; connect the Secret to the workload behind it"
                .to_owned(),
        ),
        _ => None,
    };
    if hint.is_some() {
        return Err(hint);
    }
    if valid_pair(tgt, src).is_some() {
        return Err(Some(format!(
            "did you mean {} → {}? (connections point from provider to consumer)",
            tgt.short(),
            src.short()
        )));
    }
    Err(None)
}

/// Why an ordering edge exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Why {
    Connection {
        id: String,
        pair: Pair,
        style: Style,
    },
    Group,
    /// A strategy / observability node applied inside this step needs the predecessor.
    Attached {
        attached: usize,
    },
    Reference {
        property: String,
    },
}

/// A valid, active, de-duplicated connection.
#[derive(Debug, Clone)]
pub(crate) struct Edge<'a> {
    pub(crate) conn: &'a Connection,
    pub(crate) src: usize,
    pub(crate) tgt: usize,
    pub(crate) pair: Pair,
}

impl Edge<'_> {
    pub(crate) fn ordering(&self) -> bool {
        self.pair.orders() && self.conn.style() != Style::Dashed
    }
}

/// The analysed graph of a workflow.
#[derive(Debug)]
pub(crate) struct Graph<'a> {
    pub(crate) wf: &'a Workflow,
    /// Nodes with unique ids, sorted by id.
    pub(crate) nodes: Vec<&'a Node>,
    /// Effective namespace per node.
    pub(crate) ns: Vec<&'a str>,
    /// Valid AppGroup of each node.
    pub(crate) group: Vec<Option<usize>>,
    /// Node id → index. A hash map for O(1) lookups on big graphs; it is only ever looked up,
    /// never iterated, so it cannot affect the order of any output.
    by_id: IdIndex<'a>,
    /// (type, name, namespace, node), sorted; the first entry of a key is the smallest id.
    by_name: Vec<(NodeType, &'a str, &'a str, usize)>,
    /// Services that have an explicit, non-empty selector.
    pub(crate) selector_services: Vec<usize>,
    /// Valid, active, de-duplicated connections, sorted by connection id.
    pub(crate) edges: Vec<Edge<'a>>,
    /// Edge indices leaving / entering each node, as offset tables into flat lists.
    out_off: Vec<usize>,
    out_list: Vec<usize>,
    in_off: Vec<usize>,
    in_list: Vec<usize>,
    /// Sources of valid conditional connections that are inactive in this environment.
    pub(crate) inactive_sources: BTreeSet<usize>,
    /// Ordering edges (source, target, why), connections and implicit ones.
    pub(crate) ordering: Vec<(usize, usize, Why)>,
    /// Findings made while building (connections, parents, references).
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'a> Graph<'a> {
    pub(crate) fn build(wf: &'a Workflow) -> Graph<'a> {
        let mut diags = Vec::new();
        // Unique nodes, deterministic whatever the input order.
        let mut sorted: Vec<&Node> = wf.nodes.iter().collect();
        crate::sort::sort_by(&mut sorted, |a, b| {
            (a.id.as_str(), a.kind.id(), a.name())
                .cmp(&(b.id.as_str(), b.kind.id(), b.name()))
                .then_with(|| canonical(a).cmp(&canonical(b)))
        });
        let mut nodes: Vec<&Node> = Vec::with_capacity(sorted.len());
        for n in sorted {
            if let Some(prev) = nodes.last()
                && prev.id == n.id
            {
                diags.push(
                    Diagnostic::new(
                        Code::IdDuplicate,
                        format!(
                            "node id {} is used by {} ({}) and {} ({}); only {} is analysed",
                            quote(&n.id),
                            quote(prev.name()),
                            prev.kind.id(),
                            quote(n.name()),
                            n.kind.id(),
                            quote(prev.name())
                        ),
                    )
                    .node(&n.id)
                    .at("id")
                    .hint("give every node its own id"),
                );
                continue;
            }
            nodes.push(n);
        }
        let by_id = IdIndex::new(&nodes);
        let find_id = |id: &str| by_id.get(id);

        // Groups and namespaces.
        let mut group = vec![None; nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            let Some(pid) = &n.parent else { continue };
            match find_id(pid.as_str()) {
                None => diags.push(
                    Diagnostic::new(
                        Code::ConnUnknownNode,
                        format!("`parent` {} is not a node of the workflow", quote(pid)),
                    )
                    .node(&n.id)
                    .at("parent"),
                ),
                Some(p) => {
                    let pn = nodes[p];
                    if pn.node_type() != Some(NodeType::AppGroup) {
                        diags.push(
                            Diagnostic::new(
                                Code::ParentInvalid,
                                format!(
                                    "`parent` {} is a {}, not an AppGroup",
                                    quote(pn.name()),
                                    pn.kind.id()
                                ),
                            )
                            .node(&n.id)
                            .at("parent")
                            .related(Related::node(&pn.id, pn.name())),
                        );
                    } else if n.node_type() == Some(NodeType::AppGroup) {
                        diags.push(
                            Diagnostic::new(
                                Code::ParentInvalid,
                                "AppGroups cannot be nested".to_string(),
                            )
                            .node(&n.id)
                            .at("parent")
                            .hint("remove `parent` from the group")
                            .related(Related::node(&pn.id, pn.name())),
                        );
                    } else {
                        group[i] = Some(p);
                    }
                }
            }
        }
        let ns: Vec<&str> = (0..nodes.len())
            .map(|i| match group[i] {
                Some(g) => group_namespace(nodes[g]),
                None => wf.default_namespace(),
            })
            .collect();

        let mut g = Graph {
            wf,
            nodes,
            by_id,
            ns,
            group,
            by_name: Vec::new(),
            selector_services: Vec::new(),
            inactive_sources: BTreeSet::new(),
            edges: Vec::new(),
            out_off: Vec::new(),
            out_list: Vec::new(),
            in_off: Vec::new(),
            in_list: Vec::new(),
            ordering: Vec::new(),
            diags,
        };
        g.build_index();
        g.build_edges();
        g.build_ordering();
        g
    }

    fn build_index(&mut self) {
        let mut by_name = Vec::with_capacity(self.nodes.len());
        for i in 0..self.nodes.len() {
            if let Some(t) = self.ty(i) {
                by_name.push((t, self.nodes[i].name(), self.ns[i], i));
            }
            if let Properties::Service(p) = &self.nodes[i].data.properties
                && p.selector.as_ref().is_some_and(|s| !s.is_empty())
            {
                self.selector_services.push(i);
            }
        }
        crate::sort::sort(&mut by_name);
        self.by_name = by_name;
    }

    /// Indices of the edges leaving node `i`, in connection-id order.
    pub(crate) fn out(&self, i: usize) -> &[usize] {
        &self.out_list[self.out_off[i]..self.out_off[i + 1]]
    }

    /// Indices of the edges entering node `i`, in connection-id order.
    pub(crate) fn inn(&self, i: usize) -> &[usize] {
        &self.in_list[self.in_off[i]..self.in_off[i + 1]]
    }

    /// Index of the node with this id.
    pub(crate) fn idx(&self, id: &str) -> Option<usize> {
        self.by_id.get(id)
    }

    pub(crate) fn ty(&self, i: usize) -> Option<NodeType> {
        self.nodes[i].node_type()
    }

    pub(crate) fn name(&self, i: usize) -> &'a str {
        self.nodes[i].name()
    }

    pub(crate) fn id(&self, i: usize) -> &'a str {
        &self.nodes[i].id
    }

    /// Sources of incoming edges of `pair` into `i`.
    pub(crate) fn sources(&self, i: usize, pair: Pair) -> impl Iterator<Item = usize> + '_ {
        self.inn(i)
            .iter()
            .map(|e| &self.edges[*e])
            .filter(move |e| e.pair == pair)
            .map(|e| e.src)
    }

    /// Targets of outgoing edges of `pair` from `i`.
    pub(crate) fn targets(&self, i: usize, pair: Pair) -> impl Iterator<Item = usize> + '_ {
        self.out(i)
            .iter()
            .map(|e| &self.edges[*e])
            .filter(move |e| e.pair == pair)
            .map(|e| e.tgt)
    }

    /// Some node of the given type and name, in any namespace.
    pub(crate) fn find_any_namespace(&self, t: NodeType, name: &str) -> Option<usize> {
        let k = self
            .by_name
            .partition_point(|(tt, n, _, _)| (*tt, *n) < (t, name));
        self.by_name
            .get(k)
            .filter(|(tt, n, _, _)| *tt == t && *n == name)
            .map(|e| e.3)
    }

    /// Node of the given type, name and namespace.
    pub(crate) fn find(&self, t: NodeType, name: &str, ns: &str) -> Option<usize> {
        let k = self
            .by_name
            .partition_point(|(tt, n, s, _)| (*tt, *n, *s) < (t, name, ns));
        self.by_name
            .get(k)
            .filter(|(tt, n, s, _)| *tt == t && *n == name && *s == ns)
            .map(|e| e.3)
    }

    fn build_edges(&mut self) {
        let wf = self.wf;
        let env = wf.settings.as_ref().and_then(|s| s.environment);
        let mut conns: Vec<&Connection> = wf.connections.iter().collect();
        crate::sort::sort_by(&mut conns, |a, b| {
            (a.id.as_str(), a.source.as_str(), a.target.as_str())
                .cmp(&(b.id.as_str(), b.source.as_str(), b.target.as_str()))
                .then_with(|| canonical(a).cmp(&canonical(b)))
        });
        let mut prev_id: Option<&str> = None;
        // (source, target, type) → the first connection id. Not a string key into a map type the
        // engine has anyway (fewer map types, smaller browser engine): a key string per
        // connection made every session edit, which rebuilds the graph, 35% slower.
        let mut seen_triples: BTreeMap<(usize, usize, ConnectionType), &str> = BTreeMap::new();
        for c in conns {
            let repeated = prev_id == Some(c.id.as_str());
            prev_id = Some(c.id.as_str());
            if repeated {
                self.diags.push(
                    Diagnostic::new(
                        Code::IdDuplicate,
                        format!("connection id {} is used more than once", quote(&c.id)),
                    )
                    .connection(&c.id)
                    .at("id")
                    .hint("give every connection its own id"),
                );
            }
            let s = self.idx(&c.source);
            let t = self.idx(&c.target);
            for (end, idx, id) in [("source", s, &c.source), ("target", t, &c.target)] {
                if idx.is_none() {
                    self.diags.push(
                        Diagnostic::new(
                            Code::ConnUnknownNode,
                            format!("{end} {} is not a node of the workflow", quote(id)),
                        )
                        .connection(&c.id)
                        .at(end)
                        .hint("reconnect the edge to an existing node or delete it"),
                    );
                }
            }
            // Conditional edges: the condition is checked even when the edge is otherwise invalid.
            let mut active = true;
            if c.style() == Style::Slashed {
                let envs = c
                    .data
                    .as_ref()
                    .and_then(|d| d.when.as_ref())
                    .and_then(|w| w.environments.as_ref());
                let rejected = c.data.as_ref().is_some_and(|d| {
                    d.other.contains_key("when")
                        || d.when
                            .as_ref()
                            .is_some_and(|w| w.other.contains_key("environments"))
                });
                match envs {
                    // The condition is there but unreadable (already reported): inactive.
                    None if rejected => active = false,
                    None => {
                        self.diags.push(
                            Diagnostic::new(
                                Code::ConnConditionMissing,
                                "conditional (slashed) connection has no `data.when.environments`",
                            )
                            .connection(&c.id)
                            .at("data.when")
                            .hint("add \"data\": {\"when\": {\"environments\": [\"production\"]}} or use another style"),
                        );
                        active = false;
                    }
                    Some(list) => active = env.is_some_and(|e| list.contains(&e)),
                }
            }
            let (Some(s), Some(t)) = (s, t) else { continue };
            if s == t {
                self.diags.push(
                    Diagnostic::new(
                        Code::ConnSelf,
                        format!("connection from {} to itself", quote(self.name(s))),
                    )
                    .connection(&c.id)
                    .hint("remove the connection"),
                );
                continue;
            }
            let (Some(st), Some(tt)) = (self.ty(s), self.ty(t)) else {
                continue; // unknown node type: already reported
            };
            let pair = match classify(st, tt) {
                Ok(p) => p,
                Err(hint) => {
                    let mut d = Diagnostic::new(
                        Code::ConnInvalidPair,
                        format!(
                            "{} {} → {} {} is not a valid connection",
                            st.short(),
                            quote(self.name(s)),
                            tt.short(),
                            quote(self.name(t))
                        ),
                    )
                    .connection(&c.id)
                    .related(Related::node(self.id(s), self.name(s)))
                    .related(Related::node(self.id(t), self.name(t)));
                    d.hint = hint;
                    self.diags.push(d);
                    continue;
                }
            };
            let inferred = pair.conn_type();
            if let Some(sent) = c.conn_type
                && sent != inferred
            {
                self.diags.push(
                    Diagnostic::new(
                        Code::ConnTypeMismatch,
                        format!(
                            "type \"{sent}\" differs from \"{inferred}\" implied by {} → {}; \"{inferred}\" is used",
                            st.short(),
                            tt.short()
                        ),
                    )
                    .connection(&c.id)
                    .at("type")
                    .hint(format!("set \"type\": \"{inferred}\" or leave it out")),
                );
            }
            if !active {
                self.inactive_sources.insert(s);
                continue;
            }
            let triple = (s, t, inferred);
            if let Some(first) = seen_triples.get(&triple) {
                self.diags.push(
                    Diagnostic::new(
                        Code::ConnDuplicate,
                        format!(
                            "duplicate of connection {} ({} → {}); ignored",
                            quote(first),
                            quote(self.name(s)),
                            quote(self.name(t))
                        ),
                    )
                    .connection(&c.id)
                    .related(Related::connection(first, "first connection"))
                    .hint("remove the duplicate"),
                );
                continue;
            }
            seen_triples.insert(triple, &c.id);
            self.edges.push(Edge {
                conn: c,
                src: s,
                tgt: t,
                pair,
            });
        }
        let n = self.nodes.len();
        let (out_off, out_list) = csr(n, self.edges.iter().map(|e| e.src));
        let (in_off, in_list) = csr(n, self.edges.iter().map(|e| e.tgt));
        (self.out_off, self.out_list, self.in_off, self.in_list) =
            (out_off, out_list, in_off, in_list);
    }

    fn build_ordering(&mut self) {
        let mut ordering = Vec::new();
        for e in &self.edges {
            if e.ordering() {
                ordering.push((
                    e.src,
                    e.tgt,
                    Why::Connection {
                        id: e.conn.id.clone(),
                        pair: e.pair,
                        style: e.conn.style(),
                    },
                ));
            }
        }
        for (i, g) in self.group.iter().enumerate() {
            if let Some(g) = g {
                ordering.push((*g, i, Why::Group));
            }
        }
        let refs = crate::refs::resolve(self);
        for r in refs.implicit {
            ordering.push((r.0, r.1, Why::Reference { property: r.2 }));
        }
        self.diags.extend(refs.diags);
        crate::sort::sort(&mut ordering);
        ordering.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
        self.ordering = ordering;
    }

    /// Labels carried by the pods of a workload node (what selectors can match).
    pub(crate) fn pod_labels(&self, i: usize) -> BTreeMap<String, String> {
        let n = self.nodes[i];
        let mut l = BTreeMap::new();
        if let Some(user) = n.data.properties.labels() {
            l.extend(user.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let name = n.name().to_owned();
        l.insert("app".into(), name.clone());
        l.insert("app.kubernetes.io/name".into(), name.clone());
        l.insert("app.kubernetes.io/instance".into(), name);
        l.insert("app.kubernetes.io/managed-by".into(), "celestra".into());
        if let Some(g) = self.group[i] {
            l.insert("app.kubernetes.io/part-of".into(), self.name(g).to_owned());
        }
        l
    }

    /// One label of the pods of a workload node: the value [`Graph::pod_labels`] has for
    /// `key`, without building the map.
    pub(crate) fn pod_label(&self, i: usize, key: &str) -> Option<&str> {
        match key {
            "app" | "app.kubernetes.io/name" | "app.kubernetes.io/instance" => {
                Some(self.nodes[i].name())
            }
            "app.kubernetes.io/managed-by" => Some("celestra"),
            "app.kubernetes.io/part-of" if self.group[i].is_some() => {
                self.group[i].map(|g| self.name(g))
            }
            _ => self.nodes[i]
                .data
                .properties
                .labels()
                .and_then(|l| l.get(key))
                .map(String::as_str),
        }
    }

    /// Workload nodes in namespace `ns` whose pod labels include `selector`.
    pub(crate) fn matching_workloads(
        &self,
        selector: &BTreeMap<String, String>,
        ns: &str,
        servers_only: bool,
    ) -> Vec<usize> {
        if selector.is_empty() {
            return Vec::new();
        }
        (0..self.nodes.len())
            .filter(|&i| {
                self.ty(i).is_some_and(|t| {
                    if servers_only {
                        t.is_server()
                    } else {
                        t.is_workload()
                    }
                }) && self.ns[i] == ns
            })
            .filter(|&i| {
                selector
                    .iter()
                    .all(|(k, v)| self.pod_label(i, k) == Some(v.as_str()))
            })
            .collect()
    }

    /// The cycles among ordering edges: one elementary cycle per strongly connected component,
    /// through its smallest node id, as (node, connection-or-reason) pairs in cycle order.
    pub(crate) fn cycles(&self) -> Vec<Vec<(usize, String)>> {
        use petgraph::graph::{DiGraph, NodeIndex};
        let n = self.nodes.len();
        let mut dg: DiGraph<(), ()> = DiGraph::with_capacity(n, self.ordering.len());
        for _ in 0..n {
            dg.add_node(());
        }
        let mut succ: Vec<Vec<(usize, String)>> = vec![Vec::new(); n];
        for (s, t, why) in &self.ordering {
            dg.add_edge(NodeIndex::new(*s), NodeIndex::new(*t), ());
            let label = match why {
                Why::Connection { id, .. } => id.clone(),
                Why::Group => "group membership".into(),
                Why::Attached { .. } => "attached node".into(),
                Why::Reference { property } => format!("reference {property}"),
            };
            succ[*s].push((*t, label));
        }
        let mut out = Vec::new();
        for comp in petgraph::algo::tarjan_scc(&dg) {
            if comp.len() < 2 {
                continue;
            }
            let members: BTreeSet<usize> = crate::sort::set(comp.iter().map(|x| x.index()));
            let start = *members.iter().min().expect("non-empty");
            // Shortest cycle through `start` by BFS inside the component.
            let mut prev: Vec<Option<(usize, String)>> = vec![None; n];
            let mut queue = std::collections::VecDeque::new();
            queue.push_back(start);
            let mut closing = None;
            'bfs: while let Some(u) = queue.pop_front() {
                for (v, label) in &succ[u] {
                    if !members.contains(v) {
                        continue;
                    }
                    if *v == start {
                        closing = Some((u, label.clone()));
                        break 'bfs;
                    }
                    if prev[*v].is_none() {
                        prev[*v] = Some((u, label.clone()));
                        queue.push_back(*v);
                    }
                }
            }
            let Some((last, last_label)) = closing else {
                continue;
            };
            // Walk back from `last` to `start`.
            let mut rev = vec![(last, last_label)];
            let mut cur = last;
            while cur != start {
                let (p, label) = prev[cur].clone().expect("reached by the search");
                // the label of edge p -> cur belongs to p's entry
                rev.push((p, label));
                cur = p;
            }
            rev.reverse();
            // rev = [(start, label start->x1), (x1, label x1->x2), ..., (last, label last->start)]
            out.push(rev);
        }
        crate::sort::sort(&mut out);
        out
    }
}

/// Compressed adjacency: for each node, the indices (in order) of the items whose key is it.
fn csr(n: usize, keys: impl Iterator<Item = usize> + Clone) -> (Vec<usize>, Vec<usize>) {
    let mut off = vec![0usize; n + 1];
    for k in keys.clone() {
        off[k + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut list = vec![0usize; off[n]];
    for (item, k) in keys.enumerate() {
        list[fill[k]] = item;
        fill[k] += 1;
    }
    (off, list)
}

/// FNV-1a: a small, fast, deterministic hash for short string keys (ids, names). Used only for
/// lookup tables, never for anything whose order reaches an output.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A lookup-only hash map with the FNV hasher: never iterated, so it cannot affect output order.
#[allow(clippy::disallowed_types)]
pub(crate) type LookupMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Id → index lookup table (see `Graph::by_id`).
#[derive(Debug)]
struct IdIndex<'a>(LookupMap<&'a str, usize>);

impl<'a> IdIndex<'a> {
    fn new(nodes: &[&'a Node]) -> Self {
        let mut m = LookupMap::with_capacity_and_hasher(nodes.len(), Default::default());
        for (i, n) in nodes.iter().enumerate() {
            m.insert(n.id.as_str(), i);
        }
        IdIndex(m)
    }
    fn get(&self, id: &str) -> Option<usize> {
        self.0.get(id).copied()
    }
}

/// Canonical JSON of an element: the last tie-breaker when sorting look-alike duplicates, so that
/// input order never decides which one is analysed. Through a JSON value (sorted keys); nodes
/// through the model's `ToJson`, as the session's content hashes (one writer, not two).
fn canonical<T: crate::json::ToJson>(x: &T) -> String {
    x.to_json().to_string()
}

/// Namespace of an AppGroup: its `namespace`, else its name.
pub(crate) fn group_namespace(group: &Node) -> &str {
    match &group.data.properties {
        Properties::AppGroup(p) => p
            .namespace
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(group.name()),
        _ => group.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pod_label` answers exactly what the map of `pod_labels` holds, for every key of it and
    /// for keys it lacks, on every fixture (groups, user labels overriding nothing they may not).
    #[test]
    fn pod_label_agrees_with_pod_labels() {
        let mut checked = 0;
        for (f, text) in crate::test_fixtures::WORKFLOWS.iter().enumerate() {
            let wf = crate::api::parse_str(text).expect("parses");
            let g = Graph::build(&wf);
            for i in 0..g.nodes.len() {
                let all = g.pod_labels(i);
                for (k, v) in &all {
                    assert_eq!(
                        g.pod_label(i, k),
                        Some(v.as_str()),
                        "fixture {f} node {i} {k}"
                    );
                    checked += 1;
                }
                for k in ["app.kubernetes.io/part-of", "tier", "missing", ""] {
                    assert_eq!(g.pod_label(i, k), all.get(k).map(String::as_str), "{k}");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
