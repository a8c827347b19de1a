/**
 * Generates `src/gloo/crd-types.generated.ts` from the Gloo Edge CRDs vendored in `test/fixtures/crds/gloo/`.
 *
 *   node --import tsx scripts/gen-gloo-types.ts           write the file      (npm run gen:gloo-types)
 *   node --import tsx scripts/gen-gloo-types.ts --check   exit 1 if it is stale (npm run gen:gloo-types:check)
 *
 * Gloo's schemas are enormous (a route's `options` alone has dozens of plugins), so nothing is dumped wholesale:
 * `ROOTS` below says, for the `spec` of each kind the package writes, which properties to emit, recursively. Every
 * object that is emitted gets a name chosen here; a name used at several schema paths (a route in a VirtualService
 * and in a RouteTable, a `ResourceRef` wherever one appears) must come out identical at each of them, or generation
 * fails. Everything else comes from the schema: property types, optionality (`required`), arrays, maps
 * (`additionalProperties`), int-or-string, nullability, short descriptions and numeric ranges as TSDoc.
 * `src/gloo/types.ts` layers the package's own, stricter shapes over the generated ones.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import { parse } from "yaml";

const REPO = path.resolve(__dirname, "..");
/** Where the CRDs are read from. */
export const CRD_DIR = path.join(REPO, "test", "fixtures", "crds", "gloo");
/** The generated file. */
export const OUTPUT = path.join(REPO, "src", "gloo", "crd-types.generated.ts");

// ---------------------------------------------------------------------------------------------------------------
// The selection

/** Emit the property as the schema types it; an object under it is written inline (small subtrees only). */
export type Whole = true;

/**
 * Emit the object at this property, or the object in its array items or map values, as the interface `type` with
 * the properties in `pick` (in that order), or with all of its properties (`"all"`, nested objects inline).
 */
export interface Named {
  type: string;
  pick: Pick | "all";
}

/** Property name → how to emit it. A property not listed is not emitted. */
export interface Pick {
  [property: string]: Whole | Named;
}

/** The `spec` (or another top-level property) of one kind, read from one CRD file. */
export interface Root {
  /** CRD file name in the CRD directory. */
  crd: string;
  /** `spec.names.kind` the file must declare. */
  kind: string;
  /** Top-level property of the openAPIV3Schema, e.g. `spec`. */
  path: string;
  /** What to emit there. */
  select: Named;
}

const resourceRef: Named = { type: "ResourceRef", pick: "all" };

const destination: Named = { type: "Destination", pick: { upstream: resourceRef } };

const weightedDestination: Named = {
  type: "WeightedDestination",
  pick: { destination, weight: true },
};

const matcher: Named = {
  type: "Matcher",
  pick: {
    prefix: true,
    exact: true,
    regex: true,
    caseSensitive: true,
    headers: { type: "HeaderMatcher", pick: "all" },
    queryParameters: { type: "QueryParameterMatcher", pick: "all" },
    methods: true,
  },
};

const headerValue: Named = { type: "HeaderValue", pick: "all" };

const routeOptions: Named = {
  type: "RouteOptions",
  pick: {
    prefixRewrite: true,
    regexRewrite: {
      type: "RegexMatchAndSubstitute",
      pick: { pattern: { type: "RegexMatcher", pick: { regex: true } }, substitution: true },
    },
    timeout: true,
    idleTimeout: true,
    retries: {
      type: "RetryPolicy",
      pick: {
        retryOn: true,
        numRetries: true,
        perTryTimeout: true,
        retriableStatusCodes: true,
        retryBackOff: { type: "RetryBackOff", pick: "all" },
      },
    },
    headerManipulation: {
      type: "HeaderManipulation",
      pick: {
        requestHeadersToAdd: {
          type: "HeaderValueOption",
          pick: { header: headerValue, headerSecretRef: resourceRef, append: true },
        },
        requestHeadersToRemove: true,
        responseHeadersToAdd: {
          type: "ResponseHeaderValueOption",
          pick: { header: headerValue, append: true },
        },
        responseHeadersToRemove: true,
      },
    },
    hostRewrite: true,
    autoHostRewrite: true,
    cors: { type: "CorsPolicy", pick: "all" },
    shadowing: { type: "RouteShadowing", pick: { upstream: resourceRef, percentage: true } },
  },
};

