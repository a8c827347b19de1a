import { ValidationError } from "./errors";

/** What a canary weight may be, as said in error messages. */
export const WEIGHT_ACCEPTED =
  'a whole number from 0 to 100 (percent of traffic), written in digits only (no sign, spaces, leading zeros, decimals or "%"), e.g. 10';

/**
 * Reads a traffic weight given as a number or as the text of a stack config value.
 * Accepts whole numbers 0..100 only, as a number or as digits (`25`, quoted or not in YAML, or
 * `--config canaryWeight=25`): "abc", "-1", "101", "12.5", "", "NaN", "50%", " 25" and "025" are refused.
 */
export function parseWeight(field: string, raw: unknown, scope?: string): number {
  let value: number | undefined;
  if (typeof raw === "number") {
    value = raw;
  } else if (typeof raw === "string" && /^(0|[1-9]\d{0,2})$/.test(raw)) {
    // The one written form: digits, no sign, spaces, leading zeros, decimals or percent sign.
    value = Number(raw);
  }
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new ValidationError(field, raw, WEIGHT_ACCEPTED, scope);
  }
  return value;
}
