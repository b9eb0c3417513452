//! The fixture workflows and their generation snapshots, embedded (no files in a browser).

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                "../../../tests/fixtures/workflows/",
                $name,
                ".json"
            )),
            [
                include_str!(concat!(
                    "../../../tests/suite/snapshots/generate__k8s__",
                    $name,
                    ".snap"
                )),
                include_str!(concat!(
                    "../../../tests/suite/snapshots/generate__compose__",
                    $name,
                    ".snap"
                )),
                include_str!(concat!(
                    "../../../tests/suite/snapshots/generate__helm__",
                    $name,
                    ".snap"
                )),
                include_str!(concat!(
                    "../../../tests/suite/snapshots/generate__dsl__",
                    $name,
                    ".snap"
                )),
            ],
        )
    };
}

/// Every fixture workflow with its four generation snapshots (the JS suite checks this list
/// names every file of tests/fixtures/workflows).
pub(super) const FIXTURES: &[(&str, &str, [&str; 4])] = &[
    fixture!("batch-etl-cronjobs"),
    fixture!("blue-green-storefront"),
    fixture!("ex1-hello-world"),
    fixture!("ex2-postgres-migration"),
    fixture!("ex3-microservice"),
    fixture!("ex4-canary-observability-crd"),
    fixture!("grpc-geo-services"),
    fixture!("hostile-values"),
    fixture!("kafka-pipeline"),
    fixture!("ml-inference-gpu"),
    fixture!("multi-namespace-platform"),
    fixture!("observability-stack"),
    fixture!("passthrough-overrides"),
    fixture!("phased-monolith"),
    fixture!("private-registry-pull-secrets"),
    fixture!("rbac-operator"),
    fixture!("redis-cache-app"),
    fixture!("sequential-migrations"),
    fixture!("staging-conditional-edges"),
    fixture!("wordpress-mysql"),
];
