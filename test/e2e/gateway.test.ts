// The end-to-end harness's hand-over of Gateway API objects to Envoy Gateway: what it serves must be what the
// apiserver holds, or the traffic it counts proves nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selects, translate } from "../../e2e/lib/gateway";

type Json = Record<string, unknown>;

const namespaces = ["default", "echo", "foxtrot", "gateway-system"].map((n) => ({
  metadata: { name: n, labels: { "kubernetes.io/metadata.name": n } },
}));
const gateway = (allowed: string[]): Json => ({
  metadata: { name: "public", namespace: "gateway-system" },
  spec: {
    gatewayClassName: "kgateway",
    listeners: [
      {
        name: "http",
        port: 80,
        protocol: "HTTP",
        allowedRoutes: {
          namespaces: {
            from: "Selector",
            selector: {
              matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: allowed }],
            },
          },
        },
      },
    ],
  },
});
const service = (ns: string, version: string): Json => ({
  metadata: { name: `echo-${version}`, namespace: ns },
  spec: { selector: { app: "echo", version } },
});
const route = (ns: string, w1: number, w2: number): Json => ({
  metadata: { name: "echo", namespace: ns },
  spec: {
    hostnames: ["echo.example.com"],
    parentRefs: [{ name: "public", namespace: "gateway-system" }],
    rules: [
      {
        name: "canary-header",
        matches: [
          { headers: [{ name: "stage", value: "canary" }], path: { type: "PathPrefix", value: "/echo" } },
        ],
        backendRefs: [{ name: "echo-v2", port: 8080, weight: 100 }],
      },
      {
        name: "split",
        matches: [{ path: { type: "PathPrefix", value: "/echo" } }],
        backendRefs: [
          { name: "echo-v1", port: 8080, weight: w1 },
          { name: "echo-v2", port: 8080, weight: w2 },
        ],
      },
    ],
  },
});

describe("e2e: Gateway API objects handed to Envoy Gateway", () => {
  const ports = { v1: 33000, v2: 33001 };
  const live = (allowed: string[], w1 = 90, w2 = 10) => ({
    gateways: [gateway(allowed)],
    routes: [route("echo", w1, w2)],
    services: [service("echo", "v1"), service("echo", "v2")],
    namespaces,
    grants: [],
  });

  it("routes each Service backendRef to a Backend on the port of the version its selector picks", () => {
    const t = translate(live(["echo"]), ports, 33100, "1.36.2");
    const backends = t.objects.filter((o) => o.kind === "Backend");
    assert.deepEqual(
      backends.map((b) => [(b.metadata as Json).name, (b.spec as Json).endpoints]),
      [
        ["echo-v2", [{ ip: { address: "127.0.0.1", port: 33001 } }]],
        ["echo-v1", [{ ip: { address: "127.0.0.1", port: 33000 } }]],
      ],
    );
    const httpRoute = t.objects.find((o) => o.kind === "HTTPRoute") as Json;
    const refs = ((httpRoute.spec as Json).rules as Json[])[1].backendRefs as Json[];
    assert.deepEqual(refs, [
      { group: "gateway.envoyproxy.io", kind: "Backend", name: "echo-v1", weight: 90 },
      { group: "gateway.envoyproxy.io", kind: "Backend", name: "echo-v2", weight: 10 },
    ]);
    assert.deepEqual(t.weights, [{ 33001: 100 }, { 33000: 90, 33001: 10 }]);
    assert.deepEqual(t.routes, [
      {
        route: "echo/echo",
        expectation: {
          url: "http://127.0.0.1:33100/echo/",
          host: "echo.example.com",
          split: { v1: 90, v2: 10 },
          header: { name: "stage", value: "canary", version: "v2" },
        },
      },
    ]);
  });

  it("moves the listener to a loopback port on class e2e and evaluates its namespace selector itself", () => {
    const t = translate(live(["echo"]), ports, 33100, "1.36.2");
    const gw = t.objects.find((o) => o.kind === "Gateway") as Json;
    const spec = gw.spec as Json;
    assert.equal(spec.gatewayClassName, "e2e");
    const listener = (spec.listeners as Json[])[0];
    assert.equal(listener.port, 33100);
    assert.deepEqual((listener.allowedRoutes as Json).namespaces, { from: "All" });
    assert.deepEqual(t.dropped, []);
  });

  it("leaves out a route whose namespace the listener does not allow, and says so", () => {
    const t = translate(live(["foxtrot"]), ports, 33100, "1.36.2");
    assert.equal(t.objects.filter((o) => o.kind === "HTTPRoute").length, 0);
    assert.deepEqual(t.routes, []);
    assert.deepEqual(t.dropped, ["echo/echo: namespace not allowed by listener http"]);
  });

  it("a weight of 0 carries no endpoint weight but stays in the expected split (exactly 0 requests)", () => {
    const t = translate(live(["echo"], 100, 0), ports, 33100, "1.36.2");
    assert.deepEqual(t.weights[1], { 33000: 100 });
    assert.deepEqual(t.routes[0].expectation.split, { v1: 100, v2: 0 });
  });

  it("refuses a backendRef to a Service that selects no version the harness serves", () => {
    const l = live(["echo"]);
    l.services = [service("echo", "v1")];
    assert.throws(
      () => translate(l, ports, 33100, "1.36.2"),
      /echo\/echo-v2 selects no version the harness serves/,
    );
  });

  it("label selectors: matchLabels and every matchExpressions operator", () => {
    const labels = { team: "echo", tier: "web" };
    assert.equal(selects({ matchLabels: { team: "echo" } }, labels), true);
    assert.equal(selects({ matchLabels: { team: "foxtrot" } }, labels), false);
    assert.equal(
      selects({ matchExpressions: [{ key: "team", operator: "In", values: ["echo"] }] }, labels),
      true,
    );
    assert.equal(
      selects({ matchExpressions: [{ key: "team", operator: "NotIn", values: ["echo"] }] }, labels),
      false,
    );
    assert.equal(selects({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: "team", operator: "Gt" }] }, labels), false);
  });
});
