import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { showValue, ValidationError, type Problem } from "./release/errors";
import { pendingIn, replacePlaceholders, resolvedProblem, type PendingInput } from "./release/pending";

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

/**
 * The arguments of one resource, with the plan's placeholders for values not known yet (see `PendingInputs`)
 * swapped for those values once they resolve. Each top-level property becomes an `Output` when it holds a
 * placeholder. A resolved value the argument does not accept fails the resource with the SDK's
 * `InputPropertyError`, naming the argument (e.g. `namespace`). Without placeholders `args` is returned as it is.
 * For resource arguments, whose properties all take an `Input`.
 */
export function withResolvedInputs<T extends object>(args: T, pending: readonly PendingInput[]): T {
  const used = pendingIn(args, pending);
  if (used.length === 0) return args;
  const values = pulumi.all(used.map((p) => pulumi.output(p.value as pulumi.Input<unknown>)));
  /** The placeholders' values, checked (each property checks them itself: no output is left unobserved). */
  const resolve = (resolved: unknown[]): Map<string, string> => {
    const map = new Map<string, string>();
    used.forEach((p, i) => {
      const problem = resolvedProblem(p, resolved[i]);
      if (problem) {
        throw new pulumi.InputPropertyError({
          propertyPath: p.field,
          reason: `${problem.message} (the value resolved from an output)`,
        });
      }
      map.set(p.placeholder, resolved[i] as string);
    });
    return map;
  };
  const lifted: Record<string, pulumi.Input<unknown>> = {};
  for (const key of Object.keys(args)) {
    const value = (args as Record<string, unknown>)[key];
    lifted[key] =
      pendingIn(value, used).length > 0
        ? values.apply((resolved) => replacePlaceholders(value, resolve(resolved)))
        : (value as pulumi.Input<unknown>);
  }
  // Resource arguments take an Output wherever they take a value: the shape is the same once resolved.
  return lifted as T;
}
