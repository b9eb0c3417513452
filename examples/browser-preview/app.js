// Live preview: the Celestra Engine in the page (wasm). One incremental Session keeps every
// target shown so far current: a target joins it when its tab (or ledger) is first shown, and
// from then on each edit regenerates it too, the workflow being read, validated and planned
// once for all of them. Findings and the plan are recomputed on the edited workflow. Secrets
// are redacted in every preview.
import init, * as engine from "./pkg/celestra_wasm.js";

const TARGETS = ["dsl", "kubernetes", "compose", "helm"];
const OPTIONS = { redactSecrets: true };
const $ = (id) => document.getElementById(id);

const state = {
  doc: null,
  session: null,
  tab: "kubernetes",
  ledgerTarget: "kubernetes",
  file: {},
  selected: null,
  report: null,
  plan: null,
  planError: null,
  parseError: null,
  timings: [],
};

// ---- engine calls -------------------------------------------------------------------------

/** Replaces the whole workflow (an example was picked, or the JSON text was edited). */
function loadText(text) {
  const t0 = performance.now();
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = null;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    // The engine names the line and column (or the shape problem); outputs stay as they were.
    try {
      engine.validate(text);
      state.parseError = { code: "SHAPE", message: "not a workflow document" };
    } catch (e) {
      state.parseError = e;
    }
    render();
    return record("text", t0, "—");
  }
  state.parseError = null;
  state.doc = doc;
  const target = shownTarget() ?? "kubernetes";
  const regenerated = state.session
    ? run(() => state.session.setWorkflow(text))
    : run(() => {
        state.session = new engine.Session(text, [target], OPTIONS);
        return { full: true };
      });
  catchUp(target);
  analyse(text);
  renderNodes();
  render();
  return record("full", t0, regenerated);
}

/** One property of one node edited in the node editor: incremental regeneration. */
function edit(nodeId, key, value) {
  const t0 = performance.now();
  const node = state.doc.nodes.find((n) => n.id === nodeId);
  if (!node || !state.session) return;
  node.data = node.data ?? {};
  if (key === "name") node.data.name = value;
  else (node.data.properties = node.data.properties ?? {})[key] = value;
  const regenerated = run(() => state.session.updateNode(JSON.stringify(node)));
  const text = JSON.stringify(state.doc);
  analyse(text);
  $("workflow").value = JSON.stringify(state.doc, null, 2);
  render();
  return record("edit", t0, regenerated);
}

/** The generation target whose output is on screen (the ledger tab shows one too). */
function shownTarget() {
  return TARGETS.includes(state.tab) ? state.tab : state.tab === "ledger" ? state.ledgerTarget : null;
}

/**
 * One session call; says what was regenerated. A workflow with errors is still taken by the
 * session, which keeps its last good output (the findings say why); later edits go on from
 * there.
 */
function run(f) {
  try {
    const u = f();
    return u.full ? "all" : String(u.regenerated.length);
  } catch (e) {
    if (e.code !== "INVALID") throw e;
    return "none (errors)";
  }
}

/** Makes the session keep `target` current (added, from its analysis, when first shown). */
function catchUp(target) {
  const s = state.session;
  if (!target || !s || s.targets.includes(target)) return "—";
  return run(() => s.addTarget(target));
}

/** Findings and plan in one engine call (the workflow is read and its graph built once). */
function analyse(text) {
  const { report, plan } = engine.analyze(text, { live: true });
  state.report = report;
  state.plan = plan;
  // No plan: the dependencies form cycles, and the findings name them.
  const cycles = report.errors.filter((d) => d.code === "GRAPH_CYCLE").map((d) => d.message);
  state.planError = plan ? null : { message: cycles.join("; ") || "see the findings" };
}

function record(kind, t0, regenerated) {
  const ms = performance.now() - t0;
  state.timings.push({ kind, ms });
  const nodes = state.doc ? state.doc.nodes.length : 0;
  $("status").textContent = `${kind === "edit" ? "edit" : "regenerated"} in ${ms.toFixed(1)} ms · ${nodes} nodes · regenerated: ${regenerated}`;
  $("status").dataset.updates = String(state.timings.length);
  return ms;
}

// ---- rendering ----------------------------------------------------------------------------

function render() {
  renderFindings();
  renderTab();
}

function renderTab() {
  catchUp(shownTarget());
  for (const b of $("tabs").querySelectorAll("button")) b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
  const files = $("files");
  files.replaceChildren();
  let text = "";
  let stale = false;
  const s = state.session;
  if (TARGETS.includes(state.tab)) {
    const paths = s ? s.paths(state.tab) : [];
    let path = state.file[state.tab];
    if (!paths.includes(path)) path = state.file[state.tab] = paths[0];
    if (paths.length > 1) {
      for (const p of paths) files.append(button(p, p === path, () => { state.file[state.tab] = p; renderTab(); }));
    }
    text = s && path ? s.file(path, state.tab) ?? "" : "";
    stale = Boolean(s && s.lastError());
  } else if (state.tab === "plan") {
    text = state.plan ? planText(state.plan) : `cannot plan: ${state.planError?.message ?? "no workflow"}`;
  } else {
    for (const t of TARGETS) files.append(button(t, t === state.ledgerTarget, () => { state.ledgerTarget = t; renderTab(); }));
    const ledger = s ? s.ledger(state.ledgerTarget) : undefined;
    text = ledger ? ledgerText(ledger) : "";
    stale = Boolean(s && s.lastError());
  }
  $("stale").hidden = !stale;
  $("output").textContent = text;
}

function button(label, pressed, onclick) {
  const b = document.createElement("button");
  b.textContent = label;
  b.setAttribute("aria-pressed", String(pressed));
  b.addEventListener("click", onclick);
  return b;
}

