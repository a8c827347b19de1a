// What the Gateway API v1.7.0 standard CRDs (and their CEL rules) accept, checked before apply: paths, host names,
// header names and values, durations. Pure.
import { isIP } from "node:net";
import { ValidationError } from "../release/errors";

/** The standard CRDs' limits (v1.7.0) that this package checks before apply. */
export const GATEWAY_API_LIMITS = {
  /** Rules per HTTPRoute. */
  rules: 16,
  /** backendRefs per rule. */
  backendRefs: 16,
  /** Host names per HTTPRoute. */
  hostnames: 16,
  /** parentRefs per HTTPRoute. */
  parentRefs: 32,
  /** Listeners per Gateway. */
  listeners: 64,
  /** Characters of a path match value (and of a `ReplacePrefixMatch`). */
  path: 1024,
  /** Characters of a host name. */
  hostname: 253,
  /** Characters of a header name. */
  headerName: 256,
  /** Characters of a header value. */
  headerValue: 4096,
  /** Entries of each of a header modifier's `set`, `add` and `remove`. */
  headerModifierEntries: 16,
};

/** A value for an error message: a string longer than 120 characters is cut, with its length. */
function shownValue(value: unknown): unknown {
  return typeof value === "string" && value.length > 120
    ? `${value.slice(0, 40)}... (${value.length} characters)`
    : value;
}

/** The characters the HTTPRoute CRD admits in an `Exact` or `PathPrefix` value (its CEL rule, verbatim). */
const PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

const PATH_ACCEPTED =
  'a path starting with "/", e.g. "/echo", of at most 1024 characters: letters, digits, -._~!$&\'()*+,;=:@/ and %XX escapes, without "//", "/./", "/../", an encoded "/" (%2F), or a trailing "/." or "/.." (the HTTPRoute CRD\'s PathPrefix rules)';

/**
 * Why the HTTPRoute CRD (its `maxLength` and CEL rules for `Exact` and `PathPrefix` values) refuses `value` as a path,
 * or `undefined` when it accepts it.
 */
