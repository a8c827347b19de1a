import { ValidationError } from "./errors";

/** What a canary weight may be, as said in error messages. */
export const WEIGHT_ACCEPTED = "a whole number from 0 to 100 (percent of traffic), e.g. 10";

/**
 * Reads a traffic weight given as a number or as the text of a stack config value.
 * Accepts whole numbers 0..100 only: "abc", "-1", "101", "12.5", "", "NaN" and "50%" are refused.
 */
export function parseWeight(field: string, raw: unknown, scope?: string): number {
  let value: number | undefined;
  if (typeof raw === "number") {
    value = raw;
  } else if (typeof raw === "string" && /^\s*\d{1,3}\s*$/.test(raw)) {
    value = Number(raw.trim());
  }
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new ValidationError(field, raw, WEIGHT_ACCEPTED, scope);
  }
  return value;
}
