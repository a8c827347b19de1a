import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { cli as render, FINALIZE_ARGS, ROOT as root } from "../support/render";

const fixture = path.join(root, "test", "fixtures", "render-program");
const errors = path.join(root, "test", "fixtures", "program-errors");

describe("pulumi-canary render", () => {
  test("prints the Gloo custom resource and the Consul splitter as JSON", async () => {
    const { code, stdout, stderr } = await render("render", fixture, "--stack", "test", "--output", "json");
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), [
      {
        apiVersion: "gloo.solo.io/v1",
        kind: "Upstream",
        metadata: { name: "checkout-v2", namespace: "shop", labels: { team: "payments" } },
        spec: {
          kube: {
            serviceName: "checkout",
            serviceNamespace: "shop",
            servicePort: 8080,
            selector: { version: "v2" },
          },
        },
      },
      {
        Kind: "service-splitter",
        Name: "checkout",
        Splits: [
          { Weight: 75, Service: "checkout", ServiceSubset: "v1" },
          { Weight: 25, Service: "checkout", ServiceSubset: "v2" },
        ],
      },
    ]);
    assert.match(stderr, /program output goes to stderr/);
  });

  test("--config overrides a stack value as pulumi config set would", async () => {
    const { code, stdout } = await render(
      "render",
      fixture,
      "--stack",
      "test",
      "--output",
      "json",
      "--config",
      "canaryWeight=60",
      "--config",
      "render-fixture:namespace=other",
    );
    assert.equal(code, 0);
    const [upstream, splitter] = JSON.parse(stdout) as Array<Record<string, never>>;
    assert.equal((upstream.metadata as { namespace: string }).namespace, "other");
    assert.deepEqual(
      (splitter.Splits as Array<{ Weight: number }>).map((s) => s.Weight),
      [40, 60],
    );
  });

  test("YAML (the default) is a multi-document stream, Kubernetes objects first", async () => {
    const { code, stdout } = await render("render", fixture, "--stack", "test");
    assert.equal(code, 0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as Record<string, unknown>);
    assert.deepEqual(
      docs.map((d) => d.kind ?? d.Kind),
      ["Upstream", "service-splitter"],
    );
    assert.match(stdout, /^---\napiVersion: gloo.solo.io\/v1\nkind: Upstream\n/);
  });

  test("--only keeps one layer", async () => {
    const kube = await render(
      "render",
      fixture,
      "--stack",
      "test",
      "--output",
      "json",
      "--only",
      "kubernetes",
    );
    assert.deepEqual(
      (JSON.parse(kube.stdout) as Array<{ kind: string }>).map((o) => o.kind),
      ["Upstream"],
    );
    const consul = await render("render", fixture, "--stack", "test", "--output", "json", "--only", "consul");
    assert.deepEqual(
      (JSON.parse(consul.stdout) as Array<{ Kind: string }>).map((o) => o.Kind),
      ["service-splitter"],
    );
  });

  /** The flagship's Gloo objects (`Kind name`) rendered with the given config changes. */
  const glooObjects = async (...changes: string[]): Promise<string[]> => {
    const { code, stdout, stderr } = await render(
      "render",
      root,
      "-s",
      "dev",
      "-o",
      "json",
      "--only",
      "gloo",
      ...changes,
    );
    assert.equal(code, 0, stderr);
    return (JSON.parse(stdout) as Array<{ kind: string; metadata: { name: string } }>).map(
      (o) => `${o.kind} ${o.metadata.name}`,
    );
  };

  test("--only gloo keeps the Gloo custom resources; --remove and path keys preview a finalize", async () => {
    assert.deepEqual(
      await glooObjects(
        ...["--config", "stableVersion=v2", "--remove", "canaryVersion", "--remove", "canaryHeader"],
        ...["--config", "canaryWeight=0", "--remove", "images.v1"],
      ),
      ["Upstream payments-v2", "VirtualService payments"],
    );
  });

  test("--config and --remove apply in the order given", async () => {
    const upstreams = async (...changes: string[]) =>
      (await glooObjects(...changes)).filter((o) => o.startsWith("Upstream "));
    assert.deepEqual(
      await upstreams(
        "--remove",
        "canaryVersion",
        "--config",
        "canaryVersion=v3",
        "--config",
        "images.v3=x/y:3",
      ),
      ["Upstream payments-v1", "Upstream payments-v3"],
    );
    assert.deepEqual(
      await upstreams(
        ...["--config", "canaryWeight=0", "--config", "canaryVersion=v3"],
        "--remove",
        "canaryVersion",
      ),
      ["Upstream payments-v1"],
    );
  });

  test("--previous judges the step as pulumi preview would: policy refusals and the subset kept while a version retires", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "previous-"));
    // The outputs a deployment at 50 % left, as `pulumi stack output --json` prints them.
    const at50 = await render(
      "render",
      root,
      "--stack",
      "dev",
      "--config",
      "canaryWeight=50",
      "--output",
      "table",
    );
    assert.equal(at50.code, 0, at50.stderr);
    const state = /^canaryReleases: (.*)$/m.exec(at50.stdout)?.[1];
    assert.ok(state, at50.stdout);
    const previous = path.join(dir, "outputs.json");
    writeFileSync(previous, JSON.stringify({ canaryReleases: JSON.parse(state) as unknown }));

    const consulDir = path.join(dir, "consul");
    const finalize = FINALIZE_ARGS;
    const judged = await render(
      "render",
      root,
      "--stack",
      "dev",
      ...finalize,
      "--previous",
      previous,
      "--only",
      "consul",
      "--consul-dir",
      consulDir,
    );
    assert.equal(judged.code, 0, judged.stderr);
    assert.deepEqual(readdirSync(consulDir).sort(), [
      "01-service-defaults-payments.json",
      "02-service-resolver-payments.json",
      "03-service-splitter-payments.json",
    ]);
    assert.match(judged.stderr, /v1 leaves the release while the previous deployment still routed to it/);
    const kept = JSON.parse(
      readFileSync(path.join(consulDir, "02-service-resolver-payments.json"), "utf8"),
    ) as {
      Subsets: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(kept.Subsets).sort(), ["v1", "v2"], "v1's subset stays for this update");
    const plain = await render(
      "render",
      root,
      "--stack",
      "dev",
      ...finalize,
      "--only",
      "consul",
      "--consul-dir",
      consulDir,
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(readdirSync(consulDir).sort(), [
      "01-service-defaults-payments.json",
      "02-service-resolver-payments.json",
      "03-service-splitter-payments.json",
    ]);
    const dropped = JSON.parse(
      readFileSync(path.join(consulDir, "02-service-resolver-payments.json"), "utf8"),
    ) as {
      Subsets: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(dropped.Subsets), ["v2"], "a first deployment keeps nothing");

    // prod's policy (maxStep 25, header testing first) refuses 50 % straight after 0 % without header testing.
    const prod = await render(
      "render",
      root,
      "--stack",
      "prod",
      "--config",
      "canaryWeight=50",
      "--previous",
      previous,
    );
    assert.equal(prod.code, 0, "from 50 % to 50 % is no step");
    writeFileSync(
      previous,
      JSON.stringify({
        canaryReleases: {
          payments: {
            current: {
              phase: "standby",
              stableVersion: "v1",
              canaryVersion: "v2",
              canaryWeight: 0,
              split: { v1: 100 },
              versions: ["v1", "v2"],
            },
            trail: [],
          },
        },
      }),
    );
    const refused = await render(
      "render",
      root,
      "--stack",
      "prod",
      "--config",
      "canaryWeight=50",
      "--previous",
      previous,
    );
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /canaryWeight: got 50; expected at most 25 after 0 was deployed \(maxStep 25 on stack prod/,
    );
    assert.match(
      refused.stderr,
      /canaryWeight: got 50; expected 0 for v2 until it has been deployed under header testing/,
    );

    const missing = await render("render", root, "--stack", "dev", "--previous", path.join(dir, "none.json"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--previous: cannot read .*none\.json/);
    writeFileSync(previous, "[1]");
    const list = await render("render", root, "--stack", "dev", "--previous", previous);
    assert.match(list.stderr, /--previous: .* holds a list; expected a JSON object of stack outputs/);
  });

  test("--consul-dir writes one entry per file, numbered in the engine's order, and replaces an earlier run's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "consul-dir-"));
    writeFileSync(path.join(dir, "09-service-router-stale.json"), "{}");
    writeFileSync(path.join(dir, "notes.txt"), "kept");
    const { code, stderr } = await render(
      "render",
      root,
      "--stack",
      "dev",
      "--consul-dir",
      dir,
      "--only",
      "consul",
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual(readdirSync(dir).sort(), [
      "01-service-defaults-payments.json",
      "02-service-resolver-payments.json",
      "03-service-splitter-payments.json",
      "04-service-router-payments.json",
      "notes.txt",
    ]);
    const splitter = JSON.parse(
      readFileSync(path.join(dir, "03-service-splitter-payments.json"), "utf8"),
    ) as {
      Kind: string;
      Splits: Array<{ Weight: number; ServiceSubset: string }>;
    };
    assert.equal(splitter.Kind, "service-splitter");
    assert.deepEqual(
      splitter.Splits.map((s) => [s.ServiceSubset, s.Weight]),
      [
        ["v1", 90],
        ["v2", 10],
      ],
    );
  });

  test("transforms, stack transforms and the older transformations show their effect", async () => {
    const { code, stdout, stderr } = await render(
      "render",
      path.join(root, "test", "fixtures", "transforms"),
      "-s",
      "test",
      "-o",
      "json",
    );
    assert.equal(code, 0, stderr);
    const objects = JSON.parse(stdout) as Array<{
      kind: string;
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      data?: Record<string, string>;
    }>;
    const byKind = Object.fromEntries(objects.map((o) => [o.kind, o]));
    for (const o of objects)
      assert.equal(o.metadata.labels?.team, "payments", `${o.kind}: the stack transform`);
    assert.deepEqual(byKind.Deployment.metadata.annotations, { "example.com/owner": "payments" });
    assert.equal(
      byKind.Service.metadata.annotations,
      undefined,
      "the component's transform picks Deployments only",
    );
    assert.deepEqual(byKind.ConfigMap.data, { mode: "transformed" });
  });

  test("a syntax error prints the compiler's message with the file and line", async () => {
    const { code, stdout, stderr } = await render("render", path.join(errors, "syntax-error"), "-s", "test");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^pulumi-canary: Transform failed with 1 error:\n.*syntax-error\/index\.ts:4:\d+: ERROR: /,
    );
  });

  test("a program error prints its message and where in the program it happened", async () => {
    const { code, stdout, stderr } = await render("render", path.join(errors, "type-error"), "-s", "test");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^pulumi-canary: TypeError: Cannot read properties of undefined \(reading 'name'\)\n/,
    );
    assert.match(stderr, /at test\/fixtures\/program-errors\/type-error\/index\.ts:6:\d+\n$/);
  });

  test("an output that resolves to a value a component refuses prints the error naming the argument", async () => {
    const dir = path.join(errors, "bad-output");
    const ok = await render("render", dir, "-s", "test", "-o", "json");
    assert.equal(ok.code, 0, ok.stderr);
    for (const [change, line] of [
      [
        "namespace=Not A Label",
        /^pulumi-canary: CanaryRelease payments: namespace: got "Not A Label"; expected a DNS-1123 label .*\(the value resolved from an output\)\n$/,
      ],
      [
        "image=",
        /^pulumi-canary: CanaryRelease payments: images\.v1: got ""; expected a container image .*\(the value resolved from an output\)\n$/,
      ],
    ] as const) {
      const { code, stdout, stderr } = await render("render", dir, "-s", "test", "-c", change);
      assert.equal(code, 1, change);
      assert.equal(stdout, "");
      assert.match(stderr, line);
    }
  });

  test("--typecheck refuses a program that does not type-check; without it the program runs", async () => {
    const dir = path.join(errors, "does-not-type-check");
    const checked = await render("render", dir, "-s", "test", "--typecheck");
    assert.equal(checked.code, 1);
    assert.equal(checked.stdout, "");
    assert.match(checked.stderr, /^pulumi-canary: the program does not type-check:\n/);
    assert.match(
      checked.stderr,
      /does-not-type-check\/index\.ts:8:3 - error TS2820: Type '"http"' is not assignable/,
    );
    assert.equal((await render("render", dir, "-s", "test")).code, 0);
  });

  test("an override nothing reads is refused with the keys there are", async () => {
    const { code, stdout, stderr } = await render("render", fixture, "-s", "test", "-c", "canaryWieght=50");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^pulumi-canary: --config canaryWieght: nothing reads render-fixture:canaryWieght: it is not in the stack's config and the program does not read it; keys here: .*render-fixture:canaryWeight/m,
    );
  });

  test("no arguments and help print the usage; an unknown option is one clean line", async () => {
    for (const args of [[], ["help"], ["--help"]]) {
      const { code, stdout } = await render(...args);
      assert.equal(code, 0, args.join(" "));
      assert.match(stdout, /^Usage: pulumi-canary render \[DIR\] --stack NAME/);
      assert.match(stdout, /-s, --stack NAME/);
    }
    const unknown = await render("render", fixture, "-s", "test", "--colour");
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      'pulumi-canary: usage: unknown option "--colour" (see pulumi-canary --help)\n',
    );
  });

  test("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      version: string;
    };
    assert.deepEqual(await render("--version"), { code: 0, stdout: `${version}\n`, stderr: "" });
  });

  test("the table shows the split and the stack outputs", async () => {
    const { code, stdout } = await render("render", fixture, "--stack", "test", "--output", "table");
    assert.equal(code, 0);
    assert.match(stdout, /render-fixture \(stack test\): 1 Kubernetes object\(s\), 1 Consul entry/);
    assert.match(stdout, /consul\s+service-splitter checkout\s+\*\s+checkout subset v1\s+75%/);
    assert.match(stdout, /consul\s+service-splitter checkout\s+\*\s+checkout subset v2\s+25%/);
    assert.match(stdout, /canaryWeight: 25/);
  });

  for (const bad of ["abc", "-1", "101", "12.5", "", "50%"]) {
    test(`a bad config value (${JSON.stringify(bad)}) exits non-zero, names the key, prints nothing on stdout`, async () => {
      const { code, stdout, stderr } = await render(
        "render",
        fixture,
        "--stack",
        "test",
        "--config",
        `canaryWeight=${bad}`,
      );
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      assert.match(
        stderr,
        new RegExp(
          `^pulumi-canary: canaryWeight: got ${JSON.stringify(bad).replace(/[.]/g, "\\.")}; expected a whole number from 0 to 100`,
        ),
      );
    });
  }

  test("a missing required config value is named", async () => {
    const { code, stdout, stderr } = await render("render", fixture, "--stack", "test", "--remove", "labels");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(stderr, "pulumi-canary: Missing required configuration variable 'render-fixture:labels'\n");
  });

  test("a structured config value that is not JSON is named", async () => {
    const { code, stdout, stderr } = await render(
      "render",
      fixture,
      "--stack",
      "test",
      "--config",
      "labels=[1",
    );
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      "pulumi-canary: Configuration 'render-fixture:labels' value '[1' is not a valid JSON object\n",
    );
  });

  test("--remove of a key or path that is not set is refused, naming it and the near keys; nothing is created", async () => {
    const typo = await render("render", root, "-s", "dev", "--remove", "canaryVersoin");
    assert.equal(typo.code, 1);
    assert.equal(typo.stdout, "");
    assert.equal(
      typo.stderr,
      "pulumi-canary: --remove canaryVersoin: canaryVersoin is not set; did you mean canaryVersion?\n",
    );
    const inside = await render("render", root, "-s", "dev", "--remove", "images.v3");
    assert.equal(inside.code, 1);
    assert.equal(
      inside.stderr,
      "pulumi-canary: --remove images.v3: images.v3 is not set; set in images: images.v1, images.v2\n",
    );
    const consumer = path.join(root, "test", "fixtures", "consumer");
    const parent = await render("render", consumer, "-s", "dev", "--remove", "releases.paymnts.canaryWeight");
    assert.equal(parent.code, 1);
    assert.equal(
      parent.stderr,
      "pulumi-canary: --remove releases.paymnts.canaryWeight: releases.paymnts is not set; did you mean releases.payments?\n",
    );
  });

  test("an unknown stack is refused", async () => {
    const { code, stdout, stderr } = await render("render", fixture, "--stack", "staging");
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^pulumi-canary: stack "staging": no Pulumi.staging.yaml in .*; stacks here: test\n$/,
    );
  });

  test("usage errors exit 2", async () => {
    for (const args of [
      ["render", fixture],
      ["render", fixture, "--stack", "test", "--output", "xml"],
      ["deploy"],
      ["render", fixture, "--stack", "test", "--config", "novalue"],
    ]) {
      const { code, stdout, stderr } = await render(...args);
      assert.equal(code, 2, args.join(" "));
      assert.equal(stdout, "");
      assert.match(stderr, /^pulumi-canary: usage: .*\(see pulumi-canary --help\)\n$/);
    }
  });
});
