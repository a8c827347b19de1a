// Strict validation of Kubernetes objects against the CustomResourceDefinitions vendored in test/fixtures/crds, in
// process: every object whose apiVersion and kind have a CRD there is checked against that version's
// openAPIV3Schema as `kubectl apply --validate=strict` checks it (unknown fields are errors; types, ranges, enums,
// patterns and nullability follow the schema). Objects of other kinds (Deployments, Consul entries) are counted
// as not covered. Each check compiles, with ajv, the part of the version's schema its objects reach (see
// reachedSchema): the same verdicts as the whole schema, without compiling megabytes of schema per test process.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";

/** The vendored CRDs: Gloo Edge 1.22 and the Gateway API standard channel. */
export const CRD_DIRS = ["gloo", "gateway-api"].map((d) =>
  path.resolve(__dirname, "..", "fixtures", "crds", d),
);

/** What {@link checkCrds} found. */
export interface CrdReport {
  /** Objects with a CRD that satisfy it. */
  valid: number;
  /** Objects with a CRD that do not. */
  invalid: number;
  /** Objects of a kind no vendored CRD defines. */
  notCovered: number;
  /** One line per schema violation: `Kind namespace/name: /json/pointer message (unknown field)`. */
  problems: string[];
}

type Schema = Record<string, unknown>;

/**
 * A CRD version's structural schema as a JSON schema that refuses what the apiserver's strict field validation
 * refuses. Kubernetes prunes (and strict validation reports) every field its schema does not declare, unless the
 * node says `x-kubernetes-preserve-unknown-fields: true`; so an object node without `additionalProperties` gets
 * `additionalProperties: false`, whether or not it lists `properties`. `x-kubernetes-int-or-string` takes an
 * integer or a string; `nullable` admits null. The other `x-kubernetes-*` extensions (list types, CEL rules) and
 * `format` are not checked.
 */
export function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (node === null || typeof node !== "object") return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith("x-kubernetes-") || key === "format" || key === "nullable" || key === "description") {
      continue;
    }
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([name, schema]) => [name, strictSchema(schema)]),
      );
    } else if (key === "additionalProperties" && typeof value === "object") {
      out.additionalProperties = strictSchema(value);
    } else if (["items", "allOf", "anyOf", "oneOf", "not"].includes(key)) {
      out[key] = strictSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (source["x-kubernetes-int-or-string"] === true) {
    // A structural schema gives such a node no type, only (at most) this anyOf, possibly with constraints.
    delete out.type;
    out.anyOf ??= [{ type: "integer" }, { type: "string" }];
  }
  const isObject = out.type === "object" || out.properties !== undefined;
  const preserveUnknown = source["x-kubernetes-preserve-unknown-fields"] === true;
  if (isObject && !preserveUnknown && out.additionalProperties === undefined)
    out.additionalProperties = false;
  if (source.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.anyOf)) out.anyOf = [...(out.anyOf as Schema[]), { type: "null" }];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

const stringMap = { type: "object", additionalProperties: { type: "string" } };
const str = { type: "string" };

/** ObjectMeta as the apiserver validates it: the fields a client may send, nothing else. */
const OBJECT_META: Schema = {
  type: "object",
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: { type: "integer" },
    creationTimestamp: { type: ["string", "null"] },
    deletionTimestamp: str,
    deletionGracePeriodSeconds: { type: "integer" },
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: "array", items: str },
    ownerReferences: {
      type: "array",
      items: {
        type: "object",
        required: ["apiVersion", "kind", "name", "uid"],
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          uid: str,
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
        additionalProperties: false,
      },
    },
    managedFields: { type: "array", items: { type: "object" } },
    selfLink: str,
  },
  additionalProperties: false,
};

/** The whole-object schema of one CRD version: its openAPIV3Schema plus apiVersion, kind and ObjectMeta. */
function objectSchema(group: string, version: string, kind: string, openAPIV3Schema: unknown): Schema {
  const schema = strictSchema(openAPIV3Schema ?? { type: "object" }) as Schema;
  return {
    ...schema,
    type: "object",
    properties: {
      ...(schema.properties as Schema | undefined),
      apiVersion: { const: `${group}/${version}` },
      kind: { const: kind },
      metadata: OBJECT_META,
    },
    required: [
      ...new Set([...((schema.required as string[] | undefined) ?? []), "apiVersion", "kind", "metadata"]),
    ],
    additionalProperties: false,
  };
}

interface CrdFile {
  file: string;
  group: string;
  kind: string;
  /** True once its versions' schemas are read. */
  loaded?: boolean;
}

interface CrdDoc {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: unknown } }>;
  };
}

/**
 * Which file holds which CRD, read from each file's text without parsing it (the schemas are large; only the ones a
 * test needs are parsed). Each parsed file is checked against this index.
 */
function indexCrds(dirs: readonly string[]): CrdFile[] {
  const index: CrdFile[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const file = path.join(dir, name);
      const text = readFileSync(file, "utf8");
      const group = /^ {2}group: (\S+)$/m.exec(text)?.[1];
      const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\S+)$/m.exec(text)?.[1];
      if (!group || !kind) throw new Error(`${file}: no spec.group and spec.names.kind found`);
      index.push({ file, group, kind });
    }
  }
  return index;
}

// Kubernetes patterns are RE2, not Unicode-mode JavaScript regular expressions.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
let index: CrdFile[] | undefined;
/** Whole-object schemas by `group/version:Kind`; undefined for a kind no vendored CRD defines. */
const schemas = new Map<string, Schema | undefined>();
/** Compiled validators by the JSON of the schema part they check. */
const compiled = new Map<string, ValidateFunction>();

