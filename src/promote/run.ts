// The promotion loop of `pulumi-canary promote`: for each step, set the stack's canary weight, run the update, wait
// and check the canary; roll back when failed checks reach the threshold; finalize after the last step when asked.
// The stack is reached through a `PromotionStack` (the Automation API in the command, any driver in tests), the
// clock through `sleep`: the loop itself starts no process.
import {
  Decision,
  decide,
  evaluateWindow,
  remainingSteps,
  stepPolicyProblem,
  type AnalysisConfig,
  type CheckResult,
  type MetricWindow,
} from "./analysis";
import { runSmoke, windowBetween, type MetricSnapshot, type MetricSource, type SmokeCheck } from "./metrics";

/** The stack a promotion drives: its config and its updates. */
export interface PromotionStack {
  /** The stack's name, for the progress output. */
  readonly name: string;
  /** A config value of the project's namespace (`path`: a path into a structured value), undefined when unset. */
  getConfig(key: string, path: boolean): Promise<string | undefined>;
  /** `pulumi config set [--path] key value`. */
  setConfig(key: string, value: string, path: boolean): Promise<void>;
  /** `pulumi config rm [--path] key`. */
  removeConfig(key: string, path: boolean): Promise<void>;
  /** `pulumi up`; rejects with the engine's message when the update fails. */
  up(): Promise<void>;
  /** The stack's outputs after its last update (`{}` before the first). */
  outputs(): Promise<{ [name: string]: unknown }>;
}

/** How the promotion is run, beyond the analysis. */
export interface PromotionOptions {
  analysis: AnalysisConfig;
  /**
   * Where the release's keys are: undefined for top-level keys (`canaryWeight`), or the structured key of a release
   * (`releases.payments`, keys set with `--path`).
   */
  configPath?: string;
  /** The release's name in the stack's `canaryReleases` output (default: the only one there). */
  release?: string;
  /** The canary's metrics, when a success-rate or latency check is configured. */
  metrics?: (canaryVersion: string) => MetricSource;
  /** The smoke request, run once per check. */
  smoke?: SmokeCheck;
  /** Print the plan and change nothing. */
  dryRun: boolean;
  /** Stops the promotion after the current update (Ctrl-C). */
  signal?: AbortSignal;
  /** Waits `ms` (or until the signal aborts); the command's is a timer, tests pass their own. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A progress line. */
  log?: (line: string) => void;
  /** Milliseconds since some origin (for the durations printed); defaults to `Date.now`. */
  now?: () => number;
}

/** One check of one step. */
export interface CheckReport {
  window: MetricWindow;
  results: CheckResult[];
  ok: boolean;
}

/** One step of the promotion. */
export interface StepReport {
  /** The canary's weight set in this step (0 for the rollback, also 0 for the finalize). */
  weight: number;
  /** `step`, `rollback` or `finalize`. */
  kind: string;
  /** Milliseconds the update took. */
  upMs: number;
  checks: CheckReport[];
  /**
   * `pass`, `pass after hold` (a failed check held the weight, a later one passed), `fail` (rolled back from here),
   * `stopped`, `applied` (rollback, finalize) or `failed update`.
   */
  verdict: string;
}

/** How a promotion ended. */
export enum PromotionOutcome {
  /** Every step passed; the canary takes its last step's weight. */
  Promoted = "promoted",
  /** Every step passed and the canary became the stable version. */
  Finalized = "finalized",
  /** A check failed past the threshold; the weight is back at 0. */
  RolledBack = "rolled-back",
  /** Stopped by the signal after an update; the stack is at the last applied step. */
  Interrupted = "interrupted",
  /** Refused before anything was applied, or an update failed (the stack holds the last good step). */
  Failed = "failed",
  /** `dryRun`: the plan only. */
  Planned = "planned",
}

/** What a promotion did. */
export interface PromotionReport {
  stack: string;
  stableVersion: string;
  canaryVersion: string;
  /** The canary's weight when the promotion started (the deployed one). */
  from: number;
  /** The weights the promotion was to step through from there. */
  plan: number[];
  steps: StepReport[];
  outcome: PromotionOutcome;
  /** Why it failed or rolled back: the check, the observed value and the limit, or the engine's message. */
  message?: string;
}

/** The exit code of the command for a report: 0 promoted, finalized or planned; 1 rolled back or failed; 130 stopped. */
export function exitCodeOf(report: PromotionReport): number {
  switch (report.outcome) {
    case PromotionOutcome.RolledBack:
    case PromotionOutcome.Failed:
      return 1;
    case PromotionOutcome.Interrupted:
      return 130;
    default:
      return 0;
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** A refusal before anything was applied. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromotionError";
  }
}

/**
 * The canary weight deployed now: from the stack's `canaryReleases` output (what the last update deployed), else
 * the config's (no update yet, or a program that exports no state).
 */
