//! Secret → Secret, ConfigMap → ConfigMap.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn secret(&mut self, i: usize, p: &SecretProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let redact = |v: &str| {
            if self.redact {
                REDACTED.to_owned()
            } else {
                v.to_owned()
            }
        };
        let mut string_data: BTreeMap<String, String> = BTreeMap::new();
        // Base64 text of the bytes.
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        if let Some(d) = &p.data {
            for (k, v) in d {
                string_data.insert(k.clone(), redact(v));
            }
            self.led.mapped(id, "data");
        }
        if let Some(ev) = &p.env_vars {
            for (k, v) in ev.pairs() {
                string_data.entry(k).or_insert_with(|| redact(&v));
            }
            self.led.mapped(id, "envVars");
        }
        if let Some(files) = &p.files {
            for (k, f) in files {
                let content = f.content.clone().unwrap_or_default();
                match f.encoding {
                    Some(FileEncoding::Base64) => {
                        let bytes = if self.redact {
                            REDACTED.as_bytes().to_vec()
                        } else {
                            base64_decode(&content).unwrap_or_default()
                        };
                        data.insert(k.clone(), base64_encode(&bytes));
                    }
                    _ => {
                        string_data.insert(k.clone(), redact(&content));
                    }
                }
            }
            self.led.mapped(id, "files");
        }
        if p.generated.is_some() {
            self.led.approx(
                id,
                "generated",
                "values are generated at deploy time, never in generated files",
            );
        }
        if p.external_source.is_some() {
            self.led.dropped(
                id,
                "externalSource",
                "external secret stores need an operator (e.g. External Secrets); nothing is generated",
            );
        }
        for k in [
            "mountPath",
            "filePermissions",
            "subPath",
            "injectAs",
            "envPrefix",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let mut meta = self.meta(i, name, Some(ns));
        let mut ann = meta.annotations.take().unwrap_or_default();
        if let Some(e) = p.encryption {
            ann.insert("celestra.io/encryption".into(), e.as_str().to_owned());
            self.led.approx(
                id,
                "encryption",
                "annotation celestra.io/encryption only (etcd encryption is cluster-wide)",
            );
        }
        if let Some(r) = p.rotation_policy {
            ann.insert("celestra.io/rotation-policy".into(), r.as_str().to_owned());
            self.led.approx(
                id,
                "rotationPolicy",
                "annotation celestra.io/rotation-policy only",
            );
        }
        if p.access_control.is_some() {
            self.led
                .dropped(id, "accessControl", "use a Role and a ServiceAccount");
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        if p.kind.is_some() {
            self.led.mapped(id, "type");
        }
        let s = core::Secret {
            metadata: meta,
            type_: Some(p.kind.unwrap_or(SecretType::Opaque).as_str().to_owned()),
            string_data: (!string_data.is_empty()).then_some(string_data),
            data: (!data.is_empty()).then_some(data),
            ..core::Secret::default()
        };
        vec![obj(i, "Secret", Some(ns), name, s)]
    }

    pub(super) fn configmap(&mut self, i: usize, p: &ConfigMapProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        // Base64 text, normalized (decoded and encoded again).
        let mut binary: BTreeMap<String, String> = BTreeMap::new();
        if let Some(d) = &p.data {
            for (k, v) in d {
                let text = match v {
                    ConfigValue::Text(t) => t.clone(),
                    ConfigValue::Json(j) => serde_json::to_string_pretty(j).expect("json"),
                };
                data.insert(k.clone(), text);
            }
            self.led.mapped(id, "data");
        }
        for (key, files) in [("files", &p.files), ("directories", &p.directories)] {
            let Some(files) = files else { continue };
            for (k, f) in files {
                let content = f.content.clone().unwrap_or_default();
                match f.encoding {
                    Some(FileEncoding::Base64) => {
                        binary.insert(
                            k.clone(),
                            base64_encode(&base64_decode(&content).unwrap_or_default()),
                        );
                    }
                    _ => {
                        data.insert(k.clone(), content);
                    }
                }
            }
            self.led.mapped(id, key);
        }
        let mut meta = self.meta(i, name, Some(ns));
        let mut ann = meta.annotations.take().unwrap_or_default();
        match &p.hot_reload {
            Some(HotReload::Toggle(true)) | Some(HotReload::Mode(HotReloadMode::Enabled)) => {
                ann.insert("celestra.io/hot-reload".into(), "true".into());
                ann.insert("celestra.io/restart-policy".into(), "rolling".into());
                ann.insert("celestra.io/check-interval".into(), "30s".into());
                self.led.approx(
                    id,
                    "hotReload",
                    "celestra.io/hot-reload annotations for a reloader",
                );
            }
            Some(HotReload::Mode(HotReloadMode::Conditional)) => {
                ann.insert("celestra.io/hot-reload".into(), "true".into());
                self.led
                    .approx(id, "hotReload", "Conditional treated as Enabled");
            }
            Some(_) => self.led.mapped(id, "hotReload"),
            None => {}
        }
        if !ann.is_empty() {
            meta.annotations = Some(ann);
        }
        if p.template.is_some() {
            self.led.dropped(id, "template", "a UI prefill, no output");
        }
        if let Some(v) = p.validation {
            match v {
                ConfigValidation::JsonSchema | ConfigValidation::None => {
                    self.led.mapped(id, "validation")
                }
                other => self.led.dropped(
                    id,
                    "validation",
                    format!("\"{other}\" is not checked by the engine"),
                ),
            }
        }
        match p.transformation {
            Some(ConfigTransformation::EnvironmentVariables) | Some(ConfigTransformation::None) => {
                self.led.mapped(id, "transformation")
            }
            Some(t) => self
                .led
                .dropped(id, "transformation", format!("\"{t}\" is not supported")),
            None => {}
        }
        for k in [
            "mountPath",
            "subPath",
            "defaultMode",
            "injectAs",
            "envPrefix",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let cm = core::ConfigMap {
            metadata: meta,
            data: (!data.is_empty()).then_some(data),
            binary_data: (!binary.is_empty()).then_some(binary),
            ..core::ConfigMap::default()
        };
        vec![obj(i, "ConfigMap", Some(ns), name, cm)]
    }
}
