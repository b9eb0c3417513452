"""Judge the generated output of every fixture workflow with the real tools.

Run by `make test` (see scripts/judge.sh) inside the tools virtualenv:
    python tests/judge/judge.py --cli <path to celestra> --fixtures tests/fixtures/workflows --work <tmp dir>

Checks (each failure is printed; the exit status is 1 if any check failed):
  * Kubernetes: every object generated for version V passes kubernetes-validate --strict for V,
    for V = 1.25 (oldest bundled schemas), the default 1.30 and the newest bundled version;
    custom-resource instances are validated against the CRD schema the same output defines.
"""

import argparse
import json
import pathlib
import subprocess
import sys

import importlib.metadata

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import yaml

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print(f"FAIL {msg}", flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def generate(cli, fixture, target, out, extra=()):
    r = run([cli, "generate", str(fixture), "--target", target, "-o", str(out), *extra])
    if r.returncode != 0:
        fail(f"{fixture.name}: celestra generate --target {target} {' '.join(extra)} exited {r.returncode}: {r.stdout}{r.stderr}")
        return False
    return True


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def newest_bundled():
    return kubernetes_validate.utils.latest_version()


def check_kubernetes(cli, fixtures, work):
    newest = newest_bundled()
    versions = ["1.25.0", "1.30.0", newest]
    print(f"kubernetes-validate {importlib.metadata.version('kubernetes-validate')}: schemas {versions}")
    checked = 0
    for fixture in fixtures:
        for version in versions:
            short = ".".join(version.split(".")[:2])
            out = work / fixture.stem / f"k8s-{short}"
            if not generate(cli, fixture, "k8s", out, ["--kubernetes-version", short]):
                continue
            docs = load_docs(out / "manifests.yaml")
            crds = {}
            for d in docs:
                if d.get("kind") == "CustomResourceDefinition":
                    spec = d["spec"]
                    for v in spec["versions"]:
                        crds[(f"{spec['group']}/{v['name']}", spec["names"]["kind"])] = v["schema"]["openAPIV3Schema"]
            for d in docs:
                key = (d.get("apiVersion"), d.get("kind"))
                where = f"{fixture.name} [{short}] {d.get('kind')}/{d.get('metadata', {}).get('name')}"
                if key in crds:
                    try:
                        jsonschema.validate({k: v for k, v in d.items() if k in ("spec", "status")}, crds[key])
                        checked += 1
                    except jsonschema.ValidationError as e:
                        fail(f"{where}: does not match its CRD schema: {e.message}")
                    continue
                try:
                    kubernetes_validate.validate(d, version, strict=True)
                    checked += 1
                except kubernetes_validate.SchemaNotFoundError:
                    pass  # custom kinds of operators (Argo Rollouts, Prometheus Operator): no official schema
                except kubernetes_validate.ValidationError as e:
                    fail(f"{where}: {e.message} at {list(e.path)}")
                except Exception as e:  # noqa: BLE001 - report anything else as a failure
                    fail(f"{where}: {type(e).__name__}: {e}")
    print(f"kubernetes: {checked} objects passed strict schema validation")


def check_compose(cli, fixtures, work):
    import os
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")
    checked = 0
    for fixture in fixtures:
        out = work / fixture.stem / "compose"
        if not generate(cli, fixture, "compose", out):
            continue
        r = run(["docker-compose", "-f", str(out / "docker-compose.yml"), "config", "-q"], env=env, cwd=out)
        if r.returncode != 0:
            fail(f"{fixture.name}: docker compose config rejected the file: {r.stderr.strip()}")
            continue
        # Every depends_on target exists, and nothing was interpolated away.
        doc = load_docs(out / "docker-compose.yml")[0]
        services = doc.get("services", {})
        for name, svc in services.items():
            for dep in (svc.get("depends_on") or {}):
                if dep not in services:
                    fail(f"{fixture.name}: service {name} depends on missing service {dep}")
        checked += 1
    version = run(["docker-compose", "version", "--short"]).stdout.strip()
    print(f"compose: {checked} files accepted by docker compose {version} (config -q)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    fixtures = sorted(pathlib.Path(args.fixtures).glob("*.json"))
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not fixtures:
        fail("no fixtures found")
    check_kubernetes(args.cli, fixtures, work)
    check_compose(args.cli, fixtures, work)
    if FAILURES:
        print(f"judge: {len(FAILURES)} failure(s)")
        sys.exit(1)
    print("judge: all checks passed")


if __name__ == "__main__":
    main()
