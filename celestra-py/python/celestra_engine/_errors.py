"""The package's exceptions and how the native module's one error becomes them (by `code`)."""

from __future__ import annotations

from typing import List, Optional

from . import _native
from ._types import Diagnostic

__all__ = ["CelestraError", "GenerateError", "ParseError", "ValidationError"]


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
