// Compiled with `tsc --noEmit --strict` against the package's declarations (scripts/web.sh):
// a typed client of the engine must compile, and wrong uses must not (@ts-expect-error).
import init, {
  Session, analyze, diagnosticCodes, errorCodes, generate, plan, schema, validate, version,
  type Analysis, type CelestraError, type Diagnostic, type Generated, type LedgerEntry, type Plan, type Report, type Target, type Update, type Workflow,
} from "./pkg/celestra_wasm.js";

export async function client(doc: Workflow): Promise<string[]> {
  await init();
  const report: Report = validate(doc, { live: true, target: "compose" });
  const first: Diagnostic | undefined = report.errors[0];
  const where: string = first?.nodeId ?? first?.connectionId ?? "";
  const p: Plan = plan(JSON.stringify(doc));
  const a: Analysis = analyze(doc, { live: true });
  const maybePlan: Plan | null = a.plan;
  const liveErrors: number = a.report.errors.length + (maybePlan ? 0 : 1);
  const names: string[] = p.waves.flatMap((w) => w.steps.map((s) => `${s.name} after ${s.waitsFor.length}`));
  const g: Generated = generate(doc, "helm", { redactSecrets: true, kubernetesVersion: "1.29" });
  const dropped: LedgerEntry[] = g.ledger.entries.filter((e) => e.status === "dropped");
  const s = new Session(new TextEncoder().encode(JSON.stringify(doc)), "kubernetes");
  const u = s.updateNode({ id: "web", type: "celestra-app", data: { name: "web", properties: { image: "nginx:1.27" } } });
  const err: CelestraError | undefined = s.lastError();
  const code: string | undefined = err?.code;
  const files: Record<string, string> = s.files();
  s.free();
  // A session of several targets: each kept current, read by name.
  const multi = new Session(doc, ["kubernetes", "helm"], { redactSecrets: true });
  const kept: Target[] = multi.targets;
  const added: Update = multi.addTarget("compose");
  const helmFiles: Record<string, string> = multi.files("helm");
  const composeFile: string | undefined = multi.file("docker-compose.yml", "compose");
  // @ts-expect-error: targets are typed
  multi.addTarget("terraform");
  multi.free();
  const codes = diagnosticCodes().map((c) => c.code);
  const errs: string = errorCodes().INVALID;
  // @ts-expect-error: an unknown target is a type error
  generate(doc, "terraform");
  // @ts-expect-error: options are typed
  validate(doc, { live: "yes" });
  // @ts-expect-error: a report has no `files`
  report.files;
  return [...kept, String(added.full), ...Object.keys(helmFiles), composeFile ?? "", where, String(liveErrors), ...names, String(dropped.length), String(u.full), code ?? "", ...Object.keys(files), ...codes, errs,
    String(schema().type), version()];
}
