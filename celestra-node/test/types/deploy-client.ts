// Compiled with `tsc --noEmit --strict` against the package's declarations (scripts/node.sh): a
// typed client of the deploy API must compile, and wrong uses must not (@ts-expect-error).
import {
  DeployError, deploy, deployPlan, deploymentStatus, down, history, rollback, status, delete as deleteProject,
  type ChangePlan, type DeleteReport, type DeployErrorCode, type DeployEvent, type DeployHandle, type DeploymentStatus,
  type DeployTarget, type DownReport, type HistoryEntry, type KubePlan, type NodeState, type Workflow,
} from "./pkg/celestra.js";
import * as engine from "./pkg/celestra.js";

export async function client(doc: Workflow): Promise<string[]> {
  const out: string[] = [];
  const h: DeployHandle = deploy(doc, "docker", { project: "shop", timeoutSeconds: 120, stepTimeoutSeconds: 30, rollbackOnFailure: true, publishAddress: "127.0.0.1", historyMax: 5 });
  for await (const e of h) {
    // The events are a tagged union.
    if (e.type === "step") out.push(`${e.seq} ${e.nodeId} ${e.status} ${e.progress.done}/${e.progress.total} ${e.ref?.name ?? ""}`);
    else if (e.type === "log") out.push(...e.lines);
    else if (e.type === "finished") out.push(e.outcome, e.reason ?? "");
    else if (e.type === "started") out.push(e.project, String(e.nodes.length), String(e.totalWaves));
    if (e.seq > 100) h.cancel();
  }
  const id: string | undefined = h.deploymentId;
  const kept: DeployEvent[] = h.events;
  const s: DeploymentStatus = await h.result();
  const strict: DeploymentStatus = await h.result({ throwOnFailure: true });
  const colors: NodeState[] = s.nodes.map((n) => n.status);
  const folded: DeploymentStatus = deploymentStatus(kept);
  const plan: ChangePlan = await deployPlan(JSON.stringify(doc), "docker", { project: "shop" });
  out.push(...plan.waves.flatMap((w) => w.changes.map((c) => `${c.op} ${c.ref.kind} ${c.why}`)));
  const live: DeploymentStatus = await status("docker", { project: "shop", host: "unix:///var/run/docker.sock" });
  const revs: HistoryEntry[] = await history("docker", { project: "shop" });
  const back: DeploymentStatus = await rollback("docker", { project: "shop", to: revs[0]?.revision }).result();
  const gone: DownReport = await down("docker", { project: "shop", volumes: true });
  try {
    await deploy(doc, "docker").result({ throwOnFailure: true });
  } catch (e) {
    if (e instanceof DeployError) {
      const code: DeployErrorCode = e.code;
      out.push(code, e.message, ...e.diagnostics.map((d) => d.code), e.status?.details ?? "");
    }
  }
  // Kubernetes: its own options, its own plan and delete report.
  const k: DeployHandle = deploy(doc, "kubernetes", {
    project: "shop", namespace: "shop", kubeconfig: "/etc/kube.yaml", context: "c", timeoutSeconds: 120,
    stepTimeoutSeconds: 30, rollbackOnFailure: true, historyMax: 5, forceReplace: true,
  });
  for await (const e of k) out.push(e.target);
  const kp: KubePlan = await deployPlan(doc, "k8s", { kubeconfigText: "apiVersion: v1", namespace: "shop" });
  out.push(...kp.objects.map((o) => `${o.object} ${o.op} ${o.nodeId} ${o.wave}`), ...kp.prune, kp.namespace);
  const ks: DeploymentStatus = await status("kubernetes", { project: "shop", namespace: "shop" });
  const kh: HistoryEntry[] = await history("kubernetes", { project: "shop", kubeconfigText: "x" });
  const kb: DeploymentStatus = await rollback("kubernetes", { project: "shop", to: 1, forceReplace: true }).result();
  const kd: DeleteReport = await down("kubernetes", { project: "shop", namespace: "shop" });
  const kd2: DeleteReport = await deleteProject("kubernetes", { project: "shop" });
  const dd: DownReport = await engine.delete("docker", { project: "shop", volumes: true });
  out.push(ks.details, ...kh.map((r) => r.hash), kb.status, ...kd.objects, String(kd2.parent), ...dd.containers);
  // A target chosen at run time: either result.
  const t: DeployTarget = out.length > 3 ? "docker" : "kubernetes";
  const either: ChangePlan | KubePlan = await deployPlan(doc, t);
  out.push(either.project);
  // @ts-expect-error: not a deploy target
  deploy(doc, "nomad");
  // @ts-expect-error: host is a Docker option
  deploy(doc, "kubernetes", { host: "unix:///var/run/docker.sock" });
  // @ts-expect-error: namespace is a Kubernetes option
  deployPlan(doc, "docker", { namespace: "shop" });
  // @ts-expect-error: volumes is a Docker option
  down("kubernetes", { project: "shop", volumes: true });
  // @ts-expect-error: a Kubernetes plan is not Docker's change plan
  const wrongPlan: ChangePlan = await deployPlan(doc, "kubernetes");
  // @ts-expect-error: delete on Kubernetes reports objects, not containers
  (await deleteProject("kubernetes", { project: "shop" })).containers;
  // @ts-expect-error: options are typed
  deploy(doc, "docker", { timeoutSeconds: "90s" });
  // @ts-expect-error: status needs a project
  await status("docker", {});
  // @ts-expect-error: a handle is not a Promise of a status
  const notYet: DeploymentStatus = deploy(doc, "docker");
  // @ts-expect-error: rollback options are not deploy options
  rollback("docker", { project: "shop", rollbackOnFailure: true });
  return [...out, id ?? "", strict.status, ...colors, folded.details, live.details, back.status, ...gone.containers, String(notYet), String(wrongPlan)];
}
