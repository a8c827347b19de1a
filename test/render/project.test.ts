import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { readProject } from "../../src/render/project";

/** A throw-away project with the given Pulumi.yaml and Pulumi.dev.yaml texts. */
function project(projectYaml: string, stackYaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "render-project-"));
  writeFileSync(path.join(dir, "Pulumi.yaml"), projectYaml);
  writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stackYaml);
  return dir;
}

const STACK = [
  "config:",
  "  app:canaryWeight: '10'",
  "  app:images:",
  "    v1: registry/app:1",
  "  app:releases:",
  "    payments:",
  "      canaryWeight: 10",
  "      extra: [1, 2]",
  "",
].join("\n");
const dir = project("name: app\nruntime: nodejs\nmain: index.ts\n", STACK);

void describe("render config changes, as pulumi config set / rm [--path]", () => {
  test("a plain key is set as a string", () => {
    const { config } = readProject(dir, "dev", [{ key: "canaryWeight", value: "50" }]);
    assert.equal(config["app:canaryWeight"], "50");
  });

  test("a path key sets inside the structured value, typed as pulumi config set --path types it", () => {
    const { config } = readProject(dir, "dev", [
      { key: "releases.payments.canaryWeight", value: "50" },
      { key: "releases.payments.enabled", value: "true" },
      { key: "images.v3", value: "registry/app:3" },
      { key: "releases.orders.stableVersion", value: "v1" },
    ]);
    assert.deepEqual(JSON.parse(config["app:releases"]), {
      payments: { canaryWeight: 50, extra: [1, 2], enabled: true },
      orders: { stableVersion: "v1" },
    });
    assert.deepEqual(JSON.parse(config["app:images"]), { v1: "registry/app:1", v3: "registry/app:3" });
  });

  test("a list index and a new top-level structured key", () => {
    const { config } = readProject(dir, "dev", [
      { key: "releases.payments.extra[1]", value: "7" },
      { key: "app:labels.team", value: "payments" },
    ]);
    assert.deepEqual(JSON.parse(config["app:releases"]).payments.extra, [1, 7]);
    assert.deepEqual(JSON.parse(config["app:labels"]), { team: "payments" });
  });

  test("a removal drops a key, or one value inside a structured key", () => {
    const { config } = readProject(dir, "dev", [
      { key: "canaryWeight" },
      { key: "releases.payments.extra" },
      { key: "images.v1" },
    ]);
    assert.equal("app:canaryWeight" in config, false);
    assert.deepEqual(JSON.parse(config["app:releases"]), { payments: { canaryWeight: 10 } });
    assert.deepEqual(JSON.parse(config["app:images"]), {});
  });

  test("removing a key that is not set is refused, naming it and the near keys", () => {
    assert.throws(
      () => readProject(dir, "dev", [{ key: "canaryWieght" }]),
      /^RenderError: --remove canaryWieght: canaryWieght is not set; did you mean canaryWeight\?$/,
    );
    assert.throws(
      () => readProject(dir, "dev", [{ key: "app:notThere" }]),
      /^RenderError: --remove app:notThere: app:notThere is not set; set here: app:canaryWeight, app:images, app:releases$/,
    );
    assert.throws(
      () => readProject(dir, "dev", [{ key: "releases.payments.extra[2]" }]),
      /--remove releases\.payments\.extra\[2\]: releases\.payments\.extra\[2\] is not set; set in releases\.payments\.extra: releases\.payments\.extra\[0\], releases\.payments\.extra\[1\]$/,
    );
    assert.throws(
      () => readProject(dir, "dev", [{ key: "canaryWeight" }, { key: "canaryWeight" }]),
      /--remove canaryWeight: canaryWeight is not set/,
      "what an earlier change removed is not set",
    );
  });

  test("removing a path whose parent is not set is refused, and creates nothing", () => {
    assert.throws(
      () => readProject(dir, "dev", [{ key: "releases.paymnts.canaryWeight" }]),
      /^RenderError: --remove releases\.paymnts\.canaryWeight: releases\.paymnts is not set; did you mean releases\.payments\?$/,
    );
    assert.throws(
      () => readProject(dir, "dev", [{ key: "labels.team" }]),
      /^RenderError: --remove labels\.team: labels is not set; set here: canaryWeight, images, releases$/,
    );
    const { config } = readProject(dir, "dev", [{ key: "releases.payments.canaryWeight" }]);
    assert.deepEqual(JSON.parse(config["app:releases"]), { payments: { extra: [1, 2] } });
  });

  test("changes apply in order: set after remove", () => {
    const { config } = readProject(dir, "dev", [
      { key: "canaryWeight" },
      { key: "canaryWeight", value: "5" },
    ]);
    assert.equal(config["app:canaryWeight"], "5");
  });

  test("a path into a plain string value is refused with the key", () => {
    assert.throws(
      () => readProject(dir, "dev", [{ key: "canaryWeight.x", value: "1" }]),
      /--config canaryWeight\.x: app:canaryWeight holds "10", not a structured value/,
    );
  });

  test("an index into an object is refused", () => {
    assert.throws(
      () => readProject(dir, "dev", [{ key: "images[0]", value: "x" }]),
      /\[0\] indexes a list, but the value there is an object/,
    );
  });
});

void describe("the program render runs, as pulumi up finds it", () => {
  test("main from Pulumi.yaml", () => {
    assert.equal(readProject(dir, "dev").main, path.join(dir, "index.ts"));
  });

  test("without main: the nearest package.json's entry point, as the SDK's runner resolves it", () => {
    const bare = project("name: app\nruntime: nodejs\n", "config: {}\n");
    writeFileSync(path.join(bare, "package.json"), JSON.stringify({ name: "x", main: "bin/index.js" }));
    assert.equal(readProject(bare, "dev").main, path.join(bare, "bin", "index.js"));
    writeFileSync(
      path.join(bare, "package.json"),
      JSON.stringify({ name: "x", main: "ignored.js", exports: { ".": { default: "./lib/main.js" } } }),
    );
    assert.equal(readProject(bare, "dev").main, path.join(bare, "lib", "main.js"));
  });
});
