// `pulumi-canary promote` from a terminal. Ctrl-C sends SIGINT to the whole foreground process group, and the
// Automation API starts the `pulumi` CLI in the caller's group: a promotion run in this process would have its update
// in flight cancelled by the engine. So the command runs the promotion in a child (promote-worker) started in a
// process group of its own, which the terminal's signals do not reach, and turns the first SIGINT or SIGTERM into a
// message: stop after the current update. A second one sends SIGINT to the child's group, where `pulumi` cancels the
// update in flight as on Ctrl-C in `pulumi up`. The child stops on its own, after its current update, when this
// process dies (its IPC channel closes).
import { fork } from "node:child_process";
import { constants } from "node:os";
import * as path from "node:path";

/** The messages of the IPC channel between the command and its promote-worker. */
export enum WorkerMessage {
  /** Worker to command: listening (a stop sent before this would be lost). */
  Ready = "ready",
  /** Command to worker: stop after the current update. */
  Stop = "stop",
}

/** Runs `pulumi-canary promote ARGS` in a promote-worker in its own process group; returns its exit code. */
export function promoteInOwnGroup(args: string[]): Promise<number> {
  // The worker beside this file: promote-worker.js when built, promote-worker.ts under tsx (whose loader the child
  // gets from process.execArgv).
  const worker = path.join(__dirname, `promote-worker${path.extname(__filename)}`);
  const child = fork(worker, args, { detached: true, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let ready = false;
  let signals = 0;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const send = (message: WorkerMessage): void => {
    // With a callback, a failed send (the worker has just exited) is reported there, not as an "error" event.
    if (child.connected) child.send(message, () => undefined);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      const name = signal === "SIGINT" ? "Ctrl-C" : signal;
      process.stderr.write(
        `pulumi-canary: ${name}: stopping after the current update; ${name} again cancels the update in flight\n`,
      );
      if (ready) send(WorkerMessage.Stop);
      return;
    }
    if (running() && child.pid !== undefined) {
      try {
        // SIGINT whatever came: `pulumi` cancels its update on SIGINT, as on Ctrl-C.
        process.kill(-child.pid, "SIGINT");
      } catch {
        // The group is gone: the worker has just exited.
      }
    }
  };
  child.on("message", (message) => {
    if (message !== WorkerMessage.Ready) return;
    ready = true;
    if (signals > 0) send(WorkerMessage.Stop);
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const done = (): void => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  return new Promise((resolve) => {
    child.on("error", (err) => {
      if (child.pid !== undefined) return;
      done();
      process.stderr.write(`pulumi-canary: cannot start the promotion: ${err.message}\n`);
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
