// Child processes of the end-to-end run: each started in its own process group, its PID written to a file, and
// stopped by PID however the run ends (normal exit, error, Ctrl-C, SIGTERM). `e2e/e2e.sh` reads the same file
// and stops whatever is left if this process itself dies.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, openSync, readFileSync, writeFileSync, existsSync } from "node:fs";

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  log: string;
  exited: boolean;
}

const started: Started[] = [];
let pidFile = "";

/** Where PIDs are recorded; call once before starting anything. */
export function recordPidsIn(file: string): void {
  pidFile = file;
  if (!existsSync(file)) writeFileSync(file, "");
  const stop = (signal: NodeJS.Signals): void => {
    stopAll();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("exit", () => stopAll());
}

/** Starts `command` in its own process group with stdout and stderr appended to `log`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  log: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Started {
  const fd = openSync(log, "a");
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  if (child.pid === undefined) throw new Error(`${name}: ${command} did not start`);
  const entry: Started = { name, pid: child.pid, child, log, exited: false };
  child.on("exit", () => {
    entry.exited = true;
  });
  started.push(entry);
  if (pidFile) appendFileSync(pidFile, `${child.pid} ${name}\n`);
  return entry;
}

/**
 * Tracks a child started elsewhere in its own process group (`detached: true`), so that it is stopped by PID as
 * the others are however the run ends; forgotten once it exits.
 */
export function track(name: string, child: ChildProcess): void {
  if (child.pid === undefined) return;
  const entry: Started = { name, pid: child.pid, child, log: "", exited: false };
  started.push(entry);
  if (pidFile) appendFileSync(pidFile, `${child.pid} ${name}\n`);
  child.on("exit", () => {
    entry.exited = true;
    const index = started.indexOf(entry);
    if (index >= 0) started.splice(index, 1);
    // Off the PID file too, so that nothing later signals a PID the system may have handed to another process.
    if (pidFile && existsSync(pidFile)) {
      const line = `${entry.pid} ${name}`;
      writeFileSync(
        pidFile,
        readFileSync(pidFile, "utf8")
          .split("\n")
          .filter((l) => l !== line)
          .join("\n"),
      );
    }
  });
}

/** Stops one started process (its whole group): SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(entry: Started, graceMs = 5000): Promise<void> {
  if (entry.exited) return;
  signalGroup(entry.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (!entry.exited && Date.now() < deadline) await sleep(50);
  if (!entry.exited) signalGroup(entry.pid, "SIGKILL");
  const index = started.indexOf(entry);
  if (index >= 0) started.splice(index, 1);
}

/** Stops everything still running, newest first, synchronously (safe in an exit handler). */
export function stopAll(): void {
  for (const entry of [...started].reverse()) {
    if (!entry.exited) signalGroup(entry.pid, "SIGKILL");
  }
  started.length = 0;
  if (pidFile && existsSync(pidFile)) {
    for (const line of readFileSync(pidFile, "utf8").split("\n")) {
      const pid = Number(line.split(" ")[0]);
      if (pid > 0) signalGroup(pid, "SIGKILL");
    }
    writeFileSync(pidFile, "");
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, at most `timeoutMs`; throws `what` on time-out. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
  alive?: Started[],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    for (const p of alive ?? []) {
      if (p.exited) throw new Error(`${what}: ${p.name} exited; see ${p.log}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${timeoutMs} ms${last ? ` (${String(last)})` : ""}`);
    }
    await sleep(intervalMs);
  }
}
