import { isDeepStrictEqual } from "node:util";
import { Checks, ValidationError } from "../release/errors";
import { requireDnsLabel, requireHeaderName, requireNonEmpty } from "../release/names";
import {
  describeSplit,
  planRelease,
  type HeaderRule,
  type ReleasePlan,
  type ReleaseSpec,
} from "../release/plan";
import { requireBoolean, requireString } from "../release/validate";
import { routeOptionsOf } from "./options";
import { requireRef, type UpstreamCatalog, type UpstreamGroupRef, type UpstreamRef } from "./refs";
import {
  GLOO_API_VERSION,
  type GlooDestination,
  type GlooHeaderMatcher,
  type GlooMatcher,
  type GlooObjectMeta,
  type GlooResourceRef,
  type GlooRoute,
  type GlooRouteOptions,
  type GlooUpstreamGroup,
  type GlooWeightedDestination,
} from "./types";
import { requireWeightedUpstreams, resolveReleaseUpstreams, type WeightedUpstream } from "./upstream-group";

// Routes, in one place: the route arguments a VirtualService and a TeamRouteTable share, their validation
// (`buildRoutes`), and the pure translators from the routing model (a `ReleasePlan`, upstream references, weights)
// to Gloo route shapes, which take validated input and never throw.

/**
 * One route of a `VirtualService` or `TeamRouteTable`: its matcher (a path: exactly one of `prefix`, e.g.
 * `/findPets`, `exact`, e.g. `/health`, or `regex` (RE2), e.g. `/pets/[0-9]+`; plus optional `caseSensitive`,
 * `headers`, `queryParameters` and `methods`, in Gloo's matcher shape; a route matching headers needs a path
 * too), exactly one of `single`, `multi`, `upstreamGroup` and `release`, and options.
 */
export interface RouteArgs extends GlooMatcher {
  /**
   * Route name, shown in Gloo's status and in this package's error messages.
   * Defaults to none (messages then show the path).
   */
  name?: string;
  /** Send everything the route matches to this Upstream. */
  single?: UpstreamRef;
  /** Split what the route matches between these Upstreams by weight. */
  multi?: WeightedUpstream[];
  /** Send what the route matches to this UpstreamGroup (an `UpstreamGroup` component or a reference). */
  upstreamGroup?: UpstreamGroupRef;
  /**
   * Route a release: its versions' Upstreams are `<service>-<version>`. With a header rule and a canary, a route
   * matching the path plus the header sends those requests to the canary and is placed before the default route;
   * the default route carries the split (`single` for one destination, `multi` with the weights otherwise).
   */
  release?: ReleaseSpec;
  /**
   * With `release`: carry the split in an UpstreamGroup named after the service, in the namespace of the release's
   * Upstreams; the route references the group, so a weight change updates only the group.
   * Defaults to false.
   */
  useUpstreamGroup?: boolean;
  /**
   * With `release`: the namespace of the release's Upstreams.
   * Defaults to the namespace in which `upstreams` or `externalUpstreams` hold `<service>-<version>`.
   */
  releaseNamespace?: string;
  /**
   * Route options, in Gloo's shape: `prefixRewrite`, `timeout`, `retries`, `headerManipulation`, `shadowing`
   * (mirroring to an Upstream, e.g. a version before it takes live traffic), and more.
   * Defaults to none.
   */
  options?: GlooRouteOptions;
}

/** A release routed by one route of a VirtualService. */
export interface RoutedRelease {
  /** The route, as error messages name it: `routes[<i>] (<name or path>)`. */
  route: string;
  /** The plan the routes were built from. */
  plan: ReleasePlan;
  /** The UpstreamGroup carrying the split, when `useUpstreamGroup` is set. */
  upstreamGroup?: UpstreamGroupRef;
}

const PATH_TEXT = 'exactly one of prefix, exact or regex, e.g. prefix "/findPets"';

/** How a route is named in error messages: `routes[1] (/findPetWithId)`. */
export function routeLabel(index: number, route: RouteArgs): string {
  const what =
    (route.name === "" ? undefined : route.name) ?? route.prefix ?? route.exact ?? route.regex ?? "no path";
  return `routes[${index}] (${what})`;
}

