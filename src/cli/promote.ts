// `pulumi-canary promote`: steps the stack's canary weight through a schedule with a check of the canary between
// steps, rolls back when checks fail, finalizes when asked. Settings come from flags, else from the stack's config
// (`canaryAnalysis`, an object set with `pulumi config set --path canaryAnalysis.interval 30s`, and `canarySteps`).
import { parseArgs } from "node:util";
import * as path from "node:path";
import { parseDuration, parseSteps, stepsFromStepWeight, type AnalysisConfig } from "../promote/analysis";
import { envoySource, prometheusSource, type MetricSource, type SmokeCheck } from "../promote/metrics";
import { exitCodeOf, formatReport, promote, PromotionError, type PromotionStack } from "../promote/run";
import { UsageError } from "../render/errors";

export const PROMOTE_USAGE = `Usage: pulumi-canary promote [DIR] --stack NAME [--steps 10,25,50,100 | --step-weight N --max-weight N]
                               [--interval 60s] [--iterations 1] [--threshold 1] [--min-requests 20]
                               [--min-success-rate 99] [--max-latency 500ms] [--percentile 99]
                               [--envoy-admin URL --envoy-cluster PREFIX | --prometheus URL --requests-query Q
                                --errors-query Q [--latency-query Q]] [--smoke URL [--smoke-header NAME=VALUE]
                               [--smoke-status 200] [--smoke-body TEXT]] [--release NAME] [--config-path KEY]
                               [--finalize] [--dry-run] [--output text|json]

Steps the canary weight of stack NAME of the Pulumi project in DIR (default "."): for each weight, sets
canaryWeight in the stack's config and runs "pulumi up" (Automation API, the pulumi CLI on PATH), waits
--interval and checks the canary, --iterations times; after the last step, --finalize makes the canary the
stable version. When --threshold checks have failed, it sets the weight to 0, runs "pulumi up" and exits 1
with the check, the value seen and the limit. Started again, it goes on from the weight the stack holds.
Ctrl-C stops after the current update (exit 130); the stack keeps the last applied step. A second Ctrl-C
cancels the update in flight, as in "pulumi up" (exit 1).

Every setting may be kept in the stack's config instead, under canaryAnalysis (camelCase names: interval,
iterations, threshold, stepWeight, maxWeight, minRequests, minSuccessRate, maxLatency, percentile, envoyAdmin,
envoyCluster, prometheus, requestsQuery, errorsQuery, latencyQuery, smoke, smokeHeader, smokeStatus,
smokeBody, finalize) and canarySteps (e.g. "10,25,50,100"); a flag wins over the config.

  --steps LIST            the weights, strictly increasing (default 10,25,50,100)
  --step-weight N, --max-weight N
                          Flagger's form: N, 2N, ... up to the max weight, then 100
  --interval DURATION     wait before each check (default 60s)
  --iterations N          checks per step (default 1)
  --threshold N           failed checks that roll back (default 1)
  --min-requests N        requests the canary must answer in an interval to be judged (default 20)
  --min-success-rate PCT  lowest share of non-5xx answers of the canary
  --max-latency DURATION  highest latency of the canary at --percentile (default p99)
  --envoy-admin URL       Envoy's admin API (a sidecar's or the gateway's), e.g. http://127.0.0.1:19000
  --envoy-cluster PREFIX  the canary's Envoy clusters: names starting with PREFIX; {version} is the canary
                          version (Consul: "{version}.payments.")
  --prometheus URL        a Prometheus-compatible API; --requests-query and --errors-query count the
                          canary's requests and 5xx answers over the interval, --latency-query gives ms
                          ({version} is replaced in each)
  --smoke URL             a GET per check that must answer --smoke-status (default 200) and contain
                          --smoke-body; --smoke-header adds a header (repeatable), e.g. stage=canary
  --release NAME          the release in the stack's canaryReleases output (when it has several)
  --config-path KEY       the release's structured key, e.g. releases.payments (default: top-level keys)
  --finalize              after the last step, make the canary the stable version
  --dry-run               print the plan; change nothing
  -o, --output FORMAT     text (default): a line per step and a summary table; json: the report`;

type Settings = { [key: string]: string | boolean | string[] | undefined };

