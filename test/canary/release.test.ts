import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, planCanaryRelease, type CanaryReleaseArgs } from "../../src/canary";
import { ConsulProtocol } from "../../src/consul";
import { renderObjects, type RenderedObject } from "../../src/render/emit";
import {
  assertRefusedWithoutRegistering,
  recordResources,
  valueOf,
  type Recording,
} from "../support/runtime";
import { deployedVersions, referencedVersions } from "./lifecycle";
import { resetClaims } from "../../src/claims";

const images = { v1: "registry/payments:1", v2: "registry/payments:2", v3: "registry/payments:3" };
const base: CanaryReleaseArgs = {
  service: "payments",
  stableVersion: "v1",
  images,
  gloo: { prefix: "/payments" },
  consul: { protocol: ConsulProtocol.Http },
};
const header = { name: "stage", value: "canary" };

let recording: Recording;
let counter = 0;

/** Declares a release under a fresh name and returns what it renders. */
async function release(
  args: CanaryReleaseArgs,
): Promise<{ objects: RenderedObject[]; component: CanaryRelease }> {
  const name = `r${counter++}`;
  const from = recording.resources.length;
  resetClaims(); // each step stands for its own `pulumi up` of a program with this one release
  const component = new CanaryRelease(name, args);
  await recording.settle();
  const mine = recording.resources.slice(from);
  return { objects: renderObjects(mine).objects, component };
}

const find = (objects: RenderedObject[], kind: string) =>
  objects
    .filter((o) => o.object.kind === kind || o.object.Kind === kind)
    .map((o) => o.object as Record<string, unknown>);
const vsRoutes = (objects: RenderedObject[]) =>
  (find(objects, "VirtualService")[0].spec as { virtualHost: { routes: Array<Record<string, unknown>> } })
    .virtualHost.routes;
const splits = (objects: RenderedObject[]) =>
  (find(objects, "service-splitter")[0].Splits as Array<{ ServiceSubset: string; Weight: number }>).map(
    (s) => `${s.ServiceSubset}=${s.Weight}`,
  );

