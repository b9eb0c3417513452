//! The Kubernetes target: typed objects (`k8s.rs`) per node and connection effect (§2, §3.2),
//! in apply order, with recommended labels and immutable selectors. Custom kinds (Argo Rollout,
//! Prometheus Operator, CR instances) are built as JSON.

// One file per node family: the code for a kind is found by its file name.
mod app;
mod config;
mod custom_resource;
mod group;
mod ingress;
mod job;
mod netpol;
mod observability;
mod pod;
mod roles;
mod service;
mod stateful;
mod strategy;

use super::common::{self, Injection, PodCommon};
use super::k8s as apiext;
use super::k8s as apps;
use super::k8s as batch;
use super::k8s as core;
use super::k8s as net;
use super::k8s as rbac;
use super::k8s::ToJson;
use super::k8s::{IntOrString as KInt, LabelSelector, ObjectMeta, Quantity};
use super::ledger::{Fidelity, Recorder};
use super::{KubeVersion, Obj};
use crate::graph::{Graph, Pair, group_namespace};
use crate::model::*;
use crate::objects::{
    app_has_ports, app_selected_by_service, backup_local, group_creates_namespace,
};
use crate::validate::formats;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Builds the objects of one node (and records its ledger lines).
pub(crate) struct Kube<'g, 'a> {
    pub(crate) g: &'g Graph<'a>,
    pub(crate) led: &'g mut Recorder,
    pub(crate) version: KubeVersion,
    pub(crate) redact: bool,
}

fn q(s: impl Into<String>) -> Quantity {
    s.into()
}

fn kint(p: &IntOrString) -> KInt {
    match p {
        IntOrString::Int(n) => KInt::Int(*n as i32),
        IntOrString::Name(s) => KInt::String(s.clone()),
    }
}

fn obj<T>(node: usize, kind: &str, ns: Option<&str>, name: &str, o: T) -> Obj
where
    T: ToJson + super::k8s::Resource + Send + Sync + 'static,
{
    Obj {
        node,
        kind: kind.to_owned(),
        namespace: ns.map(str::to_owned),
        name: name.to_owned(),
        value: Value::Null,
        body: Some(Box::new(o)),
        api_version: None,
        typed: true,
    }
}

fn json_obj(node: usize, kind: &str, ns: Option<&str>, name: &str, value: Value) -> Obj {
    Obj {
        node,
        kind: kind.to_owned(),
        namespace: ns.map(str::to_owned),
        name: name.to_owned(),
        value,
        body: None,
        api_version: None,
        typed: false,
    }
}

/// Decodes standard base64 (whitespace ignored); `None` if invalid.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for (k, c) in chunk.iter().enumerate() {
            let v = if k >= 4 - pad { 0 } else { val(*c)? };
            n = (n << 6) | v;
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Some(out)
}

/// Standard base64 encoding.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The placeholder that replaces secret values when secrets are redacted (previews).
pub(crate) const REDACTED: &str = "<redacted>";

impl<'g, 'a> Kube<'g, 'a> {
    fn id(&self, i: usize) -> &'a str {
        self.g.id(i)
    }

    fn meta(&self, i: usize, name: &str, ns: Option<&str>) -> ObjectMeta {
        let n = self.g.nodes[i];
        let annotations = n
            .data
            .properties
            .annotations()
            .filter(|a| !a.is_empty())
            .cloned();
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: ns.map(str::to_owned),
            labels: Some(common::labels(self.g, i)),
            annotations,
        }
    }

    /// A free-form value the user wrote for Kubernetes, passed through as written (the API
    /// server checks it; the judge checks the fixtures' against the schemas).
    fn raw(&mut self, i: usize, prop: &str, v: Value) -> Option<Value> {
        self.led.mapped(self.id(i), prop);
        Some(v)
    }

    fn common_meta_ledger(&mut self, i: usize) {
        let n = self.g.nodes[i];
        if n.data.properties.labels().is_some() {
            self.led.mapped(self.id(i), "labels");
        }
        if n.data.properties.annotations().is_some() {
            self.led.mapped(self.id(i), "annotations");
        }
    }

    /// All objects of node `i`.
    pub(crate) fn node(&mut self, i: usize) -> Vec<Obj> {
        self.common_meta_ledger(i);
        let n = self.g.nodes[i];
        let out = match &n.data.properties {
            Properties::App(p) => self.app(i, p),
            Properties::StatefulApp(p) => self.stateful(i, p),
            Properties::Job(p) => self.job(i, p),
            Properties::CronJob(p) => self.cronjob(i, p),
            Properties::Service(p) => self.service(i, p),
            Properties::Ingress(p) => self.ingress(i, p),
            Properties::NetworkPolicy(p) => self.netpol(i, p),
            Properties::Secret(p) => self.secret(i, p),
            Properties::ConfigMap(p) => self.configmap(i, p),
            Properties::ServiceAccount(p) => self.service_account(i, p),
            Properties::Role(p) => self.role(i, p),
            Properties::DeploymentStrategy(p) => self.strategy(i, p),
            Properties::Observability(p) => self.observability(i, p),
            Properties::AppGroup(p) => self.group(i, p),
            Properties::CustomResource(p) => self.custom_resource(i, p),
            Properties::Unknown(_) => Vec::new(),
        };
        for k in n.data.properties.other().into_iter().flat_map(|m| m.keys()) {
            self.led
                .dropped(self.id(i), k, "unknown or unreadable property");
        }
        out
    }
}

fn common_replicas(g: &Graph<'_>, app: usize) -> i64 {
    match &g.nodes[app].data.properties {
        Properties::App(p) => p
            .replicas
            .or_else(|| common::group_replicas(g, app))
            .unwrap_or(1),
        _ => 1,
    }
}

fn pvc_spec(
    size: &str,
    class: Option<&String>,
    mode: AccessMode,
) -> core::PersistentVolumeClaimSpec {
    core::PersistentVolumeClaimSpec {
        access_modes: Some(vec![mode.as_str().to_owned()]),
        storage_class_name: class.cloned(),
        resources: Some(core::VolumeResourceRequirements {
            requests: Some(crate::sort::map([("storage".to_owned(), q(size))])),
            limits: None,
        }),
    }
}

/// JSON merge (objects merge recursively, everything else replaces).
/// The value at `path` inside nested objects, created (as null) where missing; `None` when a
/// step is neither an object nor null.
fn path_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    let mut cur = v;
    for key in path {
        if cur.is_null() {
            *cur = Value::Object(serde_json::Map::new());
        }
        cur = cur.as_object_mut()?.entry(*key).or_insert(Value::Null);
    }
    Some(cur)
}

pub(crate) fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

struct JobParts<'p> {
    restart: Option<JobRestartPolicy>,
    volumes: Option<&'p Vec<JobVolume>>,
    timeout: Option<&'p String>,
    active_deadline: Option<&'p String>,
    parallelism: Option<i64>,
    completions: Option<i64>,
    backoff_limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world\n", "\u{0}\u{ff}"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), s.as_bytes(), "{s:?}");
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("!!!!").is_none());
    }
}
