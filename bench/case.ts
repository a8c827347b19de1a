// One benchmark case in a fresh process: N releases declared through the package (package mode), or the same
// resource graph registered directly from a recorded JSON file (baseline mode), under the same mock runtime.
// run.ts transpiles this file to bench/.out/case.js and runs it with plain Node, as a built program runs:
//   node bench/.out/case.js '{"mode":"package","n":100,"weight":10,"distEntry":"...","resultTo":"..."}'
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as consul from "@pulumi/consul";
import type * as Canary from "../src/index";
import {
  PROJECT,
  installMocks,
  releasesConfig,
  settle,
  differences,
  type CaseArgs,
  type CaseResult,
  type Counter,
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

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getObject(): unknown;
  getDependenciesList(): string[];
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}
interface Response {
  getUrn(): string;
}
type Callback = (err: Error | null, response?: Response) => void;
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): unknown;
  registerResourceOutputs(
    req: OutputsRequest,
    callback: (err: Error | null, response?: unknown) => void,
  ): unknown;
  /** What the mocks answered, by URN: `state` is what `newResource` returned, i.e. the inputs. */
  getRegisteredResources(): Map<string, { state: unknown }>;
}

/**
 * Notes every registration (type, name, parent, dependencies, URN) and every component's outputs, in both modes
 * alike. While the program runs it only keeps references; inputs and outputs are decoded afterwards, outside the
 * timed section. Custom resources' inputs are what the mocks stored as their state (`newResource` echoes them).
 */
function startRecording(): () => GraphNode[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const deserialize = pulumi.runtime.deserializeProperties as (struct: unknown) => Inputs;
  const nodes: GraphNode[] = [];
  const componentInputs = new Map<GraphNode, unknown>();
  const outputs = new Map<string, unknown>();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const node: GraphNode = {
      urn: "",
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      parentName: "",
      parentType: "",
      inputs: {},
      dependsOn: req.getDependenciesList(),
      dependsOnNames: [],
    };
    if (!node.custom) componentInputs.set(node, req.getObject());
    nodes.push(node);
    return register(req, (err, response) => {
      if (response) node.urn = response.getUrn();
      callback(err, response);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    outputs.set(req.getUrn(), req.getOutputs());
    return registerOutputs(req, callback);
  };
  return () => {
    const state = monitor.getRegisteredResources();
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    for (const node of nodes) {
      node.inputs = node.custom
        ? (state.get(node.urn)?.state as Inputs)
        : deserialize(componentInputs.get(node));
      node.dependsOn = [...node.dependsOn].sort();
      const parent = byUrn.get(node.parent);
      node.parentName = parent?.name ?? "";
      node.parentType = parent?.type ?? "";
      node.dependsOnNames = node.dependsOn.map((urn) => byUrn.get(urn)?.name ?? urn);
      const out = outputs.get(node.urn);
      if (out !== undefined) node.outputs = deserialize(out);
    }
    return nodes;
  };
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
      gloo: { prefix: `/${service}`, options: { prefixRewrite: "/" } },
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
  const counter: Counter = { count: 0, leaf: 0, component: 0 };
  await installMocks(pulumi, counter);
  pulumi.runtime.setAllConfig({
    [`${PROJECT}:releases`]: JSON.stringify(releasesConfig(args.n, args.weight)),
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
  const finish = startRecording();

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let configMs = 0;
  if (canary) configMs = declarePackage(canary, args.n);
  else declareBaseline(steps);
  const declareMs = performance.now() - start;
  await settle(pulumi, counter);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const maxRssKb = process.resourceUsage().maxRSS;

  // After the timed section: what was registered, and whether it is the reference graph.
  const graph: Graph = { releases: args.n, weight: args.weight, resources: finish() };
  const result: CaseResult = {
    mode: args.mode,
    n: args.n,
    weight: args.weight,
    wallMs,
    declareMs,
    configMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    registrations: counter.count,
    leaf: counter.leaf,
    component: counter.component,
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
