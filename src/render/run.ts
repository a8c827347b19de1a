import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as TsxApi from "tsx/cjs/api";
import { RenderError, TypeCheckError } from "./errors";
import { readProject, topLevelKey, type ConfigChange } from "./project";
import { startRecording, type PulumiSdk, type RecordedResource } from "./recorder";
import { typeCheck } from "./typecheck";

/** What a program registered under the mock runtime, and its stack outputs. */
export interface ProgramRun {
  project: string;
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
}

/** Options for {@link runProgram}. */
export interface RunOptions {
  /** The Pulumi project directory. */
  dir: string;
  stack: string;
  /** Config changes applied in order, as `pulumi config set KEY VALUE` / `pulumi config rm KEY` would. */
  changes?: readonly ConfigChange[];
  /** Type-check the program before running it, refusing it with a `TypeCheckError`. Defaults to false. */
  typecheck?: boolean;
  /**
   * The stack's outputs from its last update (what `pulumi stack output --json` prints), read by the program's
   * `StackReference`s, e.g. `readPreviousReleases()`. Defaults to none: the program sees a first deployment.
   */
  stackOutputs?: Record<string, unknown>;
}

/**
 * Runs the Pulumi TypeScript (or JavaScript) program in `dir` under Pulumi's mock runtime: no engine, no
 * providers, no cluster, no network. Anything the program prints goes to stderr. Call once per process: the
 * Pulumi runtime and the module cache are process-wide. While it runs, it is the process's only listener of
 * `unhandledRejection`: a rejection is the program's failure, which it throws (the first one) once the run stops.
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const dir = path.resolve(options.dir);
  const files = readProject(dir, options.stack, options.changes);
  if (options.typecheck) {
    const errors = typeCheck(files.main, files.dir);
    if (errors.length > 0) throw new TypeCheckError(errors);
  }
  const requireFromProgram = createRequire(path.join(dir, "index.js"));
  // tsx is an optional peer dependency of the package: only a TypeScript program needs it.
  const tsx = loadTsx(requireFromProgram);
  if (tsx === undefined && isTypeScript(files.main)) {
    throw new RenderError(
      `render needs tsx to load ${path.relative(process.cwd(), files.main) || files.main}, a TypeScript program: npm install --save-dev tsx`,
    );
  }
  let pulumi: PulumiSdk;
  try {
    pulumi = requireFromProgram("@pulumi/pulumi") as PulumiSdk;
  } catch {
    throw new RenderError(`cannot load @pulumi/pulumi from ${dir}: install the program's dependencies first`);
  }

  // Which config keys the program reads: an override of a key that neither the stack's config holds nor the
  // program reads would silently change nothing (a typo such as canaryWieght), so it is refused below.
  const read = new Set<string>();
  const runtimeConfig = requireFromProgram("@pulumi/pulumi/runtime/config") as {
    getConfig: (k: string) => unknown;
  };
  const getConfig = runtimeConfig.getConfig;
  runtimeConfig.getConfig = (key: string) => {
    read.add(key);
    return getConfig(key);
  };

  const recording = await startRecording(pulumi, {
    sdkFrom: dir,
    project: files.project,
    stack: options.stack,
    config: files.config,
    secretKeys: files.secretKeys,
    stackOutputs: options.stackOutputs,
  });

  // A rejection nothing handles (an `InputPropertyError` from an output that resolved to a value a component
  // refuses, an error thrown in an apply callback) fails the program, as the SDK's runner fails it. Registrations
  // waiting on the rejected output never complete: waiting stops at the first failure.
  const failures: unknown[] = [];
  let failed: () => void = () => undefined;
  const failure = new Promise<void>((resolve) => (failed = resolve));
  const onRejection = (reason: unknown): void => {
    failures.push(reason);
    failed();
  };
  const restoreRejections = takeRejections(onRejection);
  const cwd = process.cwd();
  const restoreConsole = sendConsoleToStderr();
  let exported: unknown;
  // SDKs before 3.16x install source-map-support, whose stack traces ignore the maps tsx registers with Node: the
  // program's stack traces then point into the compiled text. Node's own formatting is used while it runs.
  const errorClass = Error as { prepareStackTrace?: unknown };
  const prepareStackTrace = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    process.chdir(dir);
    if (tsx !== undefined) registerTypeScript(tsx);
    const loaded = requireFromProgram(files.main) as unknown;
    const entry =
      typeof loaded === "function" ? loaded : (loaded as { default?: unknown } | undefined)?.default;
    exported = typeof entry === "function" ? await untilFailure((entry as () => unknown)(), failure) : loaded;
    if (failures.length === 0) await Promise.race([recording.settle(), failure]);
  } catch (err) {
    void (err as { stack?: unknown } | undefined)?.stack; // V8 formats the stack on first read: read it now
    failures.unshift(err);
  } finally {
    process.chdir(cwd);
    restoreConsole();
    errorClass.prepareStackTrace = prepareStackTrace;
  }
  // Failures inside apply callbacks surface as rejections once the runtime has settled; after a failure, the
  // registrations waiting on the rejected output reject in turn: wait until no more arrive.
  for (let turns = 0, seen = -1; seen !== failures.length && turns < 100; turns++) {
    seen = failures.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  recording.close();
  restoreRejections();
  runtimeConfig.getConfig = getConfig;
  if (failures.length > 0) {
    recording.abandon();
    throw failures[0];
  }
  for (const change of options.changes ?? []) {
    if (change.value === undefined) continue;
    const key = topLevelKey(files.project, change.key);
    // Keys of other namespaces (a provider's, e.g. kubernetes:context) are read by providers, which render lacks.
    if (!key.startsWith(`${files.project}:`) || key in files.stackConfig || read.has(key)) continue;
    const known = [...new Set([...Object.keys(files.stackConfig), ...read])].sort();
    throw new RenderError(
      `--config ${change.key}: nothing reads ${key}: it is not in the stack's config and the program does not read it${known.length ? `; keys here: ${known.join(", ")}` : ""}`,
    );
  }

  const outputs = await resolveOutputs(pulumi, exported);
  return { project: files.project, stack: options.stack, resources: recording.resources, outputs };
}

/**
 * Makes `handler` the only listener of the process's `unhandledRejection` event until the returned function is
 * called: the program's rejections are its failures, which `runProgram` reports (as the SDK's runner does), not
 * errors for whatever else listens in the process (a test runner fails on any). The listeners are put back after.
 */
