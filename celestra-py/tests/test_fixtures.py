"""Every fixture through the Python API equals the Rust snapshots, byte for byte."""

import json

import pytest

import celestra_engine as ce
from conftest import TARGETS, WORKFLOWS, all_text, invalid_cases, options_for, snapshot


def pretty(v) -> str:
    # serde_json's to_string_pretty: two-space indent, ": ", UTF-8 as is.
    return json.dumps(v, indent=2, ensure_ascii=False).rstrip("\n")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_generate_equals_the_rust_snapshots(path):
    text = path.read_text(encoding="utf-8")
    for short, target in TARGETS.items():
        for given in (text, text.encode(), json.loads(text)):
            g = ce.generate(given, target)
            assert g["target"] == ("kubernetes" if short == "k8s" else target)
            assert all_text(g["files"]) == snapshot(f"generate__{short}__{path.stem}"), (short, type(given))
            assert pretty(g["ledger"]) == snapshot(f"generate__ledger__{short}__{path.stem}"), short


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_validate_and_plan_equal_the_rust_snapshots(path):
    text = path.read_text(encoding="utf-8")
    assert pretty(ce.validate(text)) == snapshot(f"fixtures__report__{path.stem}")
    assert pretty(ce.plan(text)) == snapshot(f"fixtures__plan__{path.stem}")
    # analyze: both from one read, the live report included.
    assert ce.analyze(text, live=True) == {"report": ce.validate(text, live=True), "plan": ce.plan(text)}


def test_analyze_on_a_cycle_has_no_plan_and_names_the_cycle():
    path = next(p for p in invalid_cases() if p.parent.name == "GRAPH_CYCLE")
    a = ce.analyze(path.read_bytes())
    assert a["plan"] is None
    assert any(d["code"] == "GRAPH_CYCLE" for d in a["report"]["errors"])
    with pytest.raises(ce.ValidationError) as e:
        ce.plan(path.read_bytes())
    assert e.value.code == "PLAN_BLOCKED"


@pytest.mark.parametrize("path", invalid_cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_invalid_fixture_reports_its_code_as_in_rust(path):
    opts = options_for(path)
    report = ce.validate(
        path.read_bytes(),
        target=opts.get("target"),
        live=opts.get("mode") == "live",
    )
    codes = {d["code"] for d in report["errors"] + report["warnings"] + report["infos"]}
    assert path.parent.name in codes
    assert pretty(report) == snapshot(f"fixtures__invalid__{path.parent.name}__{path.stem}")


def test_helpers_and_codes():
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    assert ce.generate_kubernetes(text) == ce.generate(text, "kubernetes")
    assert ce.generate_docker_compose(text) == ce.generate(text, "compose")
    assert ce.generate_helm(text) == ce.generate(text, "helm")
    assert ce.generate_dsl(text) == ce.generate(text, "dsl")
    codes = ce.diagnostic_codes()
    names = {c["code"] for c in codes}
    invalid_dirs = {p.parent.name for p in invalid_cases()}
    assert names == invalid_dirs, names ^ invalid_dirs
    assert all(set(c) >= {"code", "severity", "title", "why", "fix"} for c in codes)
    assert set(ce.error_codes()) == {"PARSE", "SHAPE", "TOO_LARGE", "PLAN_BLOCKED", "INVALID", "OPTION"}
    s = ce.schema()
    assert s["type"] == "object" and "nodes" in s["properties"]
    json.dumps(s)


def test_results_are_plain_json():
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    for v in (ce.validate(text), ce.plan(text), ce.generate(text, "helm"), ce.diagnostic_codes()):
        assert json.loads(json.dumps(v)) == v


def test_generate_options():
    text = (WORKFLOWS[0].parent / "batch-etl-cronjobs.json").read_text(encoding="utf-8")
    old = ce.generate(text, "k8s", kubernetes_version="1.20")["files"]["manifests.yaml"]
    assert "apiVersion: batch/v1beta1" in old
    per = ce.generate(text, "k8s", layout="perObject")["files"]
    assert len(per) > 1 and all(name.endswith(".yaml") for name in per)
    secrets = (WORKFLOWS[0].parent / "ex3-microservice.json").read_text(encoding="utf-8")
    redacted = ce.generate(secrets, "compose", redact_secrets=True)["files"]
    plain = ce.generate(secrets, "compose")["files"]
    assert redacted != plain and "<redacted>" in "".join(redacted.values())
