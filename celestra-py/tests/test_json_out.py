"""The JSON-out calls (validate_json, plan_json, generate_json and their coroutines): compact
UTF-8 JSON equal to the dict results, the same errors, usable as a FastAPI response body."""

import asyncio
import json

import pytest

import celestra_engine as ce
from conftest import REPO, TARGETS, WORKFLOWS, invalid_cases, options_for


def compact(v) -> bytes:
    # What serde_json::to_vec writes: no spaces, UTF-8 as is, the same escapes as Python's.
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_json_out_equals_the_dict_results(path):
    data = path.read_bytes()
    for given in (data, json.loads(data)):
        out = ce.validate_json(given)
        assert isinstance(out, bytes) and out == compact(ce.validate(given))
        out = ce.plan_json(given)
        assert isinstance(out, bytes) and out == compact(ce.plan(given))
        out = ce.analyze_json(given, live=True)
        assert isinstance(out, bytes) and out == compact(ce.analyze(given, live=True))
        for target in TARGETS.values():
            out = ce.generate_json(given, target)
            assert isinstance(out, bytes) and out == compact(ce.generate(given, target)), target


@pytest.mark.parametrize("path", invalid_cases(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_json_out_reports_and_refuses_like_the_dict_calls(path):
    opts = options_for(path)
    kw = {"target": opts.get("target"), "live": opts.get("mode") == "live"}
    data = path.read_bytes()
    assert json.loads(ce.validate_json(data, **kw)) == ce.validate(data, **kw)
    try:
        expected = ce.generate(data, "kubernetes")
    except ce.CelestraError as e:
        with pytest.raises(type(e)) as got:
            ce.generate_json(data, "kubernetes")
        assert got.value.code == e.code and got.value.diagnostics == e.diagnostics
    else:
        assert json.loads(ce.generate_json(data, "kubernetes")) == expected


def test_json_out_errors_and_options():
    with pytest.raises(ce.ParseError) as e:
        ce.plan_json(b'{"nodes": [')
    assert e.value.code == "PARSE" and e.value.line == 1
    with pytest.raises(ce.GenerateError):
        ce.generate_json(WORKFLOWS[0].read_bytes(), "terraform")
    doc = json.loads((REPO / "tests" / "fixtures" / "workflows" / "ex3-microservice.json").read_bytes())
    plain = ce.generate_json(doc, "kubernetes")
    redacted = ce.generate_json(doc, "kubernetes", redact_secrets=True)
    assert json.loads(redacted) == ce.generate(doc, "kubernetes", redact_secrets=True)
    assert redacted != plain and b"<redacted>" in redacted
    old = ce.generate_json(doc, "kubernetes", kubernetes_version="1.20", layout="perObject")
    assert json.loads(old) == ce.generate(doc, "kubernetes", kubernetes_version="1.20", layout="perObject")


def test_json_coroutines():
    data = WORKFLOWS[1].read_bytes()

    async def main():
        return await asyncio.gather(
            ce.avalidate_json(data), ce.aplan_json(data), ce.agenerate_json(data, "dsl"), ce.aanalyze_json(data)
        )

    v, p, g, a = asyncio.run(main())
    assert (v, p, g, a) == (ce.validate_json(data), ce.plan_json(data), ce.generate_json(data, "dsl"), ce.analyze_json(data))


def test_fastapi_returns_the_bytes_as_the_body():
    from fastapi import FastAPI, Request, Response
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.post("/plan")
    async def plan(request: Request) -> Response:
        return Response(await ce.aplan_json(await request.body()), media_type="application/json")

    data = (REPO / "tests" / "fixtures" / "workflows" / "ex3-microservice.json").read_bytes()
    r = TestClient(app).post("/plan", content=data)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == ce.plan(data)
