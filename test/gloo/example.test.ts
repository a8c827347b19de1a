import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import type { GlooUpstreamGroup, GlooVirtualService } from "../../src/gloo/types";
import type { RecordedResource } from "../support/runtime";
import { crdCheck, crdCheckAvailable } from "./crd-check";

const root = path.resolve(__dirname, "../..");
const exampleDir = path.join(root, "examples/gloo-petstore");

interface Run {
  status: number | null;
  stderr: string;
  resources: RecordedResource[];
}

/** Runs the example program with this config (fully qualified keys or keys of the project). */
function runExample(config: Record<string, string>): Promise<Run> {
  const args = [
    "--import",
    "tsx",
    path.join(__dirname, "run-example.ts"),
    ...Object.entries(config).map(([k, v]) => `${k}=${v}`),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve({ status, stderr, resources: status === 0 ? (JSON.parse(stdout) as RecordedResource[]) : [] }),
    );
  });
}

/** The config a stack file sets. */
function stackConfig(stack: string): Record<string, string> {
  const doc = parse(readFileSync(path.join(exampleDir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, string>;
  };
  return doc.config;
}

function objectsOf(run: Run): Record<string, unknown>[] {
  assert.equal(run.status, 0, run.stderr);
  return run.resources.filter((r) => r.custom).map((r) => r.inputs);
}

function virtualServiceOf(run: Run): GlooVirtualService {
  const found = objectsOf(run).filter((o) => o.kind === "VirtualService");
  assert.equal(found.length, 1);
  return found[0] as unknown as GlooVirtualService;
}

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };

describe("examples/gloo-petstore", () => {
  // The runs are independent programs: start them together.
  const runs = {
    dev: runExample(stackConfig("dev")),
    prod: runExample(stackConfig("prod")),
    at100: runExample({ ...stackConfig("dev"), "gloo-petstore:canaryWeight": "100" }),
    group10: runExample({ ...stackConfig("dev"), useUpstreamGroup: "true" }),
    group50: runExample({ canaryWeight: "50", useUpstreamGroup: "true" }),
    bad: runExample({ canaryWeight: "12.5" }),
  };

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
    const upstreams = objectsOf(await runs.dev).filter((o) => o.kind === "Upstream");
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
    const vs = virtualServiceOf(await runs.dev);
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
    assert.deepEqual(virtualServiceOf(await runs.prod).spec.virtualHost.routes[1].routeAction, {
      single: { upstream: v1 },
    });
    assert.deepEqual(virtualServiceOf(await runs.at100).spec.virtualHost.routes[1].routeAction, {
      single: { upstream: v2 },
    });
  });

  it("useUpstreamGroup: the UpstreamGroup petstore carries the weights, the VirtualService does not change", async () => {
    const [at10, at50] = [await runs.group10, await runs.group50];
    const groupOf = (run: Run) =>
      objectsOf(run).find((o) => o.kind === "UpstreamGroup") as unknown as GlooUpstreamGroup;
    assert.deepEqual(groupOf(at10).metadata, { name: "petstore", namespace: "default" });
    assert.deepEqual(groupOf(at10).spec.destinations, [
      { destination: { upstream: v1 }, weight: 90 },
      { destination: { upstream: v2 }, weight: 10 },
    ]);
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
    const resources = (await runs.group10).resources;
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

  it("every object it renders is valid against the Gloo CRDs", async (t) => {
    if (!crdCheckAvailable) return t.skip("crd-check is not available");
    const all = [runs.dev, runs.prod, runs.at100, runs.group10, runs.group50];
    const objects = (await Promise.all(all)).flatMap(objectsOf);
    const verdict = crdCheck(objects);
    assert.equal(verdict.status, 0, verdict.output);
    assert.match(verdict.output, new RegExp(`crd-check: ${objects.length} valid, 0 invalid, 0 not covered`));
  });

  it("a canaryWeight that is not a whole percent fails with a message naming the key", async () => {
    const run = await runs.bad;
    assert.equal(run.status, 1);
    assert.match(run.stderr, /canaryWeight: got "12\.5"; expected a whole number from 0 to 100/);
  });
});
