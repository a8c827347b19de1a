import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildPlatformGateway,
  requireDelegatingMatcher,
  type GlooMatcher,
  type PlatformGatewayArgs,
} from "../../src/gloo";
import { assertValidAgainstCrds } from "../support/crds";

/** Seed 002's gateway: /echo to the echo team, /foxtrot to the foxtrot team, both by selector. */
const seed: PlatformGatewayArgs = {
  name: "gateway",
  teams: [
    { team: "echo", prefix: "/echo", namespace: "echo" },
    { team: "foxtrot", prefix: "/foxtrot", namespace: "foxtrot" },
  ],
};

const echoRoute = {
  name: "echo",
  matchers: [{ prefix: "/echo" }],
  delegateAction: {
    selector: { namespaces: ["echo"], labels: { "pulumi-canary/team": "echo" } },
  },
};
const foxtrotRoute = {
  name: "foxtrot",
  matchers: [{ prefix: "/foxtrot" }],
  delegateAction: {
    selector: { namespaces: ["foxtrot"], labels: { "pulumi-canary/team": "foxtrot" } },
  },
};

describe("buildPlatformGateway", () => {
  it("seed 002: a VirtualService in gloo-system for every domain, one delegating route per team", () => {
    const built = buildPlatformGateway(seed);
    assert.deepEqual(built.virtualService, {
      apiVersion: "gateway.solo.io/v1",
      kind: "VirtualService",
      metadata: { name: "gateway", namespace: "gloo-system" },
      spec: { virtualHost: { domains: ["*"], routes: [foxtrotRoute, echoRoute] } },
    });
    assert.deepEqual(built.delegations, [
      {
        team: "foxtrot",
        prefix: "/foxtrot",
        namespace: "foxtrot",
        delegateAction: foxtrotRoute.delegateAction,
      },
      { team: "echo", prefix: "/echo", namespace: "echo", delegateAction: echoRoute.delegateAction },
    ]);
  });

  it("the namespace defaults to the team, the selector labels to pulumi-canary/team", () => {
    const built = buildPlatformGateway({ name: "gateway", teams: [{ team: "echo", prefix: "/echo" }] });
    assert.deepEqual(built.virtualService.spec.virtualHost.routes, [echoRoute]);
  });

  it("takes the namespace, domains, display name, labels and selector labels given", () => {
    const built = buildPlatformGateway({
      name: "api",
      namespace: "edge",
      domains: ["api.example.com", "www.example.com"],
      displayName: "public API",
      labels: { owner: "platform" },
      teams: [
        { team: "echo", prefix: "/echo", namespace: "echo-prod", labels: { gateway: "api", tier: "web" } },
      ],
    });
    assert.deepEqual(built.virtualService, {
      apiVersion: "gateway.solo.io/v1",
      kind: "VirtualService",
      metadata: { name: "api", namespace: "edge", labels: { owner: "platform" } },
      spec: {
        displayName: "public API",
        virtualHost: {
          domains: ["api.example.com", "www.example.com"],
          routes: [
            {
              name: "echo",
              matchers: [{ prefix: "/echo" }],
              delegateAction: {
                selector: { namespaces: ["echo-prod"], labels: { gateway: "api", tier: "web" } },
              },
            },
          ],
        },
      },
    });
  });

  it("delegates by reference to one named RouteTable when asked", () => {
    const built = buildPlatformGateway({
      name: "gateway",
      teams: [{ team: "foxtrot", prefix: "/foxtrot", routeTable: "foxtrot-routes" }],
    });
    assert.deepEqual(built.virtualService.spec.virtualHost.routes, [
      {
        name: "foxtrot",
        matchers: [{ prefix: "/foxtrot" }],
        delegateAction: { ref: { name: "foxtrot-routes", namespace: "foxtrot" } },
      },
    ]);
  });

  it("overlapping prefixes with explicit orders come in that order; others longest prefix first", () => {
    const built = buildPlatformGateway({
      name: "gateway",
      teams: [
        { team: "api", prefix: "/api", order: 2 },
        { team: "apiv2", prefix: "/api/v2", order: 1 },
        { team: "echo", prefix: "/echo" },
      ],
    });
    assert.deepEqual(
      built.virtualService.spec.virtualHost.routes.map((r) => [r.name, r.matchers?.[0].prefix]),
      [
        ["echo", "/echo"],
        ["apiv2", "/api/v2"],
        ["api", "/api"],
      ],
    );
  });

  it("selects in every namespace only with allowAllNamespaces", () => {
    const built = buildPlatformGateway({
      name: "gateway",
      allowAllNamespaces: true,
      teams: [{ team: "echo", prefix: "/echo", namespace: "*" }],
    });
    assert.deepEqual(built.virtualService.spec.virtualHost.routes[0].delegateAction, {
      selector: { namespaces: ["*"], labels: { "pulumi-canary/team": "echo" } },
    });
  });

  it("every delegating route passes requireDelegatingMatcher", () => {
    const routes = buildPlatformGateway(seed).virtualService.spec.virtualHost.routes;
    assert.deepEqual(
      routes.map((r, i) => requireDelegatingMatcher(`routes[${i}]`, r.matchers)),
      ["/foxtrot", "/echo"],
    );
  });

  it("what it builds is valid against the Gloo CRDs", () => {
    const objects = [
      buildPlatformGateway(seed).virtualService,
      buildPlatformGateway({
        name: "gateway",
        allowAllNamespaces: true,
        displayName: "all",
        labels: { owner: "platform" },
        teams: [
          { team: "echo", prefix: "/echo", namespace: "*" },
          { team: "foxtrot", prefix: "/foxtrot", routeTable: "foxtrot-routes" },
        ],
      }).virtualService,
    ];
    assertValidAgainstCrds(objects);
  });
});

