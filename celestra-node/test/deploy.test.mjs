// The deploy API on the real Docker engine at DOCKER_HOST (scripts/docker.sh's private engine;
// `make node` and scripts/node.sh set it): the test images celestra-test/busybox:1|2 run the shell
// text of $RUN (Apps have no command in the workflow format). Every test uses its own project
// (node-…) and host port (31900-31909; 31908 is a silent fake engine), is bounded in time, and removes its project before and
// after (down with volumes, in a finally). The engine's own view (inspect: start and finish
// times, environment) is read through the Engine API, not taken from the events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import http from "node:http";
import net from "node:net";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const engine = createRequire(import.meta.url)(process.env.CELESTRA_NODE_PKG);
const { DeployError, deploy, deployPlan, deploymentStatus, down, history, rollback, status } = engine;

const HOST = process.env.DOCKER_HOST;
assert.ok(HOST, "DOCKER_HOST is not set: run through scripts/node.sh or make node (scripts/docker.sh start)");
const IMAGE = "celestra-test/busybox:1";
const UNREACHABLE = "unix:///nonexistent.sock";
const BOUND = { timeout: 150_000 };

/** A request to the Engine API (unix socket or tcp://): [status code, parsed body]. */
function engineApi(path) {
  const target = HOST.startsWith("unix://") ? { socketPath: HOST.slice("unix://".length) } : (() => {
    const u = new URL(HOST.replace(/^tcp:/, "http:"));
    return { host: u.hostname, port: u.port };
  })();
  return new Promise((resolve, reject) => {
    const req = http.get({ ...target, path, timeout: 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve([res.statusCode, text ? JSON.parse(text) : null]));
    });
    req.on("timeout", () => req.destroy(new Error(`engine API ${path}: timed out`)));
    req.on("error", reject);
  });
}

async function inspect(name) {
  const [code, body] = await engineApi(`/containers/${name}/json`);
  assert.equal(code, 200, `container ${name}: ${JSON.stringify(body)}`);
  return body;
}

async function exists(name) {
  const [code] = await engineApi(`/containers/${name}/json`);
  return code === 200;
}

/** GET http://127.0.0.1:port/ (the published port), the body. */
function get(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 5_000 }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve(text));
    });
    req.on("timeout", () => req.destroy(new Error(`127.0.0.1:${port}: timed out`)));
    req.on("error", reject);
  });
}

const node = (id, type, name, properties) => ({ id, type, position: { x: 0, y: 0 }, data: { name, properties } });

/** A Job (`job`: its shell text), then an App with an exec health probe serving "hello-node"
 * over httpd, behind a NodePort Service on `port`. */
function stack(project, port, { job = "echo migrated", image = IMAGE } = {}) {
  return {
    schemaVersion: "1.0",
    id: `wf-${project}`,
    name: project,
    nodes: [
      node("j", "celestra-job", "migrate", { image: IMAGE, command: ["sh", "-c", job], backoffLimit: 0, restartPolicy: "Never" }),
      node("a", "celestra-app", "web", {
        image,
        port: 8080,
        readinessProbe: { type: "exec", command: ["test", "-f", "/tmp/ready"], periodSeconds: 1 },
        environment: { RUN: "mkdir -p /www && echo hello-node > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www" },
      }),
      node("s", "celestra-service", "web-svc", {
        type: "NodePort",
        ports: [{ name: "http", port: 8080, targetPort: 8080, nodePort: port, protocol: "TCP" }],
      }),
    ],
    connections: [
      { id: "c1", source: "j", target: "a", type: "dependency" },
      { id: "c2", source: "a", target: "s", type: "dependency" },
    ],
  };
}

/** One App that runs `run`, no probe, no Service. */
function oneApp(project, run, environment = {}) {
  return {
    schemaVersion: "1.0",
    id: `wf-${project}`,
    name: project,
    nodes: [node("a", "celestra-app", "web", { image: IMAGE, port: 8080, environment: { RUN: run, ...environment } })],
    connections: [],
  };
}

const opts = (project, more = {}) => ({ project, stepTimeoutSeconds: 60, timeoutSeconds: 120, ...more });
const clean = (project) => down("docker", { project, volumes: true });

/** Runs `body` with the project removed before and after. */
async function withProject(project, body) {
  await clean(project);
  try {
    await body();
  } finally {
    await clean(project);
  }
}

/** Every event of a handle (`for await`), checked: seq 1, 2, 3… of one deployment, progress never
 * going down, a `started` first and a `finished` last, and the core's fold equal to `result()`. */
