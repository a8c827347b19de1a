// A stack and a metric source for the promotion loop, with no process: the stack keeps its config in a map and,
// on each update, exports the deployed weight as CanaryRelease does; the source replays a recorded series.
import type { MetricSnapshot, MetricSource } from "../../src/promote/metrics";
import type { PromotionStack } from "../../src/promote/run";

export class FakeStack implements PromotionStack {
  readonly name = "dev";
  readonly config = new Map<string, string>();
  /** Every call, in order: `set k v`, `rm k`, `up w=<weight>`. */
  readonly calls: string[] = [];
  /** The canary weight of each successful update. */
  readonly deployed: number[] = [];
  private exported: { [name: string]: unknown } = {};
  /** Updates whose weight is listed here fail, as a refused `pulumi up` does. */
  failAt = new Set<number>();
  /** Called after each successful update (e.g. to abort the promotion, as Ctrl-C would). */
  afterUp: (weight: number) => void = () => undefined;

  constructor(initial: { [key: string]: string }, deployedWeight?: number) {
    for (const [k, v] of Object.entries(initial)) this.config.set(k, v);
    if (deployedWeight !== undefined) this.export(deployedWeight);
  }

  private weightKey(): string {
    return [...this.config.keys()].find((k) => k.endsWith("canaryWeight")) ?? "canaryWeight";
  }

  private export(weight: number): void {
    this.exported = { canaryReleases: { payments: { current: { canaryWeight: weight } } } };
  }

  async getConfig(key: string): Promise<string | undefined> {
    return this.config.get(key);
  }
  async setConfig(key: string, value: string): Promise<void> {
    this.calls.push(`set ${key} ${value}`);
    this.config.set(key, value);
  }
  async removeConfig(key: string): Promise<void> {
    this.calls.push(`rm ${key}`);
    this.config.delete(key);
  }
  async up(): Promise<void> {
    const weight = Number(this.config.get(this.weightKey()) ?? "0");
    this.calls.push(`up w=${weight}`);
    if (this.failAt.has(weight))
      throw new Error(`canaryWeight: got ${weight}; refused by the stack's policy`);
    this.deployed.push(weight);
    this.export(weight);
    this.afterUp(weight);
  }
  async outputs(): Promise<{ [name: string]: unknown }> {
    return this.exported;
  }
}

/**
 * A metric source replaying counters: each interval adds `requests` requests of which `errors` failed, with the
 * given latency. Snapshots come in pairs (before and after an interval).
 */
export function recordedSource(
  intervals: { requests: number; errors: number; latencyMs?: number }[],
): MetricSource & {
  calls: number;
} {
  let completed = 0;
  let errors = 0;
  let index = 0;
  let before = true;
  const source = {
    description: "recorded",
    calls: 0,
    async snapshot(): Promise<MetricSnapshot> {
      source.calls++;
      let latencyMs: number | undefined;
      if (!before) {
        const next = intervals[Math.min(index, intervals.length - 1)];
        completed += next.requests;
        errors += next.errors;
        latencyMs = next.latencyMs;
        index++;
      }
      before = !before;
      return { completed, errors, latencyMs, clusters: ["v2.payments.default.dc1.internal.x.consul"] };
    },
  };
  return source;
}
