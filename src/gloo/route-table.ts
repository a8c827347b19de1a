import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { requireInteger } from "../release/validate";
import {
  PathMatchKind,
  requirePathPrefix,
  requirePathWithinPrefix,
  teamLabels,
  type PathMatch,
} from "./delegation";
import { UpstreamCatalog, requireObjectName, type UpstreamRef } from "./refs";
import { registerRouting, routeDependencies, routingClaims, routingSummary } from "./register";
import { GATEWAY_API_VERSION, type GlooRouteTable, type GlooUpstreamGroup } from "./types";
import { requireLabels } from "./upstream";
import { buildRoutes, routeLabel, type PlannedReleases, type RouteArgs, type RoutedRelease } from "./routes";
import { checkArguments } from "../arguments";
import { claimObjects } from "../claims";

/** Smallest and largest RouteTable `weight` (an int32). */
export const ROUTE_TABLE_WEIGHT_MIN = -2147483648;
export const ROUTE_TABLE_WEIGHT_MAX = 2147483647;

/** Arguments of a `TeamRouteTable`. */
export interface TeamRouteTableArgs {
  /** Team name (a DNS-1123 label), e.g. `echo`: the team the platform delegated `prefix` to. */
  team: string;
  /**
   * Path prefix the platform delegated to the team, e.g. `/echo` (a team program reads it from its stack
   * config). Every route's path must start with it: Gloo would drop any other route.
   */
  prefix: string;
  /**
   * Namespace of the RouteTable: the team's own, the one the platform's delegation selects.
   * Defaults to the team name.
   */
  namespace?: string;
  /**
   * Name of the RouteTable object.
   * Defaults to the team name.
   */
  name?: string;
  /**
   * Routes, matched in the order given, the same kinds as a VirtualService's: `single`, `multi`,
   * `upstreamGroup` and `release` (a header canary route placed first when the release has a header rule, then
   * the default route carrying the split). Each needs a `prefix`, `exact` or `regex` path inside `prefix`, and
   * no `caseSensitive` (the delegating route leaves it unset, and Gloo drops a route that differs).
   */
  routes: RouteArgs[];
  /**
   * Upstreams this program declares: `Upstream` components or their references. Routes may only send traffic
   * (and shadow copies) to these and to `externalUpstreams`; the RouteTable is created after them.
   * Defaults to none.
   */
  upstreams?: UpstreamRef[];
  /**
   * Upstreams that exist outside this program.
   * Defaults to none.
   */
  externalUpstreams?: UpstreamRef[];
  /**
   * Labels on the RouteTable (and on the UpstreamGroups it creates): the platform's selector must find its
   * labels among them.
   * Defaults to `{ "pulumi-canary/team": <team> }`, the labels a `PlatformGateway` selects by default.
   */
  labels?: { [key: string]: string };
  /**
   * Order among the RouteTables one delegating route selects: ascending, a whole number (int32).
   * Defaults to none (Gloo counts it as 0 and orders equal weights by path specificity).
   */
  weight?: number;
}

/** What `buildTeamRouteTable` builds. */
export interface TeamRouteTableObjects {
  /** The RouteTable. */
  routeTable: GlooRouteTable;
  /** UpstreamGroups carrying release splits (routes with `useUpstreamGroup`), one per name and namespace. */
  upstreamGroups: GlooUpstreamGroup[];
  /** The releases the routes carry, in route order. */
  releases: RoutedRelease[];
  /** The team. */
  team: string;
  /** The prefix delegated to it. */
  prefix: string;
}

/** The path match of a route argument, when it has at most one path; `null` when it has several. */
function pathMatchOf(route: RouteArgs): PathMatch | undefined | null {
  const kinds = [PathMatchKind.Prefix, PathMatchKind.Exact, PathMatchKind.Regex].filter(
    (kind) => route[kind] !== undefined,
  );
  if (kinds.length > 1) return null;
  if (kinds.length === 0) return undefined;
  const value = route[kinds[0]];
  return typeof value === "string" ? { kind: kinds[0], value } : null;
}

/**
 * Checks that a team route stays inside the team's prefix and can be delegated to: it has exactly one path
 * (prefix, exact or regex) inside `prefix` and no `caseSensitive`. Pure. Throws `ValidationError` naming the
 * team, the route and the path. A route with several paths is left to the route checks, which refuse it.
 *
 * @param field names the route, e.g. `routes[1] (/foxtrot)`.
 */
export function requireTeamRoute(
  team: string,
  prefix: string,
  field: string,
  route: RouteArgs,
  scope?: string,
): void {
  const teamScope = scope === undefined ? `team ${team}` : `${scope}: team ${team}`;
  const match = pathMatchOf(route);
  if (match !== null) requirePathWithinPrefix(team, prefix, field, match, teamScope);
  if (route.caseSensitive !== undefined) {
    throw new ValidationError(
      `${field}.caseSensitive`,
      route.caseSensitive,
      "no caseSensitive on a team route: the platform's delegating route leaves it unset, and Gloo drops a delegated route whose caseSensitive differs from its parent's",
      teamScope,
    );
  }
}

