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


def test_a_session_of_several_targets_keeps_each_equal_to_its_full_generation():
    doc = json.loads((FIXTURES / "workflows" / "ex3-microservice.json").read_text(encoding="utf-8"))
    s = ce.Session(doc, ["helm", "dsl"])
    assert s.target == "helm"
    assert s.targets == ["helm", "dsl"]
    with pytest.raises(ce.GenerateError, match="add_target") as e:
        s.files("compose")
    assert e.value.code == "OPTION"
    assert s.add_target("compose")["full"] is True
    assert s.add_target("compose") == {"full": False, "regenerated": []}
    assert s.targets == ["helm", "dsl", "compose"]
    node = copy.deepcopy(next(n for n in doc["nodes"] if n.get("type") == "celestra-app"))
    node["data"]["properties"]["replicas"] = 4
    assert s.update_node(node)["full"] is False
    doc["nodes"] = [node if n["id"] == node["id"] else n for n in doc["nodes"]]
    for target in ["helm", "dsl", "compose"]:
        full = ce.generate(doc, target)
        assert s.generated(target) == full
        assert s.files(target) == full["files"]
        assert s.ledger(target) == full["ledger"]
        assert s.warnings(target) == full["warnings"]
    assert s.files() == s.files("helm")
    for bad in (7, [], ["terraform"], [1]):
        with pytest.raises(ce.GenerateError) as e:
            ce.Session(doc, bad)
        assert e.value.code == "OPTION"
