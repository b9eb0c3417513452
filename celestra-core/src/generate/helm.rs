//! The Helm target: a chart derived from the Kubernetes target's objects.
//!
//! Every template is the Kubernetes object written by a small block-style YAML emitter with
//! *holes*: fields that come from `values.yaml` (images, replicas, resources, env, Secret and
//! ConfigMap data, Service type and ports, Ingress class, rules and TLS, storage). With default
//! values `helm template` renders exactly the Kubernetes target (the judge checks it). Static text
//! is inert for Go templates: every scalar that is not plainly safe is JSON-quoted and every `{{`
//! is written as `{{ "{{" }}`; values are inserted with `quote` (strings), `toJson` (numbers,
//! booleans) or `toYaml` (validated structures), never spliced as text.

use super::common::selector;
use super::{Obj, file_part, yaml};
use crate::graph::Graph;
use crate::model::{NodeType, Workflow};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where values come from: `{{- $v := index .Values.<section> "<key>" }}`.
#[derive(Debug, Clone)]
struct NodeValues {
    section: &'static str,
    key: String,
}

/// A field whose text is not static.
enum Hole {
    /// `key: <text>` with the template text given.
    Raw(String),
    /// `key:` followed by the block a template pipeline prints (`toYaml $v.resources`).
    Block(String),
    /// A list whose first entries come from a values map (`name: value` pairs), followed by the
    /// static entries after `skip`.
    EnvRange { expr: String, skip: usize },
    /// A map whose static entries are followed by an `include` of the chart's labels.
    Labels,
    /// A map of strings from values, written entry by entry with `quote` (Go-escaped, which is
    /// valid YAML: C1 controls such as NEL survive, unlike `toYaml` / `toJson`).
    StrMap(String),
}

/// `key: <value from values>`: strings through `quote` (every non-printable character
/// escaped), other scalars through `toJson`.
fn scalar_hole(expr: &str, example: &Value) -> Hole {
    if example.is_string() {
        Hole::Raw(format!("{{{{ {expr} | toString | quote }}}}"))
    } else {
        Hole::Raw(format!("{{{{ {expr} | toJson }}}}"))
    }
}

/// One template document.
struct Doc {
    /// (JSON pointer, hole); a few per document, so a vector (one map type less).
    holes: Vec<(String, Hole)>,
}

impl Doc {
    /// Sets the hole at `path` (replacing one there).
    fn hole(&mut self, path: String, hole: Hole) {
        match self.holes.iter_mut().find(|(p, _)| *p == path) {
            Some(slot) => slot.1 = hole,
            None => self.holes.push((path, hole)),
        }
    }
}

/// Chart name (a DNS label by validation) used for helper names.
struct Chart<'c> {
    name: &'c str,
}

impl Chart<'_> {
    fn helper(&self, what: &str) -> String {
        format!("{}.{what}", self.name)
    }
}

/// A Go template string literal (JSON quoting is valid Go quoting).
fn go_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// A YAML double-quoted scalar in printable ASCII: every other character is escaped, so no YAML
/// reader (1.1 folds NEL, LS and PS) and no template engine sees anything but data.
fn yaml_dq(s: &str) -> String {
    super::common::quote_ascii(s)
}

/// Text that Go templates print verbatim.
fn inert(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_inert(&mut out, s);
    out
}

/// True when a string can be a plain YAML scalar, unambiguous in YAML 1.1 and 1.2: it starts
/// with a letter, holds only `[A-Za-z0-9._/-]` and is none of the 1.1 booleans, null, nan, inf.
/// (Such a string holds no `{{`, so Go templates print it verbatim too.)
fn plain_scalar(s: &str) -> bool {
    const RESERVED: [&str; 11] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    s.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-'))
        && !RESERVED.iter().any(|r| s.eq_ignore_ascii_case(r))
}

/// Writes `s` as a YAML scalar that Go templates print verbatim: plain when unambiguous,
/// double-quoted in printable ASCII otherwise, with `{{` escaped for the template engine.
fn write_str_scalar(out: &mut String, s: &str) {
    if plain_scalar(s) {
        out.push_str(s);
    } else {
        push_inert(out, &yaml_dq(s));
    }
}

/// Writes a static value's scalar text (strings through `write_str_scalar`, numbers, booleans
/// and null as JSON writes them).
fn write_scalar(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => write_str_scalar(out, s),
        other => push_inert(out, &other.to_string()),
    }
}

/// Appends `s` with every `{{` made inert.
fn push_inert(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(k) = rest.find("{{") {
        out.push_str(&rest[..k]);
        out.push_str("{{ \"{{\" }}");
        rest = &rest[k + 2..];
    }
    out.push_str(rest);
}

/// Appends `n` spaces.
fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Appends `<pad>key:` (no newline).
fn key_line(out: &mut String, ind: usize, key: &str) {
    pad(out, ind);
    write_str_scalar(out, key);
    out.push(':');
}

