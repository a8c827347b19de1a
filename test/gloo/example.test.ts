import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { buildUpstreamGroup, type GlooUpstreamGroup, type GlooVirtualService } from "../../src/gloo";
import type { ProgramRun } from "../../src/render/run";
import { checkCrds } from "../support/crds";
import { ROOT, runInProcess } from "../support/render";

const exampleDir = path.join(ROOT, "examples/gloo-petstore");

/** Runs the example program in process with one of its stacks and config changes (as `pulumi config set`). */
const runs = new Map<string, Promise<ProgramRun>>();
function runExample(stack: string, config: Record<string, string> = {}): Promise<ProgramRun> {
  const key = JSON.stringify([stack, config]);
  let run = runs.get(key);
  if (run === undefined) {
    const changes = Object.entries(config).map(([k, value]) => ({ key: k, value }));
    run = runInProcess({ dir: exampleDir, stack, changes });
    runs.set(key, run);
  }
  return run;
}

const dev = () => runExample("dev");
const prod = () => runExample("prod");
const at100 = () => runExample("dev", { canaryWeight: "100" });
const group10 = () => runExample("dev", { useUpstreamGroup: "true" });
const group50 = () => runExample("dev", { canaryWeight: "50", useUpstreamGroup: "true" });

/** The config a stack file sets. */
function stackConfig(stack: string): Record<string, string> {
  const doc = parse(readFileSync(path.join(exampleDir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, string>;
  };
  return doc.config;
}

/** The custom resources' inputs: the objects the program declares. */
function objectsOf(run: ProgramRun): Record<string, unknown>[] {
  return run.resources.filter((r) => r.custom).map((r) => r.inputs);
}

function virtualServiceOf(run: ProgramRun): GlooVirtualService {
  const found = objectsOf(run).filter((o) => o.kind === "VirtualService");
  assert.equal(found.length, 1);
  return found[0] as unknown as GlooVirtualService;
}

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };

describe("examples/gloo-petstore", () => {
  it("the stacks set canaryWeight 10 (dev) and 0 (prod)", () => {
    assert.deepEqual(stackConfig("dev"), { "gloo-petstore:canaryWeight": "10" });
    assert.deepEqual(stackConfig("prod"), { "gloo-petstore:canaryWeight": "0" });
    const project = parse(readFileSync(path.join(exampleDir, "Pulumi.yaml"), "utf8")) as {
      name: string;
      runtime: unknown;
      main: string;
    };
    assert.equal(project.name, "gloo-petstore");
    // Loaded by the SDK's runner with tsx, from index.ts, as `pulumi up` loads it.
    assert.deepEqual(project.runtime, {
      name: "nodejs",
      options: { typescript: false, nodeargs: "--import tsx" },
    });
    assert.equal(project.main, "index.ts");
  });

  it("declares the Upstreams petstore-v1 and petstore-v2 (Service petstore in default, port 8080, by version)", async () => {
    const upstreams = objectsOf(await dev()).filter((o) => o.kind === "Upstream");
    assert.deepEqual(
      upstreams.map((u) => u.spec),
      ["v1", "v2"].map((version) => ({
        kube: {
          serviceName: "petstore",
          serviceNamespace: "default",
          servicePort: 8080,
          selector: { app: "petstore", version },
        },
      })),
    );
    assert.deepEqual(
      upstreams.map((u) => u.metadata),
      [v1, v2],
    );
  });

  it("dev (weight 10): coalmine in gloo-system, /findPetWithId split v1 90 / v2 10", async () => {
    const vs = virtualServiceOf(await dev());
    assert.deepEqual(vs.metadata, { name: "coalmine", namespace: "gloo-system" });
    assert.deepEqual(vs.spec.virtualHost.domains, ["*"]);
    assert.deepEqual(vs.spec.virtualHost.routes, [
      { matchers: [{ prefix: "/findPets" }], routeAction: { single: { upstream: v2 } } },
      {
        matchers: [{ prefix: "/findPetWithId" }],
        routeAction: {
          multi: {
            destinations: [
              { destination: { upstream: v1 }, weight: 90 },
              { destination: { upstream: v2 }, weight: 10 },
            ],
          },
        },
      },
      {
        matchers: [{ prefix: "/petstore" }],
        routeAction: { single: { upstream: v1 } },
        options: { prefixRewrite: "/api/pets/" },
      },
    ]);
  });

  it("prod (weight 0): a single destination v1; weight 100: a single destination v2", async () => {
    assert.deepEqual(virtualServiceOf(await prod()).spec.virtualHost.routes[1].routeAction, {
      single: { upstream: v1 },
    });
    assert.deepEqual(virtualServiceOf(await at100()).spec.virtualHost.routes[1].routeAction, {
      single: { upstream: v2 },
    });
  });

  it("useUpstreamGroup: the UpstreamGroup petstore carries the stack's weights, the VirtualService does not change", async () => {
    const [at10, at50] = [await group10(), await group50()];
    const groupOf = (run: ProgramRun) =>
      objectsOf(run).find((o) => o.kind === "UpstreamGroup") as unknown as GlooUpstreamGroup;
    // The group is the builder's (whose whole object upstream-group.test.ts asserts) for the stack's weight.
    const release = { service: "petstore", stableVersion: "v1", canaryVersion: "v2" };
    assert.deepEqual(
      groupOf(at10),
      buildUpstreamGroup({ upstreams: [v1, v2], release: { ...release, canaryWeight: 10 } }),
    );
    assert.deepEqual(
      groupOf(at50).spec.destinations.map((d) => d.weight),
      [50, 50],
    );
    assert.deepEqual(virtualServiceOf(at10).spec.virtualHost.routes[1].routeAction, {
      upstreamGroup: { name: "petstore", namespace: "default" },
    });
    assert.deepEqual(virtualServiceOf(at10), virtualServiceOf(at50));
  });

  it("components and parents: Upstream and VirtualService components own their custom resources", async () => {
    const resources = (await group10()).resources;
    const byName = (type: string, name: string) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      assert.ok(found, `${type} ${name}`);
      return found;
    };
    const vsComponent = byName("pulumi-canary:index:VirtualService", "coalmine");
    assert.equal(byName("kubernetes:gateway.solo.io/v1:VirtualService", "coalmine").parent, vsComponent.urn);
    assert.equal(
      byName("kubernetes:gloo.solo.io/v1:UpstreamGroup", "coalmine-petstore").parent,
      vsComponent.urn,
    );
    for (const name of ["petstore-v1", "petstore-v2"]) {
      assert.equal(
        byName("kubernetes:gloo.solo.io/v1:Upstream", name).parent,
        byName("pulumi-canary:index:Upstream", name).urn,
      );
    }
  });

  it("every object it renders is valid against the Gloo CRDs", async () => {
    const objects = [];
    for (const run of [dev, prod, at100, group10, group50]) objects.push(...objectsOf(await run()));
    const report = checkCrds(objects);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report, { valid: objects.length, invalid: 0, notCovered: 0, problems: [] });
  });

  it("a canaryWeight that is not a whole percent fails with a message naming the key", async () => {
    await assert.rejects(
      runExample("dev", { canaryWeight: "12.5" }),
      /canaryWeight: got "12\.5"; expected a whole number from 0 to 100/,
    );
  });
});
