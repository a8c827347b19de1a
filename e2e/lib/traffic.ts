// Traffic through the client's Envoy sidecar, on loopback only, every loop bounded in count and time.
import { httpRequest } from "./mesh";
import { sleep } from "./processes";

export interface Counted {
  /** Responses per version. */
  versions: Record<string, number>;
  /** Requests that failed: a connection error, a time-out or a status other than 200. */
  failed: number;
  total: number;
  /** The first few failures, for the report. */
  failures: string[];
}

async function once(
  url: string,
  headers: Record<string, string>,
  into: Counted,
  since?: number,
): Promise<void> {
  into.total++;
  try {
    const res = await httpRequest(url, "GET", undefined, headers, 5000);
    if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body.slice(0, 80)}`);
    const version = (JSON.parse(res.body) as { version?: string }).version ?? "?";
    into.versions[version] = (into.versions[version] ?? 0) + 1;
  } catch (err) {
    into.failed++;
    const at = since === undefined ? "" : ` (at ${((Date.now() - since) / 1000).toFixed(1)} s)`;
    if (into.failures.length < 5) into.failures.push(`${String((err as Error).message ?? err)}${at}`);
  }
}

/** Sends `count` requests (`concurrency` at a time) and counts the versions that answered. */
export async function sample(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  concurrency = 8,
): Promise<Counted> {
  const counted: Counted = { versions: {}, failed: 0, total: 0, failures: [] };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await once(url, headers, counted);
      }
    }),
  );
  return counted;
}

/**
 * A request loop running while a step is applied: one request every `intervalMs`, at most `maxRequests`, until
 * `stop()` is called or `maxMs` has passed.
 */
export function backgroundLoop(
  url: string,
  {
    intervalMs = 20,
    maxRequests = 20_000,
    maxMs = 15 * 60_000,
    headers = {},
  }: { intervalMs?: number; maxRequests?: number; maxMs?: number; headers?: Record<string, string> } = {},
): { stop: () => Promise<Counted> } {
  const counted: Counted = { versions: {}, failed: 0, total: 0, failures: [] };
  let running = true;
  const started = Date.now();
  const loop = (async () => {
    while (running && counted.total < maxRequests && Date.now() - started < maxMs) {
      await once(url, headers, counted, started);
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return counted;
    },
  };
}

/**
 * Waits until `consecutive` requests in a row answer 200: the service is reachable through the sidecar. Sends at most
 * `maxRequests` requests and gives up after `maxMs`; returns the requests that failed before that point.
 */
export async function untilServing(
  url: string,
  consecutive = 20,
  maxRequests = 3000,
  maxMs = 60_000,
): Promise<Counted> {
  const counted: Counted = { versions: {}, failed: 0, total: 0, failures: [] };
  const started = Date.now();
  let streak = 0;
  while (streak < consecutive) {
    if (counted.total >= maxRequests || Date.now() - started >= maxMs)
      throw new Error(
        `${url} did not answer ${consecutive} requests in a row within ${maxMs / 1000} s (${counted.failed} of ${counted.total} failed: ${counted.failures.join("; ")})`,
      );
    const failedBefore = counted.failed;
    await once(url, {}, counted);
    streak = counted.failed === failedBefore ? streak + 1 : 0;
    if (streak === 0) await sleep(50);
  }
  return counted;
}

/**
 * Whether `observed` of `n` requests is within the binomial bound for share `p` (percent): |observed - n·p| ≤
 * 4.5·√(n·p·(1−p)) + 1 (about 1 in 150,000 for a correct split to fall outside); exact for 0 % and 100 %.
 */
export function withinBinomialBound(
  observed: number,
  n: number,
  percent: number,
): { ok: boolean; bound: number } {
  const p = percent / 100;
  const bound = p === 0 || p === 1 ? 0 : Math.ceil(4.5 * Math.sqrt(n * p * (1 - p)) + 1);
  return { ok: Math.abs(observed - n * p) <= bound, bound };
}
