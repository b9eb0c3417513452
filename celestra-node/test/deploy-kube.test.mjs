// The deploy API on the real Kubernetes 1.20.2 cluster of scripts/kube.sh (`make node` starts it
// and passes scripts/kube.sh env: KUBECONFIG, CELESTRA_KUBECTL, CELESTRA_KUBECONFIG_LIMITED; the
// test images celestra-test/busybox:1|2 on its Docker engine run the shell text of $RUN).
// Every test creates its own namespace (nd-<name>-<pid>) with kubectl, passes it as `namespace`,
// and deletes it at the end (--wait=false); each is bounded in time and checks the cluster's own
// view through kubectl 1.20 (resourceVersions, labels), not only the events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const engine = createRequire(import.meta.url)(process.env.CELESTRA_NODE_PKG);
const { DeployError, deploy, deployPlan, deploymentStatus, down, history, rollback, status } = engine;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KUBECONFIG = process.env.KUBECONFIG;
const KUBECTL = process.env.CELESTRA_KUBECTL;
const LIMITED = process.env.CELESTRA_KUBECONFIG_LIMITED;
assert.ok(KUBECONFIG && KUBECTL && LIMITED, "KUBECONFIG, CELESTRA_KUBECTL, CELESTRA_KUBECONFIG_LIMITED are not set: run through scripts/node.sh or make node (scripts/kube.sh start)");
const BOUND = { timeout: 180_000 };
/** The fixture's secret value: never in an event, a status or an error. */
const SECRET = "s3cr3t-canary-7f3a";
const PART_OF = "applyset.kubernetes.io/part-of";
const APPLYSET_ID = "applyset.kubernetes.io/id";
const ex2 = () => JSON.parse(readFileSync(path.join(REPO, "tests/fixtures/deploy/ex2-kube.json"), "utf8"));
const props = (wf, id) => wf.nodes.find((n) => n.id === id).data.properties;

/** kubectl on the test cluster: { ok, text } (stdout and stderr). */
function kubectl(...args) {
  const r = spawnSync(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", timeout: 60_000 });
  return { ok: r.status === 0, text: (r.stdout ?? "") + (r.stderr ?? "") };
}

function kubectlJson(...args) {
  const { ok, text } = kubectl(...args, "-o", "json");
  assert.ok(ok, `kubectl ${args.join(" ")}: ${text}`);
  return JSON.parse(text);
}

/** Runs `body(ns)` in a namespace of its own, created now and deleted (without waiting) after. */
async function withNamespace(name, body) {
  const ns = `nd-${name}-${process.pid}`;
  const { ok, text } = kubectl("create", "namespace", ns);
  assert.ok(ok, text);
  try {
    await body(ns);
  } finally {
    kubectl("delete", "namespace", ns, "--wait=false");
  }
}

/** `Kind/name` → resourceVersion of every member of a Celestra project in `ns`. */
function versions(ns) {
  const list = kubectlJson("-n", ns, "get", "deployments,statefulsets,jobs,services,configmaps,secrets", "-l", "app.kubernetes.io/managed-by=celestra");
  return Object.fromEntries(
    list.items.filter((o) => PART_OF in (o.metadata.labels ?? {})).map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
  );
}

/** Every event of a handle, checked: seq 1, 2, 3… of one deployment on the kubernetes target, a
 * `started` first and a `finished` last, and the core's fold equal to `result()`. */
async function collect(h) {
  const events = [];
  for await (const e of h) events.push(e);
  const s = await h.result();
  assert.ok(events.length > 0);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "seq strictly increasing from 1");
  assert.deepEqual([...new Set(events.map((e) => e.deploymentId))], [s.deploymentId]);
  assert.deepEqual([...new Set(events.map((e) => e.target))], ["kubernetes"]);
  assert.equal(events[0].type, "started");
  assert.equal(events.at(-1).type, "finished");
  assert.deepEqual(deploymentStatus(events), s, "folding the events gives the final status");
  assert.deepEqual(h.events, events);
  return { events, s };
}

const isDeployError = (code, ...patterns) => (e) => {
  assert.ok(e instanceof DeployError, `a DeployError, got ${e}`);
  assert.equal(e.code, code, e.message);
  for (const p of patterns) assert.match(e.message, p);
  return true;
};

