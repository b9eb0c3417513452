"""The deploy API on the real Docker engine (`make python` / `make test` start the private engine
of scripts/docker.sh and export its DOCKER_HOST; its test images `celestra-test/busybox:1|2` run
the shell text of the environment variable RUN).

Every test uses its own project (`py-…`) and host port (31890-31899, apart from the Rust suite's),
is bounded in time, removes its project before and after, and checks the engine's own view
(container start and finish times, environment) through the Engine API on its socket, not only
the events' word for it.
"""

from __future__ import annotations

import asyncio
import copy
import http.client
import re
import json
import os
import socket
import threading
import time
import urllib.parse
from typing import Any, Dict, List, Optional

import pytest

import celestra_engine as ce
from conftest import FIXTURES, REPO

#: No test may run longer (seconds).
BOUND = 150
SECRET = "py-s3cr3t-canary-91c4"


@pytest.fixture(scope="module")
def host() -> str:
    h = os.environ.get("DOCKER_HOST", "")
    if not h:
        pytest.fail("DOCKER_HOST is not set: run the tests through `make python` or `make test` "
                    "(they start the private engine, scripts/docker.sh start)")
    return h


# ---------------------------------------------------------------------------- the engine's view


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self._path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self._path)
        self.sock = s


def engine(host: str, path: str) -> Optional[Any]:
    """GET `path` of the Engine API: the JSON answer, or None for a 404."""
    u = urllib.parse.urlparse(host)
    conn: http.client.HTTPConnection
    if u.scheme == "unix":
        conn = _UnixConnection(u.path)
    else:
        conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port or 2375, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    if r.status == 404:
        return None
    assert r.status == 200, (path, r.status, body[:200])
    return json.loads(body)


def inspect(host: str, name: str) -> Optional[Dict[str, Any]]:
    return engine(host, f"/containers/{name}/json")


def ns(t: str) -> int:
    """An engine time (RFC 3339 with up to nanoseconds) as nanoseconds since the epoch."""
    import datetime

    day, frac = t.rstrip("Z").split(".") if "." in t else (t.rstrip("Z"), "0")
    base = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc)
    return int(base.timestamp()) * 10**9 + int(frac.ljust(9, "0")[:9])


def http_get(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        out = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return out.decode("utf-8", "replace")
            out += chunk


# ---------------------------------------------------------------------------- workflows


def small(port: int, job: str = "echo migrated") -> Dict[str, Any]:
    """A Secret, a Job, an App gated by an exec health probe after it, a NodePort Service."""
    return {
        "schemaVersion": "1.0",
        "id": "wf-py-small",
        "name": "py-small",
        "nodes": [
            {"id": "s", "type": "celestra-secret", "position": {"x": 0, "y": 0},
             "data": {"name": "auth", "properties": {"type": "Opaque", "data": {"PASSWORD": SECRET}, "injectAs": "env"}}},
            {"id": "j", "type": "celestra-job", "position": {"x": 200, "y": 0},
             "data": {"name": "migrate", "properties": {
                 "image": "celestra-test/busybox:1", "command": ["sh", "-c", job],
                 "backoffLimit": 0, "restartPolicy": "Never"}}},
            {"id": "a", "type": "celestra-app", "position": {"x": 400, "y": 0},
             "data": {"name": "web", "properties": {
                 "image": "celestra-test/busybox:1", "port": 8080, "replicas": 1,
                 "readinessProbe": {"type": "exec", "command": ["test", "-f", "/tmp/ready"], "periodSeconds": 1},
                 "environment": {"RUN": "mkdir -p /www && echo py-web-v1 > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www"}}}},
            {"id": "v", "type": "celestra-service", "position": {"x": 600, "y": 0},
             "data": {"name": "web-svc", "properties": {"type": "NodePort", "ports": [
                 {"name": "http", "port": 8080, "targetPort": 8080, "nodePort": port, "protocol": "TCP"}]}}},
        ],
        "connections": [
            {"id": "c1", "source": "s", "target": "j", "type": "configuration", "data": {"envPrefix": "DB_"}},
            {"id": "c2", "source": "j", "target": "a", "type": "dependency"},
            {"id": "c3", "source": "a", "target": "v", "type": "dependency"},
        ],
    }


def one_app(run: str, image: str = "celestra-test/busybox:1", **env: str) -> Dict[str, Any]:
    return {
        "schemaVersion": "1.0", "id": "wf-py-one", "name": "py-one",
        "nodes": [{"id": "a", "type": "celestra-app", "position": {"x": 0, "y": 0},
                   "data": {"name": "web", "properties": {"image": image, "port": 8080,
                                                          "environment": {"RUN": run, **env}}}}],
        "connections": [],
    }


def node(status: ce.DeploymentStatus, name: str) -> ce.NodeStatus:
    return next(n for n in status["nodes"] if n["name"] == name)


def bounded(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, BOUND))