describe("CanaryRelease lifecycle", async () => {
  recording = await recordResources();

  test("stable only: one version, a single route, a 100 % split, no router", async () => {
    const { objects, component } = await release(base);
    assert.deepEqual(deployedVersions(objects), ["v1"]);
    assert.deepEqual(
      vsRoutes(objects).map((r) => r.routeAction),
      [{ single: { upstream: { name: "payments-v1", namespace: "default" } } }],
    );
    assert.deepEqual(splits(objects), ["v1=100"]);
    assert.equal(find(objects, "service-router").length, 0);
    assert.equal(await valueOf(component.phase), "stable");
  });

  test("phase 1, header testing: the canary runs, only the header reaches it", async () => {
    const { objects, component } = await release({ ...base, canaryVersion: "v2", canaryWeight: 0, header });
    assert.deepEqual(deployedVersions(objects), ["v1", "v2"]);
    const routes = vsRoutes(objects);
    assert.equal(routes.length, 2);
    assert.deepEqual(routes[0].matchers, [
      { prefix: "/payments", headers: [{ name: "stage", value: "canary" }] },
    ]);
    assert.deepEqual(routes[0].routeAction, {
      single: { upstream: { name: "payments-v2", namespace: "default" } },
    });
    assert.deepEqual(routes[1].routeAction, {
      single: { upstream: { name: "payments-v1", namespace: "default" } },
    });
    assert.deepEqual(splits(objects), ["v1=100"]);
    const router = find(objects, "service-router")[0] as unknown as {
      Routes: Array<{ Match: unknown; Destination: unknown }>;
    };
    assert.deepEqual(router.Routes[0].Destination, { Service: "payments", ServiceSubset: "v2" });
    assert.equal(await valueOf(component.phase), "header-testing");
    assert.equal(await valueOf(component.headerRoute), "stage=canary -> v2");
  });

  for (const weight of [10, 50]) {
    test(`phase 2, weighted ${weight}: both layers split ${100 - weight}/${weight}`, async () => {
      const { objects, component } = await release({
        ...base,
        canaryVersion: "v2",
        canaryWeight: weight,
        header,
      });
      const multi = vsRoutes(objects)[1].routeAction as {
        multi: { destinations: Array<{ weight: number }> };
      };
      assert.deepEqual(
        multi.multi.destinations.map((d) => d.weight),
        [100 - weight, weight],
      );
      assert.deepEqual(splits(objects), [`v1=${100 - weight}`, `v2=${weight}`]);
      assert.deepEqual(await valueOf(component.weights), {
        gloo: { v1: 100 - weight, v2: weight },
        consul: { v1: 100 - weight, v2: weight },
      });
    });
  }

  test("100 %: all traffic to the canary, the stable version still runs for a rollback", async () => {
    const { objects, component } = await release({ ...base, canaryVersion: "v2", canaryWeight: 100, header });
    assert.deepEqual(deployedVersions(objects), ["v1", "v2"]);
    assert.deepEqual(vsRoutes(objects)[1].routeAction, {
      single: { upstream: { name: "payments-v2", namespace: "default" } },
    });
    assert.deepEqual(splits(objects), ["v2=100"]);
    assert.equal(await valueOf(component.phase), "shifted");
  });

  test("finalize: the canary becomes stable, the old version's Deployment, Upstream and subset are gone", async () => {
    const before = await release({ ...base, canaryVersion: "v2", canaryWeight: 100 });
    const after = await release({ ...base, stableVersion: "v2" });
    assert.deepEqual(deployedVersions(after.objects), ["v2"]);
    assert.deepEqual(
      find(after.objects, "Upstream").map((u) => (u.metadata as { name: string }).name),
      ["payments-v2"],
    );
    const resolver = find(after.objects, "service-resolver")[0] as unknown as {
      DefaultSubset: string;
      Subsets: object;
    };
    assert.equal(resolver.DefaultSubset, "v2");
    assert.deepEqual(Object.keys(resolver.Subsets), ["v2"]);
    // The 100 % step already sent nothing to v1, so the splitter does not change when v1's subset goes.
    assert.deepEqual(splits(before.objects), splits(after.objects));
    assert.equal(await valueOf(after.component.phase), "stable");
  });

  test("rollback: weight 0 sends everything to stable and keeps the canary running", async () => {
    const at50 = await release({ ...base, canaryVersion: "v2", canaryWeight: 50 });
    const rolledBack = await release({ ...base, canaryVersion: "v2", canaryWeight: 0 });
    assert.deepEqual(deployedVersions(rolledBack.objects), deployedVersions(at50.objects));
    assert.deepEqual(
      vsRoutes(rolledBack.objects).map((r) => r.routeAction),
      [{ single: { upstream: { name: "payments-v1", namespace: "default" } } }],
    );
    assert.deepEqual(splits(rolledBack.objects), ["v1=100"]);
    assert.equal(await valueOf(rolledBack.component.phase), "standby");
  });

  test("no step ever routes to a version that is not deployed in the same step", async () => {
    const steps: CanaryReleaseArgs[] = [
      base,
      { ...base, canaryVersion: "v2", header },
      { ...base, canaryVersion: "v2", canaryWeight: 10, header },
      { ...base, canaryVersion: "v2", canaryWeight: 100, header },
      { ...base, stableVersion: "v2" },
      {
        ...base,
        stableVersion: "v2",
        canaryVersion: "v3",
        canaryWeight: 30,
        gloo: { ...base.gloo, useUpstreamGroup: true },
      },
      {
        ...base,
        stableVersion: "v2",
        canaryVersion: "v3",
        canaryWeight: 0,
        gloo: { ...base.gloo, shadowPercentage: 20 },
      },
    ];
    for (const step of steps) {
      const { objects } = await release(step);
      const deployed = deployedVersions(objects);
      for (const version of referencedVersions(objects)) {
        assert.ok(
          deployed.includes(version),
          `${JSON.stringify(step)} routes to ${version}, deployed: ${deployed}`,
        );
      }
    }
  });

  test("shadowing mirrors to the canary only while it takes no live traffic", async () => {
    const idle = await release({
      ...base,
      canaryVersion: "v2",
      gloo: { prefix: "/payments", shadowPercentage: 25 },
    });
    assert.deepEqual((vsRoutes(idle.objects)[0].options as { shadowing: unknown }).shadowing, {
      upstream: { name: "payments-v2", namespace: "default" },
      percentage: 25,
    });
    const live = await release({
      ...base,
      canaryVersion: "v2",
      canaryWeight: 10,
      gloo: { prefix: "/payments", shadowPercentage: 25 },
    });
    assert.equal(vsRoutes(live.objects)[0].options, undefined);
  });

  test("dependencies order the apply: resolver, Deployments, Upstreams, then routes and splits", async () => {
    const from = recording.resources.length;
    resetClaims();
    new CanaryRelease("ordered", { ...base, canaryVersion: "v2", canaryWeight: 10, header });
    await recording.settle();
    const mine = recording.resources.slice(from);
    const byType = (suffix: string) => mine.filter((r) => r.type.endsWith(suffix));
    const urns = (suffix: string) => byType(suffix).map((r) => r.urn);
    const [resolver] = byType("ConfigEntryServiceResolver");
    const [defaults] = byType(":ConfigEntry");
    assert.deepEqual(resolver.dependencies, [defaults.urn]);
    for (const deployment of byType(":Deployment"))
      assert.deepEqual(deployment.dependencies.sort(), [defaults.urn, resolver.urn].sort());
    for (const upstream of byType(":Upstream")) {
      const version = (upstream.inputs.spec as { kube: { selector: { version: string } } }).kube.selector
        .version;
      assert.deepEqual(upstream.dependencies, [
        byType(":Deployment").find((d) => d.name === `ordered-${version}`)?.urn,
      ]);
    }
    const [vs] = byType(":VirtualService");
    assert.deepEqual(vs.dependencies.sort(), urns(":Upstream").sort());
    for (const entry of [...byType("ConfigEntryServiceSplitter"), ...byType("ConfigEntryServiceRouter")]) {
      assert.deepEqual(
        entry.dependencies.sort(),
        [...urns(":Deployment"), resolver.urn, defaults.urn].sort(),
      );
    }
    // Every leaf is a direct child of the release: one level of components.
    const component = mine.find((r) => r.type === "pulumi-canary:index:CanaryRelease");
    assert.ok(component);
    assert.ok(mine.filter((r) => r.custom).every((r) => r.parent === component.urn));
    assert.deepEqual(
      mine
        .filter((r) => r.custom)
        .map((r) => `${r.type.split(":").pop()} ${r.name}`)
        .sort(),
      [
        "ConfigEntry ordered",
        "ConfigEntryServiceResolver ordered",
        "Deployment ordered-v1",
        "Deployment ordered-v2",
        "Service ordered",
        "Upstream ordered-v1",
        "Upstream ordered-v2",
        "VirtualService ordered",
        "ConfigEntryServiceSplitter ordered",
        "ConfigEntryServiceRouter ordered",
      ].sort(),
    );
  });

  test("team mode: the routes go into the team's RouteTable for the delegated prefix, no VirtualService", async () => {
    const { objects } = await release({
      ...base,
      namespace: "foxtrot",
      canaryVersion: "v2",
      canaryWeight: 25,
      gloo: {
        prefix: "/foxtrot/api",
        routeTable: { team: "foxtrot", delegatedPrefix: "/foxtrot", weight: 3 },
      },
    });
    assert.deepEqual(find(objects, "VirtualService"), []);
    const [table] = find(objects, "RouteTable") as Array<{
      metadata: object;
      spec: { weight: number; routes: Array<{ matchers: unknown }> };
    }>;
    assert.deepEqual(table.metadata, {
      name: "payments",
      namespace: "foxtrot",
      labels: { "pulumi-canary/team": "foxtrot" },
    });
    assert.equal(table.spec.weight, 3);
    assert.deepEqual(table.spec.routes[0].matchers, [{ prefix: "/foxtrot/api" }]);
  });

  test("Gloo only: no Consul entries and no sidecar injection", async () => {
    const { objects, component } = await release({
      ...base,
      consul: undefined,
      canaryVersion: "v2",
      canaryWeight: 10,
    });
    assert.equal(objects.filter((o) => o.layer === "consul").length, 0);
    const deployment = find(objects, "Deployment")[0] as unknown as {
      spec: { template: { metadata: { annotations?: object } } };
    };
    assert.equal(deployment.spec.template.metadata.annotations, undefined);
    assert.deepEqual(Object.keys(await valueOf(component.weights)), ["gloo"]);
  });

  test("Consul only: no Gloo objects", async () => {
    const { objects, component } = await release({
      ...base,
      gloo: undefined,
      canaryVersion: "v2",
      canaryWeight: 10,
    });
    assert.deepEqual(find(objects, "Upstream"), []);
    assert.deepEqual(find(objects, "VirtualService"), []);
    assert.deepEqual(Object.keys(await valueOf(component.weights)), ["consul"]);
  });
});

