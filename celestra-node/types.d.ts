// Generated from the TYPES section of celestra-wasm/src/lib.rs by scripts/node.sh types.
// The shapes the engine reads and returns; the same in the browser package.
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
