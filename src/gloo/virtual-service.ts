import { ValidationError } from "../release/errors";
import { requireDnsLabel, requireHeaderName, requireNonEmpty } from "../release/names";
import { describeSplit, planRelease, type ReleasePlan, type ReleaseSpec } from "../release/plan";
import { routeOptionsOf } from "./options";
import {
  UpstreamCatalog,
  requireObjectName,
  requireRef,
  type UpstreamGroupRef,
  type UpstreamRef,
} from "./refs";
import { multiRoute, releaseRoutes, releaseUpstreamGroup, singleRoute, upstreamGroupRoute } from "./routes";
import {
  GATEWAY_API_VERSION,
  type GlooHeaderMatcher,
  type GlooMatcher,
  type GlooQueryParameterMatcher,
  type GlooRoute,
  type GlooRouteOptions,
  type GlooUpstreamGroup,
  type GlooVirtualService,
} from "./types";
import { requireWeightedUpstreams, resolveReleaseUpstreams, type WeightedUpstream } from "./upstream-group";
import { requireLabels } from "./upstream";

/**
 * One route of a `VirtualService`: a path (plus optional header, method and query matchers), exactly one of
 * `single`, `multi`, `upstreamGroup` and `release`, and options.
 */
export interface RouteArgs {
  /**
   * Route name, shown in Gloo's status and in this package's error messages.
   * Defaults to none (messages then show the path).
   */
  name?: string;
  /** Path prefix, e.g. `/findPets` (a raw prefix: `/api` also matches `/apix`). Exactly one of `prefix`, `exact` and `regex` is set. */
  prefix?: string;
  /** Exact path, e.g. `/health`. Exactly one of `prefix`, `exact` and `regex` is set. */
  exact?: string;
  /** Path regular expression (RE2), e.g. `/pets/[0-9]+`. Exactly one of `prefix`, `exact` and `regex` is set. */
  regex?: string;
  /**
   * Case-sensitive path matching.
   * Defaults to Gloo's default (case-sensitive).
   */
  caseSensitive?: boolean;
  /**
   * Request headers the route requires, all of them (a route matching headers needs a path too).
   * Defaults to none.
   */
  headers?: GlooHeaderMatcher[];
  /**
   * Query parameters the route requires, all of them.
   * Defaults to none.
   */
  queryParameters?: GlooQueryParameterMatcher[];
  /**
   * HTTP methods the route accepts, e.g. `["GET"]`.
   * Defaults to any method.
   */
  methods?: string[];
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

/** Arguments of a `VirtualService`. */
export interface VirtualServiceArgs {
  /**
   * Name of the VirtualService object.
   * Defaults to the service of the routes' releases when they all name one service; required otherwise.
   */
  name?: string;
  /**
   * Namespace of the VirtualService object.
   * Defaults to `gloo-system`.
   */
  namespace?: string;
  /**
   * Host names served, e.g. `["petstore.example.com"]`; `*` matches any.
   * Defaults to `["*"]`.
   */
  domains?: string[];
  /**
   * Descriptive name shown by Gloo's tools.
   * Defaults to none.
   */
  displayName?: string;
  /** Routes, matched in the order given: the first route that matches a request takes it. */
  routes: RouteArgs[];
  /**
   * Upstreams this program declares: `Upstream` components or their references. Routes may only send
   * traffic (and shadow copies) to these and to `externalUpstreams`; the VirtualService is created after them.
   * Defaults to none.
   */
  upstreams?: UpstreamRef[];
  /**
   * Upstreams that exist outside this program, e.g. the discovered `default-petstore-v1-8080` in `gloo-system`.
   * Defaults to none.
   */
  externalUpstreams?: UpstreamRef[];
  /**
   * Labels on the VirtualService object and on the UpstreamGroups it creates.
   * Defaults to none.
   */
  labels?: { [key: string]: string };
}

/** Namespace of a VirtualService when none is given: Gloo's own namespace. */
export const DEFAULT_GATEWAY_NAMESPACE = "gloo-system";

/** A release routed by one route of a VirtualService. */
export interface RoutedRelease {
  /** The route, as error messages name it: `routes[<i>] (<name or path>)`. */
  route: string;
  /** The plan the routes were built from. */
  plan: ReleasePlan;
  /** The UpstreamGroup carrying the split, when `useUpstreamGroup` is set. */
  upstreamGroup?: UpstreamGroupRef;
}

/** What `buildVirtualService` builds. */
export interface VirtualServiceObjects {
  /** The VirtualService. */
  virtualService: GlooVirtualService;
  /** UpstreamGroups carrying release splits (routes with `useUpstreamGroup`), one per name and namespace. */
  upstreamGroups: GlooUpstreamGroup[];
  /** The releases the routes carry, in route order. */
  releases: RoutedRelease[];
}

const PATH_TEXT = 'exactly one of prefix, exact or regex, e.g. prefix "/findPets"';

/**
 * Checks a virtual host's `domains` (defaults to `["*"]`: at least one non-empty host name) and `displayName`
 * (a string when given); returns the domains.
 */
export function requireVirtualHost(
  domains: unknown,
  displayName: unknown,
  exampleHost: string,
  scope?: string,
): string[] {
  const list = domains ?? ["*"];
  if (!Array.isArray(list) || list.length === 0 || list.some((d) => typeof d !== "string" || d === "")) {
    throw new ValidationError(
      "domains",
      list,
      `a list of at least one host name, e.g. ["${exampleHost}"] or ["*"]`,
      scope,
    );
  }
  if (displayName !== undefined && typeof displayName !== "string") {
    throw new ValidationError("displayName", displayName, "a string", scope);
  }
  return list as string[];
}

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
        ...(q.value !== undefined ? { value: requireText(`${f}.value`, q.value, scope) } : {}),
        ...(q.regex !== undefined ? { regex: requireFlag(`${f}.regex`, q.regex, scope) } : {}),
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
    ...(h.value !== undefined ? { value: requireText(`${field}.value`, h.value, scope) } : {}),
    ...(h.regex !== undefined ? { regex: requireFlag(`${field}.regex`, h.regex, scope) } : {}),
    ...(h.invertMatch !== undefined
      ? { invertMatch: requireFlag(`${field}.invertMatch`, h.invertMatch, scope) }
      : {}),
  };
}

