"""The deploy API on the real Kubernetes 1.20.2 cluster of scripts/kube.sh (`make python` starts
it and exports its KUBECONFIG, CELESTRA_KUBECTL and CELESTRA_KUBECONFIG_LIMITED; the test images
`celestra-test/busybox:1|2` on its Docker engine run the shell text of $RUN).

Every test creates its own namespace (`py-<name>-<pid>`) with kubectl, passes it as
``namespace``, and deletes it at the end (``--wait=false``); each is bounded in time and checks
the cluster's own view through kubectl 1.20 (resourceVersions, labels), not only the events.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import pathlib
import re
import subprocess
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import celestra_engine as ce
from conftest import FIXTURES

#: No single deploy or test step may run longer (seconds).
BOUND = 180
#: The fixture's secret value: never in an event, a status or an error.
SECRET = "s3cr3t-canary-7f3a"
PART_OF = "applyset.kubernetes.io/part-of"
APPLYSET_ID = "applyset.kubernetes.io/id"


def env(name: str) -> str:
    v = os.environ.get(name, "")
    if not v:
        pytest.fail(f"{name} is not set: run the tests through `make python` or `make test` "
                    "(they start the cluster, scripts/kube.sh start, and export scripts/kube.sh env)")
    return v


@pytest.fixture(scope="module")
def kubeconfig() -> str:
    path = env("KUBECONFIG")
    assert pathlib.Path(path).is_file(), path
    return path


def kubectl(*args: str) -> Tuple[bool, str]:
    r = subprocess.run([env("CELESTRA_KUBECTL"), "--kubeconfig", env("KUBECONFIG"), *args],
                       capture_output=True, text=True, timeout=60)
    return r.returncode == 0, r.stdout + r.stderr


def kubectl_json(*args: str) -> Any:
    ok, text = kubectl(*args, "-o", "json")
    assert ok, f"kubectl {args}: {text}"
    return json.loads(text)


@pytest.fixture
def ns(request: pytest.FixtureRequest) -> Iterator[str]:
    """A namespace of this test's own: created now, deleted (without waiting) at the end."""
    short = request.node.name[len("test_"):].replace("_", "-")[:20].rstrip("-")
    name = f"py-{short}-{os.getpid()}"
    ok, text = kubectl("create", "namespace", name)
    assert ok, text
    try:
        yield name
    finally:
        kubectl("delete", "namespace", name, "--wait=false")


def ex2() -> Dict[str, Any]:
    return json.loads((FIXTURES / "deploy" / "ex2-kube.json").read_text(encoding="utf-8"))


def props(wf: Dict[str, Any], node_id: str) -> Dict[str, Any]:
    return next(n for n in wf["nodes"] if n["id"] == node_id)["data"]["properties"]


def versions(ns: str) -> Dict[str, str]:
    """`Kind/name` → resourceVersion of every member of a Celestra project in `ns`."""
    items = kubectl_json("-n", ns, "get", "deployments,statefulsets,jobs,services,configmaps,secrets",
                         "-l", "app.kubernetes.io/managed-by=celestra")["items"]
    return {f'{o["kind"]}/{o["metadata"]["name"]}': o["metadata"]["resourceVersion"]
            for o in items if PART_OF in o["metadata"].get("labels", {})}


def bounded(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, BOUND))


def check_stream(events: List[ce.DeployEvent], status: ce.DeploymentStatus) -> None:
    """seq 1, 2, 3… of one deployment on the kubernetes target, `started` first, `finished`
    last, and the core's reducer over the events gives the final status."""
    assert events, "no events"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {e["deploymentId"] for e in events} == {status["deploymentId"]}
    assert {e["target"] for e in events} == {"kubernetes"}
    assert events[0]["type"] == "started" and events[-1]["type"] == "finished"
    assert ce.deployment_status(events) == status


