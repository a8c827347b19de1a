#!/usr/bin/env node
import { parseArgs } from "node:util";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isGlooObject, Layer, renderObjects, toJson, toYaml, type RenderedObject } from "../render/emit";
import { RenderError } from "../render/errors";
import type { ConfigChange } from "../render/project";
import { runProgram } from "../render/run";
import { formatTable, trafficRows } from "../render/table";

const USAGE = `Usage: pulumi-canary render [DIR] --stack NAME [--config KEY=VALUE]... [--remove KEY]...
                              [--output yaml|json|table] [--only kubernetes|gloo|consul] [--consul-dir DIR]

Runs the Pulumi program in DIR (default ".") under Pulumi's mock runtime, with no engine, cluster or
network, and prints what it would create: Kubernetes objects as manifests and Consul config entries in
the JSON form "consul config write" accepts. The program is loaded as "pulumi up" loads it: the "main"
of Pulumi.yaml, else the nearest package.json's entry point.

  -s, --stack NAME        the stack whose Pulumi.NAME.yaml gives the config (required)
  -c, --config KEY=VALUE  set one config value, as "pulumi config set KEY VALUE" would (repeatable); a KEY
                          with "." or "[" is a path into a structured value, as with "--path"
                          (e.g. releases.payments.canaryWeight=25, images.v2=registry/app:2)
  -r, --remove KEY        remove a config value, as "pulumi config rm [--path] KEY" would (repeatable)
  -o, --output FORMAT     yaml (default): a multi-document stream, Kubernetes objects first
                          json: one JSON array
                          table: the traffic split (which requests go to which version, what share)
  --only LAYER            kubernetes (every Kubernetes object, for "kubectl apply -f -"), gloo (the Gloo
                          custom resources only) or consul (the Consul config entries)
  --consul-dir DIR        also write each Consul entry to its own JSON file in DIR, numbered in the order
                          the engine applies them (01-service-defaults-payments.json, ...), for
                          "consul config write FILE", which takes one entry per file
  -h, --help              this text
  --version               the package version`;

/** What `--only` selects. */
enum OnlyLayer {
  Kubernetes = "kubernetes",
  Gloo = "gloo",
  Consul = "consul",
}

enum OutputFormat {
  Yaml = "yaml",
  Json = "json",
  Table = "table",
}

/** Runs the command line; returns the exit code. Output goes to stdout only when everything succeeded. */
export async function main(argv: string[]): Promise<number> {
  try {
    const text = await run(argv);
    process.stdout.write(text);
    return 0;
  } catch (err) {
    process.stderr.write(`pulumi-canary: ${oneLine(err)}\n`);
    return err instanceof RenderError && err.message.startsWith("usage") ? 2 : 1;
  }
}

async function run(argv: string[]): Promise<string> {
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
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new RenderError(`usage: ${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return `${USAGE}\n`;
  if (values.version) return `${packageVersion()}\n`;
  const [command, dir = ".", ...extra] = positionals;
  if (command !== "render") {
    throw new RenderError(
      `usage: ${command === undefined ? "a command is required" : `unknown command "${command}"`}; expected "render"`,
    );
  }
  if (extra.length > 0) throw new RenderError(`usage: unexpected argument "${extra[0]}"`);
  if (!values.stack) throw new RenderError("usage: --stack NAME is required");
  const output = values.output as OutputFormat;
  if (!Object.values(OutputFormat).includes(output)) {
    throw new RenderError(`usage: --output: got "${values.output}"; expected yaml, json or table`);
  }
  const only = values.only as OnlyLayer | undefined;
  if (only !== undefined && !Object.values(OnlyLayer).includes(only)) {
    throw new RenderError(`usage: --only: got "${values.only}"; expected kubernetes, gloo or consul`);
  }
  // --config and --remove apply in the order given, as a sequence of `pulumi config set` / `rm` would.
  const changes: ConfigChange[] = [];
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || token.value === undefined) continue;
    if (token.name === "config") {
      const eq = token.value.indexOf("=");
      if (eq <= 0) throw new RenderError(`usage: --config: got "${token.value}"; expected KEY=VALUE`);
      changes.push({ key: token.value.slice(0, eq), value: token.value.slice(eq + 1) });
    } else if (token.name === "remove") {
      if (token.value === "") throw new RenderError("usage: --remove: expected a config KEY");
      changes.push({ key: token.value });
    }
  }

  const program = await runProgram({ dir, stack: values.stack, changes });
  const rendered = renderObjects(program.resources);
  if (rendered.passedOver.length > 0) {
    const types = [...new Set(rendered.passedOver)].join(", ");
    process.stderr.write(
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

function inLayer(o: RenderedObject, only: OnlyLayer): boolean {
  if (only === OnlyLayer.Consul) return o.layer === Layer.Consul;
  if (o.layer !== Layer.Kubernetes) return false;
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

function oneLine(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  return err instanceof RenderError && message.startsWith("usage")
    ? `${message} (see pulumi-canary --help)`
    : message;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
