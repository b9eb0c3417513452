// Compiled with `tsc --noEmit --strict` against @celestra/engine's declarations (scripts/node.sh):
// a typed Node client must compile, and wrong uses must not (@ts-expect-error).
import {
  Session, analyze, analyzeAsync, diagnosticCodes, errorCodes, generate, generateAsync, plan, planAsync, schema, validate,
  validateAsync, version, type Analysis, type CelestraError, type Diagnostic, type Generated, type LedgerEntry, type Plan, type Report, type Workflow,
} from "./pkg/celestra.js";

export async function client(doc: Workflow): Promise<string[]> {
  const report: Report = validate(doc, { live: true, target: "compose" });
  const first: Diagnostic | undefined = report.errors[0];
  const p: Plan = plan(JSON.stringify(doc));
  const later: Plan = await planAsync(doc);
  const a: Analysis = analyze(doc, { live: true });
  const b: Plan | null = (await analyzeAsync(doc)).plan ?? a.plan;
  const names: string[] = p.waves.flatMap((w) => w.steps.map((s) => `${s.name} after ${s.waitsFor.length}`));
  const g: Generated = generate(doc, "helm", { redactSecrets: true, kubernetesVersion: "1.29" });
  const big: Generated = await generateAsync(doc, "kubernetes", { layout: "perObject" });
  const checked: Report = await validateAsync(new TextEncoder().encode(JSON.stringify(doc)));
  const dropped: LedgerEntry[] = g.ledger.entries.filter((e) => e.status === "dropped");
  const s = new Session(doc, "kubernetes");
  const u = s.updateNode({ id: "web", type: "celestra-app", data: { name: "web", properties: { image: "nginx:1.27" } } });
  const err: CelestraError | undefined = s.lastError();
  const file: string | undefined = s.file("manifests.yaml");
  const multi = new Session(doc, ["kubernetes", "helm"]);
  const added: boolean = multi.addTarget("compose").full;
  const kept: string[] = multi.targets;
  const helmFiles: Record<string, string> = multi.files("helm");
  // @ts-expect-error: targets are typed
  multi.addTarget("terraform");
  const codes = diagnosticCodes().map((c) => c.code);
  const errs: string = errorCodes().PLAN_BLOCKED;
  try {
    generate(doc, "dsl");
  } catch (e) {
    const ce = e as CelestraError;
    if (ce.code === "INVALID") names.push(...ce.diagnostics.map((d) => d.code));
  }
  // @ts-expect-error: an unknown target is a type error
  generate(doc, "terraform");
  // @ts-expect-error: options are typed
  validate(doc, { live: "yes" });
  // @ts-expect-error: the async variants return Promises
  const notYet: Report = validateAsync(doc);
  return [first?.code ?? "", String(later.totalSteps), String(b?.totalSteps ?? 0), ...names, String(Object.keys(big.files).length), String(checked.isValid),
    String(dropped.length), String(u.full), err?.code ?? "", file ?? "", ...codes, errs, String(schema().type), version(),
    String(notYet), String(added), ...kept, ...Object.keys(helmFiles)];
}