def test_ex2_deploy_redeploy_status_history_plan_rollback_and_delete(kubeconfig, ns):
    project = "py-ex2"
    opts: Dict[str, Any] = {"project": project, "namespace": ns, "timeout": 150, "step_timeout": 90}

    async def first():
        h = ce.deploy(ex2(), "kubernetes", kubeconfig=kubeconfig, **opts)
        events = [e async for e in h]
        return h, events, await h.result()

    h, events, status = bounded(first())
    check_stream(events, status)
    assert status["status"] == "success", status["details"]
    assert status["progress"] == 100 and status["revision"] == 1 and status["project"] == project
    assert len(status["nodes"]) == 7
    assert [n["name"] for n in status["nodes"] if n["status"] != "ready"] == [], status["nodes"]
    assert events[-1]["type"] == "finished" and events[-1]["outcome"] == "success"
    assert h.done and h.deployment_id == status["deploymentId"]
    waves = [e["wave"] for e in events if e["type"] == "waveStarted"]
    assert waves == list(range(status["totalWaves"])) and len(waves) >= 4, waves
    assert SECRET not in json.dumps(events) + json.dumps(status) + repr(h)
    # The cluster's view: the Job ran with the Secret's value injected, the parent Secret
    # names the ApplySet, and its members carry the part-of label.
    ok, log = kubectl("-n", ns, "logs", "job/pg-migrate")
    assert ok and "migrated as app" in log, log
    parent = kubectl_json("-n", ns, "get", "secret", f"celestra-{project}")
    set_id = parent["metadata"]["labels"][APPLYSET_ID]
    assert set_id.startswith("applyset-"), set_id
    before = versions(ns)
    assert sorted(before) == ["ConfigMap/pg-init", "Deployment/api", "Job/pg-migrate", "Secret/pg-auth",
                              "Service/api-svc", "Service/pg", "Service/pg-rw", "StatefulSet/pg"], before

    # A second deploy of the same workflow, the kubeconfig given as text this time: it
    # succeeds and changes nothing in the cluster.
    text = pathlib.Path(kubeconfig).read_text(encoding="utf-8")
    h2 = ce.deploy(ex2(), "k8s", kubeconfig_text=text, **opts)
    again = h2.wait(timeout=BOUND)
    check_stream(h2.events, again)
    assert again["status"] == "success" and again["revision"] == 2, again["details"]
    assert versions(ns) == before, "a redeploy of the same workflow changed objects"
    applied = [e for e in h2.events if e["type"] == "step" and e["action"] == "apply" and e["status"] == "succeeded"]
    assert applied == [], "nothing is sent for unchanged objects"

    # Status, read from the cluster now, and the history (without snapshots).
    st = bounded(ce.astatus("kubernetes", project, kubeconfig=kubeconfig, namespace=ns))
    assert st["status"] == "success" and st["revision"] == 2, st["details"]
    assert all(n["status"] == "ready" for n in st["nodes"]), st["nodes"]
    hist = ce.history("kubernetes", project, kubeconfig_text=text.encode(), namespace=ns)
    assert [(r["revision"], r["outcome"]) for r in hist] == [(1, "success"), (2, "success")], hist
    assert [r["jobsRan"] for r in hist] == [["j1"], []], "an unchanged Job does not run again"
    assert hist[0]["deploymentId"] == status["deploymentId"]
    assert hist[1]["options"]["namespace"] == ns and hist[1]["options"]["project"] == project
    assert all("workflow" not in r for r in hist) and SECRET not in json.dumps(hist)

    # The dry run: the deployed workflow changes nothing; an edit updates only its object.
    plan = ce.deploy_plan(ex2(), "kubernetes", kubeconfig=kubeconfig, project=project, namespace=ns)
    assert plan["project"] == project and plan["namespace"] == ns and plan["prune"] == []
    assert len(plan["objects"]) == 8 and {o["op"] for o in plan["objects"]} == {"unchanged"}, plan
    edited = ex2()
    props(edited, "a1")["environment"]["GREETING"] = "hello again"
    plan = bounded(ce.adeploy_plan(edited, "kubernetes", kubeconfig=kubeconfig, project=project, namespace=ns))
    changed = [(o["object"], o["nodeId"], o["op"]) for o in plan["objects"] if o["op"] != "unchanged"]
    assert changed == [(f"Deployment/{ns}/api", "a1", "update")], plan
    assert versions(ns) == before, "a dry run writes nothing"

    # Rollback to the newest successful revision before the current (1), as revision 3.
    rb = ce.rollback("kubernetes", project, kubeconfig=kubeconfig, namespace=ns, timeout=150, step_timeout=90)
    rolled = rb.wait(timeout=BOUND)
    check_stream(rb.events, rolled)
    assert rolled["status"] == "success" and rolled["revision"] == 3, rolled["details"]
    assert rb.events[0].get("rollbackOf") == 1
    hist = ce.history("kubernetes", project, kubeconfig=kubeconfig, namespace=ns)
    assert [(r["revision"], r.get("rollbackOf")) for r in hist] == [(1, None), (2, None), (3, 1)]

    # delete: every member, the revision records and the parent; nothing left with the label.
    report = ce.delete("kubernetes", project, kubeconfig=kubeconfig, namespace=ns)
    assert len(report["objects"]) == 8 and report["revisions"] == 3 and report["parent"] is True, report
    assert f"Deployment/{ns}/api" in report["objects"], report
    ok, left = kubectl("-n", ns, "get", "secrets,configmaps,deployments,statefulsets,jobs,services",
                       "-l", f"{PART_OF}={set_id}", "-o", "name")
    assert ok and left.strip() in ("", "No resources found"), left
    ok, text_left = kubectl("-n", ns, "get", "secret", f"celestra-{project}", "-o", "name")
    assert not ok and "NotFound" in text_left, text_left
    assert ce.history("kubernetes", project, kubeconfig=kubeconfig, namespace=ns) == []
    with pytest.raises(ce.DeployError) as e:
        ce.status("kubernetes", project, kubeconfig=kubeconfig, namespace=ns)
    assert e.value.code == "NO_HISTORY" and ns in e.value.message
    # down is the same call; nothing left to remove.
    assert bounded(ce.adown("kubernetes", project, kubeconfig=kubeconfig, namespace=ns)) == {
        "objects": [], "revisions": 0, "parent": False}


