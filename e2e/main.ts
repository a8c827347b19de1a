// The end-to-end run: real Pulumi engine, real kube-apiserver (with the Gloo and Gateway API CRDs), real Consul
// and Envoy traffic, all on loopback. See e2e/README.md; started by `npm run e2e` (e2e/e2e.sh).
//
//   node --import tsx e2e/main.ts --bin DIR [--only PROGRAM_DIR]... [--keep]
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { missingOrDifferent, durationMs } from "./lib/compare";
import { EngineStack, type OpResult } from "./lib/engine";
import {
  feedInTurn,
  startEnvoyGateway,
  translate,
  untilProgrammed,
  type EnvoyGateway,
  type GatewayExpectation,
} from "./lib/gateway";
import { apply, get, installCrds, list, objectPath, startCluster, type KubeCluster } from "./lib/kube";
import {
  deleteEntry,
  deregister,
  httpRequest,
  listEntries,
  readEntry,
  registerClient,
  registerInstances,
  startConsul,
  writeEntryFile,
  type ConsulAgent,
  type Client,
  type Instance,
} from "./lib/mesh";
import { recordPidsIn, sleep, startProcess, stopAll, stopProcess, waitFor } from "./lib/processes";
import { backgroundLoop, sample, untilServing, withinBinomialBound, type Counted } from "./lib/traffic";
import { PROGRAMS, PROMOTION, type ConfigOp, type Program } from "./scenarios";
import { envoySource } from "../src/promote/metrics";
import { promote, PromotionOutcome, type PromotionReport, type PromotionStack } from "../src/promote/run";

const root = path.resolve(__dirname, "..");
const host = path.join(__dirname, "host.cjs");
const cli = path.join(root, "src", "cli", "main.ts");
const CONSUL_KINDS = ["service-router", "service-splitter", "service-resolver", "service-defaults"];
const SAMPLE = 1000;
const HEADER_SAMPLE = 100;

type Json = Record<string, unknown>;

interface Row {
  program: string;
  step: string;
  plan: string;
  upSeconds: string;
  configured: string;
  observed: string;
  header: string;
  failed: string;
  verdict: string;
}

const rows: Row[] = [];

/** Envoy Gateway, started with the first program that routes through it. */
const gatewayRuntime: { dir: string; bin: string; eg?: EnvoyGateway } = { dir: "", bin: "" };
/**
 * Loopback ports: a backend per version of a Gateway API program, and Envoy Gateway's listeners. Every fixed port of the
 * run sits below Linux's ephemeral range (32768-60999): a port in it can be taken by an outgoing connection's local
 * end, and a request to it then connects to itself.
 */
const GATEWAY_BACKEND_PORT = 26000;
const GATEWAY_LISTENER_PORT = 26100;
const problems: string[] = [];

/** A new row of the results table for one step of a program, "ok" until a check fails. */
function newRow(program: Program, step: string): Row {
  const row: Row = {
    program: `${program.dir} (${program.stack})`,
    step,
    plan: "",
    upSeconds: "",
    configured: "-",
    observed: "-",
    header: "-",
    failed: "-",
    verdict: "ok",
  };
  rows.push(row);
  return row;
}

