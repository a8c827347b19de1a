// Ctrl-C in a terminal: SIGINT to the whole foreground process group of `pulumi-canary promote`. The command runs
// here as from a shell (its own process group), with a stack whose updates run a child process as the `pulumi` CLI
// does; the update in flight must finish, no other may start, and the command exits 130.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.join(__dirname, "..", "..");

test("Ctrl-C stops promote after the current update, which completes, and exits 130", async () => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(root, "src", "cli", "main.ts"),
      "promote",
      "--stack",
      "dev",
      "--steps",
      "10,50,100",
      "--interval",
      "0s",
      "--output",
      "json",
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PULUMI_CANARY_TEST_PROMOTION_STACK: path.join(__dirname, "slow-stack.ts") },
    },
  );
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
    if (!interrupted && stderr.includes("fake up 10: started")) {
      interrupted = true;
      // As a terminal's Ctrl-C: to every process of the foreground group.
      process.kill(-child.pid!, "SIGINT");
    }
  });
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 15_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);

  assert.ok(interrupted, stderr);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /fake up 10: done/);
  assert.doesNotMatch(stderr, /canceled/);
  assert.doesNotMatch(stderr, /fake up 50/);
  const report = JSON.parse(stdout) as { outcome: string; steps: { weight: number; verdict: string }[] };
  assert.equal(report.outcome, "interrupted");
  assert.deepEqual(
    report.steps.map((s) => [s.weight, s.verdict]),
    [[10, "stopped"]],
  );
});