function takeRejections(handler: (reason: unknown) => void): () => void {
  const others = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", handler);
  return () => {
    process.off("unhandledRejection", handler);
    for (const listener of others) process.on("unhandledRejection", listener);
  };
}

/** What `value` resolves to, or undefined as soon as `failure` resolves first (the program has failed). */
function untilFailure(value: unknown, failure: Promise<void>): Promise<unknown> {
  return Promise.race([Promise.resolve(value), failure.then(() => undefined)]);
}

/**
 * tsx's CommonJS API, from beside this package or else from the program's own dependencies; `undefined` when
 * neither has it installed.
 */
function loadTsx(requireFromProgram: NodeJS.Require): typeof TsxApi | undefined {
  for (const load of [createRequire(__filename), requireFromProgram]) {
    try {
      return load("tsx/cjs/api") as typeof TsxApi;
    } catch (err) {
      // Only tsx itself missing moves on; a tsx that is there but fails to load is reported as it is.
      const missing =
        (err as { code?: unknown }).code === "MODULE_NOT_FOUND" &&
        (err as Error).message.split("\n")[0].includes("'tsx/cjs/api'");
      if (!missing) throw err;
    }
  }
  return undefined;
}

/** True when Node needs a TypeScript loader to run `main`: a TypeScript file, or a folder with only an index.ts. */
function isTypeScript(main: string): boolean {
  if (/\.[cm]?tsx?$/.test(main)) return true;
  return (
    existsSync(main) &&
    statSync(main).isDirectory() &&
    !existsSync(path.join(main, "index.js")) &&
    existsSync(path.join(main, "index.ts"))
  );
}

let typeScriptRegistered = false;
function registerTypeScript(tsx: typeof TsxApi): void {
  if (typeScriptRegistered) return;
  // Loads .ts files with the program's nearest tsconfig.json (found from the working directory upwards).
  tsx.register();
  typeScriptRegistered = true;
}

function sendConsoleToStderr(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  return () => Object.assign(console, saved);
}

async function resolveOutputs(pulumi: PulumiSdk, exported: unknown): Promise<Record<string, unknown>> {
  if (exported === null || typeof exported !== "object") return {};
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) {
    if (key === "default" || typeof value === "function") continue;
    if (pulumi.Resource.isInstance(value)) continue;
    plain[key] = await new Promise((resolve) => pulumi.output(value).apply(resolve));
  }
  return plain;
}