async function deployedWeight(
  stack: PromotionStack,
  release: string | undefined,
  configured: number,
): Promise<number> {
  const releases = (await stack.outputs()).canaryReleases;
  if (releases === null || typeof releases !== "object") return configured;
  const names = Object.keys(releases);
  const name = release ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new PromotionError(
      `the stack exports ${names.length} releases (${names.join(", ")}); name one with --release`,
    );
  }
  const state = (releases as { [name: string]: { current?: { canaryWeight?: unknown } } })[name];
  if (state === undefined) {
    throw new PromotionError(`--release: got "${name}"; the stack's releases are ${names.join(", ")}`);
  }
  const weight = state.current?.canaryWeight;
  return typeof weight === "number" ? weight : configured;
}

/** Runs the promotion; never throws for a failed step (the report says what happened), only for a bad call. */
export async function promote(stack: PromotionStack, options: PromotionOptions): Promise<PromotionReport> {
  const { analysis } = options;
  const log = options.log ?? (() => undefined);
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const usePath = options.configPath !== undefined;
  const key = (name: string): string => (usePath ? `${options.configPath}.${name}` : name);
  const shown = (name: string): string => key(name);

  const canaryVersion = await stack.getConfig(key("canaryVersion"), usePath);
  const stableVersion = await stack.getConfig(key("stableVersion"), usePath);
  if (canaryVersion === undefined || stableVersion === undefined) {
    throw new PromotionError(
      `${shown(canaryVersion === undefined ? "canaryVersion" : "stableVersion")} is not set on stack ${stack.name}; ` +
        `a promotion needs a stable and a canary version (pulumi config set ${shown("canaryVersion")} v2)`,
    );
  }
  const weightText = (await stack.getConfig(key("canaryWeight"), usePath)) ?? "0";
  const configured = Number(weightText);
  if (!/^[0-9]{1,3}$/.test(weightText) || configured > 100) {
    throw new PromotionError(`${shown("canaryWeight")}: got "${weightText}"; expected a whole number 0..100`);
  }
  const from = await deployedWeight(stack, options.release, configured);
  const plan = remainingSteps(analysis.steps, from);
  const maxStepText = await stack.getConfig("maxStep", false);
  const forced = (await stack.getConfig("canaryForce", false)) === "true";
  const policy = forced
    ? undefined
    : stepPolicyProblem(analysis.steps, from, maxStepText === undefined ? undefined : Number(maxStepText));
  if (policy !== undefined) throw new PromotionError(`--steps: ${policy}`);
  const needsMetrics = analysis.minSuccessRate !== undefined || analysis.maxLatencyMs !== undefined;
  if (needsMetrics && options.metrics === undefined) {
    throw new PromotionError(
      "a success-rate or latency check needs a metric source (--envoy-admin or --prometheus)",
    );
  }

  const report: PromotionReport = {
    stack: stack.name,
    stableVersion,
    canaryVersion,
    from,
    plan,
    steps: [],
    outcome: PromotionOutcome.Planned,
  };
  const finalizeText = analysis.finalize ? `, then finalize (${canaryVersion} becomes stable)` : "";
  log(
    `promote ${canaryVersion} over ${stableVersion} on stack ${stack.name}: from ${from} % through ` +
      `${plan.length > 0 ? plan.map((w) => `${w} %`).join(", ") : "no further step"}${finalizeText}; ` +
      `${analysis.iterations} check(s) per step every ${analysis.intervalMs / 1000} s, rollback after ` +
      `${analysis.threshold} failed`,
  );
  if (options.dryRun) return report;

  const source = needsMetrics ? options.metrics?.(canaryVersion) : undefined;
  const update = async (
    kind: string,
    weight: number,
    apply: () => Promise<void>,
  ): Promise<StepReport | undefined> => {
    const started = now();
    try {
      await apply();
      await stack.up();
    } catch (err) {
      const message = (err as Error).message;
      report.steps.push({ weight, kind, upMs: now() - started, checks: [], verdict: "failed update" });
      report.outcome = PromotionOutcome.Failed;
      report.message = `${kind} to ${weight} %: the update failed: ${message}`;
      log(`${kind} ${weight} %: update failed: ${firstLine(message)}`);
      return undefined;
    }
    const step: StepReport = { weight, kind, upMs: now() - started, checks: [], verdict: "applied" };
    report.steps.push(step);
    return step;
  };
  const setWeight = (w: number) => () => stack.setConfig(key("canaryWeight"), String(w), usePath);

  let failed = 0;
  let last = from;
  for (const weight of plan) {
    if (options.signal?.aborted) return interrupted(report, last, log);
    const step = await update("step", weight, setWeight(weight));
    if (!step) {
      // The update did not land: the config goes back to the weight that is deployed.
      await stack.setConfig(key("canaryWeight"), String(last), usePath).catch(() => undefined);
      return report;
    }
    last = weight;
    step.verdict = "pass";
    // As Flagger does: the weight advances after `iterations` passing checks at this step; a failed check holds it
    // here (it counts toward the threshold and is checked again), so a sick canary never gets more traffic.
    // Bounded: every failed check brings the rollback one closer.
    let passed = 0;
    while (passed < analysis.iterations) {
      const before = source ? await source.snapshot() : undefined;
      await sleep(analysis.intervalMs, options.signal);
      if (options.signal?.aborted) {
        step.verdict = "stopped";
        log(lineOf(step));
        return interrupted(report, last, log);
      }
      const window = await measure(source, before, options.smoke);
      const results = evaluateWindow(analysis, window);
      const ok = results.every((r) => r.ok);
      step.checks.push({ window, results, ok });
      const verdict = decide(analysis.threshold, failed, results);
      failed = verdict.failed;
      if (ok) passed++;
      if (verdict.decision === Decision.Rollback) {
        step.verdict = "fail";
        log(lineOf(step));
        const bad = results.find((r) => !r.ok)!;
        const rollback = await update("rollback", 0, setWeight(0));
        if (rollback) {
          report.outcome = PromotionOutcome.RolledBack;
          log(`rollback 0 %: up ${(rollback.upMs / 1000).toFixed(1)} s · ${stableVersion} takes all traffic`);
        }
        report.message =
          `${bad.check} of ${canaryVersion} at ${weight} %: observed ${bad.observed}, limit ${bad.limit}` +
          ` (${failed} failed check(s), threshold ${analysis.threshold})` +
          (rollback ? "; rolled back to 0 %" : `; the rollback failed too: ${report.message ?? ""}`);
        return report;
      }
      if (!ok) {
        const bad = results.find((r) => !r.ok)!;
        log(
          `${step.kind} ${weight} %: held · ${bad.check} ${bad.observed}, limit ${bad.limit} ` +
            `(${failed} of ${analysis.threshold} failed check(s)); checked again in ${analysis.intervalMs / 1000} s`,
        );
      }
    }
    if (step.checks.some((c) => !c.ok)) step.verdict = "pass after hold";
    log(lineOf(step));
  }

  if (analysis.finalize) {
    if (options.signal?.aborted) return interrupted(report, last, log);
    const header = await stack.getConfig(key("canaryHeader"), usePath);
    const step = await update("finalize", 0, async () => {
      await stack.setConfig(key("stableVersion"), canaryVersion, usePath);
      await stack.removeConfig(key("canaryVersion"), usePath);
      if (header !== undefined) await stack.removeConfig(key("canaryHeader"), usePath);
      await stack.setConfig(key("canaryWeight"), "0", usePath);
    });
    if (!step) return report;
    log(
      `finalize: up ${(step.upMs / 1000).toFixed(1)} s · ${canaryVersion} is the stable version, ${stableVersion} retired`,
    );
    report.outcome = PromotionOutcome.Finalized;
    return report;
  }
  report.outcome = PromotionOutcome.Promoted;
  return report;
}

