// Runs examples/gloo-petstore under the recording mock runtime and prints the registered resources as JSON.
//   node --import tsx test/gloo/run-example.ts [key=value]...   (config of project gloo-petstore)
// A refused program prints its error message on stderr and exits with 1.
import { recordResources } from "../support/runtime";

async function main(): Promise<void> {
  const config: Record<string, string> = {};
  for (const arg of process.argv.slice(2)) {
    const eq = arg.indexOf("=");
    config[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  const rec = await recordResources(config, "gloo-petstore");
  await import("../../examples/gloo-petstore/index.js");
  await rec.settle();
  process.stdout.write(JSON.stringify(rec.resources));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
