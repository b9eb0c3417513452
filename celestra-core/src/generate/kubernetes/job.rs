//! Job → Job, CronJob → CronJob (batch/v1beta1 below 1.21).

use super::*;

impl Kube<'_, '_> {
    pub(super) fn job_spec(
        &mut self,
        i: usize,
        pc: &PodCommon<'_>,
        jp: JobParts<'_>,
    ) -> batch::JobSpec {
        let id = self.id(i);
        let restart = jp.restart.unwrap_or(JobRestartPolicy::OnFailure);
        let mut pod = self.pod(i, pc, Some(restart.as_str()));
        if jp.restart.is_some() {
            self.led.mapped(id, "restartPolicy");
        }
        for v in jp.volumes.into_iter().flatten() {
            let (Some(name), Some(src)) = (&v.name, &v.source) else {
                continue;
            };
            // The source passes through as written; the volume's own name wins.
            let mut raw = src.clone();
            raw.remove("name");
            pod.volumes.get_or_insert_with(Vec::new).push(core::Volume {
                name: name.clone(),
                raw,
                ..core::Volume::default()
            });
            if let Some(path) = &v.mount_path {
                pod.containers[0]
                    .volume_mounts
                    .get_or_insert_with(Vec::new)
                    .push(core::VolumeMount {
                        name: name.clone(),
                        mount_path: path.clone(),
                        read_only: v.read_only,
                        ..core::VolumeMount::default()
                    });
            }
        }
        if jp.volumes.is_some() {
            self.led.mapped(id, "volumes");
        }
        let deadline = jp.timeout.or(jp.active_deadline);
        for (k, set) in [
            ("timeout", jp.timeout.is_some()),
            ("activeDeadline", jp.active_deadline.is_some()),
        ] {
            if set {
                self.led.mapped(id, k);
            }
        }
        for (k, set) in [
            ("parallelism", jp.parallelism.is_some()),
            ("completions", jp.completions.is_some()),
            ("backoffLimit", jp.backoff_limit.is_some()),
        ] {
            if set {
                self.led.mapped(id, k);
            }
        }
        batch::JobSpec {
            parallelism: jp.parallelism.filter(|v| *v != 1).map(|v| v as i32),
            completions: jp.completions.filter(|v| *v != 1).map(|v| v as i32),
            backoff_limit: jp.backoff_limit.filter(|v| *v != 6).map(|v| v as i32),
            active_deadline_seconds: common::seconds(deadline),
            template: self.template(i, pod),
            ..batch::JobSpec::default()
        }
    }

    pub(super) fn job(&mut self, i: usize, p: &JobProps) -> Vec<Obj> {
        let g = self.g;
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let spec = self.job_spec(
            i,
            &pc,
            JobParts {
                restart: p.restart_policy,
                volumes: p.volumes.as_ref(),
                timeout: p.timeout.as_ref(),
                active_deadline: p.active_deadline.as_ref(),
                parallelism: p.parallelism,
                completions: p.completions,
                backoff_limit: p.backoff_limit,
            },
        );
        let job = batch::Job {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        vec![obj(i, "Job", Some(ns), name, job)]
    }

    /// A CronJob object in the apiVersion the target cluster serves.
    pub(super) fn cronjob_obj(
        &mut self,
        i: usize,
        name: &str,
        ns: &str,
        cj: batch::CronJob,
    ) -> Obj {
        let mut o = obj(i, "CronJob", Some(ns), name, cj);
        if self.version.before(1, 21) {
            o.api_version = Some("batch/v1beta1");
        }
        o
    }

    pub(super) fn cronjob(&mut self, i: usize, p: &CronJobProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let Some(pc) = PodCommon::of(g.nodes[i]) else {
            return Vec::new();
        };
        let present = &pc.present;
        let spec = self.job_spec(
            i,
            &pc,
            JobParts {
                restart: p.restart_policy,
                volumes: None,
                timeout: p.timeout.as_ref(),
                active_deadline: None,
                parallelism: None,
                completions: None,
                backoff_limit: p.backoff_limit,
            },
        );
        // Deep-merge overrides.
        let mut job_value = spec.to_json();
        if let Some(js) = &p.job_spec {
            merge(&mut job_value, &Value::Object(js.clone()));
            self.led.mapped(id, "jobSpec");
        }
        if let Some(pt) = &p.pod_template {
            merge(&mut job_value["template"], &Value::Object(pt.clone()));
            self.led.mapped(id, "podTemplate");
        }
        if let Some(vt) = &p.volume_templates {
            let vols: Vec<Value> = vt.iter().cloned().map(Value::Object).collect();
            match path_mut(&mut job_value, &["template", "spec", "volumes"]) {
                Some(Value::Array(a)) => {
                    a.extend(vols);
                    self.led.mapped(id, "volumeTemplates");
                }
                Some(slot) => {
                    *slot = Value::Array(vols);
                    self.led.mapped(id, "volumeTemplates");
                }
                None => self.led.dropped(
                    id,
                    "volumeTemplates",
                    "the jobSpec/podTemplate overrides replace the pod template with a non-object",
                ),
            }
        }
        let tz = match &p.time_zone {
            Some(tz) if self.version.before(1, 25) => {
                self.led.dropped(
                    id,
                    "timeZone",
                    format!(
                        "CronJob timeZone needs Kubernetes 1.25+ (target {})",
                        self.version
                    ),
                );
                None
            }
            Some(tz) => {
                self.led.mapped(id, "timeZone");
                Some(tz.clone())
            }
            None => None,
        };
        let cj = batch::CronJob {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(batch::CronJobSpec {
                schedule: p.schedule.clone().unwrap_or_else(|| "0 0 * * *".into()),
                time_zone: tz,
                concurrency_policy: p.concurrency_policy.map(|c| c.as_str().to_owned()),
                suspend: p.suspend,
                successful_jobs_history_limit: p.successful_jobs_history.map(|v| v as i32),
                failed_jobs_history_limit: p.failed_jobs_history.map(|v| v as i32),
                starting_deadline_seconds: common::seconds(p.starting_deadline.as_ref()),
                job_template: batch::JobTemplateSpec {
                    metadata: None,
                    spec: Some(job_value),
                },
            }),
        };
        for k in [
            "schedule",
            "concurrencyPolicy",
            "suspend",
            "successfulJobsHistory",
            "failedJobsHistory",
            "startingDeadline",
        ] {
            if present.contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.concurrency.is_some() {
            self.led.dropped(
                id,
                "concurrency",
                "no Kubernetes meaning; use concurrencyPolicy",
            );
        }
        if p.last_schedule_time.is_some() {
            self.led.dropped(
                id,
                "lastScheduleTime",
                "read-only status, set by the cluster",
            );
        }
        vec![self.cronjob_obj(i, name, ns, cj)]
    }
}
