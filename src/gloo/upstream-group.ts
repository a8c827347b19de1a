import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { planRelease, type ReleasePlan, type ReleaseSpec } from "../release/plan";
import { UINT32_MAX } from "./options";
import { UpstreamCatalog, requireObjectName, type UpstreamGroupRef, type UpstreamRef } from "./refs";
import { registerGlooObject, resourcesAmong } from "./register";
import { releaseUpstreamGroup, upstreamGroupObject, type WeightedRef } from "./routes";
import type { GlooResourceRef, GlooUpstreamGroup } from "./types";
import { requireLabels, upstreamName } from "./upstream";
import { checkArguments } from "../arguments";
import { claimObjects, objectClaim } from "../claims";

/** An Upstream and its share of traffic. */
export interface WeightedUpstream {
  /** The Upstream (an `Upstream` component, or a reference to a declared or external one). */
  upstream: UpstreamRef;
  /**
   * Relative weight, a whole number: the share is this weight divided by the sum of the weights, and 0 sends
   * nothing. Weights summing to 100 read as percentages.
   */
  weight: number;
}

/** Arguments of an `UpstreamGroup`: weighted destinations kept in their own object. */
export interface UpstreamGroupArgs {
  /**
   * Name of the UpstreamGroup object.
   * Defaults to the `service` of `release`; required without a release.
   */
  name?: string;
  /**
   * Namespace of the UpstreamGroup object; with `release`, the release's Upstreams are looked up there.
   * Defaults to the namespace of the first destination's Upstream.
   */
  namespace?: string;
  /** The weighted destinations. Exactly one of `destinations` and `release` is set. */
  destinations?: WeightedUpstream[];
  /**
   * A release whose split the group carries: one destination per version with weight above 0, to the Upstream
   * `<service>-<version>`. Exactly one of `destinations` and `release` is set.
   */
  release?: ReleaseSpec;
  /**
   * Upstreams this program declares (`Upstream` components or their references); destinations may only
   * name these and `externalUpstreams`.
   * Defaults to none.
   */
  upstreams?: UpstreamRef[];
  /**
   * Upstreams that exist outside this program, e.g. discovered ones such as `default-petstore-v1-8080`.
   * Defaults to none.
   */
  externalUpstreams?: UpstreamRef[];
  /**
   * Labels on the UpstreamGroup object.
   * Defaults to none.
   */
  labels?: { [key: string]: string };
}

/**
 * Checks a weighted split and returns it with plain references: at least one destination, every weight a whole
 * number 0..4294967295, not all of them 0, every Upstream known to `catalog`.
 *
 * @param field where the list is, e.g. `routes[1] (/findPetWithId).multi`.
 */
export function requireWeightedUpstreams(
  field: string,
  entries: unknown,
  catalog: UpstreamCatalog,
  scope?: string,
): WeightedRef[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ValidationError(field, entries, "a list of at least one { upstream, weight }", scope);
  }
  const refs = (entries as WeightedUpstream[]).map((entry, i) => {
    const weight = entry?.weight;
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > UINT32_MAX) {
      throw new ValidationError(
        `${field}[${i}].weight`,
        weight,
        `a whole number from 0 to ${UINT32_MAX} (a relative weight; e.g. 90 and 10)`,
        scope,
      );
    }
    return { upstream: catalog.require(`${field}[${i}].upstream`, entry.upstream, scope), weight };
  });
  if (refs.every((ref) => ref.weight === 0)) {
    throw new ValidationError(
      `${field}[*].weight`,
      refs.map((ref) => ref.weight),
      "at least one weight above 0 (Gloo rejects a split whose weights are all 0)",
      scope,
    );
  }
  return refs;
}

/**
 * Finds the Upstream of every version a plan routes to (its split and its header route): `<service>-<version>`,
 * known to `catalog`, in `namespace` when given.
 *
 * @param field where the release is, e.g. `routes[1] (/findPetWithId).release`.
 */
