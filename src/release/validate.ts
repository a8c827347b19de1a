import { ValidationError } from "./errors";

// The primitive checks every builder shares. Each returns the value it checked, typed, or throws a
// `ValidationError` naming the field, the value and what is accepted.

/** Throws unless `value` is a string. */
export function requireString(field: string, value: unknown, accepted = "a string", scope?: string): string {
  if (typeof value !== "string") throw new ValidationError(field, value, accepted, scope);
  return value;
}

/** Throws unless `value` is `true` or `false`. */
export function requireBoolean(field: string, value: unknown, scope?: string): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, value, "true or false", scope);
  return value;
}

/** Throws unless `value` is a list of non-empty strings; returns a copy. */
export function requireStrings(field: string, value: unknown, scope?: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw new ValidationError(field, value, "a list of non-empty strings", scope);
  }
  return [...(value as string[])];
}

/** Throws unless `value` is a whole number in `min..max`. */
export function requireInteger(
  field: string,
  value: unknown,
  min: number,
  max: number,
  scope?: string,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, value, `a whole number from ${min} to ${max}`, scope);
  }
  return value;
}

/** Throws unless `value` is a TCP port: a whole number from 1 to 65535. `what` says which port, e.g. `the Service port`. */
export function requirePort(field: string, value: unknown, what: string, scope?: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ValidationError(field, value, `a whole number from 1 to 65535 (${what}), e.g. 8080`, scope);
  }
  return value;
}
