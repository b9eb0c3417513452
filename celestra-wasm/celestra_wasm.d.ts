/* tslint:disable */
/* eslint-disable */

/** A workflow document (docs/workflow-format.md; only the top level is spelled out here). */
export interface Workflow {
    schemaVersion?: string;
    id?: string;
    name?: string;
    description?: string;
    settings?: Record<string, unknown>;
    nodes: Node[];
    connections?: Connection[];
}
/** One node of the graph: its id, its kind (`celestra-app`, …) and its properties. */
export interface Node {
    id: string;
    type: string;
    parent?: string;
    position?: { x: number; y: number };
    data: NodeData;
}
/** A node's name, its catalog type (`App`, `Service`, …) and its properties. */
export interface NodeData {
    name?: string;
    type?: string;
    properties?: Record<string, unknown>;
}
/** A connection from one node's handle to another's. */
export interface Connection {
    id?: string;
    source: string;
    target: string;
    sourceHandle?: string;
    targetHandle?: string;
    style?: string;
    label?: string;
    when?: unknown;
}
/** A workflow as an object, as JSON text, or as UTF-8 JSON bytes. */
export type WorkflowInput = Workflow | string | Uint8Array;
/** An output target (the aliases are accepted too). */
export type Target =
| "kubernetes" | "k8s" | "compose" | "docker-compose" | "dockerCompose" | "helm" | "dsl" | "celestra";
export type Severity = "error" | "warning" | "info";

export interface Related {
    label: string;
    nodeId?: string;
    connectionId?: string;
}
/** One finding: a stable code, where (node, property, connection), what, and how to fix it. */
export interface Diagnostic {
    code: string;
    severity: Severity;
    message: string;
    nodeId?: string;
    connectionId?: string;
    property?: string;
    hint?: string;
    related?: Related[];
}
/** What `validate()` returns. */
export interface Report {
    isValid: boolean;
    errors: Diagnostic[];
    warnings: Diagnostic[];
    infos: Diagnostic[];
}
/** One step of the plan: a node, its objects, its readiness gates, what it waits for and why. */
export interface Step {
    nodeId: string;
    name: string;
    type: string;
    namespace: string;
    phase: number;
    objects: Record<string, unknown>[];
    readiness: Record<string, unknown>[];
    waitsFor: Record<string, unknown>[];
    attached?: Record<string, unknown>[];
}
/** One wave: steps that can run in parallel. */
export interface Wave {
    index: number;
    steps: Step[];
    phase?: number;
}
/** What `plan()` returns: dependency waves. */
export interface Plan {
    mode: "parallel" | "phased" | "sequential";
    errorHandling: string;
    totalSteps: number;
    waves: Wave[];
}
/** `validate` and `plan` in one pass: `plan` is null when dependencies form a cycle (the report
 * then holds the `GRAPH_CYCLE` findings). */
export interface Analysis {
    report: Report;
    plan: Plan | null;
}
/** One line of the fidelity ledger: a node property or a connection, and how it was carried. */
export interface LedgerEntry {
    property: string;
    status: "mapped" | "approximated" | "dropped";
    nodeId?: string;
    connectionId?: string;
    how?: string;
    why?: string;
}
/** What a target mapped, approximated or could not express. */
export interface Ledger {
    target: string;
    entries: LedgerEntry[];
}
/** What `generate()` returns: the files by path, the ledger and the warnings. */
export interface Generated {
    target: string;
    files: Record<string, string>;
    ledger: Ledger;
    warnings: Diagnostic[];
}
/** What a session edit returns: whether everything was rebuilt, and which nodes were. */
export interface Update {
    full: boolean;
    regenerated: string[];
}
export interface ValidateOptions {
    /** Add the rules of one output target. */
    target?: Target;
    /** Downgrade what a half-drawn workflow cannot have yet (e.g. a missing image) to warnings. */
    live?: boolean;
}
export interface GenerateOptions {
    /** "1.20" … ; default "1.30": picks served API versions. */
    kubernetesVersion?: string;
    /** One multi-document file (default) or one file per object (Kubernetes target). */
    layout?: "singleFile" | "perObject";
    /** Replace secret values by "<redacted>" (for previews). */
    redactSecrets?: boolean;
}
/** One code of the diagnostic catalogue. */
export interface CodeInfo {
    code: string;
    severity: Severity;
    level: string;
    title: string;
    why: string;
    fix: string;
    example: string;
    origin: string;
}
export type ErrorCode =
| "PARSE" | "SHAPE" | "TOO_LARGE" | "INVALID" | "PLAN_BLOCKED" | "OPTION" | "INTERNAL";
/** What the engine throws: a JS `Error` with these fields. `name` is "ParseError" (PARSE,
 * SHAPE, TOO_LARGE), "ValidationError" (INVALID, PLAN_BLOCKED), "GenerateError" (OPTION) or
 * "CelestraError". */
export interface CelestraError extends Error {
    name: "ParseError" | "ValidationError" | "GenerateError" | "CelestraError";
    code: ErrorCode;
    /** The findings behind INVALID and PLAN_BLOCKED (empty otherwise). */
    diagnostics: Diagnostic[];
    /** 1-based position of malformed JSON (PARSE only). */
    line?: number;
    column?: number;
}



