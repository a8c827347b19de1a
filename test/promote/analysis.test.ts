import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  decide,
  Decision,
  evaluateWindow,
  parseDuration,
  parseSteps,
  remainingSteps,
  stepPolicyProblem,
  stepsFromStepWeight,
  type AnalysisConfig,
} from "../../src/promote/analysis";

const config: AnalysisConfig = {
  steps: [10, 25, 50, 100],
  intervalMs: 30_000,
  iterations: 1,
  threshold: 2,
  minRequests: 50,
  minSuccessRate: 99,
  maxLatencyMs: 500,
  percentile: 99,
  finalize: false,
};

describe("promotion schedule", () => {
  test("a weight list: strictly increasing, 1..100, the bad value named", () => {
    assert.deepEqual(parseSteps("--steps", "10, 25,50,100"), [10, 25, 50, 100]);
    assert.throws(
      () => parseSteps("--steps", "10,5"),
      /--steps: got 10,5; expected strictly increasing weights \(5 after 10\)/,
    );
    assert.throws(
      () => parseSteps("canarySteps", "10,abc"),
      /canarySteps: got "abc" in "10,abc"; expected weights 1\.\.100/,
    );
    assert.throws(() => parseSteps("--steps", "0,50"), /got "0"/);
    assert.throws(() => parseSteps("--steps", "50,101"), /got "101"/);
  });

  test("Flagger's stepWeight and maxWeight, ending at 100", () => {
    assert.deepEqual(stepsFromStepWeight(10, 50), [10, 20, 30, 40, 50, 100]);
    assert.deepEqual(stepsFromStepWeight(25, 100), [25, 50, 75, 100]);
    assert.deepEqual(stepsFromStepWeight(30, 100), [30, 60, 90, 100]);
    assert.throws(() => stepsFromStepWeight(0, 50), /stepWeight: got 0/);
    assert.throws(
      () => stepsFromStepWeight(20, 10),
      /maxWeight: got 10; expected a whole number from stepWeight \(20\) to 100/,
    );
  });

  test("resumes above the weight the stack holds, never backwards", () => {
    assert.deepEqual(remainingSteps([10, 25, 50, 100], 0), [10, 25, 50, 100]);
    assert.deepEqual(remainingSteps([10, 25, 50, 100], 25), [50, 100]);
    assert.deepEqual(remainingSteps([10, 25, 50, 100], 30), [50, 100]);
    assert.deepEqual(remainingSteps([10, 25, 50, 100], 100), []);
  });

  test("a schedule the stack's maxStep would refuse is named before anything is applied", () => {
    assert.equal(stepPolicyProblem([10, 25, 50, 100], 0, undefined), undefined);
    assert.equal(stepPolicyProblem([10, 25, 50, 75, 100], 0, 25), undefined);
    assert.match(
      stepPolicyProblem([10, 25, 50, 100], 0, 25)!,
      /step 50 → 100 is larger than the stack's maxStep 25/,
    );
    assert.match(stepPolicyProblem([50, 75, 100], 10, 25)!, /step 10 → 50/);
  });

  test("durations", () => {
    assert.equal(parseDuration("--interval", "30s"), 30_000);
    assert.equal(parseDuration("--interval", "1m30s"), 90_000);
    assert.equal(parseDuration("--max-latency", "500ms"), 500);
    assert.equal(parseDuration("--interval", "2m"), 120_000);
    assert.throws(
      () => parseDuration("--interval", "30"),
      /--interval: got "30"; expected a duration such as 30s/,
    );
    assert.throws(() => parseDuration("--interval", ""), /got ""/);
  });
});

describe("checks of a window", () => {
  test("a healthy window passes every check", () => {
    const results = evaluateWindow(config, { requests: 200, errors: 1, latencyMs: 42 });
    assert.deepEqual(
      results.map((r) => [r.check, r.ok, r.observed, r.limit]),
      [
        ["request-count", true, "200 requests", ">= 50 requests"],
        ["request-success-rate", true, "99.5 %", ">= 99 %"],
        ["request-duration", true, "p99 42 ms", "<= 500 ms"],
      ],
    );
  });

  test("seed 003's broken build: half the answers are errors", () => {
    const results = evaluateWindow(config, { requests: 400, errors: 200, latencyMs: 12 });
    const rate = results.find((r) => r.check === "request-success-rate")!;
    assert.equal(rate.ok, false);
    assert.equal(rate.observed, "50.0 %");
  });

  test("too few requests fail the window; their rate is not judged", () => {
    const results = evaluateWindow(config, { requests: 10, errors: 0, latencyMs: 5 });
    assert.deepEqual(
      results.map((r) => [r.check, r.ok]),
      [["request-count", false]],
    );
  });

  test("slow, or no latency reported, fails the duration check", () => {
    assert.equal(evaluateWindow(config, { requests: 100, errors: 0, latencyMs: 900 })[2].ok, false);
    assert.equal(evaluateWindow(config, { requests: 100, errors: 0 })[2].observed, "no latency reported");
  });

  test("the smoke request is a check of its own", () => {
    const only: AnalysisConfig = { ...config, minSuccessRate: undefined, maxLatencyMs: undefined };
    const results = evaluateWindow(only, {
      requests: 0,
      errors: 0,
      smoke: { ok: false, observed: "status 503", expected: "status 200" },
    });
    assert.deepEqual(results, [{ check: "smoke", ok: false, observed: "status 503", limit: "status 200" }]);
    assert.deepEqual(evaluateWindow(only, { requests: 0, errors: 0 }), []);
  });

  test("failed checks count over the promotion; the threshold rolls back", () => {
    const bad = evaluateWindow(config, { requests: 100, errors: 50, latencyMs: 1 });
    const good = evaluateWindow(config, { requests: 100, errors: 0, latencyMs: 1 });
    let state = decide(2, 0, bad);
    assert.deepEqual(state, { failed: 1, decision: Decision.Continue });
    state = decide(2, state.failed, good);
    assert.deepEqual(state, { failed: 1, decision: Decision.Continue });
    state = decide(2, state.failed, bad);
    assert.deepEqual(state, { failed: 2, decision: Decision.Rollback });
    assert.deepEqual(decide(1, 0, bad), { failed: 1, decision: Decision.Rollback });
  });
});