def check_stream(events: List[ce.DeployEvent], status: ce.DeploymentStatus) -> None:
    """What holds for every stream: seq 1, 2, 3…, one deployment, `finished` last, and the
    core's reducer over the events gives the final status."""
    assert events, "no events"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {e["deploymentId"] for e in events} == {status["deploymentId"]}
    assert events[0]["type"] == "started" and events[-1]["type"] == "finished"
    assert ce.deployment_status(events) == status
    assert (status["progress"] == 100) == (status["status"] == "success")


@pytest.fixture
def project(host: str, request: pytest.FixtureRequest):
    """A clean project for one test, removed (volumes too) afterwards whatever happens."""
    name = "py-" + request.node.name[len("test_"):].replace("_", "-")[:24].rstrip("-")
    ce.down("docker", name, volumes=True, host=host)
    try:
        yield name
    finally:
        ce.down("docker", name, volumes=True, host=host)


# ---------------------------------------------------------------------------- tests


def test_deploy_streams_its_events_with_async_for_and_the_event_loop_stays_free(host, project):
    async def main():
        ticks: List[float] = []
        stop = asyncio.Event()

        async def ticker():
            while not stop.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.01)

        t = asyncio.ensure_future(ticker())
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        # The job takes a second or more: a loop blocked by the deploy would miss 100 ticks.
        h = ce.deploy(small(31890, job="sleep 1.2; echo migrated"), "docker", project=project, host=host,
                      timeout=120, step_timeout=60)
        assert time.perf_counter() - t0 < 0.5, "deploy() returns at once"
        events = []
        async for e in h:
            events.append(e)
        status = await h.result()
        stop.set()
        await t
        return h, events, status, ticks

    t0 = time.perf_counter()
    h, events, status, ticks = bounded(main())
    took = time.perf_counter() - t0
    check_stream(events, status)
    assert status["status"] == "success", status
    assert status["progress"] == 100 and status["project"] == project
    assert all(n["status"] == "ready" for n in status["nodes"]), status["nodes"]
    assert h.done and h.deployment_id == status["deploymentId"] and h.events == events
    assert events[-1]["type"] == "finished" and events[-1]["outcome"] == "success"
    # The loop kept ticking all along (every 10 ms asked): no gap near the length of the job.
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert took > 1.2 and len(ticks) > 50 and max(gaps) < 0.5, (len(ticks), took, max(gaps))
    # Waves in order, and the Job finished before the App started — on the engine's own clock.
    waves = [e["wave"] for e in events if e["type"] == "waveStarted"]
    assert waves == list(range(status["totalWaves"])), waves
    job_done = max(e["seq"] for e in events if e["type"] == "step" and e["nodeId"] == "j")
    app_first = min(e["seq"] for e in events if e["type"] == "step" and e["nodeId"] == "a")
    assert job_done < app_first
    job, app = inspect(host, f"{project}-migrate-1"), inspect(host, f"{project}-web-1")
    assert job and app
    assert job["State"]["ExitCode"] == 0 and app["State"]["Running"] is True
    assert ns(job["State"]["FinishedAt"]) <= ns(app["State"]["StartedAt"])
    assert f"DB_PASSWORD={SECRET}" in job["Config"]["Env"]
    assert "py-web-v1" in http_get(31890)
    # The events from the first again (async and sync), and no secret anywhere.
    assert list(h) == events
    assert SECRET not in json.dumps(events) + repr(h) + json.dumps(status)
    assert h.wait() == status


