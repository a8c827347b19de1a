#!/usr/bin/env node
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  isGatewayApiObject,
  isGlooObject,
  Layer,
  renderObjects,
  toJson,
  toYaml,
  type RenderedObject,
} from "../render/emit";
import { TypeCheckError, UsageError } from "../render/errors";
import type { ConfigChange } from "../render/project";
import { runProgram } from "../render/run";
import { formatTable, trafficRows } from "../render/table";
import { automationStack } from "../promote/automation";
import { promoteCommand, PROMOTE_USAGE, type StackOpener } from "./promote";
import { promoteInOwnGroup } from "./promote-group";

const USAGE = `Usage: pulumi-canary render [DIR] --stack NAME [--config KEY=VALUE]... [--remove KEY]...
                              [--output yaml|json|table] [--only kubernetes|gloo|gateway-api|consul] [--consul-dir DIR]
                              [--previous FILE] [--typecheck]

Runs the Pulumi program in DIR (default ".") under Pulumi's mock runtime, with no engine, cluster or
network, and prints what it would create: Kubernetes objects as manifests and Consul config entries in
the JSON form "consul config write" accepts. The program is loaded as "pulumi up" loads it: the "main"
of Pulumi.yaml, else the nearest package.json's entry point.

  -s, --stack NAME        the stack whose Pulumi.NAME.yaml gives the config (required)
  -c, --config KEY=VALUE  set one config value, as "pulumi config set KEY VALUE" would (repeatable); a KEY
                          with "." or "[" is a path into a structured value, as with "--path"
                          (e.g. releases.payments.canaryWeight=25, images.v2=registry/app:2)
  -r, --remove KEY        remove a config value, as "pulumi config rm [--path] KEY" would (repeatable); a KEY
                          that is not set is refused, with the keys near it
  -o, --output FORMAT     yaml (default): a multi-document stream, Kubernetes objects first
                          json: one JSON array
                          table: the traffic split (which requests go to which version, what share)
  --only LAYER            kubernetes (every Kubernetes object, for "kubectl apply -f -"), gloo (the Gloo
                          custom resources only), gateway-api (the Gateway API objects only) or consul (the
                          Consul config entries)
  --consul-dir DIR        also write each Consul entry to its own JSON file in DIR, numbered in the order
                          the engine applies them (01-service-defaults-payments.json, ...), for
                          "consul config write FILE", which takes one entry per file
  --previous FILE         the stack's outputs from its last update, as "pulumi stack output --json"
                          prints them: the program reads them as its previous deployment
                          (readPreviousReleases), so the step is judged as "pulumi preview" judges it
                          (promotion policy, order of retiring a version); without it, a first deployment
  --typecheck             type-check the program first (TypeScript installed beside it, the nearest
                          tsconfig.json) and refuse it with the compiler's errors; without it, render runs
                          the program without type-checking, as the SDK does with "typescript: false"
  -h, --help              this text
  --version               the package version

${PROMOTE_USAGE}`;

/** What `--only` selects. */
enum OnlyLayer {
  Kubernetes = "kubernetes",
  Gloo = "gloo",
  GatewayApi = "gateway-api",
  Consul = "consul",
}

enum OutputFormat {
  Yaml = "yaml",
  Json = "json",
  Table = "table",
}

/** Where the command writes: `process.stdout` and `process.stderr`, or anything with a `write` (to capture it). */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs the command line; returns the exit code. Output goes to stdout only when everything succeeded; errors and
 * warnings go to stderr. (The command line's `promote` runs in a process of its own, see `promoteInOwnGroup`; here
 * it runs in this process, without a stop on Ctrl-C.)
 */
export async function main(
  argv: string[],
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
  open: StackOpener = automationStack,
): Promise<number> {
  try {
    if (argv[0] === "promote") return await promoteCommand(argv.slice(1), streams, open);
    const text = await run(argv, streams.stderr);
    streams.stdout.write(text);
    return 0;
  } catch (err) {
    return reportError(err, streams.stderr);
  }
}

/** Prints a command's error on `stderr` as `main` does; returns the exit code: 2 for a usage error, else 1. */
export function reportError(err: unknown, stderr: { write(text: string): unknown }): number {
  stderr.write(`pulumi-canary: ${describeError(err)}\n`);
  return err instanceof UsageError ? 2 : 1;
}