function requireText(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string") throw new ValidationError(field, value, "a string", scope);
  return value;
}

function requireFlag(field: string, value: unknown, scope?: string): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, value, "true or false", scope);
  return value;
}

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
 */
export function buildRoutes(
  routeArgs: readonly RouteArgs[],
  catalog: UpstreamCatalog,
  labels: { [key: string]: string } | undefined,
  scope?: string,
): BuiltRoutes {
  if (!Array.isArray(routeArgs) || routeArgs.length === 0) {
    throw new ValidationError("routes", routeArgs, "a list of at least one route", scope);
  }
  const routes: GlooRoute[] = [];
  /** For each built route, the route argument it comes from. */
  const origins: string[] = [];
  const groups = new Map<string, { group: GlooUpstreamGroup; route: string }>();
  const releases: RoutedRelease[] = [];
  routeArgs.forEach((route, i) => {
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
        multiRoute(matcher, requireWeightedUpstreams(`${field}.multi`, route.multi, catalog, scope), extras),
      );
    } else if (route.upstreamGroup !== undefined) {
      routes.push(
        upstreamGroupRoute(matcher, requireRef(`${field}.upstreamGroup`, route.upstreamGroup, scope), extras),
      );
    } else if (route.release !== undefined) {
      const releaseField = `${field}.release`;
      const plan = planRelease(
        route.release,
        scope === undefined ? releaseField : `${scope}: ${releaseField}`,
      );
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
        requireFlag(`${field}.useUpstreamGroup`, route.useUpstreamGroup, scope)
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
        } else if (JSON.stringify(earlier.group) !== JSON.stringify(group)) {
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
  });
  requireReachable(routes, origins, scope);
  return { routes, origins, upstreamGroups: [...groups.values()].map((g) => g.group), releases };
}

/**
 * Validates VirtualService arguments and builds the VirtualService and the UpstreamGroups its release routes use.
 * Pure: every check happens here, so nothing is registered when anything is wrong. Throws `ValidationError`
 * naming the field (with the route), the value and what is accepted.
 *
 * @param scope prefixes error messages, e.g. `VirtualService coalmine`.
 */
export function buildVirtualService(args: VirtualServiceArgs, scope?: string): VirtualServiceObjects {
  const catalog = new UpstreamCatalog(args.upstreams, args.externalUpstreams, scope);
  const namespace = requireDnsLabel("namespace", args.namespace ?? DEFAULT_GATEWAY_NAMESPACE, scope);
  const labels = args.labels === undefined ? undefined : requireLabels("labels", args.labels, scope);
  const domains = requireVirtualHost(args.domains, args.displayName, "petstore.example.com", scope);
  const { routes, upstreamGroups, releases } = buildRoutes(args.routes, catalog, labels, scope);

  let name: string;
  if (args.name !== undefined) {
    name = requireObjectName("name", args.name, scope);
  } else {
    const services = [...new Set(releases.map((r) => r.plan.service))];
    if (services.length !== 1) {
      throw new ValidationError(
        "name",
        undefined,
        `a name for the VirtualService, e.g. "petstore" (it defaults to the release's service only when the routes carry releases of exactly one service; here ${services.length === 0 ? "none" : services.join(", ")})`,
        scope,
      );
    }
    name = services[0];
  }

  return {
    virtualService: {
      apiVersion: GATEWAY_API_VERSION,
      kind: "VirtualService",
      metadata: { name, namespace, ...(labels ? { labels } : {}) },
      spec: {
        ...(args.displayName !== undefined ? { displayName: args.displayName } : {}),
        virtualHost: { domains: [...domains], routes },
      },
    },
    upstreamGroups,
    releases,
  };
}
