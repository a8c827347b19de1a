import { randomBytes } from "node:crypto";
import { ValidationError } from "./errors";

/**
 * A value a plan could not check yet because it was not known when the plan was made: a Pulumi `Output` or a
 * promise (e.g. the name of a Namespace resource, an image digest from a build). The plan carries `placeholder` in
 * its place; the component swaps the value in, checked with `check`, once it resolves.
 */
export interface PendingInput {
  /** What the plan holds until the value is known: a string no argument would hold. */
  placeholder: string;
  /** The argument it stands for, e.g. `namespace` or `images.v2`. */
  field: string;
  /** The value given (an `Output` or a promise). */
  value: unknown;
  /** Checks the resolved value as the plan would have and returns it; throws a `ValidationError`. */
  check: (value: unknown) => string;
}

/** Whether `value` is a value to wait for: an object with `apply` (a Pulumi `Output`) or `then` (a promise). */
export function isPending(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (typeof (value as { apply?: unknown }).apply === "function" ||
      typeof (value as { then?: unknown }).then === "function")
  );
}

/** The values of one plan that are not known yet. */
export class PendingInputs {
  /** Every pending value, in the order the plan met them. */
  readonly list: PendingInput[] = [];
  private readonly tag = randomBytes(4).toString("hex");

  /**
   * A string argument: a plain value is checked at once (`check` throws a `ValidationError`) and returned; a value
   * to wait for is recorded and a placeholder returned (a DNS label, so the plan's own checks accept it).
   */
  string(field: string, value: unknown, check: (value: unknown) => string): string {
    if (!isPending(value)) return check(value);
    const placeholder = `pending-${this.tag}-${this.list.length}`;
    this.list.push({ placeholder, field, value, check });
    return placeholder;
  }
}

/**
 * `value` with every string that is a pending input's placeholder replaced by `resolved[placeholder]`, at any depth.
 * Plain objects and arrays are copied; other values are kept.
 */
export function replacePlaceholders<T>(value: T, resolved: ReadonlyMap<string, string>): T {
  if (typeof value === "string") return (resolved.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => replacePlaceholders(v, resolved)) as T;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replacePlaceholders(v, resolved)]),
    ) as T;
  }
  return value;
}

/** The pending inputs whose placeholder occurs in `value`, at any depth. */
export function pendingIn(value: unknown, pending: readonly PendingInput[]): PendingInput[] {
  if (pending.length === 0) return [];
  const found = new Set<PendingInput>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      for (const p of pending) if (p.placeholder === v) found.add(p);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype)
      Object.values(v).forEach(visit);
  };
  visit(value);
  return pending.filter((p) => found.has(p));
}

/** A `ValidationError` for a value that resolved to something the argument does not accept. */
export function resolvedProblem(input: PendingInput, value: unknown): ValidationError | undefined {
  try {
    input.check(value);
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
}
