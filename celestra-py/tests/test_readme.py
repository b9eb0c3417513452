"""The README's FastAPI example runs as written (FastAPI's TestClient)."""

import json
import re

from conftest import REPO, WORKFLOWS


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- python-fastapi-example -->\s*```python\n(.*?)```", text, re.S)
    assert m, "README has no FastAPI example marked <!-- python-fastapi-example -->"
    return m.group(1)


def test_readme_fastapi_example():
    code = readme_example()
    assert len(code.strip().splitlines()) <= 15
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    from fastapi.testclient import TestClient

    client = TestClient(scope["app"])
    doc = json.loads((WORKFLOWS[0].parent / "ex3-microservice.json").read_text(encoding="utf-8"))
    r = client.post("/validate", json=doc)
    assert r.status_code == 200 and r.json()["isValid"] is True
    r = client.post("/generate/kubernetes", json=doc)
    assert r.status_code == 200 and "manifests.yaml" in r.json()["files"]
    bad = json.loads((REPO / "tests" / "fixtures" / "invalid" / "ex5-invalid.json").read_text(encoding="utf-8"))
    r = client.post("/generate/helm", json=bad)
    assert r.status_code == 422
    assert {d["code"] for d in r.json()["detail"]} == {d["code"] for d in __import__("celestra_engine").validate(bad)["errors"]}