function fail(where: string, message: string): void {
  problems.push(`${where}: ${message}`);
  process.stderr.write(`  FAIL ${where}: ${message}\n`);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bin: { type: "string" },
      only: { type: "string", multiple: true },
      keep: { type: "boolean" },
      crds: { type: "string", multiple: true },
      results: { type: "string" },
      "install-times": { type: "string" },
    },
  });
  if (!values.bin) throw new Error("--bin DIR (the tools e2e/install.sh installed) is required");
  const bin = path.resolve(values.bin);
  const runDir = mkdtempSync(path.join(tmpdir(), "pulumi-canary-e2e-"));
  recordPidsIn(process.env.E2E_PID_FILE ?? path.join(runDir, "pids"));
  say(`run folder: ${runDir}`);
  const crdDirs = (values.crds ?? []).map((d) => path.resolve(d));

  const t0 = Date.now();
  const cluster = await startCluster(
    path.join(runDir, "kube"),
    bin,
    path.join(bin, "..", "kwok-stages", "stages.yaml"),
    {
      etcdClient: 23791,
      etcdPeer: 23801,
      apiserver: 16443,
      controllerManager: 20257,
      scheduler: 20259,
    },
  );
  const crds = await installCrds(cluster, crdDirs);
  for (const ns of ["gloo-system", "gateway-system", "echo", "foxtrot"]) {
    await apply(cluster, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  }
  // What Gloo's installation creates and the platform program patches.
  await apply(cluster, {
    apiVersion: "gloo.solo.io/v1",
    kind: "Settings",
    metadata: { name: "default", namespace: "gloo-system" },
    spec: { discoveryNamespace: "gloo-system", gateway: { validation: { alwaysAccept: true } } },
  });
  say(`control plane ready with ${crds.length} CRDs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const consul = await startConsul(path.join(runDir, "consul"), bin);
  say("consul agent ready");

  const programs = PROGRAMS.filter(
    (p) => !values.only || values.only.some((o) => path.resolve(root, o) === path.resolve(root, p.dir)),
  );
  const env = { bin, dir: path.join(runDir, "engine"), kubeconfig: cluster.kubeconfig };
  gatewayRuntime.dir = path.join(runDir, "envoy-gateway");
  gatewayRuntime.bin = bin;
  await loaderCheck(env);

  const kept: Array<{ program: Program; stack: EngineStack }> = [];
  for (const program of programs) {
    // Stacks kept up (the platform's) go before another environment's programs, which own the same objects
    // (a stack's environment: its name, or what follows its last "-", as in echo-dev).
    if (kept.length > 0 && environmentOf(kept[0].program.stack) !== environmentOf(program.stack)) {
      for (const k of kept.reverse()) await destroy(k.program, k.stack, cluster, consul);
      kept.length = 0;
    }
    const result = await walk(program, env, cluster, consul);
    if (result) kept.push(result);
  }
  for (const k of kept.reverse()) await destroy(k.program, k.stack, cluster, consul);
  if (!values.only || values.only.includes("promote")) await promotion(env, cluster, consul);

  writeResults(
    values.results ?? path.join(__dirname, "RESULTS.md"),
    values["install-times"],
    Date.now() - t0,
  );
  if (!values.keep) rmSync(runDir, { recursive: true, force: true });
  say("");
  if (problems.length > 0) {
    say(`e2e: ${problems.length} problem(s):`);
    for (const p of problems) say(`  - ${p}`);
  }
  const checks = rows.length;
  say(
    `${checks - rows.filter((r) => r.verdict.startsWith("FAIL")).length} passed, ${rows.filter((r) => r.verdict.startsWith("FAIL")).length} failed`,
  );
  return problems.length > 0 ? 1 : 0;
}

function environmentOf(stack: string): string {
  return stack.slice(stack.lastIndexOf("-") + 1);
}

/**
 * A program whose Pulumi.yaml names no loader runs under the SDK's default ts-node, which cannot resolve this
 * repository's own package name: the harness must see that fail, as `pulumi up` would.
 */
async function loaderCheck(env: { bin: string; dir: string; kubeconfig: string }): Promise<void> {
  const fixture = path.join(__dirname, "fixtures", "default-loader");
  const stack = new EngineStack(env, fixture, "check", "loader-check");
  await stack.init();
  const r = await stack.run("preview", host);
  const row: Row = {
    program: "e2e/fixtures/default-loader",
    step: "preview (must fail to load)",
    plan: "-",
    upSeconds: "-",
    configured: "-",
    observed: "-",
    header: "-",
    failed: "-",
    verdict: "",
  };
  if (r.ok) {
    fail(
      "loader check",
      "a program ts-node cannot load previewed successfully: the harness does not load programs as the language host does",
    );
    row.verdict = "FAIL: loaded";
  } else if (
    !/TS2209|project root is ambiguous|Cannot find module|Unable to compile/.test(
      `${r.error} ${r.diagnostics.join(" ")}`,
    )
  ) {
    fail("loader check", `failed for another reason: ${r.error?.slice(0, 300)}`);
    row.verdict = "FAIL: other error";
  } else {
    row.verdict = "ok: refused as under `pulumi up`";
  }
  rows.push(row);
  say(`loader check: ${row.verdict}`);
}

function kindOf(type: string): string {
  return type.split(":").pop() ?? type;
}

/** The engine's resource steps, as sorted `op Kind` strings, without components and the stack. */
function planOf(r: OpResult): string[] {
  return r.steps
    .filter(
      (s) =>
        s.op !== "same" &&
        s.op !== "read" &&
        s.op !== "discard" &&
        !s.type.startsWith("pulumi-canary:") &&
        s.type !== "pulumi:pulumi:Stack" &&
        !s.type.startsWith("pulumi:providers:"),
    )
    .map((s) => `${s.op} ${kindOf(s.type)}`)
    .sort();
}

async function walk(
  program: Program,
  env: { bin: string; dir: string; kubeconfig: string },
  cluster: KubeCluster,
  consul: ConsulAgent,
): Promise<{ program: Program; stack: EngineStack } | undefined> {
  const dir = path.resolve(root, program.dir);
  const id = `${program.dir === "." ? "flagship" : program.dir.replace(/[/.]/g, "_")}-${program.stack}`;
  say(`\n== ${program.dir} (stack ${program.stack})`);
  const stack = new EngineStack(env, dir, program.stack, id);
  await stack.init();
  const ops: ConfigOp[] = [];
  for (const op of program.engineConfig) {
    await applyOp(stack, op);
    ops.push(op);
  }
  const consulDir = path.join(env.dir, "consul", id);
  const { instances, client, backend } = await startMesh(program, env, consul, id);
  const gateway = await startGatewayBackends(program, env, id);
  // Where the last step's route was served through Envoy Gateway: the next step's request loop runs against it.
  let gatewayTarget: GatewayExpectation | undefined;

  // The stack's outputs after its last update (what `pulumi stack output --json` prints): render reads them as the
  // program's previous deployment, as the engine's StackReference to the stack does.
  let previous: string | undefined;
  for (const step of program.steps) {
    const where = `${program.dir} (${program.stack}) · ${step.name}`;
    say(`-- ${step.name}`);
    for (const op of step.config) {
      await applyOp(stack, op);
      ops.push(op);
    }
    const row = newRow(program, step.name);
    const before = problems.length;

    // (a) the plan, then the update: exactly the README's changes, no replace.
    const preview = await stack.run("preview", host);
    if (step.refused) {
      // Refused by the stack's promotion policy: at preview, and by up with nothing written.
      const up = await stack.run("up", host);
      const written = planOf(up);
      row.plan = "refused";
      if (preview.ok || !step.refused.test(preview.error ?? ""))
        fail(
          where,
          `preview must refuse the step (${String(step.refused)}); got ${preview.ok ? "success" : preview.error?.slice(0, 300)}`,
        );
      if (up.ok || !step.refused.test(up.error ?? ""))
        fail(
          where,
          `up must refuse the step (${String(step.refused)}); got ${up.ok ? "success" : up.error?.slice(0, 300)}`,
        );
      if (written.length > 0) fail(where, `a refused update wrote [${written.join(", ")}]`);
      row.verdict = problems.length > before ? "FAIL" : "ok: refused at preview, nothing written";
      say(`   ${row.verdict}`);
      continue;
    }
    if (!preview.ok) {
      fail(where, `preview failed: ${preview.error?.slice(0, 500)}`);
      row.verdict = "FAIL";
      continue;
    }
    const planned = planOf(preview);
    row.plan = planned.length ? summarize(planned) : "no change";
    const expected = [...step.changes].sort();
    if (planned.join(",") !== expected.join(","))
      fail(where, `preview planned [${planned.join(", ")}]; expected [${expected.join(", ")}]`);
    if (planned.some((p) => p.startsWith("replace") || p.startsWith("create-replacement")))
      fail(where, "the plan replaces a resource");

    const consulRender = program.consulConfig
      ? await renderConsul(dir, program, ops, consulDir, previous)
      : undefined;
    // The request loop runs through the whole step. On the first step it starts once service-defaults exists: the
    // backends were registered before the program ran, so Consul first saw them as tcp, and the switch to http
    // re-creates the client's listener (in a cluster, the pods start after service-defaults is written).
    const first = step === program.steps[0];
    let loop = client && !first ? backgroundLoop(`http://127.0.0.1:${client.port}/`) : undefined;
    const gatewayLoop = gatewayTarget
      ? backgroundLoop(gatewayTarget.url, { headers: hostHeader(gatewayTarget) })
      : undefined;
    let consulError: string | undefined;
    // Consul's entries in the engine's dependency order: defaults and resolver before the workloads ...
    if (consulRender) consulError = await syncConsul(consul, consulRender, "resolution");
    if (client && first && consulRender) {
      // Start counting once the sidecar serves the service steadily (a pod's readiness, in a cluster): its HTTP
      // route names the resolver's subset and that cluster has a healthy endpoint, then requests answer in a row.
      try {
        await untilRouted(client, program.mesh?.service ?? "", expectedTraffic(consulRender).split);
        await untilServing(`http://127.0.0.1:${client.port}/`);
      } catch (err) {
        fail(where, `before the first update: ${(err as Error).message}`);
      }
      loop = backgroundLoop(`http://127.0.0.1:${client.port}/`);
    }
    const up = await stack.run("up", host);
    row.upSeconds = (up.durationMs / 1000).toFixed(1);
    if (!up.ok) fail(where, `up failed: ${up.error?.slice(0, 800)}`);
    if (step.forced) {
      const states = (up.outputs?.canaryReleases ?? {}) as Record<string, { forced?: unknown }>;
      const forced = states[step.forced]?.forced;
      if (!Array.isArray(forced) || forced.length === 0)
        fail(
          where,
          `the state output canaryReleases.${step.forced} does not record what canaryForce let through`,
        );
    }
    // What this update was judged against stays the render's previous deployment until the checks below are done.
    const judgedAgainst = previous;
    if (up.ok && up.outputs) {
      previous = path.join(env.dir, `outputs-${id}.json`);
      writeFileSync(previous, JSON.stringify(up.outputs));
    }
    const taken = planOf(up);
    if (taken.join(",") !== expected.join(","))
      fail(where, `up took [${taken.join(", ")}]; expected [${expected.join(", ")}]`);
    // ... splitter and router after them, deletions last (in reverse order), as the engine orders them.
    if (consulRender && !consulError) consulError = await syncConsul(consul, consulRender, "routing");
    if (consulRender && !consulError) consulError = await syncConsul(consul, consulRender, "deletions");
    if (consulError) fail(where, `consul: ${consulError}`);

    // (b) a no-change preview shows 0 changes.
    const again = await stack.run("preview", host);
    const drift = planOf(again);
    if (!again.ok) fail(where, `second preview failed: ${again.error?.slice(0, 300)}`);
    else if (drift.length > 0) fail(where, `no-change preview plans [${drift.join(", ")}]`);

    // (c) the apiserver holds exactly what render prints for the same config, and the engine registered exactly the
    // inputs render prints.
    await compareKubernetes(where, dir, program, ops, cluster, judgedAgainst, stack);

    // (g) the HTTPRoutes the apiserver holds, served by Envoy Gateway: the split and the header rule counted.
    if (gateway) {
      const target = await gatewayTraffic(where, cluster, gateway.ports, row);
      if (target) gatewayTarget = target;
    }
    if (gatewayLoop) await stopLoop(where, gatewayLoop, "through Envoy Gateway ", row);

    // (d)-(f) Consul's entries, the split and the header rule through Envoy, the request loop during the step.
    if (consulRender && client) {
      await compareConsul(where, consul, consulRender);
      const expectation = expectedTraffic(consulRender);
      row.configured = showSplit(expectation.split);
      await waitForEnvoy(where, client, program.mesh?.service ?? "", expectation.split);
      await countTraffic(where, `http://127.0.0.1:${client.port}/`, {}, expectation, row);
    }
    if (loop) await stopLoop(where, loop, "", row);
    if (problems.length > before) row.verdict = "FAIL";
    say(
      `   plan: ${row.plan} · up ${row.upSeconds} s · split ${row.configured} → ${row.observed} · header ${row.header} · failed ${row.failed} · ${row.verdict}`,
    );
  }

  if (program.keepUp) return { program, stack };
  await destroy(program, stack, cluster, consul);
  if (program.mesh) {
    await deregister(
      consul,
      [...instances.map((i) => i.id), ...(client ? [client.id] : [])],
      [...instances.map((i) => i.envoy), ...(client ? [client.envoy] : [])],
    );
  }
  if (backend) await stopProcess(backend);
  if (gateway) {
    // What is left in the apiserver (the platform's Gateway, if kept) is what Envoy Gateway serves next.
    const eg = gatewayRuntime.eg;
    if (eg) await feedInTurn(eg, (await translateLive(eg, cluster, {})).objects);
    await stopProcess(gateway.backend);
  }
  return undefined;
}

