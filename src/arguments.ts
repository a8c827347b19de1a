import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { showValue, ValidationError, type Problem } from "./release/errors";

/**
 * What a component throws when it refuses its arguments, before it registers anything: the SDK's
 * `InputPropertiesError`, with one entry (`propertyPath`, `reason`) per problem found in the call. The message
 * has one line per problem: `<component> <name>: <field>: got <value>; expected <accepted>`.
 */
export class InvalidArgumentsError extends pulumi.InputPropertiesError {
  /** The problems, as the pure validation reported them. */
  readonly problems: readonly Problem[];

  constructor(cause: ValidationError) {
    super({
      message: cause.message,
      errors: cause.problems.map((p) => ({
        propertyPath: p.field,
        reason: `got ${showValue(p.value)}; expected ${p.accepted}`,
      })),
    });
    this.name = "InvalidArgumentsError";
    this.problems = cause.problems;
  }

  /** How Node prints the error when a program does not catch it: the message alone, no stack. */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/**
 * Runs a component's pure validation and building: a `ValidationError` leaves as an `InvalidArgumentsError`
 * listing every problem. Call it before `super()`, so a refused component registers nothing.
 */
export function checkArguments<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ValidationError) throw new InvalidArgumentsError(err);
    throw err;
  }
}
