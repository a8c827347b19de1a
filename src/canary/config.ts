import * as pulumi from "@pulumi/pulumi";
import type { PromotionPolicy } from "../release/promotion";
import {
  parseWeight,
  requireDnsLabel,
  requireHeaderName,
  Checks,
  ValidationError,
  type HeaderRule,
  type Problem,
  type VersionWeight,
} from "../release";
import { nearKeys } from "../nearMiss";

/** A release as read from stack config: the release fields plus the image of each version. */
export interface ReleaseConfig {
  /** The version that serves traffic now (key `stableVersion`, required). */
  stableVersion: string;
  /** The version being released (key `canaryVersion`); absent: stable only. */
  canaryVersion?: string;
  /** Percent of traffic for the canary, 0..100 (key `canaryWeight`, default 0). */
  canaryWeight: number;
  /** Requests with this header go to the canary (key `canaryHeader`, `name=value`); absent: no header rule. */
  header?: HeaderRule;
  /** Further versions with fixed weights (key `extraVersions`); absent: none. */
  extraVersions?: VersionWeight[];
  /** Container image per version. */
  images: Record<string, string>;
  /** Replicas per version, when set in config. */
  replicas?: number;
  /**
   * Where the release's keys are in stack config, e.g. `releases.payments`; absent for top-level keys. Passed on
   * to `CanaryRelease` (with the rest of the release), whose errors then name the keys as written.
   */
  configPath?: string;
  /**
   * The stack's promotion policy (top-level keys `maxStep`, `requireHeaderTesting`, `canaryForce`), when any is
   * set. Passed on to `CanaryRelease`, which judges each update against what the stack deployed last.
   */
  policy?: PromotionPolicy;
}

/** Where {@link readReleaseConfig} reads from. */
export interface ReadReleaseConfigOptions {
  /** The config bag. Defaults to `new pulumi.Config()` (the project's namespace). */
  config?: pulumi.Config;
  /**
   * Read a structured value instead of top-level keys: a dotted path into one object-valued key, as written
   * by `pulumi config set --path 'releases.payments.canaryWeight' 25`. Defaults to top-level keys.
   */
  path?: string;
}

type Raw = Record<string, unknown>;

const KEYS = [
  "stableVersion",
  "canaryVersion",
  "canaryWeight",
  "canaryHeader",
  "images",
  "image",
  "replicas",
  "extraVersions",
];

/** The stack's promotion policy keys, top-level in the project's namespace whichever style the releases use. */
const POLICY_KEYS = ["maxStep", "requireHeaderTesting", "canaryForce"];

/**
 * Reads and validates a release from stack config. Keys: `stableVersion` (required), `canaryVersion`,
 * `canaryWeight` (0..100, default 0), `canaryHeader` (`name=value`, e.g. `stage=canary`), `images` (a map from
 * version to image), `image` (an image for every version, `{version}` replaced by the version), `replicas`,
 * `extraVersions` (a list of `{version, weight}`).
 *
 * Errors name the key as it is written in config (e.g. `releases.payments.canaryWeight`), the value and what
 * is accepted; they are thrown before any resource is registered.
 */
export function readReleaseConfig(options: ReadReleaseConfigOptions = {}): ReleaseConfig {
  return checkConfig(() => {
    const config = options.config ?? new pulumi.Config();
    const prefix = options.path ? `${options.path}.` : "";
    const raw = options.path ? readPath(config, options.path) : readTopLevel(config);
    const release = parseReleaseConfig(raw, prefix);
    const policy = readPolicy(config);
    return {
      ...release,
      ...(options.path ? { configPath: options.path } : {}),
      ...(policy ? { policy } : {}),
    };
  });
}

/**
 * Reads the stack's promotion policy: `maxStep` (1..100), `requireHeaderTesting` and `canaryForce` (true or
 * false). `undefined` when none is set.
 */
export function readPromotionPolicy(
  config: pulumi.Config = new pulumi.Config(),
): PromotionPolicy | undefined {
  return checkConfig(() => readPolicy(config));
}

