"""The package's exceptions and how the native module's one error becomes them (by `code`)."""

from __future__ import annotations

from typing import List, Optional

from . import _native
from ._types import DeployErrorCode, DeploymentStatus, Diagnostic

__all__ = ["CelestraError", "DeployError", "GenerateError", "ParseError", "ValidationError"]


class CelestraError(Exception):
    """An engine call could not proceed. ``code`` is stable; ``message`` says what and where."""

    code: str
    message: str
    diagnostics: List[Diagnostic]

    def __init__(self, code: str, message: str, diagnostics: Optional[List[Diagnostic]] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.diagnostics = list(diagnostics or [])


class ParseError(CelestraError):
    """The input is not a workflow: malformed JSON (``line``/``column`` set), a value that is
    not JSON (its path in the message), not an object, or too large."""

    line: Optional[int]
    column: Optional[int]

    def __init__(
        self,
        code: str,
        message: str,
        diagnostics: Optional[List[Diagnostic]] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
    ) -> None:
        super().__init__(code, message, diagnostics)
        self.line = line
        self.column = column


class ValidationError(CelestraError):
    """The workflow has errors (``INVALID``) or cycles (``PLAN_BLOCKED``); see ``diagnostics``."""


class GenerateError(CelestraError):
    """An option is not valid (``OPTION``): an unknown target, layout or Kubernetes version."""


class DeployError(CelestraError):
    """A deploy call could not proceed, or (``status`` set) a deployment failed.

    ``code`` is stable: ``ENGINE_UNREACHABLE`` (the engine's socket or address, or the
    Kubernetes API server, does not answer; the message names it), ``ENGINE`` (the engine or
    API server answered with an error), ``INVALID`` (the workflow has errors: ``diagnostics``),
    ``OPTION`` (a wrong argument: unknown target, an option of the other target, bad timeout,
    a workflow that is not JSON — ``line``/``column`` for malformed JSON text —, a kubeconfig
    that cannot be read, or one given as text that runs a command, reads a file or sets a
    proxy), ``IMAGE_NOT_FOUND``, ``GATE_FAILED`` (a step's readiness gate failed: exit code,
    unhealthy, crash), ``TIMEOUT``, ``CANCELLED``, ``NO_HISTORY`` (no such revision, or none to
    roll back to), ``ROLLBACK_REFUSED``; from a Kubernetes cluster also ``UNAUTHORIZED`` (401:
    the token or certificate is missing, wrong or expired), ``FORBIDDEN`` (403, or the
    pre-flight's access reviews: nothing was applied), ``REJECTED`` (the API server refused an
    object: invalid, an admission webhook, an unknown field), ``IMMUTABLE`` (an update of an
    immutable field; ``force_replace`` recreates the object), ``CONFLICT`` (409),
    ``CRD_MISSING`` (a kind the cluster does not serve) and ``QUOTA`` (a ResourceQuota has no
    room for what the deploy adds; read before any write); ``INTERNAL`` for a bug caught at the
    boundary.

    ``status`` is the final deployment status (``workflow-format.md`` §5.3) when the error is a
    deployment that ran and failed (``DeployHandle.result(raise_on_failure=True)``); the
    failed node's ``reason``, ``message`` and ``log`` are in ``status["nodes"]``. Messages never
    hold secret values (the engine replaces them by ``<redacted>``).
    """

    code: DeployErrorCode
    line: Optional[int]
    column: Optional[int]
    status: Optional[DeploymentStatus]

    def __init__(
        self,
        code: str,
        message: str,
        diagnostics: Optional[List[Diagnostic]] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        status: Optional[DeploymentStatus] = None,
    ) -> None:
        super().__init__(code, message, diagnostics)
        self.line = line
        self.column = column
        self.status = status


def _deploy_error(e: _native.DeployError) -> DeployError:
    code, message, diagnostics, line, column = e.args
    return DeployError(code, message, diagnostics, line, column)


_PARSE_CODES = frozenset({"PARSE", "SHAPE", "TOO_LARGE"})
_VALIDATION_CODES = frozenset({"INVALID", "PLAN_BLOCKED"})


def _error(e: _native.EngineError) -> CelestraError:
    code, message, diagnostics, line, column = e.args
    if code in _PARSE_CODES:
        return ParseError(code, message, diagnostics, line, column)
    if code in _VALIDATION_CODES:
        return ValidationError(code, message, diagnostics)
    if code == "OPTION":
        return GenerateError(code, message, diagnostics)
    return CelestraError(code, message, diagnostics)
