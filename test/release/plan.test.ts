import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { describeSplit, planRelease, ReleasePhase, type ReleaseSpec } from "../../src/release";

const base: ReleaseSpec = { service: "payments", stableVersion: "blue" };

describe("planRelease phases", () => {
  test("stable only: one destination, all traffic", () => {
    const plan = planRelease(base);
    assert.equal(plan.phase, ReleasePhase.Stable);
    assert.deepEqual(plan.destinations, [{ version: "blue", weight: 100 }]);
    assert.deepEqual(plan.versions, ["blue"]);
    assert.equal(plan.headerRoute, undefined);
    assert.equal(plan.stableWeight, 100);
  });

  test("a canary at weight 0 with no header rule is on standby and gets nothing", () => {
    const plan = planRelease({ ...base, canaryVersion: "green", canaryWeight: 0 });
    assert.equal(plan.phase, ReleasePhase.Standby);
    assert.deepEqual(plan.destinations, [{ version: "blue", weight: 100 }]);
    assert.deepEqual(plan.versions, ["blue", "green"]);
  });

  test("header testing: weight 0 and a header rule route the header to the canary", () => {
    const plan = planRelease({ ...base, canaryVersion: "green", header: { name: "stage", value: "canary" } });
    assert.equal(plan.phase, ReleasePhase.HeaderTesting);
    assert.deepEqual(plan.destinations, [{ version: "blue", weight: 100 }]);
    assert.deepEqual(plan.headerRoute, { header: { name: "stage", value: "canary" }, version: "green" });
  });

  test("weighted: the stable weight is derived from the canary weight", () => {
    const plan = planRelease({ ...base, canaryVersion: "green", canaryWeight: 10 });
    assert.equal(plan.phase, ReleasePhase.Weighted);
    assert.deepEqual(plan.destinations, [
      { version: "blue", weight: 90 },
      { version: "green", weight: 10 },
    ]);
    assert.equal(describeSplit(plan.destinations), "blue 90% / green 10%");
  });

  test("shifted: weight 100 sends everything to the canary, the stable version keeps running", () => {
    const plan = planRelease({
      ...base,
      canaryVersion: "green",
      canaryWeight: 100,
      header: { name: "stage", value: "canary" },
    });
    assert.equal(plan.phase, ReleasePhase.Shifted);
    assert.deepEqual(plan.destinations, [{ version: "green", weight: 100 }]);
    assert.deepEqual(plan.versions, ["blue", "green"]);
    assert.equal(plan.headerRoute?.version, "green");
  });

  test("a header rule without a canary has nothing to route to and is kept out of the plan", () => {
    const plan = planRelease({ ...base, header: { name: "stage", value: "canary" } });
    assert.equal(plan.phase, ReleasePhase.Stable);
    assert.equal(plan.headerRoute, undefined);
  });

  test("N-way: further versions take fixed shares, stable the rest", () => {
    const plan = planRelease({
      ...base,
      canaryVersion: "green",
      canaryWeight: 20,
      extraVersions: [{ version: "dark", weight: 5 }],
    });
    assert.deepEqual(plan.destinations, [
      { version: "blue", weight: 75 },
      { version: "green", weight: 20 },
      { version: "dark", weight: 5 },
    ]);
    assert.deepEqual(plan.versions, ["blue", "green", "dark"]);
  });
});

