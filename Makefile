# Celestra Engine — the two commands: `make run` and `make test`.
# Build output lives outside the clone (2-core machines: never two heavy builds at once).
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/celestra-target
# Snapshot tests never write or accept snapshots in `make test`.
export INSTA_UPDATE := no
CARGO ?= cargo
EXAMPLE ?= tests/fixtures/workflows/ex3-microservice.json

.PHONY: bench-kube kube kube-start kube-stop docker docker-start docker-stop bench-deploy run test setup fmt-check lint wasm unit judge python web node preview generate bench bench-python bench-browser bench-node compare fuzz clean

## make run: the microservice example (embedded defaults): findings, plan, and every target
## generated into $(RUN_OUT) (Kubernetes YAML, Compose, Helm chart, DSL program, ledgers).
RUN_OUT ?= $(CARGO_TARGET_DIR)/run
run: setup
	$(CARGO) build -q --locked -p celestra-cli
	$(CARGO_TARGET_DIR)/debug/celestra validate $(EXAMPLE)
	@echo
	$(CARGO_TARGET_DIR)/debug/celestra plan $(EXAMPLE)
	@echo
	@for t in k8s compose helm dsl; do \
	  $(CARGO_TARGET_DIR)/debug/celestra generate $(EXAMPLE) --target $$t --redact-secrets \
	    -o $(RUN_OUT)/$$t --ledger $(RUN_OUT)/$$t.ledger.json || exit 1; \
	done
	@echo; echo "--- $(RUN_OUT)/k8s/manifests.yaml (first objects)"; head -40 $(RUN_OUT)/k8s/manifests.yaml

# The deploy suites' feature gates. Every debug build of `make test` selects the whole workspace
# (`--workspace`, test mode), so that Cargo resolves the dependencies' features once and builds
# them once; a `-p` selection resolves them differently and builds kube-rs, hyper and the core
# again (scripts/test-bins.sh).
DEPLOY_TESTS := --features celestra-fixtures/docker-tests,celestra-fixtures/kube-tests

## make test: formatting, clippy (host and wasm32), the wasm32 build, every test suite, and the
## generated output of every fixture judged by the real tools (installed by scripts/tools.sh).
test: setup fmt-check lint unit judge docker kube python web node
	@echo "make test: all green"

setup:
	@command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

fmt-check:
	$(CARGO) fmt --all --check

lint:
	$(CARGO) clippy --locked --workspace --all-targets $(DEPLOY_TESTS) -- -D warnings
	$(CARGO) clippy --locked -p celestra-core --target wasm32-unknown-unknown -- -D warnings
	$(CARGO) clippy --locked -p celestra-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings

## The wasm32 debug build (make test builds the release one: scripts/web.sh).
wasm:
	$(CARGO) build --locked -p celestra-core -p celestra-wasm --target wasm32-unknown-unknown

unit:
	$(CARGO) test --locked --workspace

judge:
	scripts/judge.sh

## The private Docker engine of the deploy tests (scripts/docker.sh: Debian's docker.io, its own
## data root and socket under ~/.cache/celestra-docker, test images built FROM scratch). Every
## target that deploys talks to it, never to a system daemon.
DOCKER_ENGINE := $(shell scripts/docker.sh host)
docker-start:
	scripts/docker.sh start

docker-stop:
	scripts/docker.sh stop

## make docker: the deploy suites on the real engine (Rust driver, then the CLI end to end).
docker: docker-start
	@env_line=$$(scripts/tools.sh) && eval "$$env_line" && export DOCKER_HOST=$(DOCKER_ENGINE) && \
	  $(CARGO) test --locked --workspace --features celestra-fixtures/docker-tests --test docker_deploy -- --test-threads 3 && \
	  scripts/deploy-cli-test.sh

## The private Kubernetes 1.20.2 cluster of the deploy tests (scripts/kube.sh: built once from
## Debian's source package and cached under ~/.cache/celestra-kube; etcd, API server,
## controller manager, scheduler and a kubelet on the private Docker engine, all on loopback).
kube-start:
	scripts/kube.sh start

kube-stop:
	scripts/kube.sh stop

## make kube: the Kubernetes deploy suite on the real cluster.
kube: kube-start
	scripts/test-bins.sh
	@eval "$$(scripts/kube.sh env)" && export CELESTRA_CLI=$(CARGO_TARGET_DIR)/debug/celestra && \
	  $(CARGO) test --locked --workspace --features celestra-fixtures/kube-tests --test kube_deploy -- --test-threads 3

