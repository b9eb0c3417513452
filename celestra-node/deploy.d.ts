// The deploy API of @celestra/engine (deploy.js): the shapes are the core's deploy model
// (celestra-core/src/deploy: events, the §5.3 status, the change plan, revisions) as JSON.
import type { Diagnostic, WorkflowInput } from "./types";

/** Where a deploy goes. Only "docker" is available; "kubernetes" is refused with OPTION until its
 * driver ships. */
export type DeployTarget = "docker";
/** The target named in events and statuses. */
export type DeployTargetName = "docker" | "kubernetes";

/** The stable codes of `DeployError`. */
export type DeployErrorCode =
  | "ENGINE_UNREACHABLE"
  | "ENGINE"
  | "INVALID"
  | "OPTION"
  | "IMAGE_NOT_FOUND"
  | "GATE_FAILED"
  | "TIMEOUT"
  | "CANCELLED"
  | "NO_HISTORY"
  | "ROLLBACK_REFUSED"
  | "INTERNAL";

/** Options of `deploy` and `deployPlan` (an unknown key is an OPTION error). */
export interface DeployOptions {
  /** The Docker Compose project (default: the workflow's name, made a valid project name). */
  project?: string;
  /** The engine: `unix:///path` or `tcp://127.0.0.1:PORT` (default: DOCKER_HOST, then
   * /var/run/docker.sock). */
  host?: string;
  /** The whole deploy's timeout (default: the workflow's totalTimeoutSeconds, 1800). */
  timeoutSeconds?: number;
  /** Each step's timeout (default: the workflow's stepTimeoutSeconds, 300). */
  stepTimeoutSeconds?: number;
  /** Restore the previous successful revision when the deploy fails (never past a Job that ran). */
  rollbackOnFailure?: boolean;
  /** The host address NodePort / LoadBalancer ports are published on (default 127.0.0.1). */
  publishAddress?: string;
  /** Revisions kept in the history (default 10). */
  historyMax?: number;
}

/** Options of `rollback`. */
export interface RollbackOptions {
  project: string;
  /** The revision restored (default: the newest successful one before the current). */
  to?: number;
  host?: string;
  timeoutSeconds?: number;
  stepTimeoutSeconds?: number;
  publishAddress?: string;
  historyMax?: number;
}

/** Options of `status` and `history`. */
export interface ProjectOptions {
  project: string;
  host?: string;
}

/** Options of `down`. */
export interface DownOptions extends ProjectOptions {
  /** Also remove the project's volumes and their data (default false, like compose down). */
  volumes?: boolean;
}

/** Options of `DeployHandle.result`. */
export interface ResultOptions {
  /** Reject a failed deployment with its DeployError instead of resolving its status. */
  throwOnFailure?: boolean;
}

export type DeployAction = "apply" | "wait" | "recreate" | "prune" | "delete" | "skip";
export type DeployEventStatus = "pending" | "in_progress" | "succeeded" | "failed" | "skipped" | "timed_out";
/** Why a deployment failed. */
export type FailureReason = "error" | "timeout" | "cancelled" | "rolledBack";

/** A container, network or volume (or a Kubernetes object). */
export interface ObjectRef {
  kind: string;
  name: string;
  /** The Docker project or the Kubernetes namespace. */
  namespace?: string;
}

export interface DeployProgress {
  done: number;
  total: number;
}

export interface PlannedNode {
  nodeId: string;
  name: string;
  type: string;
  wave: number;
}

interface EventBase {
  /** Strictly increasing per deployment, from 1. */
  seq: number;
  /** RFC 3339 UTC with milliseconds. */
  ts: string;
  deploymentId: string;
  revision: number;
  target: DeployTargetName;
}

/** One event of a deployment, tagged by `type`. */
export type DeployEvent = EventBase &
  (
    | { type: "started"; workflowId: string; project: string; nodes: PlannedNode[]; totalWaves: number; rollbackOf?: number }
    | { type: "waveStarted"; wave: number }
    | {
        type: "step";
        wave: number;
        nodeId: string;
        /** The object, for an event about one object of the step. */
        ref?: ObjectRef;
        action: DeployAction;
        status: DeployEventStatus;
        /** `ImageNotFound`, `ExitCode`, `Unhealthy`, `NoDockerEquivalent`… */
        reason?: string;
        message?: string;
        progress: DeployProgress;
      }
    | { type: "log"; nodeId: string; ref: ObjectRef; lines: string[] }
    | { type: "waveFinished"; wave: number; status: DeployEventStatus }
    | { type: "rollbackStarted"; toRevision: number; newRevision: number }
    | { type: "finished"; outcome: "success" | "failed"; reason?: FailureReason; message?: string }
  );

export type DeploymentState = "pending" | "running" | "success" | "failed";
/** §5.3 node colors: gray, yellow, blue, green, red (and skipped). */
export type NodeState = "notStarted" | "waiting" | "inProgress" | "ready" | "failed" | "skipped";