impl Doc {
    fn emit(&self, chart: &Chart<'_>, v: &Map<String, Value>) -> String {
        let mut out = String::new();
        let mut path = String::new();
        self.map(chart, v, 0, &mut path, &mut out);
        out
    }

    fn map(
        &self,
        chart: &Chart<'_>,
        m: &Map<String, Value>,
        ind: usize,
        path: &mut String,
        out: &mut String,
    ) {
        for (k, v) in m {
            let len = path.len();
            path.push('/');
            path.push_str(k);
            let hole = if self.holes.is_empty() {
                None
            } else {
                self.holes.iter().find(|(p, _)| p == path).map(|(_, h)| h)
            };
            match hole {
                Some(Hole::Raw(text)) => {
                    key_line(out, ind, k);
                    out.push(' ');
                    out.push_str(text);
                    out.push('\n');
                }
                Some(Hole::Block(expr)) => {
                    key_line(out, ind, k);
                    out.push('\n');
                    pad(out, ind + 2);
                    let _ = writeln!(out, "{{{{- {expr} | nindent {} }}}}", ind + 2);
                }
                Some(Hole::EnvRange { expr, skip }) => {
                    key_line(out, ind, k);
                    out.push('\n');
                    let p2 = " ".repeat(ind + 2);
                    let _ = writeln!(out, "{p2}{{{{- range $name, $value := {expr} }}}}");
                    let _ = writeln!(out, "{p2}- name: {{{{ $name | quote }}}}");
                    let _ = writeln!(out, "{p2}  value: {{{{ $value | toString | quote }}}}");
                    let _ = writeln!(out, "{p2}{{{{- end }}}}");
                    if let Value::Array(items) = v {
                        self.list_items(chart, &items[*skip..], *skip, ind + 2, path, out);
                    }
                }
                Some(Hole::StrMap(expr)) => {
                    key_line(out, ind, k);
                    out.push('\n');
                    let p2 = " ".repeat(ind + 2);
                    let _ = writeln!(out, "{p2}{{{{- range $key, $value := {expr} }}}}");
                    let _ = writeln!(
                        out,
                        "{p2}{{{{ $key | quote }}}}: {{{{ $value | toString | quote }}}}"
                    );
                    let _ = writeln!(out, "{p2}{{{{- end }}}}");
                }
                Some(Hole::Labels) => {
                    key_line(out, ind, k);
                    out.push('\n');
                    if let Value::Object(inner) = v {
                        self.map(chart, inner, ind + 2, path, out);
                    }
                    pad(out, ind);
                    let _ = writeln!(
                        out,
                        "  {{{{- include {} $ | nindent {} }}}}",
                        go_str(&chart.helper("labels")),
                        ind + 2
                    );
                }
                None => {
                    key_line(out, ind, k);
                    self.value(chart, v, ind, path, out);
                }
            }
            path.truncate(len);
        }
    }

    /// The rest of a `key:` or `-` line for a static value: ` value` and a newline, or a
    /// newline and the nested block at `ind + 2`.
    fn value(&self, chart: &Chart<'_>, v: &Value, ind: usize, path: &mut String, out: &mut String) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                self.map(chart, m, ind + 2, path, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                self.list_items(chart, a, 0, ind + 2, path, out);
            }
            Value::Object(_) => out.push_str(" {}\n"),
            Value::Array(_) => out.push_str(" []\n"),
            s => {
                out.push(' ');
                write_scalar(out, s);
                out.push('\n');
            }
        }
    }

    /// Block sequence items at `ind`; `first` is the index of `items[0]` (for paths).
    fn list_items(
        &self,
        chart: &Chart<'_>,
        items: &[Value],
        first: usize,
        ind: usize,
        path: &mut String,
        out: &mut String,
    ) {
        for (k, item) in items.iter().enumerate() {
            let len = path.len();
            let _ = write!(path, "/{}", first + k);
            let start = out.len();
            match item {
                // A nested block starts with `ind + 2` spaces: its first two become the dash.
                Value::Object(m) if !m.is_empty() => {
                    self.map(chart, m, ind + 2, path, out);
                    out.replace_range(start + ind..start + ind + 2, "- ");
                }
                Value::Array(a) if !a.is_empty() => {
                    self.list_items(chart, a, 0, ind + 2, path, out);
                    out.replace_range(start + ind..start + ind + 2, "- ");
                }
                other => {
                    pad(out, ind);
                    out.push('-');
                    self.value(chart, other, ind, path, out);
                }
            }
            path.truncate(len);
        }
    }
}

