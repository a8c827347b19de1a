// The stack of the promote command's signal test (signal.test.ts), loaded by the promote worker in place of the
// Automation API: FakeStack's config and outputs, and an `up` that, as the Automation API does, runs a child process
// in the worker's process group for about a second. That child stands in for the `pulumi` CLI: on SIGINT it cancels
// the update and exits 255. Each update prints `fake up W: started` (once the child listens for SIGINT), then `done`
// or `canceled`, on stderr.
import { spawn } from "node:child_process";
import type { StackOpener } from "../../src/cli/promote";
import { FakeStack } from "./fakes";

const ENGINE = `
process.on("SIGINT", () => process.exit(255));
process.stdout.write("listening\\n");
setTimeout(() => process.exit(0), 1000);
`;

class SlowStack extends FakeStack {
  override async up(): Promise<void> {
    const weight = this.config.get("canaryWeight");
    const code = await new Promise<number | null>((resolve, reject) => {
      const engine = spawn(process.execPath, ["-e", ENGINE], { stdio: ["ignore", "pipe", "ignore"] });
      // Once the stand-in listens for SIGINT, so that a signal sent from here on reaches it if it can.
      engine.stdout.once("data", () => process.stderr.write(`fake up ${weight}: started\n`));
      engine.once("error", reject);
      engine.once("exit", resolve);
    });
    if (code !== 0) {
      process.stderr.write(`fake up ${weight}: canceled\n`);
      throw new Error("update canceled");
    }
    process.stderr.write(`fake up ${weight}: done\n`);
    await super.up();
  }
}

export const open: StackOpener = async () =>
  new SlowStack({ stableVersion: "v1", canaryVersion: "v2", canaryWeight: "0" });
