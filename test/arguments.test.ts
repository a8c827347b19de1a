import assert from "node:assert/strict";
import { inspect } from "node:util";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { checkArguments, InvalidArgumentsError } from "../src/arguments";
import { Upstream, VirtualService } from "../src/gloo";
import { ValidationError } from "../src/release";
import { recordResources, type Recording } from "./support/runtime";

describe("component arguments", () => {
  let rec: Recording;
  before(async () => {
    rec = await recordResources();
  });

  it("a refused component throws the SDK's InputPropertiesError, one entry per problem", async () => {
    await rec.settle();
    const before = rec.resources.length;
    let thrown: unknown;
    try {
      new Upstream("bad", { service: "Petstore", version: "v1", port: 0 });
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof InvalidArgumentsError);
    assert.ok(pulumi.InputPropertiesError.isInstance(thrown));
    assert.deepEqual(
      thrown.errors.map((e) => e.propertyPath),
      ["service", "port"],
    );
    assert.match(thrown.errors[1].reason, /^got 0; expected a whole number from 1 to 65535/);
    assert.match(thrown.message, /^Upstream bad: service: got "Petstore"; .*\nUpstream bad: port: got 0;/);
    // Printed without a stack, as `pulumi up` shows an error the program did not catch.
    assert.equal(inspect(thrown), `InvalidArgumentsError: ${thrown.message}`);
    await rec.settle();
    assert.equal(rec.resources.length, before, "nothing registered");
  });

  it("every route of a VirtualService is checked, not only the first wrong one", () => {
    assert.throws(
      () =>
        new VirtualService("two-bad-routes", {
          namespace: "Gloo",
          routes: [
            { prefix: "no-slash", single: { name: "a", namespace: "x" } },
            { exact: "/ok", single: { name: "b", namespace: "x" } },
          ],
        }),
      (err: unknown) =>
        err instanceof InvalidArgumentsError &&
        err.errors.length >= 3 &&
        err.errors.some((e) => e.propertyPath === "namespace") &&
        err.errors.some((e) => e.propertyPath.startsWith("routes[0]")) &&
        err.errors.some((e) => e.propertyPath.startsWith("routes[1]")),
    );
  });

  it("other errors pass through unchanged", () => {
    const bug = new TypeError("bug");
    assert.throws(
      () =>
        checkArguments(() => {
          throw bug;
        }),
      (err: unknown) => err === bug,
    );
    assert.throws(
      () =>
        checkArguments(() => {
          throw new ValidationError("f", 1, "2");
        }),
      InvalidArgumentsError,
    );
  });
});
