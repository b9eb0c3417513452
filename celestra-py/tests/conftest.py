"""Shared paths and helpers: the repository's fixtures and the Rust snapshots."""

from __future__ import annotations

import json
import os
import pathlib
from typing import Dict, List

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SNAPSHOTS = REPO / "tests" / "suite" / "snapshots"
WORKFLOWS = sorted(p for p in (FIXTURES / "workflows").glob("*.json") if not p.name.endswith(".options.json"))
TARGETS = {"k8s": "kubernetes", "compose": "compose", "helm": "helm", "dsl": "dsl"}


def snapshot(name: str) -> str:
    """The body of an insta snapshot (what follows its `---` header)."""
    # bytes, not read_text: universal newlines would turn a "\r\n" inside a value into "\n".
    text = (SNAPSHOTS / f"{name}.snap").read_bytes().decode("utf-8")
    assert text.startswith("---\n"), name
    end = text.index("\n---\n", 4)
    # insta compares snapshots without trailing newlines and with "\r\n" as "\n"; so do these
    # tests (the hostile corpus has a secret whose value holds "\r\n").
    return text[end + len("\n---\n"):].rstrip("\n").replace("\r\n", "\n")


def all_text(files: Dict[str, str]) -> str:
    """The snapshot text of a generation (as `all_text` in tests/suite/generate.rs)."""
    text = "\n".join(f"### {k}\n{v}" for k, v in sorted(files.items()))
    return text.rstrip("\n").replace("\r\n", "\n")


def invalid_cases() -> List[pathlib.Path]:
    return sorted(p for p in (FIXTURES / "invalid").glob("*/*.json") if not p.name.endswith(".options.json"))


def options_for(p: pathlib.Path) -> dict:
    side = p.with_suffix(".options.json")
    return json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}


@pytest.fixture(scope="session")
def big_workflow() -> bytes:
    """A 1,000-node synthetic workflow, written by the Rust `synthetic` helper
    (`make test` sets CELESTRA_SYNTHETIC_1000)."""
    path = os.environ.get("CELESTRA_SYNTHETIC_1000")
    if not path or not pathlib.Path(path).exists():
        pytest.fail("CELESTRA_SYNTHETIC_1000 is not set: run the tests through `make test`")
    return pathlib.Path(path).read_bytes()