function planText(plan) {
  const lines = [`${plan.mode} · ${plan.totalSteps} steps · on error: ${plan.errorHandling}`, ""];
  for (const wave of plan.waves) {
    lines.push(`wave ${wave.index}${wave.phase !== undefined ? ` (phase ${wave.phase})` : ""}: ${wave.steps.map((s) => s.name).join(", ")}`);
    for (const step of wave.steps) {
      const gates = step.readiness.map((r) => `${r.kind}/${r.name} ${r.gate}`).join(", ");
      lines.push(`  ${step.name} [${step.type}] → ${gates || "no gate"}`);
      for (const w of step.waitsFor) lines.push(`    waits for ${w.name} because ${w.reason?.kind ?? "a dependency"}`);
    }
  }
  return lines.join("\n");
}

function ledgerText(ledger) {
  const counts = {};
  for (const e of ledger.entries) counts[e.status] = (counts[e.status] ?? 0) + 1;
  const head = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(" · ");
  const rows = ledger.entries.map((e) => {
    const where = e.nodeId ?? e.connectionId ?? "";
    const note = e.how ?? e.why ?? "";
    return `${e.status.padEnd(12)} ${where.padEnd(14)} ${e.property.padEnd(22)} ${note}`;
  });
  return [`${ledger.target}: ${head}`, "", ...rows].join("\n");
}

function renderFindings() {
  const body = $("findings").querySelector("tbody");
  const rows = [];
  const names = new Map((state.doc?.nodes ?? []).map((n) => [n.id, n.data?.name ?? n.id]));
  const all = state.parseError
    ? [{ severity: "error", code: state.parseError.code, message: state.parseError.message, hint: state.parseError.line ? `line ${state.parseError.line}, column ${state.parseError.column}` : "" }]
    : state.report ? [...state.report.errors, ...state.report.warnings, ...state.report.infos] : [];
  for (const d of all) {
    const tr = document.createElement("tr");
    tr.className = d.severity;
    tr.dataset.code = d.code;
    for (const v of [d.severity, d.code, d.nodeId ? names.get(d.nodeId) ?? d.nodeId : d.connectionId ?? "", d.message, d.hint ?? ""]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  const n = (s) => all.filter((d) => d.severity === s).length;
  $("counts").textContent = `${n("error")} errors · ${n("warning")} warnings · ${n("info")} infos`;
}

function renderNodes() {
  const list = $("nodes");
  list.replaceChildren();
  for (const node of state.doc.nodes) {
    const li = document.createElement("li");
    li.dataset.id = node.id;
    li.className = node.id === state.selected ? "selected" : "";
    const name = document.createElement("span");
    name.textContent = node.data?.name ?? node.id;
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = node.type;
    li.append(name, kind);
    li.addEventListener("click", () => select(node.id));
    list.append(li);
  }
  if (!state.doc.nodes.some((n) => n.id === state.selected)) state.selected = null;
  renderEditor();
}

function select(id) {
  state.selected = id;
  for (const li of $("nodes").children) li.className = li.dataset.id === id ? "selected" : "";
  renderEditor();
}

/** Inputs for the selected node's name and scalar properties. */
function renderEditor() {
  const box = $("editor");
  box.replaceChildren();
  const node = state.doc?.nodes.find((n) => n.id === state.selected);
  if (!node) return;
  const fields = [["name", node.data?.name ?? ""]];
  for (const [k, v] of Object.entries(node.data?.properties ?? {})) {
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) fields.push([k, v]);
  }
  for (const [key, value] of fields) {
    const label = document.createElement("label");
    label.textContent = key;
    const input = document.createElement("input");
    input.name = key;
    input.id = `field-${key}`;
    label.htmlFor = input.id;
    if (typeof value === "boolean") {
      input.type = "checkbox";
      input.checked = value;
      input.addEventListener("change", () => edit(node.id, key, input.checked));
    } else {
      input.value = value === null ? "" : String(value);
      input.addEventListener("input", () => {
        const raw = input.value;
        // Numbers stay numbers while they parse as one; otherwise the text goes to the engine,
        // which says what is wrong with it.
        const v = typeof value === "number" && raw.trim() !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
        edit(node.id, key, v);
      });
    }
    box.append(label, input);
  }
}

// ---- wiring -------------------------------------------------------------------------------

async function pick(name) {
  const text = await (await fetch(`workflows/${name}.json`)).text();
  $("workflow").value = text;
  state.selected = null;
  state.file = {};
  loadText(text);
}

async function main() {
  await init();
  const names = await (await fetch("workflows/index.json")).json();
  const select = $("example");
  for (const n of names) select.append(new Option(n, n));
  const wanted = new URLSearchParams(location.search).get("workflow");
  select.value = names.includes(wanted) ? wanted : "ex3-microservice";
  select.addEventListener("change", () => pick(select.value));
  let pending = 0;
  $("workflow").addEventListener("input", () => {
    // Text edits are whole-workflow edits; wait for a pause in typing.
    clearTimeout(pending);
    pending = setTimeout(() => loadText($("workflow").value), 120);
  });
  for (const b of $("tabs").querySelectorAll("button")) {
    b.addEventListener("click", () => { state.tab = b.dataset.tab; renderTab(); });
  }
  await pick(select.value);
  document.body.dataset.ready = "true";
  document.body.dataset.engine = engine.version();
}

// For the end-to-end test and the benchmark (examples/browser-preview/test).
window.celestraPreview = { engine, state, loadText, edit, select, catchUp, TARGETS };

main().catch((e) => {
  $("status").textContent = `failed to start: ${e.message}`;
  throw e;
});
