import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { promoteCommand, promotionSettings } from "../../src/cli/promote";
import { main } from "../../src/cli/main";
import { FakeStack } from "./fakes";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    streams: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
    out,
    err,
  };
}

describe("promote settings", () => {
  test("defaults, and Flagger's form", () => {
    const s = promotionSettings({}, {});
    assert.deepEqual(s.analysis, {
      steps: [10, 25, 50, 100],
      intervalMs: 60_000,
      iterations: 1,
      threshold: 1,
      minRequests: 20,
      minSuccessRate: undefined,
      maxLatencyMs: undefined,
      percentile: 99,
      finalize: false,
    });
    assert.deepEqual(
      promotionSettings({ "step-weight": "20", "max-weight": "60" }, {}).analysis.steps,
      [20, 40, 60, 100],
    );
  });

  test("a flag wins over canaryAnalysis in stack config, which wins over canarySteps and the default", () => {
    const config = {
      interval: "30s",
      threshold: 2,
      steps: "5,50,100",
      minSuccessRate: 99,
      envoyAdmin: "http://127.0.0.1:19000",
      envoyCluster: "{version}.payments.",
    };
    const s = promotionSettings({ interval: "10s" }, config, "10,100");
    assert.equal(s.analysis.intervalMs, 10_000);
    assert.equal(s.analysis.threshold, 2);
    assert.deepEqual(s.analysis.steps, [5, 50, 100]);
    assert.equal(s.metrics?.("v2").description, "envoy http://127.0.0.1:19000 clusters v2.payments.*");
    assert.deepEqual(promotionSettings({}, {}, "10,100").analysis.steps, [10, 100]);
  });

  test("bad settings name the flag or the config key, the value and what is accepted", () => {
    assert.throws(
      () => promotionSettings({ threshold: "x" }, {}),
      /--threshold: got "x"; expected a number 1\.\.1000/,
    );
    assert.throws(
      () => promotionSettings({}, { interval: "soon" }),
      /canaryAnalysis\.interval: got "soon"; expected a duration/,
    );
    assert.throws(
      () => promotionSettings({}, { intervall: "30s" }),
      /canaryAnalysis\.intervall: not a promotion setting; expected one of steps, stepWeight/,
    );
    assert.throws(
      () => promotionSettings({ "min-success-rate": "99" }, {}),
      /need a metric source: --envoy-admin or --prometheus/,
    );
    assert.throws(
      () => promotionSettings({ "envoy-admin": "http://127.0.0.1:19000" }, {}),
      /needs --envoy-cluster PREFIX/,
    );
    assert.throws(
      () => promotionSettings({ prometheus: "localhost:9090" }, {}),
      /--prometheus: got "localhost:9090"; expected an http/,
    );
    assert.throws(() => promotionSettings({ steps: "10,50", "step-weight": "10" }, {}), /give one of them/);
    assert.throws(
      () => promotionSettings({ smoke: "http://x/", "smoke-header": ["stage"] }, {}),
      /--smoke-header: got "stage"; expected NAME=VALUE/,
    );
  });
});

describe("pulumi-canary promote", () => {
  const releaseConfig = { stableVersion: "v1", canaryVersion: "v2", canaryWeight: "0" };

  test("through main: the stack's own settings, a line per step on stderr, the report on stdout", async () => {
    const stack = new FakeStack({
      ...releaseConfig,
      canaryAnalysis: JSON.stringify({ interval: "0s", steps: "50,100" }),
    });
    const c = capture();
    const code = await main(
      ["promote", "app", "--stack", "dev", "--finalize", "-o", "json"],
      c.streams,
      async (dir, name) => {
        assert.match(dir, /app$/);
        assert.equal(name, "dev");
        return stack;
      },
    );
    assert.equal(code, 0, c.err.join(""));
    const report = JSON.parse(c.out.join(""));
    assert.equal(report.outcome, "finalized");
    assert.deepEqual(stack.deployed, [50, 100, 0]);
    assert.match(c.err.join(""), /step 50 %: up [0-9.]+ s · no checks · pass/);
  });

  test("usage errors exit 2 before the stack is touched", async () => {
    const c = capture();
    const opened: string[] = [];
    const code = await main(["promote", "--steps", "10,5"], c.streams, async (d) => {
      opened.push(d);
      return new FakeStack(releaseConfig);
    });
    assert.equal(code, 2);
    assert.match(c.err.join(""), /--stack NAME is required/);
    const bad = capture();
    assert.equal(
      await main(
        ["promote", "--stack", "dev", "--steps", "10,5"],
        bad.streams,
        async () => new FakeStack(releaseConfig),
      ),
      2,
    );
    assert.match(bad.err.join(""), /--steps: got 10,5; expected strictly increasing/);
    assert.deepEqual(opened, []);
  });

  test("--dry-run prints the plan and changes nothing; --help prints the usage", async () => {
    const stack = new FakeStack({ ...releaseConfig, canaryWeight: "25" });
    const c = capture();
    assert.equal(await promoteCommand(["--stack", "dev", "--dry-run"], c.streams, async () => stack), 0);
    assert.deepEqual(stack.calls, []);
    assert.match(c.err.join(""), /from 25 % through 50 %, 100 %/);
    assert.match(c.out.join(""), /^planned\n$/m);
    const h = capture();
    assert.equal(await promoteCommand(["--help"], h.streams, async () => stack), 0);
    assert.match(h.out.join(""), /^Usage: pulumi-canary promote/);
  });
});
