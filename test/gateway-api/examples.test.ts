import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { CanaryRelease } from "../../src/canary";
import { cli, FINALIZE_ARGS, renderJson, ROOT } from "../support/render";
import { checkCrds } from "../support/crds";

type Obj = Record<string, unknown>;
const petstore = path.join(ROOT, "examples", "gateway-api-petstore");
const team = path.join(ROOT, "examples", "gateway-api-teams", "team");

const keyOf = (o: Obj): string => {
  const meta = (o.metadata ?? {}) as Obj;
  return `${String(o.kind)} ${String(meta.namespace)}/${String(meta.name)}`;
};

/** The objects whose content differs between two renders. */
function changed(a: Obj[], b: Obj[]): string[] {
  const before = new Map(a.map((o) => [keyOf(o), JSON.stringify(o)]));
  return b.filter((o) => before.get(keyOf(o)) !== JSON.stringify(o)).map(keyOf);
}

describe("the Gateway API examples", () => {
  test("petstore: a weight step changes only the HTTPRoute; every object passes the standard CRDs", async () => {
    const at: Record<number, Obj[]> = {};
    for (const weight of [0, 10, 50, 100]) {
      at[weight] = await renderJson(
        petstore,
        "--stack",
        "dev",
        "--config",
        `canaryWeight=${weight}`,
        "--output",
        "json",
      );
      const report = checkCrds(at[weight]);
      assert.deepEqual(report.problems, []);
      assert.equal(report.valid, 2, "the Gateway and the HTTPRoute");
    }
    assert.deepEqual(changed(at[0], at[10]), ["HTTPRoute default/petstore"]);
    assert.deepEqual(changed(at[10], at[50]), ["HTTPRoute default/petstore"]);
    assert.deepEqual(changed(at[50], at[100]), ["HTTPRoute default/petstore"]);
    assert.deepEqual(
      at[10]
        .filter((o) => o.kind === "Service")
        .map(keyOf)
        .sort(),
      ["Service default/petstore", "Service default/petstore-v1", "Service default/petstore-v2"],
    );
  });

  test("petstore: finalize retires v1's Deployment and Service and routes everything to v2", async () => {
    const finalized = await renderJson(petstore, "--stack", "dev", ...FINALIZE_ARGS, "--output", "json");
    const names = finalized.map(keyOf);
    assert.ok(
      !names.includes("Service default/petstore-v1") && !names.includes("Deployment default/petstore-v1"),
    );
    const route = finalized.find((o) => o.kind === "HTTPRoute") as { spec: { rules: Obj[] } };
    assert.deepEqual(
      route.spec.rules.map((r) => r.backendRefs),
      [[{ name: "petstore-v2", port: 8080, weight: 100 }]],
    );
  });

  test("teams: each team's HTTPRoute lives in its namespace, labelled, confined to its prefix", async () => {
    const foxtrot = await renderJson(team, "--stack", "foxtrot-dev", "--output", "json");
    const route = foxtrot.find((o) => o.kind === "HTTPRoute") as { metadata: Obj; spec: { rules: Obj[] } };
    assert.deepEqual(route.metadata, {
      name: "foxtrot",
      namespace: "foxtrot",
      labels: { "pulumi-canary/team": "foxtrot" },
    });
    assert.deepEqual(checkCrds(foxtrot).problems, []);
    const inside = await cli(
      "render",
      team,
      "--stack",
      "foxtrot-dev",
      "--config",
      "routePrefix=/foxtrot/api",
    );
    assert.equal(inside.code, 0, inside.stderr);
    // The Gateway API matches whole path elements: "/foxtrotx" is not inside "/foxtrot".
    const beside = await cli("render", team, "--stack", "foxtrot-dev", "--config", "routePrefix=/foxtrotx");
    assert.equal(beside.code, 1);
    assert.match(
      beside.stderr,
      /gatewayApi\.prefix: got "\/foxtrotx"; expected a path prefix inside the prefix "\/foxtrot"/,
    );
    const outside = await cli("render", team, "--stack", "foxtrot-dev", "--config", "routePrefix=/echo");
    assert.equal(outside.code, 1);
    assert.match(
      outside.stderr,
      /CanaryRelease foxtrot: gatewayApi\.prefix: got "\/echo"; expected a path prefix inside the prefix "\/foxtrot" given to team foxtrot: "\/foxtrot" or a path under it such as "\/foxtrot\/api" \(whole path elements: "\/foxtrotx" lies outside\)/,
    );
  });

  test("a release whose route leaves its team's prefix, or whose host the listener does not serve, is refused", async () => {
    const base = {
      service: "foxtrot",
      namespace: "foxtrot",
      stableVersion: "v1",
      images: { v1: "img:1" },
    };
    assert.throws(
      () =>
        new CanaryRelease("foxtrot-out", {
          ...base,
          gatewayApi: {
            gateway: { name: "platform", namespace: "gateway-system" },
            prefix: "/echo",
            team: { team: "foxtrot", prefix: "/foxtrot" },
          },
        }),
      /^InvalidArgumentsError: CanaryRelease foxtrot-out: gatewayApi\.prefix: got "\/echo"; expected a path prefix inside the prefix "\/foxtrot" given to team foxtrot: "\/foxtrot" or a path under it such as "\/foxtrot\/api" \(whole path elements: "\/foxtrotx" lies outside\)/,
    );
    assert.throws(
      () =>
        new CanaryRelease("foxtrot-host", {
          ...base,
          gatewayApi: {
            gateway: { name: "platform", namespace: "gateway-system" },
            listenerHostname: "*.example.com",
            hostnames: ["foxtrot.example.org"],
          },
        }),
      /gatewayApi\.hostnames\[0\]: got "foxtrot\.example\.org"; expected a host name the listener's hostname "\*\.example\.com" serves/,
    );
  });
});