/**
 * Incremental generation of one target, or of several at once: after `updateNode`, only the
 * edited node and the nodes whose output depends on it are regenerated; the files equal a full
 * `generate()` of the edited workflow. A session of several targets reads, validates and plans
 * the workflow once for all of them, and builds each node's Kubernetes objects once for the
 * Kubernetes, Helm and DSL targets. An edit that introduces errors throws a `ValidationError`
 * and keeps the last good output. Call `free()` when done (or rely on the JS garbage
 * collector).
 */
export class Session {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds a target, generated from the analysis the session holds (the workflow is not read,
     * validated or planned again); every later edit regenerates it too. Adding a target the
     * session keeps changes nothing.
     */
    addTarget(target: Target): Update;
    /**
     * One file of the last successful generation (undefined if there is none by that path):
     * cheaper than `files()` when a preview shows one file.
     */
    file(path: string, target?: Target): string | undefined;
    /**
     * The files of the last successful generation of `target` (the first target when
     * omitted), by path.
     */
    files(target?: Target): Record<string, string>;
    /**
     * Files, ledger and warnings of the last successful generation (undefined before one).
     */
    generated(target?: Target): Generated | undefined;
    /**
     * Why the last edit was refused (undefined after a good one), as the error it threw.
     */
    lastError(): CelestraError | undefined;
    /**
     * The fidelity ledger of the last successful generation (undefined before one).
     */
    ledger(target?: Target): Ledger | undefined;
    /**
     * Starts a session of one target or several (each once; the first is `target`) and
     * generates everything. Throws only for bad input or options; a workflow with errors gives
     * a session whose `lastError()` holds them.
     */
    constructor(workflow: WorkflowInput, target: Target | Target[], options?: GenerateOptions);
    /**
     * The paths of the files of the last successful generation, sorted.
     */
    paths(target?: Target): string[];
    /**
     * Removes a node and its connections, and regenerates.
     */
    removeNode(id: string): Update;
    /**
     * Replaces the whole workflow (connections, settings…) and regenerates.
     */
    setWorkflow(workflow: WorkflowInput): Update;
    /**
     * Replaces (or adds) one node — an object, JSON text or bytes — and regenerates what it
     * touches.
     */
    updateNode(node: Node | string | Uint8Array): Update;
    /**
     * The warnings and infos of the last successful generation.
     */
    warnings(target?: Target): Diagnostic[];
    /**
     * The first target.
     */
    readonly target: Target;
    /**
     * Every target the session keeps current, in the order given or added.
     */
    readonly targets: Target[];
}

/**
 * Validates and plans a workflow, reading it and building its graph once (what a live preview
 * calls on every edit). `plan` is null when dependencies form a cycle.
 */
export function analyze(workflow: WorkflowInput, options?: ValidateOptions): Analysis;

/**
 * Every diagnostic code with its severity, title, why, fix and example.
 */
export function diagnosticCodes(): CodeInfo[];

/**
 * The error codes (`CelestraError.code`) with what each means.
 */
export function errorCodes(): Record<ErrorCode, string>;

/**
 * Generates one target: the files, the fidelity ledger and the warnings. Throws a
 * `ValidationError` (code `INVALID`) for a workflow with errors.
 */
export function generate(workflow: WorkflowInput, target: Target, options?: GenerateOptions): Generated;

/**
 * Plans a workflow: dependency waves, what waits for what and why.
 */
export function plan(workflow: WorkflowInput): Plan;

/**
 * The JSON Schema of the workflow document.
 */
export function schema(): Record<string, unknown>;

/**
 * Validates a workflow: findings per node, field and connection.
 */
export function validate(workflow: WorkflowInput, options?: ValidateOptions): Report;

/**
 * The engine's version.
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_session_free: (a: number, b: number) => void;
    readonly analyze: (a: any, b: number) => [number, number, number];
    readonly diagnosticCodes: () => [number, number, number];
    readonly errorCodes: () => [number, number, number];
    readonly generate: (a: any, b: number, c: number, d: number) => [number, number, number];
    readonly plan: (a: any) => [number, number, number];
    readonly schema: () => [number, number, number];
    readonly session_addTarget: (a: number, b: number, c: number) => [number, number, number];
    readonly session_file: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly session_files: (a: number, b: number, c: number) => [number, number, number];
    readonly session_generated: (a: number, b: number, c: number) => [number, number, number];
    readonly session_lastError: (a: number) => any;
    readonly session_ledger: (a: number, b: number, c: number) => [number, number, number];
    readonly session_new: (a: any, b: any, c: number) => [number, number, number];
    readonly session_paths: (a: number, b: number, c: number) => [number, number, number, number];
    readonly session_removeNode: (a: number, b: number, c: number) => [number, number, number];
    readonly session_setWorkflow: (a: number, b: any) => [number, number, number];
    readonly session_target: (a: number) => [number, number];
    readonly session_targets: (a: number) => [number, number];
    readonly session_updateNode: (a: number, b: any) => [number, number, number];
    readonly session_warnings: (a: number, b: number, c: number) => [number, number, number];
    readonly validate: (a: any, b: number) => [number, number, number];
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
