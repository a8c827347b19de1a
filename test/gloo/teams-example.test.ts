import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import {
  buildPlatformGateway,
  buildGlooSettingsPatch,
  type GlooRoute,
  type GlooRouteTable,
  type GlooVirtualService,
} from "../../src/gloo";
import { checkCrds } from "../support/crds";
import { cli, ROOT } from "../support/render";

const examples = path.join(ROOT, "examples/gloo-teams");

interface Render {
  status: number;
  stderr: string;
  objects: Record<string, unknown>[];
}

/** Renders one project of examples/gloo-teams with the CLI (in process), as CI does, optionally overriding config. */
async function render(project: string, stack: string, config: Record<string, string> = {}): Promise<Render> {
  const { code, stdout, stderr } = await cli(
    "render",
    path.join(examples, project),
    "--stack",
    stack,
    "--output",
    "json",
    ...Object.entries(config).flatMap(([k, v]) => ["--config", `${k}=${v}`]),
  );
  return {
    status: code,
    stderr,
    objects: code === 0 ? (JSON.parse(stdout) as Record<string, unknown>[]) : [],
  };
}

function yamlOf(file: string): Record<string, unknown> {
  return parse(readFileSync(path.join(examples, file), "utf8")) as Record<string, unknown>;
}

function ok(run: Render): Record<string, unknown>[] {
  assert.equal(run.status, 0, run.stderr);
  return run.objects;
}

function routeTableOf(run: Render): GlooRouteTable {
  const found = ok(run).filter((o) => o.kind === "RouteTable");
  assert.equal(found.length, 1);
  return found[0] as unknown as GlooRouteTable;
}

function virtualServiceOf(run: Render): GlooVirtualService {
  const found = ok(run).filter((o) => o.kind === "VirtualService");
  assert.equal(found.length, 1);
  return found[0] as unknown as GlooVirtualService;
}

const ref = (team: string, version: string) => ({ name: `${team}-${version}`, namespace: team });
const canary = (team: string): GlooRoute => ({
  matchers: [{ prefix: `/${team}`, headers: [{ name: "stage", value: "canary" }] }],
  routeAction: { single: { upstream: ref(team, "v2") } },
});
const single = (team: string, version: string): GlooRoute => ({
  matchers: [{ prefix: `/${team}` }],
  routeAction: { single: { upstream: ref(team, version) } },
});
const split = (team: string, v1: number, v2: number): GlooRoute => ({
  matchers: [{ prefix: `/${team}` }],
  routeAction: {
    multi: {
      destinations: [
        { destination: { upstream: ref(team, "v1") }, weight: v1 },
        { destination: { upstream: ref(team, "v2") }, weight: v2 },
      ],
    },
  },
});

