// State-aware promotion: what the stack deployed last enters the pure plan as one more input, so the policy
// checks (largest step, header testing first) and the safe order of retiring a version stay pure. Pure: no Pulumi.
import { describeProblem, type Problem } from "./errors";
import { ReleasePhase, describeSplit, type ReleasePlan } from "./plan";

/** The steps a release state keeps in its trail, newest last. */
export const TRAIL_LENGTH = 20;

/** One deployed step of a release: what its traffic looked like after an update. */
export interface ReleaseStep {
  /** The phase: stable, standby, header-testing, weighted or shifted. */
  phase: string;
  /** The version that took the traffic the canary did not. */
  stableVersion: string;
  /** The canary; absent when only the stable version ran. */
  canaryVersion?: string;
  /** The canary's weight. */
  canaryWeight: number;
  /** Percent of traffic per version (versions above 0 only). */
  split: { [version: string]: number };
  /** The versions running (one Deployment each). */
  versions: string[];
  /** The version requests carrying the header rule reached; absent without a header rule. */
  headerVersion?: string;
}

/**
 * What a release deployed, as `CanaryRelease` exports it (`state`) and reads it back on the next update
 * (`readPreviousReleases`): the step deployed now, the one before, and the promotion trail.
 */
export interface ReleaseState {
  /** The step this update deployed. */
  current: ReleaseStep;
  /** The step the update before deployed; absent on the first deployment. */
  previous?: ReleaseStep;
  /** The canary version that has been deployed under header testing (weight 0 with its header rule), if any. */
  headerTested?: string;
  /**
   * Consul resolver subsets of versions that left the release in this update but were still named by an entry
   * deleted at its end: kept one more update so Consul accepts every write; the next update drops them.
   */
  keptSubsets?: string[];
  /** What `canaryForce` let through in this update (one line per overridden rule); absent when nothing was. */
  forced?: string[];
  /** The steps deployed, oldest first, at most {@link TRAIL_LENGTH}: e.g. `weighted v1 90% / v2 10%`. */
  trail: string[];
}

/** The promotion policy of a stack (config keys `maxStep`, `requireHeaderTesting`, `canaryForce`). */
export interface PromotionPolicy {
  /**
   * The largest increase of a version's share of traffic in one update, 1..100 (e.g. 25: 10 → 35 is fine,
   * 10 → 50 is refused). Traffic going back to the stable version (a rollback) is never limited. Defaults to none.
   */
  maxStep?: number;
  /**
   * A canary must have been deployed at weight 0 with its header rule (header testing) before it takes any
   * share of live traffic. Defaults to false.
   */
  requireHeaderTesting?: boolean;
  /** Let this update through whatever the rules say, recording what was overridden in the state. Defaults to false. */
  force?: boolean;
  /** Where the policy comes from, for messages, e.g. `stack prod`. */
  source?: string;
}

/** The step a plan deploys. */
export function releaseStep(plan: ReleasePlan): ReleaseStep {
  const step: ReleaseStep = {
    phase: plan.phase,
    stableVersion: plan.stableVersion,
    canaryWeight: plan.canaryWeight,
    split: Object.fromEntries(plan.destinations.map((d) => [d.version, d.weight])),
    versions: [...plan.versions],
  };
  if (plan.canaryVersion !== undefined) step.canaryVersion = plan.canaryVersion;
  if (plan.headerRoute !== undefined) step.headerVersion = plan.headerRoute.version;
  return step;
}

/** A step as one line of the trail, e.g. `weighted v1 90% / v2 10%` or `header-testing v1 100% (header → v2)`. */
export function describeStep(step: ReleaseStep): string {
  const split = describeSplit(Object.entries(step.split).map(([version, weight]) => ({ version, weight })));
  return `${step.phase} ${split}${step.headerVersion ? ` (header → ${step.headerVersion})` : ""}`;
}

/** Whether two steps route the same way. */
function sameStep(a: ReleaseStep, b: ReleaseStep): boolean {
  return describeStep(a) === describeStep(b) && a.versions.join(",") === b.versions.join(",");
}

/** The previous step's share of traffic of `version`. */
function shareOf(step: ReleaseStep, version: string): number {
  return step.split[version] ?? 0;
}

