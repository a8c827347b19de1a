// Narrowing of parsed JSON and YAML values, shared by the modules that read them.

/** A parsed JSON or YAML object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` when it is an object, otherwise an empty object. */
export function asJsonObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
