import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatGoDuration,
  isCanonicalGoDuration,
  normalizeGoDuration,
  parseGoDuration,
} from "../../src/consul/duration";
import { ValidationError } from "../../src/release";

void describe("parseGoDuration", () => {
  void it("reads Go's duration grammar in nanoseconds", () => {
    assert.equal(parseGoDuration("5s"), 5_000_000_000n);
    assert.equal(parseGoDuration("250ms"), 250_000_000n);
    assert.equal(parseGoDuration("1m30s"), 90_000_000_000n);
    assert.equal(parseGoDuration("1.5h"), 5_400_000_000_000n);
    assert.equal(parseGoDuration(".5s"), 500_000_000n);
    assert.equal(parseGoDuration("1.s"), 1_000_000_000n);
    assert.equal(parseGoDuration("2us"), 2_000n);
    assert.equal(parseGoDuration("2\u00b5s"), 2_000n);
    assert.equal(parseGoDuration("2\u03bcs"), 2_000n);
    assert.equal(parseGoDuration("7ns"), 7n);
    assert.equal(parseGoDuration("0"), 0n);
    assert.equal(parseGoDuration("-3s"), -3_000_000_000n);
    assert.equal(parseGoDuration("+3s"), 3_000_000_000n);
  });

  void it("refuses what Go refuses, values beyond int64 and sub-nanosecond fractions", () => {
    for (const text of [
      "",
      "5",
      "s",
      ".s",
      "5 s",
      "5S",
      "5sec",
      "1d",
      "-",
      "1.5ns",
      "2562048h",
      "constructor",
    ]) {
      assert.equal(parseGoDuration(text), undefined, text);
    }
  });
});

void describe("formatGoDuration", () => {
  void it("prints like Go's Duration.String", () => {
    const cases: [bigint, string][] = [
      [0n, "0s"],
      [7n, "7ns"],
      [1_500n, "1.5\u00b5s"],
      [250_000_000n, "250ms"],
      [1_500_000_000n, "1.5s"],
      [5_000_000_000n, "5s"],
      [60_000_000_000n, "1m0s"],
      [90_500_000_000n, "1m30.5s"],
      [3_600_000_000_000n, "1h0m0s"],
      [5_400_000_000_000n, "1h30m0s"],
      [-5_000_000_000n, "-5s"],
    ];
    for (const [ns, text] of cases) assert.equal(formatGoDuration(ns), text);
  });
});

void describe("isCanonicalGoDuration", () => {
  void it("accepts only the form a duration reads back in", () => {
    assert.equal(isCanonicalGoDuration("5s"), true);
    assert.equal(isCanonicalGoDuration("1m0s"), true);
    assert.equal(isCanonicalGoDuration("60s"), false);
    assert.equal(isCanonicalGoDuration("1m"), false);
    assert.equal(isCanonicalGoDuration("1500ms"), false);
    assert.equal(isCanonicalGoDuration("nonsense"), false);
  });
});

void describe("normalizeGoDuration", () => {
  void it("returns the read-back form", () => {
    assert.equal(normalizeGoDuration("connectTimeout", "60s"), "1m0s");
    assert.equal(normalizeGoDuration("connectTimeout", "1500ms"), "1.5s");
    assert.equal(normalizeGoDuration("connectTimeout", "90m"), "1h30m0s");
    assert.equal(normalizeGoDuration("connectTimeout", "5s"), "5s");
  });

  void it("refuses non-durations, zero and negative values, naming the field", () => {
    for (const value of ["5", "5 seconds", "", "0s", "0", "-1s", 5, undefined]) {
      assert.throws(
        () => normalizeGoDuration("requestTimeout", value, "payments"),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.field === "requestTimeout" &&
          /^payments: requestTimeout: got .*; expected a positive Go duration such as "5s"/.test(err.message),
      );
    }
  });
});