def test_a_failing_job_fails_the_deploy_with_its_exit_code_and_log(host, project):
    h = ce.deploy(small(31891, job="echo step one; echo boom: password is $DB_PASSWORD >&2; exit 3"),
                  project=project, host=host, timeout=120, step_timeout=60)
    status = h.wait(timeout=BOUND)
    events = list(h)  # the sync iterator: from the first event
    check_stream(events, status)
    assert status["status"] == "failed" and status.get("reason") == "error", status
    job = node(status, "migrate")
    assert job["status"] == "failed" and job.get("reason") == "ExitCode", job
    assert "exited with code 3" in job["message"], job["message"]
    log = job.get("log", [])
    assert any("boom" in line for line in log) and any("<redacted>" in line for line in log), log
    assert node(status, "web")["status"] == "skipped"
    assert inspect(host, f"{project}-web-1") is None, "nothing after the failed job starts"
    assert SECRET not in json.dumps(events) + json.dumps(status)
    assert any(e["type"] == "log" and e["nodeId"] == "j" for e in events)

    with pytest.raises(ce.DeployError) as err:
        h.wait(raise_on_failure=True)
    assert err.value.code == "GATE_FAILED" and err.value.status == status
    assert "migrate" in err.value.message and SECRET not in str(err.value)

    async def failed():
        return await h.result(raise_on_failure=True)

    with pytest.raises(ce.DeployError) as err:
        bounded(failed())
    assert err.value.code == "GATE_FAILED" and isinstance(err.value, ce.CelestraError)
    # The same failure, read from the engine.
    live = ce.status("docker", project, host=host)
    assert live["status"] == "failed" and node(live, "migrate")["status"] == "failed"


def test_a_missing_image_is_image_not_found(host, project):
    async def main():
        h = ce.deploy(one_app("sleep 1", image="celestra-test/absent:1"), project=project, host=host,
                      timeout=60, step_timeout=30)
        status = await h.result()
        with pytest.raises(ce.DeployError) as err:
            await h.result(raise_on_failure=True)
        return h, status, err.value

    h, status, err = bounded(main())
    check_stream(h.events, status)
    web = node(status, "web")
    assert status["status"] == "failed" and web.get("reason") == "ImageNotFound", web
    assert "celestra-test/absent:1" in web["message"]
    assert err.code == "IMAGE_NOT_FOUND" and "celestra-test/absent:1" in err.message
    assert inspect(host, f"{project}-web-1") is None


def test_cancel_mid_deploy_then_a_redeploy_converges(host, project):
    async def main():
        h = ce.deploy(small(31892, job="sleep 30"), project=project, host=host, timeout=120, step_timeout=60)
        started = asyncio.Event()

        async def watcher():
            # Cancel once the engine says the job runs.
            while True:
                c = await asyncio.to_thread(inspect, host, f"{project}-migrate-1")
                if c and c["State"]["Running"]:
                    h.cancel()
                    started.set()
                    return
                await asyncio.sleep(0.1)

        w = asyncio.ensure_future(watcher())
        t0 = time.perf_counter()
        events = [e async for e in h]
        took = time.perf_counter() - t0
        w.cancel()
        status = await h.result()
        with pytest.raises(ce.DeployError) as err:
            await h.result(raise_on_failure=True)
        return started.is_set(), took, events, status, err.value

    started, took, events, status, err = bounded(main())
    assert started, "the job started"
    assert took < 25, f"cancelled, not waited out ({took:.1f} s)"
    check_stream(events, status)
    assert status["status"] == "failed" and status.get("reason") == "cancelled", status
    assert err.code == "CANCELLED"
    assert inspect(host, f"{project}-web-1") is None
    # The next deploy converges from what was left.
    h = ce.deploy(small(31892), project=project, host=host, timeout=120, step_timeout=60)
    again = h.wait(timeout=BOUND)
    assert again["status"] == "success", again
    assert again["revision"] == status["revision"] + 1
    assert "py-web-v1" in http_get(31892)


@pytest.mark.parametrize("where", ["unix:///nonexistent/celestra.sock", "tcp://127.0.0.1:1"])
def test_an_unreachable_engine_is_engine_unreachable_naming_it(where):
    async def main():
        h = ce.deploy(one_app("sleep 1"), project="py-unreachable", host=where)
        with pytest.raises(ce.DeployError) as it:
            async for _ in h:
                pass
        with pytest.raises(ce.DeployError) as res:
            await h.result()
        with pytest.raises(ce.DeployError) as st:
            await ce.astatus("docker", "py-unreachable", host=where)
        return h, it.value, res.value, st.value

    h, *errors = bounded(main())
    assert h.events == [] and h.deployment_id is None and h.done
    with pytest.raises(ce.DeployError) as sync_it:
        list(h)
    errors.append(sync_it.value)
    for call in (
        lambda: ce.status("docker", "py-unreachable", host=where),
        lambda: ce.history("docker", "py-unreachable", host=where),
        lambda: ce.down("docker", "py-unreachable", host=where),
        lambda: ce.deploy_plan(one_app("sleep 1"), host=where),
        lambda: ce.rollback("docker", "py-unreachable", host=where).wait(timeout=30),
    ):
        with pytest.raises(ce.DeployError) as e:
            call()
        errors.append(e.value)
    for e in errors:
        assert e.code == "ENGINE_UNREACHABLE", e
        assert where in e.message, e.message
        assert e.status is None


