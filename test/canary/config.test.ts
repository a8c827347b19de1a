import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  parseHeader,
  parsePromotionPolicy,
  parseReleaseConfig,
  readReleaseConfig,
  readReleaseConfigs,
} from "../../src/canary/config";
import { planRelease } from "../../src/release";
import { recordResources } from "../support/runtime";

describe("parseReleaseConfig", () => {
  test("reads the flat keys", () => {
    assert.deepEqual(
      parseReleaseConfig({
        stableVersion: "v1",
        canaryVersion: "v2",
        canaryWeight: "25",
        canaryHeader: "stage=canary",
        images: { v1: "repo/app:1.0.0" },
        image: "repo/app:{version}",
        replicas: "3",
      }),
      {
        stableVersion: "v1",
        canaryVersion: "v2",
        canaryWeight: 25,
        header: { name: "stage", value: "canary" },
        extraVersions: undefined,
        images: { v1: "repo/app:1.0.0", v2: "repo/app:v2" },
        replicas: 3,
      },
    );
  });

  test("every problem of the release's keys at once, one line each, with the path as written", () => {
    assert.throws(
      () =>
        parseReleaseConfig(
          {
            stableVersion: "V1",
            canaryVersion: "v2",
            canaryWeight: "50%",
            canaryHeader: "stage",
            images: { v2: "repo/app 2" },
            replicas: "0",
            canaryWieght: "10",
          },
          "releases.payments.",
        ),
      (err: Error & { problems?: { field: string }[] }) => {
        assert.deepEqual(
          err.problems?.map((p) => p.field),
          [
            "releases.payments.canaryWieght",
            "releases.payments.stableVersion",
            "releases.payments.canaryWeight",
            "releases.payments.canaryHeader",
            "releases.payments.replicas",
            "releases.payments.images.v2",
          ],
        );
        assert.equal(err.message.split("\n").length, 6);
        return true;
      },
    );
  });

  test("the weight defaults to 0 and the canary to none", () => {
    const release = parseReleaseConfig({ stableVersion: "blue" });
    assert.equal(release.canaryWeight, 0);
    assert.equal(release.canaryVersion, undefined);
    assert.deepEqual(release.images, {});
  });

  test("header rules read as name=value or name: value", () => {
    assert.deepEqual(parseHeader("canaryHeader", "stage: canary"), { name: "stage", value: "canary" });
    assert.deepEqual(parseHeader("canaryHeader", " x-version = v2 "), { name: "x-version", value: "v2" });
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "no stable version",
      {},
      /^ValidationError: stableVersion: got nothing; expected the version that serves traffic now/,
    ],
    [
      "weight abc",
      { stableVersion: "v1", canaryWeight: "abc" },
      /^ValidationError: canaryWeight: got "abc"; expected a whole number from 0 to 100/,
    ],
    ["weight 50%", { stableVersion: "v1", canaryWeight: "50%" }, /^ValidationError: canaryWeight: got "50%"/],
    ["weight -1", { stableVersion: "v1", canaryWeight: "-1" }, /^ValidationError: canaryWeight: got "-1"/],
    ["weight 101", { stableVersion: "v1", canaryWeight: "101" }, /^ValidationError: canaryWeight: got "101"/],
    [
      "weight 12.5",
      { stableVersion: "v1", canaryWeight: "12.5" },
      /^ValidationError: canaryWeight: got "12.5"/,
    ],
    ["empty weight", { stableVersion: "v1", canaryWeight: "" }, /^ValidationError: canaryWeight: got ""/],
    [
      "version V2",
      { stableVersion: "v1", canaryVersion: "V2" },
      /^ValidationError: canaryVersion: got "V2"; expected a DNS-1123 label/,
    ],
    [
      "version 1.2.0",
      { stableVersion: "1.2.0" },
      /^ValidationError: stableVersion: got "1.2.0"; expected a DNS-1123 label/,
    ],
    [
      "header without =",
      { stableVersion: "v1", canaryHeader: "stage" },
      /^ValidationError: canaryHeader: got "stage"; expected a header rule "name=value"/,
    ],
    [
      "header with empty value",
      { stableVersion: "v1", canaryHeader: "stage=" },
      /^ValidationError: canaryHeader: got "stage="/,
    ],
    [
      "images not a map",
      { stableVersion: "v1", images: "repo/app:1" },
      /^ValidationError: images: got "repo\/app:1"; expected a map from version to image/,
    ],
    [
      "image with a space",
      { stableVersion: "v1", images: { v1: "repo/app 1" } },
      /^ValidationError: images\.v1: got "repo\/app 1"; expected a container image reference/,
    ],
    [
      "replicas 0",
      { stableVersion: "v1", replicas: "0" },
      /^ValidationError: replicas: got "0"; expected a whole number of pods per version from 1 to 1000/,
    ],
    [
      "a misspelt key",
      { stableVersion: "v1", canaryWieght: "10" },
      /^ValidationError: canaryWieght: got "10"; expected one of the release keys/,
    ],
    [
      "extra versions not a list",
      { stableVersion: "v1", extraVersions: { dark: 5 } },
      /^ValidationError: extraVersions: got \{"dark":5\}; expected a list/,
    ],
    [
      "extra version bad weight",
      { stableVersion: "v1", extraVersions: [{ version: "dark", weight: "x" }] },
      /^ValidationError: extraVersions\[0\]\.weight: got "x"/,
    ],
  ];
  test("how keys fit together is left to planRelease, which checks it once", () => {
    const noCanary = parseReleaseConfig({ stableVersion: "v1", canaryWeight: "10" });
    assert.equal(noCanary.canaryWeight, 10);
    assert.throws(
      () => planRelease({ service: "payments", ...noCanary }),
      /^ValidationError: canaryWeight: got 10; expected 0 while no canaryVersion is set/,
    );
    const same = parseReleaseConfig({ stableVersion: "v1", canaryVersion: "v1" });
    assert.throws(
      () => planRelease({ service: "payments", ...same }, "releases.payments"),
      /^ValidationError: releases\.payments: canaryVersion: got "v1"; expected a version other than the stableVersion "v1"/,
    );
  });

  for (const [what, raw, message] of bad) {
    test(`refuses ${what}`, () => assert.throws(() => parseReleaseConfig(raw), message));
  }

  test("a prefix names structured keys in full", () => {
    assert.throws(
      () => parseReleaseConfig({ stableVersion: "v1", canaryWeight: 150 }, "releases.payments."),
      /^ValidationError: releases\.payments\.canaryWeight: got 150; expected a whole number from 0 to 100/,
    );
  });

  test("the hints name the key as written in config, with --path for a key inside a structured value", () => {
    assert.throws(
      () => parseReleaseConfig({ canaryVersion: "v2" }, "releases.payments."),
      (err: Error) => {
        assert.equal(
          err.message,
          "releases.payments.stableVersion: got nothing; expected the version that serves traffic now, e.g. `pulumi config set --path 'releases.payments.stableVersion' v1`",
        );
        return true;
      },
    );
    assert.throws(
      () => parseReleaseConfig({ canaryVersion: "v2" }),
      /stableVersion: got nothing; expected .*e\.g\. `pulumi config set stableVersion v1`$/,
    );
  });

  test("a misspelt key inside a structured value gets the hint of a misspelt top-level key", () => {
    assert.throws(
      () => parseReleaseConfig({ stableVersion: "v1", canaryWieght: 10, replica: 2 }, "releases.payments."),
      (err: Error) => {
        assert.deepEqual(err.message.split("\n"), [
          "releases.payments.canaryWieght: got 10; expected one of the release keys stableVersion, canaryVersion, canaryWeight, canaryHeader, images, image, replicas, extraVersions (did you mean releases.payments.canaryWeight? `pulumi config rm --path 'releases.payments.canaryWieght'` and set releases.payments.canaryWeight)",
          "releases.payments.replica: got 2; expected one of the release keys stableVersion, canaryVersion, canaryWeight, canaryHeader, images, image, replicas, extraVersions (did you mean releases.payments.replicas? `pulumi config rm --path 'releases.payments.replica'` and set releases.payments.replicas)",
        ]);
        return true;
      },
    );
    assert.throws(
      () => parseReleaseConfig({ stableVersion: "v1", owner: "team-a" }, "releases.payments."),
      (err: Error) => {
        assert.equal(
          err.message,
          'releases.payments.owner: got "team-a"; expected one of the release keys stableVersion, canaryVersion, canaryWeight, canaryHeader, images, image, replicas, extraVersions',
        );
        return true;
      },
    );
  });
});

