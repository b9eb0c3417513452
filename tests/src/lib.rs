//! Shared test support: paths of the fixture workflows and a seeded generator of realistic
//! synthetic workflows (used by property tests and benchmarks).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The `tests/fixtures` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `*.json` files of a directory (not recursive), sorted, excluding `*.options.json`.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".options.json")
        })
        .collect();
    out.sort();
    out
}

/// The valid fixture workflows (`tests/fixtures/workflows/*.json`).
pub fn valid_workflows() -> Vec<PathBuf> {
    json_files(&fixtures_dir().join("workflows"))
}

/// File stem, e.g. `ex3-microservice`.
pub fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}

/// A tiny deterministic PRNG (SplitMix64), so synthetic graphs are the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn node(id: &str, ty: &str, name: &str, parent: Option<&str>, props: Value, x: usize) -> Value {
    let mut n = json!({
        "id": id,
        "type": format!("celestra-{ty}"),
        "position": {"x": (x % 40) * 220, "y": (x / 40) * 140},
        "data": {"name": name, "properties": props}
    });
    if let Some(p) = parent {
        n["parent"] = json!(p);
    }
    n
}

/// A realistic synthetic workflow of exactly `n` nodes: tiles of ten (secret, config map,
/// database, migration job, API, service, ingress, service account, role, network policy),
/// grouped into AppGroups of ten tiles, with seeded cross-tile dependencies. Always valid
/// and acyclic.
pub fn synthetic(n: usize, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let mut nodes = Vec::with_capacity(n);
    let mut conns = Vec::new();
    let mut c = 0usize;
    let mut edge = |conns: &mut Vec<Value>, s: &str, t: &str, extra: Option<Value>| {
        c += 1;
        let mut e = json!({"id": format!("e{c}"), "source": s, "target": t});
        if let Some(Value::Object(m)) = extra {
            for (k, v) in m {
                e[k] = v;
            }
        }
        conns.push(e);
    };
    let tiles = n / 10;
    let groups = tiles / 10;
    // (api node id, group index) of earlier tiles.
    let mut apis: Vec<(String, Option<usize>)> = Vec::new();
    let mut used = 0;
    for gi in 0..groups {
        if used + 1 > n {
            break;
        }
        nodes.push(node(
            &format!("g{gi}"),
            "appgroup",
            &format!("team-{gi}"),
            None,
            json!({"namespace": format!("team-{gi}"), "resourceQuota": "Medium", "allowInternalCommunication": true}),
            used,
        ));
        used += 1;
    }
    for t in 0..tiles {
        if used + 10 > n {
            break;
        }
        let gidx = (t / 10 < groups).then_some(t / 10);
        let group = gidx.map(|g| format!("g{g}"));
        let p = group.as_deref();
        let id = |k: &str| format!("t{t}{k}");
        let nm = |k: &str| format!("{k}-{t}");
        nodes.push(node(&id("s"), "secret", &nm("db-creds"), p,
            json!({"type": "Opaque", "data": {"username": "app", "password": "change-me"}, "injectAs": "env", "envPrefix": "DB_"}), used));
        nodes.push(node(
            &id("c"),
            "configmap",
            &nm("api-config"),
            p,
            json!({"data": {"LOG_LEVEL": "info", "FEATURE_X": "true"}, "injectAs": "env"}),
            used + 1,
        ));
        nodes.push(node(&id("d"), "statefulapp", &nm("db"), p,
            json!({"image": "postgres:16.3", "port": 5432, "replicas": 1, "storage": "10Gi", "cpuLimit": "1", "memoryLimit": "1Gi",
                   "readinessProbe": {"type": "exec", "command": ["pg_isready"]}}), used + 2));
        nodes.push(node(&id("j"), "job", &nm("migrate"), p,
            json!({"image": "ghcr.io/acme/migrator:0.9.0", "command": ["migrate", "up"], "backoffLimit": 3, "cpuLimit": "500m", "memoryLimit": "256Mi"}), used + 3));
        nodes.push(node(&id("a"), "app", &nm("api"), p,
            json!({"image": "ghcr.io/acme/api:1.4.2", "port": 8080, "replicas": 1 + rng.below(4), "cpuRequest": "250m", "cpuLimit": "500m",
                   "memoryRequest": "256Mi", "memoryLimit": "512Mi", "readinessProbe": {"type": "http", "path": "/ready", "port": 8080}}), used + 4));
        nodes.push(node(
            &id("v"),
            "service",
            &nm("api-svc"),
            p,
            json!({"type": "ClusterIP", "port": 80, "targetPort": 8080}),
            used + 5,
        ));
        nodes.push(node(&id("i"), "ingress", &nm("api-ing"), p,
            json!({"host": format!("api-{t}.example.com"), "path": "/", "pathType": "Prefix", "ingressClassName": "nginx"}), used + 6));
        nodes.push(node(
            &id("u"),
            "serviceaccount",
            &nm("api-sa"),
            p,
            json!({"automountToken": false}),
            used + 7,
        ));
        nodes.push(node(&id("r"), "role", &nm("api-reader"), p,
            json!({"kind": "Role", "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}), used + 8));
        nodes.push(node(&id("n"), "networkpolicy", &nm("api-netpol"), p,
            json!({"policyTypes": ["Ingress"], "ingressRules": [{"peers": [{"namespaceLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}], "ports": [{"port": 8080, "protocol": "TCP"}]}]}), used + 9));
        used += 10;
        edge(&mut conns, &id("s"), &id("d"), None);
        edge(&mut conns, &id("s"), &id("a"), None);
        edge(&mut conns, &id("c"), &id("a"), None);
        edge(&mut conns, &id("d"), &id("j"), None);
        edge(&mut conns, &id("j"), &id("a"), None);
        edge(&mut conns, &id("a"), &id("v"), None);
        edge(
            &mut conns,
            &id("v"),
            &id("i"),
            Some(json!({"data": {"port": 80}})),
        );
        edge(&mut conns, &id("u"), &id("r"), None);
        edge(&mut conns, &id("r"), &id("a"), None);
        edge(&mut conns, &id("n"), &id("a"), None);
        // A dependency on an earlier tile's API in the same namespace (acyclic: earlier only).
        let same_ns: Vec<&String> = apis
            .iter()
            .filter(|(_, g)| *g == gidx)
            .map(|(a, _)| a)
            .collect();
        if !same_ns.is_empty() && rng.below(2) == 0 {
            let dep = same_ns[rng.below(same_ns.len())].clone();
            let style = if rng.below(3) == 0 { "dashed" } else { "solid" };
            edge(&mut conns, &dep, &id("a"), Some(json!({"style": style})));
        }
        apis.push((id("a"), gidx));
    }
    let mut k = 0;
    while used < n {
        nodes.push(node(
            &format!("x{k}"),
            "configmap",
            &format!("extra-{k}"),
            None,
            json!({"data": {"k": "v"}}),
            used,
        ));
        used += 1;
        k += 1;
    }
    json!({
        "schemaVersion": "1.0",
        "id": format!("synthetic-{n}-{seed}"),
        "name": format!("synthetic-{n}"),
        "namespace": "default",
        "settings": {"executionMode": "parallel"},
        "nodes": nodes,
        "connections": conns
    })
}

/// Shuffles the nodes and connections of a workflow document (Fisher–Yates, seeded).
pub fn shuffled(doc: &Value, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let mut out = doc.clone();
    for key in ["nodes", "connections"] {
        if let Some(Value::Array(items)) = out.get_mut(key) {
            for i in (1..items.len()).rev() {
                let j = rng.below(i + 1);
                items.swap(i, j);
            }
        }
    }
    out
}
