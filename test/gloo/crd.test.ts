import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildUpstream,
  buildUpstreamGroup,
  buildVirtualService,
  GATEWAY_API_VERSION,
  GLOO_API_VERSION,
  GlooSelectorOperator,
  type GlooObject,
  type GlooRouteTable,
  type GlooSettings,
  type GlooVirtualService,
} from "../../src/gloo";
import { checkCrds, hasCrd, reachedSchema, strictSchema } from "../support/crds";

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
  const report = checkCrds([...built, ...typed, legacy]);
  const legacyProblems = report.problems.filter((line) =>
    line.startsWith("VirtualService gloo-system/legacy-0x:"),
  );

  it("every built Upstream, UpstreamGroup and VirtualService and the typed RouteTable, Settings and delegateAction shapes are valid, strictly", () => {
    assert.deepEqual(
      report.problems.filter((line) => !legacyProblems.includes(line)),
      [],
    );
    assert.equal(report.valid, built.length + typed.length);
    assert.equal(report.invalid, 1);
    assert.equal(report.notCovered, 0);
  });

  it("the check is strict: the Gloo 0.x shapes (matcher, routePlugins) are refused", () => {
    assert.ok(
      legacyProblems.some((line) =>
        line.endsWith("/spec/virtualHost/routes/0 must NOT have additional properties (matcher)"),
      ),
      report.problems.join("\n"),
    );
    assert.ok(
      legacyProblems.some((line) => line.endsWith("(routePlugins)")),
      report.problems.join("\n"),
    );
  });
});

