import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumiModule from "@pulumi/pulumi";
import { resetClaims } from "../claims";

/** The Pulumi SDK module a program uses (render resolves it from the program's own directory). */
export type PulumiSdk = typeof pulumiModule;

/** One resource registration, as the program made it. */
export interface RecordedResource {
  /** Registration order, from 0. */
  seq: number;
  urn: string;
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment` or `pulumi-canary:index:CanaryRelease`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** True for provider-managed resources, false for components. */
  custom: boolean;
  /** URN of the parent resource ("" for the stack's children). */
  parent: string;
  /** The inputs, with outputs resolved. */
  inputs: Record<string, unknown>;
  /** URNs of the resources this one depends on (dependsOn and inputs taken from other resources). */
  dependencies: string[];
  /** What a component passed to `registerOutputs`, with outputs resolved (components only, once registered). */
  outputs?: Record<string, unknown>;
}

/** Options for {@link startRecording}. */
export interface RecordingOptions {
  project: string;
  stack: string;
  /** Config as the runtime takes it: fully qualified keys (`project:key`) to string values. */
  config?: Record<string, string>;
  /** Keys of `config` that are secret. */
  secretKeys?: string[];
  /** Run as a preview (unknown outputs stay unknown). Defaults to false. */
  preview?: boolean;
  /** A folder from which the program resolves `@pulumi/pulumi` (for the SDK's transform support). Defaults to this package's. */
  sdkFrom?: string;
  /**
   * The outputs of the stack's last update, as `pulumi stack output --json` prints them: what a `StackReference`
   * to any stack reads (a program reads its own previous deployment that way). Defaults to none (a first update).
   */
  stackOutputs?: Record<string, unknown>;
}

/** A recording in progress: resources grow as the program registers them. */
export interface Recording {
  readonly resources: RecordedResource[];
  /** Resolves once every registration made so far (and any it triggered) has been answered. */
  settle(): Promise<void>;
  /**
   * Stops the SDK's callback server, when the program's transforms started one: older SDKs (3.160 and before) keep the process
   * alive while it runs. Call it once the program is done.
   */
  close(): void;
  /**
   * Forgets the registrations still waiting once the program has failed (on an output that rejected, they never
   * complete), so that the SDK does not report them as leaked promises when the process exits.
   */
  abandon(): void;
}

interface CallbackRef {
  getToken(): string;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getObject(): unknown;
  setObject(value: unknown): void;
  getDependenciesList(): string[];
  getTransformsList?(): CallbackRef[];
  setTransformsList?(value: CallbackRef[]): void;
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: Error | null, response?: RegisterResponse) => void;
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void> | void;
  registerResourceOutputs(
    req: OutputsRequest,
    callback: (err: Error | null, response?: unknown) => void,
  ): unknown;
  registerStackTransform?(req: CallbackRef, callback: (err: Error | null, response?: unknown) => void): void;
}
/** The SDK's callback server: the functions behind the `transforms` option, by token. */
interface CallbackServerLike {
  _callbacks: Map<string, (request: Uint8Array) => Promise<{ getProperties(): unknown }>>;
}
interface TransformProto {
  TransformRequest: new () => {
    setType(v: string): void;
    setName(v: string): void;
    setCustom(v: boolean): void;
    setParent(v: string): void;
    setProperties(v: unknown): void;
    serializeBinary(): Uint8Array;
  };
}

/**
 * Installs Pulumi's mock runtime on `pulumi` (no engine, no providers, no network) and records every resource
 * registration with its parent and dependencies. Custom resources echo their inputs as state.
 */
export async function startRecording(pulumi: PulumiSdk, options: RecordingOptions): Promise<Recording> {
  resetClaims(); // a new program: no object is claimed yet
  await pulumi.runtime.setMocks(
    {
      newResource: (args) =>
        args.type === "pulumi:pulumi:StackReference"
          ? {
              id: String((args.inputs as { name?: unknown }).name ?? args.name),
              state: { ...args.inputs, outputs: options.stackOutputs ?? {}, secretOutputNames: [] },
            }
          : {
              id: args.custom ? `${args.name}-id` : undefined,
              state: args.inputs as Record<string, unknown>,
            },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    options.project,
    options.stack,
    options.preview ?? false,
    // What a self-managed (file) backend names every stack's organization.
    "organization",
  );
  if (options.config) pulumi.runtime.setAllConfig(options.config, options.secretKeys);

  const resources: RecordedResource[] = [];
  const byUrn = new Map<string, RecordedResource>();
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  const deserialize = pulumi.runtime.deserializeProperties as (struct: unknown) => Record<string, unknown>;
  const transforms = enableTransforms(pulumi, monitor, options.sdkFrom);
  monitor.registerResource = async (req, callback) => {
    let ownTransforms: string[];
    try {
      ownTransforms = await transforms.apply(req);
    } catch (err) {
      callback(err as Error);
      return;
    }
    const record: RecordedResource = {
      seq: resources.length,
      urn: "",
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      inputs: deserialize(req.getObject()),
      dependencies: req.getDependenciesList(),
    };
    resources.push(record);
    return register(req, (err, response) => {
      if (response) {
        record.urn = response.getUrn();
        byUrn.set(record.urn, record);
        transforms.registered(record.urn, record.parent, ownTransforms);
      }
      callback(err, response);
    });
  };

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const record = byUrn.get(req.getUrn());
    if (record) record.outputs = deserialize(req.getOutputs());
    return registerOutputs(req, callback);
  };

  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs;
  const store = (): { callbacks?: { shutdown?(): void }; leakCandidates?: Set<unknown> } => {
    const sdk = createRequire(path.join(options.sdkFrom ?? __dirname, "index.js"));
    return (sdk("@pulumi/pulumi/runtime/state") as { getStore(): ReturnType<typeof store> }).getStore();
  };
  return {
    resources,
    close: () => {
      const state = store();
      state.callbacks?.shutdown?.();
      state.callbacks = undefined;
    },
    abandon: () => {
      const state = store();
      if (state.leakCandidates !== undefined) state.leakCandidates = new Set();
    },
    settle: async () => {
      // Registrations can trigger further registrations (components created inside apply): wait until quiet.
      let seen = -1;
      while (seen !== resources.length) {
        seen = resources.length;
        await waitForRPCs();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/**
 * The `transforms` resource option and `pulumi.runtime.registerResourceTransform` under the mock runtime, which has
 * no engine to call them back: each registration's properties go through its own transforms, then its ancestors',
 * then the stack's, as the engine runs them. A transform's changes to resource options are not applied (render
 * prints inputs). The older `transformations` run inside the SDK and need nothing here.
 */
function enableTransforms(
  pulumi: PulumiSdk,
  monitor: MonitorLike,
  sdkFrom: string | undefined,
): {
  /** Applies the transforms to the request; returns the request's own transform tokens. */
  apply(req: RegisterRequest): Promise<string[]>;
  registered(urn: string, parent: string, tokens: string[]): void;
} {
  const sdk = createRequire(path.join(sdkFrom ?? __dirname, "index.js"));
  const state = sdk("@pulumi/pulumi/runtime/state") as { getStore(): { supportsTransforms: boolean } };
  state.getStore().supportsTransforms = true;
  const proto = sdk("@pulumi/pulumi/proto/resource_pb") as TransformProto;
  const stackTransforms: string[] = [];
  monitor.registerStackTransform = (req, callback) => {
    stackTransforms.push(req.getToken());
    callback(null, {});
  };
  /** Transform tokens of each registered resource (its own), and each resource's parent, by URN. */
  const own = new Map<string, string[]>();
  const parents = new Map<string, string>();
  const server = (): CallbackServerLike =>
    (pulumi.runtime as unknown as { getCallbacks(): CallbackServerLike }).getCallbacks();

  return {
    async apply(req) {
      const mine = (req.getTransformsList?.() ?? []).map((t) => t.getToken());
      const chain = [...mine];
      for (let at = req.getParent(); at; at = parents.get(at) ?? "") chain.push(...(own.get(at) ?? []));
      chain.push(...stackTransforms);
      if (chain.length === 0) return mine;
      let properties = req.getObject();
      for (const token of chain) {
        const fn = server()._callbacks.get(token);
        if (!fn) throw new Error(`transform ${token} of ${req.getType()} ${req.getName()} is not registered`);
        const request = new proto.TransformRequest();
        request.setType(req.getType());
        request.setName(req.getName());
        request.setCustom(req.getCustom());
        request.setParent(req.getParent());
        request.setProperties(properties);
        properties = (await fn(request.serializeBinary())).getProperties();
      }
      req.setObject(properties);
      req.setTransformsList?.([]);
      return mine;
    },
    registered(urn, parent, tokens) {
      if (tokens.length) own.set(urn, tokens);
      if (parent) parents.set(urn, parent);
    },
  };
}
