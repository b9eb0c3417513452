"""The deploy API (targets ``"docker"`` and ``"kubernetes"``): :func:`deploy` and
:func:`rollback` return a :class:`DeployHandle`; :func:`deploy_plan`, :func:`status`,
:func:`history` and :func:`down` (:func:`delete`) return their result (``a``-prefixed coroutines
run them in a worker thread); :func:`deployment_status` folds stored events. Each call takes the
options of both targets: one of the other target (``host`` with ``"kubernetes"``, ``namespace``
with ``"docker"``…) is an ``OPTION`` error.

A deploy runs on a native thread of its own (with its own async runtime); it never holds the GIL
and never calls into Python. The handle reads what it reported: its iterators wait for the next
event with the GIL released, the async one in the event loop's default executor, a quarter of a
second at a time, so the event loop stays free and a cancelled ``await`` frees its thread at once.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import os
import time
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    TypeVar,
    Union,
    cast,
    overload,
)


from . import _native
from ._errors import DeployError, _deploy_error
from ._types import (
    ChangePlan,
    DeleteReport,
    DeployEvent,
    DeploymentStatus,
    DeployTarget,
    Diagnostic,
    DownReport,
    HistoryEntry,
    KubePlan,
    KubernetesTarget,
    WorkflowInput,
)

__all__ = [
    "DeployHandle",
    "adelete",
    "adeploy_plan",
    "adown",
    "ahistory",
    "astatus",
    "delete",
    "deploy",
    "deploy_plan",
    "deployment_status",
    "down",
    "history",
    "rollback",
    "status",
]

#: Seconds one wait for an event lasts at most (in the executor thread, or before the sync
#: iterator checks for signals such as Ctrl-C).
_POLL = 0.25

#: A number of seconds, or a ``datetime.timedelta``.
Seconds = Union[float, datetime.timedelta]

#: A file's path.
PathLike = Union[str, os.PathLike[str]]

F = TypeVar("F", bound=Callable[..., Any])


def _translated(f: F) -> F:
    """Raises :class:`DeployError` instead of the native one."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except _native.DeployError as e:
            raise _deploy_error(e) from None

    return cast(F, wrapper)


def _seconds(name: str, v: Optional[Seconds]) -> Optional[float]:
    if v is None:
        return None
    if isinstance(v, datetime.timedelta):
        return v.total_seconds()
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or a datetime.timedelta, not {type(v).__name__}")
    return float(v)


def _count(name: str, v: Optional[int]) -> Optional[int]:
    if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
        raise TypeError(f"{name} must be an int, not {type(v).__name__}")
    return v


