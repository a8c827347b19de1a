import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requireDuration, routeOptionsOf, shadowingOf } from "../../src/gloo/options";
import { UpstreamCatalog } from "../../src/gloo/refs";
import type { GlooRouteOptions } from "../../src/gloo/types";

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };
const catalog = new UpstreamCatalog(
  [v1, v2],
  [{ name: "default-petstore-v1-8080", namespace: "gloo-system" }],
);
const field = "routes[0] (/a).options";

describe("routeOptionsOf", () => {
  it("copies the typed options in Gloo's shape", () => {
    const options: GlooRouteOptions = {
      prefixRewrite: "/api/pets/",
      timeout: "15s",
      idleTimeout: "60s",
      retries: {
        retryOn: "5xx,connect-failure",
        numRetries: 3,
        perTryTimeout: "0.5s",
        retriableStatusCodes: [503],
        retryBackOff: { baseInterval: "0.025s", maxInterval: "0.25s" },
      },
      headerManipulation: {
        requestHeadersToAdd: [{ header: { key: "x-canary", value: "true" }, append: false }],
        requestHeadersToRemove: ["cookie"],
        responseHeadersToAdd: [{ header: { key: "x-version", value: "v2" } }],
        responseHeadersToRemove: ["server"],
      },
      hostRewrite: "petstore.internal",
      cors: {
        allowOrigin: ["https://example.com"],
        allowMethods: ["GET"],
        maxAge: "86400",
        allowCredentials: true,
      },
      shadowing: { upstream: v2, percentage: 12.5 },
    };
    assert.deepEqual(routeOptionsOf(field, options, catalog), options);
  });

  it("drops absent fields and copies only name and namespace of a shadow upstream component", () => {
    const component = { ...v2, urn: "component state that is not copied" };
    assert.deepEqual(
      routeOptionsOf(
        field,
        {
          prefixRewrite: undefined,
          autoHostRewrite: true,
          shadowing: { upstream: component, percentage: 100 },
        },
        catalog,
      ),
      { autoHostRewrite: true, shadowing: { upstream: v2, percentage: 100 } },
    );
  });

  it("copies a regexRewrite", () => {
    assert.deepEqual(
      routeOptionsOf(
        field,
        { regexRewrite: { pattern: { regex: "^/v1/(.*)$" }, substitution: "/\\1" } },
        catalog,
      ),
      {
        regexRewrite: { pattern: { regex: "^/v1/(.*)$" }, substitution: "/\\1" },
      },
    );
  });

  it("refuses a shadow percentage outside 0..100", () => {
    for (const percentage of [-1, 100.5, 150, Number.NaN]) {
      assert.throws(
        () =>
          routeOptionsOf(field, { shadowing: { upstream: v2, percentage } }, catalog, "VirtualService vs"),
        /^ValidationError: VirtualService vs: routes\[0\] \(\/a\)\.options\.shadowing\.percentage: got .*; expected a number from 0 to 100/,
      );
    }
  });

  it("accepts the bounds 0 and 100", () => {
    assert.equal(shadowingOf("s", { upstream: v1, percentage: 0 }, catalog).percentage, 0);
    assert.equal(shadowingOf("s", { upstream: v1, percentage: 100 }, catalog).percentage, 100);
  });

  it("refuses a shadow Upstream the program does not know, and accepts an external one", () => {
    assert.throws(
      () =>
        routeOptionsOf(
          field,
          { shadowing: { upstream: { name: "petstore-v3", namespace: "default" }, percentage: 5 } },
          catalog,
        ),
      /routes\[0\] \(\/a\)\.options\.shadowing\.upstream: got "default\/petstore-v3"; expected an Upstream this program declares \(upstreams: default\/petstore-v1, default\/petstore-v2\) or one passed in externalUpstreams \(gloo-system\/default-petstore-v1-8080\)/,
    );
    const external = { name: "default-petstore-v1-8080", namespace: "gloo-system" };
    assert.deepEqual(
      routeOptionsOf(field, { shadowing: { upstream: external, percentage: 5 } }, catalog).shadowing,
      {
        upstream: external,
        percentage: 5,
      },
    );
  });

  it("refuses durations that are not seconds", () => {
    assert.equal(requireDuration("timeout", "1.5s"), "1.5s");
    for (const timeout of ["1m", "15", "", "-1s", "1.5 s"]) {
      assert.throws(
        () => routeOptionsOf(field, { timeout }, catalog),
        /options\.timeout: got .*; expected a duration in seconds ending in "s", e\.g\. "15s" or "0\.25s"/,
      );
    }
    assert.throws(
      () => routeOptionsOf(field, { retries: { perTryTimeout: "100ms" } }, catalog),
      /options\.retries\.perTryTimeout: got "100ms"; expected a duration in seconds/,
    );
  });

  it("refuses a bad retry count and status code", () => {
    assert.throws(
      () => routeOptionsOf(field, { retries: { numRetries: -1 } }, catalog),
      /options\.retries\.numRetries: got -1; expected a whole number from 0 to 4294967295/,
    );
    assert.throws(
      () => routeOptionsOf(field, { retries: { retriableStatusCodes: [503, 99] } }, catalog),
      /options\.retries\.retriableStatusCodes\[1\]: got 99; expected a whole number from 100 to 599/,
    );
  });

  it("refuses a header to add without a header or secret, and a bad header name", () => {
    assert.throws(
      () =>
        routeOptionsOf(field, { headerManipulation: { requestHeadersToAdd: [{ append: true }] } }, catalog),
      /headerManipulation\.requestHeadersToAdd\[0\]: got \{"append":true\}; expected a header \{ key, value \} or a headerSecretRef/,
    );
    assert.throws(
      () =>
        routeOptionsOf(
          field,
          { headerManipulation: { responseHeadersToAdd: [{ header: { key: "bad key", value: "x" } }] } },
          catalog,
        ),
      /responseHeadersToAdd\[0\]\.header\.key: got "bad key"; expected a non-empty HTTP header name/,
    );
  });

  it("refuses prefixRewrite together with regexRewrite", () => {
    assert.throws(
      () =>
        routeOptionsOf(
          field,
          { prefixRewrite: "/", regexRewrite: { pattern: { regex: "^/a" }, substitution: "/" } },
          catalog,
        ),
      /options\.regexRewrite: got "\^\/a"; expected no regexRewrite together with prefixRewrite/,
    );
  });
});
