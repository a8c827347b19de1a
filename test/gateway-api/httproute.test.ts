import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildGateway,
  buildHttpRoute,
  buildVersionServices,
  hostnameMatches,
  type HttpRouteSpec,
} from "../../src/gateway-api";
import { planRelease } from "../../src/release";
import { assertValidAgainstCrds, checkCrds } from "../support/crds";
import { PETSTORE_RELEASE } from "./petstore";

const release = PETSTORE_RELEASE;
const spec: HttpRouteSpec = {
  name: "petstore",
  namespace: "default",
  parentRefs: [{ name: "public", namespace: "gateway-system", sectionName: "http" }],
  hostnames: ["petstore.example.com"],
  prefix: "/petstore",
  port: 8080,
  options: {
    prefixRewrite: "/api/pets/",
    requestHeaders: { set: [{ name: "x-release", value: "petstore" }], remove: ["x-debug"] },
    timeout: "10s",
    backendTimeout: "5s",
  },
};

describe("buildHttpRoute", () => {
  test("the weighted rule, then the header rule to the canary, with the route options on both", () => {
    const route = buildHttpRoute(planRelease(release), spec);
    const filters = [
      {
        type: "URLRewrite",
        urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/api/pets/" } },
      },
      {
        type: "RequestHeaderModifier",
        requestHeaderModifier: { set: [{ name: "x-release", value: "petstore" }], remove: ["x-debug"] },
      },
    ];
    const timeouts = { request: "10s", backendRequest: "5s" };
    assert.deepEqual(route, {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "petstore", namespace: "default" },
      spec: {
        parentRefs: [{ name: "public", namespace: "gateway-system", sectionName: "http" }],
        hostnames: ["petstore.example.com"],
        rules: [
          {
            name: "split",
            matches: [{ path: { type: "PathPrefix", value: "/petstore" } }],
            backendRefs: [
              { name: "petstore-v1", port: 8080, weight: 90 },
              { name: "petstore-v2", port: 8080, weight: 10 },
            ],
            filters,
            timeouts,
          },
          {
            name: "canary-header",
            matches: [
              {
                path: { type: "PathPrefix", value: "/petstore" },
                headers: [{ type: "Exact", name: "stage", value: "canary" }],
              },
            ],
            backendRefs: [{ name: "petstore-v2", port: 8080, weight: 100 }],
            filters,
            timeouts,
          },
        ],
      },
    });
    assertValidAgainstCrds([route]);
  });

  test("every phase's route passes the standard CRDs, and weights always sum to 100", () => {
    for (const weight of [0, 10, 50, 100]) {
      for (const header of [undefined, release.header]) {
        const plan = planRelease({ ...release, canaryWeight: weight, header });
        const route = buildHttpRoute(plan, { ...spec, shadowPercentage: 20 });
        assertValidAgainstCrds([route]);
        // The weighted rule keeps index 0 in every phase (implementations name their clusters after the index).
        const split = route.spec.rules[0];
        assert.equal(split.name, "split");
        assert.equal(
          split.backendRefs.reduce((sum, b) => sum + b.weight, 0),
          100,
        );
        assert.deepEqual(
          route.spec.rules.map((r) => r.name),
          header ? ["split", "canary-header"] : ["split"],
        );
      }
    }
  });

  test("shadowing mirrors a percentage of requests to the canary while it takes no live traffic", () => {
    const mirrored = buildHttpRoute(planRelease({ ...release, canaryWeight: 0 }), {
      ...spec,
      options: undefined,
      shadowPercentage: 25,
    });
    assert.deepEqual(mirrored.spec.rules[0].filters, [
      {
        type: "RequestMirror",
        requestMirror: { backendRef: { name: "petstore-v2", port: 8080 }, percent: 25 },
      },
    ]);
    const live = buildHttpRoute(planRelease(release), { ...spec, options: undefined, shadowPercentage: 25 });
    assert.equal(live.spec.rules[0].filters, undefined, "no mirror once the canary takes live traffic");
  });

  test("refused before apply, every problem at once, naming the field", () => {
    assert.throws(
      () =>
        buildHttpRoute(planRelease(release), {
          ...spec,
          name: "Pet_Store",
          prefix: "petstore",
          hostnames: ["*", "10.0.0.1:80"],
          options: { timeout: "10 seconds", backendTimeout: "5s" },
          shadowPercentage: 120,
        }),
      (err: Error) => {
        const lines = err.message.split("\n");
        assert.match(lines[0], /^gatewayApi\.routeName: got "Pet_Store"/);
        assert.match(err.message, /gatewayApi\.prefix: got "petstore"/);
        assert.match(err.message, /gatewayApi\.hostnames\[0\]: got "\*"; expected a lower-case DNS name/);
        assert.match(
          err.message,
          /gatewayApi\.options\.timeout: got "10 seconds"; expected a Gateway API duration/,
        );
        assert.match(err.message, /gatewayApi\.shadowPercentage: got 120/);
        return true;
      },
    );
    const many = planRelease({
      service: "petstore",
      stableVersion: "v0",
      extraVersions: Array.from({ length: 16 }, (_, i) => ({ version: `x${i}`, weight: 1 })),
    });
    assert.throws(() => buildHttpRoute(many, spec), /at most 16 versions taking traffic/);
    assert.throws(
      () => buildHttpRoute(planRelease(release), { ...spec, parentRefs: [] }),
      /gatewayApi\.gateway: got \[\]; expected the Gateway the route attaches to/,
    );
  });

  test("a host name falls under a listener's hostname as the Gateway API matches them", () => {
    assert.equal(hostnameMatches("*.example.com", "petstore.example.com"), true);
    assert.equal(hostnameMatches("*.example.com", "a.b.example.com"), true);
    assert.equal(hostnameMatches("*.example.com", "example.com"), false);
    assert.equal(hostnameMatches("petstore.example.com", "petstore.example.com"), true);
    assert.equal(hostnameMatches("petstore.example.com", "*.example.com"), true);
    assert.equal(hostnameMatches("shop.example.org", "petstore.example.com"), false);
    assert.equal(hostnameMatches(undefined, "anything.example"), true);
  });
});