class DeployHandle:
    """A running deploy or rollback.

    - ``async for event in handle`` (or ``for event in handle``, blocking): every event from the
      first — each iteration starts at ``seq`` 1, also after the end — then it stops; it raises
      the :class:`DeployError` of a call that could not proceed (engine unreachable, a workflow
      with errors, no revision to roll back to…) after the events it had. Leaving the loop early
      does not cancel the deploy (call :meth:`cancel`).
    - ``await handle.result()`` / ``handle.wait()``: the final status (§5.3), whatever the
      outcome: ``status["status"] == "failed"`` is a result, not an exception. With
      ``raise_on_failure=True`` a failed deployment raises its :class:`DeployError`
      (``GATE_FAILED``, ``IMAGE_NOT_FOUND``, ``TIMEOUT``, ``CANCELLED``) with ``status`` set.
    - :meth:`cancel`: the deploy stops at once and ends failed with reason ``cancelled``.

    Dropping the handle does not stop the deploy. The handle keeps every event it received
    (:attr:`events`); several iterators, threads and event loops may read it at once.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.DeployHandle) -> None:
        self._native = native

    @property
    def deployment_id(self) -> Optional[str]:
        """The deployment's id (a UUID), from its first event; None before it."""
        return self._native.deployment_id

    @property
    def done(self) -> bool:
        """True once the call ended (its iterators and :meth:`result` return at once)."""
        return self._native.done

    @property
    def events(self) -> List[DeployEvent]:
        """The events received so far, in order (a new list)."""
        return cast(List[DeployEvent], self._native.events())

    def cancel(self) -> None:
        """Cancels the deploy: its running step is abandoned and it ends failed / ``cancelled``
        (the containers it started stay, as after Ctrl-C; a new deploy converges from them).
        A no-op once it ended."""
        self._native.cancel()

    def __aiter__(self) -> AsyncIterator[DeployEvent]:
        return _AsyncEvents(self._native)

    def __iter__(self) -> Iterator[DeployEvent]:
        return _Events(self._native)

    async def result(self, *, raise_on_failure: bool = False) -> DeploymentStatus:
        """The final status, once the call ended (the event loop keeps running meanwhile).
        Raises :class:`DeployError` for a call that could not proceed, and with
        ``raise_on_failure`` for a failed deployment. Bound it with ``asyncio.wait_for``:
        cancelling the wait does not cancel the deploy."""
        n = self._native
        if not n.wait():
            loop = asyncio.get_running_loop()
            while not await loop.run_in_executor(None, n.wait, _POLL):
                pass
        return _final(n, raise_on_failure)

    def wait(self, timeout: Optional[Seconds] = None, *, raise_on_failure: bool = False) -> DeploymentStatus:
        """:meth:`result`, blocking (the GIL released; Ctrl-C interrupts the wait, not the
        deploy). Raises the builtin ``TimeoutError`` when ``timeout`` seconds pass first (the
        deploy goes on)."""
        limit = _seconds("timeout", timeout)
        n = self._native
        deadline = None if limit is None else time.monotonic() + limit
        while not n.wait(_POLL if deadline is None else max(0.0, min(_POLL, deadline - time.monotonic()))):
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"the deploy did not end within {limit:g} s (it goes on)")
        return _final(n, raise_on_failure)

    def __repr__(self) -> str:
        return repr(self._native)


def _final(n: _native.DeployHandle, raise_on_failure: bool) -> DeploymentStatus:
    try:
        out = n.outcome()
    except _native.DeployError as e:
        raise _deploy_error(e) from None
    assert out is not None, "outcome() of a call that has not ended"
    status, failure = out
    if raise_on_failure and failure is not None:
        code, message, diagnostics = failure
        raise DeployError(code, message, cast(List[Diagnostic], diagnostics), status=cast(DeploymentStatus, status))
    return cast(DeploymentStatus, status)


def _end(n: _native.DeployHandle) -> None:
    """After the last event: raises the error of a call that could not proceed."""
    try:
        n.outcome()
    except _native.DeployError as e:
        raise _deploy_error(e) from None


class _AsyncEvents:
    """``async for``: waits in the event loop's default executor, never on the loop."""

    __slots__ = ("_native", "_next")

    def __init__(self, native: _native.DeployHandle) -> None:
        self._native = native
        self._next = 0

    def __aiter__(self) -> _AsyncEvents:
        return self

    async def __anext__(self) -> DeployEvent:
        n, i = self._native, self._next
        e = n.event(i)
        if e is None and not n.done:
            loop = asyncio.get_running_loop()
            while e is None and not n.done:
                e = await loop.run_in_executor(None, n.event, i, _POLL)
        if e is None:
            # The call ended: the events are complete (its end is set after the last one).
            e = n.event(i)
        if e is None:
            _end(n)
            raise StopAsyncIteration
        self._next = i + 1
        return cast(DeployEvent, e)


class _Events:
    """``for``: waits with the GIL released, returning to Python (signals) between waits."""

    __slots__ = ("_native", "_next")

    def __init__(self, native: _native.DeployHandle) -> None:
        self._native = native
        self._next = 0

    def __iter__(self) -> _Events:
        return self

    def __next__(self) -> DeployEvent:
        n, i = self._native, self._next
        e = n.event(i)
        while e is None and not n.done:
            e = n.event(i, _POLL)
        if e is None:
            e = n.event(i)
        if e is None:
            _end(n)
            raise StopIteration
        self._next = i + 1
        return cast(DeployEvent, e)


