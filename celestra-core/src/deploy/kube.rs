//! The Kubernetes project of a workflow, pure: the objects of every step in plan order, as the
//! Kubernetes generator renders them for the target version, with the inventory metadata a
//! deploy adds, and what a deploy would do against the live objects.
//!
//! Inventory (KEP-3659 ApplySet, so that `kubectl` sees the set): the parent is a Secret
//! `celestra-<name>` in the project's namespace, labelled `applyset.kubernetes.io/id=<id>`,
//! annotated with the tooling, the group-kinds and the other namespaces of its members; every
//! member carries the label `applyset.kubernetes.io/part-of=<id>` and the annotations
//! `celestra.io/node` (the node it came from) and `celestra.io/hash` (the hash of what was
//! applied). Revision records are Secrets `celestra-rev.<name>.<n>` next to the parent.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::docker::{Policy, policy, secret_values};
use super::event::{ObjectRef, PlannedNode};
use crate::error::Error;
use crate::generate::GenerateOptions;
use crate::generate::common::Fnv;
use crate::graph::Graph;
use crate::model::Workflow;

/// The label every member carries.
pub const PART_OF: &str = "applyset.kubernetes.io/part-of";
/// The parent's id label.
pub const APPLYSET_ID: &str = "applyset.kubernetes.io/id";
/// The parent's tooling annotation (`celestra/<version>`).
pub const TOOLING: &str = "applyset.kubernetes.io/tooling";
/// The parent's list of the members' group-kinds (`Deployment.apps,Service`).
pub const GROUP_KINDS: &str = "applyset.kubernetes.io/contains-group-kinds";
/// The parent's list of the members' namespaces other than its own.
pub const ADDITIONAL_NAMESPACES: &str = "applyset.kubernetes.io/additional-namespaces";
/// The node an object belongs to.
pub const NODE: &str = "celestra.io/node";
/// The hash of the object as applied (before this annotation was added).
pub const HASH: &str = "celestra.io/hash";
/// The label of a revision record naming its project.
pub const REVISION_OF: &str = "celestra.io/revision-of";
/// The revision number label of a revision record.
pub const REVISION: &str = "celestra.io/revision";
/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "celestra";

/// Options of a Kubernetes project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeProjectOptions {
    /// The project (ApplySet) name; default: the workflow's name made a DNS label.
    pub name: Option<String>,
    /// The namespace of the parent, the revision records and of every namespaced object the
    /// workflow does not place in an AppGroup namespace (default `default`).
    pub namespace: Option<String>,
    /// The generator's Kubernetes version (`"1.20"`); the driver passes the server's.
    pub kubernetes_version: Option<String>,
}

/// One object to apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeObject {
    /// The object's apiVersion.
    pub api_version: String,
    /// The object's kind.
    pub kind: String,
    /// `None` for objects the generator left without a namespace: namespaced kinds get the
    /// project's namespace (the driver knows the scope from discovery), cluster-scoped ones none.
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
    /// `fnv1a64:` of the object as rendered (before the inventory metadata).
    pub hash: String,
    /// The object, inventory metadata included; a Secret's values are not serialized.
    #[serde(serialize_with = "redacted_body")]
    pub body: Value,
}

fn redacted_body<S: serde::Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    if v.get("kind").and_then(Value::as_str) == Some("Secret") {
        let mut c = v.clone();
        for k in ["data", "stringData"] {
            if let Some(Value::Object(m)) = c.get_mut(k) {
                for val in m.values_mut() {
                    *val = Value::String(crate::generate::kubernetes::REDACTED.to_owned());
                }
            }
        }
        c.serialize(s)
    } else {
        v.serialize(s)
    }
}

