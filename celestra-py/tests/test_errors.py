"""Errors: the public classes, their stable codes and what they carry. Nothing else escapes."""

import json
import math

import pytest

import celestra_engine as ce
from conftest import FIXTURES, WORKFLOWS


def test_malformed_json_has_line_and_column():
    with pytest.raises(ce.ParseError) as e:
        ce.validate('{"schemaVersion": "1.0",\n  "nodes": [}')
    assert e.value.code == "PARSE"
    assert (e.value.line, e.value.column) == (2, 13)
    assert isinstance(e.value, ce.CelestraError) and isinstance(e.value, Exception)
    with pytest.raises(ce.ParseError) as e:
        ce.generate(b"\xff\xfe", "k8s")
    assert e.value.code == "PARSE"


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"nodes": [{"id": "a", "data": {1, 2}}]}, "workflow.nodes[0].data"),
        ({"nodes": [{"id": "a", "x": math.nan}]}, "workflow.nodes[0].x"),
        ({"settings": {"n": 10**30}}, "workflow.settings.n"),
        ({"nodes": [{1: "non-str key"}]}, "workflow.nodes[0]"),
        ({"odd key": object()}, 'workflow["odd key"]'),
        ({"b": b"bytes inside"}, "workflow.b"),
    ],
)
def test_values_that_are_not_json_are_refused_with_their_path(value, where):
    with pytest.raises(ce.ParseError) as e:
        ce.validate(value)
    assert e.value.code == "PARSE"
    assert e.value.message.startswith(where + ":"), e.value.message
    assert e.value.line is None and e.value.column is None


@pytest.mark.parametrize("levels", [101, 127, 128, 129, 500])
def test_too_deep_is_refused_with_its_path(levels):
    v: dict = {}
    cur = v
    for _ in range(levels):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(ce.ParseError) as e:
        ce.validate(v)
    assert e.value.code == "PARSE" and "nested deeper" in e.value.message
    assert e.value.message.startswith("workflow.x.x.x") and e.value.line is None


def test_deep_but_allowed_nesting_reads():
    v: dict = {"nodes": []}
    cur = v
    for _ in range(98):
        cur["x"] = {}
        cur = cur["x"]
    assert ce.validate(v)["isValid"] in (True, False)


def test_a_mapping_that_changes_the_dict_being_read_is_refused_cleanly():
    from collections.abc import Mapping

    outer: dict = {}

    class Evil(Mapping):
        def __getitem__(self, k):
            return 1

        def __len__(self):
            return 1

        def __iter__(self):
            outer.clear()
            outer.update({f"k{i}": i for i in range(50)})
            return iter(["a"])

    outer.update({"nodes": [], "a": Evil(), "b": 2, "c": 3})
    with pytest.raises(ce.ParseError) as e:
        ce.validate(outer)
    assert e.value.code == "PARSE"
    assert e.value.message == "workflow: a dict that changed while it was read"


def test_a_list_subclass_is_read_by_its_items_not_its_iterator():
    class Endless(list):
        def __iter__(self):
            import itertools

            return itertools.count()

    doc = {"schemaVersion": "1.0", "nodes": Endless(), "connections": []}
    assert ce.validate(doc) == ce.validate({"schemaVersion": "1.0", "nodes": [], "connections": []})


@pytest.mark.parametrize("value", [[], 5, "[1, 2]", None, True, "null"])
def test_a_document_that_is_not_an_object_is_a_shape_error(value):
    with pytest.raises(ce.ParseError) as e:
        ce.validate(value)
    assert e.value.code == "SHAPE", e.value


def test_invalid_workflow_refused_by_generate_with_the_same_findings_as_validate():
    path = FIXTURES / "invalid" / "ex5-invalid.json"
    report = ce.validate(path.read_bytes())
    assert report["errors"]
    with pytest.raises(ce.ValidationError) as e:
        ce.generate(path.read_bytes(), "helm")
    assert e.value.code == "INVALID"
    assert e.value.diagnostics == report["errors"]
    json.dumps(e.value.diagnostics)


def test_cycle_blocks_the_plan():
    path = next((FIXTURES / "invalid" / "GRAPH_CYCLE").glob("*.json"))
    with pytest.raises(ce.ValidationError) as e:
        ce.plan(path.read_bytes())
    assert e.value.code == "PLAN_BLOCKED"
    assert e.value.diagnostics and all(d["code"] == "GRAPH_CYCLE" for d in e.value.diagnostics)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": "terraform"},
        {"target": "k8s", "kubernetes_version": "1.12"},
        {"target": "k8s", "layout": "zip"},
    ],
)
def test_bad_options_are_generate_errors(kwargs):
    with pytest.raises(ce.GenerateError) as e:
        ce.generate(WORKFLOWS[0].read_bytes(), **kwargs)
    assert e.value.code == "OPTION"


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        ce.generate(WORKFLOWS[0].read_bytes(), "k8s", colour="blue")  # type: ignore[call-arg]


def test_too_large_is_refused_before_reading():
    doc = {"schemaVersion": "1.0", "nodes": [{"id": f"n{i}"} for i in range(100_001)]}
    with pytest.raises(ce.ParseError) as e:
        ce.validate(doc)
    assert e.value.code == "TOO_LARGE"


def test_session_refuses_a_bad_edit_and_keeps_its_output():
    text = (FIXTURES / "workflows" / "ex1-hello-world.json").read_text(encoding="utf-8")
    s = ce.Session(text, "kubernetes")
    before = s.files()
    node = json.loads(text)["nodes"][0]
    node["data"]["properties"]["replicas"] = 0
    with pytest.raises(ce.ValidationError) as e:
        s.update_node(node)
    assert e.value.code == "INVALID"
    assert s.files() == before
    err = s.last_error()
    assert isinstance(err, ce.ValidationError) and err.code == "INVALID"
    with pytest.raises(ce.ParseError) as e:
        s.update_node('{"id": "n1",\n  not json')
    assert (e.value.line, e.value.column) == (2, 3)
    assert s.target == "kubernetes"
