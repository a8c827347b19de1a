import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  envoySource,
  parseEnvoyStats,
  parsePrometheusValue,
  prometheusSource,
  runSmoke,
  windowBetween,
} from "../../src/promote/metrics";

// As Envoy 1.3x's /stats?format=json prints it for a Consul sidecar with the splitter's two subset clusters.
const cluster = (version: string): string => `${version}.payments.default.dc1.internal.11111111-2222.consul`;
function envoyStats(v1: [number, number], v2: [number, number], p99: number) {
  return {
    stats: [
      { name: `cluster.${cluster("v1")}.upstream_rq_5xx`, value: v1[1] },
      { name: `cluster.${cluster("v1")}.upstream_rq_completed`, value: v1[0] },
      { name: `cluster.${cluster("v2")}.upstream_rq_5xx`, value: v2[1] },
      { name: `cluster.${cluster("v2")}.upstream_rq_completed`, value: v2[0] },
      { name: `cluster.${cluster("v2")}.upstream_rq_200`, value: v2[0] - v2[1] },
      {
        histograms: {
          supported_quantiles: [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100],
          computed_quantiles: [
            {
              name: `cluster.${cluster("v1")}.upstream_rq_time`,
              values: Array.from({ length: 10 }, () => ({ interval: null, cumulative: 900 })),
            },
            {
              name: `cluster.${cluster("v2")}.upstream_rq_time`,
              values: [1, 2, 3, 4, 5, 6, p99, p99 + 1, p99 + 2, p99 + 3].map((c) => ({
                interval: null,
                cumulative: c,
              })),
            },
          ],
        },
      },
    ],
  };
}

describe("Envoy admin statistics", () => {
  test("the canary's clusters only: counters summed, latency at the percentile", () => {
    const s = parseEnvoyStats(envoyStats([900, 0], [100, 50], 42), "v2.payments.", 99);
    assert.deepEqual(s, { completed: 100, errors: 50, latencyMs: 42, clusters: [cluster("v2")] });
    assert.equal(parseEnvoyStats(envoyStats([900, 0], [100, 50], 42), "v2.payments.", 95).latencyMs, 6);
    assert.deepEqual(parseEnvoyStats(envoyStats([1, 0], [1, 0], 1), "v9.", 99).clusters, []);
  });

  test("the window is the difference of two snapshots", () => {
    const a = parseEnvoyStats(envoyStats([900, 0], [100, 0], 10), "v2.", 99);
    const b = parseEnvoyStats(envoyStats([1800, 0], [300, 100], 12), "v2.", 99);
    assert.deepEqual(windowBetween(a, b), { requests: 200, errors: 100, latencyMs: 12 });
  });

  test("not Envoy's JSON: a clear error", () => {
    assert.throws(() => parseEnvoyStats("<html>", "v2.", 99), /expected a JSON object with "stats"/);
  });
});

describe("Prometheus query API", () => {
  test("a vector's first sample, a scalar, no sample, an error", () => {
    const vector = {
      status: "success",
      data: { resultType: "vector", result: [{ metric: {}, value: [1, "123"] }] },
    };
    assert.equal(parsePrometheusValue(vector, "q"), 123);
    assert.equal(
      parsePrometheusValue({ status: "success", data: { resultType: "scalar", result: [1, "0.5"] } }, "q"),
      0.5,
    );
    assert.equal(
      parsePrometheusValue({ status: "success", data: { resultType: "vector", result: [] } }, "q"),
      undefined,
    );
    assert.throws(
      () => parsePrometheusValue({ status: "error", error: "parse error at char 3" }, "sum(("),
      /Prometheus query "sum\(\(": parse error at char 3/,
    );
  });
});

describe("sources and smoke over HTTP (loopback)", () => {
  let server: http.Server;
  let base = "";
  const seen: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.stage ?? ""}`);
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/stats") {
        res.end(JSON.stringify(envoyStats([10, 0], [20, 5], 7)));
      } else if (url.pathname === "/api/v1/query") {
        const q = url.searchParams.get("query") ?? "";
        const value = q.includes("5..") ? "3" : q.includes("latency") ? "250" : "40";
        res.end(
          JSON.stringify({
            status: "success",
            data: { resultType: "vector", result: [{ value: [0, value] }] },
          }),
        );
      } else if (url.pathname === "/health") {
        res.writeHead(req.headers.stage === "canary" ? 200 : 503);
        res.end(req.headers.stage === "canary" ? "ok v2" : "down");
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test("envoySource asks for the canary's clusters and parses them", async () => {
    const s = await envoySource(base, "v2.payments.", 99).snapshot();
    assert.deepEqual([s.completed, s.errors, s.latencyMs], [20, 5, 7]);
    assert.match(
      seen.find((l) => l.startsWith("/stats"))!,
      /filter=%5Ecluster%5C.v2%5C.payments%5C./,
    );
  });

  test("prometheusSource runs the three queries", async () => {
    const s = await prometheusSource(base, {
      requests: 'sum(increase(rq{version="v2"}[1m]))',
      errors: 'sum(increase(rq{version="v2",code=~"5.."}[1m]))',
      latency: "latency",
    }).snapshot();
    assert.deepEqual([s.completed, s.errors, s.latencyMs], [40, 3, 250]);
  });

  test("smoke: status and body, with the canary header", async () => {
    assert.deepEqual(
      await runSmoke({ url: `${base}/health`, headers: { stage: "canary" }, status: 200, body: "ok" }),
      {
        ok: true,
        observed: "status 200",
        expected: 'status 200 and body with "ok"',
      },
    );
    assert.equal(
      (await runSmoke({ url: `${base}/health`, headers: {}, status: 200 })).observed,
      "status 503",
    );
    const body = await runSmoke({
      url: `${base}/health`,
      headers: { stage: "canary" },
      status: 200,
      body: "v3",
    });
    assert.deepEqual([body.ok, body.observed], [false, 'body without "v3"']);
    const closed = await runSmoke({ url: "http://127.0.0.1:1/", headers: {}, status: 200 }, 1000);
    assert.equal(closed.ok, false);
  });
});
