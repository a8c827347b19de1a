import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
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
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` from `dir` and applies `overrides` the way
 * `pulumi config set KEY VALUE` would (a key without `project:` belongs to the project).
 */
export function readProject(
  dir: string,
  stack: string,
  overrides: Record<string, string> = {},
): ProjectFiles {
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
  for (const [key, decl] of Object.entries(asRecord(project.config))) {
    if (decl !== null && typeof decl === "object" && !Array.isArray(decl) && !isSecure(decl)) {
      const d = decl as { default?: unknown; value?: unknown };
      const value = d.value ?? d.default;
      if (value !== undefined) put(key, value, projectFile);
    } else {
      put(key, decl, projectFile);
    }
  }

  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    throw new RenderError(`stack "${stack}": no Pulumi.${stack}.yaml in ${dir}`);
  }
  for (const [key, value] of Object.entries(asRecord(readYaml(stackFile).config))) put(key, value, stackFile);
  for (const [key, value] of Object.entries(overrides)) {
    const full = key.includes(":") ? key : `${name}:${key}`;
    config[full] = value;
    const secret = secretKeys.indexOf(full);
    if (secret >= 0) secretKeys.splice(secret, 1);
  }

  const main = typeof project.main === "string" ? path.resolve(dir, project.main) : defaultMain(dir);
  return { dir, project: name, main, config, secretKeys };
}

function defaultMain(dir: string): string {
  for (const file of ["index.ts", "index.js"]) {
    if (existsSync(path.join(dir, file))) return path.join(dir, file);
  }
  return dir;
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new RenderError(`${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  return asRecord(doc);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in value;
}
