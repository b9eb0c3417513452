"""Celestra Engine for Python.

Validate, plan and generate (Kubernetes YAML, Docker Compose, a Helm chart, the Celestra DSL)
from a visual-builder workflow. Every function takes the workflow as a ``dict``, a JSON ``str``
or ``bytes`` and returns plain ``dict`` / ``list`` values that ``json.dumps`` and FastAPI return
as they are. The engine runs without the GIL: calls from many threads run in parallel, and the
``a``-prefixed coroutines run a call in a worker thread for ``asyncio`` code.

Deploy (target ``"docker"``, a Docker engine through its API, or ``"kubernetes"``, a cluster
through server-side apply): :func:`deploy` returns a :class:`DeployHandle` at once — ``async
for event in handle`` (or a plain ``for``) gives its events as they happen, ``await
handle.result()`` / ``handle.wait()`` its final status (§5.3), ``handle.cancel()`` stops it;
:func:`rollback` restores an earlier revision the same way; :func:`deploy_plan` (a dry run),
:func:`status`, :func:`history` and :func:`down` (:func:`delete`) return their result
(``a``-prefixed coroutines for ``asyncio``). The deploy runs on a native thread of its own: the
GIL is free and the event loop keeps running throughout.

Errors are :class:`CelestraError` subclasses with a stable ``code``:
:class:`ParseError` (``PARSE``, ``SHAPE``, ``TOO_LARGE``), :class:`ValidationError`
(``INVALID``, ``PLAN_BLOCKED``; ``diagnostics`` holds the findings, the same dicts
:func:`validate` returns) and :class:`GenerateError` (``OPTION``); an engine bug would be a
plain :class:`CelestraError` with code ``INTERNAL``. Every failure of the deploy API is a
:class:`DeployError` (``ENGINE_UNREACHABLE``, ``IMAGE_NOT_FOUND``, ``GATE_FAILED``,
``TIMEOUT``, ``CANCELLED``, ``INVALID``, ``OPTION``, ``UNAUTHORIZED``, ``FORBIDDEN``…; see its
docstring).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union, cast

from . import _native
from ._deploy import (
    DeployHandle,
    adelete,
    adeploy_plan,
    adown,
    ahistory,
    astatus,
    delete,
    deploy,
    deploy_plan,
    deployment_status,
    down,
    history,
    rollback,
    status,
)
from ._errors import CelestraError, DeployError, GenerateError, ParseError, ValidationError, _error
from ._types import (
    Analysis,
    Change,
    ChangePlan,
    ChangeWave,
    CodeInfo,
    Connection,
    DeleteReport,
    DeployErrorCode,
    DeployEvent,
    DeploymentStatus,
    DeployProgress,
    DeployTarget,
    Diagnostic,
    DownReport,
    FinishedEvent,
    Generated,
    HistoryEntry,
    KubePlan,
    KubernetesTarget,
    Ledger,
    LedgerEntry,
    LogEvent,
    Node,
    NodeData,
    NodeStatus,
    ObjectRef,
    Plan,
    PlannedNode,
    PlannedObject,
    Related,
    Report,
    RollbackStartedEvent,
    Severity,
    SkippedNode,
    StartedEvent,
    Step,
    StepEvent,
    Target,
    Update,
    Wave,
    WaveFinishedEvent,
    WaveStartedEvent,
    Workflow,
    WorkflowInput,
)

__version__: str = _native.__version__

__all__ = [
    "Analysis",
    "CelestraError",
    "Change",
    "ChangePlan",
    "ChangeWave",
    "CodeInfo",
    "Connection",
    "DeleteReport",
    "DeployError",
    "DeployErrorCode",
    "DeployEvent",
    "DeployHandle",
    "DeployProgress",
    "DeployTarget",
    "DeploymentStatus",
    "Diagnostic",
    "DownReport",
    "FinishedEvent",
    "GenerateError",
    "Generated",
    "HistoryEntry",
    "KubePlan",
    "KubernetesTarget",
    "Ledger",
    "LedgerEntry",
    "LogEvent",
    "Node",
    "NodeData",
    "NodeStatus",
    "ObjectRef",
    "ParseError",
    "Plan",
    "PlannedNode",
    "PlannedObject",
    "Related",
    "Report",
    "RollbackStartedEvent",
    "Session",
    "Severity",
    "SkippedNode",
    "StartedEvent",
    "Step",
    "StepEvent",
    "Target",
    "Update",
    "ValidationError",
    "Wave",
    "WaveFinishedEvent",
    "WaveStartedEvent",
    "Workflow",
    "WorkflowInput",
    "__version__",
    "aanalyze",
    "aanalyze_json",
    "adelete",
    "adeploy_plan",
    "adown",
    "agenerate",
    "agenerate_json",
    "ahistory",
    "analyze",
    "analyze_json",
    "aplan",
    "aplan_json",
    "astatus",
    "avalidate",
    "avalidate_json",
    "delete",
    "deploy",
    "deploy_plan",
    "deployment_status",
    "diagnostic_codes",
    "down",
    "error_codes",
    "generate",
    "generate_docker_compose",
    "generate_dsl",
    "generate_helm",
    "generate_json",
    "generate_kubernetes",
    "history",
    "plan",
    "plan_json",
    "rollback",
    "schema",
    "status",
    "validate",
    "validate_json",
]


F = TypeVar("F", bound=Callable[..., Any])


def _translated(f: F) -> F:
    """Raises the public exception classes instead of the native one."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except _native.EngineError as e:
            raise _error(e) from None

    return cast(F, wrapper)


