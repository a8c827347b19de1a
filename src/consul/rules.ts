/**
 * Consul's write-time rules for discovery-chain config entries, as pure checks on built entries.
 *
 * Consul answers a violating `config write` (and a delete that would leave the graph invalid) with HTTP 500; these
 * checks refuse the same entries before anything is applied. Each throws a {@link ValidationError} whose field
 * names the entry kind and the path inside it, e.g. `service-splitter.splits[1].weight`.
 */
import { ValidationError } from "../release/errors";
import { isDnsLabel, DNS_LABEL_MAX } from "../release/names";
import { isCanonicalGoDuration, formatGoDuration, parseGoDuration } from "./duration";
import { allowsRouting, parseProtocol } from "./protocol";
import type {
  ConsulEntries,
  ServiceDefaultsEntry,
  ServiceResolverEntry,
  ServiceRouterEntry,
  ServiceSplitterEntry,
} from "./entries";

const DEFAULTS = "service-defaults";
const RESOLVER = "service-resolver";
const SPLITTER = "service-splitter";
const ROUTER = "service-router";

function requireName(kind: string, name: unknown, scope?: string): void {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError(
      `${kind}.name`,
      name,
      "the service name (set explicitly: the provider auto-names an entry without one)",
      scope,
    );
  }
}

/** service-defaults: a name, a known protocol and the `exposes` block the provider requires. */
export function checkServiceDefaults(entry: ServiceDefaultsEntry, scope?: string): void {
  requireName(DEFAULTS, entry.name, scope);
  parseProtocol(`${DEFAULTS}.protocol`, entry.protocol, scope);
  if (!Array.isArray(entry.exposes) || entry.exposes.length === 0) {
    throw new ValidationError(
      `${DEFAULTS}.exposes`,
      entry.exposes,
      "a list with one block, e.g. [{}]",
      scope,
    );
  }
}

function checkTimeout(field: string, value: unknown, scope?: string): void {
  const nanoseconds = typeof value === "string" ? parseGoDuration(value) : undefined;
  if (nanoseconds === undefined || nanoseconds < 0n) {
    throw new ValidationError(
      field,
      value,
      'a Go duration of at least 0, such as "5s" (set both timeouts)',
      scope,
    );
  }
  if (typeof value === "string" && !isCanonicalGoDuration(value)) {
    throw new ValidationError(
      field,
      value,
      `the form Consul reads it back in, "${formatGoDuration(nanoseconds)}" (otherwise every refresh shows a diff)`,
      scope,
    );
  }
}

/**
 * service-resolver: subset names are DNS labels (at most 63 characters) and distinct, each subset has a filter,
 * `DefaultSubset` names a defined subset, both timeouts are Go durations in their read-back form, and `Redirect`
 * and `Failover` are not both set.
 */
export function checkServiceResolver(entry: ServiceResolverEntry, scope?: string): void {
  requireName(RESOLVER, entry.name, scope);
  const names = new Set<string>();
  entry.subsets.forEach((subset, i) => {
    const field = `${RESOLVER}.subsets[${i}]`;
    if (typeof subset.name !== "string" || !isDnsLabel(subset.name)) {
      throw new ValidationError(
        `${field}.name`,
        subset.name,
        `a lower-case DNS label of at most ${DNS_LABEL_MAX} characters (^[a-z0-9]([a-z0-9-]*[a-z0-9])?$), e.g. "v2" or "green"`,
        scope,
      );
    }
    if (names.has(subset.name)) {
      throw new ValidationError(`${field}.name`, subset.name, "a subset name not already defined", scope);
    }
    names.add(subset.name);
    if (typeof subset.filter !== "string" || subset.filter.trim() === "") {
      throw new ValidationError(
        `${field}.filter`,
        subset.filter,
        'a filter such as Service.Meta.version == "v2"',
        scope,
      );
    }
    if (typeof subset.onlyPassing !== "boolean") {
      throw new ValidationError(
        `${field}.onlyPassing`,
        subset.onlyPassing,
        "true or false (required)",
        scope,
      );
    }
  });
  if (entry.defaultSubset !== undefined && !names.has(entry.defaultSubset)) {
    throw new ValidationError(`${RESOLVER}.defaultSubset`, entry.defaultSubset, subsetsText(names), scope);
  }
  checkTimeout(`${RESOLVER}.connectTimeout`, entry.connectTimeout, scope);
  checkTimeout(`${RESOLVER}.requestTimeout`, entry.requestTimeout, scope);
  if (nonEmptyList(entry.redirects) && nonEmptyList(entry.failovers)) {
    throw new ValidationError(
      `${RESOLVER}.redirects`,
      entry.redirects,
      "no redirect while failovers are set",
      scope,
    );
  }
}

function nonEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function subsetsText(names: ReadonlySet<string>): string {
  return names.size === 0
    ? "a defined subset (the resolver defines none)"
    : `a defined subset: one of ${[...names].map((n) => `"${n}"`).join(", ")}`;
}

/** True when `weight` is a multiple of 0.01 (Consul rounds every weight to 0.01). */
function inHundredths(weight: number): boolean {
  return Math.abs(weight * 100 - Math.round(weight * 100)) < 1e-6;
}

/**
 * service-splitter: at least one split; each has a service and a weight from 0 to 100 that Consul stores exactly
 * (float32, steps of 0.01); the rounded weights total exactly 100; no destination (service, subset) occurs twice;
 * a split to a subset of the resolver's own service names a subset the resolver defines.
 */
export function checkServiceSplitter(
  entry: ServiceSplitterEntry,
  resolver?: ServiceResolverEntry,
  scope?: string,
): void {
  requireName(SPLITTER, entry.name, scope);
  if (entry.splits.length === 0) {
    throw new ValidationError(
      `${SPLITTER}.splits`,
      entry.splits,
      "at least one split (no splits configured)",
      scope,
    );
  }
  const subsets = resolver ? new Set(resolver.subsets.map((s) => s.name)) : undefined;
  const seen = new Map<string, number>();
  let hundredths = 0;
  entry.splits.forEach((split, i) => {
    const field = `${SPLITTER}.splits[${i}]`;
    if (typeof split.service !== "string" || split.service === "") {
      throw new ValidationError(`${field}.service`, split.service, "a service name (required)", scope);
    }
    const weight = split.weight;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new ValidationError(`${field}.weight`, weight, "a number from 0 to 100", scope);
    }
    if (!inHundredths(weight)) {
      throw new ValidationError(
        `${field}.weight`,
        weight,
        "a weight in steps of 0.01 (Consul rounds to 0.01)",
        scope,
      );
    }
    if (Math.fround(weight) !== weight) {
      throw new ValidationError(
        `${field}.weight`,
        weight,
        `a weight a float32 holds exactly (a whole number, or a half or quarter): it would read back as ${Math.fround(weight)} and diff on every refresh`,
        scope,
      );
    }
    hundredths += Math.round(weight * 100);
    const key = `${split.service}/${split.serviceSubset ?? ""}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ValidationError(
        `${field}.serviceSubset`,
        split.serviceSubset ?? "",
        `a destination not already split to (service "${split.service}" subset "${split.serviceSubset ?? ""}" occurs in splits[${earlier}] too)`,
        scope,
      );
    }
    seen.set(key, i);
    if (subsets && resolver && split.service === resolver.name && split.serviceSubset !== undefined) {
      if (!subsets.has(split.serviceSubset)) {
        throw new ValidationError(`${field}.serviceSubset`, split.serviceSubset, subsetsText(subsets), scope);
      }
    }
  });
  if (hundredths !== 10000) {
    throw new ValidationError(
      `${SPLITTER}.splits[*].weight`,
      hundredths / 100,
      "weights summing to exactly 100",
      scope,
    );
  }
}

/**
 * service-router: each header condition has a name and exactly one of present, exact, prefix, suffix, regex; at
 * most one of pathExact, pathPrefix, pathRegex, and pathExact / pathPrefix start with `/`; a destination to a
 * subset of the resolver's own service names a subset the resolver defines.
 */
export function checkServiceRouter(
  entry: ServiceRouterEntry,
  resolver?: ServiceResolverEntry,
  scope?: string,
): void {
  requireName(ROUTER, entry.name, scope);
  const subsets = resolver ? new Set(resolver.subsets.map((s) => s.name)) : undefined;
  entry.routes.forEach((route, i) => {
    const field = `${ROUTER}.routes[${i}]`;
    const http = route.match.http;
    (http.headers ?? []).forEach((header, j) => {
      const hfield = `${field}.match.http.headers[${j}]`;
      if (typeof header.name !== "string" || header.name === "") {
        throw new ValidationError(`${hfield}.name`, header.name, "a header name (required)", scope);
      }
      const kinds = [
        header.present === true ? "present" : undefined,
        nonEmpty(header.exact) ? "exact" : undefined,
        nonEmpty(header.prefix) ? "prefix" : undefined,
        nonEmpty(header.suffix) ? "suffix" : undefined,
        nonEmpty(header.regex) ? "regex" : undefined,
      ].filter((k) => k !== undefined);
      if (kinds.length !== 1) {
        throw new ValidationError(
          hfield,
          kinds.length === 0 ? "no condition" : kinds.join(" + "),
          "exactly one of present, exact, prefix, suffix or regex",
          scope,
        );
      }
    });
    const paths = (["pathExact", "pathPrefix", "pathRegex"] as const).filter((k) => nonEmpty(http[k]));
    if (paths.length > 1) {
      throw new ValidationError(
        `${field}.match.http`,
        paths.join(" + "),
        "at most one of pathExact, pathPrefix, pathRegex",
        scope,
      );
    }
    for (const key of ["pathExact", "pathPrefix"] as const) {
      const path = http[key];
      if (nonEmpty(path) && !path.startsWith("/")) {
        throw new ValidationError(`${field}.match.http.${key}`, path, 'a path starting with "/"', scope);
      }
    }
    const destination = route.destination;
    const ownService =
      destination.service === "" || (resolver !== undefined && destination.service === resolver.name);
    if (
      subsets &&
      ownService &&
      destination.serviceSubset !== undefined &&
      !subsets.has(destination.serviceSubset)
    ) {
      throw new ValidationError(
        `${field}.destination.serviceSubset`,
        destination.serviceSubset,
        subsetsText(subsets),
        scope,
      );
    }
  });
}

function nonEmpty(value: string | undefined): value is string {
  return typeof value === "string" && value !== "";
}

/**
 * Checks one release's entries together: each entry's own rules, every entry named after the same service, and
 * the L7 rule: a splitter or router (even a single 100 % split) needs protocol `http`, `http2` or `grpc`.
 */
export function checkConsulEntries(entries: ConsulEntries, scope?: string): void {
  const { defaults, resolver, splitter, router } = entries;
  checkServiceDefaults(defaults, scope);
  checkServiceResolver(resolver, scope);
  if (splitter) checkServiceSplitter(splitter, resolver, scope);
  if (router) checkServiceRouter(router, resolver, scope);
  for (const [kind, entry] of [
    [RESOLVER, resolver],
    [SPLITTER, splitter],
    [ROUTER, router],
  ] as const) {
    if (entry !== undefined && entry.name !== defaults.name) {
      throw new ValidationError(
        `${kind}.name`,
        entry.name,
        `the service name "${defaults.name}" of service-defaults`,
        scope,
      );
    }
  }
  if ((splitter || router) && !allowsRouting(defaults.protocol)) {
    throw new ValidationError(
      `${DEFAULTS}.protocol`,
      defaults.protocol,
      `"http", "http2" or "grpc" while a ${splitter ? SPLITTER : ROUTER} exists (Consul: protocol "tcp" does not permit advanced routing or splitting)`,
      scope,
    );
  }
}