def test_cancel_while_connecting_to_an_engine_that_never_answers():
    """A fake engine on 127.0.0.1:31899 that accepts and stays silent: cancel() ends the wait
    for it at once (CANCELLED, before any event)."""
    srv = socket.create_server(("127.0.0.1", 31899))
    held: List[socket.socket] = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept)
    t.start()
    try:
        h = ce.deploy(one_app("sleep 1"), project="py-silent", host="tcp://127.0.0.1:31899")
        with pytest.raises(TimeoutError):
            h.wait(timeout=0.5)
        t0 = time.perf_counter()
        h.cancel()
        with pytest.raises(ce.DeployError) as e:
            h.wait(timeout=5)
        assert time.perf_counter() - t0 < 2
        assert e.value.code == "CANCELLED" and h.events == []
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()


def test_status_history_rollback_plan_and_down(host, project):
    v1 = one_app("sleep 3600")
    v2 = one_app("sleep 3600", GREETING="v2")

    async def main():
        for wf in (v1, v2):
            s = await ce.deploy(wf, project=project, host=host, timeout=60).result()
            assert s["status"] == "success", s
        st = await ce.astatus("docker", project, host=host)
        hist = await ce.ahistory("docker", project, host=host)
        h = ce.rollback("docker", project, host=host, timeout=60)
        events = [e async for e in h]
        return st, hist, h, events, await h.result()

    st, hist, h, events, rolled = bounded(main())
    assert st["status"] == "success" and st["revision"] == 2 and node(st, "web")["status"] == "ready"
    assert [(r["revision"], r["outcome"]) for r in hist] == [(1, "success"), (2, "success")]
    assert all("workflow" not in r for r in hist), "no snapshot (secret values) in the listing"
    assert hist[0]["hash"] != hist[1]["hash"] and hist[1]["options"]["project"] == project
    check_stream(events, rolled)
    assert rolled["status"] == "success" and rolled["revision"] == 3
    assert events[0]["type"] == "started" and events[0].get("rollbackOf") == 1
    env = (inspect(host, f"{project}-web-1") or {})["Config"]["Env"]
    assert not any(e.startswith("GREETING=") for e in env), env
    hist = ce.history("docker", project, host=host)
    assert [(r["revision"], r.get("rollbackOf")) for r in hist] == [(1, None), (2, None), (3, 1)]
    assert hist[2]["hash"] == hist[0]["hash"]
    # A revision that is not kept.
    with pytest.raises(ce.DeployError) as e:
        ce.rollback("docker", project, to=9, host=host).wait(timeout=60)
    assert e.value.code == "NO_HISTORY" and "1, 2, 3" in e.value.message, e.value.message
    # The dry run of what is deployed: nothing to change.
    plan = ce.deploy_plan(v1, project=project, host=host)
    assert plan["project"] == project
    ops = [c["op"] for w in plan["waves"] for c in w["changes"]]
    assert ops and set(ops) == {"unchanged"}, plan
    assert bounded(ce.adeploy_plan(v1, project=project, host=host)) == plan
    assert {c["op"] for w in ce.deploy_plan(v2, project=project, host=host)["waves"] for c in w["changes"]} == {"recreate"}
    # Down: everything, then nothing is left to report on.
    gone = bounded(ce.adown("docker", project, volumes=True, host=host))
    assert gone["containers"] == [f"{project}-web-1"] and gone["revisions"] == 3, gone
    assert inspect(host, f"{project}-web-1") is None
    assert ce.history("docker", project, host=host) == []
    with pytest.raises(ce.DeployError) as e:
        ce.status("docker", project, host=host)
    assert e.value.code == "NO_HISTORY"


