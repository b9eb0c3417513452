//! AppGroup → Namespace, ResourceQuota, LimitRange, default NetworkPolicy.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn group(&mut self, i: usize, p: &AppGroupProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let gns = group_namespace(g.nodes[i]);
        let mut out = Vec::new();
        if group_creates_namespace(g.nodes[i]) {
            let mut meta = self.meta(i, gns, None);
            let labels = meta.labels.get_or_insert_with(BTreeMap::new);
            if let Some(env) = p.environment {
                labels.insert("environment".into(), env.as_str().to_owned());
            }
            // Pod Security Admission: the strictest standard any member asks for.
            let strictest = (0..g.nodes.len())
                .filter(|m| g.group[*m] == Some(i))
                .filter_map(|m| match &g.nodes[m].data.properties {
                    Properties::App(x) => x.pod_security_standard,
                    Properties::StatefulApp(x) => x.pod_security_standard,
                    Properties::Job(x) => x.pod_security_standard,
                    Properties::CronJob(x) => x.pod_security_standard,
                    _ => None,
                })
                .max();
            if let Some(pss) = strictest {
                labels.insert(
                    "pod-security.kubernetes.io/enforce".into(),
                    pss.as_str().to_owned(),
                );
            }
            let nsobj = core::Namespace { metadata: meta };
            out.push(obj(i, "Namespace", None, gns, nsobj));
        }
        for k in ["namespace", "createNamespace", "environment", "replicas"] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        let quota = match (p.resource_quota, &p.resource_quota_custom) {
            (Some(QuotaPreset::Small), _) => {
                Some(("2".to_owned(), "4Gi".to_owned(), "50Gi".to_owned(), 10))
            }
            (Some(QuotaPreset::Medium), _) => {
                Some(("4".to_owned(), "8Gi".to_owned(), "100Gi".to_owned(), 20))
            }
            (Some(QuotaPreset::Large), _) => {
                Some(("8".to_owned(), "16Gi".to_owned(), "250Gi".to_owned(), 50))
            }
            (Some(QuotaPreset::Enterprise), _) => {
                Some(("16".to_owned(), "32Gi".to_owned(), "500Gi".to_owned(), 100))
            }
            (_, Some(c)) => Some((
                c.cpu.as_ref().map_or("4".to_owned(), NumOrStr::text),
                c.memory.as_ref().map_or("8Gi".to_owned(), NumOrStr::text),
                c.storage
                    .as_ref()
                    .map_or("100Gi".to_owned(), NumOrStr::text),
                c.pods.unwrap_or(20),
            )),
            _ => None,
        };
        if let Some((cpu, mem, storage, pods)) = quota {
            let qname = format!("{name}-quota");
            let hard = crate::sort::map([
                ("requests.cpu".to_owned(), q(cpu.clone())),
                ("limits.cpu".to_owned(), q(cpu)),
                ("requests.memory".to_owned(), q(mem.clone())),
                ("limits.memory".to_owned(), q(mem)),
                ("requests.storage".to_owned(), q(storage)),
                ("count/pods".to_owned(), q(pods.to_string())),
            ]);
            let rq = core::ResourceQuota {
                metadata: self.meta(i, &qname, Some(gns)),
                spec: Some(core::ResourceQuotaSpec { hard: Some(hard) }),
            };
            out.push(obj(i, "ResourceQuota", Some(gns), &qname, rq));
            if p.resource_quota.is_some() {
                self.led.approx(
                    id,
                    "resourceQuota",
                    "preset sizes of workflow-format.md §2.15",
                );
            }
            if p.resource_quota_custom.is_some() {
                self.led.mapped(id, "resourceQuotaCustom");
            }
        }
        if p.allow_internal_communication == Some(true) {
            let npname = format!("{name}-internal");
            let np = net::NetworkPolicy {
                metadata: self.meta(i, &npname, Some(gns)),
                spec: Some(net::NetworkPolicySpec {
                    pod_selector: Some(LabelSelector::default()),
                    policy_types: Some(vec!["Ingress".into()]),
                    ingress: Some(vec![net::NetworkPolicyIngressRule {
                        from: Some(vec![net::NetworkPolicyPeer {
                            pod_selector: Some(LabelSelector::default()),
                            ..net::NetworkPolicyPeer::default()
                        }]),
                        ports: None,
                    }]),
                    egress: None,
                }),
            };
            out.push(obj(i, "NetworkPolicy", Some(gns), &npname, np));
            self.led.mapped(id, "allowInternalCommunication");
        } else if p.allow_internal_communication.is_some() {
            self.led.mapped(id, "allowInternalCommunication");
        }
        out
    }
}
