import { Checks, ValidationError } from "./errors";
import { DNS_LABEL_MAX, requireDnsLabel, requireHeaderName, requireNonEmpty } from "./names";
import { parseWeight } from "./weight";

/**
 * Where a release stands. Derived from the spec, never configured directly.
 */
export enum ReleasePhase {
  /** No canary: all traffic goes to the stable version. */
  Stable = "stable",
  /** A canary runs but gets no traffic and there is no header rule: a fresh canary, or the state after a rollback. */
  Standby = "standby",
  /** Weight 0 with a header rule: only requests carrying the header reach the canary (phase 1). */
  HeaderTesting = "header-testing",
  /** Weight 1..99: live traffic is split by weight (phase 2). */
  Weighted = "weighted",
  /** Weight 100: all traffic goes to the canary; the stable version still runs, ready for a rollback. */
  Shifted = "shifted",
}

/** An exact-match request header that sends a request to the canary, e.g. `stage: canary`. */
export interface HeaderRule {
  /** Header name, e.g. `stage`. */
  name: string;
  /** Exact header value, e.g. `canary`. */
  value: string;
}

/** A version and its share of traffic in percent. */
export interface VersionWeight {
  /** Version name (a DNS-1123 label such as `v2` or `green`). */
  version: string;
  /** Whole percent, 0..100. */
  weight: number;
}

/** What a release is made of: the inputs of {@link planRelease}. */
export interface ReleaseSpec {
  /** Service name (a DNS-1123 label); Kubernetes, Gloo and Consul objects are named after it. */
  service: string;
  /** The version that takes the traffic the canary and the further versions do not. */
  stableVersion: string;
  /** The version being released. Absent: stable only. */
  canaryVersion?: string;
  /** Percent of traffic for the canary, a whole number 0..100. Defaults to 0. */
  canaryWeight?: number;
  /** Requests carrying this header go to the canary whatever the weight. */
  header?: HeaderRule;
  /** Further versions with fixed weights, for N-way splits (e.g. a dark launch). */
  extraVersions?: VersionWeight[];
}

/** The header route of a plan: requests matching `header` go to `version`. */
export interface HeaderRoute {
  /** The header rule requests must match. */
  header: HeaderRule;
  /** The version matching requests go to: the canary. */
  version: string;
}

/** The routing model of a release: what every traffic backend (Gloo, Consul, ...) renders. */
export interface ReleasePlan {
  /** The service name. */
  service: string;
  /** Where the release stands, derived from the weights and the header rule. */
  phase: ReleasePhase;
  /** The version that takes the traffic the canary and the further versions do not. */
  stableVersion: string;
  /** The version being released; absent when only the stable version runs. */
  canaryVersion?: string;
  /** The canary's weight as written. */
  canaryWeight: number;
  /** Derived: 100 minus the canary's and the further versions' weights. */
  stableWeight: number;
  /** Every version that must be running: stable, then canary, then further versions. */
  versions: string[];
  /** The weighted split: only weights above 0, summing to exactly 100, stable first. */
  destinations: VersionWeight[];
  /** Present when there is a canary and a header rule. */
  headerRoute?: HeaderRoute;
}

/** Checks a header rule: a header name and a non-empty value. */
function headerOf(rule: HeaderRule, scope?: string, field = "header"): HeaderRule {
  return {
    name: requireHeaderName(`${field}.name`, rule.name, scope),
    value: requireNonEmpty(`${field}.value`, rule.value, 'a non-empty header value such as "canary"', scope),
  };
}

/**
 * Validates a release and derives its plan. Pure: no Pulumi, no I/O.
 *
 * The canary weight is written and the stable weight derived (100 - canary - further versions), so the
 * destinations sum to exactly 100 by construction. Throws {@link ValidationError} naming the field, the value
 * and what is accepted.
 *
 * @param scope - prefixes error messages (e.g. the component or stack the spec comes from).
 * @param fieldPrefix - prefixes the fields error messages name, e.g. `releases.payments.` for a release read from
 *   that stack config path, so messages name the keys as the user wrote them.
 */