describe("PlatformGateway refusals", () => {
  const scope = "PlatformGateway gateway";
  const refused: Array<[string, PlatformGatewayArgs, RegExp]> = [
    [
      "two teams delegated the same prefix without orders",
      { ...seed, teams: [seed.teams[0], { team: "foxtrot", prefix: "/echo" }] },
      /^ValidationError: PlatformGateway gateway: team foxtrot: teams\[1\]\.order: got nothing; expected distinct explicit orders on teams "echo" \(\/echo, order unset\) and "foxtrot" \(\/echo\) because they are delegated the same prefix$/,
    ],
    [
      "two teams delegated overlapping prefixes without orders",
      { ...seed, teams: [seed.teams[0], { team: "echoes", prefix: "/echoes" }] },
      /PlatformGateway gateway: team echoes: teams\[1\]\.order: got nothing; expected distinct explicit orders .* overlapping prefixes/,
    ],
    [
      "two teams with overlapping prefixes and equal orders",
      {
        ...seed,
        teams: [
          { team: "api", prefix: "/api", order: 1 },
          { team: "apiv2", prefix: "/api/v2", order: 1 },
        ],
      },
      /team apiv2: teams\[1\]\.order: got 1; expected distinct explicit orders/,
    ],
    [
      "a selector over every namespace without allowAllNamespaces",
      { ...seed, teams: [{ team: "echo", prefix: "/echo", namespace: "*" }] },
      /^ValidationError: PlatformGateway gateway: team echo: teams\[0\]\.namespace: got "\*"; expected the team's own namespace; .*needs allowAllNamespaces: true$/,
    ],
    [
      "a reference into every namespace, even when allowed",
      {
        ...seed,
        allowAllNamespaces: true,
        teams: [{ team: "echo", prefix: "/echo", namespace: "*", routeTable: "echo" }],
      },
      /PlatformGateway gateway: team echo: teams\[0\]\.namespace: got "\*"; expected the namespace of the RouteTable named in routeTable/,
    ],
    [
      "labels with a reference",
      { ...seed, teams: [{ team: "echo", prefix: "/echo", routeTable: "echo", labels: { a: "b" } }] },
      /team echo: teams\[0\]\.labels: got \{"a":"b"\}; expected no labels with routeTable/,
    ],
    [
      "an empty selector",
      { ...seed, teams: [{ team: "echo", prefix: "/echo", labels: {} }] },
      /team echo: teams\[0\]\.labels: got \{\}; expected at least one label/,
    ],
    [
      "a bad selector label",
      { ...seed, teams: [{ team: "echo", prefix: "/echo", labels: { team: "Echo Team" } }] },
      /team echo: teams\[0\]\.labels\.team: got "Echo Team"; expected a Kubernetes label value/,
    ],
    [
      "a route table name that is not an object name",
      { ...seed, teams: [{ team: "echo", prefix: "/echo", routeTable: "Echo" }] },
      /team echo: teams\[0\]\.routeTable: got "Echo"; expected a Kubernetes object name/,
    ],
    [
      "a prefix that is not a path",
      { ...seed, teams: [{ team: "echo", prefix: "echo" }] },
      /PlatformGateway gateway: team echo: teams\[0\]\.prefix: got "echo"; expected a path prefix starting with "\/"/,
    ],
    [
      "a team delegated twice",
      { ...seed, teams: [seed.teams[0], { team: "echo", prefix: "/other" }] },
      /PlatformGateway gateway: teams\[1\]\.team: got "echo"; expected a team name not already delegated/,
    ],
    [
      "no team",
      { ...seed, teams: [] },
      /PlatformGateway gateway: teams: got \[\]; expected a list of at least one team delegation/,
    ],
    [
      "no domain",
      { ...seed, domains: [] },
      /PlatformGateway gateway: domains: got \[\]; expected a list of at least one host name/,
    ],
    [
      "a namespace that is not a label",
      { ...seed, namespace: "Gloo System" },
      /PlatformGateway gateway: namespace: got "Gloo System"; expected a DNS-1123 label/,
    ],
    [
      "a non-boolean allowAllNamespaces",
      { ...seed, allowAllNamespaces: "yes" as unknown as boolean },
      /allowAllNamespaces: got "yes"; expected true or false/,
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => buildPlatformGateway(args, scope), message));
  }

  it("requires a name when built alone", () => {
    assert.throws(
      () => buildPlatformGateway({ teams: seed.teams }, scope),
      /^ValidationError: PlatformGateway gateway: name: got nothing; expected a name for the VirtualService/,
    );
  });
});

