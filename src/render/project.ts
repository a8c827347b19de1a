import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { asJsonObject, isJsonObject } from "../json";
import { nearKeys } from "../nearMiss";
import { RenderError } from "./errors";

/** A Pulumi project directory as render reads it. */
export interface ProjectFiles {
  dir: string;
  /** `name` from Pulumi.yaml. */
  project: string;
  /** The program's entry file or directory. */
  main: string;
  /** Fully qualified config keys (`project:key`) to the string values the runtime sees. */
  config: Record<string, string>;
  /** Keys of `config` whose value is secret (render cannot decrypt them: they read "[secret]"). */
  secretKeys: string[];
  /** The fully qualified keys the project and stack files set, before any change. */
  stackConfig: Record<string, string>;
}

/** The fully qualified top-level key a `--config` key sets (`canaryWeight` → `app:canaryWeight`, paths cut). */
export function topLevelKey(project: string, key: string): string {
  const { namespace, rest } = splitNamespace(project, key);
  return `${namespace}:${rest.split(/[.[]/)[0]}`;
}

/** `ns:key` into its namespace and the rest; a key without `ns:` belongs to the project. */
function splitNamespace(project: string, key: string): { namespace: string; rest: string } {
  const colon = key.indexOf(":");
  return colon > 0
    ? { namespace: key.slice(0, colon), rest: key.slice(colon + 1) }
    : { namespace: project, rest: key };
}