function readPolicy(config: pulumi.Config): PromotionPolicy | undefined {
  const raw: Raw = {};
  for (const k of POLICY_KEYS) raw[k] = config.get(k);
  return parsePromotionPolicy(raw, `stack ${pulumi.getStack()}`);
}

/** The pure part of {@link readPromotionPolicy}: validates the raw config values of the policy keys. */
export function parsePromotionPolicy(raw: Raw, source?: string): PromotionPolicy | undefined {
  const policy: PromotionPolicy = {};
  if (raw.maxStep !== undefined) {
    const text = String(raw.maxStep);
    const n = /^[1-9]\d{0,2}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= 100)) {
      throw new ValidationError(
        "maxStep",
        raw.maxStep,
        "a whole number from 1 to 100: the largest increase of a version's share of traffic in one update",
      );
    }
    policy.maxStep = n;
  }
  for (const [key, field] of [
    ["requireHeaderTesting", "requireHeaderTesting"],
    ["canaryForce", "force"],
  ] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (value !== true && value !== false && value !== "true" && value !== "false") {
      throw new ValidationError(key, value, "true or false");
    }
    policy[field] = value === true || value === "true";
  }
  if (Object.keys(policy).length === 0) return undefined;
  if (source !== undefined) policy.source = source;
  return policy;
}

/**
 * What `readReleaseConfig` and `readReleaseConfigs` throw for stack config they refuse: the SDK's `RunError`, which
 * `pulumi up` and `pulumi preview` print without a stack trace, with every problem found, one line each.
 */
export class InvalidConfigError extends pulumi.RunError {
  /** The problems, as the pure validation reported them. */
  readonly problems: readonly Problem[];

  constructor(cause: ValidationError) {
    super(cause.message);
    this.name = "InvalidConfigError";
    this.problems = cause.problems;
  }
}

/** Runs a config read; a `ValidationError` leaves as an `InvalidConfigError`. */
function checkConfig<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ValidationError) throw new InvalidConfigError(err);
    throw err;
  }
}

/**
 * Reads every release under one structured key at once, e.g. `releases` holding `releases.payments`,
 * `releases.orders`, ...: a map from release name to its validated config. One config read for all of them, where
 * calling `readReleaseConfig` per release reads the stack's config once per release. Errors name the key in full
 * (`releases.orders.canaryWeight`).
 */
export function readReleaseConfigs(options: ReadReleaseConfigOptions & { path: string }): {
  [name: string]: ReleaseConfig;
} {
  return checkConfig(() => readAll(options));
}