describe("the strict CRD check (test/support/crds.ts)", () => {
  const upstream = buildUpstream({ service: "petstore", version: "v1", namespace: "default", port: 8080 });
  type Loose = Record<string, unknown>;
  const withSpec = (spec: Loose): Loose => ({ ...upstream, spec: { ...upstream.spec, ...spec } });
  const problemsOf = (object: unknown): string[] => checkCrds([object]).problems;

  it("accepts a valid object and counts it", () => {
    assert.deepEqual(checkCrds([upstream]), { valid: 1, invalid: 0, notCovered: 0, problems: [] });
  });

  it("refuses an unknown field, naming it and where it is", () => {
    const report = checkCrds([withSpec({ kube: { ...upstream.spec.kube, servicePortt: 8080 } })]);
    assert.equal(report.invalid, 1);
    assert.deepEqual(report.problems, [
      "Upstream default/petstore-v1: /spec/kube must NOT have additional properties (servicePortt)",
    ]);
  });

  it("refuses a value of the wrong type", () => {
    assert.deepEqual(problemsOf(withSpec({ kube: { ...upstream.spec.kube, servicePort: "8080" } })), [
      "Upstream default/petstore-v1: /spec/kube/servicePort must be integer",
    ]);
  });

  it("refuses values outside the schema's range", () => {
    assert.deepEqual(problemsOf(withSpec({ kube: { ...upstream.spec.kube, servicePort: -1 } })), [
      "Upstream default/petstore-v1: /spec/kube/servicePort must be >= 0",
    ]);
  });

  it("refuses unknown fields at the top level and in metadata, and requires apiVersion, kind and metadata", () => {
    assert.deepEqual(problemsOf({ ...upstream, specs: {} }), [
      "Upstream default/petstore-v1: / must NOT have additional properties (specs)",
    ]);
    assert.deepEqual(problemsOf({ ...upstream, metadata: { ...upstream.metadata, label: { a: "b" } } }), [
      "Upstream default/petstore-v1: /metadata must NOT have additional properties (label)",
    ]);
    assert.deepEqual(problemsOf({ ...upstream, metadata: { ...upstream.metadata, labels: { a: 1 } } }), [
      "Upstream default/petstore-v1: /metadata/labels/a must be string",
    ]);
    assert.deepEqual(problemsOf({ apiVersion: upstream.apiVersion, kind: upstream.kind }), [
      "Upstream /?: / must have required property 'metadata'",
    ]);
  });

  it("refuses any field in an object whose schema declares no properties and does not preserve unknown fields", () => {
    // spec.ai.anthropic.authToken.passthrough is `type: object` and nothing else: the apiserver prunes every field.
    const passthrough = (value: Loose) =>
      withSpec({ ai: { anthropic: { authToken: { passthrough: value } } } });
    assert.deepEqual(problemsOf(passthrough({})), []);
    assert.deepEqual(problemsOf(passthrough({ token: "x" })), [
      "Upstream default/petstore-v1: /spec/ai/anthropic/authToken/passthrough must NOT have additional properties (token)",
    ]);
    assert.deepEqual(strictSchema({ type: "object" }), { type: "object", additionalProperties: false });
  });

  it("x-kubernetes-int-or-string takes an integer or a string, nothing else", () => {
    assert.deepEqual(problemsOf(withSpec({ protocolSelection: 1 })), []);
    assert.deepEqual(problemsOf(withSpec({ protocolSelection: "USE_DOWNSTREAM_PROTOCOL" })), []);
    assert.ok(problemsOf(withSpec({ protocolSelection: true })).length > 0);
    assert.deepEqual(strictSchema({ type: "string", "x-kubernetes-int-or-string": true }), {
      anyOf: [{ type: "integer" }, { type: "string" }],
    });
  });

  it("x-kubernetes-preserve-unknown-fields keeps any field there (status), and only there", () => {
    assert.deepEqual(
      problemsOf({ ...upstream, status: { statuses: { "gloo-system": { state: 1 } }, anything: 1 } }),
      [],
    );
    assert.deepEqual(
      strictSchema({
        type: "object",
        properties: { a: { type: "object", properties: { b: { type: "string" } } } },
        "x-kubernetes-preserve-unknown-fields": true,
      }),
      {
        type: "object",
        properties: {
          a: { type: "object", properties: { b: { type: "string" } }, additionalProperties: false },
        },
      },
    );
  });

  it("nullable admits null; elsewhere null is refused", () => {
    assert.deepEqual(strictSchema({ type: "integer", nullable: true }), { type: ["integer", "null"] });
    assert.deepEqual(problemsOf(withSpec({ kube: { ...upstream.spec.kube, serviceName: null } })), [
      "Upstream default/petstore-v1: /spec/kube/serviceName must be string",
    ]);
  });

  it("compiles the part of the schema the objects reach: unreached properties go, required and strictness stay", () => {
    const schema = strictSchema({
      type: "object",
      required: ["a"],
      properties: {
        a: { type: "object", properties: { b: { type: "string" }, c: { type: "integer" } } },
        d: { type: "array", items: { type: "object", properties: { e: { type: "string" } } } },
        f: {
          type: "object",
          additionalProperties: { type: "object", properties: { g: { type: "string" } } },
        },
      },
    });
    assert.deepEqual(reachedSchema(schema, [{ a: { b: "x", z: 1 } }, { d: [{ e: "y" }, {}] }]), {
      type: "object",
      required: ["a"],
      properties: {
        a: { type: "object", properties: { b: { type: "string" } }, additionalProperties: false },
        d: {
          type: "array",
          items: { type: "object", properties: { e: { type: "string" } }, additionalProperties: false },
        },
      },
      additionalProperties: false,
    });
    assert.deepEqual(reachedSchema(schema, [{ f: { k: { g: "v" }, constructor: {} } }]), {
      type: "object",
      required: ["a"],
      properties: {
        f: {
          type: "object",
          additionalProperties: {
            type: "object",
            properties: { g: { type: "string" } },
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    });
  });

  it("reads the Gateway API CRDs too, every served version", () => {
    const route = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "petstore", namespace: "default" },
      spec: {
        parentRefs: [{ name: "gateway" }],
        rules: [{ backendRefs: [{ name: "petstore", port: 8080, weight: 90 }] }],
      },
    };
    assert.deepEqual(checkCrds([route, { ...route, apiVersion: "gateway.networking.k8s.io/v1beta1" }]), {
      valid: 2,
      invalid: 0,
      notCovered: 0,
      problems: [],
    });
    assert.deepEqual(
      problemsOf({ ...route, spec: { ...route.spec, parentRefs: [{ name: "gateway", port: "80" }] } }),
      ["HTTPRoute default/petstore: /spec/parentRefs/0/port must be integer"],
    );
  });

  it("passes over the kinds no vendored CRD defines, and an apiVersion of another version", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { bogus: 1 },
    };
    const consul = { Kind: "service-splitter", Name: "payments" };
    assert.deepEqual(checkCrds([deployment, consul, { ...upstream, apiVersion: "gloo.solo.io/v2" }]), {
      valid: 0,
      invalid: 0,
      notCovered: 3,
      problems: [],
    });
    assert.equal(hasCrd(upstream), true);
    assert.equal(hasCrd(deployment), false);
  });
});
