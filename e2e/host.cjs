// Runs one engine operation (preview, up, destroy) on a Pulumi program through the Automation API, loading the
// program the way the Node.js language host does for `pulumi up`.
//
// The language host runs `node <runtime.options.nodeargs> @pulumi/pulumi/cmd/run <main> --pwd <project dir>` with
// PULUMI_NODEJS_TYPESCRIPT set from `runtime.options.typescript` (default true). That host binary is served by no
// registry, so the harness (e2e/lib/engine.ts) starts this file with the same node arguments and environment, and
// the inline program below calls the SDK's own runner (cmd/run's `run`) with the program's `main` and directory:
// ts-node registration, entry-point resolution from package.json, module loading and error reporting are the
// SDK's code, not ours. Only the runner's wrapping of the program in a Stack resource is left to the Automation
// API's inline-program server, which wraps it the same way.
//
//   node [nodeargs] e2e/host.cjs REQUEST.json     (writes the result JSON to request.result)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire, Module } = require("node:module");

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  // The SDK the program itself loads (its nearest node_modules), so the runner and the program share one runtime.
  const fromProgram = createRequire(path.join(request.programDir, "index.js"));
  const automation = fromProgram("@pulumi/pulumi/automation");
  const stackModule = fromProgram("@pulumi/pulumi/runtime/stack");
  // cmd/run/run.js imports its folder's index.js, the runner's command-line entry point, which starts a run from
  // process.argv as soon as it is loaded; of it run.js reads one constant (the exit code after a reported module load
  // failure). Stand in for that entry point with just the constant.
  const entry = fromProgram.resolve("@pulumi/pulumi/cmd/run");
  const stand = new Module(entry);
  stand.filename = entry;
  stand.loaded = true;
  stand.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
  require.cache[entry] = stand;
  const runner = fromProgram("@pulumi/pulumi/cmd/run/run");

  const program = async () => {
    const wrap = stackModule.runInPulumiStack;
    // The inline-program server has already opened the Stack resource this run registers into.
    stackModule.runInPulumiStack = (fn) => fn();
    try {
      return await runner.run(
        { _: [request.main], pwd: request.programDir },
        () => undefined,
        () => undefined,
        () => false,
      );
    } finally {
      stackModule.runInPulumiStack = wrap;
    }
  };

  const stack = await automation.LocalWorkspace.selectStack(
    { stackName: request.stack, projectName: request.project, program },
    { workDir: request.workDir, envVars: request.env },
  );
  const steps = [];
  const diagnostics = [];
  const onEvent = (event) => {
    const pre = event.resourcePreEvent;
    if (pre && pre.metadata) {
      const m = pre.metadata;
      steps.push({ op: m.op, type: m.type, urn: m.urn, diffs: m.diffs ?? [], detailedDiff: m.detailedDiff });
    }
    const diag = event.diagnosticEvent;
    if (diag && (diag.severity === "error" || diag.severity === "warning")) {
      diagnostics.push(`${diag.severity}: ${String(diag.message).trim()}`);
    }
  };
  const started = Date.now();
  const result = { op: request.op, ok: false, steps, diagnostics };
  try {
    if (request.op === "preview") {
      const r = await stack.preview({ onEvent, diff: false });
      result.changeSummary = r.changeSummary;
    } else if (request.op === "up") {
      const r = await stack.up({ onEvent });
      result.changeSummary = r.summary.resourceChanges;
      result.outputs = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
    } else if (request.op === "destroy") {
      const r = await stack.destroy({ onEvent });
      result.changeSummary = r.summary.resourceChanges;
    } else {
      throw new Error(`unknown op ${request.op}`);
    }
    result.ok = true;
  } catch (err) {
    result.error = String((err && err.message) || err);
  }
  result.durationMs = Date.now() - started;
  fs.writeFileSync(request.result, JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exit(1);
  },
);
