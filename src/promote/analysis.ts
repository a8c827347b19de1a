// The decisions of `pulumi-canary promote`, with no process, clock or network: the schedule of weights from the
// weight the stack holds, and the verdict of each check on one window of the canary's metrics. Vocabulary as in
// Flagger's canary analysis: interval, threshold (failed checks before rollback), stepWeight / maxWeight or an
// explicit list of step weights, and a metric check with its limit.

/** How a promotion is run: the schedule, the checks between steps and their limits. */
export interface AnalysisConfig {
  /** The weights to step through, strictly increasing, each 1..100 (e.g. 10, 25, 50, 100). */
  steps: number[];
  /** Milliseconds to wait after each step's update before each check of it (Flagger's `interval`). */
  intervalMs: number;
  /** Checks per step, each after `intervalMs` (Flagger: the number of intervals at one weight). At least 1. */
  iterations: number;
  /** Failed checks, over the whole promotion, that roll the canary back (Flagger's `threshold`). At least 1. */
  threshold: number;
  /** Requests the canary must have answered in a window for its metrics to count (fewer: the check fails). */
  minRequests: number;
  /** Lowest success rate of the canary, percent of requests answered with a status below 500. */
  minSuccessRate?: number;
  /** Highest latency of the canary in milliseconds, at `percentile`. */
  maxLatencyMs?: number;
  /** The latency percentile checked against `maxLatencyMs` (default 99). */
  percentile: number;
  /** After the last step, finalize: the canary becomes the stable version and the old one is retired. */
  finalize: boolean;
}

/** What was measured of the canary over one interval. */
export interface MetricWindow {
  /** Requests the canary answered in the window. */
  requests: number;
  /** Of them, answered with a status of 500 or above (or not answered). */
  errors: number;
  /** Latency in milliseconds at the configured percentile, when the source has it. */
  latencyMs?: number;
  /** The smoke request's outcome, when one is configured. */
  smoke?: SmokeResult;
}

/** The outcome of the HTTP smoke request. */
export interface SmokeResult {
  /** Whether status and body were as expected. */
  ok: boolean;
  /** What was seen, e.g. `status 503` or `body without "ok"`. */
  observed: string;
  /** What was expected, e.g. `status 200 and body with "ok"`. */
  expected: string;
}

/** The verdict of one check on one window. */
export interface CheckResult {
  /** `request-success-rate`, `request-duration`, `request-count` or `smoke`. */
  check: string;
  /** Whether the observed value is within the limit. */
  ok: boolean;
  /** The observed value, as printed (e.g. `50.0 %`, `212 ms`, `12 requests`). */
  observed: string;
  /** The limit, as printed (e.g. `>= 99 %`). */
  limit: string;
}

/** Parses a weight list such as `10,25,50,100`, naming `field` in the error. */
export function parseSteps(field: string, text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const steps = parts.map((p) => {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) < 1 || Number(p) > 100) {
      throw new RangeError(`${field}: got "${p}" in "${text}"; expected weights 1..100 separated by commas`);
    }
    return Number(p);
  });
  requireIncreasing(field, steps);
  return steps;
}

/**
 * Flagger's stepWeight / maxWeight as a list: stepWeight, 2 × stepWeight, ... up to maxWeight, then 100 (Flagger
 * promotes once maxWeight passed its checks; here the 100 % step is checked too before any finalize).
 */
export function stepsFromStepWeight(stepWeight: number, maxWeight: number): number[] {
  if (!Number.isInteger(stepWeight) || stepWeight < 1 || stepWeight > 100) {
    throw new RangeError(`stepWeight: got ${stepWeight}; expected a whole number 1..100`);
  }
  if (!Number.isInteger(maxWeight) || maxWeight < stepWeight || maxWeight > 100) {
    throw new RangeError(
      `maxWeight: got ${maxWeight}; expected a whole number from stepWeight (${stepWeight}) to 100`,
    );
  }
  const steps: number[] = [];
  for (let w = stepWeight; w <= maxWeight; w += stepWeight) steps.push(w);
  if (steps[steps.length - 1] !== 100) steps.push(100);
  return steps;
}

