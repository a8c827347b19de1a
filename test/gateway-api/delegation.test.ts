// Team confinement through kgateway route delegation (`teamRouting: TeamRouting.Delegation`): the platform's parent
// HTTPRoute per team, the Gateway admitting only its own namespace's routes, and the team's HTTPRoute under its
// parent. Proven on the objects (strictly against the v1.7.0 standard CRDs) and on the rendered example.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { InvalidArgumentsError } from "../../src/arguments";
import { CanaryRelease, planCanaryRelease, type CanaryReleaseArgs } from "../../src/canary";
import { resetClaims } from "../../src/claims";
import {
  buildSharedGateway,
  SharedGateway,
  TeamRouting,
  type SharedGatewayArgs,
} from "../../src/gateway-api";
import { checkCrds } from "../support/crds";
import { cli, renderJson, ROOT } from "../support/render";

type Obj = Record<string, unknown>;
const example = path.join(ROOT, "examples", "gateway-api-delegation");

const platform: SharedGatewayArgs = {
  namespace: "gateway-system",
  gatewayClassName: "kgateway",
  listeners: [{ name: "http", port: 80, hostname: "*.example.com" }],
  teamRouting: TeamRouting.Delegation,
  teams: [
    { team: "echo", namespace: "echo", prefix: "/echo", hostnames: ["api.example.com"] },
    { team: "foxtrot", namespace: "foxtrot", prefix: "/foxtrot" },
  ],
};

const foxtrot: CanaryReleaseArgs = {
  service: "foxtrot",
  namespace: "foxtrot",
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: 10,
  header: { name: "stage", value: "canary" },
  images: { v1: "img:1", v2: "img:2" },
  gatewayApi: {
    gateway: { name: "platform", namespace: "gateway-system" },
    prefix: "/foxtrot/api",
    team: { team: "foxtrot", prefix: "/foxtrot", routing: TeamRouting.Delegation },
  },
};

/** The problems a refused call reports, one line each. */
function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof Error);
    return err.message.split("\n");
  }
  assert.fail("expected the call to be refused");
}

/** Foxtrot's parent HTTPRoute, as a team route's parentRef. */
const FOXTROT_PARENT = {
  group: "gateway.networking.k8s.io",
  kind: "HTTPRoute",
  name: "platform-foxtrot",
  namespace: "gateway-system",
};

describe("SharedGateway with teamRouting Delegation", () => {
  test("the listener admits only its own namespace's routes; a parent HTTPRoute per team hands over the prefix", () => {
    const { gateway, teamRoutes } = buildSharedGateway("platform", platform);
    assert.deepEqual(gateway.spec.listeners[0].allowedRoutes, {
      kinds: [{ kind: "HTTPRoute" }],
      namespaces: { from: "Same" },
    });
    assert.deepEqual(teamRoutes, [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: {
          name: "platform-echo",
          namespace: "gateway-system",
          labels: { "pulumi-canary/team": "echo" },
        },
        spec: {
          parentRefs: [{ name: "platform" }],
          hostnames: ["api.example.com"],
          rules: [
            {
              name: "delegate",
              matches: [{ path: { type: "PathPrefix", value: "/echo" } }],
              backendRefs: [
                { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "*", namespace: "echo" },
              ],
            },
          ],
        },
      },
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: {
          name: "platform-foxtrot",
          namespace: "gateway-system",
          labels: { "pulumi-canary/team": "foxtrot" },
        },
        spec: {
          parentRefs: [{ name: "platform" }],
          rules: [
            {
              name: "delegate",
              matches: [{ path: { type: "PathPrefix", value: "/foxtrot" } }],
              backendRefs: [
                { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "*", namespace: "foxtrot" },
              ],
            },
          ],
        },
      },
    ]);
    const report = checkCrds([gateway, ...teamRoutes]);
    assert.deepEqual(report.problems, []);
    assert.equal(report.valid, 3);
  });

  test("Listener routing, the default, writes no parent route and admits the teams' namespaces", () => {
    const { gateway, teamRoutes } = buildSharedGateway("platform", {
      ...platform,
      teamRouting: undefined,
      teams: platform.teams!.map(({ team, namespace, prefix }) => ({ team, namespace, prefix })),
    });
    assert.deepEqual(teamRoutes, []);
    assert.equal(gateway.spec.listeners[0].allowedRoutes.namespaces.from, "Selector");
  });

  test("refused, every problem at once: team host names no listener serves, a shared namespace, a routing it does not know, Delegation-only fields with Listener", () => {
    assert.deepEqual(
      refusal(() =>
        buildSharedGateway(
          "platform",
          {
            ...platform,
            teams: [
              { team: "echo", namespace: "echo", prefix: "/echo", hostnames: ["api.example.org"] },
              { team: "foxtrot", namespace: "echo", prefix: "/foxtrot", parentRoute: "Foxtrot" },
            ],
          },
          "SharedGateway platform",
        ),
      ),
      [
        'SharedGateway platform: teams[0].hostnames[0]: got "api.example.org"; expected a host name a listener serves ("*.example.com"): the Gateway would not attach the parent route for it',
        'SharedGateway platform: teams[1].namespace: got "echo"; expected a namespace no other team has (team echo\'s, teams[0]): a parent HTTPRoute hands its prefix to every HTTPRoute of the namespace',
        'SharedGateway platform: teams[1].parentRoute: got "Foxtrot"; expected a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters, e.g. "v2" or "green")',
      ],
    );
    assert.deepEqual(
      refusal(() =>
        buildSharedGateway("platform", {
          ...platform,
          teamRouting: TeamRouting.Listener,
        }),
      ),
      [
        'teams[0].hostnames: got ["api.example.com"]; expected no host names with teamRouting Listener (the team\'s routes carry their own); they name the hosts of a parent HTTPRoute, with teamRouting Delegation',
      ],
    );
    assert.match(
      refusal(() =>
        buildSharedGateway("platform", { ...platform, teamRouting: "kgateway" as TeamRouting }),
      )[0],
      /^teamRouting: got "kgateway"; expected one of "listener", "delegation" \(TeamRouting\.Listener or TeamRouting\.Delegation\)$/,
    );
  });
});