/** Whether `version` went through header testing by the end of the previous update. */
function headerTested(previous: ReleaseState, version: string): boolean {
  const p = previous.current;
  return (
    previous.headerTested === version ||
    (p.canaryVersion === version && p.phase === ReleasePhase.HeaderTesting) ||
    // Already taking traffic before: judged when that step was taken.
    (p.canaryVersion === version && shareOf(p, version) > 0) ||
    p.stableVersion === version
  );
}

/**
 * Checks a plan against the stack's promotion policy and what it deployed last. Returns every rule the plan
 * breaks (empty on the first deployment, without a policy, or when the plan keeps within it).
 *
 * - `maxStep`: no version other than the previous stable one gains more than `maxStep` points of traffic in one
 *   update; a finalize counts as the new stable version going to 100 %. Traffic going back to the previous
 *   stable version (a rollback) is never limited.
 * - `requireHeaderTesting`: a version takes live traffic only after it was deployed under header testing.
 *
 * @param fieldPrefix - prefixes the keys named, e.g. `releases.payments.`.
 */
export function checkPromotion(
  plan: ReleasePlan,
  previous: ReleaseState | undefined,
  policy: PromotionPolicy | undefined,
  fieldPrefix = "",
  scope?: string,
): Problem[] {
  if (previous === undefined || policy === undefined) return [];
  const k = (field: string): string => `${fieldPrefix}${field}`;
  const source = policy.source ? ` on ${policy.source}` : "";
  const before = previous.current;
  const problems: Problem[] = [];
  const at = (problem: Problem): Problem => (scope !== undefined ? { ...problem, scope } : problem);
  for (const destination of plan.destinations) {
    const { version, weight } = destination;
    // Traffic going back to the version that was stable is a rollback: never limited.
    if (version === before.stableVersion) continue;
    const was = shareOf(before, version);
    const isCanary = version === plan.canaryVersion;
    const isStable = version === plan.stableVersion;
    const field = isCanary ? k("canaryWeight") : isStable ? k("stableVersion") : k("extraVersions");
    const value = isCanary ? weight : version;
    if (policy.maxStep !== undefined && weight - was > policy.maxStep) {
      const limit = was + policy.maxStep;
      problems.push(
        at({
          field,
          value,
          accepted: isCanary
            ? `at most ${limit} after ${was} was deployed (maxStep ${policy.maxStep}${source}; a rollback is never limited)`
            : `a step of at most ${policy.maxStep} points for ${version}, which had ${was} % and would get ${weight} % (maxStep ${policy.maxStep}${source}): raise ${k("canaryWeight")} step by step to 100 before ${isStable ? "finalizing" : "this"}`,
        }),
      );
    }
    if (policy.requireHeaderTesting && weight > 0 && !headerTested(previous, version)) {
      problems.push(
        at({
          field,
          value,
          accepted: `0 for ${version} until it has been deployed under header testing (${k("canaryWeight")} 0 with ${k("canaryHeader")} set) (requireHeaderTesting${source})`,
        }),
      );
    }
  }
  return problems;
}

/**
 * How the Consul layer retires versions in one update. Consul checks the whole discovery chain on every write and
 * delete: the resolver may not drop a subset a splitter or router still names.
 */
export interface ConsulRetirement {
  /**
   * Versions kept as resolver subsets for this update (no Deployment, no traffic): the previous deployment still
   * routed to them (by weight or by header), and the splitter and router written after the resolver move the
   * traffic off. The next update drops them.
   */
  keptSubsets: string[];
  /** What happens, one line per version, for the update's log. */
  notes: string[];
}

/**
 * Decides how the Consul writes of an update retire versions, from what the previous deployment routed (pure).
 *
 * The entries are always written in Consul's order (resolver, then splitter and router), and the engine deletes
 * them in the reverse order: writing the splitter before the resolver instead would record that order in the stack,
 * and a later `pulumi destroy` would delete the resolver first, which Consul refuses while the splitter still names
 * its subsets. So a version the previous deployment still routed to keeps its resolver subset for this update, and
 * the next update removes it.
 */
