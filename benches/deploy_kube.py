#!/usr/bin/env python3
"""Celestra's Kubernetes deploy against `kubectl apply --server-side -f`, side by side in one run.

Both apply the same synthetic workflows (100 and 1,000 nodes, tests/src/lib.rs `synthetic`) to
the same cluster (scripts/kube.sh): Celestra from the workflow, kubectl from the manifests
Celestra generates for the cluster's version (`celestra generate --target k8s
--kubernetes-version 1.20`). kubectl applies and returns without waiting for readiness, so
Celestra runs with `--no-wait` (no gates; objects in existence tiers — namespaces and CRDs,
then what pods refer to, then workloads and the rest — each tier all at once) for the
comparison. Every
image is rewritten to a registry on a closed loopback port (127.0.0.1:1/...), so pods fail to
pull at once without any traffic leaving the machine. Runs alternate (Celestra, kubectl, …) so a
drift of the machine's speed hits both; each fresh apply starts from an empty cluster (the
teardown, waiting until the namespaces are gone, is not timed). Reported: the median of each
figure and the ratio of the medians.

  fresh      apply into an empty cluster
  no-change  the same apply again on top of it (Celestra sends nothing for objects that already
             match; kubectl sends every object)
  fail       a one-App workflow whose image cannot be pulled, deployed with the gates on: from
             the Deployment's creation (the apply event) to the moment Celestra reported the node
             failed (the failure event), and the whole command's time

Usage: make bench-kube   (or: python3 benches/deploy_kube.py --cli PATH --synthetic PATH)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args, check=True, env=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return r


def timed(*args, ok=(0,)):
    t0 = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return dt, r


def offline_images(v):
    if isinstance(v, dict):
        return {k: (("127.0.0.1:1/" + x) if k == "image" and isinstance(x, str) else offline_images(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [offline_images(x) for x in v]
    return v


class Cluster:
    def __init__(self, kubectl, kubeconfig):
        self.kubectl, self.kubeconfig = kubectl, kubeconfig

    def k(self, *args, check=True):
        return sh(self.kubectl, "--kubeconfig", self.kubeconfig, *args, check=check)

    def team_namespaces(self):
        out = self.k("get", "namespaces", "-o", "name").stdout.split()
        return [n.split("/", 1)[1] for n in out if n.startswith("namespace/team-")]

    def clean(self, cli, project, manifests):
        """Removes what either tool applied, then waits until the namespaces are gone."""
        sh(cli, "delete", "--target", "kubernetes", "--kubeconfig", self.kubeconfig,
           "--namespace", "default", "--project", project, check=False)
        self.k("delete", "-f", manifests, "--ignore-not-found", "--wait=false", check=False)
        for _ in range(600):
            if not self.team_namespaces():
                # objects outside the groups live in `default`
                left = self.k("get", "deployments,statefulsets,jobs,services,configmaps",
                              "-n", "default", "-l", "app.kubernetes.io/managed-by=celestra",
                              "-o", "name").stdout.split()
                if not left:
                    return
            time.sleep(0.5)
        raise SystemExit("the cluster did not empty within 5 minutes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--synthetic", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="100,1000")
    a = ap.parse_args()
    kubeconfig = os.environ["KUBECONFIG"]
    kubectl = os.environ["CELESTRA_KUBECTL"]
    c = Cluster(kubectl, kubeconfig)
    version = c.k("version", "--short").stdout.strip().splitlines()
    print(f"cluster: {' / '.join(version)}; {a.runs} runs per figure, alternating", flush=True)
    tmp = tempfile.mkdtemp(prefix="celestra-bench-kube-")
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        wf = offline_images(json.loads(sh(a.synthetic, str(n), "42").stdout))
        project = f"synthetic-{n}"
        wf_path = os.path.join(tmp, f"wf-{n}.json")
        with open(wf_path, "w") as f:
            json.dump(wf, f)
        out = os.path.join(tmp, f"k8s-{n}")
        sh(a.cli, "generate", wf_path, "--target", "k8s", "--kubernetes-version", "1.20", "-o", out)
        manifests = os.path.join(out, "manifests.yaml")
        objects = sum(1 for line in open(manifests) if line.startswith("kind:"))
        deploy = [a.cli, "deploy", wf_path, "--target", "kubernetes", "--kubeconfig", kubeconfig,
                  "--namespace", "default", "--project", project, "--no-wait", "--format", "json"]
        apply = [kubectl, "--kubeconfig", kubeconfig, "apply", "--server-side", "-f", manifests]
        fig = {"celestra fresh": [], "kubectl fresh": [], "celestra no-change": [], "kubectl no-change": []}
        c.clean(a.cli, project, manifests)
        for run in range(a.runs):
            dt, _ = timed(*deploy)
            fig["celestra fresh"].append(dt)
            dt, _ = timed(*deploy)
            fig["celestra no-change"].append(dt)
            c.clean(a.cli, project, manifests)
            dt, _ = timed(*apply)
            fig["kubectl fresh"].append(dt)
            dt, _ = timed(*apply)
            fig["kubectl no-change"].append(dt)
            c.clean(a.cli, project, manifests)
            print(f"  {n} nodes run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in fig.items()), flush=True)
        med = {k: statistics.median(v) for k, v in fig.items()}
        rows.append((n, objects, med))
    # fail: an unpullable image with the gates on
    fail_wf = {"schemaVersion": "1.0", "id": "wf-bench-fail", "name": "bench-fail", "nodes": [
        {"id": "a", "type": "celestra-app", "position": {"x": 0, "y": 0},
         "data": {"name": "unpullable", "properties": {"image": "127.0.0.1:1/celestra-test/missing:1", "port": 8080}}}],
        "connections": []}
    fail_path = os.path.join(tmp, "fail.json")
    with open(fail_path, "w") as f:
        json.dump(fail_wf, f)
    reported, total = [], []
    for _ in range(a.runs):
        dt, r = timed(a.cli, "deploy", fail_path, "--target", "kubernetes", "--kubeconfig", kubeconfig,
                      "--namespace", "default", "--format", "json", ok=(1,))
        events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{\"seq\"")]
        applied = next(e["ts"] for e in events if e.get("type") == "step" and e.get("action") == "apply"
                       and e.get("status") == "succeeded" and e.get("ref", {}).get("kind") == "Deployment")
        failed = next(e for e in events if e.get("type") == "step" and e.get("status") == "failed" and "ref" not in e)
        ms = lambda t: time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + int(t[20:23])
        reported.append((ms(failed["ts"]) - ms(applied)) / 1000)
        total.append(dt)
        reason = failed.get("reason")
        sh(a.cli, "delete", "--target", "kubernetes", "--kubeconfig", kubeconfig, "--namespace", "default",
           "--project", "bench-fail")
    print()
    print("| Workflow | Objects | Celestra fresh | kubectl fresh | ratio | Celestra no-change | kubectl no-change | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for n, objects, m in rows:
        print(f"| synthetic {n} nodes | {objects} | {m['celestra fresh']:.2f} s | {m['kubectl fresh']:.2f} s | "
              f"{m['celestra fresh'] / m['kubectl fresh']:.2f}x | {m['celestra no-change']:.2f} s | "
              f"{m['kubectl no-change']:.2f} s | {m['celestra no-change'] / m['kubectl no-change']:.2f}x |")
    print()
    print(f"unpullable image ({reason}): reported failed {statistics.median(reported):.2f} s after the Deployment's "
          f"apply (median of {a.runs}; runs {', '.join(f'{x:.2f}' for x in reported)}), whole command "
          f"{statistics.median(total):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
