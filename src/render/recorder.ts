import type * as pulumiModule from "@pulumi/pulumi";

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
}

/** A recording in progress: resources grow as the program registers them. */
export interface Recording {
  readonly resources: RecordedResource[];
  /** Resolves once every registration made so far (and any it triggered) has been answered. */
  settle(): Promise<void>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getObject(): unknown;
  getDependenciesList(): string[];
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: Error | null, response?: RegisterResponse) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void> | void;
}

/**
 * Installs Pulumi's mock runtime on `pulumi` (no engine, no providers, no network) and records every resource
 * registration with its parent and dependencies. Custom resources echo their inputs as state.
 */
export async function startRecording(pulumi: PulumiSdk, options: RecordingOptions): Promise<Recording> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({
        id: args.custom ? `${args.name}-id` : undefined,
        state: args.inputs as Record<string, unknown>,
      }),
      call: (args) => args.inputs as Record<string, unknown>,
    },
    options.project,
    options.stack,
    options.preview ?? false,
  );
  if (options.config) pulumi.runtime.setAllConfig(options.config, options.secretKeys);

  const resources: RecordedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  const deserialize = pulumi.runtime.deserializeProperties as (struct: unknown) => Record<string, unknown>;
  monitor.registerResource = (req, callback) => {
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
      if (response) record.urn = response.getUrn();
      callback(err, response);
    });
  };

  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs;
  return {
    resources,
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