export function gatewayPathProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.startsWith("/")) return 'it must start with "/"';
  if (value.length > GATEWAY_API_LIMITS.path) {
    return `it has ${value.length} characters, more than ${GATEWAY_API_LIMITS.path}`;
  }
  for (const part of ["//", "/./", "/../", "%2f", "%2F"]) {
    if (value.includes(part)) return `it contains "${part}"`;
  }
  for (const end of ["/.", "/.."]) {
    if (value.endsWith(end)) return `it ends with "${end}"`;
  }
  const bad = [...value].find((c) => !/[-A-Za-z0-9/._~!$&'()*+,;=:@%]/.test(c));
  if (bad !== undefined) return `it contains ${JSON.stringify(bad)}`;
  if (!PATH_CHARACTERS.test(value)) return 'it has a "%" not followed by two hexadecimal digits';
  return undefined;
}

/**
 * Throws a {@link ValidationError} naming `field` unless `value` is a path the HTTPRoute CRD accepts as a
 * `PathPrefix` value. Stricter than Gloo's `requirePathPrefix`: the Gateway API refuses `//`, dot segments, an
 * encoded `/`, and every character outside the URI path set.
 */
export function requireGatewayPath(field: string, value: unknown, scope?: string): string {
  const problem = gatewayPathProblem(value);
  if (problem !== undefined) {
    throw new ValidationError(field, shownValue(value), `${PATH_ACCEPTED}; ${problem}`, scope);
  }
  return value as string;
}

/** A `PathPrefix` value's path elements: a trailing `/` is ignored, as the Gateway API matches it. */
function pathElements(path: string): string[] {
  return path.split("/").filter((element) => element !== "");
}

/**
 * Whether every request a `PathPrefix` match on `path` takes also falls under a `PathPrefix` match on `prefix`.
 * The Gateway API matches whole path elements (`/echo` matches `/echo` and `/echo/x`, not `/echoes`) and ignores a
 * trailing `/`, so `/foxtrot/api` lies inside `/foxtrot`, and `/foxtrotx` does not.
 */
export function gatewayPathWithin(path: string, prefix: string): boolean {
  const inner = pathElements(path);
  const outer = pathElements(prefix);
  return outer.length <= inner.length && outer.every((element, i) => inner[i] === element);
}

/**
 * Whether two `PathPrefix` matches can take the same request: one lies within the other. `/echo` and `/echoes` do
 * not overlap on the Gateway API (unlike Gloo's raw string prefixes); `/echo` and `/echo/v2` do.
 */
export function gatewayPrefixesOverlap(a: string, b: string): boolean {
  return gatewayPathWithin(a, b) || gatewayPathWithin(b, a);
}

/**
 * Throws unless the `PathPrefix` value `path` lies inside the prefix `prefix` given to `team` (whole path elements).
 */
export function requireGatewayPathWithin(
  team: string,
  prefix: string,
  field: string,
  path: string,
  scope?: string,
): void {
  if (!gatewayPathWithin(path, prefix)) {
    const base = prefix.length > 1 ? prefix.replace(/\/$/, "") : "";
    throw new ValidationError(
      field,
      path,
      `a path prefix inside the prefix "${prefix}" given to team ${team}: "${base}" or a path under it such as "${base}/api" (whole path elements: "${base}x" lies outside)`,
      scope,
    );
  }
}

/** A host name as the Gateway API takes it: DNS labels, optionally with a leading `*.` label. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Throws unless `value` is a host name the Gateway API takes on a listener or an HTTPRoute: lower-case DNS labels,
 * optionally starting with `*.`, at most 253 characters; not an IP address (which the CRDs' pattern lets through
 * but the Gateway API forbids), a port or a bare `*`.
 */
export function requireGatewayHostname(field: string, value: unknown, scope?: string): string {
  if (
    typeof value !== "string" ||
    value.length > GATEWAY_API_LIMITS.hostname ||
    !HOSTNAME.test(value) ||
    isIP(value) !== 0
  ) {
    throw new ValidationError(
      field,
      shownValue(value),
      'a lower-case DNS name of at most 253 characters, optionally starting with "*.", e.g. "petstore.example.com" or "*.example.com" (no IP address, port or bare "*"; leave it out to serve every host)',
      scope,
    );
  }
  return value;
}

/** An HTTP header name as the HTTPRoute CRD takes it (RFC 7230 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Throws unless `value` is a header name the HTTPRoute CRD takes: an RFC 7230 token of at most 256 characters. */
export function requireGatewayHeaderName(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || !HEADER_NAME.test(value) || value.length > GATEWAY_API_LIMITS.headerName) {
    throw new ValidationError(
      field,
      shownValue(value),
      'an HTTP header name of 1 to 256 characters: letters, digits and !#$%&\'*+-.^_`|~, e.g. "x-release"',
      scope,
    );
  }
  return value;
}

/** Throws unless `value` is a header value the HTTPRoute CRD takes: 1 to 4096 characters, not only spaces. */
export function requireGatewayHeaderValue(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > GATEWAY_API_LIMITS.headerValue) {
    throw new ValidationError(
      field,
      shownValue(value),
      "a header value of 1 to 4096 characters, not only spaces",
      scope,
    );
  }
  return value;
}

/** A Gateway API duration (GEP-2257), as the CRD's pattern takes it. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS: { [unit: string]: number } = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Throws unless `value` is a Gateway API duration such as `10s` or `1m30s`; returns it in milliseconds. */
export function requireGatewayDuration(field: string, value: unknown, scope?: string): number {
  if (typeof value !== "string" || !DURATION.test(value)) {
    throw new ValidationError(
      field,
      value,
      'a Gateway API duration: 1 to 4 whole numbers (at most 5 digits each) with h, m, s or ms, e.g. "10s" or "1m30s"',
      scope,
    );
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|h|m|s)/g)) ms += Number(amount) * UNIT_MS[unit];
  return ms;
}