async function collect(h, onEvent = () => {}) {
  const events = [];
  for await (const e of h) {
    events.push(e);
    onEvent(e);
  }
  const s = await h.result();
  assert.ok(events.length > 0);
  events.forEach((e, i) => {
    assert.equal(e.seq, i + 1, "seq strictly increasing from 1");
    assert.equal(e.deploymentId, events[0].deploymentId);
  });
  assert.equal(h.deploymentId, events[0].deploymentId);
  assert.equal(events[0].type, "started");
  assert.equal(events.at(-1).type, "finished");
  let last = 0;
  for (let i = 1; i <= events.length; i++) {
    const p = deploymentStatus(events.slice(0, i)).progress;
    assert.ok(p >= last, `progress went down at seq ${i}`);
    last = p;
  }
  assert.deepEqual(deploymentStatus(events), s, "folding the events gives the final status");
  assert.deepEqual(h.events, events);
  assert.equal(h.done, true);
  return { events, s };
}

const byName = (s, name) => s.nodes.find((n) => n.name === name);
const isDeployError = (code, message) => (e) => {
  assert.ok(e instanceof DeployError, `a DeployError, got ${e}`);
  assert.equal(e.name, "DeployError");
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

test("a deploy streams its events with for await while the event loop keeps ticking; the job finishes before the app starts; status, history and the dry run agree", BOUND, async () => {
  const p = "node-deploy";
  await withProject(p, async () => {
    let ticks = 0;
    let lastTick = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - lastTick);
      lastTick = now;
      ticks++;
    }, 5);
    const started = performance.now();
    const h = deploy(stack(p, 31900), "docker", opts(p));
    assert.equal(h.done, false);
    let result;
    try {
      result = await collect(h);
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - started;
    const { events, s } = result;
    // The deploy took seconds (readiness gates); the event loop ran all along.
    assert.ok(ticks > ms / 50, `the event loop ticked ${ticks} times in ${ms.toFixed(0)} ms`);
    assert.ok(maxGap < 1_000, `the longest pause of the event loop was ${maxGap.toFixed(0)} ms`);

    assert.equal(s.status, "success", JSON.stringify(s, null, 1));
    assert.equal(s.progress, 100);
    assert.equal(s.revision, 1);
    assert.equal(s.project, p);
    assert.equal(s.deploymentId, h.deploymentId);
    assert.deepEqual(s.nodes.map((n) => [n.name, n.status]), [["migrate", "ready"], ["web", "ready"], ["web-svc", "ready"]]);
    assert.equal(events.at(-1).outcome, "success");
    for (const e of events) assert.equal(e.target, "docker");

    // Event order: the job's verdict comes before anything of the app.
    const jobDone = events.findIndex((e) => e.type === "step" && e.nodeId === "j" && !e.ref && e.status === "succeeded");
    const appFirst = events.findIndex((e) => e.type === "step" && e.nodeId === "a");
    assert.ok(jobDone > 0 && appFirst > jobDone, `job ready at ${jobDone}, app's first event at ${appFirst}`);
    // The engine's own clock: the job exited 0 before the app started.
    const job = await inspect(`${p}-migrate-1`);
    const app = await inspect(`${p}-web-1`);
    assert.equal(job.State.ExitCode, 0);
    assert.ok(Date.parse(job.State.FinishedAt) <= Date.parse(app.State.StartedAt), `${job.State.FinishedAt} <= ${app.State.StartedAt}`);
    // The gate ran the probe itself at once; Docker's own first check follows within its
    // interval (1 s here): wait for it, bounded.
    let health = app.State.Health.Status;
    for (let i = 0; i < 50 && health !== "healthy"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      health = (await inspect(`${p}-web-1`)).State.Health.Status;
    }
    assert.equal(health, "healthy");
    // Published on loopback, serving.
    assert.equal(app.HostConfig.PortBindings["8080/tcp"][0].HostIp, "127.0.0.1");
    assert.match(await get(31900), /hello-node/);

    // status, read from the engine now, agrees.
    const live = await status("docker", { project: p });
    assert.equal(live.status, "success");
    assert.equal(live.revision, 1);
    assert.deepEqual(live.nodes.map((n) => n.status), ["ready", "ready", "ready"]);
    // history: one revision, without the workflow snapshot (it may hold secret values).
    const revs = await history("docker", { project: p });
    assert.equal(revs.length, 1);
    assert.equal(revs[0].revision, 1);
    assert.equal(revs[0].outcome, "success");
    assert.equal(revs[0].deploymentId, h.deploymentId);
    assert.deepEqual(revs[0].jobsRan, ["j"]);
    assert.match(revs[0].hash, /^fnv1a64:[0-9a-f]{16}$/);
    assert.equal(revs[0].workflow, undefined);
    assert.equal(revs[0].options.project, p);
    // The dry run of the same workflow changes nothing.
    const plan = await deployPlan(stack(p, 31900), "docker", opts(p));
    assert.equal(plan.project, p);
    const changes = [...plan.infrastructure, ...plan.waves.flatMap((w) => w.changes), ...plan.prune];
    assert.ok(changes.length >= 3);
    assert.deepEqual(changes.filter((c) => c.op !== "unchanged"), []);
    // ...and an edit would recreate the app only, saying why.
    const edited = stack(p, 31900);
    edited.nodes[1].data.properties.environment.GREETING = "bonjour";
    const changed = (await deployPlan(edited, "docker", opts(p))).waves.flatMap((w) => w.changes).filter((c) => c.op !== "unchanged");
    assert.deepEqual(changed.map((c) => [c.ref.name, c.op, c.why]), [[`${p}-web-1`, "recreate", "changed: env"]]);
    // cancel() after the end does nothing.
    h.cancel();
    assert.equal((await h.result()).status, "success");
  });
});

