"""asyncio: the coroutines run engine calls in worker threads; an async FastAPI handler stays
responsive and returns the engine's dicts as they are."""

import asyncio
import json

import celestra_engine as ce
from conftest import WORKFLOWS


def test_coroutines_give_the_same_results():
    docs = [p.read_bytes() for p in WORKFLOWS[:6]]

    async def main():
        reports = await asyncio.gather(*(ce.avalidate(d) for d in docs))
        plans = await asyncio.gather(*(ce.aplan(d) for d in docs))
        gens = await asyncio.gather(*(ce.agenerate(d, "helm") for d in docs))
        analyses = await asyncio.gather(*(ce.aanalyze(d, live=True) for d in docs))
        return reports, plans, gens, analyses

    reports, plans, gens, analyses = asyncio.run(main())
    assert analyses == [ce.analyze(d, live=True) for d in docs]
    assert reports == [ce.validate(d) for d in docs]
    assert plans == [ce.plan(d) for d in docs]
    assert gens == [ce.generate(d, "helm") for d in docs]


def test_the_event_loop_keeps_ticking_during_a_long_generation(big_workflow):
    async def main():
        ticks = 0
        task = asyncio.ensure_future(ce.agenerate(big_workflow, "helm"))
        while not task.done():
            ticks += 1
            await asyncio.sleep(0)
        return ticks, task.result()

    ticks, g = asyncio.run(main())
    assert g["files"] and ticks > 10, ticks


def test_errors_propagate_through_coroutines():
    async def main():
        try:
            await ce.agenerate("{oops", "k8s")
        except ce.ParseError as e:
            return e.code
        return None

    assert asyncio.run(main()) == "PARSE"


def test_async_fastapi_handler():
    from fastapi import Body, FastAPI, HTTPException
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.post("/generate/{target}")
    async def gen(target: str, workflow: dict = Body(...)):
        try:
            return await ce.agenerate(workflow, target, redact_secrets=True)
        except ce.ValidationError as e:
            raise HTTPException(422, {"code": e.code, "diagnostics": e.diagnostics}) from None
        except ce.CelestraError as e:
            raise HTTPException(400, {"code": e.code, "message": e.message}) from None

    client = TestClient(app)
    doc = json.loads((WORKFLOWS[0].parent / "ex3-microservice.json").read_text(encoding="utf-8"))
    r = client.post("/generate/compose", json=doc)
    assert r.status_code == 200
    assert r.json() == ce.generate(doc, "compose", redact_secrets=True)
    bad = json.loads((WORKFLOWS[0].parent.parent / "invalid" / "ex5-invalid.json").read_text(encoding="utf-8"))
    r = client.post("/generate/helm", json=bad)
    assert r.status_code == 422 and r.json()["detail"]["code"] == "INVALID"
    assert r.json()["detail"]["diagnostics"] == ce.validate(bad)["errors"]
    r = client.post("/generate/terraform", json=doc)
    assert r.status_code == 400 and r.json()["detail"]["code"] == "OPTION"
