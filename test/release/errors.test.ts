import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Checks, ValidationError } from "../../src/release";

describe("ValidationError", () => {
  test("names the field, the value and what is accepted, after the scope", () => {
    const err = new ValidationError("port", 0, "a port", "Upstream x");
    assert.equal(err.message, "Upstream x: port: got 0; expected a port");
    assert.deepEqual(err.problems, [{ field: "port", value: 0, accepted: "a port", scope: "Upstream x" }]);
  });

  test("several problems: one line each, the first is the error's own field", () => {
    const err = ValidationError.of([
      { field: "a", value: "x", accepted: "a number" },
      { field: "b", value: undefined, accepted: "a name", scope: "S" },
    ]);
    assert.equal(err.message, 'a: got "x"; expected a number\nS: b: got nothing; expected a name');
    assert.equal(err.field, "a");
    assert.equal(err.problems.length, 2);
    assert.throws(() => ValidationError.of([]), RangeError);
  });
});

describe("Checks", () => {
  test("keeps every problem of independent checks and reports them together", () => {
    const checks = new Checks();
    assert.equal(
      checks.check(() => 1),
      1,
    );
    assert.equal(
      checks.check(() => {
        throw new ValidationError("first", 1, "one");
      }),
      undefined,
    );
    checks.check(() => {
      throw ValidationError.of([
        { field: "second", value: 2, accepted: "two" },
        { field: "third", value: 3, accepted: "three" },
      ]);
    });
    assert.equal(checks.failed, true);
    assert.throws(
      () => checks.done(),
      (err: unknown) =>
        err instanceof ValidationError && err.problems.map((p) => p.field).join(",") === "first,second,third",
    );
  });

  test("lets other errors through and passes when nothing failed", () => {
    const checks = new Checks();
    assert.throws(
      () =>
        checks.check(() => {
          throw new TypeError("bug");
        }),
      TypeError,
    );
    assert.equal(checks.failed, false);
    assert.doesNotThrow(() => checks.done());
  });
});
