import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import {
  buildGlooSettingsPatch,
  GLOO_SETTINGS_PATCH_TYPE,
  GlooSettingsPatch,
  PLATFORM_GATEWAY_TYPE,
  PlatformGateway,
  TEAM_ROUTE_TABLE_TYPE,
  TeamRouteTable,
  Upstream,
  type GlooSettingsPatchArgs,
  type PlatformGatewayArgs,
  type TeamRouteTableArgs,
} from "../../src/gloo";
import { one, recordResources, type Recording } from "../support/runtime";
import { resetClaims } from "../../src/claims";

// Each test stands for its own program: objects claimed by an earlier test do not count.
beforeEach(() => resetClaims());

const VS = "kubernetes:gateway.solo.io/v1:VirtualService";
const RT = "kubernetes:gateway.solo.io/v1:RouteTable";
const UG = "kubernetes:gloo.solo.io/v1:UpstreamGroup";
const UP = "kubernetes:gloo.solo.io/v1:Upstream";
const SETTINGS_PATCH = "kubernetes:gloo.solo.io/v1:SettingsPatch";

const teams = [
  { team: "echo", prefix: "/echo", namespace: "echo" },
  { team: "foxtrot", prefix: "/foxtrot", namespace: "foxtrot" },
];
const stage = { name: "stage", value: "canary" };