/** Stops a request loop that ran through the step; every request must have been answered. */
async function stopLoop(
  where: string,
  loop: ReturnType<typeof backgroundLoop>,
  through: string,
  row: Row,
): Promise<void> {
  const during = await loop.stop();
  row.failed = `${during.failed}/${during.total}`;
  if (during.failed > 0)
    fail(
      where,
      `${during.failed} of ${during.total} requests ${through}failed during the step: ${during.failures.join("; ")}`,
    );
}

/**
 * Counts SAMPLE requests to `url` (the split, each version within the binomial bound) and HEADER_SAMPLE with the
 * header rule's header (every one to its version), into the row.
 */
async function countTraffic(
  where: string,
  url: string,
  headers: Record<string, string>,
  expectation: Expectation,
  row: Row,
): Promise<void> {
  const counted = await sample(url, SAMPLE, headers);
  row.observed = showCounted(counted);
  checkSplit(where, counted, expectation.split);
  if (!expectation.header) return;
  const { name, value, version } = expectation.header;
  const h = await sample(url, HEADER_SAMPLE, { ...headers, [name]: value });
  const hits = h.versions[version] ?? 0;
  row.header = `${hits}/${HEADER_SAMPLE} → ${version}`;
  if (hits !== HEADER_SAMPLE)
    fail(
      where,
      `header ${name}: ${value} reached ${version} ${hits} of ${HEADER_SAMPLE} times (${showCounted(h)})`,
    );
}

/** One backend per version of a program's Gateway API routes, on loopback ports from GATEWAY_BACKEND_PORT. */
async function startGatewayBackends(
  program: Program,
  env: { dir: string },
  id: string,
): Promise<{ ports: Record<string, number>; backend: ReturnType<typeof startProcess> } | undefined> {
  if (!program.gateway) return undefined;
  const ports: Record<string, number> = {};
  const specs = program.gateway.versions.map((version, i) => {
    ports[version] = GATEWAY_BACKEND_PORT + i;
    return `${ports[version]}=${program.gateway?.service}/${version}/0`;
  });
  const backend = startProcess(
    "gateway-backends",
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "backend.ts"), ...specs],
    path.join(env.dir, `gateway-backends-${id}.log`),
    { cwd: root },
  );
  for (const port of Object.values(ports)) await untilServing(`http://127.0.0.1:${port}/`, 1);
  return { ports, backend };
}