/**
 * Runs the command line and returns what it prints on stdout; throws what `main` reports on stderr. Warnings go
 * to `stderr`. The program runs in this process under Pulumi's mock runtime, with its console output sent to
 * `console.error`; two runs must not overlap (the runtime is process-wide).
 */
export async function run(
  argv: string[],
  stderr: { write(text: string): unknown } = process.stderr,
): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        stack: { type: "string", short: "s" },
        config: { type: "string", short: "c", multiple: true },
        remove: { type: "string", short: "r", multiple: true },
        "consul-dir": { type: "string" },
        output: { type: "string", short: "o", default: OutputFormat.Yaml },
        only: { type: "string" },
        typecheck: { type: "boolean" },
        previous: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  const [command, dir = ".", ...extra] = positionals;
  if (values.version && !values.help) return `${packageVersion()}\n`;
  if (values.help || command === undefined || command === "help") return `${USAGE}\n`;
  if (command !== "render")
    throw new UsageError(`unknown command "${command}"; expected "render" or "promote"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!values.stack) throw new UsageError("--stack NAME is required");
  const output = values.output as OutputFormat;
  if (!Object.values(OutputFormat).includes(output)) {
    throw new UsageError(`--output: got "${values.output}"; expected yaml, json or table`);
  }
  const only = values.only as OnlyLayer | undefined;
  if (only !== undefined && !Object.values(OnlyLayer).includes(only)) {
    throw new UsageError(`--only: got "${values.only}"; expected kubernetes, gloo, gateway-api or consul`);
  }
  // --config and --remove apply in the order given, as a sequence of `pulumi config set` / `rm` would.
  const changes: ConfigChange[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || token.value === undefined) continue;
    if (token.name === "config") {
      const eq = token.value.indexOf("=");
      if (eq <= 0) throw new UsageError(`--config: got "${token.value}"; expected KEY=VALUE`);
      changes.push({ key: token.value.slice(0, eq), value: token.value.slice(eq + 1) });
    } else if (token.name === "remove") {
      if (token.value === "") throw new UsageError("--remove: expected a config KEY");
      changes.push({ key: token.value });
    }
  }

  const stackOutputs = values.previous === undefined ? undefined : readStackOutputs(values.previous);
  const program = await runProgram({
    dir,
    stack: values.stack,
    changes,
    typecheck: values.typecheck,
    stackOutputs,
  });
  const rendered = renderObjects(program.resources);
  if (rendered.passedOver.length > 0) {
    const types = [...new Set(rendered.passedOver)].join(", ");
    stderr.write(
      `pulumi-canary: passed over ${rendered.passedOver.length} resource(s) that are neither Kubernetes objects nor Consul entries: ${types}\n`,
    );
  }
  const objects = rendered.objects.filter((o) => only === undefined || inLayer(o, only));
  const consulDir = values["consul-dir"];
  if (consulDir !== undefined) writeConsulFiles(consulDir, rendered.objects);
  switch (output) {
    case OutputFormat.Json:
      return toJson(objects);
    case OutputFormat.Table: {
      const outputs = Object.entries(program.outputs).map(
        ([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`,
      );
      const kube = objects.filter((o) => o.layer === Layer.Kubernetes).length;
      const title = `${program.project} (stack ${program.stack}): ${kube} Kubernetes object(s), ${objects.length - kube} Consul entr${objects.length - kube === 1 ? "y" : "ies"}`;
      return `${title}\n\n${formatTable(trafficRows(objects))}${outputs.length ? `\n${outputs.join("\n")}\n` : ""}`;
    }
    default:
      return toYaml(objects);
  }
}

/** The stack outputs of `--previous FILE`: a JSON object, as `pulumi stack output --json` prints. */
function readStackOutputs(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--previous: cannot read ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(
      `--previous: ${file} is not JSON; expected what "pulumi stack output --json" prints`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(
      `--previous: ${file} holds ${Array.isArray(value) ? "a list" : String(value)}; expected a JSON object of stack outputs, as "pulumi stack output --json" prints`,
    );
  }
  return value as Record<string, unknown>;
}

function inLayer(o: RenderedObject, only: OnlyLayer): boolean {
  if (only === OnlyLayer.Consul) return o.layer === Layer.Consul;
  if (o.layer !== Layer.Kubernetes) return false;
  if (only === OnlyLayer.GatewayApi) return isGatewayApiObject(o.object);
  return only === OnlyLayer.Kubernetes || isGlooObject(o.object);
}