const FLAGS = {
  stack: { type: "string", short: "s" },
  steps: { type: "string" },
  "step-weight": { type: "string" },
  "max-weight": { type: "string" },
  interval: { type: "string" },
  iterations: { type: "string" },
  threshold: { type: "string" },
  "min-requests": { type: "string" },
  "min-success-rate": { type: "string" },
  "max-latency": { type: "string" },
  percentile: { type: "string" },
  "envoy-admin": { type: "string" },
  "envoy-cluster": { type: "string" },
  prometheus: { type: "string" },
  "requests-query": { type: "string" },
  "errors-query": { type: "string" },
  "latency-query": { type: "string" },
  smoke: { type: "string" },
  "smoke-header": { type: "string", multiple: true },
  "smoke-status": { type: "string" },
  "smoke-body": { type: "string" },
  release: { type: "string" },
  "config-path": { type: "string" },
  finalize: { type: "boolean" },
  "dry-run": { type: "boolean" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const;

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What a promotion needs, from flags and the stack's `canaryAnalysis` / `canarySteps` config. */
export interface PromotionSettings {
  analysis: AnalysisConfig;
  metrics?: (canaryVersion: string) => MetricSource;
  smoke?: SmokeCheck;
}

/**
 * Settles the promotion's settings: a flag wins over `canaryAnalysis.<name>` in stack config, which wins over the
 * default. Errors name the flag (and the config key) with the value and what is accepted.
 */
export function promotionSettings(
  flags: Settings,
  stackAnalysis: { [key: string]: unknown },
  canarySteps?: string,
): PromotionSettings {
  const known = new Set(Object.keys(FLAGS).map(camel));
  for (const key of Object.keys(stackAnalysis)) {
    if (!known.has(key) || ["stack", "release", "configPath", "dryRun", "output", "help"].includes(key)) {
      throw new UsageError(
        `canaryAnalysis.${key}: not a promotion setting; expected one of ${[...known].filter((k) => !["stack", "release", "configPath", "dryRun", "output", "help"].includes(k)).join(", ")}`,
      );
    }
  }
  const get = (flag: string): { value: string | undefined; field: string } => {
    const fromFlag = flags[flag];
    if (typeof fromFlag === "string") return { value: fromFlag, field: `--${flag}` };
    const fromConfig = stackAnalysis[camel(flag)];
    if (fromConfig !== undefined && fromConfig !== null) {
      return { value: String(fromConfig), field: `canaryAnalysis.${camel(flag)}` };
    }
    return { value: undefined, field: `--${flag}` };
  };
  const whole = (
    flag: string,
    fallback: number | undefined,
    min: number,
    max: number,
  ): number | undefined => {
    const { value, field } = get(flag);
    if (value === undefined) return fallback;
    if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new UsageError(`${field}: got "${value}"; expected a number ${min}..${max}`);
    }
    return Number(value);
  };
  const duration = (flag: string, fallback: number | undefined): number | undefined => {
    const { value, field } = get(flag);
    if (value === undefined) return fallback;
    try {
      return parseDuration(field, value);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };

  const stepsFlag = get("steps");
  const stepWeight = whole("step-weight", undefined, 1, 100);
  const maxWeight = whole("max-weight", undefined, 1, 100);
  let steps: number[];
  if (stepWeight !== undefined || maxWeight !== undefined) {
    if (stepsFlag.value !== undefined)
      throw new UsageError(`${stepsFlag.field} and --step-weight/--max-weight: give one of them`);
    steps = wrap(() => stepsFromStepWeight(stepWeight ?? maxWeight!, maxWeight ?? 100));
  } else if (stepsFlag.value !== undefined) {
    steps = wrap(() => parseSteps(stepsFlag.field, stepsFlag.value!));
  } else if (canarySteps !== undefined) {
    steps = wrap(() => parseSteps("canarySteps", canarySteps));
  } else {
    steps = [10, 25, 50, 100];
  }
  const finalizeFlag = flags.finalize === true;
  const finalizeConfig = stackAnalysis.finalize;
  const analysis: AnalysisConfig = {
    steps,
    intervalMs: duration("interval", 60_000)!,
    iterations: whole("iterations", 1, 1, 1000)!,
    threshold: whole("threshold", 1, 1, 1000)!,
    minRequests: whole("min-requests", 20, 0, 1e9)!,
    minSuccessRate: whole("min-success-rate", undefined, 0, 100),
    maxLatencyMs: duration("max-latency", undefined),
    percentile: whole("percentile", 99, 0, 100)!,
    finalize: finalizeFlag || finalizeConfig === true || finalizeConfig === "true",
  };
  for (const n of ["iterations", "threshold"] as const) {
    if (!Number.isInteger(analysis[n]))
      throw new UsageError(`--${n}: got ${analysis[n]}; expected a whole number`);
  }

  const envoyAdmin = get("envoy-admin");
  const envoyCluster = get("envoy-cluster");
  const prometheus = get("prometheus");
  let metrics: PromotionSettings["metrics"];
  if (envoyAdmin.value !== undefined && prometheus.value !== undefined) {
    throw new UsageError(`${envoyAdmin.field} and ${prometheus.field}: give one metric source`);
  }
  if (envoyAdmin.value !== undefined) {
    requireUrl(envoyAdmin.field, envoyAdmin.value);
    if (envoyCluster.value === undefined) {
      throw new UsageError(
        `${envoyAdmin.field} needs --envoy-cluster PREFIX, the canary's clusters (e.g. "{version}.payments.")`,
      );
    }
    const admin = envoyAdmin.value;
    const prefix = envoyCluster.value;
    metrics = (version) => envoySource(admin, prefix.replaceAll("{version}", version), analysis.percentile);
  } else if (prometheus.value !== undefined) {
    requireUrl(prometheus.field, prometheus.value);
    const requests = get("requests-query");
    const errors = get("errors-query");
    const latency = get("latency-query");
    if (requests.value === undefined || errors.value === undefined) {
      throw new UsageError(`${prometheus.field} needs --requests-query and --errors-query`);
    }
    const url = prometheus.value;
    const q = { requests: requests.value, errors: errors.value, latency: latency.value };
    metrics = (version) =>
      prometheusSource(url, {
        requests: q.requests.replaceAll("{version}", version),
        errors: q.errors.replaceAll("{version}", version),
        latency: q.latency?.replaceAll("{version}", version),
      });
  } else if (envoyCluster.value !== undefined) {
    throw new UsageError(`${envoyCluster.field} needs --envoy-admin URL`);
  }
  if (
    (analysis.minSuccessRate !== undefined || analysis.maxLatencyMs !== undefined) &&
    metrics === undefined
  ) {
    throw new UsageError(
      "--min-success-rate and --max-latency need a metric source: --envoy-admin or --prometheus",
    );
  }

  const smokeUrl = get("smoke");
  let smoke: SmokeCheck | undefined;
  if (smokeUrl.value !== undefined) {
    requireUrl(smokeUrl.field, smokeUrl.value);
    const headers: { [name: string]: string } = {};
    const fromFlags = flags["smoke-header"];
    const list = Array.isArray(fromFlags)
      ? fromFlags
      : stackAnalysis.smokeHeader !== undefined
        ? [String(stackAnalysis.smokeHeader)]
        : [];
    for (const h of list) {
      const at = h.indexOf("=");
      if (at < 1) throw new UsageError(`--smoke-header: got "${h}"; expected NAME=VALUE, e.g. stage=canary`);
      headers[h.slice(0, at)] = h.slice(at + 1);
    }
    smoke = {
      url: smokeUrl.value,
      headers,
      status: whole("smoke-status", 200, 100, 599)!,
      body: get("smoke-body").value,
    };
  }
  return { analysis, metrics, smoke };
}

function requireUrl(field: string, value: string): void {
  if (!/^https?:\/\/[^/\s]+/.test(value)) {
    throw new UsageError(`${field}: got "${value}"; expected an http:// or https:// URL`);
  }
}

/** How the command reaches the stack: the Automation API by default; tests pass their own. */
export type StackOpener = (dir: string, stack: string) => Promise<PromotionStack>;

/** Runs `pulumi-canary promote ARGS`; returns the exit code. */
export async function promoteCommand(
  argv: string[],
  streams: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } },
  open: StackOpener,
  signal?: AbortSignal,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: FLAGS });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    streams.stdout.write(`${PROMOTE_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (!values.stack) throw new UsageError("--stack NAME is required");
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json")
    throw new UsageError(`--output: got "${output}"; expected text or json`);
  const dir = path.resolve(positionals[0] ?? ".");
  const stack = await open(dir, values.stack);
  const analysisText = await stack.getConfig("canaryAnalysis", false);
  let stackAnalysis: { [key: string]: unknown } = {};
  if (analysisText !== undefined) {
    try {
      stackAnalysis = JSON.parse(analysisText) as { [key: string]: unknown };
    } catch {
      throw new UsageError(
        `canaryAnalysis: got "${analysisText}"; expected an object (pulumi config set --path canaryAnalysis.interval 30s)`,
      );
    }
    if (stackAnalysis === null || typeof stackAnalysis !== "object" || Array.isArray(stackAnalysis)) {
      throw new UsageError(`canaryAnalysis: got ${analysisText}; expected an object of promotion settings`);
    }
  }
  const settings = promotionSettings(values, stackAnalysis, await stack.getConfig("canarySteps", false));
  const log = (line: string): void => {
    streams.stderr.write(`${line}\n`);
  };
  let report;
  try {
    report = await promote(stack, {
      ...settings,
      release: values.release,
      configPath: values["config-path"],
      dryRun: values["dry-run"] === true,
      signal,
      log,
    });
  } catch (err) {
    if (err instanceof PromotionError) throw new UsageError(err.message);
    throw err;
  }
  streams.stdout.write(output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return exitCodeOf(report);
}