test("Ex2 on Kubernetes: deploy streams its events, a redeploy (kubeconfig as text) changes nothing, status, history, the dry run of an edit, rollback, delete", BOUND, async () => {
  await withNamespace("ex2", async (ns) => {
    const project = "nd-ex2";
    const opts = { project, namespace: ns, timeoutSeconds: 150, stepTimeoutSeconds: 90 };
    const { events, s } = await collect(deploy(ex2(), "kubernetes", { ...opts, kubeconfig: KUBECONFIG }));
    assert.equal(s.status, "success", s.details);
    assert.equal(s.progress, 100);
    assert.equal(s.revision, 1);
    assert.equal(s.project, project);
    assert.equal(s.nodes.length, 7);
    assert.deepEqual(s.nodes.filter((n) => n.status !== "ready").map((n) => [n.name, n.message]), []);
    assert.equal(events.at(-1).outcome, "success");
    const waves = events.filter((e) => e.type === "waveStarted").map((e) => e.wave);
    assert.deepEqual(waves, [...Array(s.totalWaves).keys()]);
    assert.ok(waves.length >= 4, `${waves.length} waves`);
    assert.ok(!JSON.stringify(events).includes(SECRET) && !JSON.stringify(s).includes(SECRET), "no secret value in events or status");
    // The cluster's view: the Job ran with the Secret's value injected; the parent Secret names the
    // ApplySet; the members carry its part-of label.
    const log = kubectl("-n", ns, "logs", "job/pg-migrate");
    assert.ok(log.ok && log.text.includes("migrated as app"), log.text);
    const id = kubectlJson("-n", ns, "get", "secret", `celestra-${project}`).metadata.labels[APPLYSET_ID];
    assert.match(id, /^applyset-/);
    const before = versions(ns);
    assert.deepEqual(Object.keys(before).sort(), [
      "ConfigMap/pg-init", "Deployment/api", "Job/pg-migrate", "Secret/pg-auth", "Service/api-svc", "Service/pg", "Service/pg-rw", "StatefulSet/pg",
    ]);

    // A second deploy of the same workflow, the kubeconfig given as text: nothing changes.
    const text = readFileSync(KUBECONFIG, "utf8");
    const again = await collect(deploy(ex2(), "k8s", { ...opts, kubeconfigText: text }));
    assert.equal(again.s.status, "success", again.s.details);
    assert.equal(again.s.revision, 2);
    assert.deepEqual(versions(ns), before, "a redeploy of the same workflow changed objects");
    assert.deepEqual(again.events.filter((e) => e.type === "step" && e.action === "apply" && e.status === "succeeded"), [], "nothing is sent for unchanged objects");

    // Status from the cluster now; the history without snapshots.
    const live = await status("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG });
    assert.equal(live.status, "success", live.details);
    assert.equal(live.revision, 2);
    assert.deepEqual(live.nodes.map((n) => n.status), Array(7).fill("ready"));
    const revs = await history("kubernetes", { project, namespace: ns, kubeconfigText: text });
    assert.deepEqual(revs.map((r) => [r.revision, r.outcome]), [[1, "success"], [2, "success"]]);
    assert.deepEqual(revs.map((r) => r.jobsRan), [["j1"], []], "an unchanged Job does not run again");
    assert.equal(revs[0].deploymentId, s.deploymentId);
    assert.equal(revs[1].options.namespace, ns);
    assert.ok(revs.every((r) => r.workflow === undefined) && !JSON.stringify(revs).includes(SECRET));

    // The dry run: the deployed workflow changes nothing; an edit updates its Deployment only.
    const same = await deployPlan(ex2(), "kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG });
    assert.equal(same.project, project);
    assert.equal(same.namespace, ns);
    assert.deepEqual(same.prune, []);
    assert.equal(same.objects.length, 8);
    assert.deepEqual([...new Set(same.objects.map((o) => o.op))], ["unchanged"]);
    const edited = ex2();
    props(edited, "a1").environment.GREETING = "hello again";
    const plan = await deployPlan(edited, "kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG });
    assert.deepEqual(plan.objects.filter((o) => o.op !== "unchanged").map((o) => [o.object, o.nodeId, o.op]), [[`Deployment/${ns}/api`, "a1", "update"]]);
    assert.deepEqual(versions(ns), before, "a dry run writes nothing");

    // Rollback to the newest successful revision before the current (1), as revision 3.
    const rb = await collect(rollback("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG, timeoutSeconds: 150, stepTimeoutSeconds: 90 }));
    assert.equal(rb.s.status, "success", rb.s.details);
    assert.equal(rb.s.revision, 3);
    assert.equal(rb.events[0].rollbackOf, 1);
    assert.deepEqual((await history("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG })).map((r) => [r.revision, r.rollbackOf ?? null]), [[1, null], [2, null], [3, 1]]);

    // delete: every member, the revision records and the parent; nothing left with the label.
    const report = await engine.delete("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG });
    assert.equal(report.objects.length, 8, JSON.stringify(report));
    assert.ok(report.objects.includes(`Deployment/${ns}/api`), JSON.stringify(report));
    assert.equal(report.revisions, 3);
    assert.equal(report.parent, true);
    const left = kubectl("-n", ns, "get", "secrets,configmaps,deployments,statefulsets,jobs,services", "-l", `${PART_OF}=${id}`, "-o", "name");
    assert.ok(left.ok && ["", "No resources found"].includes(left.text.trim()), left.text);
    const parent = kubectl("-n", ns, "get", "secret", `celestra-${project}`, "-o", "name");
    assert.ok(!parent.ok && parent.text.includes("NotFound"), parent.text);
    assert.deepEqual(await history("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG }), []);
    await assert.rejects(status("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG }), isDeployError("NO_HISTORY", new RegExp(ns)));
    // down is the same call; nothing is left to remove.
    assert.deepEqual(await down("kubernetes", { project, namespace: ns, kubeconfig: KUBECONFIG }), { objects: [], revisions: 0, parent: false });
  });
});

/** A kubeconfig for the test cluster whose one user is `user` (YAML flow text). */
function foreign(text, user) {
  const server = /server:\s*(\S+)/.exec(text)[1];
  return `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '${server}', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: ${user}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
}

test("a kubeconfig given as text carries inline credentials only; the cluster's refusals have their codes; no credential in any message", BOUND, async () => {
  await withNamespace("conn", async (ns) => {
    const text = readFileSync(KUBECONFIG, "utf8");
    const token = /token:\s*(\S+)/.exec(text)?.[1];
    assert.ok(token, "the test kubeconfig carries a token inline");
    const dir = mkdtempSync(path.join(tmpdir(), "nd-kube-"));
    const marker = path.join(dir, "pwned");
    const errors = [];
    const refused = async (promise, code, ...patterns) => {
      await assert.rejects(promise, (e) => {
        isDeployError(code, ...patterns)(e);
        errors.push(e);
        return true;
      });
    };
    try {
      // An exec credential plugin is refused before anything runs, from every call.
      const exec = { kubeconfigText: foreign(text, `{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/touch, args: [${marker}]}}`), namespace: ns };
      const wf = ex2();
      await refused(status("kubernetes", { project: "nd-x", ...exec }), "OPTION", /exec/);
      await refused(history("kubernetes", { project: "nd-x", ...exec }), "OPTION", /exec/);
      await refused(engine.delete("kubernetes", { project: "nd-x", ...exec }), "OPTION", /exec/);
      await refused(deployPlan(wf, "kubernetes", exec), "OPTION", /exec/);
      await refused(deploy(wf, "kubernetes", exec).result(), "OPTION", /exec/);
      await refused(rollback("kubernetes", { project: "nd-x", ...exec }).result(), "OPTION", /exec/);
      assert.equal(existsSync(marker), false, "the exec plugin ran");
      // A file read, a proxy: refused too; not a kubeconfig; a file that does not exist.
      await refused(status("kubernetes", { project: "nd-x", kubeconfigText: foreign(text, "{tokenFile: /etc/shadow}") }), "OPTION", /tokenFile/);
      await refused(status("kubernetes", { project: "nd-x", kubeconfigText: text.replace("server:", "proxy-url: http://127.0.0.1:1\n    server:") }), "OPTION", /proxy-url/);
      await refused(status("kubernetes", { project: "nd-x", kubeconfigText: "- not: [a, kubeconfig" }), "OPTION", /kubeconfig/);
      await refused(status("kubernetes", { project: "nd-x", kubeconfig: path.join(dir, "absent.yaml") }), "OPTION", /absent\.yaml/);
      // A wrong token; a user without permissions (listing the revision records is forbidden).
      await refused(history("kubernetes", { project: "nd-x", namespace: ns, kubeconfigText: text.replace(/(token:\s*)\S+/, "$1not-a-token") }), "UNAUTHORIZED", /401/);
      await refused(history("kubernetes", { project: "nd-x", namespace: ns, kubeconfig: LIMITED }), "FORBIDDEN", new RegExp(ns));
      // Nobody listening.
      const gone = text.replace(/(server:\s*https:\/\/127\.0\.0\.1:)\d+/, "$116499");
      assert.notEqual(gone, text);
      await refused(status("kubernetes", { project: "nd-x", namespace: ns, kubeconfigText: gone }), "ENGINE_UNREACHABLE", /127\.0\.0\.1:16499/);
      // A workflow with errors is refused before the cluster is contacted (unreachable here).
      const broken = ex2();
      delete props(broken, "a1").image;
      await refused(deploy(broken, "kubernetes", { namespace: ns, kubeconfigText: gone }).result(), "INVALID");
      assert.ok(errors.at(-1).diagnostics.length > 0);
      assert.equal(errors.length, 14);
      for (const e of errors) {
        assert.ok(!e.message.includes(token) && !e.message.includes(SECRET), e.message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("options of the other target, and bad Kubernetes options, are OPTION errors (never thrown synchronously)", BOUND, async () => {
  const wf = ex2();
  const option = (...patterns) => isDeployError("OPTION", ...patterns);
  let h;
  assert.doesNotThrow(() => (h = deploy(wf, "kubernetes", { host: "unix:///var/run/docker.sock" })));
  await assert.rejects(h.result(), option(/host is a Docker option/));
  await assert.rejects(deploy(wf, "kubernetes", { publishAddress: "0.0.0.0" }).result(), option(/publishAddress is a Docker option/));
  await assert.rejects(deployPlan(wf, "kubernetes", { host: "tcp://127.0.0.1:2375" }), option(/host/));
  await assert.rejects(rollback("kubernetes", { project: "p", publishAddress: "0.0.0.0" }).result(), option(/publishAddress/));
  await assert.rejects(down("kubernetes", { project: "p", volumes: false }), option(/volumes is a Docker option/));
  await assert.rejects(status("kubernetes", { project: "p", host: "unix:///x.sock" }), option(/host/));
  for (const o of [{ kubeconfig: KUBECONFIG }, { kubeconfigText: "apiVersion: v1" }, { context: "c" }, { namespace: "ns" }, { forceReplace: false }]) {
    const name = Object.keys(o)[0];
    await assert.rejects(deploy(wf, "docker", o).result(), option(new RegExp(`${name} is a Kubernetes option`)));
    await assert.rejects(deployPlan(wf, "docker", o), option(new RegExp(name)));
  }
  await assert.rejects(history("docker", { project: "p", namespace: "default" }), option(/namespace is a Kubernetes option/));
  await assert.rejects(engine.delete("docker", { project: "p", kubeconfig: KUBECONFIG }), option(/kubeconfig/));
  // Kubernetes' own rules.
  await assert.rejects(deploy(wf, "kubernetes", { kubeconfig: KUBECONFIG, kubeconfigText: "x" }).result(), option(/not both/));
  await assert.rejects(deploy(wf, "kubernetes", { namespace: "Not_A_Namespace" }).result(), option(/Not_A_Namespace/));
  await assert.rejects(status("kubernetes", { project: "Bad Name!", kubeconfig: KUBECONFIG }), option(/Bad Name!/));
  await assert.rejects(deploy(wf, "kubernetes", { project: "UPPER" }).result(), option(/UPPER/));
  await assert.rejects(deploy(wf, "kubernetes", { timeoutSeconds: 0 }).result(), option(/timeoutSeconds/));
  await assert.rejects(deploy(wf, "kubernetes", { forceReplace: "yes" }).result(), option(/expected a boolean/));
  await assert.rejects(deploy(wf, "kubernetes", { namspace: "typo" }).result(), option(/unknown field `namspace`/));
  await assert.rejects(status("kubernetes", { namespace: "x" }), option(/missing field `project`/));
  await assert.rejects(deploy(wf, "nomad").result(), option(/unknown deploy target "nomad": use "docker" or "kubernetes"/));
});

test("DeployErrorCode lists every stable code of the core", () => {
  const src = readFileSync(path.join(REPO, "celestra-core/src/deploy/driver/mod.rs"), "utf8");
  const body = src.slice(src.indexOf("pub fn as_str(self)"));
  const core = [...body.slice(0, body.indexOf("\n    }\n")).matchAll(/ErrorCode::\w+ => "([A-Z_]+)"/g)].map((m) => m[1]);
  assert.ok(core.length >= 17 && core.includes("CRD_MISSING"), core.join(" "));
  const dts = readFileSync(path.join(process.env.CELESTRA_NODE_PKG, "deploy.d.ts"), "utf8");
  const union = dts.slice(dts.indexOf("export type DeployErrorCode ="), dts.indexOf(";", dts.indexOf("export type DeployErrorCode =")));
  const typed = [...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(typed.sort(), [...core, "INTERNAL"].sort());
});