/** Checks a route's path and matchers and returns its Gloo matcher. */
export function matcherOf(field: string, route: RouteArgs, scope?: string): GlooMatcher {
  const paths = (["prefix", "exact", "regex"] as const).filter((key) => route[key] !== undefined);
  const hasHeaders = (route.headers?.length ?? 0) > 0 || route.release?.header !== undefined;
  if (paths.length === 0) {
    if (hasHeaders) {
      throw new ValidationError(
        `${field}.prefix`,
        undefined,
        `a path on a route that matches headers (Gloo rejects a matcher with headers but no path): ${PATH_TEXT}, or "/" for every path`,
        scope,
      );
    }
    throw new ValidationError(`${field}.prefix`, undefined, `${PATH_TEXT}, or "/" for every path`, scope);
  }
  if (paths.length > 1) {
    throw new ValidationError(
      `${field}.${paths.join(" / ")}`,
      paths.map((key) => route[key]),
      PATH_TEXT,
      scope,
    );
  }
  const key = paths[0];
  const path = route[key];
  if (typeof path !== "string" || path === "" || (key !== "regex" && !path.startsWith("/"))) {
    throw new ValidationError(
      `${field}.${key}`,
      path,
      key === "regex" ? "a non-empty RE2 regular expression" : 'a path starting with "/", e.g. "/findPets"',
      scope,
    );
  }
  const matcher: GlooMatcher = { [key]: path };
  if (route.caseSensitive !== undefined) {
    if (typeof route.caseSensitive !== "boolean") {
      throw new ValidationError(`${field}.caseSensitive`, route.caseSensitive, "true or false", scope);
    }
    matcher.caseSensitive = route.caseSensitive;
  }
  if (route.headers !== undefined && route.headers.length > 0) {
    matcher.headers = route.headers.map((h, i) => headerMatcherOf(`${field}.headers[${i}]`, h, scope));
  }
  if (route.queryParameters !== undefined && route.queryParameters.length > 0) {
    matcher.queryParameters = route.queryParameters.map((q, i) => {
      const f = `${field}.queryParameters[${i}]`;
      if (typeof q?.name !== "string" || q.name === "") {
        throw new ValidationError(`${f}.name`, q?.name, 'a query parameter name, e.g. "version"', scope);
      }
      return {
        name: q.name,
        ...(q.value !== undefined ? { value: requireString(`${f}.value`, q.value, scope) } : {}),
        ...(q.regex !== undefined ? { regex: requireBoolean(`${f}.regex`, q.regex, scope) } : {}),
      };
    });
  }
  if (route.methods !== undefined && route.methods.length > 0) {
    matcher.methods = route.methods.map((m, i) => {
      if (typeof m !== "string" || !/^[A-Z]+$/.test(m)) {
        throw new ValidationError(
          `${field}.methods[${i}]`,
          m,
          'an HTTP method in capitals, e.g. "GET"',
          scope,
        );
      }
      return m;
    });
  }
  return matcher;
}

/**
 * Refuses a route that can never match because an earlier route without header, query or method matchers takes
 * every request it would: Gloo matches routes in order and the first match wins (a header canary route placed
 * after the default route of its prefix is the usual case).
 */
function requireReachable(routes: readonly GlooRoute[], origins: readonly string[], scope?: string): void {
  routes.forEach((later, j) => {
    const m = later.matchers?.[0];
    const path = m?.prefix ?? m?.exact;
    if (m === undefined || path === undefined) return;
    for (let i = 0; i < j; i++) {
      const earlier = routes[i].matchers?.[0];
      if (earlier?.prefix === undefined || earlier.headers || earlier.queryParameters || earlier.methods)
        continue;
      const caseCovered = earlier.caseSensitive === false || m.caseSensitive !== false;
      if (caseCovered && path.startsWith(earlier.prefix)) {
        throw new ValidationError(
          origins[j],
          path,
          `a route placed before ${origins[i]}, whose prefix ${JSON.stringify(earlier.prefix)} takes every request this route matches (the first matching route wins)`,
          scope,
        );
      }
    }
  });
}

function headerMatcherOf(field: string, h: GlooHeaderMatcher, scope?: string): GlooHeaderMatcher {
  return {
    name: requireHeaderName(`${field}.name`, h?.name, scope),
    ...(h.value !== undefined ? { value: requireString(`${field}.value`, h.value, scope) } : {}),
    ...(h.regex !== undefined ? { regex: requireBoolean(`${field}.regex`, h.regex, scope) } : {}),
    ...(h.invertMatch !== undefined
      ? { invertMatch: requireBoolean(`${field}.invertMatch`, h.invertMatch, scope) }
      : {}),
  };
}

/**
 * Release routes whose release a caller has already planned with `planRelease`, by route argument: their plan is
 * used as it is instead of planning the route's `release` again.
 */
export type PlannedReleases = ReadonlyMap<RouteArgs, ReleasePlan>;

/** What `buildRoutes` builds from a list of route arguments. */
export interface BuiltRoutes {
  /** The Gloo routes, in match order (a release route with a header rule gives two). */
  routes: GlooRoute[];
  /** For each built route, the route argument it comes from, as error messages name it. */
  origins: string[];
  /** UpstreamGroups carrying release splits (routes with `useUpstreamGroup`), one per name and namespace. */
  upstreamGroups: GlooUpstreamGroup[];
  /** The releases the routes carry, in route order. */
  releases: RoutedRelease[];
}

