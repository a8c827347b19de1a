// The benchmark: the cost of planning CanaryReleases, how it grows, and what a weight change touches.
//   npm run bench   (builds dist/, then runs this file; every case runs in a fresh process: bench/case.ts,
//                    transpiled to bench/.out/case.js and run with plain Node)
// Environment: BENCH_SIZES (default "10,100,1000"), BENCH_REPS (runs per mode, default 3), BENCH_LARGE_REPS (runs
// per mode from N = 1000 on, default 2: a run there takes ~20 s and the whole benchmark stays under 3 minutes),
// BENCH_DIFF_N (releases in the weight-change diff, default 100).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as ts from "typescript";
import { median, type CaseArgs, type CaseResult, type Graph, type GraphNode } from "./shared";

const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const LARGE_REPS = Number(process.env.BENCH_LARGE_REPS ?? 2);
const LARGE = 1000;
const repsFor = (n: number): number => (n >= LARGE ? LARGE_REPS : REPS);
const DIFF_N = Number(process.env.BENCH_DIFF_N ?? 100);
const WEIGHT = 10;
const NEW_WEIGHT = 50;
const TARGET_RATIO = 1.1;
const TARGET_GROWTH = 11;
const ROOT = path.join(__dirname, "..");
const OUT_DIR = path.join(__dirname, ".out");
const CASE = path.join(OUT_DIR, "case.js");
const DIST_ENTRY = path.join(ROOT, "dist", "index.js");
const RESULTS = path.join(__dirname, "RESULTS.md");

/** Transpiles the case program (and what it imports) to CommonJS in OUT_DIR, so cases run without a loader. */
function transpileCase(): void {
  for (const name of ["shared", "case"]) {
    const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), "utf8");
    const output = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    fs.writeFileSync(path.join(OUT_DIR, `${name}.js`), output.outputText);
  }
}

let caseCount = 0;
/** Runs one case in a fresh Node process and returns what it reported. */
function runCase(args: Omit<CaseArgs, "resultTo" | "distEntry">): CaseResult {
  const resultTo = path.join(OUT_DIR, `result-${process.pid}-${caseCount++}.json`);
  const full: CaseArgs = { ...args, distEntry: DIST_ENTRY, resultTo };
  const child = spawnSync(process.execPath, [CASE, JSON.stringify(full)], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.status !== 0) throw new Error(`case ${JSON.stringify(args)} failed with status ${child.status}`);
  const result = JSON.parse(fs.readFileSync(resultTo, "utf8")) as CaseResult;
  fs.rmSync(resultTo);
  return result;
}

function graphPath(n: number, weight: number): string {
  return path.join(OUT_DIR, `graph-n${n}-w${weight}.json`);
}

