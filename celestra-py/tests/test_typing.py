"""The stubs match the real module (mypy stubtest) and a usage example type-checks (mypy --strict)."""

import pathlib
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
            return out

        asyncio.run(main("{}"))
    '''))
    r = run("mypy", "--strict", "--python-version", "3.11", "deploy_usage.py", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "deploy_wrong.py").write_text(textwrap.dedent('''
        import celestra_engine as ce
        h = ce.deploy("{}", "kubernetes")
        n: int = h.wait()["status"]
        ce.rollback("docker", "p", to="latest")
    '''))
    r = run("mypy", "--strict", "deploy_wrong.py", cwd=tmp_path)
    assert r.returncode != 0 and r.stdout.count("error") >= 3, r.stdout