describe("parsePromotionPolicy", () => {
  test("reads maxStep, requireHeaderTesting and canaryForce as written in stack config", () => {
    assert.deepEqual(
      parsePromotionPolicy(
        { maxStep: "25", requireHeaderTesting: "true", canaryForce: "false" },
        "stack prod",
      ),
      { maxStep: 25, requireHeaderTesting: true, force: false, source: "stack prod" },
    );
    assert.equal(parsePromotionPolicy({}), undefined);
  });

  test("refuses what it cannot read, naming the key, the value and what is accepted", () => {
    for (const bad of ["0", "101", "2.5", "-5", "ten", "025"]) {
      assert.throws(
        () => parsePromotionPolicy({ maxStep: bad }),
        new RegExp(`maxStep: got "${bad}"; expected a whole number from 1 to 100`),
      );
    }
    assert.throws(
      () => parsePromotionPolicy({ requireHeaderTesting: "yes" }),
      /requireHeaderTesting: got "yes"; expected true or false$/,
    );
    assert.throws(
      () => parsePromotionPolicy({ canaryForce: "1" }),
      /canaryForce: got "1"; expected true or false$/,
    );
  });
});

describe("readReleaseConfig from stack config", async () => {
  await recordResources({
    maxStep: "20",
    requireHeaderTesting: "true",
    fleet: JSON.stringify({
      orders: { stableVersion: "v1" },
      payments: { stableVersion: "v1", canaryVersion: "v2", canaryWeight: "30" },
    }),
    stableVersion: "v1",
    canaryVersion: "v2",
    canaryWeight: "10",
    images: JSON.stringify({ v1: "repo/app:1", v2: "repo/app:2" }),
    releases: JSON.stringify({
      payments: { stableVersion: "blue", canaryVersion: "green", canaryWeight: 50 },
      broken: { stableVersion: "blue", canaryWeight: 7 },
    }),
  });

  test("top-level keys in the project's namespace", () => {
    const release = readReleaseConfig();
    assert.equal(release.canaryWeight, 10);
    assert.deepEqual(release.policy, { maxStep: 20, requireHeaderTesting: true, source: "stack dev" });
    assert.deepEqual(release.images, { v1: "repo/app:1", v2: "repo/app:2" });
  });

  test("a structured path (pulumi config set --path)", () => {
    const release = readReleaseConfig({ path: "releases.payments" });
    assert.deepEqual(
      [release.stableVersion, release.canaryVersion, release.canaryWeight],
      ["blue", "green", 50],
    );
    assert.equal(release.policy?.maxStep, 20, "the policy is the stack's, whatever the release style");
  });

  test("a structured path that does not exist is named", () => {
    assert.throws(
      () => readReleaseConfig({ path: "releases.orders" }),
      /^InvalidConfigError: releases\.orders: got nothing; expected an object at config path releases\.orders/,
    );
    assert.throws(
      () => readReleaseConfig({ path: "nothing" }),
      /^InvalidConfigError: nothing: got nothing; expected an object at config path nothing/,
    );
  });

  test("every release under one key at once", () => {
    const fleet = readReleaseConfigs({ path: "fleet" });
    assert.deepEqual(Object.keys(fleet), ["orders", "payments"]);
    assert.deepEqual(
      [fleet.payments.canaryVersion, fleet.payments.canaryWeight, fleet.orders.canaryWeight],
      ["v2", 30, 0],
    );
    const releases = readReleaseConfigs({ path: "releases" });
    assert.equal(releases.broken.canaryWeight, 7);
    assert.throws(
      () => planRelease({ service: "broken", ...releases.broken }, "releases.broken"),
      /ValidationError: releases\.broken: canaryWeight: got 7; expected 0 while no canaryVersion is set/,
    );
  });

  test("a structured value read once is not changed by what callers do with the result", () => {
    const first = readReleaseConfig({ path: "releases.payments" });
    first.images.green = "changed";
    (first as { canaryWeight: number }).canaryWeight = 99;
    const again = readReleaseConfig({ path: "releases.payments" });
    assert.equal(again.canaryWeight, 50);
    assert.deepEqual(again.images, {});
  });

  test("another namespace's config", () => {
    assert.throws(
      () => readReleaseConfig({ config: new pulumi.Config("other") }),
      /^InvalidConfigError: stableVersion: got nothing/,
    );
  });
});