function readGraph(file: string): Graph {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Graph;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The release a registration belongs to: its outermost component. */
function releaseOf(node: GraphNode, byUrn: Map<string, GraphNode>): string {
  let current = node;
  while (current.parent !== "" && byUrn.has(current.parent)) current = byUrn.get(current.parent) as GraphNode;
  return current.name;
}

/** Component ancestors of a registration, itself included when it is a component. */
function componentDepth(node: GraphNode, byUrn: Map<string, GraphNode>): number {
  let depth = node.custom ? 0 : 1;
  let parent = byUrn.get(node.parent);
  while (parent) {
    if (!parent.custom) depth++;
    parent = byUrn.get(parent.parent);
  }
  return depth;
}

interface ReleaseShape {
  leaf: number;
  component: number;
  leafByType: Map<string, number>;
  componentByType: Map<string, number>;
  componentDepth: number;
  leafDepth: number;
}

/** The resource graph of one release (checked to be the same for every release of the graph). */
function releaseShape(graph: Graph): ReleaseShape {
  const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
  const perRelease = new Map<string, GraphNode[]>();
  for (const node of graph.resources) {
    const release = releaseOf(node, byUrn);
    perRelease.set(release, [...(perRelease.get(release) ?? []), node]);
  }
  const shapes = [...perRelease.values()].map((nodes) => {
    const count = (custom: boolean): Map<string, number> => {
      const m = new Map<string, number>();
      for (const n of nodes.filter((x) => x.custom === custom)) m.set(n.type, (m.get(n.type) ?? 0) + 1);
      return m;
    };
    return {
      leaf: nodes.filter((n) => n.custom).length,
      component: nodes.filter((n) => !n.custom).length,
      leafByType: count(true),
      componentByType: count(false),
      componentDepth: Math.max(0, ...nodes.filter((n) => !n.custom).map((n) => componentDepth(n, byUrn))),
      leafDepth: Math.max(0, ...nodes.filter((n) => n.custom).map((n) => componentDepth(n, byUrn))),
    };
  });
  const first = shapes[0];
  for (const shape of shapes) {
    if (!isDeepStrictEqual(shape, first)) throw new Error("releases of one graph differ in shape");
  }
  if (perRelease.size !== graph.releases) {
    throw new Error(`expected ${graph.releases} releases in the graph, found ${perRelease.size}`);
  }
  return first;
}

interface TypeDiff {
  type: string;
  total: number;
  changed: number;
}

/** Per type: how many registrations there are and how many have different inputs at the two weights. */
function weightDiff(
  before: Graph,
  after: Graph,
): { byType: TypeDiff[]; added: number; removed: number; outputs: number } {
  const afterByUrn = new Map(after.resources.map((r) => [r.urn, r]));
  const beforeUrns = new Set(before.resources.map((r) => r.urn));
  const byType = new Map<string, TypeDiff>();
  let outputs = 0;
  for (const r of before.resources) {
    const entry = byType.get(r.type) ?? { type: r.type, total: 0, changed: 0 };
    byType.set(r.type, entry);
    entry.total++;
    const other = afterByUrn.get(r.urn);
    if (other && !isDeepStrictEqual(r.inputs, other.inputs)) entry.changed++;
    if (other && !isDeepStrictEqual(r.outputs, other.outputs)) outputs++;
  }
  return {
    byType: [...byType.values()],
    added: after.resources.filter((r) => !beforeUrns.has(r.urn)).length,
    removed: before.resources.filter((r) => !afterByUrn.has(r.urn)).length,
    outputs,
  };
}

/** A readable label for a type token. */
function label(type: string): string {
  const labels: Record<string, string> = {
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:core/v1:Service": "Service",
    "kubernetes:gloo.solo.io/v1:Upstream": "Gloo Upstream",
    "kubernetes:gloo.solo.io/v1:UpstreamGroup": "Gloo UpstreamGroup",
    "kubernetes:gateway.solo.io/v1:VirtualService": "Gloo VirtualService",
    "consul:index/configEntry:ConfigEntry": "Consul service-defaults",
    "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver": "Consul service-resolver",
    "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter": "Consul service-splitter",
    "consul:index/configEntryServiceRouter:ConfigEntryServiceRouter": "Consul service-router",
    "pulumi-canary:index:CanaryRelease": "CanaryRelease",
  };
  return labels[type] ?? type;
}

/** Types whose inputs must follow the weight: the VirtualService (routes) and the Consul splitter. */
const WEIGHT_BEARING = new Set([
  "kubernetes:gateway.solo.io/v1:VirtualService",
  "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter",
]);

function versionOf(pkg: string): string {
  const file = path.join(ROOT, "node_modules", pkg, "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

const fmt = (x: number, digits = 0): string => x.toFixed(digits);
const mb = (kb: number): string => fmt(kb / 1024);
const yes = (ok: boolean): string => (ok ? "met" : "**missed**");

interface Row {
  n: number;
  pkg: CaseResult[];
  base: CaseResult[];
}

function main(): void {
  if (!fs.existsSync(DIST_ENTRY)) throw new Error(`${DIST_ENTRY} is missing: run \`npm run build\` first`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const began = Date.now();
  transpileCase();

  // Every case process notes what it registers (decoded after its timed section). The first package run at
  // each N writes the graph that every baseline run then registers; every later run, package or baseline,
  // checks that it registered exactly that graph.
  const rows: Row[] = SIZES.map((n) => ({ n, pkg: [], base: [] }));
  for (let rep = 0; rep < Math.max(...SIZES.map(repsFor)); rep++) {
    for (const row of rows.filter((r) => rep < repsFor(r.n))) {
      // Package and baseline alternate, and which goes first alternates too.
      const order: Array<"package" | "baseline"> =
        rep % 2 === 0 ? ["package", "baseline"] : ["baseline", "package"];
      for (const mode of order) {
        const records = rep === 0 && mode === "package";
        log(`rep ${rep + 1}/${repsFor(row.n)}: ${mode}, N=${row.n}${records ? " (writes the graph)" : ""}`);
        const result = runCase({
          mode,
          n: row.n,
          weight: WEIGHT,
          ...(records ? { recordTo: graphPath(row.n, WEIGHT) } : { graphFrom: graphPath(row.n, WEIGHT) }),
        });
        if (result.mismatches.length > 0) {
          throw new Error(
            `${mode} N=${row.n} registered a different graph than the package's first run, at:\n  ` +
              result.mismatches.slice(0, 10).join("\n  "),
          );
        }
        (mode === "package" ? row.pkg : row.base).push(result);
      }
    }
  }

  // The same releases at the new weight, for the diff (not timed).
  if (!SIZES.includes(DIFF_N)) {
    log(`recording N=${DIFF_N} at weight ${WEIGHT}`);
    runCase({ mode: "package", n: DIFF_N, weight: WEIGHT, recordTo: graphPath(DIFF_N, WEIGHT) });
  }
  log(`recording N=${DIFF_N} at weight ${NEW_WEIGHT}`);
  runCase({ mode: "package", n: DIFF_N, weight: NEW_WEIGHT, recordTo: graphPath(DIFF_N, NEW_WEIGHT) });
  const checkN = Math.min(...SIZES);

  // 4. Report.
  const shape = releaseShape(readGraph(graphPath(checkN, WEIGHT)));
  const diff = weightDiff(readGraph(graphPath(DIFF_N, WEIGHT)), readGraph(graphPath(DIFF_N, NEW_WEIGHT)));
  const wall = (rs: CaseResult[]): number => median(rs.map((r) => r.wallMs));
  const cpu = (rs: CaseResult[]): number => median(rs.map((r) => r.cpuMs));
  const rss = (rs: CaseResult[]): number => median(rs.map((r) => r.maxRssKb));
  const range = (rs: CaseResult[]): string =>
    `${fmt(Math.min(...rs.map((r) => r.wallMs)))}–${fmt(Math.max(...rs.map((r) => r.wallMs)))}`;

  const lines: string[] = [];
  lines.push("## (a) Planning N releases: package vs. baseline (same resource graph, no package logic)", "");
  lines.push(
    "| N | resources (leaf + component) | per release | runs | package wall ms (min–max) | baseline wall ms (min–max) | ratio | CPU ratio | package peak RSS MB | baseline peak RSS MB |",
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const row of rows) {
    const p = row.pkg[0];
    lines.push(
      `| ${row.n} | ${p.registrations} (${p.leaf} + ${p.component}) | ${p.leaf / row.n} + ${p.component / row.n} | ${row.pkg.length} | ` +
        `${fmt(wall(row.pkg))} (${range(row.pkg)}) | ${fmt(wall(row.base))} (${range(row.base)}) | ` +
        `ratio ${fmt(wall(row.pkg) / wall(row.base), 2)} | ${fmt(cpu(row.pkg) / cpu(row.base), 2)} | ` +
        `${mb(rss(row.pkg))} | ${mb(rss(row.base))} |`,
    );
  }
  lines.push(
    "",
    "Wall time: median over `runs` runs per mode, each in a fresh process, from the first declaration until every",
    "registration was answered by the mocks (module loading and config setup happen before). `ratio` is package /",
    "baseline wall time; `CPU ratio` the same for CPU time (user + system, all threads) over the same span; peak RSS",
    "is `process.resourceUsage().maxRSS` (median). Package and baseline runs alternate, and which goes first",
    "alternates too.",
    "",
  );

  const med = (rs: CaseResult[], f: (r: CaseResult) => number): number => median(rs.map(f));
  lines.push(
    "Where the time goes (medians, ms): the declarations themselves (synchronous; for the package including reading",
    "each release from config), then waiting until every registration was answered.",
    "",
    "| N | mode | config read | declarations | waiting for answers | wall |",
    "|---:|---|---:|---:|---:|---:|",
  );
  for (const row of rows) {
    for (const [mode, rs] of [
      ["package", row.pkg],
      ["baseline", row.base],
    ] as const) {
      const declare = med(rs, (r) => r.declareMs);
      lines.push(
        `| ${row.n} | ${mode} | ${fmt(med(rs, (r) => r.configMs))} | ${fmt(declare)} | ` +
          `${fmt(med(rs, (r) => r.wallMs - r.declareMs))} | ${fmt(wall(rs))} |`,
      );
    }
  }
  lines.push("");

  const row100 = rows.find((r) => r.n === 100);
  const row1000 = rows.find((r) => r.n === 1000);
  let growthPkg = NaN;
  let growthBase = NaN;
  if (row100 && row1000) {
    growthPkg = wall(row1000.pkg) / wall(row100.pkg);
    growthBase = wall(row1000.base) / wall(row100.base);
    lines.push("## (b) Growth from 100 to 1000 releases", "");
    lines.push("| mode | time(100) ms | time(1000) ms | time(1000) / time(100) |", "|---|---:|---:|---:|");
    lines.push(`| package | ${fmt(wall(row100.pkg))} | ${fmt(wall(row1000.pkg))} | ${fmt(growthPkg, 2)}x |`);
    lines.push(
      `| baseline | ${fmt(wall(row100.base))} | ${fmt(wall(row1000.base))} | ${fmt(growthBase, 2)}x |`,
      "",
    );
  }

  lines.push(
    `## (c) Weight change ${WEIGHT} → ${NEW_WEIGHT} across ${DIFF_N} releases: resources whose inputs change`,
    "",
  );
  lines.push(
    "| resource | type token | registered | inputs changed | per release |",
    "|---|---|---:|---:|---:|",
  );
  for (const t of diff.byType) {
    lines.push(
      `| ${label(t.type)} | \`${t.type}\` | ${t.total} | ${t.changed} | ${fmt(t.changed / DIFF_N, 2)} |`,
    );
  }
  lines.push(
    "",
    `Resources added: ${diff.added}, removed: ${diff.removed} (URNs are the same at both weights). Component outputs`,
    `changed: ${diff.outputs} (each CanaryRelease's \`weights\`; components have no inputs).`,
    "",
  );

  lines.push("## Resource graph per release", "");
  lines.push(
    `${shape.leaf + shape.component} registrations: ${shape.leaf} leaf + ${shape.component} component. Component nesting depth ${shape.componentDepth}`,
    `(leaf resources sit under ${shape.leafDepth} component${shape.leafDepth === 1 ? "" : "s"}).`,
    "",
    "| resource | kind | per release |",
    "|---|---|---:|",
  );
  for (const [type, count] of shape.componentByType) lines.push(`| ${label(type)} | component | ${count} |`);
  for (const [type, count] of shape.leafByType) lines.push(`| ${label(type)} | leaf | ${count} |`);
  lines.push("");

  const ratio1000 = row1000 ? wall(row1000.pkg) / wall(row1000.base) : NaN;
  const weightOk =
    diff.added === 0 &&
    diff.removed === 0 &&
    diff.byType.every((t) =>
      WEIGHT_BEARING.has(t.type) ? t.changed === t.total && t.total === DIFF_N : t.changed === 0,
    );
  const changedTypes = diff.byType.filter((t) => t.changed > 0).map((t) => label(t.type));
  lines.push("## Targets", "", "| target | measured | |", "|---|---|---|");
  lines.push(
    `| ratio at N = 1000 ≤ ${TARGET_RATIO.toFixed(2)} | ${fmt(ratio1000, 2)} | ${yes(ratio1000 <= TARGET_RATIO)} |`,
  );
  lines.push(
    `| growth 100 → 1000 ≤ ${TARGET_GROWTH}x (package) | ${fmt(growthPkg, 2)}x (baseline ${fmt(growthBase, 2)}x) | ${yes(growthPkg <= TARGET_GROWTH)} |`,
  );
  lines.push(
    `| a weight change changes only the VirtualService and the splitter, once per release | ${changedTypes.join(", ") || "nothing"} changed | ${yes(weightOk)} |`,
    "",
  );

  const cpus = os.cpus();
  const env = [
    "## Environment",
    "",
    `- CPU: ${cpus[0]?.model ?? "unknown"} (${cpus.length} cores), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM`,
    `- Node ${process.version}, ${os.platform()} ${os.release()}`,
    `- pulumi-canary ${(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version} (dist/), ` +
      `@pulumi/pulumi ${versionOf("@pulumi/pulumi")}, @pulumi/kubernetes ${versionOf("@pulumi/kubernetes")}, ` +
      `@pulumi/consul ${versionOf("@pulumi/consul")}`,
    `- Date: ${new Date().toISOString()}; ${fmt((Date.now() - began) / 1000)} s for the runs (after the build)`,
    "",
    "## Method",
    "",
    "- Mock runtime (`pulumi.runtime.setMocks`; `newResource` answers `{id, state: inputs}`), no network; the same",
    "  mocks in both modes.",
    `- Package mode: \`<project>:releases\` holds N releases (v1 stable, v2 canary at weight ${WEIGHT}, header rule`,
    "  `stage=canary`, an image per version); the program reads them all with `readReleaseConfigs({ path: 'releases' })`",
    "  and declares a `CanaryRelease` with Gloo and Consul layers, from the compiled package (`dist/`).",
    "- Baseline mode: registers the graph the first package run at that N registered (written to JSON after that",
    "  run): the same types, names, inputs, parents, dependencies (`dependsOn`) and component outputs, with the same",
    "  SDK classes (`k8s.apps.v1.Deployment`, `k8s.core.v1.Service`, `k8s.apiextensions.CustomResource`,",
    "  `consul.ConfigEntryService*`, and a plain `ComponentResource` subclass with the component's type token).",
    "- Every run, in both modes, notes what it registers (references only while timed; decoded afterwards) and checks it",
    "  against that graph: every run counted here registered exactly the same resources.",
    "- Both modes run as plain JavaScript (the case program is transpiled first; no loader, no source-mapped stack",
    "  traces), as a built program runs.",
    "",
  ];

  const report = ["# Benchmark results", "", ...lines, ...env].join("\n");
  fs.writeFileSync(RESULTS, report);
  process.stdout.write(`${report}\n`);
  log(`wrote ${path.relative(ROOT, RESULTS)} in ${fmt((Date.now() - began) / 1000)} s`);
}

main();