/**
 * Validates `TeamRouteTable` arguments and builds the RouteTable and the UpstreamGroups its release routes use.
 * Pure: every check happens here, so nothing is registered when anything is wrong. Refuses, naming the team,
 * the route and the path: a route whose path may leave the delegated prefix (a regex must provably stay
 * inside it, see `regexWithinPrefix`), a route without a path, `caseSensitive` on a route, and everything a
 * VirtualService's routes refuse (a destination to an Upstream the program neither declares nor was told of,
 * a route an earlier one makes unreachable, ...).
 *
 * @param scope - prefixes error messages, e.g. `TeamRouteTable echo`.
 */
export function buildTeamRouteTable(args: TeamRouteTableArgs, scope?: string): TeamRouteTableObjects {
  return teamRouteTableObjects(args, scope);
}

/**
 * `buildTeamRouteTable` for a composite that has already planned the releases of some routes (see `buildRoutes`).
 */
export function teamRouteTableObjects(
  args: TeamRouteTableArgs,
  scope?: string,
  plans?: PlannedReleases,
): TeamRouteTableObjects {
  const team = requireDnsLabel("team", args.team, scope);
  const teamScope = scope === undefined ? `team ${team}` : `${scope}: team ${team}`;
  const prefix = requirePathPrefix("prefix", args.prefix, teamScope);
  const namespace = requireDnsLabel("namespace", args.namespace ?? team, teamScope);
  const name = requireObjectName("name", args.name ?? team, teamScope);
  const labels = requireLabels("labels", args.labels ?? teamLabels(team), teamScope);
  const weight =
    args.weight === undefined
      ? undefined
      : requireInteger("weight", args.weight, ROUTE_TABLE_WEIGHT_MIN, ROUTE_TABLE_WEIGHT_MAX, teamScope);
  if (!Array.isArray(args.routes) || args.routes.length === 0) {
    throw new ValidationError("routes", args.routes, "a list of at least one route", teamScope);
  }
  args.routes.forEach((route, i) => requireTeamRoute(team, prefix, routeLabel(i, route), route, scope));

  const catalog = new UpstreamCatalog(args.upstreams, args.externalUpstreams, teamScope);
  const labelled = Object.keys(labels).length > 0;
  const built = buildRoutes(args.routes, catalog, labelled ? labels : undefined, teamScope, plans);
  return {
    routeTable: {
      apiVersion: GATEWAY_API_VERSION,
      kind: "RouteTable",
      metadata: { name, namespace, ...(labelled ? { labels } : {}) },
      spec: { routes: built.routes, ...(weight !== undefined ? { weight } : {}) },
    },
    upstreamGroups: built.upstreamGroups,
    releases: built.releases,
    team,
    prefix,
  };
}

/** Type token of the `TeamRouteTable` component. */
export const TEAM_ROUTE_TABLE_TYPE = "pulumi-canary:index:TeamRouteTable";

/**
 * A team's Gloo RouteTable, in the team's namespace, for the path prefix the platform delegated to it: routes of
 * the same kinds as a VirtualService's (a release route gives the header canary route first, then the split),
 * labelled so that the platform's selector finds it. Every route must stay inside the prefix and every
 * destination must be an Upstream the program declares or was told of; anything else is refused, naming the
 * team, the route and the path, before a resource is registered. Needs nothing from the platform's stack when
 * the platform delegates by selector: the team's program is told its prefix (e.g. by stack config).
 */
export class TeamRouteTable extends pulumi.ComponentResource {
  /** Name of the RouteTable object. */
  readonly name: string;
  /** Namespace of the RouteTable object. */
  readonly namespace: string;
  /** The team. */
  readonly team: string;
  /** The prefix delegated to the team. */
  readonly prefix: string;
  /** Names (`namespace/name`) of the UpstreamGroups created for routes with `useUpstreamGroup`. */
  readonly upstreamGroups: string[];
  /** The split of each release route, e.g. `{ "routes[0] (/echo)": "v1 90% / v2 10%" }`. */
  readonly splits: { [route: string]: string };
  /**
   * The RouteTable custom resource (Pulumi name `name`), e.g. for `dependsOn` or its `metadata`. It is
   * registered after the UpstreamGroups it creates, so a `dependsOn` on it waits for them too.
   */
  readonly routeTable: k8s.apiextensions.CustomResource;

  constructor(name: string, args: TeamRouteTableArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and objects another component writes, before anything is registered.
    const objects = checkArguments(() => {
      const built = buildTeamRouteTable(args, `TeamRouteTable ${name}`);
      claimObjects(
        `TeamRouteTable ${name}`,
        routingClaims(built.routeTable, built.upstreamGroups, "name", "another name or namespace"),
        opts,
      );
      return built;
    });
    super(TEAM_ROUTE_TABLE_TYPE, name, {}, opts);
    this.routeTable = registerRouting(name, objects.routeTable, objects.upstreamGroups, this, {
      dependsOn: routeDependencies(args),
    }).routing;
    this.name = objects.routeTable.metadata.name;
    this.namespace = objects.routeTable.metadata.namespace;
    this.team = objects.team;
    this.prefix = objects.prefix;
    ({ upstreamGroups: this.upstreamGroups, splits: this.splits } = routingSummary(objects));
    this.registerOutputs({
      name: this.name,
      namespace: this.namespace,
      team: this.team,
      prefix: this.prefix,
      upstreamGroups: this.upstreamGroups,
      splits: this.splits,
    });
  }
}