impl KubeObject {
    /// `Kind.group` (`Deployment.apps`, `Service`): the ApplySet group-kind spelling.
    pub fn group_kind(&self) -> String {
        group_kind_key(&self.api_version, &self.kind)
    }
    /// The object's reference (namespace filled in by the driver when it is namespaced).
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }
    /// A Job: immutable once created; unchanged ones are left alone, changed ones recreated.
    pub fn is_job(&self) -> bool {
        self.kind == "Job" && self.api_version.starts_with("batch/")
    }
}

/// `Kind.group` of an apiVersion and kind (`Kind` alone for the core group).
pub fn group_kind_key(api_version: &str, kind: &str) -> String {
    match api_version.split_once('/') {
        Some((group, _)) => format!("{kind}.{group}"),
        None => kind.to_owned(),
    }
}

/// One node's step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeStep {
    /// The node.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// Its type (`App`…).
    pub node_type: String,
    /// Its wave (from 0).
    pub wave: usize,
    /// The nodes it waits for (direct).
    pub depends_on: Vec<String>,
    /// Its objects in apply order (attached strategy and observability nodes' objects last).
    pub objects: Vec<KubeObject>,
    /// The nodes attached to this step (their objects are in `objects`).
    pub attached: Vec<String>,
}

/// Everything a Kubernetes deploy of a workflow applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeProject {
    /// The project (ApplySet) name.
    pub name: String,
    /// The workflow's id.
    pub workflow_id: String,
    /// The workflow's name.
    pub workflow_name: String,
    /// The namespace of the parent and of objects without one.
    pub namespace: String,
    /// The ApplySet id (`applyset-<hash>-v1`).
    pub applyset_id: String,
    /// The generator's Kubernetes version.
    pub kubernetes_version: String,
    /// The steps in plan order.
    pub steps: Vec<KubeStep>,
    /// The number of waves.
    pub total_waves: usize,
    /// Error handling, retries and timeouts of the workflow.
    pub policy: Policy,
    /// Warnings of the workflow for the Kubernetes target.
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// The values of the workflow's Secrets: replaced in every message (never serialized).
    #[serde(skip)]
    pub secret_values: Vec<String>,
}

impl KubeProject {
    /// Its steps as a `started` event announces them.
    pub fn planned_nodes(&self) -> Vec<PlannedNode> {
        self.steps
            .iter()
            .map(|s| PlannedNode::new(&s.node_id, &s.name, &s.node_type, s.wave))
            .collect()
    }
    /// The parent Secret's name.
    pub fn parent_name(&self) -> String {
        parent_name(&self.name)
    }
    /// Every object in apply order.
    pub fn objects(&self) -> impl Iterator<Item = (&KubeStep, &KubeObject)> {
        self.steps
            .iter()
            .flat_map(|s| s.objects.iter().map(move |o| (s, o)))
    }
    /// The sorted, distinct group-kinds of the members.
    pub fn group_kinds(&self) -> Vec<String> {
        let mut v: Vec<String> = self.objects().map(|(_, o)| o.group_kind()).collect();
        crate::sort::sort(&mut v);
        v.dedup();
        v
    }
    /// Every namespace the members are in, the project's own included, sorted.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v = self.additional_namespaces();
        v.push(self.namespace.clone());
        crate::sort::sort(&mut v);
        v
    }
    /// Namespaces named by members other than the project's own, sorted.
    pub fn additional_namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .objects()
            .filter_map(|(_, o)| o.namespace.clone())
            .filter(|n| *n != self.namespace)
            .collect();
        crate::sort::sort(&mut v);
        v.dedup();
        v
    }
}

/// The name of project `project`'s parent Secret (the ApplySet's parent).
pub fn parent_name(project: &str) -> String {
    format!("celestra-{project}")
}

/// A DNS label from any text: lower case `[a-z0-9-]`, starting and ending alphanumeric, at
/// most 40 characters (room for the record names' prefix and suffix); `celestra` when empty.
pub fn project_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    s.truncate(40);
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() { "celestra".into() } else { s }
}