describe("buildGateway and the version Services", () => {
  test("the teams' namespaces may attach routes; everything passes the CRDs", () => {
    const gateway = buildGateway("platform", {
      namespace: "gateway-system",
      gatewayClassName: "kgateway",
      teams: [
        { team: "foxtrot", namespace: "foxtrot", prefix: "/foxtrot" },
        { team: "echo", namespace: "echo", prefix: "/echo" },
      ],
    });
    assert.deepEqual(gateway.spec.listeners[0].allowedRoutes, {
      kinds: [{ kind: "HTTPRoute" }],
      namespaces: {
        from: "Selector",
        selector: {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "In", values: ["echo", "foxtrot"] },
          ],
        },
      },
    });
    const services = buildVersionServices(planRelease(release), "default", 8080);
    assert.deepEqual(
      services.map((s) => [s.metadata.name, s.spec.selector]),
      [
        ["petstore-v1", { app: "petstore", version: "v1" }],
        ["petstore-v2", { app: "petstore", version: "v2" }],
      ],
    );
    const report = checkCrds([gateway, ...services]);
    assert.deepEqual(report.problems, []);
    assert.equal(report.valid, 1);
    assert.equal(report.notCovered, 2, "Services are core objects, not custom resources");
  });

  test("overlapping team prefixes (whole path elements), repeated teams and listeners are refused", () => {
    assert.throws(
      () =>
        buildGateway("platform", {
          gatewayClassName: "kgateway",
          listeners: [{ name: "http" }, { name: "http", port: 8080 }],
          teams: [
            { team: "echo", namespace: "echo", prefix: "/echo" },
            { team: "echo-v2", namespace: "echo-v2", prefix: "/echo/v2" },
            { team: "echo", namespace: "other", prefix: "/other" },
          ],
        }),
      (err: Error) => {
        assert.match(
          err.message,
          /listeners\[1\]: got "http"; expected a listener name and port\/hostname no other listener has/,
        );
        assert.match(
          err.message,
          /teams\[1\]\.prefix: got "\/echo\/v2"; expected a prefix that does not overlap team echo's "\/echo"/,
        );
        assert.match(err.message, /teams\[2\]\.team: got "echo"; expected a team name not given twice/);
        return true;
      },
    );
  });

  test("/echo and /echoes are two teams' prefixes that do not overlap (the Gateway API matches whole path elements)", () => {
    const gateway = buildGateway("platform", {
      gatewayClassName: "kgateway",
      teams: [
        { team: "echo", namespace: "echo", prefix: "/echo" },
        { team: "echoes", namespace: "echoes", prefix: "/echoes" },
        { team: "foxtrot", namespace: "foxtrot", prefix: "/foxtrot" },
        { team: "foxtrotx", namespace: "foxtrotx", prefix: "/foxtrotx" },
      ],
    });
    assert.deepEqual(gateway.spec.listeners[0].allowedRoutes.namespaces, {
      from: "Selector",
      selector: {
        matchExpressions: [
          {
            key: "kubernetes.io/metadata.name",
            operator: "In",
            values: ["echo", "echoes", "foxtrot", "foxtrotx"],
          },
        ],
      },
    });
  });
});
