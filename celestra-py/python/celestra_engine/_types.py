"""Typed shapes of what the engine reads and returns (plain dicts at runtime)."""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Mapping, Optional, Union

if sys.version_info >= (3, 11):
    from typing import Literal, NotRequired, TypedDict
else:  # pragma: no cover - older interpreters
    from typing_extensions import Literal, NotRequired, TypedDict

__all__ = [
    "Analysis",
    "CodeInfo",
    "Connection",
    "Diagnostic",
    "Generated",
    "Ledger",
    "LedgerEntry",
    "Node",
    "NodeData",
    "Plan",
    "Related",
    "Report",
    "Severity",
    "Step",
    "Target",
    "Update",
    "Wave",
    "Workflow",
    "WorkflowInput",
]

Target = Literal["kubernetes", "k8s", "compose", "docker-compose", "dockerCompose", "helm", "dsl", "celestra"]
Severity = Literal["error", "warning", "info"]


class NodeData(TypedDict, total=False):
    name: str
    type: str
    properties: Dict[str, Any]


class Node(TypedDict, total=False):
    id: str
    type: str
    parent: str
    position: Dict[str, float]
    data: NodeData


class Connection(TypedDict, total=False):
    id: str
    source: str
    target: str
    sourceHandle: str
    targetHandle: str
    style: str
    label: str
    when: Any


class Workflow(TypedDict, total=False):
    """The workflow document of workflow-format.md (only the top level is spelled out)."""

    schemaVersion: str
    id: str
    name: str
    description: str
    settings: Dict[str, Any]
    nodes: List[Node]
    connections: List[Connection]


#: What every function accepts as a workflow: the document as a dict (any mapping), or its
#: JSON text as str or bytes.
WorkflowInput = Union[Workflow, Mapping[str, Any], str, bytes, bytearray]


class Related(TypedDict):
    label: str
    nodeId: NotRequired[str]
    connectionId: NotRequired[str]


class Diagnostic(TypedDict):
    code: str
    severity: Severity
    message: str
    nodeId: NotRequired[str]
    connectionId: NotRequired[str]
    property: NotRequired[str]
    hint: NotRequired[str]
    related: NotRequired[List[Related]]


class Report(TypedDict):
    isValid: bool
    errors: List[Diagnostic]
    warnings: List[Diagnostic]
    infos: List[Diagnostic]


class Step(TypedDict):
    nodeId: str
    name: str
    type: str
    namespace: str
    phase: int
    objects: List[Dict[str, Any]]
    readiness: List[Dict[str, Any]]
    waitsFor: List[Dict[str, Any]]
    attached: NotRequired[List[Dict[str, Any]]]


class Wave(TypedDict):
    index: int
    steps: List[Step]
    phase: NotRequired[int]


class Plan(TypedDict):
    mode: Literal["parallel", "phased", "sequential"]
    errorHandling: str
    totalSteps: int
    waves: List[Wave]


class Analysis(TypedDict):
    """What :func:`analyze` returns: ``plan`` is None when dependencies form a cycle (the report
    then holds the ``GRAPH_CYCLE`` findings)."""

    report: Report
    plan: Optional[Plan]


class LedgerEntry(TypedDict):
    property: str
    status: Literal["mapped", "approximated", "dropped"]
    nodeId: NotRequired[str]
    connectionId: NotRequired[str]
    how: NotRequired[str]
    why: NotRequired[str]


class Ledger(TypedDict):
    target: str
    entries: List[LedgerEntry]


class Generated(TypedDict):
    target: str
    files: Dict[str, str]
    ledger: Ledger
    warnings: List[Diagnostic]


class Update(TypedDict):
    full: bool
    regenerated: List[str]


class CodeInfo(TypedDict):
    code: str
    severity: Severity
    level: str
    title: str
    why: str
    fix: str
    example: str
    origin: str