/** The Gateway API objects the apiserver holds, and the namespaces (with their labels). */
async function liveGatewayApi(cluster: KubeCluster): Promise<Parameters<typeof translate>[0]> {
  const gw = "gateway.networking.k8s.io";
  return {
    gateways: await list(cluster, `${gw}/v1`, "gateways"),
    routes: await list(cluster, `${gw}/v1`, "httproutes"),
    services: await list(cluster, "v1", "services"),
    namespaces: await list(cluster, "v1", "namespaces"),
    grants: await list(cluster, `${gw}/v1beta1`, "referencegrants"),
  };
}

/** What the apiserver holds now, translated for Envoy Gateway, with the versions of `ports` served. */
async function translateLive(
  eg: EnvoyGateway,
  cluster: KubeCluster,
  ports: Record<string, number>,
): Promise<ReturnType<typeof translate>> {
  return translate(await liveGatewayApi(cluster), ports, GATEWAY_LISTENER_PORT, eg.version);
}

function hostHeader(e: GatewayExpectation): Record<string, string> {
  return e.host ? { host: e.host.replace(/^\*/, "e2e") } : {};
}

/**
 * Feeds Envoy Gateway what the apiserver holds after the step, waits until its proxy carries the routes' weights,
 * then counts 1,000 requests per route (the split) and 100 with the header (all to the canary). Returns where the
 * route is served, for the next step's request loop.
 */
async function gatewayTraffic(
  where: string,
  cluster: KubeCluster,
  ports: Record<string, number>,
  row: Row,
): Promise<GatewayExpectation | undefined> {
  try {
    gatewayRuntime.eg ??= await startEnvoyGateway(gatewayRuntime.dir, gatewayRuntime.bin);
    const translation = await translateLive(gatewayRuntime.eg, cluster, ports);
    for (const d of translation.dropped) fail(where, `HTTPRoute ${d}`);
    await feedInTurn(gatewayRuntime.eg, translation.objects);
    await untilProgrammed(gatewayRuntime.eg, translation.weights);
    let target: GatewayExpectation | undefined;
    for (const { route, expectation } of translation.routes) {
      const here = `${where} · ${route} through Envoy Gateway`;
      const split = Object.fromEntries(Object.entries(expectation.split).filter(([, w]) => w > 0));
      row.configured = showSplit(split);
      await countTraffic(here, expectation.url, hostHeader(expectation), expectation, row);
      target = expectation;
    }
    return target;
  } catch (err) {
    fail(where, `Envoy Gateway: ${(err as Error).message.slice(0, 500)}`);
    return undefined;
  }
}

/**
 * `pulumi-canary promote`'s loop on the flagship's dev stack under the real engine, with the canary's metrics read
 * from the client's Envoy sidecar (admin API): a healthy v2 promoted 10 → 25 → 50 → 100, interrupted after the
 * update to 25 % (as Ctrl-C would) and resumed from the stack's weight, then finalized; a broken v3 (every other
 * answer a 500) stopped at its first step and rolled back, after which no request reaches it.
 */
