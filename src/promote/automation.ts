// The stack of `pulumi-canary promote` through Pulumi's Automation API: the program's folder, the stack's own config
// and state, the `pulumi` CLI on PATH (as `pulumi up` in that folder would run it).
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import type { PromotionStack } from "./run";

/** The stack NAME of the Pulumi project in DIR, as a promotion drives it. */
export async function automationStack(
  dir: string,
  stackName: string,
  onOutput?: (text: string) => void,
): Promise<PromotionStack> {
  const stack: Stack = await LocalWorkspace.selectStack({ stackName, workDir: dir });
  return {
    name: stackName,
    async getConfig(key, path) {
      try {
        return (await stack.getConfig(key, path)).value;
      } catch (err) {
        if (/not found|no such|missing/i.test((err as Error).message)) return undefined;
        throw err;
      }
    },
    async setConfig(key, value, path) {
      await stack.setConfig(key, { value }, path);
    },
    async removeConfig(key, path) {
      await stack.removeConfig(key, path);
    },
    async up() {
      await stack.up(onOutput ? { onOutput } : {});
    },
    async outputs() {
      const outputs = await stack.outputs();
      return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value as unknown]));
    },
  };
}