describe("examples/gloo-teams", () => {
  // Each project at canaryWeight 0, 10, 50 and 100 across its stacks (the platform reads no weight). The renders
  // run one after another in this process (the runtime is process-wide); the tests await the ones they need.
  const runs = {
    platformDev: render("platform", "dev", {}),
    platformProd: render("platform", "prod", {}),
    echoDev: render("echo", "dev"),
    echoDev10: render("echo", "dev", { canaryWeight: "10" }),
    echoProd50: render("echo", "prod", { canaryWeight: "50" }),
    echoProd100: render("echo", "prod", { canaryWeight: "100" }),
    foxtrotDev: render("foxtrot", "dev"),
    foxtrotDev0: render("foxtrot", "dev", { canaryWeight: "0" }),
    foxtrotProd10: render("foxtrot", "prod", { canaryWeight: "10" }),
    foxtrotProd100: render("foxtrot", "prod", { canaryWeight: "100" }),
    badPrefix: render("echo", "dev", { prefix: "echo" }),
  };

  it("three projects, one per owner, each with a dev and a prod stack", () => {
    for (const [dir, name] of [
      ["platform", "gloo-platform"],
      ["echo", "echo"],
      ["foxtrot", "foxtrot"],
    ]) {
      const project = yamlOf(`${dir}/Pulumi.yaml`);
      assert.equal(project.name, name);
      assert.deepEqual(project.runtime, {
        name: "nodejs",
        options: { typescript: false, nodeargs: "--import tsx" },
      });
      assert.equal(project.main, "index.ts");
    }
    assert.deepEqual(yamlOf("echo/Pulumi.dev.yaml").config, {
      "echo:prefix": "/echo",
      "echo:stableVersion": "v1",
      "echo:canaryVersion": "v2",
      "echo:canaryWeight": "0",
      "echo:canaryHeader": "stage=canary",
    });
    assert.deepEqual(yamlOf("echo/Pulumi.prod.yaml").config, {
      "echo:prefix": "/echo",
      "echo:stableVersion": "v1",
      "echo:canaryVersion": "v2",
      "echo:canaryWeight": "0",
    });
    assert.deepEqual(yamlOf("foxtrot/Pulumi.dev.yaml").config, {
      "foxtrot:prefix": "/foxtrot",
      "foxtrot:stableVersion": "v1",
      "foxtrot:canaryVersion": "v2",
      "foxtrot:canaryWeight": "50",
      "foxtrot:canaryHeader": "stage=canary",
      "foxtrot:images": {
        v1: "nicholasjackson/fake-service:v0.25.2",
        v2: "nicholasjackson/fake-service:v0.26.2",
      },
    });
    assert.equal(
      (yamlOf("foxtrot/Pulumi.prod.yaml").config as Record<string, string>)["foxtrot:canaryWeight"],
      "0",
    );
  });

  it("platform: the VirtualService delegates /echo and /foxtrot by selector; Settings replace invalid routes", async () => {
    // Registration order between components is not fixed: compare by kind.
    const byKind = (run: Render) => [...ok(run)].sort((a, b) => String(a.kind).localeCompare(String(b.kind)));
    const objects = byKind(await runs.platformDev);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ["Settings", "VirtualService"],
    );
    // The Settings patch is the builder's (whose whole object settings.test.ts asserts) with the default policy.
    assert.deepEqual(objects[0], buildGlooSettingsPatch({}));
    // The gateway is the builder's (whose whole object team-components.test.ts asserts) for the two teams.
    assert.deepEqual(
      objects[1],
      buildPlatformGateway({
        name: "gateway",
        teams: [
          { team: "echo", prefix: "/echo" },
          { team: "foxtrot", prefix: "/foxtrot" },
        ],
      }).virtualService,
    );
    assert.deepEqual(byKind(await runs.platformProd), objects);
  });

  it("echo declares Upstreams echo-v1 and echo-v2 for the Service echo in echo, port 8080", async () => {
    const upstreams = ok(await runs.echoDev)
      .filter((o) => o.kind === "Upstream")
      .sort((a, b) => JSON.stringify(a.metadata).localeCompare(JSON.stringify(b.metadata)));
    assert.deepEqual(
      upstreams,
      ["v1", "v2"].map((version) => ({
        apiVersion: "gloo.solo.io/v1",
        kind: "Upstream",
        metadata: ref("echo", version),
        spec: {
          kube: {
            serviceName: "echo",
            serviceNamespace: "echo",
            servicePort: 8080,
            selector: { app: "echo", version },
          },
        },
      })),
    );
  });

  it("echo dev (phase 1): stage=canary to v2 first, everything else to v1", async () => {
    assert.deepEqual(routeTableOf(await runs.echoDev), {
      apiVersion: "gateway.solo.io/v1",
      kind: "RouteTable",
      metadata: { name: "echo", namespace: "echo", labels: { "pulumi-canary/team": "echo" } },
      spec: { routes: [canary("echo"), single("echo", "v1")] },
    });
  });

  it("echo at weights 10 (dev, header kept), 50 and 100 (prod, no header)", async () => {
    assert.deepEqual(routeTableOf(await runs.echoDev10).spec.routes, [canary("echo"), split("echo", 90, 10)]);
    assert.deepEqual(routeTableOf(await runs.echoProd50).spec.routes, [split("echo", 50, 50)]);
    assert.deepEqual(routeTableOf(await runs.echoProd100).spec.routes, [single("echo", "v2")]);
  });

  it("foxtrot dev (phase 2): stage=canary to v2, the rest split v1 50 / v2 50", async () => {
    const table = routeTableOf(await runs.foxtrotDev);
    assert.deepEqual(table.metadata, {
      name: "foxtrot",
      namespace: "foxtrot",
      labels: { "pulumi-canary/team": "foxtrot" },
    });
    assert.deepEqual(table.spec.routes, [canary("foxtrot"), split("foxtrot", 50, 50)]);
  });

  it("foxtrot at weights 0 (dev, header), 10 and 100 (prod)", async () => {
    assert.deepEqual(routeTableOf(await runs.foxtrotDev0).spec.routes, [
      canary("foxtrot"),
      single("foxtrot", "v1"),
    ]);
    assert.deepEqual(routeTableOf(await runs.foxtrotProd10).spec.routes, [split("foxtrot", 90, 10)]);
    assert.deepEqual(routeTableOf(await runs.foxtrotProd100).spec.routes, [single("foxtrot", "v2")]);
  });

  it("the platform's delegations find every team table, and every team route stays inside its prefix", async () => {
    const vs = virtualServiceOf(await runs.platformDev);
    const tables = await Promise.all([runs.echoDev, runs.foxtrotDev]).then((all) => all.map(routeTableOf));
    for (const route of vs.spec.virtualHost.routes) {
      const prefix = route.matchers?.[0].prefix ?? "";
      const selector = route.delegateAction?.selector;
      assert.ok(selector?.namespaces && selector.labels);
      const selected = tables.filter(
        (t) =>
          selector.namespaces?.includes(t.metadata.namespace) &&
          Object.entries(selector.labels ?? {}).every(([k, v]) => t.metadata.labels?.[k] === v),
      );
      assert.equal(selected.length, 1, `one table for ${prefix}`);
      for (const child of selected[0].spec.routes) {
        for (const m of child.matchers ?? [])
          assert.ok(m.prefix?.startsWith(prefix), `${m.prefix} in ${prefix}`);
      }
    }
  });

  it("every object rendered at every weight is valid against the Gloo CRDs", async () => {
    const { badPrefix, ...good } = runs;
    void badPrefix;
    const objects = (await Promise.all(Object.values(good))).flatMap(ok);
    const gloo = objects.filter((o) => String(o.apiVersion).includes("solo.io"));
    assert.ok(gloo.length > 0 && gloo.length < objects.length);
    const report = checkCrds(objects);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report, {
      valid: gloo.length,
      invalid: 0,
      notCovered: objects.length - gloo.length,
      problems: [],
    });
  });

  it("a prefix that is not a path is refused before anything is rendered, naming the key", async () => {
    const run = await runs.badPrefix;
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^pulumi-canary: prefix: got "echo"; expected a path prefix starting with "\/"/);
  });
});