function requireIncreasing(field: string, steps: readonly number[]): void {
  if (steps.length === 0)
    throw new RangeError(`${field}: got no weights; expected at least one, e.g. 10,25,50,100`);
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) {
      throw new RangeError(
        `${field}: got ${steps.join(",")}; expected strictly increasing weights (${steps[i]} after ${steps[i - 1]})`,
      );
    }
  }
}

/**
 * The steps still to run from the weight the stack holds: those above it, in order. A promotion never goes
 * backwards: started again at 25 with steps 10,25,50,100 it goes on with 50 and 100.
 */
export function remainingSteps(steps: readonly number[], current: number): number[] {
  return steps.filter((w) => w > current);
}

/**
 * Refuses a schedule the stack's `maxStep` policy would refuse at the first `pulumi up` of a too large step, before
 * anything is applied. Returns the problem, or undefined.
 */
export function stepPolicyProblem(
  steps: readonly number[],
  current: number,
  maxStep: number | undefined,
): string | undefined {
  if (maxStep === undefined) return undefined;
  let from = current;
  for (const w of remainingSteps(steps, current)) {
    if (w - from > maxStep) {
      return `step ${from} → ${w} is larger than the stack's maxStep ${maxStep}; add steps so that none exceeds it`;
    }
    from = w;
  }
  return undefined;
}

/** The verdict of every configured check on one window; the window fails when any check fails. */
export function evaluateWindow(config: AnalysisConfig, window: MetricWindow): CheckResult[] {
  const results: CheckResult[] = [];
  const enough = window.requests >= config.minRequests;
  if (config.minSuccessRate !== undefined || config.maxLatencyMs !== undefined) {
    results.push({
      check: "request-count",
      ok: enough,
      observed: `${window.requests} requests`,
      limit: `>= ${config.minRequests} requests`,
    });
  }
  if (config.minSuccessRate !== undefined && enough) {
    const rate = window.requests === 0 ? 0 : (100 * (window.requests - window.errors)) / window.requests;
    results.push({
      check: "request-success-rate",
      ok: rate >= config.minSuccessRate,
      observed: `${rate.toFixed(1)} %`,
      limit: `>= ${config.minSuccessRate} %`,
    });
  }
  if (config.maxLatencyMs !== undefined && enough) {
    const latency = window.latencyMs;
    results.push({
      check: "request-duration",
      ok: latency !== undefined && latency <= config.maxLatencyMs,
      observed: latency === undefined ? "no latency reported" : `p${config.percentile} ${round(latency)} ms`,
      limit: `<= ${config.maxLatencyMs} ms`,
    });
  }
  if (window.smoke) {
    results.push({
      check: "smoke",
      ok: window.smoke.ok,
      observed: window.smoke.observed,
      limit: window.smoke.expected,
    });
  }
  return results;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** What the promotion does after a check. */
export enum Decision {
  /** The check passed, or failed below the threshold: go on. */
  Continue = "continue",
  /** Failed checks reached the threshold: set the weight to 0. */
  Rollback = "rollback",
}

/**
 * After one check: the failed checks so far (this one included) and whether to roll back. A window with no
 * configured check passes (a promotion with no checks is a timed schedule).
 */
export function decide(
  threshold: number,
  failedBefore: number,
  results: readonly CheckResult[],
): { failed: number; decision: Decision } {
  const failed = failedBefore + (results.some((r) => !r.ok) ? 1 : 0);
  return { failed, decision: failed >= threshold ? Decision.Rollback : Decision.Continue };
}

/** Parses a duration such as `30s`, `2m`, `500ms` or `1m30s` into milliseconds, naming `field` in the error. */
export function parseDuration(field: string, text: string): number {
  const match = /^(?:([0-9]+)h)?(?:([0-9]+)m(?!s))?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/.exec(text.trim());
  if (!match || text.trim() === "") {
    throw new RangeError(`${field}: got "${text}"; expected a duration such as 30s, 2m, 1m30s or 500ms`);
  }
  const [, h, m, s, ms] = match.map((g) => (g === undefined ? 0 : Number(g)));
  return ((h * 60 + m) * 60 + s) * 1000 + ms;
}
