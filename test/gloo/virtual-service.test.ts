import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import {
  buildUpstreamGroup,
  buildVirtualService,
  matcherOf,
  routeLabel,
  Upstream,
  UpstreamGroup,
  VIRTUAL_SERVICE_TYPE,
  VirtualService,
  type VirtualServiceArgs,
} from "../../src/gloo";
import { ReleasePhase } from "../../src/release";
import { ofType, one, recordResources, type Recording } from "../support/runtime";
import { resetClaims } from "../../src/claims";

// Each test stands for its own program: objects claimed by an earlier test do not count.
beforeEach(() => resetClaims());

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };
const discovered = { name: "default-petstore-v1-8080", namespace: "gloo-system" };
const release = { service: "petstore", stableVersion: "v1", canaryVersion: "v2" };

/** Seed 000's "coalmine" with its /findPetWithId split driven by a release. */
function coalmine(canaryWeight: number, useUpstreamGroup?: boolean): VirtualServiceArgs {
  return {
    name: "coalmine",
    namespace: "gloo-system",
    displayName: "coalmine",
    upstreams: [v1, v2],
    routes: [
      { prefix: "/findPets", single: v2 },
      { prefix: "/findPetWithId", release: { ...release, canaryWeight }, useUpstreamGroup },
      { prefix: "/petstore", single: v1, options: { prefixRewrite: "/api/pets/" } },
    ],
  };
}

const findPets = { matchers: [{ prefix: "/findPets" }], routeAction: { single: { upstream: v2 } } };
const petstore = {
  matchers: [{ prefix: "/petstore" }],
  routeAction: { single: { upstream: v1 } },
  options: { prefixRewrite: "/api/pets/" },
};