async function measure(
  source: MetricSource | undefined,
  before: MetricSnapshot | undefined,
  smoke: SmokeCheck | undefined,
): Promise<MetricWindow> {
  let window: MetricWindow = { requests: 0, errors: 0 };
  if (source) {
    const after = await source.snapshot();
    const windowed = (source as { windowed?: boolean }).windowed === true;
    window = windowed
      ? { requests: after.completed, errors: after.errors, latencyMs: after.latencyMs }
      : windowBetween(before ?? { completed: 0, errors: 0, clusters: [] }, after);
  }
  if (smoke) window.smoke = await runSmoke(smoke);
  return window;
}

function interrupted(report: PromotionReport, weight: number, log: (line: string) => void): PromotionReport {
  report.outcome = PromotionOutcome.Interrupted;
  report.message = `stopped at ${weight} %: the stack holds that step; run promote again to go on from it`;
  log(report.message);
  return report;
}

/** The progress line of a step: weight, update time, what each check saw, the verdict. */
export function lineOf(step: StepReport): string {
  const checks = step.checks.map(
    (c) => c.results.map((r) => `${r.check} ${r.observed}`).join(", ") || "no checks",
  );
  return `${step.kind} ${step.weight} %: up ${(step.upMs / 1000).toFixed(1)} s · ${checks.join(" | ") || "no checks"} · ${step.verdict}`;
}

function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "") ?? text;
}

/** The summary table of a report, one row per step. */
export function formatReport(report: PromotionReport): string {
  const rows = [["step", "weight", "up (s)", "requests", "success", "latency", "verdict"]];
  for (const s of report.steps) {
    const last = s.checks[s.checks.length - 1];
    const find = (name: string): string => last?.results.find((r) => r.check === name)?.observed ?? "-";
    rows.push([
      s.kind,
      `${s.weight} %`,
      (s.upMs / 1000).toFixed(1),
      last ? String(last.window.requests) : "-",
      find("request-success-rate"),
      find("request-duration"),
      s.verdict,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const outcome = `${report.outcome}${report.message ? `: ${report.message}` : ""}`;
  return `${lines.join("\n")}\n${outcome}\n`;
}
