import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  destinationOf,
  headerMatcher,
  multiRoute,
  releaseRoutes,
  releaseSplit,
  releaseUpstreamGroup,
  singleRoute,
  upstreamGroupObject,
  upstreamGroupRoute,
  weightedDestinations,
} from "../../src/gloo/routes";
import { planRelease } from "../../src/release/plan";

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };
const v3 = { name: "petstore-v3", namespace: "default" };
const upstreams = { v1, v2, v3 };
const matcher = { prefix: "/findPetWithId" };

describe("destination builders", () => {
  it("copies only name and namespace of a reference", () => {
    const component = { name: "petstore-v1", namespace: "default", urn: "not copied" };
    assert.deepEqual(destinationOf(component), { upstream: { name: "petstore-v1", namespace: "default" } });
  });

  it("turns weighted references into Gloo weighted destinations, in order", () => {
    assert.deepEqual(
      weightedDestinations([
        { upstream: v1, weight: 90 },
        { upstream: v2, weight: 10 },
      ]),
      [
        { destination: { upstream: v1 }, weight: 90 },
        { destination: { upstream: v2 }, weight: 10 },
      ],
    );
  });
});

describe("route builders", () => {
  it("single: one matcher, routeAction.single", () => {
    assert.deepEqual(singleRoute({ prefix: "/findPets" }, v2), {
      matchers: [{ prefix: "/findPets" }],
      routeAction: { single: { upstream: v2 } },
    });
  });

  it("single with name and options", () => {
    assert.deepEqual(
      singleRoute({ prefix: "/petstore" }, v1, { name: "pets", options: { prefixRewrite: "/api/pets/" } }),
      {
        name: "pets",
        matchers: [{ prefix: "/petstore" }],
        routeAction: { single: { upstream: v1 } },
        options: { prefixRewrite: "/api/pets/" },
      },
    );
  });

  it("leaves out empty options", () => {
    assert.deepEqual(singleRoute(matcher, v1, { options: {} }), {
      matchers: [matcher],
      routeAction: { single: { upstream: v1 } },
    });
  });

  it("multi: integer weights as given", () => {
    assert.deepEqual(
      multiRoute(matcher, [
        { upstream: v1, weight: 1 },
        { upstream: v2, weight: 3 },
      ]),
      {
        matchers: [matcher],
        routeAction: {
          multi: {
            destinations: [
              { destination: { upstream: v1 }, weight: 1 },
              { destination: { upstream: v2 }, weight: 3 },
            ],
          },
        },
      },
    );
  });

  it("upstreamGroup: a reference with its namespace", () => {
    assert.deepEqual(upstreamGroupRoute(matcher, { name: "petstore", namespace: "default" }), {
      matchers: [matcher],
      routeAction: { upstreamGroup: { name: "petstore", namespace: "default" } },
    });
  });

  it("header matcher: the path plus an exact header, after the route's own headers", () => {
    assert.deepEqual(
      headerMatcher(
        { prefix: "/a", headers: [{ name: "x-team", value: "blue" }] },
        { name: "stage", value: "canary" },
      ),
      {
        prefix: "/a",
        headers: [
          { name: "x-team", value: "blue" },
          { name: "stage", value: "canary" },
        ],
      },
    );
  });
});