/// `repository[:tag][@digest]` split the way Helm charts keep images in values.
fn split_image(image: &str) -> Value {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |p| p + 1);
    let (repo, tag) = match rest[slash..].rfind(':') {
        Some(c) => (&rest[..slash + c], Some(&rest[slash + c + 1..])),
        None => (rest, None),
    };
    let mut m = Map::new();
    m.insert("repository".into(), json!(repo));
    if let Some(t) = tag {
        m.insert("tag".into(), json!(t));
    }
    if let Some(d) = digest {
        m.insert("digest".into(), json!(d));
    }
    Value::Object(m)
}

fn section(t: Option<NodeType>) -> Option<&'static str> {
    Some(match t? {
        NodeType::App => "apps",
        NodeType::StatefulApp => "statefulApps",
        NodeType::Job => "jobs",
        NodeType::CronJob => "cronJobs",
        NodeType::Service => "services",
        NodeType::Ingress => "ingresses",
        NodeType::Secret => "secrets",
        NodeType::ConfigMap => "configMaps",
        _ => return None,
    })
}

/// JSON pointer of the pod spec of a workload object.
fn pod_spec_path(kind: &str) -> Option<&'static str> {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => Some("/spec/template"),
        "CronJob" => Some("/spec/jobTemplate/spec/template"),
        _ => None,
    }
}

fn ptr<'v>(v: &'v Value, p: &str) -> Option<&'v Value> {
    if p.is_empty() { Some(v) } else { v.pointer(p) }
}

/// Names of the ConfigMaps and Secrets a pod template consumes.
fn consumed(pod: &Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let spec = &pod["spec"];
    let containers = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| spec[*k].as_array().into_iter().flatten());
    for c in containers {
        for ef in c["envFrom"].as_array().into_iter().flatten() {
            if let Some(n) = ef["configMapRef"]["name"].as_str() {
                out.push(("ConfigMap", n.to_owned()));
            }
            if let Some(n) = ef["secretRef"]["name"].as_str() {
                out.push(("Secret", n.to_owned()));
            }
        }
        for e in c["env"].as_array().into_iter().flatten() {
            if let Some(n) = e["valueFrom"]["configMapKeyRef"]["name"].as_str() {
                out.push(("ConfigMap", n.to_owned()));
            }
            if let Some(n) = e["valueFrom"]["secretKeyRef"]["name"].as_str() {
                out.push(("Secret", n.to_owned()));
            }
        }
    }
    for vol in spec["volumes"].as_array().into_iter().flatten() {
        if let Some(n) = vol["configMap"]["name"].as_str() {
            out.push(("ConfigMap", n.to_owned()));
        }
        if let Some(n) = vol["secret"]["secretName"].as_str() {
            out.push(("Secret", n.to_owned()));
        }
        for src in vol["projected"]["sources"].as_array().into_iter().flatten() {
            if let Some(n) = src["configMap"]["name"].as_str() {
                out.push(("ConfigMap", n.to_owned()));
            }
            if let Some(n) = src["secret"]["name"].as_str() {
                out.push(("Secret", n.to_owned()));
            }
        }
    }
    crate::sort::sort(&mut out);
    out.dedup();
    out
}

/// `checksum/<kind>-<name>`: the name part of an annotation key is at most 63 characters.
fn checksum_key(kind: &str, name: &str) -> String {
    let base = format!("{}-{name}", kind.to_ascii_lowercase());
    if base.len() <= 63 {
        return format!("checksum/{base}");
    }
    let cut: String = base.chars().take(54).collect();
    format!("checksum/{}-{:08x}", cut.trim_end_matches(['-', '.']), {
        let mut h = super::common::Fnv::new();
        h.bytes(base.as_bytes());
        h.finish() as u32
    })
}

/// What the chart's templates share: the values key of every node and the template file of
/// every object (checksum annotations include other templates by file name).
#[derive(Debug, Clone)]
pub(crate) struct HelmCtx {
    /// By node index.
    keys: Vec<Option<NodeValues>>,
    /// Template file by [`obj_key`].
    template_of: BTreeMap<String, String>,
}

/// One string key for an object's kind, namespace and name (a map of this key type is one the
/// engine has anyway).
fn obj_key(kind: &str, ns: Option<&str>, name: &str) -> String {
    let mut k = String::with_capacity(kind.len() + name.len() + 8);
    k.push_str(kind);
    k.push('\0');
    if let Some(ns) = ns {
        k.push('\u{1}');
        k.push_str(ns);
    }
    k.push('\0');
    k.push_str(name);
    k
}

