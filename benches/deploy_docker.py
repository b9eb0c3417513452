#!/usr/bin/env python3
"""Celestra's native Docker deploy against `docker compose up -d --wait`, side by side in one run.

Both deploy the same workflow on the same engine with the same locally built images: Celestra
from the workflow, Compose from the Compose file Celestra generates for it (its published ports
moved to 127.0.0.1, as Celestra publishes them). Runs alternate (Celestra, Compose, Celestra, …)
so a drift of the machine's speed hits both; each fresh deploy starts from an empty project (the
teardown is not timed). Reported: the median of each figure and the ratio of the medians.

  fresh      deploy into an empty project, until every service is ready (Compose: `--wait`)
  no-change  the same deploy again on top of the running project, once it has settled (2 s
             after the fresh deploy, so that Docker's own health checks have run)
  fail       a container that exits non-zero: from its exit (the engine's FinishedAt) to the
             moment Celestra reported the node failed (the event's timestamp)

Usage: make bench-deploy   (or: DOCKER_HOST=… python3 benches/deploy_docker.py --cli PATH)
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args, check=True, capture=True):
    r = subprocess.run(args, capture_output=capture, text=True)
    if check and r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def wide(n):
    """A job, then n servers with exec health checks (1 s period), each behind a Service."""
    nodes = [{"id": "job", "type": "celestra-job", "position": {"x": 0, "y": 0},
              "data": {"name": "migrate", "properties": {"image": "celestra-test/busybox:1",
                       "command": ["sh", "-c", "echo migrated"], "restartPolicy": "Never"}}}]
    conns = []
    for i in range(n):
        nodes.append({"id": f"a{i}", "type": "celestra-app", "position": {"x": 0, "y": 0},
                      "data": {"name": f"web{i}", "properties": {
                          "image": "celestra-test/busybox:1", "port": 8080,
                          "environment": {"RUN": "touch /tmp/ready; exec httpd -f -p 8080 -h /tmp"},
                          "readinessProbe": {"type": "exec", "command": ["test", "-f", "/tmp/ready"],
                                             "periodSeconds": 1}}}})
        nodes.append({"id": f"s{i}", "type": "celestra-service", "position": {"x": 0, "y": 0},
                      "data": {"name": f"web{i}-svc", "properties": {"type": "ClusterIP", "port": 8080}}})
        conns.append({"id": f"j{i}", "source": "job", "target": f"a{i}", "type": "dependency"})
        conns.append({"id": f"c{i}", "source": f"a{i}", "target": f"s{i}", "type": "dependency"})
    return {"schemaVersion": "1.0", "id": f"wf-wide{n}", "name": f"wide{n}", "nodes": nodes,
            "connections": conns}


def compose_dir(cli, wf_path, out):
    sh(cli, "generate", wf_path, "--target", "compose", "-o", out)
    path = os.path.join(out, "docker-compose.yml")
    text = open(path).read()
    # Publish on loopback, as Celestra does (the generated file leaves the address to Compose).
    text = re.sub(r'^(\s+- )"(\d+):(\d+)(/udp)?"$', r'\1"127.0.0.1:\2:\3\4"', text, flags=re.M)
    open(path, "w").write(text)
    return path


def down(cli, project):
    sh(cli, "down", "--target", "docker", "--project", project, "--volumes")


def timed(*args):
    t = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return dt


def rfc3339(s):
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = f"{head}.{frac[:6]}"
    return datetime.datetime.fromisoformat(s).replace(tzinfo=datetime.timezone.utc).timestamp()


def fail_latency(cli, project, runs):
    """Seconds from a container's exit to Celestra's failed event for it."""
    wf = {"schemaVersion": "1.0", "id": "wf-fail", "name": "fail", "nodes": [
        {"id": "j", "type": "celestra-job", "position": {"x": 0, "y": 0},
         "data": {"name": "crash", "properties": {"image": "celestra-test/busybox:1",
                  "command": ["sh", "-c", "sleep 1; exit 3"], "restartPolicy": "Never"}}}],
        "connections": []}
    out = []
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "fail.json")
        json.dump(wf, open(p, "w"))
        for _ in range(runs):
            down(cli, project)
            r = subprocess.run([cli, "deploy", p, "--target", "docker", "--project", project,
                                "--format", "json"], capture_output=True, text=True)
            assert r.returncode == 1, r.stdout + r.stderr
            events = [json.loads(l) for l in r.stdout.splitlines()[:-1]]
            failed = next(e for e in events if e["type"] == "step" and e.get("ref")
                          and e["status"] == "failed")
            info = json.loads(sh("docker", "inspect", f"{project}-crash-1").stdout)[0]
            out.append(rfc3339(failed["ts"]) - rfc3339(info["State"]["FinishedAt"]))
        down(cli, project)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if not os.environ.get("DOCKER_HOST"):
        raise SystemExit("DOCKER_HOST is not set (scripts/docker.sh env)")
    ver = sh("docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})").stdout.strip()
    comp = sh("docker", "compose", "version", "--short").stdout.strip()
    print(f"engine {ver}, docker compose {comp}, {a.runs} runs each, medians")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("ex2 (6 waves, 3 containers)", os.path.join(ROOT, "tests/fixtures/deploy/ex2-docker.json"))]
        for n in (8, 20):
            p = os.path.join(tmp, f"wide{n}.json")
            json.dump(wide(n), open(p, "w"))
            cases.append((f"job + {n} servers with health checks", p))
        for label, wf in cases:
            cdir = os.path.join(tmp, os.path.basename(wf) + ".compose")
            cfile = compose_dir(a.cli, wf, cdir)
            pc, pk = "bench-cel", "bench-cmp"
            celestra = [a.cli, "deploy", wf, "--target", "docker", "--project", pc]
            compose = ["docker", "compose", "-p", pk, "-f", cfile, "up", "-d", "--wait"]
            fresh = {"celestra": [], "compose": []}
            again = {"celestra": [], "compose": []}
            for _ in range(a.runs):
                down(a.cli, pc)
                fresh["celestra"].append(timed(*celestra))
                time.sleep(2)
                again["celestra"].append(timed(*celestra))
                down(a.cli, pc)
                sh("docker", "compose", "-p", pk, "-f", cfile, "down", "-v", "-t", "1")
                fresh["compose"].append(timed(*compose))
                time.sleep(2)
                again["compose"].append(timed(*compose))
                sh("docker", "compose", "-p", pk, "-f", cfile, "down", "-v", "-t", "1")
            for what, m in (("fresh", fresh), ("no-change", again)):
                c, k = statistics.median(m["celestra"]), statistics.median(m["compose"])
                rows.append((label, what, c, k))
            down(a.cli, pc)
    lat = fail_latency(a.cli, "bench-fail", a.runs)
    print()
    print("| workflow | deploy | Celestra | compose up --wait | ratio |")
    print("|---|---|---:|---:|---:|")
    for label, what, c, k in rows:
        print(f"| {label} | {what} | {c:.2f} s | {k:.2f} s | {c / k:.2f}× |")
    print()
    print(f"failing container reported after its exit: median {statistics.median(lat) * 1000:.0f} ms, "
          f"max {max(lat) * 1000:.0f} ms ({len(lat)} runs)")


if __name__ == "__main__":
    sys.exit(main())
