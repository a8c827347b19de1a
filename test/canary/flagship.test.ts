import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { renderJson, ROOT } from "../support/render";

type Obj = Record<string, unknown>;

/** Renders the flagship (the root program) through the CLI, in process, as JSON. */
function render(stack: string, weight?: number): Promise<Obj[]> {
  return renderJson(
    ROOT,
    "--stack",
    stack,
    ...(weight === undefined ? [] : ["--config", `canaryWeight=${weight}`]),
  );
}

const keyOf = (o: Obj): string => {
  const meta = (o.metadata ?? {}) as Obj;
  return o.kind
    ? `${String(o.kind)} ${String(meta.namespace)}/${String(meta.name)}`
    : `${String(o.Kind)} ${String(o.Name)}`;
};

/** The objects whose content differs between two renders, by key. */
function changed(a: Obj[], b: Obj[]): string[] {
  const before = new Map(a.map((o) => [keyOf(o), JSON.stringify(o)]));
  const after = new Map(b.map((o) => [keyOf(o), JSON.stringify(o)]));
  assert.deepEqual(
    [...before.keys()].sort(),
    [...after.keys()].sort(),
    "a weight change must not add or remove objects",
  );
  return [...after.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
}

describe("the flagship program", () => {
  const at: Record<number, Obj[]> = {};
  before(async () => {
    for (const weight of [0, 10, 50, 100]) at[weight] = await render("dev", weight);
  });

  test("dev renders the 90/10 split on both layers, with the header route first", async () => {
    const dev = await render("dev");
    const vs = dev.find((o) => o.kind === "VirtualService") as { spec: { virtualHost: { routes: Obj[] } } };
    const [headerRoute, split] = vs.spec.virtualHost.routes;
    assert.deepEqual(headerRoute.matchers, [
      { prefix: "/payments", headers: [{ name: "stage", value: "canary" }] },
    ]);
    assert.deepEqual(split.routeAction, {
      multi: {
        destinations: [
          { destination: { upstream: { name: "payments-v1", namespace: "default" } }, weight: 90 },
          { destination: { upstream: { name: "payments-v2", namespace: "default" } }, weight: 10 },
        ],
      },
    });
    const splitter = dev.find((o) => o.Kind === "service-splitter") as { Splits: Obj[] };
    assert.deepEqual(splitter.Splits, [
      { Weight: 90, Service: "payments", ServiceSubset: "v1" },
      { Weight: 10, Service: "payments", ServiceSubset: "v2" },
    ]);
  });

  test("prod holds the canary at 0 with three replicas per version", async () => {
    const prod = await render("prod");
    const deployments = prod.filter((o) => o.kind === "Deployment") as Array<{ spec: { replicas: number } }>;
    assert.deepEqual(
      deployments.map((d) => d.spec.replicas),
      [3, 3],
    );
    const splitter = prod.find((o) => o.Kind === "service-splitter") as { Splits: Obj[] };
    assert.deepEqual(splitter.Splits, [{ Weight: 100, Service: "payments", ServiceSubset: "v1" }]);
  });

  for (const [a, b] of [
    [10, 50],
    [0, 10],
    [50, 100],
    [0, 100],
  ]) {
    test(`a weight change ${a} -> ${b} changes only the VirtualService and the splitter`, () => {
      assert.deepEqual(changed(at[a], at[b]), [
        "VirtualService gloo-system/payments",
        "service-splitter payments",
      ]);
    });
  }

  test("Deployments, Service, Upstreams, resolver and router are identical at every weight", () => {
    const stable = (objects: Obj[]) =>
      objects
        .filter(
          (o) =>
            ["Deployment", "Service", "Upstream"].includes(String(o.kind)) ||
            ["service-resolver", "service-router", "service-defaults"].includes(String(o.Kind)),
        )
        .map((o) => JSON.stringify(o));
    for (const weight of [10, 50, 100]) assert.deepEqual(stable(at[weight]), stable(at[0]));
  });
});
