// The process that runs a promotion for `pulumi-canary promote` (see promote-group.ts), in a process group of its
// own, with the command's stdout and stderr. It stops after the current update when the command asks (the first
// Ctrl-C), when it gets SIGINT or SIGTERM itself, or when the command is gone (the IPC channel closes); it exits with
// the promotion's exit code.
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promoteCommand, type StackOpener } from "./promote";
import { WorkerMessage } from "./promote-group";

/**
 * Tests only: a module exporting `open`, a `StackOpener`, used instead of the Automation API, so that the process
 * handling can be tested without a Pulumi engine.
 */
const TEST_STACK_MODULE = "PULUMI_CANARY_TEST_PROMOTION_STACK";

async function opener(): Promise<StackOpener> {
  const file = process.env[TEST_STACK_MODULE];
  // Not passed on to the processes the promotion starts.
  delete process.env[TEST_STACK_MODULE];
  // Loaded when needed (as main.ts below, for an error): the Automation API takes a while to load.
  if (file === undefined || file === "") return (await import("../promote/automation.js")).automationStack;
  const loaded = (await import(pathToFileURL(path.resolve(file)).href)) as {
    open?: unknown;
    default?: { open?: unknown };
  };
  const open = loaded.open ?? loaded.default?.open;
  if (typeof open !== "function") throw new Error(`${TEST_STACK_MODULE}: ${file} exports no function "open"`);
  return open as StackOpener;
}

async function work(send: NonNullable<typeof process.send>): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on("message", (message) => {
    if (message === WorkerMessage.Stop) stop();
  });
  process.once("disconnect", stop);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // After the command is gone its terminal or pipe may be too: a failed write must not end the update in flight.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  send.call(process, WorkerMessage.Ready, () => undefined);
  const streams = { stdout: process.stdout, stderr: process.stderr };
  let code: number;
  try {
    code = await promoteCommand(process.argv.slice(2), streams, await opener(), controller.signal);
  } catch (err) {
    code = (await import("./main.js")).reportError(err, process.stderr);
  }
  process.exitCode = code;
  // The open channel would keep this process alive.
  if (process.connected) process.disconnect();
}

if (require.main === module) {
  if (process.send === undefined) {
    process.stderr.write("pulumi-canary: promote-worker is started by `pulumi-canary promote`\n");
    process.exitCode = 2;
  } else {
    void work(process.send);
  }
}