describe("requireDelegatingMatcher", () => {
  it("accepts exactly one matcher with only a prefix, and returns the prefix", () => {
    assert.equal(requireDelegatingMatcher("routes[0] (echo)", [{ prefix: "/echo" }]), "/echo");
    assert.equal(requireDelegatingMatcher("r", [{ prefix: "/", exact: undefined }]), "/");
  });

  const refused: Array<[string, GlooMatcher[] | undefined, RegExp]> = [
    [
      "no matchers (the route would take every path)",
      undefined,
      /r: routes\[0\] \(echo\)\.matchers: got nothing/,
    ],
    ["an empty list", [], /routes\[0\] \(echo\)\.matchers: got \[\]; expected exactly one matcher/],
    [
      "two matchers",
      [{ prefix: "/echo" }, { prefix: "/echo2" }],
      /routes\[0\] \(echo\)\.matchers: got \[\{"prefix":"\/echo"\},\{"prefix":"\/echo2"\}\]; expected exactly one matcher holding only a path prefix/,
    ],
    [
      "an exact matcher",
      [{ exact: "/echo" }],
      /routes\[0\] \(echo\)\.matchers\[0\]: got \{"exact":"\/echo"\}/,
    ],
    ["a regex matcher", [{ regex: "/echo.*" }], /matchers\[0\]: got \{"regex":"\/echo\.\*"\}/],
    [
      "a prefix with headers",
      [{ prefix: "/echo", headers: [{ name: "stage", value: "canary" }] }],
      /matchers\[0\]: got .*"headers".*; expected exactly one matcher holding only a path prefix/,
    ],
    ["a prefix with methods", [{ prefix: "/echo", methods: ["GET"] }], /matchers\[0\]: got .*"methods"/],
    ["a prefix with case sensitivity", [{ prefix: "/echo", caseSensitive: false }], /"caseSensitive":false/],
    ["a prefix that is not a path", [{ prefix: "echo" }], /matchers\[0\]: got \{"prefix":"echo"\}/],
  ];
  for (const [what, matchers, message] of refused) {
    it(`refuses ${what}`, () =>
      assert.throws(() => requireDelegatingMatcher("routes[0] (echo)", matchers, "r"), message));
  }
});