function schemaFor(apiVersion: unknown, kind: unknown): Schema | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const key = `${apiVersion}:${kind}`;
  if (schemas.has(key)) return schemas.get(key);
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  index ??= indexCrds(CRD_DIRS);
  for (const entry of index.filter((e) => e.group === group && e.kind === kind && !e.loaded)) {
    entry.loaded = true;
    const crd = parse(readFileSync(entry.file, "utf8")) as CrdDoc;
    if (
      crd.kind !== "CustomResourceDefinition" ||
      crd.spec?.group !== group ||
      crd.spec.names?.kind !== kind
    ) {
      throw new Error(`${entry.file}: expected the CustomResourceDefinition of ${group} ${kind}`);
    }
    for (const version of crd.spec.versions ?? []) {
      if (version.served === false) continue; // the apiserver refuses objects of a version it does not serve
      const schema = objectSchema(group, version.name, kind, version.schema?.openAPIV3Schema);
      schemas.set(`${group}/${version.name}:${kind}`, schema);
    }
  }
  if (!schemas.has(key)) schemas.set(key, undefined);
  return schemas.get(key);
}

/**
 * The part of `schema` that `values` (every value at this place in the objects checked) reach: a property no
 * value has is left out, with its whole subtree. Checking the values against it gives exactly what checking them
 * against the whole schema gives: a property a value lacks is never looked at, except by `required`, which stays,
 * and `additionalProperties` still sees every property the schema declares that a value has. The Gloo schemas are
 * megabytes and the objects a few fields.
 */
export function reachedSchema(schema: unknown, values: readonly unknown[]): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const source = schema as Schema;
  const out: Schema = { ...source };
  const objects = values.filter(
    (v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v),
  );
  const declared = (source.properties ?? {}) as Schema;
  if (source.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.keys(declared)
        .filter((name) => objects.some((o) => Object.hasOwn(o, name)))
        .map((name) => [
          name,
          reachedSchema(
            declared[name],
            objects.filter((o) => Object.hasOwn(o, name)).map((o) => o[name]),
          ),
        ]),
    );
  }
  if (source.additionalProperties !== null && typeof source.additionalProperties === "object") {
    const others = objects.flatMap((o) =>
      Object.keys(o)
        .filter((name) => !Object.hasOwn(declared, name))
        .map((name) => o[name]),
    );
    out.additionalProperties = reachedSchema(source.additionalProperties, others);
  }
  if (source.items !== null && typeof source.items === "object" && !Array.isArray(source.items)) {
    out.items = reachedSchema(source.items, values.filter(Array.isArray).flat());
  }
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    if (Array.isArray(source[key]))
      out[key] = (source[key] as unknown[]).map((s) => reachedSchema(s, values));
  }
  if (source.not !== undefined) out.not = reachedSchema(source.not, values);
  return out;
}

function validatorOf(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema as AnySchemaObject);
    compiled.set(key, validate);
  }
  return validate;
}

/** True when a vendored CRD defines this object's apiVersion and kind. */
export function hasCrd(object: unknown): boolean {
  const o = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
  return schemaFor(o.apiVersion, o.kind) !== undefined;
}

function describeError(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; allowedValue?: unknown };
  const detail =
    error.keyword === "additionalProperties"
      ? ` (${params.additionalProperty})`
      : error.keyword === "const"
        ? ` (${JSON.stringify(params.allowedValue)})`
        : "";
  return `${error.instancePath || "/"} ${error.message ?? error.keyword}${detail}`;
}

interface KubeObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

/** Validates every object that has a CRD, strictly; counts the others as not covered. */
export function checkCrds(objects: readonly unknown[]): CrdReport {
  const report: CrdReport = { valid: 0, invalid: 0, notCovered: 0, problems: [] };
  const asObject = (object: unknown): KubeObject => (object ?? {}) as KubeObject;
  // One validator per apiVersion and kind: the part of its schema that the objects of that kind reach.
  const byKind = new Map<Schema, unknown[]>();
  for (const object of objects) {
    const schema = schemaFor(asObject(object).apiVersion, asObject(object).kind);
    if (schema !== undefined) byKind.set(schema, [...(byKind.get(schema) ?? []), object]);
  }
  const validators = new Map(
    [...byKind].map(([schema, ofKind]) => [schema, validatorOf(reachedSchema(schema, ofKind))]),
  );
  for (const object of objects) {
    const o = asObject(object);
    const schema = schemaFor(o.apiVersion, o.kind);
    const validate = schema && validators.get(schema);
    if (!validate) {
      report.notCovered++;
      continue;
    }
    if (validate(object)) {
      report.valid++;
      continue;
    }
    report.invalid++;
    const where = `${String(o.kind)} ${String(o.metadata?.namespace ?? "")}/${String(o.metadata?.name ?? "?")}`;
    for (const error of validate.errors ?? []) report.problems.push(`${where}: ${describeError(error)}`);
  }
  return report;
}

/** Asserts that a vendored CRD defines every object and that each satisfies it, strictly. */
export function assertValidAgainstCrds(objects: readonly unknown[]): void {
  const report = checkCrds(objects);
  assert.deepEqual(report.problems, [], report.problems.join("\n"));
  assert.deepEqual(
    { valid: report.valid, invalid: report.invalid, notCovered: report.notCovered },
    { valid: objects.length, invalid: 0, notCovered: 0 },
  );
}
