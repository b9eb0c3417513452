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
    "Change",
    "ChangePlan",
    "ChangeWave",
    "CodeInfo",
    "Connection",
    "DeleteReport",
    "DeployErrorCode",
    "DeployEvent",
    "DeployProgress",
    "DeployTarget",
    "DeploymentStatus",
    "Diagnostic",
    "DownReport",
    "FinishedEvent",
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
    "Plan",
    "PlannedNode",
    "PlannedObject",
    "Related",
    "Report",
    "RollbackStartedEvent",
    "Severity",
    "SkippedNode",
    "StartedEvent",
    "Step",
    "StepEvent",
    "Target",
    "Update",
    "Wave",
    "WaveFinishedEvent",
    "WaveStartedEvent",
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


# ---------------------------------------------------------------------------------- deploy
# The core's deploy model as JSON (celestra-core/src/deploy): events, the §5.3 status, the
# change plan, revisions. Times are RFC 3339 UTC text with milliseconds.

#: Where a deploy goes: a Docker engine (its Engine API) or a Kubernetes cluster (server-side
#: apply; ``"k8s"`` is an alias of ``"kubernetes"``).
DeployTarget = Literal["docker", "kubernetes", "k8s"]

#: The Kubernetes target, by either name.
KubernetesTarget = Literal["kubernetes", "k8s"]

#: The stable codes of :class:`DeployError`.
DeployErrorCode = Literal[
    "ENGINE_UNREACHABLE",
    "ENGINE",
    "INVALID",
    "OPTION",
    "IMAGE_NOT_FOUND",
    "GATE_FAILED",
    "TIMEOUT",
    "CANCELLED",
    "NO_HISTORY",
    "ROLLBACK_REFUSED",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "REJECTED",
    "IMMUTABLE",
    "CONFLICT",
    "CRD_MISSING",
    "QUOTA",
    "INTERNAL",
]


class ObjectRef(TypedDict):
    """A container, network or volume (or a Kubernetes object)."""

    kind: str
    name: str
    namespace: NotRequired[str]


class DeployProgress(TypedDict):
    done: int
    total: int


class PlannedNode(TypedDict):
    nodeId: str
    name: str
    type: str
    wave: int


class _EventBase(TypedDict):
    seq: int
    ts: str
    deploymentId: str
    revision: int
    target: Literal["docker", "kubernetes"]


class StartedEvent(_EventBase):
    type: Literal["started"]
    workflowId: str
    project: str
    nodes: List[PlannedNode]
    totalWaves: int
    rollbackOf: NotRequired[int]


class WaveStartedEvent(_EventBase):
    type: Literal["waveStarted"]
    wave: int


class StepEvent(_EventBase):
    type: Literal["step"]
    wave: int
    nodeId: str
    ref: NotRequired[ObjectRef]
    action: Literal["apply", "wait", "recreate", "prune", "delete", "skip"]
    status: Literal["pending", "in_progress", "succeeded", "failed", "skipped", "timed_out"]
    #: ``ImageNotFound``, ``ExitCode``, ``Unhealthy``, ``CrashLoop``, ``NoDockerEquivalent``…
    reason: NotRequired[str]
    message: NotRequired[str]
    progress: DeployProgress


class LogEvent(_EventBase):
    """The last lines of a failed container's log."""

    type: Literal["log"]
    nodeId: str
    ref: ObjectRef
    lines: List[str]


class WaveFinishedEvent(_EventBase):
    type: Literal["waveFinished"]
    wave: int
    status: Literal["succeeded", "failed", "skipped", "timed_out"]


class RollbackStartedEvent(_EventBase):
    type: Literal["rollbackStarted"]
    toRevision: int
    newRevision: int


class FinishedEvent(_EventBase):
    type: Literal["finished"]
    outcome: Literal["success", "failed"]
    reason: NotRequired[Literal["error", "timeout", "cancelled", "rolledBack"]]
    message: NotRequired[str]


#: One event of a deployment, tagged by ``type`` (``seq`` strictly increasing from 1).
DeployEvent = Union[
    StartedEvent,
    WaveStartedEvent,
    StepEvent,
    LogEvent,
    WaveFinishedEvent,
    RollbackStartedEvent,
    FinishedEvent,
]


class NodeStatus(TypedDict):
    nodeId: str
    name: str
    type: str
    wave: int
    #: §5.3 colors: gray, yellow, blue, green, red (and skipped).
    status: Literal["notStarted", "waiting", "inProgress", "ready", "failed", "skipped"]
    reason: NotRequired[str]
    message: str
    #: The last lines of a failed container's log.
    log: NotRequired[List[str]]


class DeploymentStatus(TypedDict):
    """The deployment status of ``workflow-format.md`` §5.3."""

    deploymentId: str
    workflowId: str
    project: str
    revision: int
    target: NotRequired[Literal["docker", "kubernetes"]]
    status: Literal["pending", "running", "success", "failed"]
    #: ``floor(100 * finished steps / steps)``, monotonic; 100 only with ``success``.
    progress: int
    details: str
    reason: NotRequired[Literal["error", "timeout", "cancelled", "rolledBack"]]
    wave: NotRequired[int]
    totalWaves: int
    startedAt: NotRequired[str]
    finishedAt: NotRequired[str]
    durationMs: NotRequired[int]
    rolledBackTo: NotRequired[int]
    nodes: List[NodeStatus]
    lastSeq: int


class Change(TypedDict):
    nodeId: NotRequired[str]
    ref: ObjectRef
    op: Literal["create", "update", "recreate", "unchanged", "prune"]
    why: str


class ChangeWave(TypedDict):
    wave: int
    changes: List[Change]


class SkippedNode(TypedDict):
    nodeId: str
    name: str
    why: str


class ChangePlan(TypedDict):
    """What a deploy would change (:func:`deploy_plan`)."""

    project: str
    infrastructure: List[Change]
    waves: List[ChangeWave]
    prune: List[Change]
    skipped: List[SkippedNode]


class HistoryEntry(TypedDict):
    """One revision of a project's history (without its workflow snapshot, which holds secret
    values)."""

    revision: int
    deploymentId: str
    workflowId: str
    workflowName: str
    #: ``fnv1a64:<hex>`` of the workflow snapshot.
    hash: str
    outcome: Literal["running", "success", "failed"]
    rollbackOf: NotRequired[int]
    message: str
    #: Node ids of the one-shot Jobs that ran in this deploy.
    jobsRan: List[str]
    options: Dict[str, Any]
    startedAt: str
    finishedAt: NotRequired[str]


class DownReport(TypedDict):
    """What :func:`down` removed (target ``"docker"``)."""

    containers: List[str]
    networks: List[str]
    volumes: List[str]
    revisions: int


class PlannedObject(TypedDict):
    """One object of a :class:`KubePlan`, in apply order."""

    #: ``Kind/namespace/name`` (``Kind/name`` when cluster-scoped).
    object: str
    nodeId: str
    wave: int
    op: Literal["create", "update", "unchanged", "recreate"]


class KubePlan(TypedDict):
    """What a deploy to Kubernetes would do (:func:`deploy_plan` with target ``"kubernetes"``),
    from the live members of the project (nothing is written)."""

    project: str
    namespace: str
    objects: List[PlannedObject]
    #: Members that would be pruned (``Kind/namespace/name``).
    prune: List[str]


class DeleteReport(TypedDict):
    """What :func:`delete` (:func:`down` with target ``"kubernetes"``) removed."""

    #: ``Kind/namespace/name`` of every member deleted.
    objects: List[str]
    #: Revision records removed.
    revisions: int
    #: The parent (inventory) Secret was removed.
    parent: bool