EXEC_USER = "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/touch, args: [MARKER]}}"


def foreign(text: str, user: str) -> str:
    """A kubeconfig for the test cluster whose one user is `user` (YAML flow text)."""
    server = re.search(r"server:\s*(\S+)", text)
    assert server, "the test kubeconfig names its server"
    return ("apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: c, cluster: {{server: '{server.group(1)}', insecure-skip-tls-verify: true}}}}]\n"
            f"users: [{{name: u, user: {user}}}]\n"
            "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n")


def test_kubeconfig_text_is_inline_credentials_only_and_cluster_errors_have_their_codes(kubeconfig, ns, tmp_path):
    text = pathlib.Path(kubeconfig).read_text(encoding="utf-8")
    token = re.search(r"token:\s*(\S+)", text)
    assert token, "the test kubeconfig carries a token inline"
    marker = tmp_path / "pwned"
    exec_text = foreign(text, EXEC_USER.replace("MARKER", str(marker)))
    errors: List[ce.DeployError] = []

    def refused(call: Any, code: str, *words: str) -> None:
        with pytest.raises(ce.DeployError) as e:
            call()
        assert e.value.code == code, (code, e.value.code, e.value.message)
        for w in words:
            assert w in e.value.message, (w, e.value.message)
        errors.append(e.value)

    # An exec credential plugin is refused before anything runs, from every call.
    wf = ex2()
    kw: Dict[str, Any] = {"kubeconfig_text": exec_text, "namespace": ns}
    refused(lambda: ce.status("kubernetes", "py-x", **kw), "OPTION", "exec")
    refused(lambda: ce.history("kubernetes", "py-x", **kw), "OPTION", "exec")
    refused(lambda: ce.delete("kubernetes", "py-x", **kw), "OPTION", "exec")
    refused(lambda: ce.deploy_plan(wf, "kubernetes", **kw), "OPTION", "exec")
    refused(lambda: ce.deploy(wf, "kubernetes", **kw).wait(timeout=30), "OPTION", "exec")
    refused(lambda: ce.rollback("kubernetes", "py-x", **kw).wait(timeout=30), "OPTION", "exec")
    assert not marker.exists(), "the exec plugin ran"
    # A file read, a proxy: refused too.
    refused(lambda: ce.status("kubernetes", "py-x", kubeconfig_text=foreign(text, "{tokenFile: /etc/shadow}")),
            "OPTION", "tokenFile")
    refused(lambda: ce.status("kubernetes", "py-x", kubeconfig_text=text.replace(
        "server:", "proxy-url: http://127.0.0.1:1\n    server:", 1)), "OPTION", "proxy-url")
    # Not a kubeconfig; a file that does not exist.
    refused(lambda: ce.status("kubernetes", "py-x", kubeconfig_text="- not: [a, kubeconfig"), "OPTION", "kubeconfig")
    refused(lambda: ce.status("kubernetes", "py-x", kubeconfig=tmp_path / "absent.yaml"), "OPTION", "absent.yaml")
    # A wrong token: the cluster refuses it.
    bad = re.sub(r"(token:\s*)\S+", r"\1not-a-token", text)
    refused(lambda: ce.history("kubernetes", "py-x", kubeconfig_text=bad, namespace=ns), "UNAUTHORIZED", "401")
    # A user without permissions: listing the revision records is forbidden.
    refused(lambda: ce.history("kubernetes", "py-x", kubeconfig=env("CELESTRA_KUBECONFIG_LIMITED"), namespace=ns),
            "FORBIDDEN", ns)
    # Nobody listening.
    gone = re.sub(r"(server:\s*https://127\.0\.0\.1:)\d+", r"\g<1>16499", text)
    assert gone != text
    refused(lambda: ce.status("kubernetes", "py-x", kubeconfig_text=gone, namespace=ns),
            "ENGINE_UNREACHABLE", "127.0.0.1:16499")
    # A workflow with errors is refused before the cluster is contacted (it is unreachable here).
    broken = copy.deepcopy(wf)
    del props(broken, "a1")["image"]
    with pytest.raises(ce.DeployError) as e:
        ce.deploy(broken, "kubernetes", kubeconfig_text=gone, namespace=ns).wait(timeout=30)
    assert e.value.code == "INVALID" and e.value.diagnostics, e.value.message
    # No credential in any message.
    for err in errors + [e.value]:
        assert token.group(1) not in str(err) and SECRET not in str(err), err
    assert len(errors) == 13