describe("releaseRoutes", () => {
  const spec = { service: "petstore", stableVersion: "v1", canaryVersion: "v2" };

  it("stable only: one single route to the stable Upstream", () => {
    const plan = planRelease({ service: "petstore", stableVersion: "v1" });
    assert.deepEqual(releaseRoutes(plan, matcher, { upstreams }), [
      { matchers: [matcher], routeAction: { single: { upstream: v1 } } },
    ]);
  });

  it("weight 0 without a header: single to stable", () => {
    const plan = planRelease({ ...spec, canaryWeight: 0 });
    assert.deepEqual(releaseRoutes(plan, matcher, { upstreams }), [
      { matchers: [matcher], routeAction: { single: { upstream: v1 } } },
    ]);
  });

  it("weight 10: multi with v1 90 and v2 10, stable first", () => {
    const plan = planRelease({ ...spec, canaryWeight: 10 });
    assert.deepEqual(releaseRoutes(plan, matcher, { upstreams }), [
      {
        matchers: [matcher],
        routeAction: {
          multi: {
            destinations: [
              { destination: { upstream: v1 }, weight: 90 },
              { destination: { upstream: v2 }, weight: 10 },
            ],
          },
        },
      },
    ]);
  });

  it("weight 100: single to the canary", () => {
    const plan = planRelease({ ...spec, canaryWeight: 100 });
    assert.deepEqual(releaseRoutes(plan, matcher, { upstreams }), [
      { matchers: [matcher], routeAction: { single: { upstream: v2 } } },
    ]);
  });

  it("header testing (weight 0 + header): the header route first, then the default route to stable", () => {
    const plan = planRelease({ ...spec, header: { name: "stage", value: "canary" } });
    assert.deepEqual(releaseRoutes(plan, matcher, { upstreams, name: "pets" }), [
      {
        name: "pets-canary",
        matchers: [{ prefix: "/findPetWithId", headers: [{ name: "stage", value: "canary" }] }],
        routeAction: { single: { upstream: v2 } },
      },
      { name: "pets", matchers: [matcher], routeAction: { single: { upstream: v1 } } },
    ]);
  });

  it("header plus weight: the header route keeps the options but not the shadowing", () => {
    const plan = planRelease({ ...spec, canaryWeight: 25, header: { name: "stage", value: "canary" } });
    const options = { timeout: "5s", shadowing: { upstream: v3, percentage: 10 } };
    const routes = releaseRoutes(plan, matcher, { upstreams, options });
    assert.equal(routes.length, 2);
    assert.deepEqual(routes[0], {
      matchers: [{ prefix: "/findPetWithId", headers: [{ name: "stage", value: "canary" }] }],
      routeAction: { single: { upstream: v2 } },
      options: { timeout: "5s" },
    });
    assert.deepEqual(routes[1].options, options);
    assert.deepEqual(routes[1].routeAction?.multi?.destinations, [
      { destination: { upstream: v1 }, weight: 75 },
      { destination: { upstream: v2 }, weight: 25 },
    ]);
  });

  it("a header route whose only option is shadowing gets no options", () => {
    const plan = planRelease({ ...spec, header: { name: "stage", value: "canary" } });
    const routes = releaseRoutes(plan, matcher, {
      upstreams,
      options: { shadowing: { upstream: v2, percentage: 50 } },
    });
    assert.equal(routes[0].options, undefined);
    assert.deepEqual(routes[1].options, { shadowing: { upstream: v2, percentage: 50 } });
  });

  it("with an UpstreamGroup the default route references the group, whatever the weight", () => {
    const group = { name: "petstore", namespace: "default" };
    for (const canaryWeight of [0, 10, 50, 100]) {
      const plan = planRelease({ ...spec, canaryWeight });
      assert.deepEqual(releaseRoutes(plan, matcher, { upstreams, upstreamGroup: group }), [
        { matchers: [matcher], routeAction: { upstreamGroup: group } },
      ]);
    }
  });

  it("extra versions: a three-way multi", () => {
    const plan = planRelease({ ...spec, canaryWeight: 10, extraVersions: [{ version: "v3", weight: 5 }] });
    assert.deepEqual(releaseSplit(plan, upstreams), [
      { upstream: v1, weight: 85 },
      { upstream: v2, weight: 10 },
      { upstream: v3, weight: 5 },
    ]);
  });
});

describe("UpstreamGroup builders", () => {
  const metadata = { name: "petstore", namespace: "default" };

  it("upstreamGroupObject: weighted destinations under spec", () => {
    assert.deepEqual(upstreamGroupObject(metadata, [{ upstream: v1, weight: 1 }]), {
      apiVersion: "gloo.solo.io/v1",
      kind: "UpstreamGroup",
      metadata,
      spec: { destinations: [{ destination: { upstream: v1 }, weight: 1 }] },
    });
  });

  it("releaseUpstreamGroup: the plan's split; a single destination has weight 100", () => {
    const weighted = planRelease({
      service: "petstore",
      stableVersion: "v1",
      canaryVersion: "v2",
      canaryWeight: 30,
    });
    assert.deepEqual(releaseUpstreamGroup(weighted, metadata, upstreams).spec.destinations, [
      { destination: { upstream: v1 }, weight: 70 },
      { destination: { upstream: v2 }, weight: 30 },
    ]);
    const stable = planRelease({ service: "petstore", stableVersion: "v1", canaryVersion: "v2" });
    assert.deepEqual(releaseUpstreamGroup(stable, metadata, upstreams).spec.destinations, [
      { destination: { upstream: v1 }, weight: 100 },
    ]);
  });
});
