import type { HeaderRule, ReleasePlan } from "../release/plan";
import {
  GLOO_API_VERSION,
  type GlooDestination,
  type GlooMatcher,
  type GlooObjectMeta,
  type GlooResourceRef,
  type GlooRoute,
  type GlooRouteOptions,
  type GlooUpstreamGroup,
  type GlooWeightedDestination,
} from "./types";

/**
 * Pure translators from the routing model (a `ReleasePlan`, upstream references, weights) to Gloo route
 * shapes. They take validated input and never throw; validation happens before them.
 */

/** Name and options a built route carries besides its matcher and action. */
export interface RouteExtras {
  /** Route name. */
  name?: string;
  /** Route options, already in Gloo's shape. */
  options?: GlooRouteOptions;
}

/** An Upstream and its relative weight. */
export interface WeightedRef {
  /** The Upstream. */
  upstream: GlooResourceRef;
  /** Relative weight (whole number). */
  weight: number;
}

/** A destination to an Upstream, its reference copied with both name and namespace. */
export function destinationOf(ref: GlooResourceRef): GlooDestination {
  return { upstream: { name: ref.name, namespace: ref.namespace } };
}

/** `multi.destinations` / UpstreamGroup `destinations` from weighted references, in the given order. */
export function weightedDestinations(refs: readonly WeightedRef[]): GlooWeightedDestination[] {
  return refs.map((ref) => ({ destination: destinationOf(ref.upstream), weight: ref.weight }));
}

function route(matcher: GlooMatcher, action: GlooRoute["routeAction"], extras: RouteExtras): GlooRoute {
  return {
    ...(extras.name !== undefined ? { name: extras.name } : {}),
    matchers: [matcher],
    routeAction: action,
    ...(extras.options !== undefined && Object.keys(extras.options).length > 0
      ? { options: extras.options }
      : {}),
  };
}

/** A route sending everything it matches to one Upstream (`routeAction.single`). */
export function singleRoute(
  matcher: GlooMatcher,
  upstream: GlooResourceRef,
  extras: RouteExtras = {},
): GlooRoute {
  return route(matcher, { single: destinationOf(upstream) }, extras);
}

/** A route splitting what it matches by weight (`routeAction.multi`). */
export function multiRoute(
  matcher: GlooMatcher,
  refs: readonly WeightedRef[],
  extras: RouteExtras = {},
): GlooRoute {
  return route(matcher, { multi: { destinations: weightedDestinations(refs) } }, extras);
}

/** A route sending what it matches to an UpstreamGroup (`routeAction.upstreamGroup`), namespace always written. */
export function upstreamGroupRoute(
  matcher: GlooMatcher,
  group: GlooResourceRef,
  extras: RouteExtras = {},
): GlooRoute {
  return route(matcher, { upstreamGroup: { name: group.name, namespace: group.namespace } }, extras);
}

/** The matcher of a header canary route: the default route's matcher plus an exact match on the header. */
export function headerMatcher(matcher: GlooMatcher, header: HeaderRule): GlooMatcher {
  return { ...matcher, headers: [...(matcher.headers ?? []), { name: header.name, value: header.value }] };
}

/** How a release's plan is routed. */
export interface ReleaseRouting extends RouteExtras {
  /** The Upstream of each version the plan routes to. */
  upstreams: { [version: string]: GlooResourceRef };
  /** When set, the default route goes to this UpstreamGroup (which carries the split) instead of to Upstreams. */
  upstreamGroup?: GlooResourceRef;
}

/**
 * The routes of a release for one matcher, in match order:
 * 1. when the plan has a header route, a route matching the path plus the header, to the header's version
 *    (it must come first: Gloo takes the first route that matches);
 * 2. the default route: `single` when the split has one destination, `multi` otherwise, or `upstreamGroup`
 *    when `routing.upstreamGroup` is set (the route then stays the same whatever the weights).
 *
 * The header route gets the same options as the default route except `shadowing`, which mirrors the default
 * route's live traffic only. When `routing.name` is set the header route is named `<name>-canary`.
 */
export function releaseRoutes(plan: ReleasePlan, matcher: GlooMatcher, routing: ReleaseRouting): GlooRoute[] {
  const routes: GlooRoute[] = [];
  if (plan.headerRoute) {
    const options = routing.options ? withoutShadowing(routing.options) : undefined;
    routes.push(
      singleRoute(
        headerMatcher(matcher, plan.headerRoute.header),
        routing.upstreams[plan.headerRoute.version],
        {
          name: routing.name === undefined ? undefined : `${routing.name}-canary`,
          options,
        },
      ),
    );
  }
  const extras = { name: routing.name, options: routing.options };
  if (routing.upstreamGroup) {
    routes.push(upstreamGroupRoute(matcher, routing.upstreamGroup, extras));
  } else if (plan.destinations.length === 1) {
    routes.push(singleRoute(matcher, routing.upstreams[plan.destinations[0].version], extras));
  } else {
    routes.push(multiRoute(matcher, releaseSplit(plan, routing.upstreams), extras));
  }
  return routes;
}

/** The plan's split as weighted Upstream references (only weights above 0, stable first). */
export function releaseSplit(
  plan: ReleasePlan,
  upstreams: { [version: string]: GlooResourceRef },
): WeightedRef[] {
  return plan.destinations.map((d) => ({ upstream: upstreams[d.version], weight: d.weight }));
}

/** An UpstreamGroup object with these weighted destinations. */
export function upstreamGroupObject(
  metadata: GlooObjectMeta,
  refs: readonly WeightedRef[],
): GlooUpstreamGroup {
  return {
    apiVersion: GLOO_API_VERSION,
    kind: "UpstreamGroup",
    metadata,
    spec: { destinations: weightedDestinations(refs) },
  };
}

/** The UpstreamGroup that carries a release's split (a single destination has weight 100). */
export function releaseUpstreamGroup(
  plan: ReleasePlan,
  metadata: GlooObjectMeta,
  upstreams: { [version: string]: GlooResourceRef },
): GlooUpstreamGroup {
  return upstreamGroupObject(metadata, releaseSplit(plan, upstreams));
}

function withoutShadowing(options: GlooRouteOptions): GlooRouteOptions | undefined {
  const rest = { ...options };
  delete rest.shadowing;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