async function promotion(
  env: { bin: string; dir: string; kubeconfig: string },
  cluster: KubeCluster,
  consul: ConsulAgent,
): Promise<void> {
  const program = PROMOTION.program;
  const id = "promote-dev";
  const dir = path.resolve(root, program.dir);
  const label: Program = { ...program, dir: `${program.dir} promote` };
  say(`\n== promote ${program.dir} (stack ${program.stack})`);
  const stack = new EngineStack(env, dir, program.stack, id);
  await stack.init();
  const ops: ConfigOp[] = [];
  const consulDir = path.join(env.dir, "consul", id);
  const { instances, client, backend } = await startMesh(program, env, consul, id, PROMOTION.broken);
  if (!client) throw new Error("the promotion runs on a program with a mesh");
  const url = `http://127.0.0.1:${client.port}/`;
  let outputs: Record<string, unknown> = {};
  let previous: string | undefined;
  let abortAt: number | undefined;
  const controller = new AbortController();

  // The stack as the command's Automation API driver reaches it: the pulumi CLI for config, the engine for up (and
  // the Consul layer written around it, in the engine's order, as in the walkthrough).
  const driver: PromotionStack = {
    name: program.stack,
    async getConfig(key, usePath) {
      try {
        const out = await stack.pulumi([
          "config",
          "get",
          ...(usePath ? ["--path"] : []),
          key,
          "--stack",
          program.stack,
        ]);
        return out.replace(/\n$/, "");
      } catch {
        return undefined;
      }
    },
    async setConfig(key, value, usePath) {
      const op = { key, value, path: usePath };
      await applyOp(stack, op);
      ops.push(op);
    },
    async removeConfig(key, usePath) {
      const op = { key, path: usePath };
      await applyOp(stack, op);
      ops.push(op);
    },
    async up() {
      const rendered = await renderConsul(dir, program, ops, consulDir, previous);
      const refused = await syncConsul(consul, rendered, "resolution");
      if (refused) throw new Error(`consul: ${refused}`);
      const up = await stack.run("up", host);
      if (!up.ok) throw new Error(up.error ?? "up failed");
      outputs = up.outputs ?? {};
      previous = path.join(env.dir, `outputs-${id}.json`);
      writeFileSync(previous, JSON.stringify(outputs));
      for (const phase of ["routing", "deletions"] as const) {
        const error = await syncConsul(consul, rendered, phase);
        if (error) throw new Error(`consul: ${error}`);
      }
      await waitForEnvoy(`promote · up`, client, "payments", expectedTraffic(rendered).split);
      const weight = (
        outputs.canaryReleases as Record<string, { current?: { canaryWeight?: number } }> | undefined
      )?.payments?.current?.canaryWeight;
      if (abortAt !== undefined && weight === abortAt) controller.abort();
    },
    async outputs() {
      return outputs;
    },
  };
  const metrics = (version: string) =>
    envoySource(`http://127.0.0.1:${client.adminPort}`, `${version}.${program.mesh?.service}.`, 99);
  const record = (
    step: string,
    report: PromotionReport,
    expected: PromotionOutcome,
    failed: string,
  ): void => {
    const where = `promote ${program.dir} (${program.stack}) · ${step}`;
    const row = newRow(label, step);
    row.plan =
      report.steps.map((s) => `${s.kind === "step" ? "" : `${s.kind} `}${s.weight} %`).join(" → ") || "-";
    row.upSeconds = report.steps.map((s) => (s.upMs / 1000).toFixed(1)).join(" / ") || "-";
    row.observed =
      report.steps
        .filter((s) => s.checks.length > 0)
        .map((s) => {
          const r = s.checks[s.checks.length - 1].results.find((c) => c.check === "request-success-rate");
          return `${s.weight} %: ${r ? r.observed : "-"} of ${s.checks[s.checks.length - 1].window.requests}`;
        })
        .join(", ") || "-";
    row.failed = failed;
    if (report.outcome !== expected)
      fail(where, `ended ${report.outcome}; expected ${expected}: ${report.message ?? ""}`);
    row.verdict =
      report.outcome === expected
        ? `ok: ${report.outcome}${report.message ? ` (${report.message})` : ""}`
        : "FAIL";
    say(
      `   ${report.steps.map((s) => `${s.kind} ${s.weight} % ${s.verdict}`).join(", ")} → ${report.outcome} · ${row.verdict}`,
    );
  };
  const options = {
    analysis: PROMOTION.analysis,
    metrics,
    dryRun: false,
    log: (l: string) => say(`   ${l}`),
  };

  try {
    // v2 under header testing, as a release starts.
    for (const op of PROMOTION.start)
      await (op.value === undefined
        ? driver.removeConfig(op.key, op.path === true)
        : driver.setConfig(op.key, op.value, op.path === true));
    await driver.up();
    await untilRouted(client, program.mesh?.service ?? "", { [PROMOTION.stable]: 100 });
    await untilServing(url);

    say("-- healthy v2, interrupted after 25 %");
    let loop = backgroundLoop(url, { intervalMs: 5 });
    abortAt = 25;
    const first = await promote(driver, { ...options, signal: controller.signal });
    abortAt = undefined;
    say("-- healthy v2, resumed and finalized");
    const second = await promote(driver, options);
    let during = await loop.stop();
    record("healthy v2: 10 → 25, interrupted", first, PromotionOutcome.Interrupted, "-");
    record(
      "healthy v2: resumed, 50 → 100, finalized",
      second,
      PromotionOutcome.Finalized,
      `${during.failed}/${during.total}`,
    );
    if (during.failed > 0)
      fail(
        "promote · healthy v2",
        `${during.failed} of ${during.total} requests failed: ${during.failures.join("; ")}`,
      );
    if (second.plan.join(",") !== "50,100")
      fail("promote · resumed", `resumed with [${second.plan.join(", ")}]; expected [50, 100]`);

    say("-- broken v3");
    for (const op of PROMOTION.broken.flatMap((v) => PROMOTION.next(v))) {
      await (op.value === undefined
        ? driver.removeConfig(op.key, op.path === true)
        : driver.setConfig(op.key, op.value, op.path === true));
    }
    await driver.up();
    loop = backgroundLoop(url, { intervalMs: 5 });
    const third = await promote(driver, options);
    during = await loop.stop();
    record(
      "broken v3: stopped at 10 %, rolled back",
      third,
      PromotionOutcome.RolledBack,
      `${during.failed}/${during.total} (v3 answers 500)`,
    );
    if (!/^request-success-rate of v3 at 10 %/.test(third.message ?? ""))
      fail("promote · broken v3", `rolled back for another reason: ${third.message ?? ""}`);
    const after = await sample(url, SAMPLE);
    const row = newRow(label, "after the rollback");
    row.observed = showCounted(after);
    row.failed = `${after.failed}/${after.total}`;
    const reached = after.versions.v3 ?? 0;
    if (reached > 0 || after.failed > 0)
      fail(
        "promote · after the rollback",
        `${reached} of ${SAMPLE} requests reached v3, ${after.failed} failed`,
      );
    row.verdict = reached === 0 && after.failed === 0 ? `ok: 0 of ${SAMPLE} reached v3` : "FAIL";
    say(`   after the rollback: ${row.observed} · ${row.verdict}`);
  } catch (err) {
    fail(`promote ${program.dir} (${program.stack})`, (err as Error).message.slice(0, 800));
    newRow(label, "promotion").verdict = "FAIL";
  } finally {
    await destroy(label, stack, cluster, consul);
    await deregister(
      consul,
      [...instances.map((i) => i.id), client.id],
      [...instances.map((i) => i.envoy), client.envoy],
    );
    if (backend) await stopProcess(backend);
  }
}

/** The program's mesh: backends (two instances per version), registered with sidecars, and the client's sidecar. */
async function startMesh(
  program: Program,
  env: { dir: string },
  consul: ConsulAgent,
  id: string,
  broken: string[] = [],
): Promise<{ instances: Instance[]; client?: Client; backend?: ReturnType<typeof startProcess> }> {
  if (!program.mesh) return { instances: [] };
  const base = 30000;
  const specs: string[] = [];
  let port = base;
  for (const version of program.mesh.versions) {
    const mode = broken.includes(version) ? "/broken" : "";
    for (let i = 0; i < 2; i++) specs.push(`${port++}=${program.mesh.service}/${version}/${i}${mode}`);
  }
  const backend = startProcess(
    "backends",
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "backend.ts"), ...specs],
    path.join(env.dir, `backends-${id}.log`),
    { cwd: root },
  );
  const instances = await registerInstances(
    consul,
    program.mesh.service,
    program.mesh.versions,
    2,
    base,
    19100,
  );
  const client = await registerClient(consul, program.mesh.service, 32000, 19090);
  return { instances, client, backend };
}