export function planRelease(spec: ReleaseSpec, scope?: string, fieldPrefix = ""): ReleasePlan {
  /** A field as the user wrote it, e.g. `releases.payments.canaryWeight` for a release read from stack config. */
  const k = (field: string): string => `${fieldPrefix}${field}`;
  // The service, the stable version, the weight and the header are checked together, so one call reports all of
  // their problems; what depends on them comes after.
  const checks = new Checks();
  const service = requireDnsLabel("service", spec.service, scope);
  const stableChecked = checks.check(() =>
    requireVersion(k("stableVersion"), spec.stableVersion, service, scope),
  );
  const weightChecked = checks.check(() => parseWeight(k("canaryWeight"), spec.canaryWeight ?? 0, scope));
  const headerChecked = checks.check(() =>
    spec.header === undefined ? undefined : headerOf(spec.header, scope, k("header")),
  );
  checks.done();
  const [stable, canaryWeight, header] = [stableChecked!, weightChecked!, headerChecked];

  let canary: string | undefined;
  if (spec.canaryVersion !== undefined) {
    canary = requireVersion(k("canaryVersion"), spec.canaryVersion, service, scope);
    if (canary === stable) {
      throw new ValidationError(
        k("canaryVersion"),
        canary,
        `a version other than the ${k("stableVersion")} "${stable}" (to finalize, set ${k("stableVersion")} to the canary and remove ${k("canaryVersion")})`,
        scope,
      );
    }
  } else if (canaryWeight > 0) {
    throw new ValidationError(
      k("canaryWeight"),
      canaryWeight,
      `0 while no ${k("canaryVersion")} is set (set ${k("canaryVersion")} first)`,
      scope,
    );
  }

  const extras = (spec.extraVersions ?? []).map((extra, i) => {
    const field = k(`extraVersions[${i}]`);
    const version = requireVersion(`${field}.version`, extra.version, service, scope);
    return { version, weight: parseWeight(`${field}.weight`, extra.weight, scope) };
  });
  const seen = new Set([stable, ...(canary ? [canary] : [])]);
  extras.forEach((extra, i) => {
    if (seen.has(extra.version)) {
      throw new ValidationError(
        k(`extraVersions[${i}].version`),
        extra.version,
        "a version not already named as stableVersion, canaryVersion or another extra version",
        scope,
      );
    }
    seen.add(extra.version);
  });

  const extraTotal = extras.reduce((sum, extra) => sum + extra.weight, 0);
  if (canaryWeight + extraTotal > 100) {
    throw new ValidationError(
      `${k("canaryWeight")} + ${k("extraVersions[*].weight")}`,
      canaryWeight + extraTotal,
      "a total of at most 100, so the stable version's derived share is not negative",
      scope,
    );
  }
  const stableWeight = 100 - canaryWeight - extraTotal;

  const all: VersionWeight[] = [
    { version: stable, weight: stableWeight },
    ...(canary ? [{ version: canary, weight: canaryWeight }] : []),
    ...extras,
  ];
  return {
    service,
    phase: phaseOf(canary, canaryWeight, header, extraTotal),
    stableVersion: stable,
    canaryVersion: canary,
    canaryWeight,
    stableWeight,
    versions: all.map((d) => d.version),
    destinations: all.filter((d) => d.weight > 0),
    headerRoute: canary && header ? { header, version: canary } : undefined,
  };
}

function phaseOf(
  canary: string | undefined,
  weight: number,
  header: HeaderRule | undefined,
  extraTotal: number,
): ReleasePhase {
  if (canary === undefined) return extraTotal > 0 ? ReleasePhase.Weighted : ReleasePhase.Stable;
  if (weight === 100) return ReleasePhase.Shifted;
  if (weight > 0 || extraTotal > 0) return ReleasePhase.Weighted;
  return header ? ReleasePhase.HeaderTesting : ReleasePhase.Standby;
}

function requireVersion(field: string, value: unknown, service: string, scope?: string): string {
  const version = requireDnsLabel(field, value, scope);
  const objectName = `${service}-${version}`;
  if (objectName.length > DNS_LABEL_MAX) {
    throw new ValidationError(
      field,
      version,
      `a version short enough that "<service>-<version>" (here "${objectName}", ${objectName.length} characters) fits in ${DNS_LABEL_MAX} characters`,
      scope,
    );
  }
  return version;
}

/** The split as text, e.g. `v1 90% / v2 10%`. */
export function describeSplit(destinations: readonly VersionWeight[]): string {
  return destinations.map((d) => `${d.version} ${d.weight}%`).join(" / ");
}
