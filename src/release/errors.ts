/**
 * The error every validation in this package throws: it names the field, the value it got and what is accepted.
 *
 * It carries Pulumi's run-error marker, so `pulumi up` prints the message alone (no stack trace), without this
 * module importing Pulumi.
 */
export class ValidationError extends Error {
  /** Marks the error as a user-facing run error for the Pulumi runtime. */
  readonly __pulumiRunError = true;

  /**
   * @param field - the key or argument path that is wrong, e.g. `canaryWeight` or `payments.routes[1].path`.
   * @param value - the value that was given (shown quoted, as text).
   * @param accepted - what would have been accepted, phrased to follow "expected".
   * @param scope - optional prefix naming where the field lives (a component or team).
   */
  constructor(
    /** The key or argument path that is wrong, e.g. `canaryWeight` or `payments.routes[1].path`. */
    readonly field: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What would have been accepted, phrased to follow "expected". */
    readonly accepted: string,
    /** Where the field lives (a component or team), when given: the message's prefix. */
    readonly scope?: string,
  ) {
    super(`${scope ? `${scope}: ` : ""}${field}: got ${showValue(value)}; expected ${accepted}`);
    this.name = "ValidationError";
  }
}

/** Renders a value for an error message: strings quoted, absent values named. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