export function resolveReleaseUpstreams(
  field: string,
  plan: ReleasePlan,
  spec: ReleaseSpec,
  catalog: UpstreamCatalog,
  namespace: string | undefined,
  scope?: string,
): { [version: string]: GlooResourceRef } {
  const fieldOf = (version: string): string => {
    if (version === plan.stableVersion) return `${field}.stableVersion`;
    if (version === plan.canaryVersion) return `${field}.canaryVersion`;
    const i = (spec.extraVersions ?? []).findIndex((extra) => extra.version === version);
    return `${field}.extraVersions[${i}].version`;
  };
  const versions = [
    ...plan.destinations.map((d) => d.version),
    ...(plan.headerRoute ? [plan.headerRoute.version] : []),
  ];
  const out: { [version: string]: GlooResourceRef } = {};
  for (const version of versions) {
    if (out[version]) continue;
    out[version] = catalog.find(fieldOf(version), upstreamName(plan.service, version), namespace, scope);
  }
  return out;
}

/**
 * Validates UpstreamGroup arguments and builds the object. Pure. Throws `ValidationError`.
 *
 * @param scope - prefixes error messages, e.g. `UpstreamGroup petstore`.
 */
export function buildUpstreamGroup(args: UpstreamGroupArgs, scope?: string): GlooUpstreamGroup {
  const catalog = new UpstreamCatalog(args.upstreams, args.externalUpstreams, scope);
  const namespace =
    args.namespace === undefined ? undefined : requireDnsLabel("namespace", args.namespace, scope);
  const labels = args.labels === undefined ? undefined : requireLabels("labels", args.labels, scope);
  if ((args.destinations === undefined) === (args.release === undefined)) {
    throw new ValidationError(
      "destinations / release",
      args.destinations === undefined ? "neither" : "both",
      "exactly one of destinations (weighted Upstreams) and release (a release's split)",
      scope,
    );
  }

  let name: string;
  let refs: WeightedRef[];
  let plan: ReleasePlan | undefined;
  let upstreams: { [version: string]: GlooResourceRef } = {};
  if (args.release !== undefined) {
    plan = planRelease(args.release, scope === undefined ? "release" : `${scope}: release`);
    upstreams = resolveReleaseUpstreams("release", plan, args.release, catalog, namespace, scope);
    name = args.name === undefined ? plan.service : requireObjectName("name", args.name, scope);
    refs = plan.destinations.map((d) => ({ upstream: upstreams[d.version], weight: d.weight }));
  } else {
    if (args.name === undefined) {
      throw new ValidationError(
        "name",
        undefined,
        'a name for the UpstreamGroup (required without a release), e.g. "petstore"',
        scope,
      );
    }
    name = requireObjectName("name", args.name, scope);
    refs = requireWeightedUpstreams("destinations", args.destinations, catalog, scope);
  }
  const metadata = {
    name,
    namespace: namespace ?? refs[0].upstream.namespace,
    ...(labels ? { labels } : {}),
  };
  return plan ? releaseUpstreamGroup(plan, metadata, upstreams) : upstreamGroupObject(metadata, refs);
}

/** Type token of the `UpstreamGroup` component. */
export const UPSTREAM_GROUP_TYPE = "pulumi-canary:index:UpstreamGroup";

/**
 * A Gloo UpstreamGroup: weighted destinations kept in their own object, so routes that reference it stay the same
 * when the weights change. From explicit `destinations`, or from a release's split. The component is itself an
 * `UpstreamGroupRef`: pass it as a route's `upstreamGroup`.
 */
export class UpstreamGroup extends pulumi.ComponentResource implements UpstreamGroupRef {
  /** Name of the UpstreamGroup object. */
  readonly name: string;
  /** Namespace of the UpstreamGroup object. */
  readonly namespace: string;
  /** The UpstreamGroup custom resource (Pulumi name `name`), e.g. for `dependsOn` or its `metadata`. */
  readonly upstreamGroup: k8s.apiextensions.CustomResource;

  constructor(name: string, args: UpstreamGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and objects another component writes, before anything is registered.
    const object = checkArguments(() => {
      const built = buildUpstreamGroup(args, `UpstreamGroup ${name}`);
      claimObjects(
        `UpstreamGroup ${name}`,
        [objectClaim("name", "UpstreamGroup", built.metadata, "another name or namespace")],
        opts,
      );
      return built;
    });
    super(UPSTREAM_GROUP_TYPE, name, {}, opts);
    const deps = resourcesAmong([...(args.upstreams ?? []), ...(args.externalUpstreams ?? [])]);
    this.upstreamGroup = registerGlooObject(name, object, this, { dependsOn: deps });
    this.name = object.metadata.name;
    this.namespace = object.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