describe("team components", () => {
  let rec: Recording;
  before(async () => {
    rec = await recordResources();
  });

  it("PlatformGateway registers its VirtualService under the component; the object is named after it", async () => {
    const from = rec.resources.length;
    const gateway = new PlatformGateway("gateway", { teams });
    await rec.settle();
    assert.deepEqual(
      rec.resources.slice(from).map((r) => `${r.type} ${r.name}`),
      [`${PLATFORM_GATEWAY_TYPE} gateway`, `${VS} gateway`],
    );
    const component = one(rec, PLATFORM_GATEWAY_TYPE, "gateway");
    const vs = one(rec, VS, "gateway");
    assert.equal(vs.parent, component.urn);
    assert.deepEqual(vs.inputs, {
      apiVersion: "gateway.solo.io/v1",
      kind: "VirtualService",
      metadata: { name: "gateway", namespace: "gloo-system" },
      spec: {
        virtualHost: {
          domains: ["*"],
          routes: ["foxtrot", "echo"].map((team) => ({
            name: team,
            matchers: [{ prefix: `/${team}` }],
            delegateAction: {
              selector: { namespaces: [team], labels: { "pulumi-canary/team": team } },
            },
          })),
        },
      },
    });
    assert.equal(gateway.name, "gateway");
    assert.equal(gateway.namespace, "gloo-system");
    assert.deepEqual(gateway.teams, ["foxtrot", "echo"]);
    assert.deepEqual(gateway.prefixes, { foxtrot: "/foxtrot", echo: "/echo" });
  });

  it("PlatformGateway takes an explicit object name", async () => {
    new PlatformGateway("edge", { name: "public", namespace: "edge", teams: [teams[0]] });
    await rec.settle();
    assert.deepEqual(one(rec, VS, "edge").inputs.metadata, { name: "public", namespace: "edge" });
  });

  it("TeamRouteTable registers its RouteTable after the Upstreams it routes to, under the component", async () => {
    const v1 = new Upstream("echo-v1", { service: "echo", version: "v1", namespace: "echo", port: 8080 });
    const v2 = new Upstream("echo-v2", { service: "echo", version: "v2", namespace: "echo", port: 8080 });
    await rec.settle();
    const from = rec.resources.length;
    const table = new TeamRouteTable("echo", {
      team: "echo",
      prefix: "/echo",
      upstreams: [v1, v2],
      routes: [
        {
          prefix: "/echo",
          release: {
            service: "echo",
            stableVersion: "v1",
            canaryVersion: "v2",
            canaryWeight: 0,
            header: stage,
          },
        },
      ],
    });
    await rec.settle();
    assert.deepEqual(
      rec.resources.slice(from).map((r) => `${r.type} ${r.name}`),
      [`${TEAM_ROUTE_TABLE_TYPE} echo`, `${RT} echo`],
    );
    const rt = one(rec, RT, "echo");
    assert.equal(rt.parent, one(rec, TEAM_ROUTE_TABLE_TYPE, "echo").urn);
    for (const name of ["echo-v1", "echo-v2"]) {
      assert.ok(rt.dependencies.includes(one(rec, UP, name).urn), `the RouteTable depends on ${name}`);
    }
    assert.deepEqual(rt.inputs, {
      apiVersion: "gateway.solo.io/v1",
      kind: "RouteTable",
      metadata: { name: "echo", namespace: "echo", labels: { "pulumi-canary/team": "echo" } },
      spec: {
        routes: [
          {
            matchers: [{ prefix: "/echo", headers: [stage] }],
            routeAction: { single: { upstream: { name: "echo-v2", namespace: "echo" } } },
          },
          {
            matchers: [{ prefix: "/echo" }],
            routeAction: { single: { upstream: { name: "echo-v1", namespace: "echo" } } },
          },
        ],
      },
    });
    assert.equal(table.name, "echo");
    assert.equal(table.namespace, "echo");
    assert.equal(table.team, "echo");
    assert.equal(table.prefix, "/echo");
    assert.deepEqual(table.splits, { "routes[0] (/echo)": "v1 100%" });
    assert.deepEqual(table.upstreamGroups, []);
  });

  it("TeamRouteTable with useUpstreamGroup: the UpstreamGroup first, the RouteTable after it", async () => {
    const up = (v: string) => ({ name: `foxtrot-${v}`, namespace: "foxtrot" });
    const from = rec.resources.length;
    const table = new TeamRouteTable("foxtrot", {
      team: "foxtrot",
      prefix: "/foxtrot",
      weight: 1,
      externalUpstreams: [up("v1"), up("v2")],
      routes: [
        {
          prefix: "/foxtrot",
          release: { service: "foxtrot", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 50 },
          useUpstreamGroup: true,
        },
      ],
    });
    await rec.settle();
    assert.deepEqual(
      rec.resources.slice(from).map((r) => `${r.type} ${r.name}`),
      [`${TEAM_ROUTE_TABLE_TYPE} foxtrot`, `${UG} foxtrot-foxtrot`, `${RT} foxtrot`],
    );
    const group = one(rec, UG, "foxtrot-foxtrot");
    const rt = one(rec, RT, "foxtrot");
    assert.equal(group.parent, one(rec, TEAM_ROUTE_TABLE_TYPE, "foxtrot").urn);
    assert.ok(rt.dependencies.includes(group.urn));
    assert.deepEqual(group.inputs.metadata, {
      name: "foxtrot",
      namespace: "foxtrot",
      labels: { "pulumi-canary/team": "foxtrot" },
    });
    assert.deepEqual((rt.inputs.spec as { weight: number }).weight, 1);
    assert.deepEqual(table.upstreamGroups, ["foxtrot/foxtrot"]);
    assert.deepEqual(table.splits, { "routes[0] (/foxtrot)": "v1 50% / v2 50%" });
  });

  it("GlooSettingsPatch patches Gloo's default Settings with a forced server-side apply patch", async () => {
    const from = rec.resources.length;
    const settings = new GlooSettingsPatch("gloo-settings", { invalidRouteResponseCode: 404 });
    await rec.settle();
    assert.deepEqual(
      rec.resources.slice(from).map((r) => `${r.type} ${r.name}`),
      [`${GLOO_SETTINGS_PATCH_TYPE} gloo-settings`, `${SETTINGS_PATCH} gloo-settings`],
    );
    const patch = one(rec, SETTINGS_PATCH, "gloo-settings");
    assert.equal(patch.custom, true);
    assert.equal(patch.parent, one(rec, GLOO_SETTINGS_PATCH_TYPE, "gloo-settings").urn);
    // The builder's object for the same arguments (settings.test.ts asserts the whole of it), patch forced.
    assert.deepEqual(patch.inputs, buildGlooSettingsPatch({ invalidRouteResponseCode: 404 }));
    assert.deepEqual((patch.inputs.metadata as { annotations?: object }).annotations, {
      "pulumi.com/patchForce": "true",
    });
    assert.equal(settings.name, "default");
    assert.equal(settings.namespace, "gloo-system");
  });

  it("a refused input registers nothing, not even the component", async () => {
    await rec.settle();
    const before = rec.resources.length;
    const gateways: PlatformGatewayArgs[] = [
      { teams: [teams[0], { team: "foxtrot", prefix: "/echo", namespace: "foxtrot" }] },
      { teams: [{ team: "echo", prefix: "/echo", namespace: "*" }] },
      { teams: [] },
    ];
    gateways.forEach((args, i) =>
      assert.throws(
        () => new PlatformGateway(`bad-gateway-${i}`, args),
        /^InvalidArgumentsError: PlatformGateway bad-gateway-\d: /,
      ),
    );
    const echoV1 = { name: "echo-v1", namespace: "echo" };
    const tables: TeamRouteTableArgs[] = [
      {
        team: "echo",
        prefix: "/echo",
        upstreams: [echoV1],
        routes: [{ prefix: "/foxtrot", single: echoV1 }],
      },
      { team: "echo", prefix: "/echo", upstreams: [echoV1], routes: [{ single: echoV1 }] },
      { team: "echo", prefix: "/echo", upstreams: [echoV1], routes: [{ regex: ".*", single: echoV1 }] },
      {
        team: "echo",
        prefix: "/echo",
        upstreams: [echoV1],
        routes: [{ prefix: "/echo", single: { name: "echo-typo", namespace: "echo" } }],
      },
      // The last route is bad: nothing of the good route before it (nor its UpstreamGroup) is registered.
      {
        team: "echo",
        prefix: "/echo",
        externalUpstreams: [echoV1, { name: "echo-v2", namespace: "echo" }],
        routes: [
          {
            prefix: "/echo/a",
            release: { service: "echo", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10 },
            useUpstreamGroup: true,
          },
          { prefix: "/other", single: echoV1 },
        ],
      },
    ];
    tables.forEach((args, i) =>
      assert.throws(
        () => new TeamRouteTable(`bad-table-${i}`, args),
        /^InvalidArgumentsError: TeamRouteTable bad-table-\d: team echo: routes\[\d\] /,
      ),
    );
    const settings: GlooSettingsPatchArgs[] = [
      { invalidRouteResponseCode: 700 },
      { invalidRouteResponseBody: "" },
    ];
    settings.forEach((args, i) =>
      assert.throws(
        () => new GlooSettingsPatch(`bad-settings-${i}`, args),
        /^InvalidArgumentsError: GlooSettingsPatch bad-settings-\d: /,
      ),
    );
    await rec.settle();
    assert.equal(rec.resources.length, before);
  });
});
