//! Service → Service.

use super::*;

impl Kube<'_, '_> {
    pub(super) fn service(&mut self, i: usize, p: &ServiceProps) -> Vec<Obj> {
        let g = self.g;
        let id = self.id(i);
        let name = g.name(i);
        let ns = g.ns[i];
        let t = p.kind.unwrap_or(ServiceType::ClusterIp);
        let ports = common::service_ports(g, i);
        let mut spec = core::ServiceSpec {
            type_: Some(t.as_str().to_owned()),
            selector: common::service_selector(g, i),
            ports: (!ports.is_empty()).then(|| {
                ports
                    .iter()
                    .map(|p| core::ServicePort {
                        name: Some(p.name.clone()),
                        port: p.port as i32,
                        target_port: (t != ServiceType::ExternalName).then(|| kint(&p.target)),
                        protocol: Some(p.protocol.as_str().to_owned()),
                        app_protocol: p.app_protocol.clone(),
                        node_port: p.node_port.map(|n| n as i32),
                    })
                    .collect()
            }),
            external_ips: p.external_ips.clone(),
            load_balancer_ip: p.load_balancer_ip.clone(),
            session_affinity: p.session_affinity.map(|s| s.as_str().to_owned()),
            external_traffic_policy: p.external_traffic_policy.map(|s| s.as_str().to_owned()),
            external_name: p.external_name.clone(),
            cluster_ip: p.cluster_ip.clone().filter(|s| !s.is_empty()),
            ..core::ServiceSpec::default()
        };
        if let Some(st) = &p.sticky_sessions {
            spec.session_affinity = Some("ClientIP".into());
            spec.session_affinity_config = Some(core::SessionAffinityConfig {
                client_ip: Some(core::ClientIPConfig {
                    timeout_seconds: st.timeout_seconds.map(|v| v as i32),
                }),
            });
        }
        for k in [
            "type",
            "selector",
            "port",
            "targetPort",
            "ports",
            "protocol",
            "appProtocol",
            "clusterIP",
            "externalIPs",
            "loadBalancerIP",
            "sessionAffinity",
            "stickySessions",
            "externalTrafficPolicy",
            "externalName",
        ] {
            if common::present_keys(g.nodes[i]).contains(&k) {
                self.led.mapped(id, k);
            }
        }
        if p.endpoints.is_some() {
            self.led
                .dropped(id, "endpoints", "manual endpoints are not supported");
        }
        for k in g.inn(i) {
            let e = &g.edges[*k];
            if e.pair == Pair::WorkloadToService {
                self.led.connection(&e.conn.id, Fidelity::Mapped);
            }
        }
        let svc = core::Service {
            metadata: self.meta(i, name, Some(ns)),
            spec: Some(spec),
        };
        vec![obj(i, "Service", Some(ns), name, svc)]
    }
}