/// One node's part of the chart.
#[derive(Debug, Clone, Default)]
pub(crate) struct HelmUnit {
    /// Templates and CRDs (path → text).
    files: Vec<(String, String)>,
    /// (section, key, values of the node, their YAML, their JSON Schema).
    values: Option<(&'static str, String, String, String)>,
    notes: Vec<String>,
    hosts: Vec<String>,
}

impl HelmUnit {
    pub(crate) fn files(&self) -> &[(String, String)] {
        &self.files
    }
}

const OPERATOR_GROUPS: [&str; 2] = ["monitoring.coreos.com/v1", "argoproj.io/v1alpha1"];

/// Values keys and template names, from the objects in apply order.
pub(crate) fn ctx<'o>(g: &Graph<'_>, objs: impl Iterator<Item = &'o Obj>) -> HelmCtx {
    // Values key per node: its name, qualified by namespace (then id) when the name repeats.
    let mut keys: Vec<Option<NodeValues>> = vec![None; g.nodes.len()];
    let mut by_key: Vec<((&'static str, &str), usize)> = (0..g.nodes.len())
        .filter_map(|i| section(g.ty(i)).map(|s| ((s, g.name(i)), i)))
        .collect();
    crate::sort::sort_by(&mut by_key, |a, b| a.0.cmp(&b.0));
    for (k, &((s, name), i)) in by_key.iter().enumerate() {
        let many = by_key
            .get(k.wrapping_sub(1))
            .is_some_and(|p| p.0 == (s, name))
            || by_key.get(k + 1).is_some_and(|n| n.0 == (s, name));
        let key = if many {
            format!("{name}-{}-{}", g.ns[i], g.id(i))
        } else {
            name.to_owned()
        };
        keys[i] = Some(NodeValues { section: s, key });
    }
    let objs: Vec<&Obj> = objs.collect();
    let width = objs.len().to_string().len().max(2);
    let mut template_of = BTreeMap::new();
    for (k, o) in objs.iter().enumerate() {
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
        template_of.insert(obj_key(&o.kind, o.namespace.as_deref(), &o.name), name);
    }
    HelmCtx { keys, template_of }
}

/// The templates, values and notes of one node's objects. Takes the objects' JSON (`value` is
/// left `Null`).
pub(crate) fn unit(wf: &Workflow, g: &Graph<'_>, hctx: &HelmCtx, objs: &mut [Obj]) -> HelmUnit {
    let chart = Chart { name: &wf.name };
    let keys = &hctx.keys;
    let template_of = &hctx.template_of;
    let mut out = HelmUnit::default();
    // By section (a node has one; kept general).
    let mut values: Vec<(&'static str, Map<String, Value>)> = Vec::new();
    let notes_objects = &mut out.notes;
    let hosts = &mut out.hosts;
    let files = &mut out.files;
    for o in objs {
        let file = template_of
            .get(&obj_key(&o.kind, o.namespace.as_deref(), &o.name))
            .cloned()
            .unwrap_or_default();
        if o.kind == "CustomResourceDefinition" {
            files.push((format!("crds/{}.yaml", file_part(&o.name)), yaml(&o.value)));
            continue;
        }
        let mut v = std::mem::take(&mut o.value);
        let mut doc = Doc { holes: Vec::new() };
        let mut header = String::new();
        // Labels: the chart's labels replace `managed-by`.
        if let Some(l) = v
            .pointer_mut("/metadata/labels")
            .and_then(Value::as_object_mut)
        {
            l.remove("app.kubernetes.io/managed-by");
            doc.hole("/metadata/labels".into(), Hole::Labels);
        }
        // Values only for the node's own object (not an App's implicit Service, a StatefulApp's
        // governing Service or backup CronJob).
        let own_kind = match g.ty(o.node) {
            Some(NodeType::App) => "Deployment",
            Some(NodeType::StatefulApp) => "StatefulSet",
            Some(NodeType::Job) => "Job",
            Some(NodeType::CronJob) => "CronJob",
            Some(NodeType::Service) => "Service",
            Some(NodeType::Ingress) => "Ingress",
            Some(NodeType::Secret) => "Secret",
            Some(NodeType::ConfigMap) => "ConfigMap",
            _ => "",
        };
        let nv = keys
            .get(o.node)
            .and_then(Option::as_ref)
            .filter(|_| o.name == g.name(o.node) && o.kind == own_kind);
        if let Some(nv) = nv {
            let expr_root = "$v";
            let at = match values.iter().position(|(s, _)| *s == nv.section) {
                Some(at) => at,
                None => {
                    values.push((nv.section, Map::new()));
                    values.len() - 1
                }
            };
            let vals = &mut values[at].1;
            let mine = vals
                .entry(nv.key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let mut used = false;
            let mut take = |doc: &mut Doc, path: &str, sub: &str, value: Value, hole: Hole| {
                let slot = mine.as_object_mut().expect("values are maps");
                match slot.get(sub) {
                    Some(existing) if *existing != value => return,
                    _ => {}
                }
                slot.insert(sub.to_owned(), value);
                doc.hole(path.to_owned(), hole);
                used = true;
            };
            if let Some(tp) = pod_spec_path(&o.kind) {
                let cpath = format!("{tp}/spec/containers/0");
                if let Some(c) = v.pointer(&cpath).filter(|c| c["name"] == g.name(o.node)) {
                    if let Some(img) = c["image"].as_str() {
                        take(
                            &mut doc,
                            &format!("{cpath}/image"),
                            "image",
                            split_image(img),
                            Hole::Raw(format!(
                                "{{{{ include {} {expr_root}.image | quote }}}}",
                                go_str(&chart.helper("image"))
                            )),
                        );
                    }
                    if let Some(r) = c.get("resources").filter(|r| r.is_object()) {
                        take(
                            &mut doc,
                            &format!("{cpath}/resources"),
                            "resources",
                            r.clone(),
                            Hole::Block(format!("toYaml {expr_root}.resources")),
                        );
                    }
                    if let Some(env) = c["env"].as_array() {
                        let literal: Vec<(&str, &str)> = env
                            .iter()
                            .map_while(|e| {
                                let m = e.as_object()?;
                                if m.len() != 2 {
                                    return None;
                                }
                                Some((m.get("name")?.as_str()?, m.get("value")?.as_str()?))
                            })
                            .collect();
                        let sorted = literal.windows(2).all(|w| w[0].0 < w[1].0);
                        if !literal.is_empty() && sorted {
                            let map: Map<String, Value> = crate::sort::object(
                                literal.iter().map(|(k, v)| ((*k).to_owned(), json!(v))),
                            );
                            take(
                                &mut doc,
                                &format!("{cpath}/env"),
                                "env",
                                Value::Object(map),
                                Hole::EnvRange {
                                    expr: format!("{expr_root}.env"),
                                    skip: literal.len(),
                                },
                            );
                        }
                    }
                }
                for (p, sub) in [
                    ("/spec/replicas", "replicas"),
                    ("/spec/schedule", "schedule"),
                    ("/spec/suspend", "suspend"),
                ] {
                    if let Some(x) = v.pointer(p) {
                        take(
                            &mut doc,
                            p,
                            sub,
                            x.clone(),
                            scalar_hole(&format!("{expr_root}.{sub}"), x),
                        );
                    }
                }
                if o.kind == "StatefulSet" {
                    let claims = v["spec"]["volumeClaimTemplates"].as_array();
                    if let Some(pos) =
                        claims.and_then(|c| c.iter().position(|t| t["metadata"]["name"] == "data"))
                    {
                        let base = format!("/spec/volumeClaimTemplates/{pos}/spec");
                        for (p, sub) in [
                            ("/resources/requests/storage", "storage"),
                            ("/storageClassName", "storageClass"),
                        ] {
                            let full = format!("{base}{p}");
                            if let Some(x) = v.pointer(&full) {
                                take(
                                    &mut doc,
                                    &full,
                                    sub,
                                    x.clone(),
                                    scalar_hole(&format!("{expr_root}.{sub}"), x),
                                );
                            }
                        }
                    }
                }
            }
            match o.kind.as_str() {
                "Secret" => {
                    if let Some(d) = v.get("stringData").filter(|d| d.is_object()) {
                        take(
                            &mut doc,
                            "/stringData",
                            "stringData",
                            d.clone(),
                            Hole::StrMap(format!("{expr_root}.stringData")),
                        );
                    }
                }
                "ConfigMap" => {
                    if let Some(d) = v.get("data").filter(|d| d.is_object()) {
                        take(
                            &mut doc,
                            "/data",
                            "data",
                            d.clone(),
                            Hole::StrMap(format!("{expr_root}.data")),
                        );
                    }
                }
                "Service" => {
                    for (p, sub) in [("/spec/type", "type")] {
                        if let Some(x) = v.pointer(p) {
                            take(
                                &mut doc,
                                p,
                                sub,
                                x.clone(),
                                scalar_hole(&format!("{expr_root}.{sub}"), x),
                            );
                        }
                    }
                    if let Some(x) = v.pointer("/spec/ports").filter(|p| p.is_array()) {
                        take(
                            &mut doc,
                            "/spec/ports",
                            "ports",
                            x.clone(),
                            Hole::Block(format!("toYaml {expr_root}.ports")),
                        );
                    }
                }
                "Ingress" => {
                    if let Some(x) = v.pointer("/spec/ingressClassName") {
                        take(
                            &mut doc,
                            "/spec/ingressClassName",
                            "className",
                            x.clone(),
                            scalar_hole(&format!("{expr_root}.className"), x),
                        );
                    }
                    for sub in ["rules", "tls"] {
                        if let Some(x) = v["spec"].get(sub).filter(|p| p.is_array()) {
                            take(
                                &mut doc,
                                &format!("/spec/{sub}"),
                                sub,
                                x.clone(),
                                Hole::Block(format!("toYaml {expr_root}.{sub}")),
                            );
                        }
                    }
                    for r in v["spec"]["rules"].as_array().into_iter().flatten() {
                        if let Some(h) = r["host"].as_str() {
                            hosts.push(h.to_owned());
                        }
                    }
                }
                _ => {}
            }
            if o.kind == "Ingress" {
                let slot = mine.as_object_mut().expect("values are maps");
                if !slot.contains_key("enabled") {
                    slot.insert("enabled".into(), json!(true));
                }
                header.push_str("{{- if $v.enabled }}\n");
                used = true;
            }
            if used {
                header.insert_str(
                    0,
                    &format!(
                        "{{{{- $v := index .Values.{} {} }}}}\n",
                        nv.section,
                        go_str(&nv.key)
                    ),
                );
            }
        }
        // The immutable selector comes from the chart's selectorLabels helper.
        if pod_spec_path(&o.kind).is_some()
            && v.pointer("/spec/selector/matchLabels") == Some(&json!(selector(&o.name)))
        {
            doc.hole(
                "/spec/selector/matchLabels".into(),
                Hole::Block(format!(
                    "include {} {}",
                    go_str(&chart.helper("selectorLabels")),
                    go_str(&o.name)
                )),
            );
        }
        // Checksums: consumed ConfigMaps and Secrets roll the pods when they change.
        if let Some(tp) = pod_spec_path(&o.kind) {
            let ns = o.namespace.clone();
            let mut sums: Vec<(String, String)> = Vec::new();
            if let Some(pod) = ptr(&v, tp) {
                for (kind, name) in consumed(pod) {
                    if let Some(t) = template_of.get(&obj_key(kind, ns.as_deref(), &name)) {
                        sums.push((checksum_key(kind, &name), t.clone()));
                    }
                }
            }
            if !sums.is_empty() {
                let meta = v
                    .pointer_mut(&format!("{tp}/metadata"))
                    .and_then(Value::as_object_mut);
                if let Some(meta) = meta {
                    let ann = meta
                        .entry("annotations")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(ann) = ann.as_object_mut() {
                        for (key, t) in sums {
                            ann.insert(key.clone(), Value::Null);
                            doc.hole(
                                format!("{tp}/metadata/annotations/{key}"),
                                Hole::Raw(format!(
                                    "{{{{ include (print $.Template.BasePath {}) $ | sha256sum | toJson }}}}",
                                    go_str(&format!("/{t}"))
                                )),
                            );
                        }
                    }
                }
            }
        }
        // Guards.
        let api = v["apiVersion"].as_str().unwrap_or_default().to_owned();
        let mut footer = String::new();
        if OPERATOR_GROUPS.contains(&api.as_str()) {
            header.push_str(&format!(
                "{{{{- if .Capabilities.APIVersions.Has {} }}}}\n",
                go_str(&api)
            ));
            footer.push_str("{{- end }}\n");
        }
        if o.kind == "Namespace" {
            header.push_str("{{- if .Values.createNamespaces }}\n");
            footer.push_str("{{- end }}\n");
        }
        if o.kind == "Ingress" && nv.is_some() {
            footer.push_str("{{- end }}\n");
        }
        if matches!(
            o.kind.as_str(),
            "Deployment" | "StatefulSet" | "Job" | "CronJob" | "Service" | "Ingress"
        ) {
            notes_objects.push(format!(
                "  {} {}/{}",
                o.kind,
                o.namespace.as_deref().unwrap_or("-"),
                o.name
            ));
        }
        let body = match &v {
            Value::Object(m) => doc.emit(&chart, m),
            _ => String::new(),
        };
        files.push((
            format!("templates/{file}"),
            format!("{header}{body}{footer}"),
        ));
    }
    crate::sort::sort_by(&mut values, |a, b| a.0.cmp(b.0));
    for (s, m) in values {
        for (key, v) in m {
            if v.as_object().is_some_and(|o| !o.is_empty()) {
                let y = super::build::entry_yaml(&key, &v);
                // Pre-indented for its place in values.schema.json.
                let schema = super::build::indent(
                    &serde_json::to_string_pretty(&schema_of(&v, &key)).expect("schema serializes"),
                    8,
                )
                .trim_start()
                .to_owned();
                out.values = Some((s, key, y, schema));
            }
        }
    }
    out
}

/// The chart: the units' templates, values.yaml, values.schema.json, Chart.yaml, helpers, notes.
pub(crate) fn assemble<'u>(
    wf: &Workflow,
    units: impl Iterator<Item = &'u HelmUnit> + Clone,
    kube_version: &str,
    files: &mut BTreeMap<String, String>,
    templates: bool,
) {
    let chart = Chart { name: &wf.name };
    if templates {
        for u in units.clone() {
            for (k, v) in &u.files {
                files.insert(k.clone(), v.clone());
            }
        }
    }
    // values.yaml and its schema, from the units' fragments.
    let mut sections: Vec<(&str, Vec<(&str, &str, &str)>)> = Vec::new();
    let mut notes_objects: Vec<&str> = Vec::new();
    let mut hosts: Vec<&str> = Vec::new();
    for u in units {
        if let Some((s, key, y, schema)) = &u.values {
            match sections.iter_mut().find(|(name, _)| name == s) {
                Some((_, list)) => list.push((key, y, schema)),
                None => sections.push((s, vec![(key, y, schema)])),
            }
        }
        notes_objects.extend(u.notes.iter().map(String::as_str));
        hosts.extend(u.hosts.iter().map(String::as_str));
    }
    crate::sort::sort_by(&mut sections, |a, b| a.0.cmp(b.0));
    for (_, list) in &mut sections {
        crate::sort::sort_by(list, |a, b| a.0.cmp(b.0));
    }
    // Top-level keys of values.yaml and of its schema (sorted below).
    let mut top: Vec<(&str, String)> = vec![
        ("createNamespaces", "createNamespaces: true\n".into()),
        ("fullnameOverride", "fullnameOverride: \"\"\n".into()),
        ("nameOverride", "nameOverride: \"\"\n".into()),
    ];
    let mut schema_top: Vec<(&str, String)> = Vec::new();
    schema_top.push((
        "createNamespaces",
        json_indent(
            &json!({"type": "boolean", "description": "Render the workflow's Namespace objects (turn off when the namespaces exist or `--create-namespace` makes them)."}),
            4,
        ),
    ));
    schema_top.push((
        "fullnameOverride",
        json_indent(&json!({"type": "string"}), 4),
    ));
    schema_top.push(("nameOverride", json_indent(&json!({"type": "string"}), 4)));
    for (s, list) in &sections {
        let mut text = format!("{s}:\n");
        let mut props = String::new();
        for (k, (key, y, schema)) in list.iter().enumerate() {
            text.push_str(y);
            let _ = write!(
                props,
                "{}        {}: {}",
                if k == 0 { "" } else { ",\n" },
                serde_json::to_string(key).expect("json"),
                schema
            );
        }
        top.push((s, text));
        schema_top.push((
            s,
            format!(
                "{{\n      \"additionalProperties\": false,\n      \"properties\": {{\n{props}\n      }},\n      \"type\": \"object\"\n    }}"
            ),
        ));
    }
    // Section names differ from the fixed keys: no key repeats.
    crate::sort::sort_by(&mut top, |a, b| a.0.cmp(b.0));
    crate::sort::sort_by(&mut schema_top, |a, b| a.0.cmp(b.0));
    let mut values_text = format!(
        "# Values of the {name} chart, generated by Celestra Engine from workflow {name}.\n\
         # With these defaults the chart renders exactly the engine's Kubernetes output.\n\
         # Secret data below is plain text: prefer --set-file / an external secret store.\n",
        name = wf.name
    );
    for (_, t) in &top {
        values_text.push_str(t);
    }
    files.insert("values.yaml".into(), values_text);
    let mut schema = String::from(
        "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"additionalProperties\": false,\n  \"properties\": {\n",
    );
    for (k, (key, frag)) in schema_top.iter().enumerate() {
        let _ = write!(
            schema,
            "{}    {}: {}",
            if k == 0 { "" } else { ",\n" },
            serde_json::to_string(key).expect("json"),
            frag
        );
    }
    let _ = write!(
        schema,
        "\n  }},\n  \"title\": {},\n  \"type\": \"object\"\n}}\n",
        serde_json::to_string(&format!("Values of the {} chart", wf.name)).expect("json")
    );
    files.insert("values.schema.json".into(), schema);
    let mut chart_yaml = Map::new();
    chart_yaml.insert("apiVersion".into(), json!("v2"));
    chart_yaml.insert("name".into(), json!(wf.name));
    chart_yaml.insert(
        "description".into(),
        json!(
            wf.description
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| format!(
                    "The {} workflow, generated by Celestra Engine",
                    wf.name
                ))
        ),
    );
    chart_yaml.insert("type".into(), json!("application"));
    chart_yaml.insert("version".into(), json!("0.1.0"));
    chart_yaml.insert("appVersion".into(), json!("0.1.0"));
    chart_yaml.insert(
        "kubeVersion".into(),
        json!(format!(">= {kube_version}.0-0")),
    );
    chart_yaml.insert(
        "annotations".into(),
        json!({"celestra.io/generated-by": "celestra-engine"}),
    );
    files.insert("Chart.yaml".into(), yaml(&Value::Object(chart_yaml)));
    files.insert("templates/_helpers.tpl".into(), helpers(&chart));
    files.insert(
        "templates/NOTES.txt".into(),
        notes(&wf.name, &notes_objects, &hosts),
    );
    files.insert(
        ".helmignore".into(),
        ".git/\n*.swp\n*.bak\n*.tmp\n*~\n".into(),
    );
}

/// Pretty JSON of `v`, its lines after the first indented by `n` spaces.
fn json_indent(v: &Value, n: usize) -> String {
    super::build::indent(&serde_json::to_string_pretty(v).expect("json"), n)
        .trim_start()
        .to_owned()
}

/// JSON Schema (draft 7) of a values subtree: free-form maps for env, data and resources.
fn schema_of(v: &Value, key: &str) -> Value {
    match v {
        Value::Object(m) => match key {
            "env" => {
                json!({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}})
            }
            "data" | "stringData" => {
                json!({"type": "object", "additionalProperties": {"type": "string"}})
            }
            "limits" | "requests" => {
                json!({"type": "object", "additionalProperties": {"type": ["string", "number"]}})
            }
            "resources" => json!({
                "type": "object",
                "properties": {
                    "limits": schema_of(&Value::Object(Map::new()), "limits"),
                    "requests": schema_of(&Value::Object(Map::new()), "requests"),
                    "claims": {"type": "array"},
                },
                "additionalProperties": false,
            }),
            _ => {
                let props: Map<String, Value> =
                    crate::sort::object(m.iter().map(|(k, x)| (k.clone(), schema_of(x, k))));
                json!({"type": "object", "properties": props, "additionalProperties": false})
            }
        },
        Value::Array(_) => json!({"type": "array", "items": {"type": "object"}}),
        Value::String(_) if key == "repository" => json!({"type": "string", "minLength": 1}),
        Value::String(_) => json!({"type": "string"}),
        Value::Number(_) if key == "replicas" => json!({"type": "integer", "minimum": 0}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Null => json!({}),
    }
}

fn helpers(c: &Chart<'_>) -> String {
    let name = go_str(&c.helper("name"));
    let fullname = go_str(&c.helper("fullname"));
    let chart = go_str(&c.helper("chart"));
    let labels = go_str(&c.helper("labels"));
    let selector = go_str(&c.helper("selectorLabels"));
    let image = go_str(&c.helper("image"));
    format!(
        r#"{{{{/* Generated by Celestra Engine. */}}}}

{{{{/* Chart name, overridable with .Values.nameOverride. */}}}}
{{{{- define {name} -}}}}
{{{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}}}
{{{{- end }}}}

{{{{/* Release-qualified name, overridable with .Values.fullnameOverride. */}}}}
{{{{- define {fullname} -}}}}
{{{{- if .Values.fullnameOverride }}}}
{{{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}}}
{{{{- else }}}}
{{{{- $name := default .Chart.Name .Values.nameOverride }}}}
{{{{- if contains $name .Release.Name }}}}
{{{{- .Release.Name | trunc 63 | trimSuffix "-" }}}}
{{{{- else }}}}
{{{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}}}
{{{{- end }}}}
{{{{- end }}}}
{{{{- end }}}}

{{{{/* Chart label value. */}}}}
{{{{- define {chart} -}}}}
{{{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}}}
{{{{- end }}}}

{{{{/* Labels every object gets from the chart (the workflow's own labels stay on the object). */}}}}
{{{{- define {labels} -}}}}
helm.sh/chart: {{{{ include {chart} . | toJson }}}}
app.kubernetes.io/managed-by: {{{{ .Release.Service | toJson }}}}
{{{{- end }}}}

{{{{/* Immutable selector labels of a workload, given its name (the engine's selector). */}}}}
{{{{- define {selector} -}}}}
app: {{{{ . | toJson }}}}
{{{{- end }}}}

{{{{/* An image reference from {{repository, tag, digest}}. */}}}}
{{{{- define {image} -}}}}
{{{{- .repository -}}}}
{{{{- with .tag }}}}:{{{{ . }}}}{{{{ end -}}}}
{{{{- with .digest }}}}@{{{{ . }}}}{{{{ end -}}}}
{{{{- end }}}}
"#
    )
}

fn notes(name: &str, objects: &[&str], hosts: &[&str]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{{{{ .Release.Name }}}} installed the {} workflow (chart {{{{ .Chart.Name }}}} {{{{ .Chart.Version }}}}).",
        inert(name)
    );
    if !objects.is_empty() {
        t.push_str("\nWorkloads, Services and Ingresses:\n");
        for o in objects {
            t.push_str(&inert(o));
            t.push('\n');
        }
    }
    if !hosts.is_empty() {
        t.push_str("\nIngress hosts:\n");
        for h in hosts {
            let _ = writeln!(t, "  http://{}", inert(h));
        }
    }
    t.push_str("\nWatch them become ready:\n  kubectl get all -A -l helm.sh/chart={{ include \"");
    t.push_str(&inert(name));
    t.push_str(".chart\" . }}\n");
    t
}
