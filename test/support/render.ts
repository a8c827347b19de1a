// Runs Pulumi programs and the `pulumi-canary` command line in the test's own process, under the mock runtime.
import * as path from "node:path";
import { format } from "node:util";
import { main } from "../../src/cli/main";
import { renderObjects } from "../../src/render/emit";
import { runProgram, type ProgramRun, type RunOptions } from "../../src/render/run";

/** The repository's root: the flagship program. */
export const ROOT = path.resolve(__dirname, "..", "..");

/** What the command line printed and its exit code. */
/** The render arguments of a finalize, as the README gives them: the canary becomes stable, its keys removed. */
export const FINALIZE_ARGS = [
  "--config",
  "stableVersion=v2",
  "--remove",
  "canaryVersion",
  "--remove",
  "canaryHeader",
  "--config",
  "canaryWeight=0",
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` once every earlier run has finished (the mock runtime, the console and the working directory are
 * process-wide), then forgets the modules it loaded from outside node_modules, so that the next run of the same
 * program runs it afresh (as a new `pulumi-canary render` process would) instead of reusing its cached exports.
 */
function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    const before = new Set(Object.keys(require.cache));
    try {
      return await fn();
    } finally {
      for (const id of Object.keys(require.cache)) {
        if (!before.has(id) && !id.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[id];
      }
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * `pulumi-canary ...argv`, in process: its stdout, its stderr (including what the program printed, which render
 * sends to `console.error`) and its exit code.
 */
export function cli(...argv: string[]): Promise<CliResult> {
  return inTurn(async () => {
    let stdout = "";
    let stderr = "";
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      stderr += `${format(...args)}\n`;
    };
    try {
      const code = await main(argv, {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      });
      return { code, stdout, stderr };
    } finally {
      console.error = consoleError;
    }
  });
}

/** `pulumi-canary render ... --output json`, parsed; fails with the command's stderr when it does not exit 0. */
export async function renderJson(...argv: string[]): Promise<Array<Record<string, unknown>>> {
  const result = await cli("render", ...argv, "--output", "json");
  if (result.code !== 0) throw new Error(`render ${argv.join(" ")} exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

/** Runs a program as `render` does, returning every registration (components included) and its outputs. */
export function runInProcess(options: RunOptions): Promise<ProgramRun> {
  return inTurn(() => runProgram(options));
}

/** The Kubernetes objects and Consul entries a program run registered, as render prints them. */
export function objectsOf(run: ProgramRun): Array<Record<string, unknown>> {
  return renderObjects(run.resources).objects.map((o) => o.object as Record<string, unknown>);
}
