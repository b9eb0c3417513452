"""The stubs match the real module (mypy stubtest) and a usage example type-checks (mypy --strict)."""

import pathlib
import re
import subprocess
import sys
import textwrap


def run(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)


def test_stubtest_passes(tmp_path):
    allowlist = pathlib.Path(__file__).with_name("stubtest-allowlist.txt")
    r = run("mypy.stubtest", "celestra_engine", "--concise", "--allowlist", str(allowlist), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_usage_type_checks_strictly(tmp_path):
    (tmp_path / "usage.py").write_text(textwrap.dedent('''
        import celestra_engine as ce

        def main(text: str) -> list[str]:
            report: ce.Report = ce.validate(text, target="helm")
            codes = [d["code"] for d in report["errors"]]
            g: ce.Generated = ce.generate(text, "kubernetes", kubernetes_version="1.25")
            names: list[str] = list(g["files"])
            for e in g["ledger"]["entries"]:
                if e["status"] == "dropped":
                    names.append(e.get("why", ""))
            s = ce.Session(text, "dsl")
            u: ce.Update = s.update_node({"id": "n1"})
            names.extend(u["regenerated"])
            both = ce.Session(text, ["kubernetes", "helm"])
            added: ce.Update = both.add_target("compose")
            names.extend(both.targets + list(both.files("helm")) + added["regenerated"])
            a: ce.Analysis = ce.analyze(text, live=True)
            if a["plan"] is not None:
                names.extend(s["nodeId"] for w in a["plan"]["waves"] for s in w["steps"])
            try:
                ce.plan(text)
            except ce.ValidationError as err:
                codes.extend(d["code"] for d in err.diagnostics)
            return codes + names
    '''))
    r = run("mypy", "--strict", "--python-version", "3.11", "usage.py", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "wrong.py").write_text(textwrap.dedent('''
        import celestra_engine as ce
        n: int = ce.validate("{}")["isValid"] + ce.generate("{}", "k8s")["files"]
    '''))
    r = run("mypy", "--strict", "wrong.py", cwd=tmp_path)
    assert r.returncode != 0 and "error" in r.stdout, r.stdout


def test_deploy_usage_type_checks_strictly(tmp_path):
    (tmp_path / "deploy_usage.py").write_text(textwrap.dedent('''
        import asyncio
        import datetime
        import celestra_engine as ce

        async def main(text: str) -> list[str]:
            h: ce.DeployHandle = ce.deploy(text, "docker", project="p", timeout=90,
                                           step_timeout=datetime.timedelta(seconds=30))
            out: list[str] = []
            async for e in h:
                if e["type"] == "step":
                    out.append(e["nodeId"] + e["status"] + e.get("reason", ""))
                elif e["type"] == "log":
                    out.extend(e["lines"])
                elif e["type"] == "finished":
                    out.append(e["outcome"])
            s: ce.DeploymentStatus = await h.result()
            out.extend(n["name"] for n in s["nodes"] if n["status"] == "failed")
            try:
                h.wait(timeout=1.5, raise_on_failure=True)
            except ce.DeployError as err:
                code: ce.DeployErrorCode = err.code
                out.append(code)
                if err.status is not None:
                    out.append(str(err.status["progress"]))
            for e in h:
                out.append(str(e["seq"]))
            h.cancel()
            plan: ce.ChangePlan = await ce.adeploy_plan(text, project="p")
            out.extend(c["op"] for w in plan["waves"] for c in w["changes"])
            out.extend(r["hash"] for r in ce.history("docker", "p", host="unix:///x.sock"))
            rb = ce.rollback("docker", "p", to=1)
            out.append(str((await rb.result())["revision"]))
            st = await ce.astatus("docker", "p")
            gone: ce.DownReport = ce.down("docker", "p", volumes=True)
            out.extend(gone["containers"] + [st["status"], ce.deployment_status(h.events)["details"]])
            # Kubernetes: its own options, its own plan and delete report.
            k = ce.deploy(text, "kubernetes", kubeconfig="/etc/kube.yaml", context="c", namespace="shop",
                          force_replace=True, rollback_on_failure=True, history_max=3)
            out.extend(e["type"] for e in k)
            kp: ce.KubePlan = ce.deploy_plan(text, "kubernetes", kubeconfig_text=b"apiVersion: v1", namespace="shop")
            out.extend(o["object"] + o["op"] + o["nodeId"] + str(o["wave"]) for o in kp["objects"])
            out.extend(kp["prune"])
            kp2: ce.KubePlan = await ce.adeploy_plan(text, "k8s", project="p")
            rep: ce.DeleteReport = ce.delete("kubernetes", "p", namespace="shop")
            rep2: ce.DeleteReport = await ce.adown("kubernetes", "p", kubeconfig_text="x")
            dr: ce.DownReport = await ce.adelete("docker", "p", volumes=True)
            out.extend(rep["objects"] + [str(rep["parent"]), str(rep2["revisions"]), kp2["namespace"]] + dr["networks"])
            kst = await ce.astatus("kubernetes", "p", namespace="shop", context="c")
            out.extend(r["hash"] for r in await ce.ahistory("k8s", "p", namespace="shop"))
            kr = ce.rollback("kubernetes", "p", to=1, namespace="shop", force_replace=True)
            out.append(kst["status"] + str(kr.done))
            # A target chosen at run time: either result.
            target: ce.DeployTarget = "docker" if len(out) > 3 else "kubernetes"
            either = ce.deploy_plan(text, target)
            out.append(either["project"])
            return out

        asyncio.run(main("{}"))
    '''))
    r = run("mypy", "--strict", "--python-version", "3.11", "deploy_usage.py", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "deploy_wrong.py").write_text(textwrap.dedent('''
        import celestra_engine as ce
        h = ce.deploy("{}", "nomad")
        n: int = h.wait()["status"]
        ce.rollback("docker", "p", to="latest")
        p: ce.ChangePlan = ce.deploy_plan("{}", "kubernetes")
        ce.delete("kubernetes", "p")["containers"]
        ce.down("docker", "p")["objects"]
        ce.status("kubernetes", "p", kubeconfig=1)
    '''))
    r = run("mypy", "--strict", "deploy_wrong.py", cwd=tmp_path)
    assert r.returncode != 0, r.stdout
    # One error per wrong line (lines 3 to 9 of the file).
    lines = sorted({int(m) for m in re.findall(r"deploy_wrong\.py:(\d+): error", r.stdout)})
    assert lines == list(range(3, 10)), r.stdout