/**
 * Validates route arguments and builds the routes of a VirtualService or RouteTable, in order, with the
 * UpstreamGroups their release routes use. Every destination must be known to `catalog`; a route that an
 * earlier route makes unreachable is refused. Pure. Throws `ValidationError` naming the route.
 *
 * @param labels labels of the UpstreamGroups created for routes with `useUpstreamGroup`.
 * @param scope prefixes error messages.
 * @param plans release routes whose release the caller has already planned (and so validated), by route.
 */
export function buildRoutes(
  routeArgs: readonly RouteArgs[],
  catalog: UpstreamCatalog,
  labels: { [key: string]: string } | undefined,
  scope?: string,
  plans?: PlannedReleases,
): BuiltRoutes {
  if (!Array.isArray(routeArgs) || routeArgs.length === 0) {
    throw new ValidationError("routes", routeArgs, "a list of at least one route", scope);
  }
  const routes: GlooRoute[] = [];
  /** For each built route, the route argument it comes from. */
  const origins: string[] = [];
  const groups = new Map<string, { group: GlooUpstreamGroup; route: string }>();
  const releases: RoutedRelease[] = [];
  // Every route is checked, so one call reports the problems of all routes; a refused route adds nothing.
  const checks = new Checks();
  routeArgs.forEach((route, i) =>
    checks.check(() => {
      const field = routeLabel(i, route);
      const matcher = matcherOf(field, route, scope);
      const actions = (["single", "multi", "upstreamGroup", "release"] as const).filter(
        (key) => route[key] !== undefined,
      );
      if (actions.length !== 1) {
        throw new ValidationError(
          `${field} action`,
          actions.length === 0 ? undefined : actions.join(" and "),
          "exactly one of single (an Upstream), multi (weighted Upstreams), upstreamGroup or release",
          scope,
        );
      }
      for (const key of ["useUpstreamGroup", "releaseNamespace"] as const) {
        if (route[key] !== undefined && route.release === undefined) {
          throw new ValidationError(
            `${field}.${key}`,
            route[key],
            `no ${key} on a route without a release`,
            scope,
          );
        }
      }
      const options =
        route.options === undefined
          ? undefined
          : routeOptionsOf(`${field}.options`, route.options, catalog, scope);
      const name =
        route.name === undefined
          ? undefined
          : requireNonEmpty(`${field}.name`, route.name, 'a non-empty route name, e.g. "find-pet"', scope);
      const extras = { name, options };

      if (route.single !== undefined) {
        routes.push(singleRoute(matcher, catalog.require(`${field}.single`, route.single, scope), extras));
      } else if (route.multi !== undefined) {
        routes.push(
          multiRoute(
            matcher,
            requireWeightedUpstreams(`${field}.multi`, route.multi, catalog, scope),
            extras,
          ),
        );
      } else if (route.upstreamGroup !== undefined) {
        routes.push(
          upstreamGroupRoute(
            matcher,
            requireRef(`${field}.upstreamGroup`, route.upstreamGroup, scope),
            extras,
          ),
        );
      } else if (route.release !== undefined) {
        const releaseField = `${field}.release`;
        const plan =
          plans?.get(route) ??
          planRelease(route.release, scope === undefined ? releaseField : `${scope}: ${releaseField}`);
        const releaseNamespace =
          route.releaseNamespace === undefined
            ? undefined
            : requireDnsLabel(`${field}.releaseNamespace`, route.releaseNamespace, scope);
        const upstreams = resolveReleaseUpstreams(
          releaseField,
          plan,
          route.release,
          catalog,
          releaseNamespace,
          scope,
        );
        let upstreamGroup: UpstreamGroupRef | undefined;
        if (
          route.useUpstreamGroup !== undefined &&
          requireBoolean(`${field}.useUpstreamGroup`, route.useUpstreamGroup, scope)
        ) {
          upstreamGroup = {
            name: plan.service,
            namespace: releaseNamespace ?? upstreams[plan.destinations[0].version].namespace,
          };
          const group = releaseUpstreamGroup(
            plan,
            { ...upstreamGroup, ...(labels ? { labels: { ...labels } } : {}) },
            upstreams,
          );
          const key = `${upstreamGroup.namespace}/${upstreamGroup.name}`;
          const earlier = groups.get(key);
          if (earlier === undefined) {
            groups.set(key, { group, route: field });
          } else if (!isDeepStrictEqual(earlier.group, group)) {
            throw new ValidationError(
              releaseField,
              describeSplit(plan.destinations),
              `the same split as ${earlier.route}, whose UpstreamGroup ${key} this route would share (one group per service and namespace)`,
              scope,
            );
          }
        }
        routes.push(...releaseRoutes(plan, matcher, { ...extras, upstreams, upstreamGroup }));
        releases.push({ route: field, plan, ...(upstreamGroup ? { upstreamGroup } : {}) });
      }
      while (origins.length < routes.length) origins.push(field);
    }),
  );
  checks.done();
  requireReachable(routes, origins, scope);
  return { routes, origins, upstreamGroups: [...groups.values()].map((g) => g.group), releases };
}

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
