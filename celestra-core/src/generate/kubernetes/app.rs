//! App → Deployment (+ HPA, PDB and the implicit Service).

use super::*;

impl Kube<'_, '_> {
    pub(super) fn app(&mut self, i: usize, p: &AppProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let mut spec = self.pod(i, &pc, None);
        let mut out = Vec::new();
        if let Some(size) = &p.storage {
            let claim = format!("{name}-data");
            Self::add_volume(
                &mut spec,
                core::Volume {
                    name: "data".into(),
                    persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                        claim_name: claim.clone(),
                        read_only: None,
                    }),
                    ..core::Volume::default()
                },
                core::VolumeMount {
                    name: "data".into(),
                    mount_path: p
                        .storage_mount_path
                        .clone()
                        .unwrap_or_else(|| "/data".into()),
                    ..core::VolumeMount::default()
                },
            );
            out.push(self.pvc(
                i,
                &claim,
                ns,
                &size.text(),
                p.storage_class.as_ref(),
                AccessMode::ReadWriteOnce,
            ));
            self.led.mapped(id, "storage");
            for k in ["storageClass", "storageMountPath"] {
                if present.contains(&k) {
                    self.led.mapped(id, k);
                }
            }
        } else {
            for k in ["storageClass", "storageMountPath"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `storage` set, so there is no volume");
                }
            }
        }
        for pv in p.persistent_volumes.iter().flatten() {
            let (Some(pvn), Some(size)) = (&pv.name, &pv.size) else {
                continue;
            };
            let claim = format!("{name}-{pvn}");
            if let Some(path) = &pv.mount_path {
                Self::add_volume(
                    &mut spec,
                    core::Volume {
                        name: pvn.clone(),
                        persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                            claim_name: claim.clone(),
                            read_only: None,
                        }),
                        ..core::Volume::default()
                    },
                    core::VolumeMount {
                        name: pvn.clone(),
                        mount_path: path.clone(),
                        ..core::VolumeMount::default()
                    },
                );
            }
            out.push(self.pvc(
                i,
                &claim,
                ns,
                &size.text(),
                pv.storage_class.as_ref(),
                pv.access_mode.unwrap_or(AccessMode::ReadWriteOnce),
            ));
        }
        if p.persistent_volumes.is_some() {
            self.led.mapped(id, "persistentVolumes");
        }
        if p.network_policies.is_some() {
            self.led.mapped(id, "networkPolicies");
        }
        let replicas = p
            .replicas
            .or_else(|| common::group_replicas(g, i))
            .unwrap_or(1);
        if p.replicas.is_some() {
            self.led.mapped(id, "replicas");
        }
        let mut dspec = apps::DeploymentSpec {
            replicas: Some(replicas as i32),
            selector: LabelSelector {
                match_labels: Some(common::selector(name)),
                ..LabelSelector::default()
            },
            template: self.template(i, spec),
            ..apps::DeploymentSpec::default()
        };
        // Rolling / Recreate strategy from a DeploymentStrategy node (§2.13).
        if let Some(ds) = g.sources(i, Pair::DsToApp).next()
            && let Properties::DeploymentStrategy(sp) = &g.nodes[ds].data.properties
        {
            let t = sp.kind.unwrap_or(StrategyType::RollingUpdate);
            let fallback = match t {
                StrategyType::RollingUpdate => Some(FallbackStrategy::RollingUpdate),
                StrategyType::Recreate => Some(FallbackStrategy::Recreate),
                _ => sp.strategy,
            };
            dspec.strategy = Some(match fallback.unwrap_or(FallbackStrategy::RollingUpdate) {
                FallbackStrategy::Recreate => apps::DeploymentStrategy {
                    type_: Some("Recreate".into()),
                    rolling_update: None,
                },
                FallbackStrategy::RollingUpdate => apps::DeploymentStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(apps::RollingUpdateDeployment {
                        max_surge: Some(
                            sp.max_surge
                                .as_ref()
                                .map_or(KInt::String("25%".into()), kint),
                        ),
                        max_unavailable: Some(
                            sp.max_unavailable
                                .as_ref()
                                .map_or(KInt::String("25%".into()), kint),
                        ),
                    }),
                },
            });
            dspec.progress_deadline_seconds =
                common::seconds(sp.timeout.as_ref()).map(|s| s as i32);
            dspec.revision_history_limit = sp.revision_history_limit.map(|v| v as i32);
        }
        let dep = apps::Deployment {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(dspec),
        };
        let mut objs = vec![obj(i, "Deployment", Some(ns), name, dep)];
        if app_has_ports(p) && !app_selected_by_service(g, i) {
            objs.push(self.implicit_service(i, name, ns, false, ServiceType::ClusterIp));
        }
        objs.extend(out);
        objs
    }

    /// The Service an App implies, or a StatefulApp's governing Service.
    pub(super) fn implicit_service(
        &self,
        i: usize,
        name: &str,
        ns: &str,
        by_name: bool,
        t: ServiceType,
    ) -> Obj {
        let ports = common::container_ports(self.g.nodes[i]);
        let spec = core::ServiceSpec {
            type_: Some(t.as_str().to_owned()),
            selector: Some(common::selector(name)),
            ports: Some(
                ports
                    .iter()
                    .enumerate()
                    .map(|(k, p)| core::ServicePort {
                        name: Some(p.name.clone().unwrap_or_else(|| format!("port-{}", k + 1))),
                        port: p.port as i32,
                        target_port: Some(match (&p.name, by_name) {
                            (Some(n), true) => KInt::String(n.clone()),
                            _ => KInt::Int(p.port as i32),
                        }),
                        protocol: Some(p.protocol.as_str().to_owned()),
                        ..core::ServicePort::default()
                    })
                    .collect(),
            ),
            ..core::ServiceSpec::default()
        };
        let svc = core::Service {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        obj(i, "Service", Some(ns), name, svc)
    }
}
