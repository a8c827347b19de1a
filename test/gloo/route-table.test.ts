import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildTeamRouteTable,
  buildUpstream,
  buildUpstreamGroup,
  requireTeamRoute,
  type TeamRouteTableArgs,
} from "../../src/gloo";
import { ReleasePhase, type ReleaseSpec } from "../../src/release";
import { assertValidAgainstCrds } from "../support/crds";

const echoV1 = { name: "echo-v1", namespace: "echo" };
const echoV2 = { name: "echo-v2", namespace: "echo" };
const stage = { name: "stage", value: "canary" };

/** The echo team's table with one release route on its whole prefix. */
function echo(release: Partial<ReleaseSpec>, more: Partial<TeamRouteTableArgs> = {}): TeamRouteTableArgs {
  return {
    team: "echo",
    prefix: "/echo",
    upstreams: [echoV1, echoV2],
    routes: [{ prefix: "/echo", release: { service: "echo", stableVersion: "v1", ...release } }],
    ...more,
  };
}

const meta = { name: "echo", namespace: "echo", labels: { "pulumi-canary/team": "echo" } };
const canaryRoute = {
  matchers: [{ prefix: "/echo", headers: [stage] }],
  routeAction: { single: { upstream: echoV2 } },
};
const toV1 = { matchers: [{ prefix: "/echo" }], routeAction: { single: { upstream: echoV1 } } };
const toV2 = { matchers: [{ prefix: "/echo" }], routeAction: { single: { upstream: echoV2 } } };

describe("buildTeamRouteTable", () => {
  it("stable only: one route to v1, in the team's namespace, labelled for the platform's selector", () => {
    const built = buildTeamRouteTable(echo({}));
    assert.deepEqual(built.routeTable, {
      apiVersion: "gateway.solo.io/v1",
      kind: "RouteTable",
      metadata: meta,
      spec: { routes: [toV1] },
    });
    assert.deepEqual(built.upstreamGroups, []);
    assert.equal(built.team, "echo");
    assert.equal(built.prefix, "/echo");
    assert.equal(built.releases[0].plan.phase, ReleasePhase.Stable);
  });

  it("phase 1 (weight 0, header stage=canary): the header route to v2 first, then everything else to v1", () => {
    const built = buildTeamRouteTable(echo({ canaryVersion: "v2", canaryWeight: 0, header: stage }));
    assert.deepEqual(built.routeTable, {
      apiVersion: "gateway.solo.io/v1",
      kind: "RouteTable",
      metadata: meta,
      spec: { routes: [canaryRoute, toV1] },
    });
    assert.equal(built.releases[0].plan.phase, ReleasePhase.HeaderTesting);
    assert.equal(built.releases[0].route, "routes[0] (/echo)");
  });

  it("phase 2 (weight 50, header): the header route, then the weighted split v1 50 / v2 50", () => {
    const built = buildTeamRouteTable(echo({ canaryVersion: "v2", canaryWeight: 50, header: stage }));
    assert.deepEqual(built.routeTable.spec.routes, [
      canaryRoute,
      {
        matchers: [{ prefix: "/echo" }],
        routeAction: {
          multi: {
            destinations: [
              { destination: { upstream: echoV1 }, weight: 50 },
              { destination: { upstream: echoV2 }, weight: 50 },
            ],
          },
        },
      },
    ]);
    assert.equal(built.releases[0].plan.phase, ReleasePhase.Weighted);
  });

  it("weight 100 without a header: a single destination, the canary", () => {
    assert.deepEqual(
      buildTeamRouteTable(echo({ canaryVersion: "v2", canaryWeight: 100 })).routeTable.spec.routes,
      [toV2],
    );
  });

  it("after promotion (stableVersion v2, no canary): a single destination to v2, v1 no longer needed", () => {
    const built = buildTeamRouteTable(echo({ stableVersion: "v2" }, { upstreams: [echoV2] }));
    assert.deepEqual(built.routeTable.spec.routes, [toV2]);
  });

  it("takes a name, namespace, labels and weight, and other route kinds inside the prefix", () => {
    const built = buildTeamRouteTable({
      team: "echo",
      prefix: "/echo",
      name: "echo-routes",
      namespace: "echo-prod",
      labels: { "pulumi-canary/team": "echo", tier: "web" },
      weight: -5,
      upstreams: [echoV1, echoV2],
      routes: [
        { exact: "/echo/health", single: echoV1 },
        { regex: "/echo/items/[0-9]+", name: "items", single: echoV2 },
        {
          prefix: "/echo/api",
          methods: ["GET"],
          multi: [
            { upstream: echoV1, weight: 3 },
            { upstream: echoV2, weight: 1 },
          ],
        },
        { prefix: "/echo/group", upstreamGroup: { name: "echo", namespace: "echo" } },
      ],
    });
    assert.deepEqual(built.routeTable, {
      apiVersion: "gateway.solo.io/v1",
      kind: "RouteTable",
      metadata: {
        name: "echo-routes",
        namespace: "echo-prod",
        labels: { "pulumi-canary/team": "echo", tier: "web" },
      },
      spec: {
        routes: [
          { matchers: [{ exact: "/echo/health" }], routeAction: { single: { upstream: echoV1 } } },
          {
            name: "items",
            matchers: [{ regex: "/echo/items/[0-9]+" }],
            routeAction: { single: { upstream: echoV2 } },
          },
          {
            matchers: [{ prefix: "/echo/api", methods: ["GET"] }],
            routeAction: {
              multi: {
                destinations: [
                  { destination: { upstream: echoV1 }, weight: 3 },
                  { destination: { upstream: echoV2 }, weight: 1 },
                ],
              },
            },
          },
          {
            matchers: [{ prefix: "/echo/group" }],
            routeAction: { upstreamGroup: { name: "echo", namespace: "echo" } },
          },
        ],
        weight: -5,
      },
    });
  });

  it("useUpstreamGroup: the split moves to an UpstreamGroup named after the service, with the table's labels", () => {
    const built = buildTeamRouteTable({
      ...echo({ canaryVersion: "v2", canaryWeight: 10 }),
      routes: [
        {
          prefix: "/echo",
          release: { service: "echo", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10 },
          useUpstreamGroup: true,
        },
      ],
    });
    // The group is the UpstreamGroup builder's for the route's release (upstream-group.test.ts asserts its whole
    // object), in the table's namespace and with the table's labels.
    assert.deepEqual(built.upstreamGroups, [
      buildUpstreamGroup({
        namespace: "echo",
        labels: { "pulumi-canary/team": "echo" },
        upstreams: [echoV1, echoV2],
        release: { service: "echo", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10 },
      }),
    ]);
    assert.deepEqual(
      built.upstreamGroups[0].spec.destinations.map((d) => d.weight),
      [90, 10],
    );
    assert.deepEqual(built.routeTable.spec.routes, [
      {
        matchers: [{ prefix: "/echo" }],
        routeAction: { upstreamGroup: { name: "echo", namespace: "echo" } },
      },
    ]);
  });

  it("no labels when given none (the table is then only reachable by reference)", () => {
    const built = buildTeamRouteTable(echo({}, { labels: {} }));
    assert.deepEqual(built.routeTable.metadata, { name: "echo", namespace: "echo" });
  });

  it("every phase it builds is valid against the Gloo CRDs", () => {
    const objects = [];
    for (const canaryWeight of [0, 10, 50, 100]) {
      for (const useUpstreamGroup of [false, true]) {
        const built = buildTeamRouteTable({
          ...echo({}),
          weight: 3,
          routes: [
            {
              prefix: "/echo",
              release: {
                service: "echo",
                stableVersion: "v1",
                canaryVersion: "v2",
                canaryWeight,
                header: stage,
              },
              useUpstreamGroup,
            },
          ],
        });
        objects.push(built.routeTable, ...built.upstreamGroups);
      }
    }
    objects.push(buildUpstream({ service: "echo", version: "v1", namespace: "echo", port: 8080 }));
    assertValidAgainstCrds(objects);
  });
});