describe("buildVirtualService", () => {
  it("coalmine at weight 10: /findPetWithId splits v1 90 / v2 10", () => {
    const built = buildVirtualService(coalmine(10));
    assert.deepEqual(built.virtualService, {
      apiVersion: "gateway.solo.io/v1",
      kind: "VirtualService",
      metadata: { name: "coalmine", namespace: "gloo-system" },
      spec: {
        displayName: "coalmine",
        virtualHost: {
          domains: ["*"],
          routes: [
            findPets,
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
            petstore,
          ],
        },
      },
    });
    assert.deepEqual(built.upstreamGroups, []);
    assert.equal(built.releases.length, 1);
    assert.equal(built.releases[0].route, "routes[1] (/findPetWithId)");
    assert.equal(built.releases[0].plan.phase, ReleasePhase.Weighted);
  });

  it("coalmine at weight 0: a single destination to v1; at 100: to v2", () => {
    assert.deepEqual(buildVirtualService(coalmine(0)).virtualService.spec.virtualHost.routes[1], {
      matchers: [{ prefix: "/findPetWithId" }],
      routeAction: { single: { upstream: v1 } },
    });
    assert.deepEqual(buildVirtualService(coalmine(100)).virtualService.spec.virtualHost.routes[1], {
      matchers: [{ prefix: "/findPetWithId" }],
      routeAction: { single: { upstream: v2 } },
    });
  });

  it("coalmine with an UpstreamGroup: the group carries the weights, the VirtualService stays the same", () => {
    const at10 = buildVirtualService(coalmine(10, true));
    const at50 = buildVirtualService(coalmine(50, true));
    assert.deepEqual(at10.virtualService.spec.virtualHost.routes[1], {
      matchers: [{ prefix: "/findPetWithId" }],
      routeAction: { upstreamGroup: { name: "petstore", namespace: "default" } },
    });
    assert.deepEqual(at10.virtualService, at50.virtualService);
    // The UpstreamGroup builder's group for the route's release (upstream-group.test.ts asserts its whole object).
    assert.deepEqual(at10.upstreamGroups, [
      buildUpstreamGroup({ upstreams: [v1, v2], release: { ...release, canaryWeight: 10 } }),
    ]);
    assert.deepEqual(
      at10.upstreamGroups[0].spec.destinations.map((d) => d.weight),
      [90, 10],
    );
    assert.deepEqual(
      at50.upstreamGroups[0].spec.destinations.map((d) => d.weight),
      [50, 50],
    );
    assert.deepEqual(at10.releases[0].upstreamGroup, { name: "petstore", namespace: "default" });
  });

  it("a release with a header rule: the header route comes right before the default route of its prefix", () => {
    const built = buildVirtualService({
      upstreams: [v1, v2],
      routes: [
        {
          prefix: "/api",
          name: "api",
          release: { ...release, canaryWeight: 20, header: { name: "stage", value: "canary" } },
        },
        { prefix: "/", single: v1 },
      ],
    });
    assert.deepEqual(built.virtualService.metadata, { name: "petstore", namespace: "gloo-system" });
    assert.deepEqual(built.virtualService.spec.virtualHost.routes, [
      {
        name: "api-canary",
        matchers: [{ prefix: "/api", headers: [{ name: "stage", value: "canary" }] }],
        routeAction: { single: { upstream: v2 } },
      },
      {
        name: "api",
        matchers: [{ prefix: "/api" }],
        routeAction: {
          multi: {
            destinations: [
              { destination: { upstream: v1 }, weight: 80 },
              { destination: { upstream: v2 }, weight: 20 },
            ],
          },
        },
      },
      { matchers: [{ prefix: "/" }], routeAction: { single: { upstream: v1 } } },
    ]);
  });

  it("weighted multi destinations, UpstreamGroup references, matchers and shadowing pass through", () => {
    const built = buildVirtualService({
      name: "shop",
      namespace: "shop",
      domains: ["shop.example.com"],
      labels: { team: "shop" },
      upstreams: [v1, v2],
      externalUpstreams: [discovered],
      routes: [
        {
          exact: "/health",
          methods: ["GET"],
          caseSensitive: false,
          queryParameters: [{ name: "deep", value: "1" }],
          single: discovered,
        },
        {
          prefix: "/pets",
          headers: [{ name: "x-beta", value: "yes" }],
          multi: [
            { upstream: v1, weight: 3 },
            { upstream: v2, weight: 1 },
          ],
        },
        { regex: "/orders/[0-9]+", upstreamGroup: { name: "orders", namespace: "shop" } },
        { prefix: "/", single: v1, options: { timeout: "10s", shadowing: { upstream: v2, percentage: 25 } } },
      ],
    });
    assert.deepEqual(built.virtualService, {
      apiVersion: "gateway.solo.io/v1",
      kind: "VirtualService",
      metadata: { name: "shop", namespace: "shop", labels: { team: "shop" } },
      spec: {
        virtualHost: {
          domains: ["shop.example.com"],
          routes: [
            {
              matchers: [
                {
                  exact: "/health",
                  caseSensitive: false,
                  queryParameters: [{ name: "deep", value: "1" }],
                  methods: ["GET"],
                },
              ],
              routeAction: { single: { upstream: discovered } },
            },
            {
              matchers: [{ prefix: "/pets", headers: [{ name: "x-beta", value: "yes" }] }],
              routeAction: {
                multi: {
                  destinations: [
                    { destination: { upstream: v1 }, weight: 3 },
                    { destination: { upstream: v2 }, weight: 1 },
                  ],
                },
              },
            },
            {
              matchers: [{ regex: "/orders/[0-9]+" }],
              routeAction: { upstreamGroup: { name: "orders", namespace: "shop" } },
            },
            {
              matchers: [{ prefix: "/" }],
              routeAction: { single: { upstream: v1 } },
              options: { timeout: "10s", shadowing: { upstream: v2, percentage: 25 } },
            },
          ],
        },
      },
    });
  });

  it("finds a release's Upstreams in releaseNamespace when several namespaces hold them", () => {
    const staging = [
      { name: "petstore-v1", namespace: "staging" },
      { name: "petstore-v2", namespace: "staging" },
    ];
    const routes = [{ prefix: "/", release: { ...release, canaryWeight: 10 }, releaseNamespace: "staging" }];
    const built = buildVirtualService({ upstreams: [v1, v2, ...staging], routes });
    assert.deepEqual(built.virtualService.spec.virtualHost.routes[0].routeAction?.multi?.destinations, [
      { destination: { upstream: staging[0] }, weight: 90 },
      { destination: { upstream: staging[1] }, weight: 10 },
    ]);
    assert.throws(
      () => buildVirtualService({ upstreams: [v1, v2, ...staging], routes: [{ prefix: "/", release }] }),
      /routes\[0\] \(\/\)\.release\.stableVersion: got "petstore-v1"; expected an Upstream name known in one namespace only \(found in default, staging\)/,
    );
  });

  it("shares one UpstreamGroup between routes with the same release", () => {
    const built = buildVirtualService({
      upstreams: [v1, v2],
      routes: [
        { prefix: "/a", release: { ...release, canaryWeight: 10 }, useUpstreamGroup: true },
        { prefix: "/b", release: { ...release, canaryWeight: 10 }, useUpstreamGroup: true },
      ],
    });
    assert.equal(built.upstreamGroups.length, 1);
    assert.throws(
      () =>
        buildVirtualService({
          upstreams: [v1, v2],
          routes: [
            { prefix: "/a", release: { ...release, canaryWeight: 10 }, useUpstreamGroup: true },
            { prefix: "/b", release: { ...release, canaryWeight: 20 }, useUpstreamGroup: true },
          ],
        }),
      /routes\[1\] \(\/b\)\.release: got "v1 80% \/ v2 20%"; expected the same split as routes\[0\] \(\/a\), whose UpstreamGroup default\/petstore/,
    );
  });
});

