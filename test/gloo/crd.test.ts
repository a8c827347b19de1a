import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildUpstream } from "../../src/gloo/upstream";
import { buildUpstreamGroup } from "../../src/gloo/upstream-group";
import { buildVirtualService } from "../../src/gloo/virtual-service";
import {
  GATEWAY_API_VERSION,
  GLOO_API_VERSION,
  GlooSelectorOperator,
  type GlooObject,
  type GlooRouteTable,
  type GlooSettings,
  type GlooVirtualService,
} from "../../src/gloo/types";
import { crdCheck, crdCheckAvailable, type CrdVerdict } from "./crd-check";

const v1 = buildUpstream({ service: "petstore", version: "v1", namespace: "default", port: 8080 });
const v2 = buildUpstream({ service: "petstore", version: "v2", namespace: "default", port: 8080 });
const refs = [v1.metadata, v2.metadata];
const release = { service: "petstore", stableVersion: "v1", canaryVersion: "v2" };

/** Every shape the builders emit, across the phases of a release. */
function builtObjects(): GlooObject[] {
  const objects: GlooObject[] = [
    v1,
    v2,
    buildUpstream({ service: "petstore", version: "v3", port: 80, labels: { team: "pets" } }),
  ];
  for (const canaryWeight of [0, 10, 50, 100]) {
    for (const useUpstreamGroup of [false, true]) {
      const built = buildVirtualService({
        name: "coalmine",
        upstreams: refs,
        routes: [
          { prefix: "/findPets", single: refs[1] },
          {
            prefix: "/findPetWithId",
            name: "find-pet",
            release: { ...release, canaryWeight, header: { name: "stage", value: "canary" } },
            useUpstreamGroup,
          },
          { prefix: "/petstore", single: refs[0], options: { prefixRewrite: "/api/pets/" } },
        ],
      });
      objects.push(built.virtualService, ...built.upstreamGroups);
    }
  }
  objects.push(
    buildVirtualService({
      name: "everything",
      namespace: "shop",
      domains: ["shop.example.com"],
      displayName: "all route options",
      labels: { team: "shop" },
      upstreams: refs,
      routes: [
        {
          exact: "/health",
          caseSensitive: false,
          methods: ["GET", "HEAD"],
          headers: [{ name: "x-probe", regex: true, value: "k8s.*", invertMatch: false }],
          queryParameters: [{ name: "deep", value: "1", regex: false }],
          single: refs[0],
        },
        { regex: "/orders/[0-9]+", upstreamGroup: { name: "orders", namespace: "shop" } },
        {
          prefix: "/",
          multi: [
            { upstream: refs[0], weight: 3 },
            { upstream: refs[1], weight: 1 },
          ],
          options: {
            timeout: "15s",
            idleTimeout: "60s",
            retries: {
              retryOn: "5xx",
              numRetries: 2,
              perTryTimeout: "2s",
              retriableStatusCodes: [503],
              retryBackOff: { baseInterval: "0.025s", maxInterval: "0.25s" },
            },
            headerManipulation: {
              requestHeadersToAdd: [
                { header: { key: "x-canary", value: "no" }, append: false },
                { headerSecretRef: { name: "api-keys", namespace: "shop" } },
              ],
              requestHeadersToRemove: ["cookie"],
              responseHeadersToAdd: [{ header: { key: "x-served-by", value: "gloo" }, append: true }],
              responseHeadersToRemove: ["server"],
            },
            hostRewrite: "shop.internal",
            autoHostRewrite: false,
            cors: {
              allowOrigin: ["https://shop.example.com"],
              allowOriginRegex: ["https://.*\\.example\\.com"],
              allowMethods: ["GET"],
              allowHeaders: ["content-type"],
              exposeHeaders: ["x-version"],
              maxAge: "86400",
              allowCredentials: true,
              disableForRoute: false,
            },
            shadowing: { upstream: refs[1], percentage: 12.5 },
          },
        },
      ],
    }).virtualService,
    buildVirtualService({
      name: "rewrite",
      upstreams: refs,
      routes: [
        {
          prefix: "/v1",
          single: refs[0],
          options: { regexRewrite: { pattern: { regex: "^/v1/(.*)$" }, substitution: "/\\1" } },
        },
      ],
    }).virtualService,
    buildUpstreamGroup({
      name: "manual",
      upstreams: refs,
      destinations: [
        { upstream: refs[0], weight: 0 },
        { upstream: refs[1], weight: 7 },
      ],
    }),
  );
  return objects;
}

