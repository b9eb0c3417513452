"""The private native module (Rust, pyo3). Use the `celestra_engine` package instead."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

__all__ = [
    "DeployError",
    "DeployHandle",
    "EngineError",
    "Session",
    "__version__",
    "_engine_time",
    "analyze",
    "deploy_down",
    "deploy_history",
    "deploy_plan",
    "deploy_start",
    "deploy_status",
    "deployment_status",
    "diagnostic_codes",
    "error_codes",
    "generate",
    "plan",
    "rollback_start",
    "schema",
    "validate",
]

__version__: str

_Input = Union[Mapping[str, Any], str, bytes, bytearray]

class EngineError(Exception):
    """args: (code, message, diagnostics, line, column)."""

class DeployError(Exception):
    """args: (code, message, diagnostics, line, column); code is a deploy code."""

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

# ----------------------------------------------------------------------------------- deploy

@final
class DeployHandle:
    """A running deploy or rollback (on a native thread of its own)."""

    # Event `index` (from 0), waiting up to `timeout` s with the GIL released; None when the
    # call ended before it or the wait timed out (`done` tells which).
    def event(self, index: int, timeout: float = 0.0) -> Optional[Dict[str, Any]]: ...
    # Waits up to `timeout` s for the end; True once the call ended.
    def wait(self, timeout: float = 0.0) -> bool: ...
    def events(self) -> List[Dict[str, Any]]: ...
    @property
    def event_count(self) -> int: ...
    @property
    def done(self) -> bool: ...
    @property
    def deployment_id(self) -> Optional[str]: ...
    def cancel(self) -> None: ...
    # None while running; (status, failure) once ended, failure (code, message, diagnostics)
    # for a failed deployment; raises DeployError for a call that could not proceed.
    def outcome(
        self,
    ) -> Optional[Tuple[Dict[str, Any], Optional[Tuple[str, str, List[Dict[str, Any]]]]]]: ...

# Every call takes the options of both targets ("docker", "kubernetes"/"k8s"); one of the other
# target that is given raises DeployError OPTION.
def deploy_start(
    workflow: _Input,
    target: str,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[float] = None,
    step_timeout: Optional[float] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> DeployHandle: ...
def rollback_start(
    target: str,
    project: str,
    to: Optional[int] = None,
    host: Optional[str] = None,
    timeout: Optional[float] = None,
    step_timeout: Optional[float] = None,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> DeployHandle: ...
# Docker's change plan, or the Kubernetes plan.
def deploy_plan(
    workflow: _Input,
    target: str,
    project: Optional[str] = None,
    host: Optional[str] = None,
    timeout: Optional[float] = None,
    step_timeout: Optional[float] = None,
    rollback_on_failure: bool = False,
    publish_address: Optional[str] = None,
    history_max: Optional[int] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
    force_replace: bool = False,
) -> Dict[str, Any]: ...
def deploy_status(
    target: str,
    project: str,
    host: Optional[str] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Dict[str, Any]: ...
def deploy_history(
    target: str,
    project: str,
    host: Optional[str] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> List[Dict[str, Any]]: ...
# Docker's DownReport, or the Kubernetes DeleteReport.
def deploy_down(
    target: str,
    project: str,
    volumes: bool = False,
    host: Optional[str] = None,
    kubeconfig: Optional[str] = None,
    kubeconfig_text: Optional[str] = None,
    context: Optional[str] = None,
    namespace: Optional[str] = None,
) -> Dict[str, Any]: ...
def deployment_status(events: Union[Sequence[Mapping[str, Any]], str, bytes]) -> Dict[str, Any]: ...