/**
 * Writes each Consul entry to `dir` as `NN-<kind>-<name>.json`, numbered in registration order (the order the
 * engine writes them: defaults, resolver, splitter, router). Files of an earlier run with that pattern are removed
 * first, so the folder holds exactly this render's entries.
 */
function writeConsulFiles(dir: string, objects: readonly RenderedObject[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    if (CONSUL_FILE.test(file)) rmSync(path.join(dir, file));
  }
  const entries = objects.filter((o) => o.layer === Layer.Consul);
  entries.forEach((o, i) => {
    const file = `${String(i + 1).padStart(2, "0")}-${String(o.object.Kind)}-${String(o.object.Name)}.json`;
    writeFileSync(path.join(dir, file), `${JSON.stringify(o.object, null, 2)}\n`);
  });
}

const CONSUL_FILE = /^\d{2,}-service-[a-z]+-.+\.json$/;

/** parseArgs' own messages, cut to what a user needs. */
function parseArgsMessage(err: Error & { code?: string }): string {
  const quoted = /'(-[^']*)'/.exec(err.message)?.[1];
  const option = quoted && (/--[a-z-]+/.exec(quoted)?.[0] ?? quoted);
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option "${option}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return option ? `option "${option}" needs a value` : err.message.split(". ")[0];
    default:
      return err.message.split(". ")[0];
  }
}

/** Whether `err` is one of the SDK's error classes (by the SDK's own check, which works across SDK copies). */
function isSdkError(kind: "RunError" | "InputPropertiesError" | "InputPropertyError", err: unknown): boolean {
  switch (kind) {
    case "RunError":
      return pulumi.RunError.isInstance(err);
    case "InputPropertiesError":
      return pulumi.InputPropertiesError.isInstance(err);
    default:
      return pulumi.InputPropertyError.isInstance(err);
  }
}

/** Errors that list the problems of arguments, one per line: all their lines are printed. */
const PROBLEM_LIST_ERRORS = new Set(["ValidationError", "InvalidArgumentsError", "InputPropertiesError"]);

/** Errors that already say all a user needs in their first line: usage, config and validation errors. */
const ONE_LINE_ERRORS = new Set([
  "RenderError",
  "UsageError",
  "RunError",
  "InputPropertyError",
  "ConfigMissingError",
  "ConfigTypeError",
  "ConfigRangeError",
  "ConfigPatternError",
  "ConfigEnumError",
]);

/**
 * What to print for an error: every problem of an argument check, one line each; one line for usage and config
 * errors; for an error in the program, the
 * message with the file and line it came from (the compiler's whole message for a syntax error).
 */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err).split("\n")[0];
  const first = err.message.split("\n")[0];
  if (err instanceof UsageError) return `usage: ${first} (see pulumi-canary --help)`;
  if (err instanceof TypeCheckError) return err.message;
  const named = (names: ReadonlySet<string>) => names.has(err.name) || names.has(err.constructor.name);
  if (named(PROBLEM_LIST_ERRORS) || isSdkError("InputPropertiesError", err)) return err.message.trim();
  if (isSdkError("InputPropertyError", err)) {
    // The reason, as the engine prints it: the SDK prefixes the message with the resource property it was
    // serializing (`error serializing property "metadata": ...`), which is not the argument that was refused.
    const { propertyPath, reason } = err as pulumi.InputPropertyError;
    const line = reason.split("\n")[0];
    return line.includes(`${propertyPath}:`) ? line : `${propertyPath}: ${line}`;
  }
  if (named(ONE_LINE_ERRORS) || isSdkError("RunError", err)) return first;
  // tsx (esbuild) names the file, line and column of a syntax error in its message.
  if (/^Transform failed with \d+ error/.test(err.message)) return err.message.trim();
  const at = programFrame(err.stack ?? "");
  return `${err.name}: ${err.message.trim()}${at ? `\n    at ${at}` : ""}`;
}

/** The first stack frame outside Node's internals and installed packages: where the program failed. */
function programFrame(stack: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^()]+:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (!m || m[1].includes("/node_modules/") || m[1].startsWith("node:")) continue;
    return path.relative(process.cwd(), m[1].replace(/^file:\/\//, "")) || m[1];
  }
  return undefined;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  void (argv[0] === "promote" ? promoteInOwnGroup(argv.slice(1)) : main(argv)).then((code) => {
    process.exitCode = code;
  });
}