/// True when `name` is a DNS label of at most 40 characters.
pub fn is_project_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// True when `ns` is a valid namespace name (a DNS label of at most 63 characters).
pub fn is_namespace_name(ns: &str) -> bool {
    !ns.is_empty()
        && ns.len() <= 63
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !ns.starts_with('-')
        && !ns.ends_with('-')
}

/// kubectl's ApplySet id of a parent: `applyset-` + unpadded base64url of
/// sha256(`<name>.<namespace>.<Kind>.<group>`) + `-v1` (a Secret's group is empty).
pub fn applyset_id(parent_name: &str, namespace: &str) -> String {
    let digest =
        crate::deploy::sha256::digest(format!("{parent_name}.{namespace}.Secret.").as_bytes());
    format!("applyset-{}-v1", base64url(&digest))
}

fn base64url(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
        }
    }
    out
}

fn hash_value(v: &Value) -> String {
    let mut h = Fnv::new();
    h.bytes(serde_json::to_string(v).unwrap_or_default().as_bytes());
    format!("fnv1a64:{:016x}", h.finish())
}

/// The Kubernetes project of `workflow`. Refuses a workflow with errors for the Kubernetes
/// target (with its findings) and bad options.
pub fn project(workflow: &Workflow, opts: &KubeProjectOptions) -> Result<KubeProject, Error> {
    let name = match &opts.name {
        Some(n) if is_project_name(n) => n.clone(),
        Some(n) => {
            return Err(Error::Option {
                message: format!(
                    "project {n:?} is not a valid name: use at most 40 lower-case letters, digits and '-', starting and ending with a letter or digit"
                ),
            });
        }
        None => project_name(if workflow.name.is_empty() {
            &workflow.id
        } else {
            &workflow.name
        }),
    };
    let namespace = opts.namespace.clone().unwrap_or_else(|| "default".into());
    if !is_namespace_name(&namespace) {
        return Err(Error::Option {
            message: format!("namespace {namespace:?} is not a valid namespace name (a DNS label)"),
        });
    }
    let g = Graph::build(workflow);
    let gen_opts = GenerateOptions {
        kubernetes_version: opts.kubernetes_version.clone(),
        ..GenerateOptions::default()
    };
    let (mut per_node, version, warnings) = crate::generate::kube_objects(workflow, &g, &gen_opts)?;
    let plan = crate::plan::plan(workflow)?;
    let index: std::collections::BTreeMap<&str, usize> =
        (0..g.nodes.len()).map(|i| (g.id(i), i)).collect();
    let id = applyset_id(&parent_name(&name), &namespace);
    let mut steps = Vec::new();
    for (w, wave) in plan.waves.iter().enumerate() {
        for st in &wave.steps {
            let mut objects = Vec::new();
            let mut attached = Vec::new();
            let nodes = std::iter::once(st.node_id.as_str())
                .chain(st.attached.iter().map(|a| a.node_id.as_str()));
            for (k, node_id) in nodes.enumerate() {
                if k > 0 {
                    attached.push(node_id.to_owned());
                }
                let Some(&i) = index.get(node_id) else {
                    continue;
                };
                let grouped = g.group[i].is_some();
                for v in std::mem::take(&mut per_node[i]) {
                    let mut o = member(v, node_id, &id)?;
                    // outside an AppGroup the generator writes `default`: the project's
                    // namespace instead (the driver sets it on namespaced kinds)
                    if !grouped && o.kind != "Namespace" {
                        o.namespace = None;
                        if let Some(Value::Object(m)) = o.body.get_mut("metadata") {
                            m.remove("namespace");
                        }
                    }
                    objects.push(o);
                }
            }
            let mut depends_on: Vec<String> =
                st.waits_for.iter().map(|x| x.node_id.clone()).collect();
            crate::sort::sort(&mut depends_on);
            depends_on.dedup();
            steps.push(KubeStep {
                node_id: st.node_id.clone(),
                name: st.name.clone(),
                node_type: st.node_type.short().to_owned(),
                wave: w,
                depends_on,
                objects,
                attached,
            });
        }
    }
    Ok(KubeProject {
        secret_values: secret_values(&g),
        policy: policy(workflow),
        workflow_id: workflow.id.clone(),
        workflow_name: workflow.name.clone(),
        total_waves: plan.waves.len(),
        kubernetes_version: version.to_string(),
        applyset_id: id,
        name,
        namespace,
        steps,
        warnings,
    })
}

