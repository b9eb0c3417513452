//! The fixture workflows, embedded for unit tests (the core reads no files).

/// Every `tests/fixtures/workflows/*.json`, as text.
pub(crate) const WORKFLOWS: &[&str] = &[
    include_str!("../../tests/fixtures/workflows/batch-etl-cronjobs.json"),
    include_str!("../../tests/fixtures/workflows/blue-green-storefront.json"),
    include_str!("../../tests/fixtures/workflows/ex1-hello-world.json"),
    include_str!("../../tests/fixtures/workflows/ex2-postgres-migration.json"),
    include_str!("../../tests/fixtures/workflows/ex3-microservice.json"),
    include_str!("../../tests/fixtures/workflows/ex4-canary-observability-crd.json"),
    include_str!("../../tests/fixtures/workflows/grpc-geo-services.json"),
    include_str!("../../tests/fixtures/workflows/hostile-values.json"),
    include_str!("../../tests/fixtures/workflows/kafka-pipeline.json"),
    include_str!("../../tests/fixtures/workflows/ml-inference-gpu.json"),
    include_str!("../../tests/fixtures/workflows/multi-namespace-platform.json"),
    include_str!("../../tests/fixtures/workflows/observability-stack.json"),
    include_str!("../../tests/fixtures/workflows/phased-monolith.json"),
    include_str!("../../tests/fixtures/workflows/private-registry-pull-secrets.json"),
    include_str!("../../tests/fixtures/workflows/rbac-operator.json"),
    include_str!("../../tests/fixtures/workflows/redis-cache-app.json"),
    include_str!("../../tests/fixtures/workflows/sequential-migrations.json"),
    include_str!("../../tests/fixtures/workflows/staging-conditional-edges.json"),
    include_str!("../../tests/fixtures/workflows/wordpress-mysql.json"),
];
