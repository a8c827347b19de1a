#!/usr/bin/env node
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Layer, renderObjects, toJson, toYaml } from "../render/emit";
import { RenderError } from "../render/errors";
import { runProgram } from "../render/run";
import { formatTable, trafficRows } from "../render/table";

const USAGE = `Usage: pulumi-canary render [DIR] --stack NAME [--config KEY=VALUE]... [--output yaml|json|table] [--only kubernetes|consul]

Runs the Pulumi program in DIR (default ".") under Pulumi's mock runtime, with no engine, cluster or
network, and prints what it would create: Kubernetes objects as manifests and Consul config entries in
the JSON form "consul config write" accepts.

  --stack NAME          the stack whose Pulumi.NAME.yaml gives the config (required)
  --config KEY=VALUE    set one config value, as "pulumi config set KEY VALUE" would (repeatable)
  --output FORMAT       yaml (default): a multi-document stream, Kubernetes objects first
                        json: one JSON array
                        table: the traffic split (which requests go to which version, what share)
  --only LAYER          kubernetes (for "kubectl apply -f -") or consul (for "consul config write")
  -h, --help            this text
  --version             the package version`;

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
      options: {
        stack: { type: "string", short: "s" },
        config: { type: "string", short: "c", multiple: true },
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
  const only = values.only;
  if (only !== undefined && only !== Layer.Kubernetes && only !== Layer.Consul) {
    throw new RenderError(`usage: --only: got "${only}"; expected kubernetes or consul`);
  }
  const overrides: Record<string, string> = {};
  for (const pair of values.config ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new RenderError(`usage: --config: got "${pair}"; expected KEY=VALUE`);
    overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const program = await runProgram({ dir, stack: values.stack, overrides });
  const rendered = renderObjects(program.resources);
  if (rendered.passedOver.length > 0) {
    const types = [...new Set(rendered.passedOver)].join(", ");
    process.stderr.write(
      `pulumi-canary: passed over ${rendered.passedOver.length} resource(s) that are neither Kubernetes objects nor Consul entries: ${types}\n`,
    );
  }
  const objects = rendered.objects.filter((o) => only === undefined || o.layer === only);
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