def test_options_of_the_other_target_are_refused_at_once(kubeconfig, tmp_path):
    wf = ex2()

    def option(call: Any, *words: str) -> None:
        with pytest.raises(ce.DeployError) as e:
            call()
        assert e.value.code == "OPTION", e.value.message
        for w in words:
            assert w in e.value.message, (w, e.value.message)

    # Docker's options with the kubernetes target.
    option(lambda: ce.deploy(wf, "kubernetes", host="unix:///var/run/docker.sock"), "host is a Docker option")
    option(lambda: ce.deploy(wf, "kubernetes", publish_address="0.0.0.0"), "publish_address is a Docker option")
    option(lambda: ce.deploy_plan(wf, "kubernetes", host="tcp://127.0.0.1:2375"), "host")
    option(lambda: ce.rollback("kubernetes", "p", host="unix:///x.sock"), "host")
    option(lambda: ce.down("kubernetes", "p", volumes=True), "volumes is a Docker option")  # type: ignore[call-overload]
    option(lambda: ce.status("kubernetes", "p", host="unix:///x.sock"), "host")
    # Kubernetes' options with the docker target.
    for kw in ({"kubeconfig": kubeconfig}, {"kubeconfig_text": "apiVersion: v1"}, {"context": "c"},
               {"namespace": "ns"}, {"force_replace": True}):
        name = next(iter(kw))
        option(lambda: ce.deploy(wf, "docker", **kw), f"{name} is a Kubernetes option")
        option(lambda: ce.deploy_plan(wf, "docker", **kw), name)  # type: ignore[call-overload]
    option(lambda: ce.history("docker", "p", namespace="default"), "namespace is a Kubernetes option")
    option(lambda: ce.down("docker", "p", kubeconfig=kubeconfig), "kubeconfig")  # type: ignore[call-overload]
    # Kubernetes' own rules, checked at once.
    option(lambda: ce.deploy(wf, "kubernetes", kubeconfig=kubeconfig, kubeconfig_text="x"), "not both")
    option(lambda: ce.deploy(wf, "kubernetes", namespace="Not_A_Namespace"), "Not_A_Namespace")
    option(lambda: ce.status("kubernetes", "Bad Name!", kubeconfig=kubeconfig), "Bad Name!")
    option(lambda: ce.deploy(wf, "kubernetes", project="UPPER"), "UPPER")
    option(lambda: ce.deploy(wf, "kubernetes", timeout=0), "timeout")
    option(lambda: ce.rollback("kubernetes", "p", to=0), "to must be")
    option(lambda: ce.status("kubernetes", "p", kubeconfig_text=b"\xff\xfe"), "UTF-8")
    option(lambda: ce.deploy(wf, "nomad"), "unknown deploy target", "kubernetes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ce.deploy(wf, "kubernetes", kubeconfig=123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ce.deploy(wf, "kubernetes", namspace="typo")  # type: ignore[call-arg]


def test_the_error_code_type_lists_every_code_of_the_core():
    """`DeployErrorCode` holds the core's stable codes (ErrorCode::as_str) and INTERNAL."""
    import typing

    from conftest import REPO

    src = (REPO / "celestra-core" / "src" / "deploy" / "driver" / "mod.rs").read_text(encoding="utf-8")
    body = src[src.index("pub fn as_str(self)"):]
    body = body[:body.index("\n    }\n")]
    core = re.findall(r'ErrorCode::\w+ => "([A-Z_]+)"', body)
    assert len(core) >= 17 and "CRD_MISSING" in core, core
    assert sorted(typing.get_args(ce.DeployErrorCode)) == sorted(core + ["INTERNAL"])
