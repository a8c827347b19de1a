// The Gateway API layer beside Gloo (the README's migration: both at once) and beside Consul: one canaryWeight drives
// every layer, so at each step every layer carries the same split and sends the header to the same version.
import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import { CanaryRelease, planCanaryRelease, type CanaryReleaseArgs } from "../../src/canary";
import { resetClaims } from "../../src/claims";
import { ConsulProtocol } from "../../src/consul";
import type { GlooVirtualService } from "../../src/gloo";
import { renderObjects } from "../../src/render/emit";
import { trafficRows } from "../../src/render/table";
import { recordResources, type Recording } from "../support/runtime";

type Split = { [version: string]: number };

const release: CanaryReleaseArgs = {
  service: "payments",
  stableVersion: "v1",
  canaryVersion: "v2",
  header: { name: "stage", value: "canary" },
  images: { v1: "registry/payments:1", v2: "registry/payments:2" },
};
// The README's migration snippet: the same prefix and rewrite on both edge layers.
const gloo: CanaryReleaseArgs["gloo"] = { prefix: "/payments", options: { prefixRewrite: "/" } };
const gatewayApi: CanaryReleaseArgs["gatewayApi"] = {
  gateway: { name: "public", namespace: "gateway-system" },
  prefix: "/payments",
  options: { prefixRewrite: "/" },
};
const consul: CanaryReleaseArgs["consul"] = { protocol: ConsulProtocol.Http };

const WEIGHTS = [0, 10, 50, 100];
const expected = (weight: number): Split =>
  weight === 0 ? { v1: 100 } : weight === 100 ? { v2: 100 } : { v1: 100 - weight, v2: weight };
const versionOf = (name: string): string => /(v\d+)$/.exec(name)?.[1] ?? name;

/** The weighted split of a Gloo VirtualService (its route without a header matcher), by version. */
function glooSplit(vs: GlooVirtualService): Split {
  const route = vs.spec.virtualHost.routes!.find((r) => !r.matchers?.[0]?.headers)!;
  const action = route.routeAction!;
  if (action.single) return { [versionOf(action.single.upstream!.name)]: 100 };
  return Object.fromEntries(
    action.multi!.destinations!.map((d) => [versionOf(d.destination.upstream!.name), d.weight!]),
  );
}

describe("the Gateway API layer beside Gloo and beside Consul, at weights 0/10/50/100", () => {
  test("gloo + gatewayApi (the migration): the same split and the same header target in both layers", () => {
    for (const canaryWeight of WEIGHTS) {
      const plan = planCanaryRelease("payments", { ...release, canaryWeight, gloo, gatewayApi });
      const want = expected(canaryWeight);
      assert.deepEqual(plan.status.weights, { gloo: want, gatewayApi: want });
      assert.deepEqual(glooSplit(plan.gloo!.routing as GlooVirtualService), want, `gloo at ${canaryWeight}`);
      const rules = plan.gatewayApi!.route.spec.rules;
      const split = rules.find((r) => r.name === "split")!;
      assert.deepEqual(
        Object.fromEntries(split.backendRefs.map((b) => [versionOf(b.name), b.weight])),
        want,
        `gatewayApi at ${canaryWeight}`,
      );
      const header = rules.find((r) => r.name === "canary-header")!;
      assert.deepEqual(header.backendRefs, [{ name: "payments-v2", port: 8080, weight: 100 }]);
      const glooHeader = (plan.gloo!.routing as GlooVirtualService).spec.virtualHost.routes!.find(
        (r) => r.matchers?.[0]?.headers,
      )!;
      assert.equal(glooHeader.routeAction!.single!.upstream!.name, "payments-v2");
    }
  });

  test("gatewayApi + consul: the same split in the HTTPRoute and the service-splitter", () => {
    for (const canaryWeight of WEIGHTS) {
      const plan = planCanaryRelease("payments", { ...release, canaryWeight, gatewayApi, consul });
      const want = expected(canaryWeight);
      assert.deepEqual(plan.status.weights, { consul: want, gatewayApi: want });
      const split = plan.gatewayApi!.route.spec.rules.find((r) => r.name === "split")!;
      assert.deepEqual(Object.fromEntries(split.backendRefs.map((b) => [versionOf(b.name), b.weight])), want);
      assert.deepEqual(
        Object.fromEntries(plan.consul!.splitter!.splits.map((s) => [s.serviceSubset, s.weight])),
        want,
        `consul at ${canaryWeight}`,
      );
      assert.equal(plan.consul!.router!.routes[0].destination?.serviceSubset, "v2");
    }
  });
});

describe("rendered through the components, at weights 0/10/50/100", async () => {
  const recording: Recording = await recordResources({}, "test");
  beforeEach(() => resetClaims());
  after(() => recording.close());

  /** What one release registers, as the traffic table reads it: the share of each version, by layer. */
  async function rendered(args: CanaryReleaseArgs): Promise<{ [layer: string]: Split }> {
    await recording.settle();
    const from = recording.resources.length;
    new CanaryRelease(`payments-${String(args.canaryWeight)}`, args);
    await recording.settle();
    const rows = trafficRows(renderObjects(recording.resources.slice(from)).objects).filter(
      (r) => !/\[stage: canary\]/.test(r.match),
    );
    const layers: { [layer: string]: Split } = {};
    for (const row of rows) {
      (layers[row.layer] ??= {})[versionOf(row.destination)] = Number.parseFloat(row.share);
    }
    return layers;
  }

  test("gloo + gatewayApi, and gatewayApi + consul: every layer's table rows carry the same split", async () => {
    for (const canaryWeight of WEIGHTS) {
      const want = expected(canaryWeight);
      assert.deepEqual(await rendered({ ...release, canaryWeight, gloo, gatewayApi }), {
        gloo: want,
        "gateway-api": want,
      });
      resetClaims();
      assert.deepEqual(await rendered({ ...release, canaryWeight, gatewayApi, consul }), {
        "gateway-api": want,
        consul: want,
      });
      resetClaims();
    }
  });
});
