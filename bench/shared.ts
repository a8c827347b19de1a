// Shared by the benchmark driver (run.ts) and the per-case program (case.ts).
import { isDeepStrictEqual } from "node:util";

/** Project and stack of the mock runtime; config keys are `<PROJECT>:<key>`. */
export const PROJECT = "canary-bench";
export const STACK = "bench";

/** One release as written in stack config under `releases.r<i>` (what `pulumi config set --path` writes). */
export interface ReleaseConfigValue {
  stableVersion: string;
  canaryVersion: string;
  canaryWeight: number;
  canaryHeader: string;
  images: Record<string, string>;
  replicas: number;
}

/** The structured config value `<PROJECT>:releases` for `n` releases `r0 .. r<n-1>`, all at `weight`. */
export function releasesConfig(n: number, weight: number): Record<string, ReleaseConfigValue> {
  const releases: Record<string, ReleaseConfigValue> = {};
  for (let i = 0; i < n; i++) {
    releases[`r${i}`] = {
      stableVersion: "v1",
      canaryVersion: "v2",
      canaryWeight: weight,
      canaryHeader: "stage=canary",
      images: { v1: `registry.example.com/svc${i}:1.0.0`, v2: `registry.example.com/svc${i}:2.0.0` },
      replicas: 2,
    };
  }
  return releases;
}

/** One registration of a recorded program. */
export interface GraphNode {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent ("" for none), with its name and type. */
  parent: string;
  parentName: string;
  parentType: string;
  inputs: Record<string, unknown>;
  /** URNs of the resources this one depends on, with their names. */
  dependsOn: string[];
  dependsOnNames: string[];
  /** What a component passed to `registerOutputs` (components only). */
  outputs?: Record<string, unknown>;
}

/** A recorded program: every registration in the order the runtime received them. */
export interface Graph {
  releases: number;
  weight: number;
  resources: GraphNode[];
}

/** What one case process reports. */
export interface CaseResult {
  mode: "package" | "baseline";
  n: number;
  weight: number;
  /** Milliseconds from the first declaration until every registration was answered. */
  wallMs: number;
  /** Of `wallMs`: the declarations themselves (synchronous), before waiting for the answers. */
  declareMs: number;
  /** Of `declareMs`: reading releases from config (package mode; 0 in baseline mode). */
  configMs: number;
  /** CPU time (user + system, all threads) over the same span. */
  cpuMs: number;
  /** Calls of the mocks' `newResource` (one per registration). */
  registrations: number;
  leaf: number;
  component: number;
  /** Peak resident set size, kilobytes (`process.resourceUsage().maxRSS`). */
  maxRssKb: number;
  /** URNs whose registration differs from the reference graph (`graphFrom`), when one was given. */
  mismatches: string[];
}

/** Arguments of one case process (passed as JSON in argv[2]). */
export interface CaseArgs {
  mode: "package" | "baseline";
  /** Package mode: the compiled package's entry point (`dist/index.js`). */
  distEntry: string;
  n: number;
  weight: number;
  /** Write the registered graph here. */
  recordTo?: string;
  /** The reference graph: baseline mode registers it; both modes check what they registered against it. */
  graphFrom?: string;
  /** Where to write the `CaseResult`. */
  resultTo: string;
}

/** Everything about a registration that must be the same in both modes, by URN. */
function comparable(graph: Graph): Map<string, unknown> {
  return new Map(
    graph.resources.map((r) => [
      r.urn,
      {
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        inputs: r.inputs,
        dependsOn: r.dependsOn,
        outputs: r.outputs,
      },
    ]),
  );
}

/** URNs whose registration differs between two graphs (including ones only in one of them). */
export function differences(a: Graph, b: Graph): string[] {
  const left = comparable(a);
  const right = comparable(b);
  const urns = new Set([...left.keys(), ...right.keys()]);
  return [...urns].filter((urn) => !isDeepStrictEqual(left.get(urn), right.get(urn)));
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