function readAll(options: ReadReleaseConfigOptions & { path: string }): { [name: string]: ReleaseConfig } {
  const config = options.config ?? new pulumi.Config();
  const all = readPath(config, options.path);
  const releases: { [name: string]: ReleaseConfig } = {};
  const policy = readPolicy(config);
  for (const [name, entry] of Object.entries(all)) {
    const at = `${options.path}.${name}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ValidationError(
        at,
        entry,
        "an object of release keys (stableVersion, canaryVersion, canaryWeight, ...)",
      );
    }
    releases[name] = {
      ...parseReleaseConfig(entry as Raw, `${at}.`),
      configPath: at,
      ...(policy ? { policy } : {}),
    };
  }
  return releases;
}

/** The pure part of {@link readReleaseConfig}: validates raw config values. `prefix` is prepended to key names. */
export function parseReleaseConfig(raw: Raw, prefix = ""): ReleaseConfig {
  const key = (k: string): string => `${prefix}${k}`;
  // Every key is checked, and every problem reported at once (one line each).
  const checks = new Checks();
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k) && raw[k] !== undefined) {
      checks.fail(key(k), raw[k], `one of the release keys ${KEYS.join(", ")}${didYouMean(key, k, KEYS)}`);
    }
  }
  const stableVersion = checks.check(() => {
    if (raw.stableVersion === undefined) {
      throw new ValidationError(
        key("stableVersion"),
        undefined,
        `the version that serves traffic now, e.g. \`${configCommand("set", key("stableVersion"), "v1")}\``,
      );
    }
    return requireDnsLabel(key("stableVersion"), raw.stableVersion);
  });
  const canaryVersion = checks.check(() =>
    raw.canaryVersion === undefined ? undefined : requireDnsLabel(key("canaryVersion"), raw.canaryVersion),
  );
  const canaryWeight = checks.check(() => parseWeight(key("canaryWeight"), raw.canaryWeight ?? "0"));
  // How the versions and weights fit together (a canary weight needs a canary, the canary is not the stable
  // version, the weights leave the stable version a share) is checked once, by `planRelease`.
  const header = checks.check(() =>
    raw.canaryHeader === undefined ? undefined : parseHeader(key("canaryHeader"), raw.canaryHeader),
  );

  let extraVersions: VersionWeight[] | undefined;
  if (raw.extraVersions !== undefined) {
    if (!Array.isArray(raw.extraVersions)) {
      checks.fail(
        key("extraVersions"),
        raw.extraVersions,
        'a list such as [{"version": "dark", "weight": 5}]',
      );
    } else {
      extraVersions = raw.extraVersions.map((entry: unknown, i) => {
        const item = (entry ?? {}) as Raw;
        const version = checks.check(() => requireDnsLabel(key(`extraVersions[${i}].version`), item.version));
        const weight = checks.check(() => parseWeight(key(`extraVersions[${i}].weight`), item.weight));
        return { version: version ?? "", weight: weight ?? 0 };
      });
    }
  }

  let replicas: number | undefined;
  if (raw.replicas !== undefined) {
    const n =
      typeof raw.replicas === "string" && /^\d+$/.test(raw.replicas) ? Number(raw.replicas) : raw.replicas;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1000) {
      checks.fail(key("replicas"), raw.replicas, "a whole number of pods per version from 1 to 1000");
    } else {
      replicas = n;
    }
  }

  const versions = [
    ...(stableVersion ? [stableVersion] : []),
    ...(canaryVersion ? [canaryVersion] : []),
    ...(extraVersions ?? []).map((e) => e.version).filter((v) => v !== ""),
  ];
  const images = checks.check(() => readImages(raw, versions, key, checks)) ?? {};
  checks.done();
  return {
    stableVersion: stableVersion!,
    canaryVersion,
    canaryWeight: canaryWeight!,
    header,
    extraVersions,
    images,
    replicas,
  };
}

function readImages(
  raw: Raw,
  versions: string[],
  key: (k: string) => string,
  checks: Checks,
): Record<string, string> {
  const images: Record<string, string> = {};
  if (raw.images !== undefined) {
    if (raw.images === null || typeof raw.images !== "object" || Array.isArray(raw.images)) {
      throw new ValidationError(
        key("images"),
        raw.images,
        'a map from version to image, e.g. {"v2": "registry/app:2.0.0"}',
      );
    }
    for (const [version, image] of Object.entries(raw.images as Raw)) {
      const checked = checks.check(() => requireImage(key(`images.${version}`), image));
      if (checked !== undefined) images[version] = checked;
    }
  }
  const template =
    raw.image === undefined ? undefined : checks.check(() => requireImage(key("image"), raw.image));
  for (const version of versions) {
    if (images[version] === undefined && template !== undefined)
      images[version] = template.split("{version}").join(version);
  }
  return images;
}

function requireImage(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^[^\s]+$/.test(value)) {
    throw new ValidationError(
      field,
      value,
      'a container image reference without spaces, e.g. "registry/app:2.0.0"',
    );
  }
  return value;
}

/** Parses `name=value` or `name: value` into a header rule. */
export function parseHeader(field: string, value: unknown): HeaderRule {
  const text = typeof value === "string" ? value : "";
  const match = /^\s*([^=:\s]+)\s*[=:]\s*(\S.*?)\s*$/.exec(text);
  if (!match) throw new ValidationError(field, value, 'a header rule "name=value", e.g. "stage=canary"');
  return { name: requireHeaderName(field, match[1]), value: match[2] };
}