export interface NodeStatus {
  nodeId: string;
  name: string;
  type: string;
  wave: number;
  status: NodeState;
  reason?: string;
  message: string;
  /** The last lines of a failed container's log. */
  log?: string[];
}

/** The deployment status of workflow-format.md §5.3. */
export interface DeploymentStatus {
  deploymentId: string;
  workflowId: string;
  project: string;
  revision: number;
  target?: DeployTargetName;
  status: DeploymentState;
  /** floor(100 * finished steps / steps), monotonic; 100 only with success. */
  progress: number;
  details: string;
  reason?: FailureReason;
  wave?: number;
  totalWaves: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  rolledBackTo?: number;
  nodes: NodeStatus[];
  lastSeq: number;
}

export type ChangeOp = "create" | "update" | "recreate" | "unchanged" | "prune";

export interface Change {
  nodeId?: string;
  ref: ObjectRef;
  op: ChangeOp;
  why: string;
}

export interface ChangeWave {
  wave: number;
  changes: Change[];
}

export interface SkippedNode {
  nodeId: string;
  name: string;
  why: string;
}

/** What a deploy would change (`deployPlan`). */
export interface ChangePlan {
  project: string;
  infrastructure: Change[];
  waves: ChangeWave[];
  prune: Change[];
  skipped: SkippedNode[];
}

export type RevisionOutcome = "running" | "success" | "failed";

/** One revision of a project's history (without its workflow snapshot, which holds secret
 * values). */
export interface HistoryEntry {
  revision: number;
  deploymentId: string;
  workflowId: string;
  workflowName: string;
  /** `fnv1a64:<hex>` of the workflow snapshot. */
  hash: string;
  outcome: RevisionOutcome;
  /** The revision this one restored. */
  rollbackOf?: number;
  message: string;
  /** Node ids of the one-shot Jobs that ran in this deploy. */
  jobsRan: string[];
  /** The deploy options recorded. */
  options: Record<string, unknown>;
  startedAt: string;
  finishedAt?: string;
}

/** What `down` removed. */
export interface DownReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  revisions: number;
}

/** Every failure of the deploy API. */
export declare class DeployError extends Error {
  readonly name: "DeployError";
  readonly code: DeployErrorCode;
  /** The workflow's findings (INVALID). */
  readonly diagnostics: Diagnostic[];
  /** Where a malformed workflow text breaks. */
  readonly line?: number;
  readonly column?: number;
  /** The final status, when the error is a deployment that failed. */
  readonly status?: DeploymentStatus;
}

/** A running deploy or rollback. `for await` yields its events from the first and then ends
 * (throwing the DeployError of a call that could not proceed); `result()` gives the final
 * status. Leaving the loop early does not cancel the deploy. */
export declare class DeployHandle implements AsyncIterable<DeployEvent> {
  private constructor();
  /** The deployment's id, from its first event (undefined before it). */
  readonly deploymentId: string | undefined;
  /** The events received so far (a copy). */
  readonly events: DeployEvent[];
  /** True once the call ended. */
  readonly done: boolean;
  /** Stops the deploy at once; it ends failed / cancelled (no-op once done). */
  cancel(): void;
  [Symbol.asyncIterator](): AsyncIterator<DeployEvent>;
  /** The final status, success or failed; rejects with the DeployError of a call that could
   * not proceed, and with `throwOnFailure` also for a failed deployment. */
  result(options?: ResultOptions): Promise<DeploymentStatus>;
}

/** Deploys `workflow`: the handle of the running deploy. Never throws: every error ends the
 * handle. */
export declare function deploy(workflow: WorkflowInput, target: DeployTarget, options?: DeployOptions): DeployHandle;
/** Deploys revision `to` (default: the newest successful one before the current) again, as a
 * new revision. */
export declare function rollback(target: DeployTarget, options: RollbackOptions): DeployHandle;
/** What a deploy would change, without writing to the engine (a dry run). */
export declare function deployPlan(workflow: WorkflowInput, target: DeployTarget, options?: DeployOptions): Promise<ChangePlan>;
/** The status of a project's current revision, read from the engine now (NO_HISTORY when it has
 * none). */
export declare function status(target: DeployTarget, options: ProjectOptions): Promise<DeploymentStatus>;
/** A project's revisions, oldest first (empty for a project never deployed). */
export declare function history(target: DeployTarget, options: ProjectOptions): Promise<HistoryEntry[]>;
/** Removes a project: containers, networks, revision records, and volumes with `volumes`. */
export declare function down(target: DeployTarget, options: DownOptions): Promise<DownReport>;
/** The §5.3 status folded from events (the core's reducer). */
export declare function deploymentStatus(events: Iterable<DeployEvent>): DeploymentStatus;