def test_the_handle_works_from_several_threads_and_loops_at_once(host, project):
    h = ce.deploy(one_app("sleep 3600"), project=project, host=host, timeout=60)
    # A server without a health check must stay up a second: the deploy is not over yet.
    with pytest.raises(TimeoutError):
        h.wait(timeout=0.05)
    assert not h.done
    seen: List[List[ce.DeployEvent]] = []

    def reader():
        async def read():
            return [e async for e in h]
        seen.append(asyncio.run(asyncio.wait_for(read(), BOUND)))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    sync_events = list(h)
    for t in threads:
        t.join(BOUND)
    status = h.wait(timeout=BOUND)
    assert status["status"] == "success", status
    assert len(seen) == 3 and all(s == sync_events for s in seen)
    check_stream(sync_events, status)


def test_bad_arguments_raise_at_once_and_a_workflow_with_errors_ends_the_handle(host):
    wf = one_app("sleep 1")
    for target in ("kubernetes", "k8s"):
        # The Docker engine's address is no Kubernetes option (test_deploy_kube.py has the rest).
        with pytest.raises(ce.DeployError) as e:
            ce.deploy(wf, target, host=host)  # type: ignore[arg-type]
        assert e.value.code == "OPTION" and "host is a Docker option" in e.value.message
    with pytest.raises(ce.DeployError) as e:
        ce.status("nomad", "p")  # type: ignore[arg-type]
    assert e.value.code == "OPTION" and "nomad" in e.value.message
    for kwargs in ({"timeout": -1}, {"step_timeout": 0}, {"history_max": 0}, {"project": ""}):
        with pytest.raises(ce.DeployError) as e:
            ce.deploy(wf, host=host, **kwargs)
        assert e.value.code == "OPTION", kwargs
    with pytest.raises(ce.DeployError) as e:
        ce.rollback("docker", "p", to=0, host=host)
    assert e.value.code == "OPTION"
    with pytest.raises(TypeError):
        ce.deploy(wf, projcet="typo")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ce.deploy(wf, timeout="90s")  # type: ignore[arg-type]
    with pytest.raises(ce.DeployError) as e:
        ce.deploy({"nodes": {1, 2}})
    assert e.value.code == "OPTION" and e.value.message.startswith("workflow.nodes:")
    # Found before any engine call: the workflow's errors, with their findings.
    bad = (FIXTURES / "workflows" / "ex1-hello-world.json").read_text(encoding="utf-8").replace('"nginx:1.27"', '""')
    h = ce.deploy(bad, host=host, project="py-refused")
    with pytest.raises(ce.DeployError) as e:
        h.wait(timeout=30)
    assert e.value.code == "INVALID" and e.value.diagnostics
    codes = {d["code"] for d in e.value.diagnostics}
    assert codes & {d["code"] for d in ce.validate(bad)["errors"]}, codes
    assert ce.history("docker", "py-refused", host=host) == []
    h = ce.deploy('{"schemaVersion": "1.0",\n "nodes": [}', host=host)
    with pytest.raises(ce.DeployError) as e:
        h.wait(timeout=30)
    assert e.value.code == "OPTION" and (e.value.line, e.value.column) == (2, 12)
    # The reducer alone.
    assert ce.deployment_status([])["status"] == "pending"
    with pytest.raises(ce.DeployError) as e:
        ce.deployment_status([{"seq": "x"}])
    assert e.value.code == "OPTION"


def test_the_fixture_with_a_copy_of_ex2(host, project):
    """The repository's Docker example, under this suite's project name and port."""
    wf = json.loads((FIXTURES / "deploy" / "ex2-docker.json").read_text(encoding="utf-8"))
    wf = copy.deepcopy(wf)
    for n in wf["nodes"]:
        if n["id"] == "v2":
            n["data"]["properties"]["ports"][0]["nodePort"] = 31893
    h = ce.deploy(wf, project=project, host=host, timeout=120, step_timeout=60)
    status = h.wait(timeout=BOUND)
    assert status["status"] == "success" and status["totalWaves"] == 6, status
    assert "api-v1" in http_get(31893)
    assert "s3cr3t-canary-7f3a" not in json.dumps(h.events)


def test_the_readme_deploy_example(host, project):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- python-deploy-example -->\s*```python\n(.*?)```", text, re.S)
    assert m, "README has no deploy example marked <!-- python-deploy-example -->"
    code = m.group(1)
    assert code.count('project="shop"') == 1
    code = code.replace('project="shop"', f"project={project!r}, host={host!r}")
    scope: Dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)
    status = bounded(scope["ship"](small(31894)))
    assert status["status"] == "success" and status["project"] == project
    wf = small(31894, job="exit 3")
    with pytest.raises(ce.DeployError) as e:
        bounded(scope["ship"](wf))
    assert e.value.code == "GATE_FAILED" and e.value.status is not None