test("a failing job (exit 3) fails the deploy with ExitCode and its log; throwOnFailure gives GATE_FAILED; nothing after it starts", BOUND, async () => {
  const p = "node-jobfail";
  await withProject(p, async () => {
    const h = deploy(stack(p, 31901, { job: "echo step one; echo boom >&2; exit 3" }), "docker", opts(p));
    const { s } = await collect(h);
    assert.equal(s.status, "failed");
    assert.equal(s.reason, "error");
    assert.ok(s.progress < 100);
    const job = byName(s, "migrate");
    assert.equal(job.status, "failed");
    assert.equal(job.reason, "ExitCode");
    assert.match(job.message, /code 3/);
    assert.ok(job.log.includes("step one") && job.log.some((l) => l.includes("boom")), JSON.stringify(job.log));
    assert.equal(byName(s, "web").status, "skipped");
    assert.equal(await exists(`${p}-web-1`), false, "nothing after the failed job starts");
    // A failed deployment is a result; asked for, it is a DeployError carrying the status.
    await assert.rejects(h.result({ throwOnFailure: true }), (e) => {
      isDeployError("GATE_FAILED", /migrate/)(e);
      assert.deepEqual(e.status, s);
      return true;
    });
    // status from the engine says the same.
    const live = await status("docker", { project: p });
    assert.equal(live.status, "failed");
    assert.equal(byName(live, "migrate").status, "failed");
  });
});

test("a missing image is IMAGE_NOT_FOUND, before any container of its node (never pulled)", BOUND, async () => {
  const p = "node-noimage";
  await withProject(p, async () => {
    const h = deploy(stack(p, 31902, { image: "celestra-test/absent:1" }), "docker", opts(p));
    const { s } = await collect(h);
    assert.equal(s.status, "failed");
    const web = byName(s, "web");
    assert.equal(web.reason, "ImageNotFound");
    assert.match(web.message, /celestra-test\/absent:1/);
    await assert.rejects(h.result({ throwOnFailure: true }), isDeployError("IMAGE_NOT_FOUND", /celestra-test\/absent:1/));
    assert.equal(await exists(`${p}-web-1`), false);
  });
});

test("cancel() mid-deploy (a job sleeping 30 s) ends it CANCELLED at once; a redeploy then converges", BOUND, async () => {
  const p = "node-cancel";
  await withProject(p, async () => {
    const t0 = performance.now();
    const h = deploy(stack(p, 31903, { job: "sleep 30" }), "docker", opts(p));
    let cancelledAt;
    const { s } = await collect(h, (e) => {
      // The job's container runs: its gate waits for the exit.
      if (cancelledAt === undefined && e.type === "step" && e.nodeId === "j" && e.action === "wait" && e.status === "in_progress") {
        cancelledAt = e.seq;
        h.cancel();
      }
    });
    assert.ok(cancelledAt, "the job started");
    assert.ok(performance.now() - t0 < 25_000, "cancelled, not waited out");
    assert.equal(s.status, "failed");
    assert.equal(s.reason, "cancelled");
    await assert.rejects(h.result({ throwOnFailure: true }), isDeployError("CANCELLED"));
    assert.equal(await exists(`${p}-web-1`), false, "nothing after the cancelled step starts");
    // The next deploy converges from what was left.
    const again = deploy(stack(p, 31903), "docker", opts(p));
    const { s: s2 } = await collect(again);
    assert.equal(s2.status, "success", JSON.stringify(s2, null, 1));
    assert.equal(s2.revision, 2);
    assert.match(await get(31903), /hello-node/);
  });
});