describe("CanaryRelease under its team's parent HTTPRoute", () => {
  test("parentRefs name the parent route in the Gateway's namespace; no host names; the CRDs accept every phase", () => {
    for (const canaryWeight of [0, 10, 50, 100]) {
      const plan = planCanaryRelease("foxtrot", { ...foxtrot, canaryWeight });
      const route = plan.gatewayApi!.route;
      assert.deepEqual(route.spec.parentRefs, [FOXTROT_PARENT]);
      assert.equal(route.spec.hostnames, undefined);
      assert.deepEqual(route.metadata, {
        name: "foxtrot",
        namespace: "foxtrot",
        labels: { "pulumi-canary/team": "foxtrot" },
      });
      assert.ok(route.spec.rules.every((r) => r.matches[0].path.value === "/foxtrot/api"));
      const { gateway, teamRoutes } = buildSharedGateway("platform", platform);
      const report = checkCrds([gateway, ...teamRoutes, route]);
      assert.deepEqual(report.problems, []);
      assert.equal(report.valid, 4);
    }
  });

  test("a parent route named by the platform (teams[].parentRoute) is named by the team", () => {
    const plan = planCanaryRelease("foxtrot", {
      ...foxtrot,
      gatewayApi: {
        ...foxtrot.gatewayApi!,
        team: { ...foxtrot.gatewayApi!.team!, parentRoute: "foxtrot-root" },
      },
    });
    assert.equal(plan.gatewayApi!.route.spec.parentRefs[0].name, "foxtrot-root");
    assert.throws(
      () =>
        planCanaryRelease("foxtrot", {
          ...foxtrot,
          gatewayApi: {
            ...foxtrot.gatewayApi!,
            team: { ...foxtrot.gatewayApi!.team!, parentRoute: "Foxtrot_Root" },
          },
        }),
      /^ValidationError: CanaryRelease foxtrot: gatewayApi\.team\.parentRoute: got "Foxtrot_Root"; expected a DNS-1123 label/,
    );
  });

  test("refused before apply, every problem at once, each field named once: host names, a listener section, a path outside the prefix", () => {
    resetClaims();
    const lines = refusal(
      () =>
        new CanaryRelease("foxtrot", {
          ...foxtrot,
          gatewayApi: {
            ...foxtrot.gatewayApi!,
            gateway: { name: "platform", namespace: "gateway-system", sectionName: "http" },
            hostnames: ["foxtrot.example.com"],
            prefix: "/foxtrotx",
          },
        }),
    );
    assert.deepEqual(lines, [
      'CanaryRelease foxtrot: gatewayApi.prefix: got "/foxtrotx"; expected a path prefix inside the prefix "/foxtrot" given to team foxtrot: "/foxtrot" or a path under it such as "/foxtrot/api" (whole path elements: "/foxtrotx" lies outside)',
      'CanaryRelease foxtrot: gatewayApi.gateway.sectionName: got "http"; expected no sectionName under a parent HTTPRoute (team routing Delegation): the parent route attaches to the Gateway\'s listeners',
      'CanaryRelease foxtrot: gatewayApi.hostnames: got ["foxtrot.example.com"]; expected no host names under a parent HTTPRoute (team routing Delegation): the team\'s parent route holds them (SharedGateway teams[].hostnames)',
    ]);
    assert.ok(lines.every((l) => !l.includes("gatewayApi: gatewayApi")));
  });

  test("a parent route with Listener routing, or an unknown routing, is refused naming the field", () => {
    const listener = {
      ...foxtrot.gatewayApi!.team!,
      routing: TeamRouting.Listener,
      parentRoute: "platform-foxtrot",
    };
    assert.throws(
      () =>
        planCanaryRelease("foxtrot", { ...foxtrot, gatewayApi: { ...foxtrot.gatewayApi!, team: listener } }),
      /^ValidationError: CanaryRelease foxtrot: gatewayApi\.team\.parentRoute: got "platform-foxtrot"; expected no parent route with team routing Listener/,
    );
    const unknown = { ...foxtrot.gatewayApi!.team!, routing: "parent" as TeamRouting };
    assert.throws(
      () =>
        planCanaryRelease("foxtrot", { ...foxtrot, gatewayApi: { ...foxtrot.gatewayApi!, team: unknown } }),
      /gatewayApi\.team\.routing: got "parent"; expected one of "listener", "delegation"/,
    );
  });

  test("the SharedGateway component registers the Gateway and the parent routes, and reports their names", async () => {
    const objects = await renderJson(path.join(example, "platform"), "--stack", "prod");
    assert.deepEqual(
      objects.map(
        (o) =>
          `${String(o.kind)} ${String((o.metadata as Obj).namespace)}/${String((o.metadata as Obj).name)}`,
      ),
      [
        "Gateway gateway-system/platform",
        "HTTPRoute gateway-system/platform-echo",
        "HTTPRoute gateway-system/platform-foxtrot",
      ],
    );
    const report = checkCrds(objects);
    assert.deepEqual(report.problems, []);
    assert.equal(report.valid, 3);
    const table = await cli("render", path.join(example, "platform"), "--stack", "prod", "--output", "table");
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /HTTPRoute gateway-system\/platform-foxtrot +\/foxtrot +delegate -> HTTPRoute foxtrot\/\* +-/,
    );
    assert.match(table.stdout, /parentRoutes: \{"echo":"platform-echo","foxtrot":"platform-foxtrot"\}/);
  });

  test("the team example renders at 0/10/50/100 under its parent route; every object passes the standard CRDs", async () => {
    for (const weight of [0, 10, 50, 100]) {
      const objects = await renderJson(
        path.join(example, "team"),
        "--stack",
        "foxtrot-prod",
        "--config",
        `canaryWeight=${weight}`,
      );
      const report = checkCrds(objects);
      assert.deepEqual(report.problems, []);
      assert.equal(report.valid, 1, "the HTTPRoute");
      const route = objects.find((o) => o.kind === "HTTPRoute") as {
        spec: { parentRefs: Obj[]; hostnames?: string[] };
      };
      assert.deepEqual(route.spec.parentRefs, [FOXTROT_PARENT]);
      assert.equal(route.spec.hostnames, undefined);
    }
  });
});

// The component refuses with the SDK's InputPropertiesError, before registering anything.
test("SharedGateway refuses its arguments as an InvalidArgumentsError", () => {
  assert.throws(
    () => new SharedGateway("bad", { ...platform, listeners: [{ hostname: "*" }] }),
    (err: unknown) =>
      err instanceof InvalidArgumentsError && /listeners\[0\]\.hostname: got "\*"/.test(err.message),
  );
});