async function destroy(
  program: Program,
  stack: EngineStack,
  cluster: KubeCluster,
  consul: ConsulAgent,
): Promise<void> {
  const where = `${program.dir} (${program.stack}) · destroy`;
  const row = newRow(program, "destroy");
  const before = problems.length;
  // The Consul layer first in reverse order (router, splitter, resolver, defaults), as the engine deletes it.
  if (program.consulConfig) {
    const left = await listEntries(consul, CONSUL_KINDS);
    for (const kind of CONSUL_KINDS) {
      for (const e of left.filter((x) => x.Kind === kind)) await deleteEntry(consul, kind, String(e.Name));
    }
  }
  const r = await stack.run("destroy", host);
  row.upSeconds = (r.durationMs / 1000).toFixed(1);
  row.plan = summarize(planOf(r));
  if (!r.ok) fail(where, `destroy failed: ${r.error?.slice(0, 500)}`);
  else {
    // The stack goes too (`pulumi stack rm`), as its name is used again by another walk of the same project.
    try {
      await stack.pulumi(["stack", "rm", stack.stack, "--yes"]);
    } catch (err) {
      fail(where, `stack rm: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  const leftovers = await managedObjects(cluster, program.namespaces);
  if (leftovers.length > 0) fail(where, `left in the apiserver: ${leftovers.map(objectId).join(", ")}`);
  const entries = await listEntries(consul, CONSUL_KINDS);
  if (entries.length > 0)
    fail(where, `left in Consul: ${entries.map((e) => `${String(e.Kind)}/${String(e.Name)}`).join(", ")}`);
  if (problems.length > before) row.verdict = "FAIL";
  say(`-- destroy: ${row.plan} · ${row.upSeconds} s · ${row.verdict}`);
}

async function applyOp(stack: EngineStack, op: ConfigOp): Promise<void> {
  if (op.value === undefined) {
    // `pulumi config rm` of a key that is not set fails; the walkthrough removes keys that may not be there.
    const current = await stack.pulumi(["config", "--json", "--stack", stack.stack]);
    const full = `${stack.settings.name}:${op.key.split(/[.[]/)[0]}`;
    if (!(full in (JSON.parse(current) as Json))) return;
    await stack.configRm(op.key, op.path);
  } else {
    await stack.configSet(op.key, op.value, op.path);
  }
}

function renderArgs(dir: string, program: Program, ops: ConfigOp[], previous?: string): string[] {
  const args = [cli, "render", dir, "--stack", program.stack, ...(previous ? ["--previous", previous] : [])];
  for (const op of ops) {
    if (op.value === undefined) args.push("--remove", op.key);
    else args.push("--config", `${op.key}=${op.value}`);
  }
  return args;
}

function node(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", ...args],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`render: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The Consul entries render prints for the step's config with the Consul layer on, one file each, in order. */
async function renderConsul(
  dir: string,
  program: Program,
  ops: ConfigOp[],
  consulDir: string,
  previous: string | undefined,
): Promise<Array<{ file: string; entry: Json }>> {
  await node([
    ...renderArgs(dir, program, [...ops, ...(program.consulConfig ?? [])], previous),
    "--only",
    "consul",
    "--output",
    "json",
    "--consul-dir",
    consulDir,
  ]);
  return readdirSync(consulDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({
      file: path.join(consulDir, f),
      entry: JSON.parse(readFileSync(path.join(consulDir, f), "utf8")) as Json,
    }));
}

/**
 * One phase of writing the rendered Consul layer, in the render's order (the engine's): `resolution` writes the
 * leading service-defaults and service-resolver entries (those the workloads wait for), `routing` every entry
 * after them (the splitter and router, and the resolver when it waits for them, as when a version that still took
 * traffic retires), `deletions` deletes entries the render no longer has (router first). Returns Consul's
 * refusal, if any.
 */
async function syncConsul(
  consul: ConsulAgent,
  rendered: Array<{ file: string; entry: Json }>,
  phase: "resolution" | "routing" | "deletions",
): Promise<string | undefined> {
  try {
    if (phase === "deletions") {
      const current = await listEntries(consul, CONSUL_KINDS);
      for (const kind of CONSUL_KINDS) {
        for (const e of current.filter((x) => x.Kind === kind)) {
          if (!rendered.some((r) => r.entry.Kind === kind && r.entry.Name === e.Name))
            await deleteEntry(consul, kind, String(e.Name));
        }
      }
      return undefined;
    }
    const firstRouting = rendered.findIndex(
      (r) => r.entry.Kind === "service-splitter" || r.entry.Kind === "service-router",
    );
    const split = firstRouting < 0 ? rendered.length : firstRouting;
    const files = phase === "resolution" ? rendered.slice(0, split) : rendered.slice(split);
    for (const r of files) await writeEntryFile(consul, r.file);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function normalizeConsul(at: string, value: unknown): unknown {
  if (typeof value === "string" && /Timeout$/.test(at)) return durationMs(value) ?? value;
  return value;
}

async function compareConsul(
  where: string,
  consul: ConsulAgent,
  rendered: Array<{ entry: Json }>,
): Promise<void> {
  for (const { entry } of rendered) {
    const live = await readEntry(consul, String(entry.Kind), String(entry.Name));
    if (!live) {
      fail(where, `consul ${String(entry.Kind)}/${String(entry.Name)} is missing`);
      continue;
    }
    const diffs = missingOrDifferent(entry, live, "", normalizeConsul);
    if (diffs.length)
      fail(
        where,
        `consul ${String(entry.Kind)}/${String(entry.Name)} differs from the render: ${diffs.slice(0, 5).join("; ")}`,
      );
  }
  const all = await listEntries(consul, CONSUL_KINDS);
  const extra = all.filter((e) => !rendered.some((r) => r.entry.Kind === e.Kind && r.entry.Name === e.Name));
  if (extra.length)
    fail(
      where,
      `consul holds entries the render does not: ${extra.map((e) => `${String(e.Kind)}/${String(e.Name)}`).join(", ")}`,
    );
}

interface Expectation {
  split: Record<string, number>;
  header?: { name: string; value: string; version: string };
}

/** What the rendered entries make Envoy do: the split (percent per version) and the header rule. */
function expectedTraffic(rendered: Array<{ entry: Json }>): Expectation {
  const byKind = (k: string): Json | undefined => rendered.find((r) => r.entry.Kind === k)?.entry;
  const splitter = byKind("service-splitter");
  const resolver = byKind("service-resolver");
  const router = byKind("service-router");
  const split: Record<string, number> = {};
  if (splitter) {
    for (const s of (splitter.Splits ?? []) as Json[]) split[String(s.ServiceSubset)] = Number(s.Weight ?? 0);
  } else if (resolver) {
    split[String(resolver.DefaultSubset)] = 100;
  }
  let header: Expectation["header"];
  for (const route of (router?.Routes ?? []) as Json[]) {
    const h = (
      ((route.Match as Json | undefined)?.HTTP as Json | undefined)?.Header as Json[] | undefined
    )?.[0];
    const version = (route.Destination as Json | undefined)?.ServiceSubset;
    if (h && typeof h.Exact === "string" && typeof version === "string") {
      header = { name: String(h.Name), value: h.Exact, version };
    }
  }
  return { split, header };
}

/**
 * Waits until the client's Envoy has an HTTP route to every version of `split` with a share and each of those
 * clusters has a healthy endpoint, then one second more: after service-defaults switches the service from tcp to
 * http, Consul replaces the client's listener and clusters, and requests answered by the old listener say nothing
 * about the new one.
 */
async function untilRouted(client: Client, service: string, split: Record<string, number>): Promise<void> {
  const versions = Object.entries(split)
    .filter(([, w]) => w > 0)
    .map(([v]) => `${v}.${service}.`);
  await waitFor(
    `envoy routes and healthy endpoints for ${versions.join(", ")}`,
    async () => {
      const routes = await routedClusters(client);
      const clusters = await httpRequest(`http://127.0.0.1:${client.adminPort}/clusters?format=json`);
      if (!routes || clusters.status !== 200) return undefined;
      const named = [...routes.plain, ...routes.weighted.map((c) => c.name)];
      const statuses = (JSON.parse(clusters.body) as Json).cluster_statuses as Json[] | undefined;
      const healthy = (prefix: string): boolean =>
        (statuses ?? []).some(
          (c) =>
            String(c.name).startsWith(prefix) &&
            ((c.host_statuses ?? []) as Json[]).some((h) => {
              const status = h.health_status as Json | undefined;
              return status?.eds_health_status === "HEALTHY" || status?.eds_health_status === undefined;
            }),
        );
      return versions.every((v) => named.some((n) => n.startsWith(v)) && healthy(v)) ? true : undefined;
    },
    60_000,
    250,
  );
  await sleep(1000);
}

/**
 * The clusters the client's Envoy routes to (its dynamic route configs): those a route names alone, and those of
 * weighted routes with their weight (of 10000); undefined while the admin API does not answer.
 */
async function routedClusters(
  client: Client,
): Promise<{ plain: string[]; weighted: Array<{ name: string; weight: number }> } | undefined> {
  const res = await httpRequest(
    `http://127.0.0.1:${client.adminPort}/config_dump?resource=dynamic_route_configs`,
  );
  if (res.status !== 200) return undefined;
  const plain: string[] = [];
  const weighted: Array<{ name: string; weight: number }> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const o = node as Json;
      if (typeof o.cluster === "string") plain.push(o.cluster);
      if (o.weighted_clusters)
        for (const c of ((o.weighted_clusters as Json).clusters ?? []) as Json[])
          weighted.push({ name: String(c.name), weight: Number(c.weight ?? 0) });
      Object.values(o).forEach(visit);
    }
  };
  visit(JSON.parse(res.body));
  return { plain, weighted };
}

/** Waits until the client's Envoy routes with the expected weights (Consul pushes config within seconds). */
async function waitForEnvoy(
  where: string,
  client: Client,
  service: string,
  split: Record<string, number>,
): Promise<void> {
  const wanted = Object.entries(split).filter(([, w]) => w > 0 && w < 100);
  try {
    await waitFor(
      "envoy routes",
      async () => {
        const routes = await routedClusters(client);
        if (!routes) return undefined;
        const weights = new Map(routes.weighted.map((c) => [c.name.split(".")[0], c.weight]));
        if (wanted.length === 0)
          return weights.size === 0 || [...weights.values()].every((w) => w === 0 || w === 10000)
            ? true
            : undefined;
        return wanted.every(([v, w]) => weights.get(v) === w * 100) ? true : undefined;
      },
      60_000,
      250,
    );
    // Envoy applies a route update to new requests at once; one more second for the clusters it names.
    await sleep(1000);
  } catch (err) {
    fail(
      where,
      `Envoy of ${service}'s client did not pick up the split ${showSplit(split)}: ${(err as Error).message}`,
    );
  }
}

function checkSplit(where: string, counted: Counted, split: Record<string, number>): void {
  if (counted.failed > 0)
    fail(
      where,
      `${counted.failed} of ${counted.total} sampled requests failed: ${counted.failures.join("; ")}`,
    );
  const n = counted.total - counted.failed;
  for (const [version, weight] of Object.entries(split)) {
    const got = counted.versions[version] ?? 0;
    const { ok, bound } = withinBinomialBound(got, n, weight);
    if (!ok)
      fail(
        where,
        `${version}: ${got} of ${n} requests, configured ${weight} % (allowed ${(n * weight) / 100} ± ${bound})`,
      );
  }
  for (const [version, got] of Object.entries(counted.versions)) {
    if (!(version in split) && got > 0)
      fail(where, `${got} requests reached ${version}, which the split does not name`);
  }
}

/** Every object of the kinds programs create, in the given namespaces. */
async function managedObjects(cluster: KubeCluster, namespaces: string[]): Promise<Json[]> {
  const types: Array<[string, string, string]> = [
    ["apps/v1", "deployments", "Deployment"],
    ["v1", "services", "Service"],
    ["gloo.solo.io/v1", "upstreams", "Upstream"],
    ["gloo.solo.io/v1", "upstreamgroups", "UpstreamGroup"],
    ["gateway.solo.io/v1", "virtualservices", "VirtualService"],
    ["gateway.solo.io/v1", "routetables", "RouteTable"],
    ["gateway.networking.k8s.io/v1", "gateways", "Gateway"],
    ["gateway.networking.k8s.io/v1", "httproutes", "HTTPRoute"],
  ];
  const all: Json[] = [];
  for (const ns of namespaces) {
    for (const [apiVersion, plural, kind] of types) {
      for (const item of await list(cluster, apiVersion, plural, ns)) {
        const meta = item.metadata as Json;
        if (kind === "Service" && meta.name === "kubernetes") continue;
        all.push({ ...item, kind });
      }
    }
  }
  return all;
}

function objectId(o: Json): string {
  const meta = (o.metadata ?? {}) as Json;
  return `${String(o.kind)} ${String(meta.namespace ?? "")}/${String(meta.name)}`;
}

const SERVER_ANNOTATIONS = /^(pulumi\.com\/|kubectl\.kubernetes\.io\/|deployment\.kubernetes\.io\/)/;

async function compareKubernetes(
  where: string,
  dir: string,
  program: Program,
  ops: ConfigOp[],
  cluster: KubeCluster,
  previous: string | undefined,
  stack: EngineStack,
): Promise<void> {
  const rendered = JSON.parse(
    await node([...renderArgs(dir, program, ops, previous), "--only", "kubernetes", "--output", "json"]),
  ) as Json[];
  await compareRegisteredInputs(where, stack, rendered);
  for (const object of rendered) {
    const meta = object.metadata as Json;
    const isPatch = object.kind === "Settings";
    const live = await get(cluster, objectPath(object));
    if (!live) {
      fail(where, `${objectId(object)} is not in the apiserver`);
      continue;
    }
    const liveMeta = live.metadata as Json;
    const annotations = Object.fromEntries(
      Object.entries((liveMeta.annotations ?? {}) as Json).filter(([k]) => !SERVER_ANNOTATIONS.test(k)),
    );
    // `pulumi.com/*` annotations are directives to the provider (e.g. patchForce), not stored on the object.
    const expected = {
      ...object,
      metadata: { ...meta, annotations: withoutProviderDirectives(meta.annotations) },
    };
    const diffs = missingOrDifferent(expected, { ...live, metadata: { ...liveMeta, annotations } });
    if (!isPatch) {
      const extraAnnotations = Object.keys(annotations).filter(
        (k) => !(k in ((meta.annotations ?? {}) as Json)),
      );
      if (extraAnnotations.length)
        diffs.push(`metadata.annotations: not rendered: ${extraAnnotations.join(", ")}`);
    }
    if (diffs.length)
      fail(where, `${objectId(object)} differs from the render: ${diffs.slice(0, 5).join("; ")}`);
  }
  const live = await managedObjects(cluster, program.namespaces);
  const extra = live.filter(
    (o) =>
      !rendered.some(
        (r) =>
          r.kind === o.kind &&
          (r.metadata as Json).name === (o.metadata as Json).name &&
          ((r.metadata as Json).namespace ?? "default") === (o.metadata as Json).namespace,
      ),
  );
  const others = program.namespaces.length ? extra.filter((o) => !otherProgramsOwn(o, program)) : extra;
  if (others.length)
    fail(where, `the apiserver holds objects the render does not: ${others.map(objectId).join(", ")}`);
}

/** What the Kubernetes provider adds to a resource's inputs on its own: its managed-by label. */
function withoutProviderAdditions(inputs: Json, rendered: Json | undefined): Json {
  const meta = (inputs.metadata ?? {}) as Json;
  const labels = { ...((meta.labels ?? {}) as Json) };
  const renderedLabels = ((rendered?.metadata as Json | undefined)?.labels ?? {}) as Json;
  if (
    labels["app.kubernetes.io/managed-by"] === "pulumi" &&
    !("app.kubernetes.io/managed-by" in renderedLabels)
  )
    delete labels["app.kubernetes.io/managed-by"];
  const metadata: Json = { ...meta, labels };
  if (Object.keys(labels).length === 0) delete metadata.labels;
  return { ...inputs, metadata };
}

/**
 * The inputs the engine registered for each Kubernetes object of the stack (`pulumi stack export`) against what
 * render prints for the same config: the same objects, and each one's inputs equal both ways (nothing missing,
 * nothing more), but for the provider's own managed-by label.
 */
async function compareRegisteredInputs(where: string, stack: EngineStack, rendered: Json[]): Promise<void> {
  const exported = JSON.parse(await stack.pulumi(["stack", "export", "--stack", stack.stack])) as {
    deployment?: { resources?: Array<{ type: string; custom?: boolean; delete?: boolean; inputs?: Json }> };
  };
  const registered = (exported.deployment?.resources ?? []).filter(
    (r) =>
      r.custom === true && r.delete !== true && r.type.startsWith("kubernetes:") && r.inputs !== undefined,
  );
  const byId = new Map(rendered.map((o) => [objectId(o), o]));
  const seen = new Set<string>();
  for (const r of registered) {
    const inputs = r.inputs as Json;
    const id = objectId(inputs);
    seen.add(id);
    const expected = byId.get(id);
    if (!expected) {
      fail(where, `the engine registered ${id} (${r.type}), which the render does not print`);
      continue;
    }
    const actual = withoutProviderAdditions(inputs, expected);
    const diffs = [...missingOrDifferent(expected, actual), ...missingOrDifferent(actual, expected)];
    if (diffs.length)
      fail(
        where,
        `${id}: the engine's inputs differ from the render: ${[...new Set(diffs)].slice(0, 5).join("; ")}`,
      );
  }
  for (const id of byId.keys())
    if (!seen.has(id)) fail(where, `render prints ${id}, which the engine did not register`);
}

function withoutProviderDirectives(annotations: unknown): Json | undefined {
  if (annotations === undefined || annotations === null) return undefined;
  const kept = Object.entries(annotations as Json).filter(([k]) => !k.startsWith("pulumi.com/"));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** Objects the platform program keeps up while the team programs walk (its VirtualService in gloo-system). */
function otherProgramsOwn(o: Json, program: Program): boolean {
  return (
    program.dir !== "examples/gloo-teams/platform" &&
    (o.metadata as Json).namespace === "gloo-system" &&
    (o.metadata as Json).name === "gateway"
  );
}

function summarize(plan: string[]): string {
  const counts = new Map<string, number>();
  for (const p of plan) counts.set(p, (counts.get(p) ?? 0) + 1);
  const sign: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-" };
  return (
    [...counts]
      .map(([p, n]) => {
        const [op, kind] = p.split(" ");
        return `${sign[op] ?? op}${kind}${n > 1 ? `×${n}` : ""}`;
      })
      .join(" ") || "no change"
  );
}

function showSplit(split: Record<string, number>): string {
  return (
    Object.entries(split)
      .map(([v, w]) => `${v} ${w}`)
      .join(" / ") || "-"
  );
}

function showCounted(c: Counted): string {
  return (
    Object.entries(c.versions)
      .sort()
      .map(([v, n]) => `${v} ${n}`)
      .join(" / ") + (c.failed ? ` (${c.failed} failed)` : "")
  );
}

function writeResults(file: string, installTimes: string | undefined, totalMs: number): void {
  const lines = [
    "# End-to-end results",
    "",
    "Written by `npm run e2e` (e2e/main.ts): real Pulumi engine, real kube-apiserver, real Consul and Envoy on",
    "loopback. Plan: the engine's resource steps (`+` create, `~` update, `-` delete; components left out).",
    `Split: the render's Consul splitter (percent) against ${SAMPLE} requests through the client's Envoy sidecar, or`,
    `the HTTPRoute's backendRefs against ${SAMPLE} requests through Envoy Gateway (Gateway API programs);`,
    `header: ${HEADER_SAMPLE} requests carrying the canary header; failed: requests of the loop that ran during the step.`,
    "",
    `Run on ${new Date().toISOString().slice(0, 10)}, ${(totalMs / 60000).toFixed(1)} min in all.`,
    "",
    "| program | step | plan | up (s) | configured | observed | header | failed | verdict |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.program} | ${r.step} | ${r.plan} | ${r.upSeconds} | ${r.configured} | ${r.observed} | ${r.header} | ${r.failed} | ${r.verdict} |`,
    ),
    "",
  ];
  if (installTimes && existsSync(installTimes)) {
    lines.push(
      "## Install times (cold, this machine: 2 cores)",
      "",
      "| tool | version | seconds |",
      "|---|---|---|",
    );
    for (const line of readFileSync(installTimes, "utf8").trim().split("\n").slice(1)) {
      const [tool, version, seconds] = line.split("\t");
      lines.push(`| ${tool} | ${version} | ${seconds} |`);
    }
    lines.push("");
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join("\n"));
}

main().then(
  (code) => {
    stopAll();
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`e2e: ${(err as Error).stack ?? String(err)}\n`);
    stopAll();
    process.exit(1);
  },
);
