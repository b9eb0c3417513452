// @celestra/engine: the same API as the browser package (celestra-wasm), plus `...Async`
// variants that run off the event loop, and the deploy API (deploy.d.ts). The shapes (Workflow,
// Report, Plan, Ledger, errors…) are in types.d.ts, generated from the browser package's
// declarations (scripts/node.sh types).
import type {
  Analysis, CelestraError, CodeInfo, Diagnostic, ErrorCode, Generated, GenerateOptions, Ledger, Node, Plan,
  Report, Target, Update, ValidateOptions, WorkflowInput,
} from "./types";

export type * from "./types";
/** The deploy API (deploy, rollback, deployPlan, status, history, down, DeployError…). */
export * from "./deploy";

/** Findings per node, field and connection. Throws a `ParseError` for input that is not a
 * workflow document. */
export declare function validate(workflow: WorkflowInput, options?: ValidateOptions): Report;
/** `validate` and `plan` from one read of the workflow (what a live preview calls on every
 * edit); `plan` is null when dependencies form a cycle (the report holds the `GRAPH_CYCLE`
 * findings). */
export declare function analyze(workflow: WorkflowInput, options?: ValidateOptions): Analysis;
/** Dependency waves: what runs in parallel, what waits for what and why. Throws a
 * `ValidationError` (PLAN_BLOCKED) for a cyclic graph. */
export declare function plan(workflow: WorkflowInput): Plan;
/** Files, fidelity ledger and warnings of one target. Throws a `ValidationError` (INVALID) for a
 * workflow with errors, a `GenerateError` (OPTION) for a bad target or option. */
export declare function generate(workflow: WorkflowInput, target: Target, options?: GenerateOptions): Generated;
/** `validate` on libuv's thread pool (the event loop keeps running). */
export declare function validateAsync(workflow: WorkflowInput, options?: ValidateOptions): Promise<Report>;
/** `analyze` on libuv's thread pool. */
export declare function analyzeAsync(workflow: WorkflowInput, options?: ValidateOptions): Promise<Analysis>;
/** `plan` on libuv's thread pool. */
export declare function planAsync(workflow: WorkflowInput): Promise<Plan>;
/** `generate` on libuv's thread pool. */
export declare function generateAsync(workflow: WorkflowInput, target: Target, options?: GenerateOptions): Promise<Generated>;
/** `validate`'s report as compact UTF-8 JSON (a Node `Buffer`): for a server that sends it on as
 * a response body (no JS objects built, nothing encoded again). `JSON.parse` of its text equals
 * `validate()`. */
export declare function validateJson(workflow: WorkflowInput, options?: ValidateOptions): Uint8Array;
/** `analyze` as compact UTF-8 JSON (see `validateJson`). */
export declare function analyzeJson(workflow: WorkflowInput, options?: ValidateOptions): Uint8Array;
/** `plan` as compact UTF-8 JSON (see `validateJson`). */
export declare function planJson(workflow: WorkflowInput): Uint8Array;
/** `generate` as compact UTF-8 JSON (see `validateJson`). */
export declare function generateJson(workflow: WorkflowInput, target: Target, options?: GenerateOptions): Uint8Array;
/** `validateJson` on libuv's thread pool. */
export declare function validateJsonAsync(workflow: WorkflowInput, options?: ValidateOptions): Promise<Uint8Array>;
/** `analyzeJson` on libuv's thread pool. */
export declare function analyzeJsonAsync(workflow: WorkflowInput, options?: ValidateOptions): Promise<Uint8Array>;
/** `planJson` on libuv's thread pool. */
export declare function planJsonAsync(workflow: WorkflowInput): Promise<Uint8Array>;
/** `generateJson` on libuv's thread pool. */
export declare function generateJsonAsync(workflow: WorkflowInput, target: Target, options?: GenerateOptions): Promise<Uint8Array>;
/** Every diagnostic code with its severity, title, why, fix and example. */
export declare function diagnosticCodes(): CodeInfo[];
/** The error codes (`CelestraError.code`) with what each means. */
export declare function errorCodes(): Record<ErrorCode, string>;
/** The JSON Schema of the workflow document. */
export declare function schema(): Record<string, unknown>;
/** The engine's version. */
export declare function version(): string;

/** Incremental generation for one target: after `updateNode`, only the edited node and the
 * nodes whose output depends on it are regenerated; the files equal a full `generate()` of the
 * edited workflow. An edit that introduces errors throws a `ValidationError` and keeps the last
 * good output. */
export declare class Session {
  /** One target or several (each once; the first is `target`): see the browser package. */
  constructor(workflow: WorkflowInput, target: Target | Target[], options?: GenerateOptions);
  readonly target: Target;
  readonly targets: Target[];
  /** Adds a target, generated from the analysis the session holds. */
  addTarget(target: Target): Update;
  updateNode(node: Node | string | Uint8Array): Update;
  removeNode(id: string): Update;
  setWorkflow(workflow: WorkflowInput): Update;
  files(target?: Target): Record<string, string>;
  file(path: string, target?: Target): string | undefined;
  paths(target?: Target): string[];
  warnings(target?: Target): Diagnostic[];
  ledger(target?: Target): Ledger | undefined;
  generated(target?: Target): Generated | undefined;
  lastError(): CelestraError | undefined;
  /** Nothing to free (kept for code shared with the browser package). */
  free(): void;
}