describe("TeamRouteTable refusals", () => {
  const scope = "TeamRouteTable echo";
  const refuse = (args: TeamRouteTableArgs, message: RegExp) =>
    assert.throws(() => buildTeamRouteTable(args, scope), message);
  const one = (route: TeamRouteTableArgs["routes"][number]): TeamRouteTableArgs => ({
    ...echo({}),
    routes: [{ prefix: "/echo", single: echoV1 }, route],
  });

  it("a route outside the delegated prefix, naming the team, the route and the path", () => {
    refuse(
      one({ prefix: "/foxtrot", single: echoV1 }),
      /^ValidationError: TeamRouteTable echo: team echo: routes\[1\] \(\/foxtrot\)\.prefix: got "\/foxtrot"; expected a path starting with the prefix "\/echo" delegated to team echo$/,
    );
    refuse(
      one({ name: "steal", prefix: "/", single: echoV1 }),
      /team echo: routes\[1\] \(steal\)\.prefix: got "\/"; expected a path starting with the prefix "\/echo"/,
    );
  });

  it("an exact path outside the prefix", () => {
    refuse(
      one({ exact: "/health", single: echoV1 }),
      /team echo: routes\[1\] \(\/health\)\.exact: got "\/health"; expected a path starting with the prefix "\/echo" delegated to team echo/,
    );
  });

  it("a route without a path (Gloo would give it /)", () => {
    refuse(
      one({ name: "default", single: echoV1 }),
      /team echo: routes\[1\] \(default\)\.prefix: got nothing; expected a path starting with the prefix "\/echo" delegated to team echo \(a route without a path matches "\/", which lies outside the prefix\)/,
    );
  });

  it("a regex that cannot be proven to stay inside the prefix", () => {
    for (const regex of [
      "/foxtrot/.*",
      ".*",
      "^/echo/.*",
      "/echo.*|/foxtrot",
      "/echo?",
      "/ech[o]",
      "(/echo|/foxtrot)/x",
    ]) {
      refuse(
        one({ regex, single: echoV1 }),
        new RegExp(
          `team echo: routes\\[1\\] \\(.*\\)\\.regex: got ${JSON.stringify(regex).replace(/[.*?^$|()[\]\\]/g, "\\$&")}; expected a regular expression that provably stays inside the prefix "/echo" delegated to team echo`,
        ),
      );
    }
  });

  it("any regex when the prefix has regular-expression characters", () => {
    refuse(
      {
        ...echo({}),
        prefix: "/v1.0",
        routes: [{ regex: "/v1.0/.*", single: echoV1 }],
      },
      /routes\[0\] \(\/v1\.0\/\.\*\)\.regex: got "\/v1\.0\/\.\*"; .*\(a prefix with regular-expression characters admits no regex: use prefix or exact\)/,
    );
  });

  it("caseSensitive on a route (the delegating route leaves it unset)", () => {
    for (const caseSensitive of [true, false]) {
      refuse(
        one({ prefix: "/echo/x", caseSensitive, single: echoV1 }),
        new RegExp(
          `team echo: routes\\[1\\] \\(/echo/x\\)\\.caseSensitive: got ${caseSensitive}; expected no caseSensitive on a team route`,
        ),
      );
    }
  });

  it("a destination to an Upstream the program does not know (seed 002's echo-typo)", () => {
    refuse(
      one({ prefix: "/echo/v3", single: { name: "echo-typo", namespace: "echo" } }),
      /TeamRouteTable echo: team echo: routes\[1\] \(\/echo\/v3\)\.single: got "echo\/echo-typo"; expected an Upstream this program declares \(upstreams: echo\/echo-v1, echo\/echo-v2\) or one passed in externalUpstreams \(none\)/,
    );
    refuse(
      echo({ canaryVersion: "v3", canaryWeight: 10 }),
      /team echo: routes\[0\] \(\/echo\)\.release\.canaryVersion: got "echo-v3"; expected an Upstream this program declares/,
    );
  });

  it("a route made unreachable by an earlier one", () => {
    refuse(
      {
        ...echo({}),
        routes: [
          { prefix: "/echo", single: echoV1 },
          { prefix: "/echo/v2", single: echoV2 },
        ],
      },
      /team echo: routes\[1\] \(\/echo\/v2\): got "\/echo\/v2"; expected a route placed before routes\[0\] \(\/echo\)/,
    );
  });

  const bad: Array<[string, TeamRouteTableArgs, RegExp]> = [
    [
      "a team that is not a label",
      { ...echo({}), team: "Echo" },
      /TeamRouteTable echo: team: got "Echo"; expected a DNS-1123 label/,
    ],
    [
      "a prefix that is not a path",
      { ...echo({}), prefix: "echo" },
      /team echo: prefix: got "echo"; expected a path prefix starting with "\/"/,
    ],
    [
      "namespace *",
      { ...echo({}), namespace: "*" },
      /team echo: namespace: got "\*"; expected a DNS-1123 label/,
    ],
    [
      "a bad name",
      { ...echo({}), name: "Echo Routes" },
      /team echo: name: got "Echo Routes"; expected a Kubernetes object name/,
    ],
    [
      "a bad label",
      { ...echo({}), labels: { "pulumi-canary/team": "Echo Team" } },
      /team echo: labels\.pulumi-canary\/team: got "Echo Team"/,
    ],
    [
      "a fractional weight",
      { ...echo({}), weight: 1.5 },
      /team echo: weight: got 1\.5; expected a whole number from -2147483648 to 2147483647/,
    ],
    [
      "a weight beyond int32",
      { ...echo({}), weight: 2 ** 31 },
      /team echo: weight: got 2147483648; expected a whole number/,
    ],
    [
      "no routes",
      { ...echo({}), routes: [] },
      /team echo: routes: got \[\]; expected a list of at least one route/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what}`, () => refuse(args, message));
  }
});

describe("requireTeamRoute", () => {
  it("accepts paths inside the prefix, scoped by team when no scope is given", () => {
    requireTeamRoute("echo", "/echo", "r", { prefix: "/echo" });
    requireTeamRoute("echo", "/echo", "r", { prefix: "/echoes" }); // a raw string prefix, as Gloo compares
    requireTeamRoute("echo", "/echo", "r", { exact: "/echo/health" });
    requireTeamRoute("echo", "/echo", "r", { regex: "/echo(/.*)?" });
    assert.throws(
      () => requireTeamRoute("echo", "/echo", "routes[0] (x)", { prefix: "/x" }),
      /^ValidationError: team echo: routes\[0\] \(x\)\.prefix: got "\/x"/,
    );
  });

  it("leaves a route with several paths to the route checks", () => {
    requireTeamRoute("echo", "/echo", "r", { prefix: "/x", exact: "/y" });
  });
});
