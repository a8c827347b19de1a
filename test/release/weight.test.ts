import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseWeight, ValidationError } from "../../src/release";

describe("parseWeight", () => {
  for (const [raw, expected] of [
    ["0", 0],
    ["10", 10],
    ["100", 100],
    [50, 50],
    [0, 0],
  ] as const) {
    test(`accepts ${JSON.stringify(raw)}`, () => assert.equal(parseWeight("canaryWeight", raw), expected));
  }

  for (const raw of [
    "abc",
    " 25 ",
    "025",
    "+25",
    "25.0",
    "-1",
    "101",
    "12.5",
    "",
    "NaN",
    "50%",
    "1e1",
    "0x10",
    " ",
    -1,
    101,
    12.5,
    Number.NaN,
    Infinity,
    null,
    undefined,
    true,
  ]) {
    test(`refuses ${typeof raw === "number" ? String(raw) : JSON.stringify(raw)}`, () => {
      assert.throws(
        () => parseWeight("canaryWeight", raw),
        (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.equal(err.field, "canaryWeight");
          assert.match(err.message, /^canaryWeight: got .+; expected a whole number from 0 to 100/);
          return true;
        },
      );
    });
  }

  test("the message shows the value as given", () => {
    assert.throws(
      () => parseWeight("canaryWeight", "50%"),
      /canaryWeight: got "50%"; expected a whole number from 0 to 100/,
    );
    assert.throws(() => parseWeight("canaryWeight", Number.NaN), /canaryWeight: got NaN;/);
    assert.throws(() => parseWeight("canaryWeight", ""), /canaryWeight: got "";/);
  });

  test("a scope prefixes the message", () => {
    assert.throws(
      () => parseWeight("canaryWeight", "x", "payments"),
      /^ValidationError: payments: canaryWeight: got "x"/,
    );
  });
});
