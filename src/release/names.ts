import { ValidationError } from "./errors";

/** RFC 1123 label: lower-case letters, digits and '-', starting and ending alphanumeric, at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;
const DNS_LABEL_TEXT =
  'a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters, e.g. "v2" or "green")';

/** True when `value` is a DNS-1123 label. */
export function isDnsLabel(value: string): boolean {
  return value.length <= DNS_LABEL_MAX && DNS_LABEL.test(value);
}

/** Throws a {@link ValidationError} naming `field` unless `value` is a DNS-1123 label. */
export function requireDnsLabel(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || !isDnsLabel(value)) {
    throw new ValidationError(field, value, DNS_LABEL_TEXT, scope);
  }
  return value;
}

/** HTTP header field name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Throws unless `value` is a non-empty HTTP header name. */
export function requireHeaderName(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || !HEADER_NAME.test(value)) {
    throw new ValidationError(field, value, 'a non-empty HTTP header name such as "stage"', scope);
  }
  return value;
}

/** Throws unless `value` is a non-empty string. */
export function requireNonEmpty(field: string, value: unknown, accepted: string, scope?: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError(field, value, accepted, scope);
  }
  return value;
}
