// One benchmark case in a fresh process: N releases declared through the package (package mode), or the same
// resource graph registered directly from a recorded JSON file (baseline mode), under the same mock runtime.
// run.ts transpiles this file to bench/.out/case.js and runs it with plain Node, as a built program runs:
//   node bench/.out/case.js '{"mode":"package","n":100,"weight":10,"distEntry":"...","resultTo":"..."}'
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as consul from "@pulumi/consul";
import type * as Canary from "../src/index";
import type * as Recorder from "../src/render/recorder";
import type { RecordedResource } from "../src/render/recorder";
import {
  PROJECT,
  STACK,
  releasesConfig,
  differences,
  type CaseArgs,
  type CaseResult,
  type Graph,
  type GraphNode,
} from "./shared";

type Inputs = Record<string, unknown>;
type CustomConstructor = new (
  name: string,
  args: Inputs,
  opts: pulumi.CustomResourceOptions,
) => pulumi.Resource;

/** A component with a given type token and no logic of its own. */
class Component extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
  }

  /** Registers the component's outputs. */
  complete(outputs: Record<string, unknown>): void {
    this.registerOutputs(outputs);
  }
}

/** The SDK classes the package's graph uses, by type token (resolved before the timed section). */
function customConstructors(): Map<string, CustomConstructor> {
  const classes = new Map<string, unknown>([
    ["kubernetes:apps/v1:Deployment", k8s.apps.v1.Deployment],
    ["kubernetes:core/v1:Service", k8s.core.v1.Service],
    ["consul:index/configEntry:ConfigEntry", consul.ConfigEntry],
    ["consul:index/configEntryServiceResolver:ConfigEntryServiceResolver", consul.ConfigEntryServiceResolver],
    ["consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter", consul.ConfigEntryServiceSplitter],
    ["consul:index/configEntryServiceRouter:ConfigEntryServiceRouter", consul.ConfigEntryServiceRouter],
  ]);
  return classes as Map<string, CustomConstructor>;
}

/** Custom resources other than the above are Kubernetes custom resources (Gloo objects). */
function constructorFor(classes: Map<string, CustomConstructor>, type: string): CustomConstructor {
  const ctor = classes.get(type);
  if (ctor) return ctor;
  if (type.startsWith("kubernetes:")) return k8s.apiextensions.CustomResource as unknown as CustomConstructor;
  throw new Error(`no SDK class known for ${type}`);
}

/** The graph of what was registered, from the recorder's resources (decoded, with names of parents and dependencies). */
function graphOf(resources: readonly RecordedResource[]): GraphNode[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((r) => {
    const parent = byUrn.get(r.parent);
    const dependsOn = [...r.dependencies].sort();
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      parent: r.parent,
      parentName: parent?.name ?? "",
      parentType: parent?.type ?? "",
      inputs: r.inputs,
      dependsOn,
      dependsOnNames: dependsOn.map((urn) => byUrn.get(urn)?.name ?? urn),
      ...(r.outputs !== undefined ? { outputs: r.outputs } : {}),
    };
  });
}

/**
 * Declares what the package-mode program declares: one CanaryRelease per release in stack config. Returns the
 * milliseconds spent reading config.
 */
function declarePackage(canary: typeof Canary, n: number): number {
  const t = performance.now();
  const releases = canary.readReleaseConfigs({ path: "releases" });
  const configMs = performance.now() - t;
  for (let i = 0; i < n; i++) {
    const release = releases[`r${i}`];
    const service = `svc${i}`;
    new canary.CanaryRelease(`r${i}`, {
      service,
      ...release,
      port: 8080,
      env: { NAME: service },
      // Each release its own VirtualService and host name: the package refuses two claiming the same domain.
      gloo: { prefix: `/${service}`, domains: [`${service}.example.com`], options: { prefixRewrite: "/" } },
      consul: { protocol: canary.ConsulProtocol.Http, upstreams: ["currency:9091"] },
    });
  }
  return configMs;
}

/** A registration of the baseline, with everything resolved ahead of time. */
interface Step {
  node: GraphNode;
  ctor?: CustomConstructor;
}

/** Registers the recorded graph directly: same classes, names, inputs, parents, dependencies and outputs. */
function declareBaseline(steps: Step[]): void {
  const byUrn = new Map<string, pulumi.Resource>();
  for (const { node, ctor } of steps) {
    const opts: pulumi.CustomResourceOptions = {};
    if (node.parent !== "") opts.parent = byUrn.get(node.parent);
    if (node.dependsOn.length > 0)
      opts.dependsOn = node.dependsOn.map((urn) => byUrn.get(urn) as pulumi.Resource);
    if (ctor) {
      byUrn.set(node.urn, new ctor(node.name, node.inputs, opts));
    } else {
      const component = new Component(node.type, node.name, opts);
      byUrn.set(node.urn, component);
      component.complete(node.outputs ?? {});
    }
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as CaseArgs;

  // Module loading and setup: outside the timed section, in both modes.
  const classes = customConstructors();
  void k8s.apiextensions.CustomResource;
  const canary =
    args.mode === "package" ? (createRequire(__filename)(args.distEntry) as typeof Canary) : undefined;
  // The recorder render uses: the mock runtime, every registration noted with its inputs, parent and dependencies.
  const { startRecording } = createRequire(__filename)(
    path.join(path.dirname(args.distEntry), "render", "recorder.js"),
  ) as typeof Recorder;
  const recording = await startRecording(pulumi, {
    project: PROJECT,
    stack: STACK,
    config: { [`${PROJECT}:releases`]: JSON.stringify(releasesConfig(args.n, args.weight)) },
  });
  const reference = args.graphFrom
    ? (JSON.parse(fs.readFileSync(args.graphFrom, "utf8")) as Graph)
    : undefined;
  let steps: Step[] = [];
  if (args.mode === "baseline") {
    if (!reference) throw new Error("baseline mode needs graphFrom");
    steps = reference.resources.map((node) => ({
      node,
      ctor: node.custom ? constructorFor(classes, node.type) : undefined,
    }));
  }

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let configMs = 0;
  if (canary) configMs = declarePackage(canary, args.n);
  else declareBaseline(steps);
  const declareMs = performance.now() - start;
  await recording.settle();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const maxRssKb = process.resourceUsage().maxRSS;

  // After the timed section: what was registered, and whether it is the reference graph.
  const graph: Graph = { releases: args.n, weight: args.weight, resources: graphOf(recording.resources) };
  const leaf = recording.resources.filter((r) => r.custom).length;
  const result: CaseResult = {
    mode: args.mode,
    n: args.n,
    weight: args.weight,
    wallMs,
    declareMs,
    configMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    registrations: recording.resources.length,
    leaf,
    component: recording.resources.length - leaf,
    maxRssKb,
    mismatches: reference ? differences(reference, graph) : [],
  };
  if (args.recordTo) fs.writeFileSync(args.recordTo, JSON.stringify(graph));
  fs.writeFileSync(args.resultTo, JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