describe("CanaryRelease refuses bad input before registering anything", async () => {
  recording ??= await recordResources();
  const cases: Array<[string, Partial<CanaryReleaseArgs>, RegExp]> = [
    [
      "weight 150",
      { canaryVersion: "v2", canaryWeight: 150 },
      /CanaryRelease bad: canaryWeight: got 150; expected a whole number from 0 to 100/,
    ],
    ["weight 12.5", { canaryVersion: "v2", canaryWeight: 12.5 }, /canaryWeight: got 12\.5;/],
    ["negative weight", { canaryVersion: "v2", canaryWeight: -5 }, /canaryWeight: got -5;/],
    [
      "weight without a canary",
      { canaryWeight: 10 },
      /canaryWeight: got 10; expected 0 while no canaryVersion is set/,
    ],
    [
      "canary equal to stable",
      { canaryVersion: "v1" },
      /canaryVersion: got "v1"; expected a version other than the stableVersion "v1"/,
    ],
    [
      "version with a dot",
      { canaryVersion: "v2.1" },
      /canaryVersion: got "v2\.1"; expected a DNS-1123 label/,
    ],
    ["upper-case service", { service: "Payments" }, /service: got "Payments"; expected a DNS-1123 label/],
    [
      "no image for the canary",
      { canaryVersion: "v4" },
      /images\.v4: got nothing; expected a container image for every running version \(v1, v4\)/,
    ],
    [
      "empty header name",
      { canaryVersion: "v2", header: { name: "", value: "canary" } },
      /header\.name: got ""/,
    ],
    [
      "empty header value",
      { canaryVersion: "v2", header: { name: "stage", value: "" } },
      /header\.value: got ""/,
    ],
    [
      "bad port",
      { port: 70000 },
      /port: got 70000; expected a whole number from 1 to 65535 \(the container port\)/,
    ],
    [
      "tcp with a canary",
      { canaryVersion: "v2", consul: { protocol: ConsulProtocol.Tcp } },
      /CanaryRelease bad: consul: protocol: got "tcp"; expected "http", "http2" or "grpc" for a release with canaryVersion "v2"/,
    ],
    [
      "bad Consul timeout",
      { consul: { connectTimeout: "five seconds" } },
      /connectTimeout: got "five seconds"/,
    ],
    ["bad Consul upstream", { consul: { upstreams: ["currency"] } }, /upstreams\[0\]: got "currency"/],
    [
      "shadow percentage 120",
      { canaryVersion: "v2", gloo: { shadowPercentage: 120 } },
      /gloo\.shadowPercentage: got 120; expected a percentage from 0 to 100/,
    ],
    [
      "gloo prefix without a slash",
      { gloo: { prefix: "payments" } },
      /CanaryRelease bad: gloo\.prefix: got "payments"; expected a path prefix starting with "\/"/,
    ],
    [
      "extra weights above 100",
      { canaryVersion: "v2", canaryWeight: 90, extraVersions: [{ version: "v3", weight: 20 }] },
      /got 110; expected a total of at most 100/,
    ],
    ["bad domains", { gloo: { domains: [] } }, /domains: got \[\];/],
    [
      "team route outside the delegated prefix",
      { gloo: { prefix: "/echo", routeTable: { team: "foxtrot", delegatedPrefix: "/foxtrot" } } },
      /CanaryRelease bad: gloo\.routeTable: team foxtrot: .*got "\/echo"; expected a path starting with the prefix "\/foxtrot" delegated to team foxtrot/,
    ],

    ["bad namespace", { namespace: "Payments NS" }, /namespace: got "Payments NS"/],
  ];
  for (const [what, override, message] of cases) {
    test(what, async () => {
      await assertRefusedWithoutRegistering(
        recording,
        () => new CanaryRelease("bad", { ...base, ...override }),
        message,
      );
    });
  }

  test("the check sees a registration made before the throw, which lands only after it", async () => {
    await assert.rejects(
      assertRefusedWithoutRegistering(
        recording,
        () => {
          new pulumi.ComponentResource("test:index:Leftover", "leftover");
          throw new Error("refused after registering");
        },
        /refused after registering/,
      ),
      /a refused input registered test:index:Leftover leftover/,
    );
  });

  test("the planner is pure and shares the component's errors", () => {
    assert.throws(
      () => planCanaryRelease("p", { ...base, canaryWeight: 7 }),
      /CanaryRelease p: canaryWeight: got 7/,
    );
    const plan = planCanaryRelease("p", { ...base, canaryVersion: "v2", canaryWeight: 25, header });
    assert.deepEqual(plan.status, {
      phase: "weighted",
      weights: { gloo: { v1: 75, v2: 25 }, consul: { v1: 75, v2: 25 } },
      versions: ["v1", "v2"],
      headerRoute: "stage=canary -> v2",
      state: {
        current: {
          phase: "weighted",
          stableVersion: "v1",
          canaryVersion: "v2",
          canaryWeight: 25,
          split: { v1: 75, v2: 25 },
          versions: ["v1", "v2"],
          headerVersion: "v2",
        },
        trail: ["weighted v1 75% / v2 25% (header → v2)"],
      },
    });
  });
});