def _kubeconfig(v: Optional[PathLike]) -> Optional[str]:
    """A kubeconfig file's path (``str`` or ``os.PathLike``)."""
    if v is None:
        return None
    path = os.fspath(v)
    if not isinstance(path, str):
        raise TypeError(f"kubeconfig must be a str or os.PathLike[str] path, not {type(path).__name__}")
    return path


def _kubeconfig_text(v: Optional[Union[str, bytes]]) -> Optional[str]:
    """A kubeconfig's content: text, or UTF-8 bytes (an upload as it arrives)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            raise DeployError("OPTION", "kubeconfig_text is not UTF-8 text") from None
    raise TypeError(f"kubeconfig_text must be a str or bytes, not {type(v).__name__}")


@_translated
def deploy(
    workflow: WorkflowInput,
    target: DeployTarget = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> DeployHandle:
    """Deploys ``workflow`` to ``target`` (``"docker"`` or ``"kubernetes"``) and returns the
    handle of the running deploy at once: a new revision, wave after wave, each step gated by
    its readiness.

    Both targets: ``project`` (Docker: the Compose project; Kubernetes: the ApplySet, whose
    parent is the Secret ``celestra-<project>``; default: the workflow's name made a valid
    name); ``timeout`` / ``step_timeout``: seconds (or a ``timedelta``) for the whole deploy and
    for each step (default: the workflow's ``totalTimeoutSeconds`` / ``stepTimeoutSeconds``);
    ``rollback_on_failure``: restore the previous successful revision when the deploy fails
    (never past a Job that ran); ``history_max``: revisions kept (default 10).

    Docker only: ``host``, the engine, ``unix:///path`` or ``tcp://127.0.0.1:PORT`` (default
    ``DOCKER_HOST``, then ``/var/run/docker.sock``); ``publish_address``: where NodePort /
    LoadBalancer ports are published (default ``127.0.0.1``).

    Kubernetes only: ``kubeconfig``, a kubeconfig file (default ``KUBECONFIG``, then
    ``~/.kube/config``, then the in-cluster service account); or ``kubeconfig_text``, a
    kubeconfig's content (an upload: only inline credentials — ``token``,
    ``client-certificate-data``, ``client-key-data``, ``certificate-authority-data``; ``exec``
    and ``auth-provider`` plugins, file paths and ``proxy-url`` are refused with ``OPTION``
    before anything is contacted); ``context`` (default: the kubeconfig's current one);
    ``namespace``: the project's namespace, for its inventory, its revision records and the
    objects outside AppGroups (default: the context's, else ``default``); ``force_replace``:
    delete and create again an object whose update the server refuses as immutable (a changed
    Job always is).

    Raises :class:`DeployError` (``OPTION``) at once for a bad argument: an unknown target, an
    option of the other target (``host`` with ``"kubernetes"``, ``namespace`` with
    ``"docker"``…), a timeout that is not positive, a workflow that is not JSON. Everything else
    — the workflow's errors (``INVALID``, found before any engine call), the engine or the
    cluster (``ENGINE_UNREACHABLE``, ``UNAUTHORIZED``, ``FORBIDDEN``, ``CRD_MISSING``…) — ends
    the handle (its iterators and :meth:`DeployHandle.result` raise).
    """
    return DeployHandle(
        _native.deploy_start(
            workflow,
            target,
            project,
            host,
            _seconds("timeout", timeout),
            _seconds("step_timeout", step_timeout),
            rollback_on_failure,
            publish_address,
            _count("history_max", history_max),
            _kubeconfig(kubeconfig),
            _kubeconfig_text(kubeconfig_text),
            context,
            namespace,
            force_replace,
        )
    )


@_translated
def rollback(
    target: DeployTarget,
    project: str,
    *,
    to: Optional[int] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> DeployHandle:
    """Deploys revision ``to`` (default: the newest successful one before the current) of
    ``project``'s history again, as a new revision (like ``helm rollback``): the handle of the
    running rollback. No such revision ends the handle with ``NO_HISTORY``; on Kubernetes a
    rollback past a revision whose changed Job ran is ``ROLLBACK_REFUSED``. The options are
    :func:`deploy`'s."""
    return DeployHandle(
        _native.rollback_start(
            target,
            project,
            _count("to", to),
            host,
            _seconds("timeout", timeout),
            _seconds("step_timeout", step_timeout),
            publish_address,
            _count("history_max", history_max),
            _kubeconfig(kubeconfig),
            _kubeconfig_text(kubeconfig_text),
            context,
            namespace,
            force_replace,
        )
    )


@_translated
def _deploy_plan(
    workflow: WorkflowInput,
    target: DeployTarget,
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Union[ChangePlan, KubePlan]:
    return cast(
        Union[ChangePlan, KubePlan],
        _native.deploy_plan(
            workflow,
            target,
            project,
            host,
            _seconds("timeout", timeout),
            _seconds("step_timeout", step_timeout),
            rollback_on_failure,
            publish_address,
            _count("history_max", history_max),
            _kubeconfig(kubeconfig),
            _kubeconfig_text(kubeconfig_text),
            context,
            namespace,
            force_replace,
        ),
    )


@overload
def deploy_plan(
    workflow: WorkflowInput,
    target: Literal["docker"] = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
    force_replace: Literal[False] = False,
) -> ChangePlan: ...
@overload
def deploy_plan(
    workflow: WorkflowInput,
    target: KubernetesTarget,
    *,
    project: Optional[str] = None,
    host: None = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: None = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> KubePlan: ...
@overload
def deploy_plan(
    workflow: WorkflowInput,
    target: DeployTarget = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Union[ChangePlan, KubePlan]: ...
def deploy_plan(
    workflow: WorkflowInput,
    target: DeployTarget = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Union[ChangePlan, KubePlan]:
    """What :func:`deploy` with the same arguments would change (a dry run: the engine or
    cluster is read, never written). Docker: a :class:`ChangePlan` — per wave, each container
    ``create`` / ``update`` / ``recreate`` / ``unchanged``, the networks and volumes first, what
    would be pruned, and the nodes Docker has no equivalent for. Kubernetes: a
    :class:`KubePlan` — each object in apply order with its node, wave and operation
    (``create``, ``update``, ``unchanged``, ``recreate``), and the members that would be
    pruned. Blocks (GIL released); :func:`adeploy_plan` for ``asyncio``."""
    return _deploy_plan(
        workflow,
        target,
        project=project,
        host=host,
        timeout=timeout,
        step_timeout=step_timeout,
        rollback_on_failure=rollback_on_failure,
        publish_address=publish_address,
        history_max=history_max,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
        force_replace=force_replace,
    )


@_translated
def status(
    target: DeployTarget,
    project: str,
    *,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeploymentStatus:
    """The §5.3 status of ``project``'s current revision, read from the engine or cluster now
    (every step with the live state of its containers or objects); ``NO_HISTORY`` for a project
    never deployed. ``host`` is Docker's; ``kubeconfig``, ``kubeconfig_text``, ``context`` and
    ``namespace`` Kubernetes' (as in :func:`deploy`)."""
    return cast(
        DeploymentStatus,
        _native.deploy_status(
            target, project, host, _kubeconfig(kubeconfig), _kubeconfig_text(kubeconfig_text), context, namespace
        ),
    )


@_translated
def history(
    target: DeployTarget,
    project: str,
    *,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> List[HistoryEntry]:
    """``project``'s revisions, oldest first (an empty list for a project never deployed),
    without their workflow snapshots (which hold secret values)."""
    return cast(
        List[HistoryEntry],
        _native.deploy_history(
            target, project, host, _kubeconfig(kubeconfig), _kubeconfig_text(kubeconfig_text), context, namespace
        ),
    )


@_translated
def _down(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]:
    return cast(
        Union[DownReport, DeleteReport],
        _native.deploy_down(
            target,
            project,
            volumes,
            host,
            _kubeconfig(kubeconfig),
            _kubeconfig_text(kubeconfig_text),
            context,
            namespace,
        ),
    )


@overload
def down(
    target: Literal["docker"],
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
) -> DownReport: ...
@overload
def down(
    target: KubernetesTarget,
    project: str,
    *,
    volumes: Literal[False] = False,
    host: None = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeleteReport: ...
@overload
def down(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]: ...
def down(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]:
    """Removes ``project``. Docker: its containers, networks and revision records, and with
    ``volumes`` its volumes and their data (kept by default, like ``docker compose down``): a
    :class:`DownReport`. Kubernetes (also :func:`delete`): every member of its ApplySet
    (background propagation: no orphaned pods), its revision records and its parent Secret,
    namespaces and CRDs last: a :class:`DeleteReport`."""
    return _down(
        target,
        project,
        volumes=volumes,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )


@overload
def delete(
    target: Literal["docker"],
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
) -> DownReport: ...
@overload
def delete(
    target: KubernetesTarget,
    project: str,
    *,
    volumes: Literal[False] = False,
    host: None = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeleteReport: ...
@overload
def delete(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]: ...
def delete(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]:
    """:func:`down` (Kubernetes' word for it)."""
    return _down(
        target,
        project,
        volumes=volumes,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )


@_translated
def deployment_status(events: Iterable[Mapping[str, Any]]) -> DeploymentStatus:
    """The §5.3 status folded from events (the core's one reducer): what
    :meth:`DeployHandle.result` gives, from the events alone — for a client that stored them,
    or a live view mid-deploy."""
    return cast(DeploymentStatus, _native.deployment_status(list(events)))


@overload
async def adeploy_plan(
    workflow: WorkflowInput,
    target: Literal["docker"] = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
    force_replace: Literal[False] = False,
) -> ChangePlan: ...
@overload
async def adeploy_plan(
    workflow: WorkflowInput,
    target: KubernetesTarget,
    *,
    project: Optional[str] = None,
    host: None = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: None = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> KubePlan: ...
@overload
async def adeploy_plan(
    workflow: WorkflowInput,
    target: DeployTarget = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Union[ChangePlan, KubePlan]: ...
async def adeploy_plan(
    workflow: WorkflowInput,
    target: DeployTarget = "docker",
    *,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[Seconds] = None,
    step_timeout: Optional[Seconds] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Union[ChangePlan, KubePlan]:
    """:func:`deploy_plan` in a worker thread."""
    return await asyncio.to_thread(
        _deploy_plan,
        workflow,
        target,
        project=project,
        host=host,
        timeout=timeout,
        step_timeout=step_timeout,
        rollback_on_failure=rollback_on_failure,
        publish_address=publish_address,
        history_max=history_max,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
        force_replace=force_replace,
    )


async def astatus(
    target: DeployTarget,
    project: str,
    *,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeploymentStatus:
    """:func:`status` in a worker thread."""
    return await asyncio.to_thread(
        status,
        target,
        project,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )


async def ahistory(
    target: DeployTarget,
    project: str,
    *,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> List[HistoryEntry]:
    """:func:`history` in a worker thread."""
    return await asyncio.to_thread(
        history,
        target,
        project,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )


@overload
async def adown(
    target: Literal["docker"],
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
) -> DownReport: ...
@overload
async def adown(
    target: KubernetesTarget,
    project: str,
    *,
    volumes: Literal[False] = False,
    host: None = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeleteReport: ...
@overload
async def adown(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]: ...
async def adown(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]:
    """:func:`down` in a worker thread."""
    return await asyncio.to_thread(
        _down,
        target,
        project,
        volumes=volumes,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )


@overload
async def adelete(
    target: Literal["docker"],
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: None = None,
    kubeconfig_text: None = None,
    context: None = None,
    namespace: None = None,
) -> DownReport: ...
@overload
async def adelete(
    target: KubernetesTarget,
    project: str,
    *,
    volumes: Literal[False] = False,
    host: None = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> DeleteReport: ...
@overload
async def adelete(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]: ...
async def adelete(
    target: DeployTarget,
    project: str,
    *,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[PathLike] = None,
    kubeconfig_text: Optional[Union[str, bytes]] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Union[DownReport, DeleteReport]:
    """:func:`delete` in a worker thread."""
    return await asyncio.to_thread(
        _down,
        target,
        project,
        volumes=volumes,
        host=host,
        kubeconfig=kubeconfig,
        kubeconfig_text=kubeconfig_text,
        context=context,
        namespace=namespace,
    )
