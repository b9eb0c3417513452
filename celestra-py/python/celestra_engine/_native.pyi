"""The private native module (Rust, pyo3). Use the `celestra_engine` package instead."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

__all__ = [
    "EngineError",
    "Session",
    "__version__",
    "_engine_time",
    "analyze",
    "diagnostic_codes",
    "error_codes",
    "generate",
    "plan",
    "schema",
    "validate",
]

__version__: str

_Input = Union[Mapping[str, Any], str, bytes, bytearray]

class EngineError(Exception):
    """args: (code, message, diagnostics, line, column)."""

# With json=True each returns the result as compact JSON bytes instead.
def validate(
    workflow: _Input, target: Optional[str] = None, mode: Optional[str] = None, json: bool = False
) -> Union[Dict[str, Any], bytes]: ...
def plan(workflow: _Input, json: bool = False) -> Union[Dict[str, Any], bytes]: ...
def analyze(
    workflow: _Input, target: Optional[str] = None, mode: Optional[str] = None, json: bool = False
) -> Union[Dict[str, Any], bytes]: ...
def generate(
    workflow: _Input,
    target: str,
    kubernetes_version: Optional[str] = None,
    layout: str = "singleFile",
    redact_secrets: bool = False,
    json: bool = False,
) -> Union[Dict[str, Any], bytes]: ...
def diagnostic_codes() -> List[Dict[str, Any]]: ...
def error_codes() -> List[Tuple[str, str]]: ...
def schema() -> Dict[str, Any]: ...
def _engine_time(data: bytes, call: str, repeats: int) -> float: ...

@final
class Session:
    def __new__(
        cls,
        workflow: _Input,
        target: Union[str, Sequence[str]],
        kubernetes_version: Optional[str] = None,
        layout: str = "singleFile",
        redact_secrets: bool = False,
    ) -> Session: ...
    @property
    def target(self) -> str: ...
    @property
    def targets(self) -> List[str]: ...
    def add_target(self, target: str) -> Dict[str, Any]: ...
    def update_node(self, node: _Input) -> Dict[str, Any]: ...
    def remove_node(self, node_id: str) -> Dict[str, Any]: ...
    def set_workflow(self, workflow: _Input) -> Dict[str, Any]: ...
    def files(self, target: Optional[str] = None) -> Dict[str, str]: ...
    def warnings(self, target: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def ledger(self, target: Optional[str] = None) -> Optional[Dict[str, Any]]: ...
    def generated(self, target: Optional[str] = None) -> Optional[Dict[str, Any]]: ...
    def last_error(self) -> Optional[Tuple[str, str, List[Dict[str, Any]]]]: ...