/** One change to the stack's config, applied after the stack file is read, in order. */
export interface ConfigChange {
  /** A key as `pulumi config set` takes it; one with `.` or `[` is a path, as with `--path`. */
  key: string;
  /** The value to set; undefined removes the key (as `pulumi config rm` would). */
  value?: string;
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` from `dir` and applies `changes` the way `pulumi config set KEY
 * VALUE` / `pulumi config rm KEY` would (a key without `project:` belongs to the project; a key with `.` or `[`
 * is a path into a structured value, as with `--path`).
 */
export function readProject(dir: string, stack: string, changes: readonly ConfigChange[] = []): ProjectFiles {
  const projectFile = path.join(dir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new RenderError(`no Pulumi.yaml in ${dir}`);
  const project = readYaml(projectFile);
  const name = project.name;
  if (typeof name !== "string" || name === "") throw new RenderError(`${projectFile}: "name" is missing`);
  const runtime =
    typeof project.runtime === "object" && project.runtime
      ? (project.runtime as { name?: unknown }).name
      : project.runtime;
  if (runtime !== "nodejs") {
    throw new RenderError(
      `${projectFile}: runtime ${JSON.stringify(runtime)} is not supported; expected "nodejs"`,
    );
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const put = (key: string, value: unknown, where: string): void => {
    const full = key.includes(":") ? key : `${name}:${key}`;
    if (isSecure(value)) {
      config[full] = "[secret]";
      secretKeys.push(full);
      return;
    }
    if (value === null || value === undefined)
      throw new RenderError(`${where}: config "${key}" has no value`);
    config[full] = typeof value === "string" ? value : JSON.stringify(value);
  };

  // Project-level config: `key: value` or `key: {type, default, value}`.
  for (const [key, decl] of Object.entries(asJsonObject(project.config))) {
    if (isJsonObject(decl) && !isSecure(decl)) {
      const d = decl as { default?: unknown; value?: unknown };
      const value = d.value ?? d.default;
      if (value !== undefined) put(key, value, projectFile);
    } else {
      put(key, decl, projectFile);
    }
  }

  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    const stacks = readdirSync(dir)
      .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    throw new RenderError(
      `stack "${stack}": no Pulumi.${stack}.yaml in ${dir}; ${stacks.length ? `stacks here: ${stacks.join(", ")}` : "no stack files here"}`,
    );
  }
  for (const [key, value] of Object.entries(asJsonObject(readYaml(stackFile).config)))
    put(key, value, stackFile);
  const stackConfig = { ...config };
  for (const change of changes) applyChange(config, secretKeys, name, change);

  const main = typeof project.main === "string" ? path.resolve(dir, project.main) : defaultMain(dir);
  return { dir, project: name, main, config, secretKeys, stackConfig };
}

/** Applies one `config set` / `config rm` (plain key or `--path` key) to the fully qualified config map. */
function applyChange(
  config: Record<string, string>,
  secretKeys: string[],
  project: string,
  change: ConfigChange,
): void {
  const { namespace, rest } = splitNamespace(project, change.key);
  const flag = change.value === undefined ? "--remove" : "--config";
  const segments = parsePath(`${flag} ${change.key}`, rest);
  const full = `${namespace}:${segments[0]}`;
  const secret = secretKeys.indexOf(full);
  // What the user wrote before the key: `ns:` or nothing.
  const written = change.key.slice(0, change.key.length - rest.length);
  if (change.value === undefined && !(full in config)) {
    const set = Object.keys(config)
      .filter((k) => k.startsWith(`${namespace}:`))
      .map((k) => k.slice(namespace.length + 1));
    throw notSet(change.key, written, [], segments[0], set);
  }
  if (segments.length === 1) {
    if (change.value === undefined) delete config[full];
    else config[full] = change.value;
    if (secret >= 0) secretKeys.splice(secret, 1);
    return;
  }
  if (secret >= 0)
    throw new RenderError(`${flag} ${change.key}: ${full} is a secret; render cannot change part of it`);
  const current = config[full];
  let root: unknown;
  if (current !== undefined) {
    try {
      root = JSON.parse(current);
    } catch {
      root = undefined;
    }
    if (root === null || typeof root !== "object") {
      throw new RenderError(`${flag} ${change.key}: ${full} holds "${current}", not a structured value`);
    }
  }
  if (change.value === undefined) {
    // As `pulumi config rm --path`, a removal never creates the objects on the way; unlike it, a path that is not
    // set is refused: it is most likely misspelt, and the render would silently show the config unchanged.
    let node: unknown = root;
    for (const [i, segment] of segments.slice(1).entries()) {
      const keys = childKeys(node);
      if (!keys.includes(segment)) throw notSet(change.key, written, segments.slice(0, i + 1), segment, keys);
      node = (node as Record<string | number, unknown>)[segment];
    }
  }
  root = setPath(root, segments.slice(1), change.value, `${flag} ${change.key}`);
  if (root === undefined) delete config[full];
  else config[full] = JSON.stringify(root);
}

/** The keys (or indexes) below a structured config value; none below a plain one. */
function childKeys(node: unknown): Array<string | number> {
  if (Array.isArray(node)) return node.map((_, i) => i);
  return node !== null && typeof node === "object" ? Object.keys(node) : [];
}

/**
 * The error for `--remove KEY` of a key or path that is not set: names it as written (`prefix` is the `ns:` the
 * key was written with, if any) and what is set beside it: the near keys when it looks misspelt, else all.
 */
function notSet(
  original: string,
  prefix: string,
  parent: Array<string | number>,
  missing: string | number,
  siblings: Array<string | number>,
): RenderError {
  const name = (segment: string | number): string => `${prefix}${formatPath([...parent, segment])}`;
  const near =
    typeof missing === "string"
      ? nearKeys(
          missing,
          siblings.filter((k): k is string => typeof k === "string"),
        )
      : [];
  const where = parent.length === 0 ? "here" : `in ${prefix}${formatPath(parent)}`;
  const hint =
    near.length > 0
      ? `; did you mean ${near.map(name).join(" or ")}?`
      : siblings.length > 0
        ? `; set ${where}: ${siblings.map(name).join(", ")}`
        : `; nothing is set ${where}`;
  return new RenderError(`--remove ${original}: ${name(missing)} is not set${hint}`);
}

/** `["a", "b", 0, "c"]` as `a.b[0].c`. */
function formatPath(segments: Array<string | number>): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : /[.[\]]/.test(s) ? `["${s}"]` : i === 0 ? s : `.${s}`))
    .join("");
}

/** Splits `a.b[0].c` into ["a", "b", 0, "c"]; a key without `.` or `[` is one segment. `option` is how errors name the change. */
function parsePath(option: string, key: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/gy;
  let index = 0;
  while (index < key.length) {
    if (key[index] === "." && index > 0) index++;
    re.lastIndex = index;
    const m = re.exec(key);
    if (!m) throw new RenderError(`${option}: "${key}" is not a config key or path`);
    segments.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]));
    index = re.lastIndex;
  }
  if (segments.length === 0 || typeof segments[0] !== "string") {
    throw new RenderError(`${option}: a path starts with a key name`);
  }
  return segments;
}

/**
 * Sets (or, with no value, removes) the value at `segments` below `node`, returning the new node. As `pulumi
 * config set --path` does, `true` and `false` become booleans and whole numbers become numbers below the top key.
 */
function setPath(
  node: unknown,
  segments: Array<string | number>,
  value: string | undefined,
  option: string,
): unknown {
  const [head, ...tail] = segments;
  const container: Record<string, unknown> | unknown[] =
    node !== null && typeof node === "object"
      ? Array.isArray(node)
        ? [...(node as unknown[])]
        : { ...(node as Record<string, unknown>) }
      : typeof head === "number"
        ? []
        : {};
  if (typeof head === "number" && !Array.isArray(container)) {
    throw new RenderError(`${option}: [${head}] indexes a list, but the value there is an object`);
  }
  if (typeof head === "string" && Array.isArray(container)) {
    throw new RenderError(`${option}: "${head}" names a key, but the value there is a list`);
  }
  const slot = container as Record<string | number, unknown>;
  if (tail.length === 0) {
    if (value === undefined) {
      if (Array.isArray(container) && typeof head === "number") container.splice(head, 1);
      else delete slot[head];
    } else {
      slot[head] = typedValue(value);
    }
  } else {
    const inner = setPath(slot[head], tail, value, option);
    if (inner === undefined) delete slot[head];
    else slot[head] = inner;
  }
  return container;
}

function typedValue(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?(0|[1-9]\d{0,14})$/.test(text)) return Number(text);
  return text;
}

/**
 * The program the Node.js language host runs when Pulumi.yaml names no `main`: the nearest package.json's
 * `exports["."]` or `main`, else the project folder (whose index.js / index.ts Node loads).
 */
function defaultMain(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    const manifest = path.join(at, "package.json");
    if (existsSync(manifest)) {
      const pkg = asJsonObject(JSON.parse(readFileSync(manifest, "utf8")) as unknown);
      const exported = pkg.exports;
      const dot =
        typeof exported === "object" && exported !== null
          ? (exported as Record<string, unknown>)["."]
          : exported;
      const target =
        typeof dot === "string"
          ? dot
          : typeof dot === "object" && dot !== null
            ? ((dot as Record<string, unknown>).default ??
              (dot as Record<string, unknown>).require ??
              (dot as Record<string, unknown>).import)
            : pkg.main;
      return typeof target === "string" ? path.resolve(at, target) : dir;
    }
    if (path.dirname(at) === at) return dir;
  }
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new RenderError(`${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  return asJsonObject(doc);
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in value;
}