## make bench-kube: Celestra's Kubernetes deploy against `kubectl apply --server-side` (README table).
bench-kube: kube-start
	$(CARGO) build --locked --release -q -p celestra-cli -p celestra-benches --bin celestra --bin synthetic
	@eval "$$(scripts/kube.sh env)" && python3 benches/deploy_kube.py \
	  --cli $(CARGO_TARGET_DIR)/release/celestra --synthetic $(CARGO_TARGET_DIR)/release/synthetic

## make bench-deploy: Celestra's Docker deploy against `docker compose up -d --wait` (README table).
bench-deploy: docker-start
	$(CARGO) build --locked --release -q -p celestra-cli
	@env_line=$$(scripts/tools.sh) && eval "$$env_line" && export DOCKER_HOST=$(DOCKER_ENGINE) && \
	  python3 benches/deploy_docker.py --cli $(CARGO_TARGET_DIR)/release/celestra

## make python: the celestra-engine wheel — built, installed into a fresh virtualenv, and tested
## (pytest, hypothesis, threads, asyncio, FastAPI, mypy stubtest) as installed; the deploy tests
## on the private Docker engine and the private Kubernetes cluster (scripts/kube.sh env).
python: docker-start kube-start
	@eval "$$(scripts/kube.sh env)" && DOCKER_HOST=$(DOCKER_ENGINE) scripts/python.sh

## make generate: rewrite the committed generated files (JSON Schema, diagnostics reference).
generate:
	$(CARGO) build -q --locked -p celestra-cli
	$(CARGO_TARGET_DIR)/debug/celestra schema > schema/workflow.schema.json
	$(CARGO_TARGET_DIR)/debug/celestra codes --format markdown > docs/diagnostics.md

## make compare: Celestra Engine vs celestra 0.0.3 per emitted object (benches/compare_celestra.py).
compare:
	$(CARGO) build --locked --release -q -p celestra-cli -p celestra-benches --bins
	@env_line=$$(scripts/tools.sh) && eval "$$env_line" && python benches/compare_celestra.py \
	  --cli $(CARGO_TARGET_DIR)/release/celestra --synthetic $(CARGO_TARGET_DIR)/release/synthetic \
	  --engine-time $(CARGO_TARGET_DIR)/release/engine_time

## make bench: criterion benchmarks; each size runs in its own process (see README).
bench:
	$(CARGO) bench --locked -p celestra-benches --bench pipeline --bench generate --no-run
	@for n in 10 100 1000 10000; do \
	  $(CARGO) bench --locked -p celestra-benches --bench pipeline -- "/$$n\$$" 2>&1 | grep -E 'time:' -B1 | grep -vE '^--|change|Benchmarking'; \
	done
	@for g in generate-100/ generate-1000/ session-edit-1000/; do \
	  $(CARGO) bench --locked -p celestra-benches --bench generate -- "$$g" 2>&1 | grep -E 'time:' -B1 | grep -vE '^--|change|Benchmarking'; \
	done

## make web: the browser engine — tools, the ES module package (wasm-bindgen + wasm-opt), the
## dependency guard, .d.ts freshness, wasm-bindgen tests in Node and headless Chromium, the JS
## suite (tests/js) and the preview page end to end in Chromium (scripts/web.sh).
web:
	scripts/web.sh

## make node: the Node package @celestra/engine — the napi-rs addon built with @napi-rs/cli,
## generated files fresh, tsc on a typed client, the JS suite (tests/js) and its own tests (the
## deploy tests on the private Docker engine and the private Kubernetes cluster).
node: docker-start kube-start
	@eval "$$(scripts/kube.sh env)" && DOCKER_HOST=$(DOCKER_ENGINE) scripts/node.sh

## make bench-node: overhead of the Node package over native Rust.
bench-node: docker-start
	DOCKER_HOST=$(DOCKER_ENGINE) scripts/node.sh bench

## make preview: the live-preview page (examples/browser-preview) on http://127.0.0.1:8717/.
preview:
	scripts/web.sh preview

## make bench-browser: the preview page's speed, measured in headless Chromium.
bench-browser:
	scripts/web.sh bench

## make bench-python: binding overhead of the Python package over native Rust.
bench-python: docker-start
	DOCKER_HOST=$(DOCKER_ENGINE) scripts/python.sh bench

## make fuzz: one minute of cargo-fuzz on the parser (needs a nightly toolchain and cargo-fuzz).
FUZZ_SECONDS ?= 60
fuzz:
	mkdir -p fuzz/corpus/parse
	cp tests/fixtures/workflows/*.json fuzz/corpus/parse/
	cd fuzz && $(CARGO) +nightly fuzz run parse corpus/parse -- -max_total_time=$(FUZZ_SECONDS)

clean:
	$(CARGO) clean
