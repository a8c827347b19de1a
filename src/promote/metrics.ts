// Where `pulumi-canary promote` reads the canary's health: Envoy's admin statistics of the canary's cluster (a Consul
// sidecar's or a gateway's Envoy), a Prometheus-compatible query API, and an HTTP smoke request. Parsing is pure;
// the fetches are bounded by a timeout each.
import type { MetricWindow, SmokeResult } from "./analysis";

/** Counters and latency of the clusters a source matched, at one moment. */
export interface MetricSnapshot {
  /** Requests completed, summed over the matched clusters. */
  completed: number;
  /** Of them, 5xx responses. */
  errors: number;
  /** The latency at the percentile (milliseconds, the highest of the matched clusters), when reported. */
  latencyMs?: number;
  /** The clusters matched, for the progress line and for errors. */
  clusters: string[];
}

/** A source of the canary's metrics: a snapshot now; the promotion takes differences between two of them. */
export interface MetricSource {
  /** A description for the progress output, e.g. `envoy http://127.0.0.1:19000 v2.payments.`. */
  readonly description: string;
  snapshot(): Promise<MetricSnapshot>;
}

interface EnvoyStat {
  name?: string;
  value?: number;
  histograms?: {
    supported_quantiles?: number[];
    computed_quantiles?: { name: string; values: { interval: number | null; cumulative: number | null }[] }[];
  };
}

/**
 * Reads Envoy's `/stats?format=json` for the clusters whose name starts with `clusterPrefix`:
 * `upstream_rq_completed`, `upstream_rq_5xx` and the `upstream_rq_time` histogram's cumulative quantile at
 * `percentile` (the next reported quantile at or above it). Clusters are Envoy's names, e.g. Consul's
 * `v2.payments.default.dc1.internal.<trust domain>.consul` for subset v2 of payments.
 */
export function parseEnvoyStats(body: unknown, clusterPrefix: string, percentile: number): MetricSnapshot {
  const stats = (body as { stats?: EnvoyStat[] } | null)?.stats;
  if (!Array.isArray(stats))
    throw new Error('Envoy stats: expected a JSON object with "stats" (/stats?format=json)');
  const clusters = new Set<string>();
  let completed = 0;
  let errors = 0;
  let latencyMs: number | undefined;
  const clusterOf = (name: string, suffix: string): string | undefined => {
    if (!name.startsWith("cluster.") || !name.endsWith(`.${suffix}`)) return undefined;
    const cluster = name.slice("cluster.".length, name.length - suffix.length - 1);
    return cluster.startsWith(clusterPrefix) ? cluster : undefined;
  };
  for (const stat of stats) {
    if (typeof stat.name === "string" && typeof stat.value === "number") {
      const done = clusterOf(stat.name, "upstream_rq_completed");
      if (done !== undefined) {
        clusters.add(done);
        completed += stat.value;
      }
      const failed = clusterOf(stat.name, "upstream_rq_5xx");
      if (failed !== undefined) errors += stat.value;
    }
    const histograms = stat.histograms;
    if (histograms?.computed_quantiles && histograms.supported_quantiles) {
      const index = histograms.supported_quantiles.findIndex((q) => q >= percentile);
      for (const h of histograms.computed_quantiles) {
        if (clusterOf(h.name, "upstream_rq_time") === undefined || index < 0) continue;
        const value = h.values[index]?.cumulative;
        if (typeof value === "number") latencyMs = Math.max(latencyMs ?? 0, value);
      }
    }
  }
  return { completed, errors, latencyMs, clusters: [...clusters].sort() };
}

