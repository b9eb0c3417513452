// The deploy API (targets "docker" and "kubernetes"): deploy, rollback, deployPlan, status,
// history, down (alias delete), deploymentStatus. The addon runs each call on its own tokio
// runtime (never on the event loop nor on libuv's thread pool) and reports through a callback:
// messages of a tag character and JSON ("e" an event, "d" the result, "x" a DeployError
// payload; src/deploy.rs). Each call takes the options of both targets; one of the other target
// (host with "kubernetes", namespace with "docker"…) is an OPTION error.
//
// Errors are never thrown synchronously: a bad option, an unknown target or a workflow with
// errors reject the Promise, or end the handle (its iterator throws, `result()` rejects).
"use strict";

const native = require("./index.js");
const { DeployError, celestraError, deployError } = require("./errors.js");

/** Options as JSON text (read strictly by the addon: an unknown key is an OPTION error). */
function optionsText(o) {
  if (o === undefined || o === null) return undefined;
  if (typeof o !== "object" || Array.isArray(o) || o instanceof Uint8Array) {
    throw new DeployError({ code: "OPTION", message: "options must be an object" });
  }
  return JSON.stringify(o);
}

/** The message's JSON (the tag is its first character). */
const body = (message) => JSON.parse(message.slice(1));

/** A running deploy or rollback.
 *
 * - `for await (const event of handle)`: every event from the first (each iteration starts
 *   from seq 1, also after the end), then it ends; it throws the DeployError of a call that
 *   could not proceed (engine unreachable, workflow with errors, bad option…). Leaving the
 *   loop early does not cancel the deploy (call `cancel()`).
 * - `result()`: the final §5.3 status, whatever the outcome (`status: "failed"` is a result,
 *   not an exception); `result({ throwOnFailure: true })` rejects a failed deployment with its
 *   DeployError (GATE_FAILED, IMAGE_NOT_FOUND, TIMEOUT, CANCELLED) carrying the `status`.
 * - `cancel()`: the deploy stops at once and ends `failed` / `cancelled` (a no-op once done).
 *
 * The handle keeps the events it received (`events`). While the deploy runs, the process
 * stays alive (like an open socket). */
class DeployHandle {
  #native = undefined;
  #events = [];
  #end = undefined; // {status, failure} | {error}
  #waiters = [];

  /** @internal `start(onMessage)` starts the native call and returns its NativeDeploy. */
  constructor(start) {
    try {
      this.#native = start((message) => this.#receive(message));
    } catch (e) {
      this.#finish({ error: deployError(e) });
    }
  }

  #receive(message) {
    if (this.#end !== undefined) return;
    try {
      switch (message[0]) {
        case "e":
          this.#events.push(body(message));
          break;
        case "d": {
          const { status, failure } = body(message);
          this.#finish({ status, failure: failure === null ? undefined : new DeployError({ ...failure, status }) });
          return;
        }
        default:
          this.#finish({ error: celestraError(body(message)) });
          return;
      }
    } catch (e) {
      this.#finish({ error: new DeployError({ code: "INTERNAL", message: `reading a message of the addon: ${e.message}` }) });
      return;
    }
    this.#wake();
  }

  #finish(end) {
    this.#end = end;
    this.#native = undefined;
    this.#wake();
  }

  #wake() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #next() {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The deployment's id (a UUID), from its first event; undefined before it. */
  get deploymentId() {
    return this.#events[0]?.deploymentId;
  }

  /** The events received so far, in order (a copy). */
  get events() {
    return this.#events.slice();
  }

  /** True once the call ended (the iterator and `result()` settle at once). */
  get done() {
    return this.#end !== undefined;
  }

  cancel() {
    this.#native?.cancel();
  }

  async *[Symbol.asyncIterator]() {
    let i = 0;
    for (;;) {
      if (i < this.#events.length) {
        yield this.#events[i++];
      } else if (this.#end !== undefined) {
        if (this.#end.error) throw this.#end.error;
        return;
      } else {
        await this.#next();
      }
    }
  }

  async result(options) {
    let throwOnFailure = false;
    if (options !== undefined && options !== null) {
      const unknown = Object.keys(options).filter((k) => k !== "throwOnFailure");
      if (typeof options !== "object" || unknown.length > 0) {
        throw new DeployError({ code: "OPTION", message: `result options: unknown option ${JSON.stringify(unknown[0] ?? String(options))}, expected throwOnFailure` });
      }
      throwOnFailure = Boolean(options.throwOnFailure);
    }
    while (this.#end === undefined) await this.#next();
    if (this.#end.error) throw this.#end.error;
    if (throwOnFailure && this.#end.failure) throw this.#end.failure;
    return this.#end.status;
  }
}

/** A call with one result, as a Promise. */
function once(start) {
  return new Promise((resolve, reject) => {
    const onDone = (message) => {
      try {
        if (message[0] === "d") resolve(body(message));
        else reject(celestraError(body(message)));
      } catch (e) {
        reject(new DeployError({ code: "INTERNAL", message: `reading a message of the addon: ${e.message}` }));
      }
    };
    try {
      start(onDone);
    } catch (e) {
      reject(deployError(e));
    }
  });
}

/** Deploys `workflow` to `target` ("docker" or "kubernetes"): a DeployHandle. */
function deploy(input, workflow, target, options) {
  return new DeployHandle((onMessage) => native.deployStart(input(workflow, "workflow"), String(target), optionsText(options), onMessage));
}

/** Deploys revision `to` (default: the newest successful one before the current) of the
 * project's history again, as a new revision: a DeployHandle. */
function rollback(target, options) {
  return new DeployHandle((onMessage) => native.rollbackStart(String(target), optionsText(options), onMessage));
}

/** What a deploy would change (a dry run, no engine or cluster writes): Docker's change plan,
 * or the Kubernetes plan (each object's operation, what would be pruned). */
function deployPlan(input, workflow, target, options) {
  return once((onDone) => native.deployPlan(input(workflow, "workflow"), String(target), optionsText(options), onDone));
}

const status = (target, options) => once((onDone) => native.deployStatus(String(target), optionsText(options), onDone));
const history = (target, options) => once((onDone) => native.deployHistory(String(target), optionsText(options), onDone));
const down = (target, options) => once((onDone) => native.deployDown(String(target), optionsText(options), onDone));

/** The §5.3 status folded from events (the core's reducer): what `result()` gives, from the
 * events alone (for a client that stored them, or a live view mid-deploy). */
function deploymentStatus(events) {
  let text;
  try {
    text = JSON.stringify(Array.from(events));
  } catch (e) {
    throw new DeployError({ code: "OPTION", message: `events: ${e.message}` });
  }
  try {
    return JSON.parse(native.deploymentStatus(text));
  } catch (e) {
    throw deployError(e);
  }
}

/** The API, given the package's workflow reader (`input` of celestra.js). */
module.exports = (input) => ({
  DeployError,
  DeployHandle,
  deploy: (workflow, target, options) => deploy(input, workflow, target, options),
  deployPlan: (workflow, target, options) => deployPlan(input, workflow, target, options),
  deploymentStatus,
  // Kubernetes' word for down (a property: `delete` cannot name a binding).
  delete: down,
  down,
  history,
  rollback,
  status,
});
