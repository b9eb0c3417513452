//! StatefulApp → StatefulSet (+ headless Service, volume claim templates, backup CronJob).

use super::*;

impl Kube<'_, '_> {
    pub(super) fn stateful(&mut self, i: usize, p: &StatefulAppProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let mut spec = self.pod(i, &pc, None);
        let mut claims = Vec::new();
        if let Some(size) = &p.storage {
            spec.containers[0]
                .volume_mounts
                .get_or_insert_with(Vec::new)
                .push(core::VolumeMount {
                    name: "data".into(),
                    mount_path: p.mount_path.clone().unwrap_or_else(|| "/data".into()),
                    ..core::VolumeMount::default()
                });
            claims.push(core::PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some("data".into()),
                    ..ObjectMeta::default()
                },
                spec: Some(pvc_spec(
                    &size.text(),
                    p.storage_class.as_ref(),
                    p.access_mode.unwrap_or(AccessMode::ReadWriteOnce),
                )),
            });
            for k in ["storage", "storageClass", "accessMode", "mountPath"] {
                if present.contains(&k) {
                    self.led.mapped(id, k);
                }
            }
        } else {
            for k in ["storageClass", "accessMode", "mountPath"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `storage` set, so there is no volume");
                }
            }
        }
        let replicas = p
            .replicas
            .or_else(|| common::group_replicas(g, i))
            .unwrap_or(1);
        if p.replicas.is_some() {
            self.led.mapped(id, "replicas");
        }
        let update = p
            .update_strategy
            .unwrap_or(StatefulUpdateStrategy::RollingUpdate);
        let sspec = apps::StatefulSetSpec {
            replicas: Some(replicas as i32),
            service_name: Some(name.to_owned()),
            selector: LabelSelector {
                match_labels: Some(common::selector(name)),
                ..LabelSelector::default()
            },
            template: self.template(i, spec),
            update_strategy: Some(apps::StatefulSetUpdateStrategy {
                type_: Some(update.as_str().to_owned()),
                rolling_update: (update == StatefulUpdateStrategy::RollingUpdate
                    && p.partition.is_some())
                .then(|| apps::RollingUpdateStatefulSetStrategy {
                    partition: p.partition.map(|v| v as i32),
                    max_unavailable: None,
                }),
            }),
            pod_management_policy: p.pod_management_policy.map(|x| x.as_str().to_owned()),
            // Embedded objects carry their apiVersion and kind, as the API writes them.
            volume_claim_templates: (!claims.is_empty())
                .then(|| claims.iter().map(crate::generate::Body::to_value).collect()),
            ..apps::StatefulSetSpec::default()
        };
        for k in ["updateStrategy", "partition", "podManagementPolicy"] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let sts = apps::StatefulSet {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(sspec),
        };
        let mut objs = vec![obj(i, "StatefulSet", Some(ns), name, sts)];
        // governing Service
        let headless = p.headless.unwrap_or(true);
        let st = p.service_type.unwrap_or(ServiceType::ClusterIp);
        let mut svc = self.implicit_service(i, name, ns, true, st);
        if headless {
            let typed = svc.edit(|s: &mut core::Service| {
                if let Some(spec) = s.spec.as_mut() {
                    spec.cluster_ip = Some("None".to_owned());
                }
            });
            debug_assert!(typed, "the implicit Service is typed");
        }
        for k in ["headless", "serviceType"] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        objs.push(svc);
        // backup CronJob (+ local PVC)
        if let Some(schedule) = &p.backup_schedule {
            let bname = format!("{name}-backup");
            let retention = match &p.backup_retention {
                Some(NumOrStr::Number(n)) => n.as_i64().unwrap_or(7),
                Some(NumOrStr::Text(t)) if t == "1 year" => 365,
                Some(NumOrStr::Text(t)) => t
                    .strip_suffix(" days")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(7),
                None => 7,
            };
            let mut container = core::Container {
                name: "backup".into(),
                image: p.image.clone(),
                command: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    format!(
                        "backup_tool --source {name} --dest /backup/backup-$(date +%Y%m%d).sql"
                    ),
                ]),
                ..core::Container::default()
            };
            let mut pod = core::PodSpec {
                restart_policy: Some("OnFailure".into()),
                ..core::PodSpec::default()
            };
            if backup_local(p) {
                container.volume_mounts = Some(vec![core::VolumeMount {
                    name: "backup".into(),
                    mount_path: "/backup".into(),
                    ..core::VolumeMount::default()
                }]);
                pod.volumes = Some(vec![core::Volume {
                    name: "backup".into(),
                    persistent_volume_claim: Some(core::PersistentVolumeClaimVolumeSource {
                        claim_name: bname.clone(),
                        read_only: None,
                    }),
                    ..core::Volume::default()
                }]);
            }
            pod.containers = vec![container];
            let cj = batch::CronJob {
                metadata: self.meta(i, &bname, Some(ns)),
                spec: Some(batch::CronJobSpec {
                    schedule: schedule.clone(),
                    concurrency_policy: Some("Forbid".into()),
                    successful_jobs_history_limit: Some(retention as i32),
                    failed_jobs_history_limit: Some(3),
                    job_template: batch::JobTemplateSpec {
                        metadata: None,
                        spec: Some(
                            batch::JobSpec {
                                template: self.template(i, pod),
                                ..batch::JobSpec::default()
                            }
                            .to_json(),
                        ),
                    },
                    ..batch::CronJobSpec::default()
                }),
            };
            objs.push(self.cronjob_obj(i, &bname, ns, cj));
            self.led.mapped(id, "backupSchedule");
            if p.backup_retention.is_some() {
                self.led.approx(
                    id,
                    "backupRetention",
                    format!("keeps the last {retention} successful backup Jobs"),
                );
            }
            match p.backup_location {
                None | Some(BackupLocation::Local) => {
                    let size = p.storage.as_ref().map_or("10Gi".to_owned(), NumOrStr::text);
                    objs.push(self.pvc(i, &bname, ns, &size, p.storage_class.as_ref(), AccessMode::ReadWriteOnce));
                    if p.backup_location.is_some() {
                        self.led.mapped(id, "backupLocation");
                    }
                }
                Some(other) => self.led.dropped(
                    id,
                    "backupLocation",
                    format!("{other} backups need credentials and upload tooling the engine does not create"),
                ),
            }
        } else {
            for k in ["backupRetention", "backupLocation"] {
                if present.contains(&k) {
                    self.led
                        .dropped(id, k, "no `backupSchedule`, so no backup job");
                }
            }
        }
        objs
    }
}