@_translated
def validate(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> Report:
    """Findings per node, field and connection. ``target`` adds that output's rules; ``live``
    downgrades what a half-drawn workflow cannot have yet (e.g. a missing image) to warnings."""
    return cast(Report, _native.validate(workflow, target, "live" if live else None))


@_translated
def plan(workflow: WorkflowInput) -> Plan:
    """Dependency waves: what runs in parallel, what waits for what and why."""
    return cast(Plan, _native.plan(workflow))


@_translated
def analyze(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> Analysis:
    """:func:`validate` and :func:`plan` from one read of the workflow and one graph (what a live
    preview calls on every edit): ``{"report", "plan"}``, ``plan`` None when dependencies form a
    cycle (the report holds the ``GRAPH_CYCLE`` findings)."""
    return cast(Analysis, _native.analyze(workflow, target, "live" if live else None))


@_translated
def generate(
    workflow: WorkflowInput,
    target: Target,
    *,
    kubernetes_version: Optional[str] = None,
    layout: str = "singleFile",
    redact_secrets: bool = False,
) -> Generated:
    """Files of one target (``kubernetes``, ``compose``, ``helm``, ``dsl``), the fidelity ledger
    and the warnings. Refuses a workflow with errors (:class:`ValidationError`).

    ``kubernetes_version`` (``"1.20"`` … , default ``"1.30"``) picks served API versions;
    ``layout`` is ``"singleFile"`` or ``"perObject"`` (Kubernetes target); ``redact_secrets``
    replaces secret values by ``<redacted>`` (for previews).
    """
    return cast(
        Generated,
        _native.generate(workflow, target, kubernetes_version, layout, redact_secrets),
    )


@_translated
def validate_json(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> bytes:
    """:func:`validate`, the report as compact UTF-8 JSON (written without the GIL).

    For a web backend that sends the result on as it is (FastAPI:
    ``Response(ce.validate_json(body), media_type="application/json")``): no Python objects are
    built and nothing is encoded again. ``json.loads`` of it equals :func:`validate`'s result."""
    return cast(bytes, _native.validate(workflow, target, "live" if live else None, True))


@_translated
def analyze_json(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> bytes:
    """:func:`analyze` as compact UTF-8 JSON (see :func:`validate_json`)."""
    return cast(bytes, _native.analyze(workflow, target, "live" if live else None, True))


@_translated
def plan_json(workflow: WorkflowInput) -> bytes:
    """:func:`plan` as compact UTF-8 JSON (see :func:`validate_json`)."""
    return cast(bytes, _native.plan(workflow, True))


@_translated
def generate_json(
    workflow: WorkflowInput,
    target: Target,
    *,
    kubernetes_version: Optional[str] = None,
    layout: str = "singleFile",
    redact_secrets: bool = False,
) -> bytes:
    """:func:`generate` as compact UTF-8 JSON (see :func:`validate_json`); raises the same
    errors."""
    return cast(
        bytes,
        _native.generate(workflow, target, kubernetes_version, layout, redact_secrets, True),
    )


def generate_kubernetes(workflow: WorkflowInput, **options: Any) -> Generated:
    """:func:`generate` for the Kubernetes target."""
    return generate(workflow, "kubernetes", **options)


def generate_docker_compose(workflow: WorkflowInput, **options: Any) -> Generated:
    """:func:`generate` for the Docker Compose target."""
    return generate(workflow, "compose", **options)


def generate_helm(workflow: WorkflowInput, **options: Any) -> Generated:
    """:func:`generate` for the Helm chart target."""
    return generate(workflow, "helm", **options)


def generate_dsl(workflow: WorkflowInput, **options: Any) -> Generated:
    """:func:`generate` for the Celestra DSL (a Python program for celestra 0.0.3)."""
    return generate(workflow, "dsl", **options)


def diagnostic_codes() -> List[CodeInfo]:
    """Every diagnostic code: severity, level, title, why, fix, example, origin."""
    return cast(List[CodeInfo], _native.diagnostic_codes())


def error_codes() -> Dict[str, str]:
    """The ``code`` values of :class:`CelestraError` with what each means."""
    pairs = cast(List[Tuple[str, str]], _native.error_codes())
    return dict(pairs)


def schema() -> Dict[str, Any]:
    """The JSON Schema of the workflow document."""
    return cast(Dict[str, Any], _native.schema())


async def avalidate(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> Report:
    """:func:`validate` in a worker thread (the event loop keeps running)."""
    return await asyncio.to_thread(validate, workflow, target=target, live=live)


async def aanalyze(workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False) -> Analysis:
    """:func:`analyze` in a worker thread."""
    return await asyncio.to_thread(analyze, workflow, target=target, live=live)


async def aplan(workflow: WorkflowInput) -> Plan:
    """:func:`plan` in a worker thread."""
    return await asyncio.to_thread(plan, workflow)


async def agenerate(
    workflow: WorkflowInput,
    target: Target,
    *,
    kubernetes_version: Optional[str] = None,
    layout: str = "singleFile",
    redact_secrets: bool = False,
) -> Generated:
    """:func:`generate` in a worker thread."""
    return await asyncio.to_thread(
        generate,
        workflow,
        target,
        kubernetes_version=kubernetes_version,
        layout=layout,
        redact_secrets=redact_secrets,
    )


async def avalidate_json(
    workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False
) -> bytes:
    """:func:`validate_json` in a worker thread."""
    return await asyncio.to_thread(validate_json, workflow, target=target, live=live)


async def aanalyze_json(
    workflow: WorkflowInput, *, target: Optional[Target] = None, live: bool = False
) -> bytes:
    """:func:`analyze_json` in a worker thread."""
    return await asyncio.to_thread(analyze_json, workflow, target=target, live=live)


async def aplan_json(workflow: WorkflowInput) -> bytes:
    """:func:`plan_json` in a worker thread."""
    return await asyncio.to_thread(plan_json, workflow)


async def agenerate_json(
    workflow: WorkflowInput,
    target: Target,
    *,
    kubernetes_version: Optional[str] = None,
    layout: str = "singleFile",
    redact_secrets: bool = False,
) -> bytes:
    """:func:`generate_json` in a worker thread."""
    return await asyncio.to_thread(
        generate_json,
        workflow,
        target,
        kubernetes_version=kubernetes_version,
        layout=layout,
        redact_secrets=redact_secrets,
    )


class Session:
    """Incremental generation of one target or several: after :meth:`update_node`, only the
    edited node and the nodes whose output depends on it are regenerated; the files equal a full
    :func:`generate` of the edited workflow. A session of several targets reads, validates and
    plans the workflow once for all of them. An edit that introduces errors raises
    :class:`ValidationError` and keeps the last good output."""

    @_translated
    def __init__(
        self,
        workflow: WorkflowInput,
        target: Union[Target, Sequence[Target]],
        *,
        kubernetes_version: Optional[str] = None,
        layout: str = "singleFile",
        redact_secrets: bool = False,
    ) -> None:
        self._inner = _native.Session(workflow, target, kubernetes_version, layout, redact_secrets)
        # One call at a time: a session is state; callers from several threads wait their turn
        # (waiting releases the GIL; the engine work itself runs without it).
        self._lock = threading.Lock()
        self._target: str = self._inner.target

    @property
    def target(self) -> str:
        """The first target's name."""
        return self._target

    @property
    def targets(self) -> List[str]:
        """Every target the session keeps current, in the order given or added."""
        with self._lock:
            return self._inner.targets

    @_translated
    def add_target(self, target: Target) -> Update:
        """Adds a target, generated from the analysis the session holds; later edits
        regenerate it too."""
        with self._lock:
            return cast(Update, self._inner.add_target(target))

    @_translated
    def update_node(self, node: Union[Node, Mapping[str, Any], str, bytes]) -> Update:
        """Replaces (or adds) one node and regenerates what it touches."""
        with self._lock:
            return cast(Update, self._inner.update_node(node))

    @_translated
    def remove_node(self, node_id: str) -> Update:
        """Removes a node and its connections, and regenerates."""
        with self._lock:
            return cast(Update, self._inner.remove_node(node_id))

    @_translated
    def set_workflow(self, workflow: WorkflowInput) -> Update:
        """Replaces the whole workflow (connections, settings…) and regenerates."""
        with self._lock:
            return cast(Update, self._inner.set_workflow(workflow))

    @_translated
    def files(self, target: Optional[Target] = None) -> Dict[str, str]:
        """The files of the last successful generation of ``target`` (the first target when
        None)."""
        with self._lock:
            return cast(Dict[str, str], self._inner.files(target))

    @_translated
    def warnings(self, target: Optional[Target] = None) -> List[Diagnostic]:
        """Warnings and infos of the last successful generation."""
        with self._lock:
            return cast(List[Diagnostic], self._inner.warnings(target))

    @_translated
    def ledger(self, target: Optional[Target] = None) -> Optional[Ledger]:
        """The fidelity ledger of the last successful generation."""
        with self._lock:
            return cast(Optional[Ledger], self._inner.ledger(target))

    @_translated
    def generated(self, target: Optional[Target] = None) -> Optional[Generated]:
        """Files, ledger and warnings of the last successful generation."""
        with self._lock:
            return cast(Optional[Generated], self._inner.generated(target))

    def last_error(self) -> Optional[CelestraError]:
        """Why the last edit was refused (None after a good one)."""
        with self._lock:
            err = self._inner.last_error()
        if err is None:
            return None
        code, message, diagnostics = err
        return _error(_native.EngineError(code, message, diagnostics, None, None))

    def __repr__(self) -> str:
        with self._lock:
            return repr(self._inner)
