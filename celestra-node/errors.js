// The package's errors, the JS side of src/errors.rs: the addon throws an Error whose message is
// a marker and a JSON payload (name, code, message, diagnostics, line, column), rethrown here as
// the browser package's error objects (ParseError, ValidationError, GenerateError,
// CelestraError: Errors with that `name`), or as a `DeployError` (a class, for the deploy API).
"use strict";

const MARK = "\u0000celestra:";

/** An Error like the browser package's: name, code, diagnostics, and line/column for PARSE.
 * The addon's payloads carry the name (the core's one code-to-class table); the errors made
 * here, before the addon is called, give theirs. */
function celestraError({ name, code, message, diagnostics, line, column }) {
  if (name === "DeployError") return new DeployError({ code, message, diagnostics, line, column });
  const e = new Error(message);
  e.name = name;
  e.code = code;
  e.diagnostics = diagnostics ?? [];
  if (line !== undefined) {
    e.line = line;
    e.column = column;
  }
  return e;
}

/** Every failure of the deploy API: `code` is one of the core's stable deploy codes
 * (ENGINE_UNREACHABLE, ENGINE, INVALID, OPTION, IMAGE_NOT_FOUND, GATE_FAILED, TIMEOUT,
 * CANCELLED, NO_HISTORY, ROLLBACK_REFUSED; from a Kubernetes cluster also UNAUTHORIZED,
 * FORBIDDEN, REJECTED, IMMUTABLE, CONFLICT, CRD_MISSING, QUOTA; INTERNAL for a bug caught at the
 * boundary).
 * `diagnostics`: the workflow's findings (INVALID). `status`: the final deployment status when
 * the error is a deployment that failed (`result({ throwOnFailure: true })`). */
class DeployError extends Error {
  constructor({ code, message, diagnostics, line, column, status }) {
    super(message);
    this.name = "DeployError";
    this.code = code;
    this.diagnostics = diagnostics ?? [];
    if (line !== undefined) {
      this.line = line;
      this.column = column;
    }
    if (status !== undefined) this.status = status;
  }
}

/** The addon's error as the package's error (other errors as they are). */
function translated(e) {
  if (e instanceof Error && typeof e.message === "string" && e.message.startsWith(MARK)) {
    return celestraError(JSON.parse(e.message.slice(MARK.length)));
  }
  return e;
}

/** Any error of a deploy call as a DeployError (an error made before the addon was called, such
 * as a workflow that is not a JSON value, keeps its message under OPTION, as the core maps it). */
function deployError(e) {
  const t = translated(e);
  if (t instanceof DeployError) return t;
  if (t instanceof Error && typeof t.code === "string") {
    return new DeployError({ code: t.code === "INVALID" ? "INVALID" : "OPTION", message: t.message, diagnostics: t.diagnostics });
  }
  return new DeployError({ code: "INTERNAL", message: String(t instanceof Error ? t.message : t) });
}

module.exports = { MARK, DeployError, celestraError, deployError, translated };
