"""The incremental session from Python: every edit's output equals a full generation."""

import copy
import json

import pytest

import celestra_engine as ce
from conftest import FIXTURES


@pytest.mark.parametrize("target", ["kubernetes", "compose", "helm", "dsl"])
def test_edits_equal_full_generation(target):
    doc = json.loads((FIXTURES / "workflows" / "ex3-microservice.json").read_text(encoding="utf-8"))
    s = ce.Session(doc, target, redact_secrets=False)
    assert s.target == target
    assert s.generated() == ce.generate(doc, target)
    apps = [n for n in doc["nodes"] if n.get("type") == "celestra-app"]
    assert apps
    for k, node in enumerate(apps):
        node = copy.deepcopy(node)
        node["data"]["properties"]["replicas"] = 2 + k
        u = s.update_node(node)
        doc["nodes"] = [node if n["id"] == node["id"] else n for n in doc["nodes"]]
        assert u["full"] is False and node["id"] in u["regenerated"]
        full = ce.generate(doc, target)
        assert s.files() == full["files"]
        assert s.ledger() == full["ledger"]
        assert s.warnings() == full["warnings"]
    victim = apps[-1]["id"]
    u = s.remove_node(victim)
    assert u["full"] is True
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != victim]
    doc["connections"] = [c for c in doc["connections"] if victim not in (c["source"], c["target"])]
    assert s.generated() == ce.generate(doc, target)
    s.set_workflow(json.dumps(doc))
    assert s.generated() == ce.generate(doc, target)
    assert "Session(" in repr(s)


def test_one_session_used_from_many_threads():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    doc = json.loads((FIXTURES / "workflows" / "ex3-microservice.json").read_text(encoding="utf-8"))
    s = ce.Session(doc, "kubernetes")
    app = next(n for n in doc["nodes"] if n.get("type") == "celestra-app")
    applied = []
    lock = threading.Lock()

    def edit(k):
        node = copy.deepcopy(app)
        node["data"]["properties"]["replicas"] = 1 + k % 5
        s.update_node(node)
        with lock:
            applied.append(node)
        return s.files()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(edit, range(24)))
    assert all(o for o in outputs)
    # The session ends in the state of one of the edits, as a full generation of it.
    finals = []
    for node in applied:
        d = copy.deepcopy(doc)
        d["nodes"] = [node if n["id"] == node["id"] else n for n in d["nodes"]]
        finals.append(ce.generate(d, "kubernetes")["files"])
    assert s.files() in finals