/** The typed shapes a delegating setup uses: a VirtualService delegating to RouteTables, RouteTables, Settings. */
function delegationObjects(): GlooObject[] {
  const gateway: GlooVirtualService = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "VirtualService",
    metadata: { name: "gateway", namespace: "gloo-system" },
    spec: {
      virtualHost: {
        domains: ["*"],
        routes: [
          {
            matchers: [{ prefix: "/payments" }],
            delegateAction: { ref: { name: "payments", namespace: "payments" } },
          },
          {
            matchers: [{ prefix: "/shop" }],
            inheritableMatchers: false,
            inheritablePathMatchers: true,
            delegateAction: {
              selector: {
                namespaces: ["shop", "*"],
                labels: { team: "shop" },
                expressions: [{ key: "tier", operator: GlooSelectorOperator.In, values: ["web", "api"] }],
              },
            },
          },
        ],
      },
    },
  };
  const table: GlooRouteTable = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "RouteTable",
    metadata: { name: "payments", namespace: "payments", labels: { team: "payments" } },
    spec: {
      weight: -10,
      routes: [
        {
          name: "payments-canary",
          matchers: [{ prefix: "/payments", headers: [{ name: "stage", value: "canary" }] }],
          routeAction: { single: { upstream: { name: "payments-v2", namespace: "payments" } } },
        },
        {
          matchers: [{ prefix: "/payments" }],
          routeAction: {
            multi: {
              destinations: [
                { destination: { upstream: { name: "payments-v1", namespace: "payments" } }, weight: 90 },
                { destination: { upstream: { name: "payments-v2", namespace: "payments" } }, weight: 10 },
              ],
            },
          },
          options: { prefixRewrite: "/" },
        },
      ],
    },
  };
  const settings: GlooSettings = {
    apiVersion: GLOO_API_VERSION,
    kind: "Settings",
    metadata: { name: "default", namespace: "gloo-system" },
    spec: {
      gloo: {
        invalidConfigPolicy: {
          replaceInvalidRoutes: true,
          invalidRouteResponseCode: 404,
          invalidRouteResponseBody: "Gloo Gateway has invalid configuration.",
        },
      },
    },
  };
  return [gateway, table, settings];
}

/** A Gloo 0.x VirtualService (seed 000 before Gloo 1.0): `matcher` and `routePlugins` no longer exist. */
const legacy = {
  apiVersion: GATEWAY_API_VERSION,
  kind: "VirtualService",
  metadata: { name: "legacy-0x", namespace: "gloo-system" },
  spec: {
    virtualHost: {
      domains: ["*"],
      routes: [
        {
          matcher: { prefix: "/petstore" },
          routeAction: {
            single: { upstream: { name: "default-petstore-v1-8080", namespace: "gloo-system" } },
          },
          routePlugins: { prefixRewrite: { prefixRewrite: "/api/pets/" } },
        },
      ],
    },
  },
};

describe("objects against the Gloo 1.22 CRDs", () => {
  const built = builtObjects();
  const typed = delegationObjects();
  // One run of the checker (it compiles the CRD schemas each time): the valid objects plus one invalid one.
  let verdict: CrdVerdict | undefined;
  const check = (): CrdVerdict => (verdict ??= crdCheck([...built, ...typed, legacy]));
  const invalidLines = (): string[] =>
    check()
      .output.split("\n")
      .filter((line) => line.startsWith("INVALID"));

  it("every built Upstream, UpstreamGroup and VirtualService and the typed RouteTable, Settings and delegateAction shapes are valid, strictly", (t) => {
    if (!crdCheckAvailable) return t.skip("crd-check is not available");
    assert.match(
      check().output,
      new RegExp(`crd-check: ${built.length + typed.length} valid, 1 invalid, 0 not covered`),
    );
    assert.deepEqual(
      invalidLines().filter((line) => !line.startsWith("INVALID VirtualService gloo-system/legacy-0x:")),
      [],
      check().output,
    );
  });

  it("the check is strict: the Gloo 0.x shapes (matcher, routePlugins) are refused", (t) => {
    if (!crdCheckAvailable) return t.skip("crd-check is not available");
    assert.equal(check().status, 1);
    assert.ok(
      invalidLines().some((line) => line.endsWith("(matcher)")),
      check().output,
    );
    assert.ok(
      invalidLines().some((line) => line.endsWith("(routePlugins)")),
      check().output,
    );
  });
});