/// An object of node `node_id` made a member of ApplySet `id`: the part-of label, the node and
/// hash annotations; a Secret's `stringData` becomes `data` (a server-side apply of `stringData`
/// moves the resourceVersion once more on the first re-apply, and a live Secret only has `data`).
fn member(mut v: Value, node_id: &str, id: &str) -> Result<KubeObject, Error> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(api_version), Some(kind)) = (text(&v, "apiVersion"), text(&v, "kind")) else {
        return Err(Error::Option {
            message: format!("node {node_id:?}: an object without apiVersion or kind"),
        });
    };
    if kind == "Secret"
        && let Some(Value::Object(sd)) = v.as_object_mut().and_then(|m| m.remove("stringData"))
    {
        let data = v
            .as_object_mut()
            .map(|m| m.entry("data").or_insert_with(|| Value::Object(Map::new())));
        if let Some(Value::Object(d)) = data {
            for (k, val) in sd {
                let s = val.as_str().unwrap_or_default();
                d.insert(
                    k,
                    Value::String(crate::generate::kubernetes::base64_encode(s.as_bytes())),
                );
            }
        }
    }
    let hash = hash_value(&v);
    let meta = v
        .as_object_mut()
        .map(|m| m.entry("metadata").or_insert_with(|| json!({})));
    let Some(Value::Object(meta)) = meta else {
        return Err(Error::Option {
            message: format!("node {node_id:?}: {kind} has no metadata"),
        });
    };
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let namespace = meta
        .get("namespace")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Value::Object(l) = labels {
        l.insert(PART_OF.into(), Value::String(id.to_owned()));
    }
    let ann = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Value::Object(a) = ann {
        a.insert(NODE.into(), Value::String(node_id.to_owned()));
        a.insert(HASH.into(), Value::String(hash.clone()));
    }
    Ok(KubeObject {
        api_version,
        kind,
        namespace,
        name,
        hash,
        body: v,
    })
}

// ---- comparing with the live objects ----------------------------------------------------------