function readTopLevel(config: pulumi.Config): Raw {
  refuseNearMisses(config.name);
  const raw: Raw = {};
  for (const k of KEYS) {
    const text = config.get(k);
    if (text === undefined) continue;
    raw[k] = k === "images" || k === "extraVersions" ? parseJson(config.name, k, text) : text;
  }
  return raw;
}

/**
 * Refuses a top-level key of the namespace that is not a release key but looks like a misspelt one
 * (`canaryWieght`, `CanaryWeight`): read as nothing, it would leave the canary where it was. Other keys of the
 * namespace belong to the program and are left alone.
 */
function refuseNearMisses(namespace: string): void {
  const problems: Problem[] = [];
  for (const qualified of Object.keys(pulumi.runtime.allConfig())) {
    if (!qualified.startsWith(`${namespace}:`)) continue;
    const key = qualified.slice(namespace.length + 1);
    if (KEYS.includes(key) || POLICY_KEYS.includes(key)) continue;
    const hint = didYouMean((k) => k, key, [...KEYS, ...POLICY_KEYS]);
    if (hint !== "") {
      problems.push({
        field: key,
        value: pulumi.runtime.allConfig()[qualified],
        accepted: `one of the release keys ${[...KEYS, ...POLICY_KEYS].join(", ")}${hint}`,
      });
    }
  }
  if (problems.length > 0) throw ValidationError.of(problems);
}

/**
 * For a key that is not a release key but near one (`canaryWieght`): ` (did you mean canaryWeight? ...)` naming
 * both as written in config (`name` gives a key's config path) and the command that removes the misspelt one;
 * "" when no known key is near.
 */
function didYouMean(name: (k: string) => string, key: string, known: readonly string[]): string {
  const [near] = nearKeys(key, known);
  if (near === undefined) return "";
  return ` (did you mean ${name(near)}? \`${configCommand("rm", name(key))}\` and set ${name(near)})`;
}

/**
 * The `pulumi config` command that sets (`value` given) or removes `key`, named as written in config: a key inside
 * a structured value (`releases.payments.stableVersion`) takes `--path`.
 */
function configCommand(verb: "set" | "rm", key: string, value?: string): string {
  const target = /[.[]/.test(key) ? `--path '${key}'` : key;
  return `pulumi config ${verb} ${target}${value === undefined ? "" : ` ${value}`}`;
}

function readPath(config: pulumi.Config, path: string): Raw {
  const [top, ...rest] = path.split(".");
  const text = config.get(top);
  if (text === undefined) {
    throw new ValidationError(
      path,
      undefined,
      `an object at config path ${path}, set with \`${configCommand("set", `${path}.stableVersion`, "v1")}\``,
    );
  }
  let node: unknown = parseStructured(config.name, top, text);
  for (const [i, part] of rest.entries()) {
    node = node !== null && typeof node === "object" ? (node as Raw)[part] : undefined;
    if (node === undefined) {
      const at = [top, ...rest.slice(0, i + 1)].join(".");
      throw new ValidationError(at, undefined, `an object at config path ${at}`);
    }
  }
  if (node === null || typeof node !== "object" || Array.isArray(node)) {
    throw new ValidationError(
      path,
      node,
      "an object of release keys (stableVersion, canaryVersion, canaryWeight, ...)",
    );
  }
  return node as Raw;
}

/**
 * The last structured value parsed per config key, with its text. A program that reads many releases from one
 * key (`releases.a`, `releases.b`, ...) parses the value once instead of once per release. Read-only: nothing
 * taken from it is handed to callers (parseReleaseConfig builds new objects).
 */
const structuredValues = new Map<string, { text: string; value: unknown }>();

/** `parseJson`, reusing the value parsed last for this key while its text is unchanged. */
function parseStructured(namespace: string, key: string, text: string): unknown {
  const id = `${namespace}:${key}`;
  const last = structuredValues.get(id);
  if (last !== undefined && last.text === text) return last.value;
  const value = parseJson(namespace, key, text);
  structuredValues.set(id, { text, value });
  return value;
}

function parseJson(namespace: string, key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(
      key,
      text,
      `a structured value (set with \`pulumi config set --path\`) in ${namespace}`,
    );
  }
}
