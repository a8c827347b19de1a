import { ValidationError } from "../release/errors";

/** What a Consul timeout may be, as said in error messages. */
export const DURATION_ACCEPTED =
  'a positive Go duration such as "5s", "250ms", "1m30s" or "1h0m0s" (units ns, us, ms, s, m, h)';

const NANOSECOND = 1n;
const MICROSECOND = 1_000n * NANOSECOND;
const MILLISECOND = 1_000n * MICROSECOND;
const SECOND = 1_000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;
/** The largest Go `time.Duration` (int64 nanoseconds). */
const MAX_DURATION = 9_223_372_036_854_775_807n;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", NANOSECOND],
  ["us", MICROSECOND],
  ["\u00b5s", MICROSECOND], // micro sign
  ["\u03bcs", MICROSECOND], // Greek small letter mu
  ["ms", MILLISECOND],
  ["s", SECOND],
  ["m", MINUTE],
  ["h", HOUR],
]);

/** One `<number><unit>` component: digits, an optional fraction, then anything up to the next digit or dot. */
const COMPONENT = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

/**
 * Parses a duration the way Go's `time.ParseDuration` does (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`) and
 * returns it in nanoseconds. Returns `undefined` for text Go refuses, for values beyond Go's range, and for
 * fractions finer than a nanosecond (Go would silently truncate those).
 */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return undefined;

  let total = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < rest.length) {
    const match = COMPONENT.exec(rest);
    if (match === null) return undefined;
    const [, whole, fraction, unitText] = match;
    if (whole === "" && (fraction === undefined || fraction === "")) return undefined;
    const unit = UNITS.get(unitText);
    if (unit === undefined) return undefined;
    total += BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== undefined && fraction !== "") {
      const scale = 10n ** BigInt(fraction.length);
      const nanos = BigInt(fraction) * unit;
      if (nanos % scale !== 0n) return undefined;
      total += nanos / scale;
    }
    if (total > MAX_DURATION) return undefined;
  }
  return sign * total;
}

/**
 * Formats nanoseconds as Go's `time.Duration.String()` does: `0s`, `1.5µs`, `250ms`, `5s`, `1m0s`, `1h30m0s`.
 * This is the form Consul and its Terraform/Pulumi provider read a timeout back in.
 */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds < 0n) return `-${formatGoDuration(-nanoseconds)}`;
  if (nanoseconds === 0n) return "0s";
  if (nanoseconds < SECOND) {
    if (nanoseconds < MICROSECOND) return `${nanoseconds}ns`;
    if (nanoseconds < MILLISECOND) return `${decimal(nanoseconds, 3)}\u00b5s`;
    return `${decimal(nanoseconds, 6)}ms`;
  }
  const seconds = `${decimal(nanoseconds % MINUTE, 9)}s`;
  const minutes = nanoseconds / MINUTE;
  if (minutes === 0n) return seconds;
  const hours = minutes / 60n;
  return `${hours > 0n ? `${hours}h` : ""}${minutes % 60n}m${seconds}`;
}

/** `value / 10**digits` as a decimal without trailing zeros (and without the dot when whole). */
function decimal(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return `${value / scale}${fraction === "" ? "" : `.${fraction}`}`;
}

/** True when `text` is already in the form Go prints it in, so it reads back unchanged. */
export function isCanonicalGoDuration(text: string): boolean {
  const nanoseconds = parseGoDuration(text);
  return nanoseconds !== undefined && formatGoDuration(nanoseconds) === text;
}

/**
 * Validates a positive Go duration and returns it in the form it reads back in (e.g. `"60s"` becomes `"1m0s"`,
 * `"1500ms"` becomes `"1.5s"`), so a stack never shows a diff on the next refresh.
 * Throws a {@link ValidationError} naming `field` otherwise.
 */
export function normalizeGoDuration(field: string, value: unknown, scope?: string): string {
  const nanoseconds = typeof value === "string" ? parseGoDuration(value) : undefined;
  if (nanoseconds === undefined || nanoseconds <= 0n) {
    throw new ValidationError(field, value, DURATION_ACCEPTED, scope);
  }
  return formatGoDuration(nanoseconds);
}