describe("VirtualService refusals", () => {
  const scope = "VirtualService coalmine";

  it("a destination to a discovered Upstream that was not passed in: names the route and the Upstream", () => {
    const args: VirtualServiceArgs = {
      name: "coalmine",
      upstreams: [v1, v2],
      routes: [{ prefix: "/findPetWithId", single: discovered }],
    };
    assert.throws(
      () => buildVirtualService(args, scope),
      /^ValidationError: VirtualService coalmine: routes\[0\] \(\/findPetWithId\)\.single: got "gloo-system\/default-petstore-v1-8080"; expected an Upstream this program declares \(upstreams: default\/petstore-v1, default\/petstore-v2\) or one passed in externalUpstreams \(none\)/,
    );
    assert.doesNotThrow(() => buildVirtualService({ ...args, externalUpstreams: [discovered] }, scope));
  });

  it("an unknown Upstream in a multi split, and a release version without an Upstream", () => {
    assert.throws(
      () =>
        buildVirtualService(
          {
            name: "coalmine",
            upstreams: [v1],
            routes: [
              {
                name: "split",
                prefix: "/x",
                multi: [
                  { upstream: v1, weight: 50 },
                  { upstream: v2, weight: 50 },
                ],
              },
            ],
          },
          scope,
        ),
      /VirtualService coalmine: routes\[0\] \(split\)\.multi\[1\]\.upstream: got "default\/petstore-v2"; expected an Upstream this program declares/,
    );
    assert.throws(
      () =>
        buildVirtualService(
          { ...coalmine(10), upstreams: [v1], routes: coalmine(10).routes.slice(1) },
          scope,
        ),
      /VirtualService coalmine: routes\[0\] \(\/findPetWithId\)\.release\.canaryVersion: got "petstore-v2"; expected an Upstream this program declares \(upstreams: default\/petstore-v1\)/,
    );
  });

  it("a split whose weights are all 0", () => {
    assert.throws(
      () =>
        buildVirtualService(
          {
            name: "coalmine",
            upstreams: [v1, v2],
            routes: [
              {
                prefix: "/x",
                multi: [
                  { upstream: v1, weight: 0 },
                  { upstream: v2, weight: 0 },
                ],
              },
            ],
          },
          scope,
        ),
      /VirtualService coalmine: routes\[0\] \(\/x\)\.multi\[\*\]\.weight: got \[0,0\]; expected at least one weight above 0 \(Gloo rejects a split whose weights are all 0\)/,
    );
  });

  it("a header route without a path, from route headers or from a release's header rule", () => {
    assert.throws(
      () =>
        buildVirtualService(
          {
            name: "coalmine",
            upstreams: [v2],
            routes: [{ headers: [{ name: "stage", value: "canary" }], single: v2 }],
          },
          scope,
        ),
      /VirtualService coalmine: routes\[0\] \(no path\)\.prefix: got nothing; expected a path on a route that matches headers \(Gloo rejects a matcher with headers but no path\)/,
    );
    assert.throws(
      () =>
        buildVirtualService(
          {
            upstreams: [v1, v2],
            routes: [{ name: "canary", release: { ...release, header: { name: "stage", value: "canary" } } }],
          },
          scope,
        ),
      /routes\[0\] \(canary\)\.prefix: got nothing; expected a path on a route that matches headers/,
    );
  });

  it("a shadow percentage outside 0..100", () => {
    assert.throws(
      () =>
        buildVirtualService(
          {
            ...coalmine(10),
            routes: [
              { prefix: "/petstore", single: v1, options: { shadowing: { upstream: v2, percentage: 120 } } },
            ],
          },
          scope,
        ),
      /VirtualService coalmine: routes\[0\] \(\/petstore\)\.options\.shadowing\.percentage: got 120; expected a number from 0 to 100/,
    );
  });

  it("a route without a path, with two paths, or with a path not starting with /", () => {
    assert.throws(
      () => buildVirtualService({ name: "a", upstreams: [v1], routes: [{ single: v1 }] }),
      /routes\[0\] \(no path\)\.prefix: got nothing; expected exactly one of prefix, exact or regex/,
    );
    assert.throws(
      () =>
        buildVirtualService({
          name: "a",
          upstreams: [v1],
          routes: [{ prefix: "/a", exact: "/a", single: v1 }],
        }),
      /routes\[0\] \(\/a\)\.prefix \/ exact: got \["\/a","\/a"\]; expected exactly one of prefix, exact or regex/,
    );
    assert.throws(
      () => buildVirtualService({ name: "a", upstreams: [v1], routes: [{ prefix: "findPets", single: v1 }] }),
      /routes\[0\] \(findPets\)\.prefix: got "findPets"; expected a path starting with "\/"/,
    );
  });

  it("no action or two actions on a route", () => {
    assert.throws(
      () => buildVirtualService({ name: "a", upstreams: [v1], routes: [{ prefix: "/" }] }),
      /routes\[0\] \(\/\) action: got nothing; expected exactly one of single \(an Upstream\), multi \(weighted Upstreams\), upstreamGroup or release/,
    );
    assert.throws(
      () =>
        buildVirtualService({ name: "a", upstreams: [v1], routes: [{ prefix: "/", single: v1, release }] }),
      /routes\[0\] \(\/\) action: got "single and release"; expected exactly one of/,
    );
  });

  it("useUpstreamGroup or releaseNamespace without a release", () => {
    assert.throws(
      () =>
        buildVirtualService({
          name: "a",
          upstreams: [v1],
          routes: [{ prefix: "/", single: v1, useUpstreamGroup: true }],
        }),
      /routes\[0\] \(\/\)\.useUpstreamGroup: got true; expected no useUpstreamGroup on a route without a release/,
    );
  });

  it("a route no request can reach, e.g. a header canary route after the default route of its prefix", () => {
    assert.throws(
      () =>
        buildVirtualService({
          name: "a",
          upstreams: [v1, v2],
          routes: [
            { prefix: "/api", single: v1 },
            { prefix: "/api", headers: [{ name: "stage", value: "canary" }], single: v2 },
          ],
        }),
      /routes\[1\] \(\/api\): got "\/api"; expected a route placed before routes\[0\] \(\/api\), whose prefix "\/api" takes every request this route matches \(the first matching route wins\)/,
    );
    assert.throws(
      () =>
        buildVirtualService({
          name: "a",
          upstreams: [v1],
          routes: [
            { prefix: "/", single: v1 },
            { exact: "/health", single: v1 },
          ],
        }),
      /routes\[1\] \(\/health\): got "\/health"; expected a route placed before routes\[0\] \(\/\)/,
    );
  });

  it("a missing name when no single release names the VirtualService", () => {
    assert.throws(
      () => buildVirtualService({ upstreams: [v1], routes: [{ prefix: "/", single: v1 }] }, scope),
      /VirtualService coalmine: name: got nothing; expected a name for the VirtualService, e\.g\. "petstore" .*here none/,
    );
  });

  it("release errors carry the route", () => {
    assert.throws(
      () =>
        buildVirtualService(
          { ...coalmine(10), routes: [{ prefix: "/", release: { ...release, canaryVersion: "v1" } }] },
          scope,
        ),
      /^ValidationError: VirtualService coalmine: routes\[0\] \(\/\)\.release: canaryVersion: got "v1"; expected a version other than the stableVersion "v1"/,
    );
  });

  it("bad domains, empty routes, bad header matcher names and methods", () => {
    assert.throws(
      () => buildVirtualService({ name: "a", domains: [], routes: [] }),
      /domains: got \[\]; expected a list of at least one host name/,
    );
    assert.throws(
      () => buildVirtualService({ name: "a", routes: [] }),
      /routes: got \[\]; expected a list of at least one route/,
    );
    assert.throws(
      () => matcherOf("r", { prefix: "/", headers: [{ name: "bad header" }] }),
      /r\.headers\[0\]\.name: got "bad header"; expected a non-empty HTTP header name/,
    );
    assert.throws(
      () => matcherOf("r", { prefix: "/", methods: ["get"] }),
      /r\.methods\[0\]: got "get"; expected an HTTP method in capitals/,
    );
  });

  it("labels routes by name, else by path", () => {
    assert.equal(routeLabel(2, { name: "pets", prefix: "/p" }), "routes[2] (pets)");
    assert.equal(routeLabel(0, { exact: "/health" }), "routes[0] (/health)");
    assert.equal(routeLabel(1, {}), "routes[1] (no path)");
    assert.equal(routeLabel(1, { name: "", prefix: "/p" }), "routes[1] (/p)");
    assert.throws(
      () =>
        buildVirtualService({ name: "a", upstreams: [v1], routes: [{ name: "", prefix: "/p", single: v1 }] }),
      /routes\[0\] \(\/p\)\.name: got ""; expected a non-empty route name/,
    );
  });
});