const route: Named = {
  type: "Route",
  pick: {
    name: true,
    matchers: matcher,
    inheritableMatchers: true,
    inheritablePathMatchers: true,
    routeAction: {
      type: "RouteAction",
      pick: {
        single: destination,
        multi: { type: "MultiDestination", pick: { destinations: weightedDestination } },
        upstreamGroup: resourceRef,
      },
    },
    delegateAction: {
      type: "DelegateAction",
      pick: {
        ref: resourceRef,
        selector: {
          type: "RouteTableSelector",
          pick: {
            namespaces: true,
            labels: true,
            expressions: { type: "SelectorExpression", pick: "all" },
          },
        },
      },
    },
    options: routeOptions,
  },
};

/** What is emitted: the parts of each kind that src/gloo writes. */
export const ROOTS: readonly Root[] = [
  {
    crd: "gloo.solo.io_v1_Upstream.yaml",
    kind: "Upstream",
    path: "spec",
    select: {
      type: "UpstreamSpec",
      pick: {
        kube: {
          type: "KubeUpstreamSpec",
          pick: { serviceName: true, serviceNamespace: true, servicePort: true, selector: true },
        },
      },
    },
  },
  {
    crd: "gloo.solo.io_v1_UpstreamGroup.yaml",
    kind: "UpstreamGroup",
    path: "spec",
    select: { type: "UpstreamGroupSpec", pick: { destinations: weightedDestination } },
  },
  {
    crd: "gateway.solo.io_v1_VirtualService.yaml",
    kind: "VirtualService",
    path: "spec",
    select: {
      type: "VirtualServiceSpec",
      pick: {
        displayName: true,
        virtualHost: { type: "VirtualHost", pick: { domains: true, routes: route } },
      },
    },
  },
  {
    crd: "gateway.solo.io_v1_RouteTable.yaml",
    kind: "RouteTable",
    path: "spec",
    select: { type: "RouteTableSpec", pick: { routes: route, weight: true } },
  },
  {
    crd: "gloo.solo.io_v1_Settings.yaml",
    kind: "Settings",
    path: "spec",
    select: {
      type: "SettingsSpec",
      pick: {
        gloo: {
          type: "GlooOptions",
          pick: { invalidConfigPolicy: { type: "InvalidConfigPolicy", pick: "all" } },
        },
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Schemas

/** The parts of a structural OpenAPI v3 schema that the generator reads. */
export interface SchemaNode {
  type?: string;
  description?: string;
  properties?: { [name: string]: SchemaNode };
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  maxProperties?: number;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** A CustomResourceDefinition, as far as the generator reads it. */
export interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: {
      name: string;
      served?: boolean;
      storage?: boolean;
      schema?: { openAPIV3Schema?: SchemaNode };
    }[];
  };
}

/** CRD file name → parsed CRD. */
export type CrdSet = Map<string, Crd>;

/** Reads the CRD files `ROOTS` names from `dir`. */
export function loadCrds(dir: string = CRD_DIR, roots: readonly Root[] = ROOTS): CrdSet {
  const crds: CrdSet = new Map();
  for (const root of roots) {
    if (!crds.has(root.crd)) crds.set(root.crd, parse(readFileSync(path.join(dir, root.crd), "utf8")) as Crd);
  }
  return crds;
}

/** The stored version of a CRD: its `apiVersion` and root schema. */
function storedVersion(file: string, crd: Crd, kind: string): { apiVersion: string; schema: SchemaNode } {
  if (crd.kind !== "CustomResourceDefinition") throw new Error(`${file}: not a CustomResourceDefinition`);
  if (crd.spec.names.kind !== kind)
    throw new Error(`${file}: declares kind ${crd.spec.names.kind}, not ${kind}`);
  const versions = crd.spec.versions.filter((v) => v.storage === true);
  if (versions.length !== 1) throw new Error(`${file}: expected exactly one stored version`);
  const schema = versions[0].schema?.openAPIV3Schema;
  if (!schema) throw new Error(`${file}: version ${versions[0].name} has no openAPIV3Schema`);
  return { apiVersion: `${crd.spec.group}/${versions[0].name}`, schema };
}

// ---------------------------------------------------------------------------------------------------------------
// Emitting

/** A subtree emitted whole (`true` on an object, or `pick: "all"`) may hold at most this many properties in all. */
const MAX_INLINE_PROPERTIES = 12;
/** Longest description emitted as it is; a longer one is cut to its first sentence, or left out. */
const MAX_DESCRIPTION = 240;
/** Doc comments are wrapped at this width (prettier does not wrap comments). */
const WIDTH = 110;

/** One emitted interface. */
interface Declaration {
  /** The members, compared between the schema paths the same name is emitted at. */
  body: string;
  /** Where it was first emitted, e.g. `VirtualService spec.virtualHost.routes[]`. */
  where: string;
  /** How many of the schema object's properties it has. */
  picked: number;
  total: number;
  /** Other schema paths with the identical shape. */
  alsoAt: Set<string>;
}

class Emitter {
  readonly declarations = new Map<string, Declaration>();

  /** The TypeScript type of `node` at `where` (`kind path`), emitting the named interfaces it needs. */
  typeOf(node: SchemaNode, select: Whole | Named | "inline", where: string): string {
    let type: string;
    if (node.enum) {
      type = node.enum.map((v) => JSON.stringify(v)).join(" | ");
    } else if (node["x-kubernetes-int-or-string"]) {
      type = "number | string";
    } else if (node.type === "array") {
      if (!node.items) throw new Error(`${where}: array without items`);
      const item = this.typeOf(node.items, select, `${where}[]`);
      type = /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
    } else if (node.type === "object" && node.properties) {
      if (select === true || select === "inline") {
        inlineable(node, where);
        type = `{ ${this.members(node, allOf(node), where, true).join(" ")} }`;
      } else {
        type = this.named(node, select, where);
      }
    } else if (node.type === "object" && typeof node.additionalProperties === "object") {
      type = `{ [key: string]: ${this.typeOf(node.additionalProperties, select, `${where}{}`)} }`;
    } else if (node.type === "object") {
      if (typeof select === "object")
        throw new Error(`${where}: ${select.type} has no properties in the schema`);
      // An object without properties keeps nothing unless it preserves unknown fields (a Struct, an Any).
      type =
        node["x-kubernetes-preserve-unknown-fields"] || node.additionalProperties === true
          ? "{ [key: string]: unknown }"
          : "Record<string, never>";
    } else {
      if (typeof select === "object")
        throw new Error(`${where}: ${select.type} is a ${node.type}, not an object`);
      type = scalar(node, where);
    }
    return node.nullable ? `${type} | null` : type;
  }

  /** Emits `select.type` for the object `node` (first time), or checks it equals the earlier emission. */
  private named(node: SchemaNode, select: Named, where: string): string {
    if (select.pick === "all") inlineable(node, where);
    const names = select.pick === "all" ? allOf(node) : Object.keys(select.pick);
    const total = Object.keys(node.properties ?? {}).length;
    const existing = this.declarations.get(select.type);
    // Claim the name before the members are walked, so that a type is written before the types it uses.
    const declaration = existing ?? {
      body: "",
      where,
      picked: names.length,
      total,
      alsoAt: new Set<string>(),
    };
    if (!existing) this.declarations.set(select.type, declaration);
    const body = this.members(node, select.pick === "all" ? names : select.pick, where, false).join("\n");
    if (!existing) {
      declaration.body = body;
    } else if (existing.body !== body || existing.total !== total) {
      throw new Error(
        `${select.type} differs between ${existing.where} and ${where}; give them different names or picks`,
      );
    } else if (existing.where !== where) {
      existing.alsoAt.add(where);
    }
    return select.type;
  }

  /** The members of the object `node` for the picked properties, each with its TSDoc. */
  private members(node: SchemaNode, pick: Pick | string[], where: string, inline: boolean): string[] {
    const properties = node.properties ?? {};
    const required = new Set(node.required ?? []);
    const entries: [string, Whole | Named | "inline"][] = Array.isArray(pick)
      ? pick.map((name) => [name, "inline"])
      : Object.entries(pick);
    return entries.map(([name, select]) => {
      const property = properties[name];
      if (!property) {
        throw new Error(
          `${where} has no property ${name} (it has: ${Object.keys(properties).join(", ") || "none"})`,
        );
      }
      const type = this.typeOf(property, select, `${where}.${name}`);
      const member = `${propertyName(name)}${required.has(name) ? "" : "?"}: ${type};`;
      // The vendored CRDs describe few properties; the doc then says so (it must not depend on the schema path: a
      // shared type is compared member by member between the paths it is emitted at).
      const doc = docOf(property) || `\`${name}\`: the CRD gives no description.`;
      return inline ? `/** ${doc} */ ${member}` : `${docComment(doc, "  ")}\n  ${member}`;
    });
  }
}

function allOf(node: SchemaNode): string[] {
  return Object.keys(node.properties ?? {});
}

/** Throws unless the subtree at `node` is small enough to emit whole (`true`, or `pick: "all"`). */
function inlineable(node: SchemaNode, where: string): void {
  const count = countProperties(node);
  if (count > MAX_INLINE_PROPERTIES) {
    throw new Error(
      `${where}: ${count} properties in all are too many to emit whole; name the object and pick its properties`,
    );
  }
}

/** How many properties the object `node` has, counting those of the objects under it. */
function countProperties(node: SchemaNode): number {
  let count = 0;
  for (const property of Object.values(node.properties ?? {})) {
    count += 1;
    let inner: SchemaNode | undefined = property;
    while (inner && (inner.type === "array" || (inner.type === "object" && !inner.properties))) {
      inner = inner.type === "array" ? inner.items : (inner.additionalProperties as SchemaNode | undefined);
      if (typeof inner !== "object") inner = undefined;
    }
    if (inner?.properties) count += countProperties(inner);
  }
  return count;
}

function scalar(node: SchemaNode, where: string): string {
  switch (node.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    default:
      throw new Error(`${where}: unsupported schema type ${JSON.stringify(node.type)}`);
  }
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** What the schema says about a property beyond its type: its description (when short), range, format, default. */
function docOf(node: SchemaNode): string {
  const parts: string[] = [];
  const description = shortDescription(node.description);
  if (description) parts.push(description);
  // A range (and format) of an array's items is told on the array.
  const facts = node.type === "array" && node.items ? node.items : node;
  const range =
    facts.minimum !== undefined && facts.maximum !== undefined
      ? `from ${facts.minimum} to ${facts.maximum}`
      : facts.minimum !== undefined
        ? `at least ${facts.minimum}`
        : facts.maximum !== undefined
          ? `at most ${facts.maximum}`
          : undefined;
  if (range) parts.push(facts === node ? `${range[0].toUpperCase()}${range.slice(1)}.` : `Items ${range}.`);
  if (facts.format) parts.push(`${facts === node ? "Format" : "Items of format"} \`${facts.format}\`.`);
  if (node.default !== undefined) parts.push(`Defaults to \`${JSON.stringify(node.default)}\`.`);
  return parts.join(" ").replace(/\*\//g, "*\\/");
}

/** The description on one line, TSDoc-escaped (`@`, braces, angle brackets), if it is short enough. */
function shortDescription(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const text = description
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[@{}<>\\]/g, "\\$&");
  if (text.length <= MAX_DESCRIPTION) return text;
  const sentence = /^.*?[.!?](?=\s|$)/.exec(text)?.[0];
  return sentence && sentence.length <= MAX_DESCRIPTION ? sentence : undefined;
}

/** A TSDoc comment at `indent`, on one line when it fits, else wrapped. */
function docComment(text: string, indent: string): string {
  const oneLine = `${indent}/** ${text} */`;
  if (oneLine.length <= WIDTH) return oneLine.slice(indent.length);
  const lines: string[] = [];
  let line = "";
  // Words, but a `code span` stays whole: TSDoc does not let one continue on the next line.
  const words = text.match(/`[^`]*`\S*|\S+/g) ?? [];
  for (const word of words) {
    if (line && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return ["/**", ...lines.map((l) => `${indent} * ${l}`), `${indent} */`].join("\n");
}

function constantName(kind: string): string {
  return `${kind.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}_TYPE_META`;
}

export interface GenerateOptions {
  /** The CRDs (defaults to the files in `CRD_DIR`). */
  crds?: CrdSet;
  /** What to emit (defaults to `ROOTS`). */
  roots?: readonly Root[];
}

/** The text of `src/gloo/crd-types.generated.ts`, formatted with the repository's prettier configuration. */
export async function generateGlooTypes(options: GenerateOptions = {}): Promise<string> {
  const roots = options.roots ?? ROOTS;
  const crds = options.crds ?? loadCrds(CRD_DIR, roots);
  const emitter = new Emitter();
  const constants: string[] = [];
  for (const root of roots) {
    const crd = crds.get(root.crd);
    if (!crd) throw new Error(`no CRD ${root.crd}`);
    const { apiVersion, schema } = storedVersion(root.crd, crd, root.kind);
    const node = schema.properties?.[root.path];
    if (!node) throw new Error(`${root.crd}: the schema has no ${root.path}`);
    emitter.typeOf(node, root.select, `${root.kind} ${root.path}`);
    constants.push(
      docComment(
        `\`apiVersion\` and \`kind\` for ${root.kind}: the group, stored version and kind in ${root.crd}.`,
        "",
      ) +
        "\n" +
        `export const ${constantName(root.kind)} = ${JSON.stringify({ apiVersion, kind: root.kind })} as const;`,
    );
  }

  const out: string[] = [
    "// Generated by scripts/gen-gloo-types.ts from the Gloo Edge CRDs in test/fixtures/crds/gloo/. DO NOT EDIT.",
    "// Regenerate with `npm run gen:gloo-types`; CI fails when this file is stale (`npm run gen:gloo-types:check`).",
    "// Only the properties selected in the script are emitted; src/gloo/types.ts layers the package's shapes on top.",
    "",
    ...constants,
  ];
  for (const [name, declaration] of emitter.declarations) {
    const { picked: n, total } = declaration;
    const picked =
      n === total
        ? total === 1
          ? "its only property"
          : `all ${total} properties`
        : `${n} of ${total} properties`;
    const others = [...declaration.alsoAt];
    const also =
      others.length === 0
        ? ""
        : others.length <= 2
          ? ` The same at ${others.map((w) => `\`${w}\``).join(" and ")}.`
          : ` The same at ${others.length} other schema paths.`;
    out.push(
      "",
      docComment(`\`${declaration.where}\`: ${picked}.${also}`, ""),
      `export interface ${name} {`,
      declaration.body,
      "}",
    );
  }
  const text = out.join("\n") + "\n";
  // As `prettier --check` resolves it (the CLI also reads .editorconfig).
  const config = (await prettier.resolveConfig(OUTPUT, { editorconfig: true })) ?? {};
  return prettier.format(text, { ...config, filepath: OUTPUT });
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