test("cancel() while the engine has not answered yet ends the handle CANCELLED at once", BOUND, async () => {
  // An "engine" on loopback that accepts connections and never answers.
  const silent = net.createServer(() => {});
  await new Promise((resolve) => silent.listen(31908, "127.0.0.1", resolve));
  try {
    const t0 = performance.now();
    const h = deploy(oneApp("node-early", "sleep 3600"), "docker", opts("node-early", { host: "tcp://127.0.0.1:31908" }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.done, false, "still connecting");
    h.cancel();
    await assert.rejects(h.result(), isDeployError("CANCELLED", /before the Docker engine answered/));
    assert.ok(performance.now() - t0 < 5_000, "not the 10 s connect timeout");
    assert.deepEqual(h.events, []);
  } finally {
    silent.close();
  }
});

test("a running deploy keeps the process alive until it ends (nothing awaited)", BOUND, async () => {
  const p = "node-alive";
  await withProject(p, async () => {
    const script = `
      const { deploy } = require(process.env.CELESTRA_NODE_PKG);
      const h = deploy(${JSON.stringify(oneApp(p, "sleep 3600"))}, "docker", { project: ${JSON.stringify(p)}, stepTimeoutSeconds: 60 });
      process.on("exit", () => console.log(JSON.stringify({ done: h.done, events: h.events.length, last: h.events.at(-1)?.type })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { timeout: 60_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.done, true);
    assert.equal(out.last, "finished");
    assert.ok(out.events > 3);
    assert.equal((await inspect(`${p}-web-1`)).State.Running, true);
  });
});

test("an unreachable engine is ENGINE_UNREACHABLE naming it, from every call", BOUND, async () => {
  const named = isDeployError("ENGINE_UNREACHABLE", /\/nonexistent\.sock/);
  const h = deploy(stack("node-unreachable", 31904), "docker", { project: "node-unreachable", host: UNREACHABLE });
  const seen = [];
  await assert.rejects(async () => {
    for await (const e of h) seen.push(e);
  }, named);
  assert.deepEqual(seen, []);
  assert.equal(h.deploymentId, undefined);
  // result() rejects with the same error object.
  let fromIterator;
  try {
    for await (const _ of h);
  } catch (e) {
    fromIterator = e;
  }
  await assert.rejects(h.result(), (e) => e === fromIterator);
  await assert.rejects(rollback("docker", { project: "node-unreachable", host: UNREACHABLE }).result(), named);
  await assert.rejects(deployPlan(stack("node-unreachable", 31904), "docker", { host: UNREACHABLE }), named);
  await assert.rejects(status("docker", { project: "node-unreachable", host: UNREACHABLE }), named);
  await assert.rejects(history("docker", { project: "node-unreachable", host: UNREACHABLE }), named);
  await assert.rejects(down("docker", { project: "node-unreachable", host: UNREACHABLE }), named);
  await assert.rejects(status("docker", { project: "x", host: "ftp://127.0.0.1" }), isDeployError("OPTION", /unsupported Docker host/));
});

test("bad arguments are DeployErrors (OPTION, INVALID) through the handle or the Promise, never thrown synchronously", BOUND, async () => {
  const wf = stack("node-args", 31905);
  const option = (re) => isDeployError("OPTION", re);
  let h;
  assert.doesNotThrow(() => (h = deploy(wf, "docker", { project: "node-args", bogus: 1 })));
  await assert.rejects(h.result(), option(/unknown field `bogus`/));
  await assert.rejects(async () => {
    for await (const _ of h);
  }, option(/bogus/));
  // The Docker engine's address is no Kubernetes option (deploy-kube.test.mjs has the rest).
  await assert.rejects(deploy(wf, "kubernetes", { host: HOST }).result(), option(/host is a Docker option/));
  await assert.rejects(deploy(wf, "swarm").result(), option(/unknown deploy target "swarm"/));
  await assert.rejects(deploy(wf, "docker", { timeoutSeconds: -1 }).result(), option(/timeoutSeconds must be a positive number/));
  await assert.rejects(deploy(wf, "docker", { historyMax: 0 }).result(), option(/historyMax/));
  await assert.rejects(deploy(wf, "docker", { rollbackOnFailure: "yes" }).result(), option(/expected a boolean/));
  await assert.rejects(deploy(wf, "docker", "fast").result(), option(/options must be an object/));
  await assert.rejects(deploy(undefined, "docker").result(), option(/not a JSON value/));
  await assert.rejects(deploy("{", "docker").result(), (e) => option(/line 1/)(e) && e.line === 1);
  await assert.rejects(deploy(wf, "docker", { project: "Bad Name!" }).result(), option(/project/));
  await assert.rejects(rollback("docker", { project: "node-args", rollbackOnFailure: true }).result(), option(/rollbackOnFailure/));
  await assert.rejects(rollback("docker", {}).result(), option(/missing field `project`/));
  await assert.rejects(status("docker"), option(/missing field `project`/));
  await assert.rejects(history("docker", { project: "x", volumes: true }), option(/volumes/));
  await assert.rejects(down("kubernetes", { project: "x", volumes: true }), option(/volumes is a Docker option/));
  await assert.rejects(deploy(wf, "docker", { host: UNREACHABLE }).result({ bogus: true }), option(/throwOnFailure/));
  // A workflow with errors is refused before any engine call (the engine here is unreachable),
  // with its findings.
  const broken = structuredClone(wf);
  delete broken.nodes[1].data.properties.image;
  broken.nodes[0].data.properties.backoffLimit = -1;
  await assert.rejects(deploy(broken, "docker", { host: UNREACHABLE }).result(), (e) => {
    isDeployError("INVALID")(e);
    assert.ok(e.diagnostics.length >= 1);
    assert.ok(e.diagnostics.every((d) => d.severity === "error" && typeof d.code === "string"));
    assert.deepEqual(e.diagnostics, engine.validate(broken).errors);
    return true;
  });
  await assert.rejects(deployPlan(broken, "docker", { host: UNREACHABLE }), isDeployError("INVALID"));
  // The reducer on its own.
  assert.equal(deploymentStatus([]).status, "pending");
  assert.throws(() => deploymentStatus([{ seq: "one" }]), option(/events/));
});

test("rollback restores an earlier revision as a new one; history lists them; down removes the project", BOUND, async () => {
  const p = "node-rollback";
  await withProject(p, async () => {
    const v1 = oneApp(p, "sleep 3600");
    const v2 = oneApp(p, "sleep 3600", { GREETING: "v2" });
    for (const wf of [v1, v2]) assert.equal((await collect(deploy(wf, "docker", opts(p)))).s.status, "success");
    assert.ok((await inspect(`${p}-web-1`)).Config.Env.includes("GREETING=v2"));
    // Back to the newest successful revision before the current: 1.
    const h = rollback("docker", { project: p, stepTimeoutSeconds: 60 });
    const { events, s } = await collect(h);
    assert.equal(events[0].rollbackOf, 1);
    assert.equal(s.status, "success", JSON.stringify(s, null, 1));
    assert.equal(s.revision, 3);
    const env = (await inspect(`${p}-web-1`)).Config.Env;
    assert.ok(!env.some((e) => e.startsWith("GREETING=")), JSON.stringify(env));
    const revs = await history("docker", { project: p });
    assert.deepEqual(revs.map((r) => [r.revision, r.rollbackOf ?? null, r.outcome]), [[1, null, "success"], [2, null, "success"], [3, 1, "success"]]);
    assert.equal(revs[2].hash, revs[0].hash);
    // Forward again to 2, by number.
    assert.equal((await rollback("docker", { project: p, to: 2 }).result()).revision, 4);
    assert.ok((await inspect(`${p}-web-1`)).Config.Env.includes("GREETING=v2"));
    // A revision that is not kept.
    await assert.rejects(rollback("docker", { project: p, to: 9 }).result(), isDeployError("NO_HISTORY", /1, 2, 3, 4/));
    // down: everything of the project, revision records included.
    const gone = await down("docker", { project: p, volumes: true });
    assert.deepEqual(gone.containers, [`${p}-web-1`]);
    assert.deepEqual(gone.networks, [`${p}_default`]);
    assert.equal(gone.revisions, 4);
    assert.equal(await exists(`${p}-web-1`), false);
    assert.deepEqual(await history("docker", { project: p }), []);
    await assert.rejects(status("docker", { project: p }), isDeployError("NO_HISTORY", /node-rollback/));
    await assert.rejects(rollback("docker", { project: p }).result(), isDeployError("NO_HISTORY"));
    assert.deepEqual(await down("docker", { project: p }), { containers: [], networks: [], volumes: [], revisions: 0 });
  });
});
