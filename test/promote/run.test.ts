import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AnalysisConfig } from "../../src/promote/analysis";
import {
  exitCodeOf,
  formatReport,
  promote,
  PromotionOutcome,
  type PromotionOptions,
} from "../../src/promote/run";
import { FakeStack, recordedSource } from "./fakes";

const analysis: AnalysisConfig = {
  steps: [10, 25, 50, 100],
  intervalMs: 30_000,
  iterations: 1,
  threshold: 1,
  minRequests: 50,
  minSuccessRate: 99,
  percentile: 99,
  finalize: false,
};

const releaseConfig = {
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: "0",
  canaryHeader: "stage=canary",
};
const healthy = [{ requests: 300, errors: 0, latencyMs: 20 }];
const broken = [{ requests: 300, errors: 150, latencyMs: 20 }];

function options(
  extra: Partial<PromotionOptions> = {},
): PromotionOptions & { waited: number[]; lines: string[] } {
  const waited: number[] = [];
  const lines: string[] = [];
  return {
    analysis,
    dryRun: false,
    metrics: () => recordedSource(healthy),
    sleep: async (ms) => {
      waited.push(ms);
    },
    log: (l) => lines.push(l),
    now: () => 0,
    waited,
    lines,
    ...extra,
  };
}

describe("promote", () => {
  test("a healthy canary goes 10 → 25 → 50 → 100 and is finalized, one update per step", async () => {
    const stack = new FakeStack(releaseConfig);
    const o = options({ analysis: { ...analysis, finalize: true } });
    const report = await promote(stack, o);
    assert.equal(report.outcome, PromotionOutcome.Finalized);
    assert.deepEqual(stack.deployed, [10, 25, 50, 100, 0]);
    assert.deepEqual(o.waited, [30_000, 30_000, 30_000, 30_000]);
    assert.deepEqual(stack.calls.slice(-5), [
      "set stableVersion v2",
      "rm canaryVersion",
      "rm canaryHeader",
      "set canaryWeight 0",
      "up w=0",
    ]);
    assert.equal(stack.config.get("stableVersion"), "v2");
    assert.equal(stack.config.has("canaryVersion"), false);
    assert.deepEqual(
      report.steps.map((s) => [s.kind, s.weight, s.verdict]),
      [
        ["step", 10, "pass"],
        ["step", 25, "pass"],
        ["step", 50, "pass"],
        ["step", 100, "pass"],
        ["finalize", 0, "applied"],
      ],
    );
    assert.equal(exitCodeOf(report), 0);
    assert.match(
      o.lines[1],
      /^step 10 %: up 0\.0 s · request-count 300 requests, request-success-rate 100\.0 % · pass$/,
    );
  });

  test("seed 003's broken build is stopped at the first step and rolled back to 0 %", async () => {
    const stack = new FakeStack(releaseConfig);
    const report = await promote(stack, options({ metrics: () => recordedSource(broken) }));
    assert.equal(report.outcome, PromotionOutcome.RolledBack);
    assert.deepEqual(stack.deployed, [10, 0]);
    assert.equal(stack.config.get("canaryWeight"), "0");
    assert.equal(stack.config.get("canaryVersion"), "v2", "the rollback keeps the canary deployed, at 0 %");
    assert.equal(
      report.message,
      "request-success-rate of v2 at 10 %: observed 50.0 %, limit >= 99 % (1 failed check(s), threshold 1); rolled back to 0 %",
    );
    assert.equal(exitCodeOf(report), 1);
    assert.match(
      formatReport(report),
      /step\s+10 %.*fail\nrollback\s+0 %.*applied\nrolled-back: request-success-rate/,
    );
  });

  test("with threshold 2, a failed check holds the weight and the second failed check rolls back", async () => {
    const stack = new FakeStack(releaseConfig);
    const series = [healthy[0], broken[0], healthy[0], broken[0]];
    const o = options({ analysis: { ...analysis, threshold: 2 }, metrics: () => recordedSource(series) });
    const report = await promote(stack, o);
    // 10 % passes; at 25 % the first failed check holds the weight (no update), the next check passes and 50 % follows;
    // the second failed check, at 50 %, rolls back. The canary never gets more traffic right after a failed check.
    assert.deepEqual(stack.deployed, [10, 25, 50, 0]);
    assert.equal(report.outcome, PromotionOutcome.RolledBack);
    assert.deepEqual(
      report.steps.map((s) => [s.weight, s.verdict, s.checks.map((c) => c.ok)]),
      [
        [10, "pass", [true]],
        [25, "pass after hold", [false, true]],
        [50, "fail", [false]],
        [0, "applied", []],
      ],
    );
    assert.ok(
      o.lines.includes(
        "step 25 %: held · request-success-rate 50.0 %, limit >= 99 % (1 of 2 failed check(s)); checked again in 30 s",
      ),
      o.lines.join("\n"),
    );
    assert.match(report.message ?? "", /at 50 %: observed 50\.0 %.*\(2 failed check\(s\), threshold 2\)/);
  });

  test("a canary that keeps failing at one weight is rolled back there, never advanced", async () => {
    const stack = new FakeStack(releaseConfig);
    const o = options({ analysis: { ...analysis, threshold: 3 }, metrics: () => recordedSource(broken) });
    const report = await promote(stack, o);
    assert.deepEqual(stack.deployed, [10, 0]);
    assert.equal(report.steps[0].checks.length, 3);
    assert.equal(o.waited.length, 3);
  });

  test("started again, it goes on from the weight the stack deployed", async () => {
    const stack = new FakeStack({ ...releaseConfig, canaryWeight: "25" }, 25);
    const report = await promote(stack, options());
    assert.equal(report.from, 25);
    assert.deepEqual(report.plan, [50, 100]);
    assert.deepEqual(stack.deployed, [50, 100]);
    assert.equal(report.outcome, PromotionOutcome.Promoted);
  });

  test("the deployed weight wins over a config changed by an update that did not land", async () => {
    const stack = new FakeStack({ ...releaseConfig, canaryWeight: "50" }, 10);
    const report = await promote(stack, options());
    assert.equal(report.from, 10);
    assert.deepEqual(stack.deployed, [25, 50, 100]);
  });

  test("Ctrl-C stops after the current update; the next run resumes from it", async () => {
    const stack = new FakeStack(releaseConfig);
    const controller = new AbortController();
    stack.afterUp = (w) => {
      if (w === 25) controller.abort();
    };
    const first = await promote(stack, options({ signal: controller.signal }));
    assert.equal(first.outcome, PromotionOutcome.Interrupted);
    assert.equal(exitCodeOf(first), 130);
    assert.deepEqual(stack.deployed, [10, 25]);
    assert.match(first.message!, /stopped at 25 %/);
    stack.afterUp = () => undefined;
    const second = await promote(stack, options());
    assert.deepEqual(second.plan, [50, 100]);
    assert.deepEqual(stack.deployed, [10, 25, 50, 100]);
  });

  test("a refused update stops the promotion, writes the deployed weight back and rolls nothing", async () => {
    const stack = new FakeStack(releaseConfig);
    stack.failAt.add(50);
    const report = await promote(stack, options());
    assert.equal(report.outcome, PromotionOutcome.Failed);
    assert.deepEqual(stack.deployed, [10, 25]);
    assert.equal(stack.config.get("canaryWeight"), "25");
    assert.match(report.message!, /step to 50 %: the update failed: canaryWeight: got 50; refused/);
    assert.equal(exitCodeOf(report), 1);
  });

  test("a schedule past the stack's maxStep is refused before any update; canaryForce lets it through", async () => {
    const stack = new FakeStack({ ...releaseConfig, maxStep: "25" });
    await assert.rejects(
      promote(stack, options()),
      /--steps: step 50 → 100 is larger than the stack's maxStep 25/,
    );
    assert.deepEqual(stack.calls, []);
    const forced = new FakeStack({ ...releaseConfig, maxStep: "25", canaryForce: "true" });
    assert.equal((await promote(forced, options())).outcome, PromotionOutcome.Promoted);
  });

  test("dry run: the plan, nothing set or updated", async () => {
    const stack = new FakeStack({ ...releaseConfig, canaryWeight: "10" });
    const o = options({ dryRun: true });
    const report = await promote(stack, o);
    assert.equal(report.outcome, PromotionOutcome.Planned);
    assert.deepEqual(report.plan, [25, 50, 100]);
    assert.deepEqual(stack.calls, []);
    assert.match(o.lines[0], /promote v2 over v1 on stack dev: from 10 % through 25 %, 50 %, 100 %/);
  });

  test("structured release keys (--config-path releases.payments) are set with their path", async () => {
    const stack = new FakeStack({
      "releases.payments.stableVersion": "v1",
      "releases.payments.canaryVersion": "v2",
      "releases.payments.canaryWeight": "0",
    });
    await promote(
      stack,
      options({ configPath: "releases.payments", analysis: { ...analysis, steps: [50, 100] } }),
    );
    assert.deepEqual(stack.calls, [
      "set releases.payments.canaryWeight 50",
      "up w=50",
      "set releases.payments.canaryWeight 100",
      "up w=100",
    ]);
  });

  test("no canary, or a metric check without a source: refused naming what is missing", async () => {
    await assert.rejects(
      promote(new FakeStack({ stableVersion: "v1" }), options()),
      /canaryVersion is not set on stack dev; a promotion needs a stable and a canary version/,
    );
    await assert.rejects(
      promote(new FakeStack(releaseConfig), options({ metrics: undefined })),
      /needs a metric source \(--envoy-admin or --prometheus\)/,
    );
    const three = new FakeStack(releaseConfig, 0);
    await assert.rejects(
      promote(three, options({ release: "orders" })),
      /--release: got "orders"; the stack's releases are/,
    );
  });
});