/** Where the checked-in text first differs from the generated one. */
function firstDifference(current: string, generated: string): string {
  const a = current.split("\n");
  const b = generated.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return [
        `First difference, line ${i + 1}:`,
        `  checked in: ${a[i] ?? "(end of file)"}`,
        `  generated:  ${b[i] ?? "(end of file)"}`,
      ].join("\n");
    }
  }
  return "The files differ in line endings only.";
}

async function main(args: string[]): Promise<number> {
  const check = args.includes("--check");
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}; usage: gen-gloo-types.ts [--check]`);
    return 2;
  }
  const generated = await generateGlooTypes();
  const relative = path.relative(REPO, OUTPUT);
  if (!check) {
    writeFileSync(OUTPUT, generated);
    console.log(`wrote ${relative} (${generated.split("\n").length - 1} lines)`);
    return 0;
  }
  let current: string | undefined;
  try {
    current = readFileSync(OUTPUT, "utf8");
  } catch {
    current = undefined;
  }
  if (current === generated) {
    console.log(`${relative} is up to date with the CRDs and scripts/gen-gloo-types.ts`);
    return 0;
  }
  if (current === undefined) {
    console.error(`${relative} is missing.`);
  } else {
    console.error(
      `${relative} is stale: it is not what scripts/gen-gloo-types.ts generates from test/fixtures/crds/gloo/.`,
    );
    console.error(firstDifference(current, generated));
  }
  console.error(
    "Run `npm run gen:gloo-types` and commit the result; do not edit the generated file by hand.",
  );
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
