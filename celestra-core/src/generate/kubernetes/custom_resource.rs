//! CustomResource → CustomResourceDefinition and instances.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn custom_resource(&mut self, i: usize, p: &CustomResourceProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let group = p.group.clone().unwrap_or_else(|| "example.com".into());
        let version = p.version.clone().unwrap_or_else(|| "v1".into());
        let plural = p.plural.clone().unwrap_or_else(|| format!("{name}s"));
        let kind = p
            .kind
            .clone()
            .unwrap_or_else(|| crate::objects::capitalize(name));
        let cluster = p.scope == Some(CrdScope::Cluster);
        let mut spec_props: BTreeMap<String, Value> = BTreeMap::new();
        let mut required = Vec::new();
        for f in p.schema.iter().flatten() {
            let Some(fname) = &f.name else { continue };
            let mut s = apiext::JSONSchemaProps {
                type_: Some(f.kind.unwrap_or(FieldType::String).as_str().to_owned()),
                description: f.description.clone(),
                default: f.default.clone().map(apiext::Json),
                enum_: f
                    .enum_values
                    .clone()
                    .map(|v| v.into_iter().map(apiext::Json).collect()),
                pattern: f.pattern.clone(),
                minimum: f.minimum,
                maximum: f.maximum,
                ..apiext::JSONSchemaProps::default()
            };
            // The user's item and property schemas pass through as written.
            if f.kind == Some(FieldType::Array) {
                s.items = Some(match &f.items {
                    Some(o) => Value::Object(o.clone()),
                    None => json!({"type": "string"}),
                });
            }
            if f.kind == Some(FieldType::Object) {
                match &f.properties {
                    Some(Value::Object(props)) if props.values().all(Value::is_object) => {
                        s.properties = Some(crate::sort::map(props.clone()));
                    }
                    _ => s.x_kubernetes_preserve_unknown_fields = Some(true),
                }
            }
            if f.required == Some(true) {
                required.push(fname.clone());
            }
            spec_props.insert(fname.clone(), s.to_json());
        }
        let validation = p.validation.unwrap_or(true);
        let spec_schema = if validation && !spec_props.is_empty() {
            apiext::JSONSchemaProps {
                type_: Some("object".into()),
                properties: Some(spec_props),
                required: (!required.is_empty()).then_some(required),
                ..apiext::JSONSchemaProps::default()
            }
        } else {
            apiext::JSONSchemaProps {
                type_: Some("object".into()),
                x_kubernetes_preserve_unknown_fields: Some(true),
                ..apiext::JSONSchemaProps::default()
            }
        };
        let root = apiext::JSONSchemaProps {
            type_: Some("object".into()),
            properties: Some(crate::sort::map([
                ("spec".to_owned(), spec_schema.to_json()),
                (
                    "status".to_owned(),
                    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                ),
            ])),
            ..apiext::JSONSchemaProps::default()
        };
        let columns: Vec<apiext::CustomResourceColumnDefinition> = p
            .printer_columns
            .iter()
            .flatten()
            .filter_map(|c| {
                Some(apiext::CustomResourceColumnDefinition {
                    name: c.name.clone()?,
                    json_path: c.json_path.clone()?,
                    type_: c.kind.clone().unwrap_or_else(|| "string".into()),
                    description: c.description.clone(),
                    priority: c.priority.map(|v| v as i32),
                    format: None,
                })
            })
            .collect();
        let subresources = p
            .subresources
            .as_ref()
            .map(|s| apiext::CustomResourceSubresources {
                status: (s.status == Some(true)).then(core::Object::new),
                scale: (s.scale == Some(true)).then(|| apiext::CustomResourceSubresourceScale {
                    spec_replicas_path: ".spec.replicas".into(),
                    status_replicas_path: ".status.replicas".into(),
                    label_selector_path: None,
                }),
            });
        let crd_name = format!("{plural}.{group}");
        let crd = apiext::CustomResourceDefinition {
            metadata: self.meta(i, &crd_name, None),
            spec: apiext::CustomResourceDefinitionSpec {
                group: group.clone(),
                names: apiext::CustomResourceDefinitionNames {
                    kind: kind.clone(),
                    plural: plural.clone(),
                    singular: Some(name.to_owned()),
                    short_names: p.short_names.clone().filter(|s| !s.is_empty()),
                    categories: p.categories.clone().filter(|s| !s.is_empty()),
                    list_kind: None,
                },
                scope: if cluster {
                    "Cluster".into()
                } else {
                    "Namespaced".into()
                },
                versions: vec![apiext::CustomResourceDefinitionVersion {
                    name: version.clone(),
                    served: true,
                    storage: true,
                    schema: Some(apiext::CustomResourceValidation {
                        open_api_v3_schema: Some(root),
                    }),
                    additional_printer_columns: (!columns.is_empty()).then_some(columns),
                    subresources,
                }],
            },
        };
        let mut out = vec![obj(i, "CustomResourceDefinition", None, &crd_name, crd)];
        for inst in p.instances.iter().flatten() {
            let Some(iname) = &inst.name else { continue };
            let ins_ns = (!cluster).then_some(ns);
            let mut v = json!({
                "apiVersion": format!("{group}/{version}"),
                "kind": kind,
                "metadata": self.meta(i, iname, ins_ns).to_json(),
            });
            if let Some(spec) = &inst.spec {
                v["spec"] = spec.clone();
            }
            out.push(json_obj(i, &kind, ins_ns, iname, v));
        }
        if let Some(c) = &p.controller {
            let cname = format!("{name}-controller");
            let sa = core::ServiceAccount {
                metadata: self.meta(i, &cname, Some(ns)),
                ..core::ServiceAccount::default()
            };
            out.push(obj(i, "ServiceAccount", Some(ns), &cname, sa));
            let cr = rbac::ClusterRole {
                metadata: self.meta(i, &cname, None),
                rules: Some(vec![
                    rbac::PolicyRule {
                        api_groups: Some(vec![group.clone()]),
                        resources: Some(vec![plural.clone(), format!("{plural}/status")]),
                        verbs: [
                            "get", "list", "watch", "create", "update", "patch", "delete",
                        ]
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                        ..rbac::PolicyRule::default()
                    },
                    rbac::PolicyRule {
                        api_groups: Some(vec![String::new()]),
                        resources: Some(vec!["events".into()]),
                        verbs: vec!["create".into(), "patch".into()],
                        ..rbac::PolicyRule::default()
                    },
                ]),
                aggregation_rule: None,
            };
            out.push(obj(i, "ClusterRole", None, &cname, cr));
            let crb = rbac::ClusterRoleBinding {
                metadata: self.meta(i, &cname, None),
                role_ref: rbac::RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: cname.clone(),
                },
                subjects: Some(vec![rbac::Subject {
                    kind: "ServiceAccount".into(),
                    name: c.service_account.clone().unwrap_or_else(|| cname.clone()),
                    namespace: Some(ns.to_owned()),
                    api_group: None,
                }]),
            };
            out.push(obj(i, "ClusterRoleBinding", None, &cname, crb));
            let mut labels = common::labels(g, i);
            labels.insert("app".into(), cname.clone());
            let dep = apps::Deployment {
                metadata: ObjectMeta {
                    name: Some(cname.clone()),
                    namespace: Some(ns.to_owned()),
                    labels: Some(labels.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(apps::DeploymentSpec {
                    replicas: Some(c.replicas.unwrap_or(1) as i32),
                    selector: LabelSelector {
                        match_labels: Some(common::selector(&cname)),
                        ..LabelSelector::default()
                    },
                    template: core::PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(labels),
                            ..ObjectMeta::default()
                        }),
                        spec: Some(core::PodSpec {
                            service_account_name: Some(
                                c.service_account.clone().unwrap_or_else(|| cname.clone()),
                            ),
                            containers: vec![core::Container {
                                name: "controller".into(),
                                image: c.image.clone(),
                                ..core::Container::default()
                            }],
                            ..core::PodSpec::default()
                        }),
                    },
                    ..apps::DeploymentSpec::default()
                }),
            };
            out.push(obj(i, "Deployment", Some(ns), &cname, dep));
            self.led.mapped(id, "controller");
        }
        for k in [
            "group",
            "version",
            "kind",
            "plural",
            "shortNames",
            "categories",
            "scope",
            "schema",
            "validation",
            "printerColumns",
            "subresources",
            "instances",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        for k in g.out(i) {
            let e = &g.edges[*k];
            self.led.connection(&e.conn.id, Fidelity::Mapped);
        }
        out
    }
}
