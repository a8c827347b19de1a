import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { asJsonObject, isJsonObject } from "../json";
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
  const segments = parsePath(change.key, rest);
  const full = `${namespace}:${segments[0]}`;
  const secret = secretKeys.indexOf(full);
  if (segments.length === 1) {
    if (change.value === undefined) delete config[full];
    else config[full] = change.value;
    if (secret >= 0) secretKeys.splice(secret, 1);
    return;
  }
  if (secret >= 0)
    throw new RenderError(`--config ${change.key}: ${full} is a secret; render cannot change part of it`);
  const current = config[full];
  let root: unknown;
  if (current !== undefined) {
    try {
      root = JSON.parse(current);
    } catch {
      root = undefined;
    }
    if (root === null || typeof root !== "object") {
      throw new RenderError(`--config ${change.key}: ${full} holds "${current}", not a structured value`);
    }
  } else if (change.value === undefined) {
    return;
  }
  root = setPath(root, segments.slice(1), change.value, change.key);
  if (root === undefined) delete config[full];
  else config[full] = JSON.stringify(root);
}

/** Splits `a.b[0].c` into ["a", "b", 0, "c"]; a key without `.` or `[` is one segment. */
function parsePath(original: string, key: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/gy;
  let index = 0;
  while (index < key.length) {
    if (key[index] === "." && index > 0) index++;
    re.lastIndex = index;
    const m = re.exec(key);
    if (!m) throw new RenderError(`--config ${original}: "${key}" is not a config key or path`);
    segments.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3]));
    index = re.lastIndex;
  }
  if (segments.length === 0 || typeof segments[0] !== "string") {
    throw new RenderError(`--config ${original}: a path starts with a key name`);
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
  original: string,
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
    throw new RenderError(`--config ${original}: [${head}] indexes a list, but the value there is an object`);
  }
  if (typeof head === "string" && Array.isArray(container)) {
    throw new RenderError(`--config ${original}: "${head}" names a key, but the value there is a list`);
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
    const inner = setPath(slot[head], tail, value, original);
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
