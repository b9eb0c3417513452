// The deploy API of @celestra/engine (deploy.js): the shapes are the core's deploy model
// (celestra-core/src/deploy: events, the §5.3 status, the change plan, revisions) as JSON.
import type { Diagnostic, WorkflowInput } from "./types";

/** Where a deploy goes: a Docker engine (its Engine API) or a Kubernetes cluster (server-side
 * apply; "k8s" is an alias of "kubernetes"). */
export type DeployTarget = "docker" | KubernetesTarget;
/** The Kubernetes target, by either name. */
export type KubernetesTarget = "kubernetes" | "k8s";
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
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "REJECTED"
  | "IMMUTABLE"
  | "CONFLICT"
  | "CRD_MISSING"
  | "QUOTA"
  | "INTERNAL";

/** Options of `deploy` and `deployPlan` on Docker (an unknown key is an OPTION error, and so is
 * an option of the Kubernetes target). */
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

/** Options of `rollback` on Docker. */
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

/** Options of `status` and `history` on Docker. */
export interface ProjectOptions {
  project: string;
  host?: string;
}

/** Options of `down` on Docker. */
export interface DownOptions extends ProjectOptions {
  /** Also remove the project's volumes and their data (default false, like compose down). */
  volumes?: boolean;
}

/** Where the cluster's credentials come from (every Kubernetes call). */
export interface KubeConnection {
  /** A kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service
   * account). */
  kubeconfig?: string;
  /** A kubeconfig's content (an upload): only inline credentials (token,
   * client-certificate-data, client-key-data, certificate-authority-data); exec and
   * auth-provider plugins, file paths and proxy-url are refused with OPTION before anything is
   * contacted. Not together with `kubeconfig`. */
  kubeconfigText?: string;
  /** The kubeconfig context (default: its current one). */
  context?: string;
  /** The project's namespace: its inventory (the parent Secret `celestra-<project>`), its
   * revision records and the objects outside AppGroups (default: the context's, else
   * "default"). */
  namespace?: string;
}

/** Options of `deploy` and `deployPlan` on Kubernetes (an unknown key is an OPTION error, and so
 * is an option of the Docker target). */
export interface KubeDeployOptions extends KubeConnection {
  /** The project (ApplySet) name (default: the workflow's name, made a DNS label). */
  project?: string;
  /** The whole deploy's timeout (default: the workflow's totalTimeoutSeconds, 1800). */
  timeoutSeconds?: number;
  /** Each wave's gate timeout (default: the workflow's stepTimeoutSeconds, 300). */
  stepTimeoutSeconds?: number;
  /** Restore the previous successful revision when the deploy fails (never past a Job that ran). */
  rollbackOnFailure?: boolean;
  /** Revisions kept in the history (default 10). */
  historyMax?: number;
  /** Delete and create again an object whose update the server refuses as immutable (a changed
   * Job always is). */
  forceReplace?: boolean;
}

/** Options of `rollback` on Kubernetes. */
export interface KubeRollbackOptions extends KubeConnection {
  project: string;
  /** The revision restored (default: the newest successful one before the current). */
  to?: number;
  timeoutSeconds?: number;
  stepTimeoutSeconds?: number;
  historyMax?: number;
  forceReplace?: boolean;
}

/** Options of `status`, `history` and `down` / `delete` on Kubernetes. */
export interface KubeProjectOptions extends KubeConnection {
  project: string;
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

/** What `down` removed (Docker). */
export interface DownReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  revisions: number;
}

/** One object of a `KubePlan`, in apply order. */
export interface PlannedObject {
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  object: string;
  nodeId: string;
  wave: number;
  op: "create" | "update" | "unchanged" | "recreate";
}

/** What a deploy to Kubernetes would do (`deployPlan`), from the project's live members (nothing
 * is written). */
export interface KubePlan {
  project: string;
  namespace: string;
  objects: PlannedObject[];
  /** Members that would be pruned (`Kind/namespace/name`). */
  prune: string[];
}

/** What `down` / `delete` removed (Kubernetes). */
export interface DeleteReport {
  /** `Kind/namespace/name` of every member deleted. */
  objects: string[];
  /** Revision records removed. */
  revisions: number;
  /** The parent (inventory) Secret was removed. */
  parent: boolean;
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

/** The options of `deploy` and `deployPlan` for a target (a union of targets: either). */
export type DeployOptionsFor<T extends DeployTarget> = T extends "docker" ? DeployOptions : KubeDeployOptions;
/** The options of `rollback` for a target. */
export type RollbackOptionsFor<T extends DeployTarget> = T extends "docker" ? RollbackOptions : KubeRollbackOptions;
/** The options of `status` and `history` for a target. */
export type ProjectOptionsFor<T extends DeployTarget> = T extends "docker" ? ProjectOptions : KubeProjectOptions;
/** The options of `down` / `delete` for a target. */
export type DownOptionsFor<T extends DeployTarget> = T extends "docker" ? DownOptions : KubeProjectOptions;
/** What `deployPlan` gives for a target. */
export type PlanFor<T extends DeployTarget> = T extends "docker" ? ChangePlan : KubePlan;
/** What `down` / `delete` give for a target. */
export type DownReportFor<T extends DeployTarget> = T extends "docker" ? DownReport : DeleteReport;

/** Deploys `workflow`: the handle of the running deploy. Never throws: every error ends the
 * handle. */
export declare function deploy<T extends DeployTarget>(workflow: WorkflowInput, target: T, options?: DeployOptionsFor<T>): DeployHandle;
/** Deploys revision `to` (default: the newest successful one before the current) again, as a
 * new revision. */
export declare function rollback<T extends DeployTarget>(target: T, options: RollbackOptionsFor<T>): DeployHandle;
/** What a deploy would change, without writing to the engine or cluster (a dry run): Docker's
 * change plan, or the Kubernetes plan. */
export declare function deployPlan<T extends DeployTarget>(workflow: WorkflowInput, target: T, options?: DeployOptionsFor<T>): Promise<PlanFor<T>>;
/** The status of a project's current revision, read from the engine or cluster now (NO_HISTORY
 * when it has none). */
export declare function status<T extends DeployTarget>(target: T, options: ProjectOptionsFor<T>): Promise<DeploymentStatus>;
/** A project's revisions, oldest first (empty for a project never deployed). */
export declare function history<T extends DeployTarget>(target: T, options: ProjectOptionsFor<T>): Promise<HistoryEntry[]>;
/** Removes a project. Docker: containers, networks, revision records, and volumes with
 * `volumes`. Kubernetes: every member of its ApplySet (background propagation), its revision
 * records and its parent Secret. */
export declare function down<T extends DeployTarget>(target: T, options: DownOptionsFor<T>): Promise<DownReportFor<T>>;
/** `down`, under Kubernetes' word for it: exported as `delete` (`engine.delete(…)`, or
 * `import { delete as deleteProject } from "@celestra/engine"`). */
declare function deleteProject<T extends DeployTarget>(target: T, options: DownOptionsFor<T>): Promise<DownReportFor<T>>;
export { deleteProject as delete };
/** The §5.3 status folded from events (the core's reducer). */
export declare function deploymentStatus(events: Iterable<DeployEvent>): DeploymentStatus;