export function consulRetirement(plan: ReleasePlan, previous: ReleaseState | undefined): ConsulRetirement {
  if (previous === undefined) return { keptSubsets: [], notes: [] };
  const before = previous.current;
  const routedBefore = [
    ...Object.keys(before.split).filter((v) => shareOf(before, v) > 0),
    ...(before.headerVersion ? [before.headerVersion] : []),
  ];
  const retiring = [...new Set(routedBefore)].filter((v) => !plan.versions.includes(v));
  return {
    keptSubsets: retiring,
    notes: retiring.map(
      (v) =>
        `${v} leaves the release while the previous deployment still routed to it: the Consul splitter and router move its traffic off in this update and its resolver subset stays (no Deployment, no traffic) until the next pulumi up removes it`,
    ),
  };
}

/**
 * The state an update leaves: its step, the step before, and the trail. An update that deploys the same step
 * again leaves the state as it was, so a no-change `pulumi up` changes no output.
 */
export function nextReleaseState(
  plan: ReleasePlan,
  previous: ReleaseState | undefined,
  extra: { keptSubsets?: string[]; forced?: Problem[] } = {},
): ReleaseState {
  const current = releaseStep(plan);
  const kept = extra.keptSubsets ?? [];
  const forced = (extra.forced ?? []).map(describeProblem);
  if (
    previous !== undefined &&
    sameStep(previous.current, current) &&
    kept.length === 0 &&
    forced.length === 0
  ) {
    const state: ReleaseState = { ...previous, current };
    delete state.keptSubsets;
    delete state.forced;
    return state;
  }
  const canary = plan.canaryVersion;
  let tested: string | undefined;
  if (canary !== undefined) {
    if (plan.phase === ReleasePhase.HeaderTesting) tested = canary;
    else if (previous !== undefined && headerTested(previous, canary)) tested = canary;
  }
  // A step canaryForce let through stays marked in the trail after `forced` goes with the next update.
  const line = forced.length > 0 ? `${describeStep(current)} (forced)` : describeStep(current);
  const trail = [...(previous?.trail ?? []), line].slice(-TRAIL_LENGTH);
  const state: ReleaseState = { current, trail };
  if (previous !== undefined) state.previous = previous.current;
  if (tested !== undefined) state.headerTested = tested;
  if (kept.length > 0) state.keptSubsets = kept;
  if (forced.length > 0) state.forced = forced;
  return state;
}

/**
 * Reads a release state from a parsed stack output, or `undefined` when it is not one (an older program's, or
 * none). Tolerant: a state is advice from the last update, never a reason to fail this one.
 */
export function parseReleaseState(value: unknown): ReleaseState | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const current = parseStep(v.current);
  if (current === undefined) return undefined;
  const state: ReleaseState = {
    current,
    trail: Array.isArray(v.trail) ? v.trail.filter((t): t is string => typeof t === "string") : [],
  };
  const previous = parseStep(v.previous);
  if (previous !== undefined) state.previous = previous;
  if (typeof v.headerTested === "string") state.headerTested = v.headerTested;
  if (Array.isArray(v.keptSubsets))
    state.keptSubsets = v.keptSubsets.filter((s): s is string => typeof s === "string");
  if (Array.isArray(v.forced)) state.forced = v.forced.filter((s): s is string => typeof s === "string");
  return state;
}

function parseStep(value: unknown): ReleaseStep | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.phase !== "string" || typeof v.stableVersion !== "string") return undefined;
  if (typeof v.canaryWeight !== "number" || !Array.isArray(v.versions)) return undefined;
  if (v.split === null || typeof v.split !== "object") return undefined;
  const split: { [version: string]: number } = {};
  for (const [version, weight] of Object.entries(v.split as Record<string, unknown>)) {
    if (typeof weight === "number") split[version] = weight;
  }
  const step: ReleaseStep = {
    phase: v.phase,
    stableVersion: v.stableVersion,
    canaryWeight: v.canaryWeight,
    split,
    versions: v.versions.filter((s): s is string => typeof s === "string"),
  };
  if (typeof v.canaryVersion === "string") step.canaryVersion = v.canaryVersion;
  if (typeof v.headerVersion === "string") step.headerVersion = v.headerVersion;
  return step;
}