describe("VirtualService component", () => {
  let rec: Recording;
  let up1: Upstream;
  let up2: Upstream;
  before(async () => {
    rec = await recordResources();
    up1 = new Upstream("cm-v1", { service: "petstore", version: "v1", port: 8080 });
    up2 = new Upstream("cm-v2", { service: "petstore", version: "v2", port: 8080 });
  });

  it("registers the VirtualService under the component, after the Upstream components it routes to", async () => {
    const from = rec.resources.length;
    const vs = new VirtualService("coalmine", { ...coalmine(10), upstreams: [up1, up2] });
    await rec.settle();
    const component = one(rec, VIRTUAL_SERVICE_TYPE, "coalmine");
    const cr = one(rec, "kubernetes:gateway.solo.io/v1:VirtualService", "coalmine");
    assert.equal(cr.parent, component.urn);
    assert.deepEqual(cr.inputs, buildVirtualService(coalmine(10)).virtualService);
    for (const name of ["cm-v1", "cm-v2"]) {
      const upstream = one(rec, "kubernetes:gloo.solo.io/v1:Upstream", name);
      assert.ok(cr.dependencies.includes(upstream.urn), `the VirtualService depends on ${name}`);
    }
    assert.deepEqual(ofType(rec, "kubernetes:gloo.solo.io/v1:UpstreamGroup", from), []);
    assert.equal(vs.name, "coalmine");
    assert.equal(vs.namespace, "gloo-system");
    assert.deepEqual(vs.splits, { "routes[1] (/findPetWithId)": "v1 90% / v2 10%" });
  });

  it("with useUpstreamGroup: registers the UpstreamGroup first and the VirtualService after it", async () => {
    const from = rec.resources.length;
    const vs = new VirtualService("coalmine-ug", {
      ...coalmine(10, true),
      name: "coalmine-ug",
      upstreams: [up1, up2],
    });
    await rec.settle();
    const component = one(rec, VIRTUAL_SERVICE_TYPE, "coalmine-ug");
    const group = one(rec, "kubernetes:gloo.solo.io/v1:UpstreamGroup", "coalmine-ug-petstore");
    const cr = one(rec, "kubernetes:gateway.solo.io/v1:VirtualService", "coalmine-ug");
    assert.equal(group.parent, component.urn);
    assert.ok(group.seq < cr.seq);
    for (const name of ["cm-v1", "cm-v2"]) {
      const upstream = one(rec, "kubernetes:gloo.solo.io/v1:Upstream", name);
      assert.ok(group.dependencies.includes(upstream.urn), `the UpstreamGroup depends on ${name}`);
    }
    assert.ok(cr.dependencies.includes(group.urn));
    assert.deepEqual(group.inputs.metadata as object, { name: "petstore", namespace: "default" });
    assert.deepEqual(
      rec.resources.slice(from).map((r) => `${r.type} ${r.name}`),
      [
        "pulumi-canary:index:VirtualService coalmine-ug",
        "kubernetes:gloo.solo.io/v1:UpstreamGroup coalmine-ug-petstore",
        "kubernetes:gateway.solo.io/v1:VirtualService coalmine-ug",
      ],
    );
    assert.deepEqual(vs.upstreamGroups, ["default/petstore"]);
  });

  it("depends on an UpstreamGroup component it references", async () => {
    const group = new UpstreamGroup("orders-group", {
      name: "orders",
      upstreams: [v1],
      destinations: [{ upstream: v1, weight: 1 }],
    });
    new VirtualService("orders", { name: "orders", routes: [{ prefix: "/orders", upstreamGroup: group }] });
    await rec.settle();
    const cr = one(rec, "kubernetes:gateway.solo.io/v1:VirtualService", "orders");
    const groupCr = one(rec, "kubernetes:gloo.solo.io/v1:UpstreamGroup", "orders-group");
    assert.ok(cr.dependencies.includes(groupCr.urn));
    assert.deepEqual((cr.inputs.spec as { virtualHost: { routes: unknown[] } }).virtualHost.routes, [
      {
        matchers: [{ prefix: "/orders" }],
        routeAction: { upstreamGroup: { name: "orders", namespace: "default" } },
      },
    ]);
  });

  it("registers nothing when any route is refused", async () => {
    await rec.settle();
    const before = rec.resources.length;
    const refused: VirtualServiceArgs[] = [
      { name: "x", upstreams: [v1], routes: [{ prefix: "/", single: discovered }] },
      {
        name: "x",
        upstreams: [v1, v2],
        routes: [
          {
            prefix: "/",
            multi: [
              { upstream: v1, weight: 0 },
              { upstream: v2, weight: 0 },
            ],
          },
        ],
      },
      { name: "x", upstreams: [v1], routes: [{ headers: [{ name: "stage", value: "canary" }], single: v1 }] },
      {
        name: "x",
        upstreams: [v1],
        routes: [{ prefix: "/", single: v1, options: { shadowing: { upstream: v1, percentage: -5 } } }],
      },
      // The last route is bad: nothing from the good routes before it (nor their UpstreamGroups) is registered.
      {
        ...coalmine(10, true),
        routes: [...coalmine(10, true).routes, { prefix: "/zzz", single: discovered }],
      },
    ];
    refused.forEach((args, i) => {
      assert.throws(
        () => new VirtualService(`refused-${i}`, args),
        /^InvalidArgumentsError: VirtualService refused-\d: /,
      );
    });
    await rec.settle();
    assert.equal(rec.resources.length, before);
  });
});