/** The window between two snapshots: what the canary answered in between. */
export function windowBetween(before: MetricSnapshot, after: MetricSnapshot): MetricWindow {
  return {
    requests: Math.max(0, after.completed - before.completed),
    errors: Math.max(0, after.errors - before.errors),
    latencyMs: after.latencyMs,
  };
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: status ${response.status}`);
  return response.json();
}

/** Envoy's admin API as a metric source for the clusters starting with `clusterPrefix`. */
export function envoySource(
  admin: string,
  clusterPrefix: string,
  percentile: number,
  timeoutMs = 5000,
): MetricSource {
  const base = admin.replace(/\/+$/, "");
  return {
    description: `envoy ${base} clusters ${clusterPrefix}*`,
    async snapshot() {
      const filter = encodeURIComponent(`^cluster\\.${escapeRegExp(clusterPrefix)}`);
      return parseEnvoyStats(
        await getJson(`${base}/stats?format=json&filter=${filter}`, timeoutMs),
        clusterPrefix,
        percentile,
      );
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The value of a Prometheus instant query's first sample (`/api/v1/query`), or undefined when it has none. */
export function parsePrometheusValue(body: unknown, query: string): number | undefined {
  const b = body as {
    status?: string;
    error?: string;
    data?: { resultType?: string; result?: unknown };
  } | null;
  if (b?.status !== "success")
    throw new Error(`Prometheus query "${query}": ${b?.error ?? "status not success"}`);
  const result = b.data?.result;
  if (b.data?.resultType === "scalar" && Array.isArray(result)) return Number(result[1]);
  if (!Array.isArray(result) || result.length === 0) return undefined;
  const value = (result[0] as { value?: [number, string] }).value;
  return value === undefined ? undefined : Number(value[1]);
}

/** The Prometheus queries of a source: each is an instant query over the interval (e.g. with `increase(...[1m])`). */
export interface PrometheusQueries {
  /** Requests the canary answered in the interval. */
  requests: string;
  /** Of them, the failed ones (5xx). */
  errors: string;
  /** Latency in milliseconds at the checked percentile; optional. */
  latency?: string;
}

/**
 * A Prometheus-compatible query API as a source. Its queries count over the interval themselves, so the snapshot is
 * the window: `completed` and `errors` are the window's, and the promotion's difference is taken against zero.
 */
export function prometheusSource(
  url: string,
  queries: PrometheusQueries,
  timeoutMs = 5000,
): MetricSource & {
  windowed: true;
} {
  const base = url.replace(/\/+$/, "");
  const query = async (q: string): Promise<number | undefined> =>
    parsePrometheusValue(await getJson(`${base}/api/v1/query?query=${encodeURIComponent(q)}`, timeoutMs), q);
  return {
    description: `prometheus ${base}`,
    windowed: true,
    async snapshot() {
      const [completed, errors, latency] = await Promise.all([
        query(queries.requests),
        query(queries.errors),
        queries.latency === undefined ? Promise.resolve(undefined) : query(queries.latency),
      ]);
      return { completed: completed ?? 0, errors: errors ?? 0, latencyMs: latency, clusters: [] };
    },
  };
}

/** The smoke request: a GET that must answer `status` and, when given, a body containing `body`. */
export interface SmokeCheck {
  /** The URL, e.g. `http://127.0.0.1:8080/` through the gateway. */
  url: string;
  /** Headers to send, e.g. the canary header so the request reaches the canary. */
  headers: { [name: string]: string };
  /** The expected status (default 200). */
  status: number;
  /** Text the body must contain, when given. */
  body?: string;
}

/** Runs the smoke request once (bounded by `timeoutMs`). */
export async function runSmoke(check: SmokeCheck, timeoutMs = 5000): Promise<SmokeResult> {
  const expected = `status ${check.status}${check.body !== undefined ? ` and body with "${check.body}"` : ""}`;
  try {
    const response = await fetch(check.url, {
      headers: check.headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.status !== check.status)
      return { ok: false, observed: `status ${response.status}`, expected };
    if (check.body !== undefined && !text.includes(check.body)) {
      return { ok: false, observed: `body without "${check.body}"`, expected };
    }
    return { ok: true, observed: `status ${response.status}`, expected };
  } catch (err) {
    return { ok: false, observed: (err as Error).message, expected };
  }
}
