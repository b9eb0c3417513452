// @celestra/engine: the Celestra Engine for Node.js. The same camelCase API and the same error
// objects as the browser package (celestra-wasm), on the native addon (index.js loads it), plus
// `...Async` variants that run on libuv's thread pool and return Promises, and the deploy API
// (deploy.js). Errors: errors.js.
"use strict";

const native = require("./index.js");
const { celestraError, translated } = require("./errors.js");

function call(f) {
  try {
    return f();
  } catch (e) {
    throw translated(e);
  }
}

/** A workflow (or node) as the addon takes it: JSON text or bytes. */
function input(v, what) {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const notJson = (why) => celestraError({ name: "ParseError", code: "PARSE", message: `${what}: not a JSON value (${why})` });
  if (v === undefined || typeof v === "function" || typeof v === "symbol") throw notJson(`got ${typeof v}`);
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw notJson(e.message);
  }
  if (text === undefined) throw notJson("JSON.stringify gave nothing");
  return text;
}

/** Options as JSON text (strictly read by the addon: an unknown key is an OPTION error). */
function options(o) {
  if (o === undefined || o === null) return undefined;
  if (typeof o !== "object" || Array.isArray(o) || o instanceof Uint8Array) {
    throw celestraError({ name: "GenerateError", code: "OPTION", message: "options must be an object" });
  }
  return JSON.stringify(o);
}

// Results come as JSON text, or as UTF-8 JSON in a Buffer (validate, plan, generate).
const parsed = (json) => JSON.parse(typeof json === "string" ? json : json.toString("utf8"));
const maybe = (text) => (text === null || text === undefined ? undefined : JSON.parse(text));

function validate(workflow, opts) {
  return parsed(call(() => native.validate(input(workflow, "workflow"), options(opts))));
}

function analyze(workflow, opts) {
  return parsed(call(() => native.analyze(input(workflow, "workflow"), options(opts))));
}

function plan(workflow) {
  return parsed(call(() => native.plan(input(workflow, "workflow"))));
}

function generate(workflow, target, opts) {
  return parsed(call(() => native.generate(input(workflow, "workflow"), target, options(opts))));
}

/** Runs an async variant: its JSON parsed (`then`, identity for the JSON-out calls); argument
 * errors reject the Promise too (never thrown synchronously). */
async function background(start, then = parsed) {
  try {
    return then(await start());
  } catch (e) {
    throw translated(e);
  }
}

const validateAsync = (workflow, opts) => background(() => native.validateAsync(input(workflow, "workflow"), options(opts)));
const analyzeAsync = (workflow, opts) => background(() => native.analyzeAsync(input(workflow, "workflow"), options(opts)));
const planAsync = (workflow) => background(() => native.planAsync(input(workflow, "workflow")));
const generateAsync = (workflow, target, opts) =>
  background(() => native.generateAsync(input(workflow, "workflow"), target, options(opts)));

// The same calls with the result as compact UTF-8 JSON in a Buffer (made by the addon, not
// copied again): for a server that sends it on as a response body, this skips building JS
// objects and encoding them again.
const validateJson = (workflow, opts) => call(() => native.validate(input(workflow, "workflow"), options(opts)));
const analyzeJson = (workflow, opts) => call(() => native.analyze(input(workflow, "workflow"), options(opts)));
const planJson = (workflow) => call(() => native.plan(input(workflow, "workflow")));
const generateJson = (workflow, target, opts) => call(() => native.generate(input(workflow, "workflow"), target, options(opts)));

const asIs = (bytes) => bytes;

const validateJsonAsync = (workflow, opts) => background(() => native.validateAsync(input(workflow, "workflow"), options(opts)), asIs);
const analyzeJsonAsync = (workflow, opts) => background(() => native.analyzeAsync(input(workflow, "workflow"), options(opts)), asIs);
const planJsonAsync = (workflow) => background(() => native.planAsync(input(workflow, "workflow")), asIs);
const generateJsonAsync = (workflow, target, opts) =>
  background(() => native.generateAsync(input(workflow, "workflow"), target, options(opts)), asIs);

const diagnosticCodes = () => parsed(call(() => native.diagnosticCodes()));
const errorCodes = () => parsed(call(() => native.errorCodes()));
const schema = () => parsed(call(() => native.schema()));
const version = () => native.version();

/** A session's targets as the addon takes them: one name or an array of names. */
function targetList(t) {
  if (typeof t === "string") return [t];
  if (Array.isArray(t) && t.every((x) => typeof x === "string")) return t;
  throw celestraError({ name: "GenerateError", code: "OPTION", message: "target: a target name or an array of them" });
}

/** A target given to an accessor (the session's first when undefined). */
const which = (t) => (t === undefined || t === null ? undefined : String(t));

/** Incremental generation of one target or several: see the browser package's Session. */
class Session {
  #native;

  constructor(workflow, target, opts) {
    this.#native = call(() => new native.NativeSession(input(workflow, "workflow"), targetList(target), options(opts)));
  }

  get target() {
    return this.#native.target;
  }

  get targets() {
    return this.#native.targets;
  }

  addTarget(target) {
    return parsed(call(() => this.#native.addTarget(String(target))));
  }

  updateNode(node) {
    return parsed(call(() => this.#native.updateNode(input(node, "node"))));
  }

  removeNode(id) {
    return parsed(call(() => this.#native.removeNode(String(id))));
  }

  setWorkflow(workflow) {
    return parsed(call(() => this.#native.setWorkflow(input(workflow, "workflow"))));
  }

  files(target) {
    return parsed(call(() => this.#native.files(which(target))));
  }

  file(path, target) {
    return call(() => this.#native.file(String(path), which(target))) ?? undefined;
  }

  paths(target) {
    return call(() => this.#native.paths(which(target)));
  }

  warnings(target) {
    return parsed(call(() => this.#native.warnings(which(target))));
  }

  ledger(target) {
    return maybe(call(() => this.#native.ledger(which(target))));
  }

  generated(target) {
    return maybe(call(() => this.#native.generated(which(target))));
  }

  lastError() {
    const payload = this.#native.lastError();
    return payload === null || payload === undefined ? undefined : celestraError(JSON.parse(payload));
  }

  /** Nothing to free by hand (the garbage collector releases the native session); kept for
   * code shared with the browser package. */
  free() {}
}

const deployApi = require("./deploy.js")(input);
const { DeployError, DeployHandle, deploy, deployPlan, deploymentStatus, down, history, rollback, status } = deployApi;

module.exports = {
  DeployError,
  DeployHandle,
  Session,
  deploy,
  deployPlan,
  deploymentStatus,
  // `down` under Kubernetes' word for it.
  delete: deployApi.delete,
  down,
  history,
  rollback,
  status,
  diagnosticCodes,
  errorCodes,
  generate,
  generateAsync,
  generateJson,
  generateJsonAsync,
  analyze,
  analyzeAsync,
  analyzeJson,
  analyzeJsonAsync,
  plan,
  planAsync,
  planJson,
  planJsonAsync,
  schema,
  validate,
  validateAsync,
  validateJson,
  validateJsonAsync,
  version,
  // The addon itself, for the benchmark's engine-time probe (not part of the API).
  _native: native,
};