/// True when every field of `desired` has the same value in `live` (objects: key by key;
/// lists: same length, item by item; numbers by value). The server's additions (defaults,
/// status, metadata) do not count; a field someone changed does. A quantity the server wrote
/// in another spelling (`1024Mi` → `1Gi`) counts as a change: the apply that follows is a no-op
/// on the server, which the driver tells from an unchanged resourceVersion.
pub fn is_subset(desired: &Value, live: &Value) -> bool {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => d.iter().all(|(k, dv)| {
            l.get(k).is_some_and(|lv| is_subset(dv, lv)) || (dv.is_null() && !l.contains_key(k))
        }),
        (Value::Array(d), Value::Array(l)) => {
            d.len() == l.len() && d.iter().zip(l).all(|(a, b)| is_subset(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// What a deploy does to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectOp {
    /// Not on the server: apply creates it.
    Create,
    /// On the server and different (or drifted): apply.
    Update,
    /// On the server as desired: nothing is sent.
    Unchanged,
    /// A Job whose rendered spec changed: delete (background) and create again.
    Recreate,
}

/// The operation for one desired object given its live copy (if any).
pub fn object_op(desired: &KubeObject, live: Option<&Value>) -> ObjectOp {
    let Some(live) = live else {
        return ObjectOp::Create;
    };
    if desired.is_job() {
        let live_hash = live
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(HASH))
            .and_then(Value::as_str);
        return if live_hash == Some(desired.hash.as_str()) {
            ObjectOp::Unchanged
        } else {
            ObjectOp::Recreate
        };
    }
    if is_subset(&desired.body, live) {
        ObjectOp::Unchanged
    } else {
        ObjectOp::Update
    }
}

/// The fields the server or other tools own, left out of diffs and comparisons.
pub fn normalize(live: &Value) -> Value {
    let mut v = live.clone();
    if let Value::Object(m) = &mut v {
        m.remove("status");
        if let Some(Value::Object(meta)) = m.get_mut("metadata") {
            for k in [
                "managedFields",
                "resourceVersion",
                "uid",
                "generation",
                "creationTimestamp",
                "selfLink",
            ] {
                meta.remove(k);
            }
            if let Some(Value::Object(a)) = meta.get_mut("annotations") {
                a.remove("kubectl.kubernetes.io/last-applied-configuration");
                a.remove("deployment.kubernetes.io/revision");
                if a.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applyset_id_matches_kubectl() {
        // kubectl: base64.RawURLEncoding(sha256("<name>.<ns>.Secret.")), 55 characters
        let id = applyset_id("celestra-shop", "default");
        assert!(id.starts_with("applyset-") && id.ends_with("-v1"), "{id}");
        assert_eq!(id.len(), 55);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(id, applyset_id("celestra-shop", "other"));
        // computed independently (Python hashlib + base64.urlsafe_b64encode)
        assert_eq!(
            id,
            "applyset-xvGvYiXIlROmQ-jhoTirTH_nLsmZj_ZUuZj0hV_AkfE-v1"
        );
        // sha256("abc") in unpadded base64url
        assert_eq!(
            base64url(&crate::deploy::sha256::digest(b"abc")),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn names() {
        assert_eq!(project_name("Shop Stack!"), "shop-stack");
        assert_eq!(project_name("---"), "celestra");
        assert!(is_project_name("pg-stack"));
        assert!(!is_project_name("Pg"));
        assert!(!is_project_name("a-"));
        assert!(!is_namespace_name(""));
    }

    #[test]
    fn subset_ignores_server_additions_only() {
        let d = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}});
        let l = json!({"spec": {"replicas": 2, "revisionHistoryLimit": 10,
            "template": {"spec": {"containers": [{"name": "a", "image": "x", "imagePullPolicy": "Always"}]}}},
            "status": {"replicas": 2}});
        assert!(is_subset(&d, &l));
        let mut drift = l.clone();
        drift["spec"]["replicas"] = json!(3);
        assert!(!is_subset(&d, &drift));
        let mut extra = l;
        extra["spec"]["template"]["spec"]["containers"] =
            json!([{"name": "a", "image": "x"}, {"name": "b"}]);
        assert!(!is_subset(&d, &extra));
        assert!(is_subset(&json!({"a": 1}), &json!({"a": 1.0})));
    }

    #[test]
    fn project_of_a_fixture() {
        let text = crate::test_fixtures::WORKFLOWS
            .iter()
            .find(|t| t.contains("\"Ex2") || t.contains("migrat"))
            .copied()
            .unwrap_or(crate::test_fixtures::WORKFLOWS[0]);
        let wf: Workflow = serde_json::from_str(text).unwrap();
        let p = project(
            &wf,
            &KubeProjectOptions {
                kubernetes_version: Some("1.20".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.kubernetes_version, "1.20");
        assert!(p.objects().count() > 0);
        for (_, o) in p.objects() {
            let labels = &o.body["metadata"]["labels"];
            assert_eq!(labels[PART_OF], json!(p.applyset_id));
            assert!(o.body["metadata"]["annotations"][HASH].as_str().is_some());
            assert!(o.body.get("stringData").is_none(), "{}", o.name);
            assert!(object_op(o, Some(&o.body.clone())) == ObjectOp::Unchanged);
            assert!(object_op(o, None) == ObjectOp::Create);
        }
        // the same workflow gives the same project
        let again = project(
            &wf,
            &KubeProjectOptions {
                kubernetes_version: Some("1.20".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p, again);
        // secret values never serialize
        let text = serde_json::to_string(&p).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut secrets = 0;
        for o in v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["objects"].as_array().unwrap())
        {
            if o["kind"] == "Secret" {
                secrets += 1;
                for val in o["body"]["data"].as_object().unwrap().values() {
                    assert_eq!(val, "<redacted>");
                }
            }
        }
        assert!(secrets > 0, "the fixture has a Secret");
        assert!(!p.secret_values.is_empty());
    }
}

// ---- resource requests, for the quota pre-flight ---------------------------------------------

/// A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1G`, `1e3`) in base units (cores, bytes).
pub fn parse_quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let k = 1024f64;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => k,
        "Mi" => k * k,
        "Gi" => k * k * k,
        "Ti" => k * k * k * k,
        "Pi" => k * k * k * k * k,
        "Ei" => k * k * k * k * k * k,
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().ok()?),
        _ => return None,
    };
    Some(n * mult)
}

/// What long-running workloads ask of a namespace: `pods`, `requests.cpu`, `requests.memory`,
/// `limits.cpu`, `limits.memory` (a container's requests default to its limits, as the API
/// server does). Jobs and CronJobs are left out: their pods finish, and finished pods do not
/// count against a quota.
pub fn requests_by_namespace(
    objects: &[(&KubeObject, String)],
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<&'static str, f64>> {
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeMap<&'static str, f64>> =
        std::collections::BTreeMap::new();
    for (o, ns) in objects {
        if !matches!(o.kind.as_str(), "Deployment" | "StatefulSet" | "ReplicaSet") {
            continue;
        }
        let replicas = o
            .body
            .pointer("/spec/replicas")
            .and_then(Value::as_f64)
            .unwrap_or(1.0);
        let e = out.entry(ns.clone()).or_default();
        *e.entry("pods").or_default() += replicas;
        let containers = o
            .body
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for c in &containers {
            for res in ["cpu", "memory"] {
                let get = |kind: &str| {
                    c.pointer(&format!("/resources/{kind}/{res}"))
                        .and_then(|v| match v {
                            Value::String(s) => parse_quantity(s),
                            Value::Number(n) => n.as_f64(),
                            _ => None,
                        })
                };
                let limit = get("limits");
                let request = get("requests").or(limit);
                let (rk, lk) = if res == "cpu" {
                    ("requests.cpu", "limits.cpu")
                } else {
                    ("requests.memory", "limits.memory")
                };
                if let Some(r) = request {
                    *e.entry(rk).or_default() += r * replicas;
                }
                if let Some(l) = limit {
                    *e.entry(lk).or_default() += l * replicas;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod quota_tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("250m"), Some(0.25));
        assert_eq!(parse_quantity("2"), Some(2.0));
        assert_eq!(parse_quantity("1.5"), Some(1.5));
        assert_eq!(parse_quantity("512Mi"), Some(512.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("1G"), Some(1e9));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("1x"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn requests_sum_replicas_and_default_to_limits() {
        let dep = KubeObject {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: None,
            name: "a".into(),
            hash: String::new(),
            body: json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "500m", "memory": "256Mi"}}}]}}}}),
        };
        let job = KubeObject {
            kind: "Job".into(),
            api_version: "batch/v1".into(),
            ..dep.clone()
        };
        let r = requests_by_namespace(&[(&dep, "ns".into()), (&job, "ns".into())]);
        let ns = &r["ns"];
        assert_eq!(ns["pods"], 3.0);
        assert_eq!(ns["requests.cpu"], 0.75);
        assert_eq!(ns["limits.cpu"], 1.5);
        assert_eq!(ns["requests.memory"], 3.0 * 256.0 * 1024.0 * 1024.0);
    }
}