describe("planRelease refuses bad input, naming field, value and what is accepted", () => {
  const cases: Array<[string, ReleaseSpec, RegExp]> = [
    [
      "weight above 0 with no canary",
      { ...base, canaryWeight: 10 },
      /canaryWeight: got 10; expected 0 while no canaryVersion is set/,
    ],
    [
      "canary equal to stable",
      { ...base, canaryVersion: "blue" },
      /canaryVersion: got "blue"; expected a version other than the stableVersion "blue"/,
    ],
    [
      "upper-case version",
      { ...base, stableVersion: "V1" },
      /stableVersion: got "V1"; expected a DNS-1123 label/,
    ],
    [
      "dotted version",
      { ...base, canaryVersion: "v1.2" },
      /canaryVersion: got "v1.2"; expected a DNS-1123 label/,
    ],
    [
      "version ending in '-'",
      { ...base, canaryVersion: "v2-" },
      /canaryVersion: got "v2-"; expected a DNS-1123 label/,
    ],
    ["empty version", { ...base, stableVersion: "" }, /stableVersion: got ""; expected a DNS-1123 label/],
    [
      "64-character version",
      { ...base, canaryVersion: "a".repeat(64) },
      /canaryVersion: got "a{64}"; expected a DNS-1123 label/,
    ],
    [
      "service-version name too long",
      { ...base, canaryVersion: "a".repeat(60) },
      /canaryVersion: got "a{60}"; expected a version short enough that "<service>-<version>" \(here "payments-a{60}", 69 characters\) fits in 63 characters/,
    ],
    [
      "bad service name",
      { ...base, service: "Payments_API" },
      /service: got "Payments_API"; expected a DNS-1123 label/,
    ],
    [
      "header with empty name",
      { ...base, canaryVersion: "green", header: { name: "", value: "canary" } },
      /header.name: got ""; expected a non-empty HTTP header name/,
    ],
    [
      "header name with a space",
      { ...base, canaryVersion: "green", header: { name: "my stage", value: "canary" } },
      /header.name: got "my stage"/,
    ],
    [
      "header with empty value",
      { ...base, canaryVersion: "green", header: { name: "stage", value: "" } },
      /header.value: got ""; expected a non-empty header value/,
    ],
    [
      "weight 12.5",
      { ...base, canaryVersion: "green", canaryWeight: 12.5 },
      /canaryWeight: got 12.5; expected a whole number from 0 to 100/,
    ],
    ["weight 101", { ...base, canaryVersion: "green", canaryWeight: 101 }, /canaryWeight: got 101;/],
    [
      "weights above 100 in all",
      { ...base, canaryVersion: "green", canaryWeight: 90, extraVersions: [{ version: "dark", weight: 20 }] },
      /canaryWeight \+ extraVersions\[\*\]\.weight: got 110; expected a total of at most 100/,
    ],
    [
      "extra version repeating the canary",
      { ...base, canaryVersion: "green", extraVersions: [{ version: "green", weight: 5 }] },
      /extraVersions\[0\]\.version: got "green"; expected a version not already named/,
    ],
    [
      "extra version with a bad weight",
      { ...base, extraVersions: [{ version: "dark", weight: -5 }] },
      /extraVersions\[0\]\.weight: got -5;/,
    ],
  ];
  for (const [what, spec, message] of cases) {
    test(what, () => assert.throws(() => planRelease(spec), message));
  }
});

describe("planRelease properties", () => {
  const version = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
  const spec = fc
    .record({
      stable: version,
      canary: version,
      weight: fc.integer({ min: 0, max: 100 }),
      extras: fc.array(fc.record({ version, weight: fc.integer({ min: 0, max: 30 }) }), { maxLength: 3 }),
      header: fc.boolean(),
    })
    .filter(({ stable, canary, extras, weight }) => {
      const names = [stable, canary, ...extras.map((e) => e.version)];
      return new Set(names).size === names.length && weight + extras.reduce((s, e) => s + e.weight, 0) <= 100;
    });

  test("destinations always sum to exactly 100 and carry no zero weight", () => {
    fc.assert(
      fc.property(spec, ({ stable, canary, weight, extras, header }) => {
        const plan = planRelease({
          service: "svc",
          stableVersion: stable,
          canaryVersion: canary,
          canaryWeight: weight,
          extraVersions: extras,
          header: header ? { name: "stage", value: "canary" } : undefined,
        });
        assert.equal(
          plan.destinations.reduce((sum, d) => sum + d.weight, 0),
          100,
        );
        assert.ok(plan.destinations.every((d) => d.weight > 0 && Number.isInteger(d.weight)));
      }),
    );
  });

  test("the complement rule: stable = 100 - canary - further versions, and the canary gets exactly its weight", () => {
    fc.assert(
      fc.property(spec, ({ stable, canary, weight, extras }) => {
        const plan = planRelease({
          service: "svc",
          stableVersion: stable,
          canaryVersion: canary,
          canaryWeight: weight,
          extraVersions: extras,
        });
        const extraTotal = extras.reduce((sum, e) => sum + e.weight, 0);
        assert.equal(plan.stableWeight, 100 - weight - extraTotal);
        const canaryShare = plan.destinations.find((d) => d.version === canary)?.weight ?? 0;
        assert.equal(canaryShare, weight);
        const stableShare = plan.destinations.find((d) => d.version === stable)?.weight ?? 0;
        assert.equal(stableShare, plan.stableWeight);
      }),
    );
  });

  test("every running version is listed once, and every destination is a running version", () => {
    fc.assert(
      fc.property(spec, ({ stable, canary, weight, extras }) => {
        const plan = planRelease({
          service: "svc",
          stableVersion: stable,
          canaryVersion: canary,
          canaryWeight: weight,
          extraVersions: extras,
        });
        assert.equal(new Set(plan.versions).size, plan.versions.length);
        assert.ok(plan.destinations.every((d) => plan.versions.includes(d.version)));
        assert.ok(plan.versions.includes(stable) && plan.versions.includes(canary));
      }),
    );
  });

  test("a weight change never changes the running versions or the header route", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b) => {
        const at = (w: number) =>
          planRelease({
            ...base,
            canaryVersion: "green",
            canaryWeight: w,
            header: { name: "stage", value: "canary" },
          });
        assert.deepEqual(at(a).versions, at(b).versions);
        assert.deepEqual(at(a).headerRoute, at(b).headerRoute);
      }),
    );
  });
});
