import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { planDelegations, teamLabels, type TeamDelegation } from "./delegation";
import { requireObjectName } from "./refs";
import { registerGlooObject } from "./register";
import type { GlooDelegateAction, GlooMatcher, GlooRoute, GlooVirtualService } from "./types";
import { requireLabels } from "./upstream";
import { DEFAULT_GATEWAY_NAMESPACE, requireVirtualHost, virtualServiceObject } from "./virtual-service";
import { checkArguments } from "../arguments";
import { claimObjects, domainClaims, objectClaim } from "../claims";

/**
 * One team's share of a `PlatformGateway`: the path prefix delegated to it and where its RouteTables live.
 */
export interface TeamDelegationArgs {
  /** Team name (a DNS-1123 label), e.g. `echo`. */
  team: string;
  /**
   * Path prefix delegated to the team, e.g. `/echo`: requests whose path starts with it are routed by the team's
   * RouteTables. A raw string prefix: `/echo` also matches `/echoes`.
   */
  prefix: string;
  /**
   * Namespace of the team's RouteTables. `*` (every namespace Gloo watches) only with `allowAllNamespaces`.
   * Defaults to the team name.
   */
  namespace?: string;
  /**
   * Position among teams whose prefixes are the same or overlap (lower first); required for them, and distinct.
   * Defaults to none (counts as 0; teams are then ordered longest prefix first).
   */
  order?: number;
  /**
   * Labels a RouteTable must carry to be selected.
   * Defaults to `{ "pulumi-canary/team": <team> }`, the labels a `TeamRouteTable` carries by default.
   */
  labels?: { [key: string]: string };
  /**
   * Delegate to this one RouteTable, by name in `namespace`, instead of selecting RouteTables by labels. The team
   * must then keep that name.
   * Defaults to none (delegation by selector).
   */
  routeTable?: string;
}

/** Arguments of a `PlatformGateway`. */
export interface PlatformGatewayArgs {
  /**
   * Name of the VirtualService object.
   * Defaults to the component's name (`buildPlatformGateway` alone requires it).
   */
  name?: string;
  /**
   * Namespace of the VirtualService object: the gateway's, owned by the platform.
   * Defaults to `gloo-system`.
   */
  namespace?: string;
  /**
   * Host names served, e.g. `["api.example.com"]`; `*` matches any.
   * Defaults to `["*"]`.
   */
  domains?: string[];
  /**
   * Descriptive name shown by Gloo's tools.
   * Defaults to none.
   */
  displayName?: string;
  /** The teams and the prefixes delegated to them (at least one). Their routes come in the order `planDelegations` gives. */
  teams: TeamDelegationArgs[];
  /**
   * Allow a team's `namespace` to be `*`: its selector then picks RouteTables in every namespace Gloo watches, so
   * any namespace can serve that prefix.
   * Defaults to false.
   */
  allowAllNamespaces?: boolean;
  /**
   * Labels on the VirtualService object.
   * Defaults to none.
   */
  labels?: { [key: string]: string };
}

/** One delegating route of a `PlatformGateway`, as planned. */
export interface PlannedDelegation {
  /** The team. */
  team: string;
  /** The prefix delegated to it. */
  prefix: string;
  /** Namespace of its RouteTables (`*` for every namespace). */
  namespace: string;
  /** How the route delegates: a RouteTable reference or a selector. */
  delegateAction: GlooDelegateAction;
}

/** What `buildPlatformGateway` builds. */
export interface PlatformGatewayObjects {
  /** The VirtualService, one delegating route per team. */
  virtualService: GlooVirtualService;
  /** The delegations in route order. */
  delegations: PlannedDelegation[];
}

const DELEGATING_MATCHER_TEXT =
  'exactly one matcher holding only a path prefix, e.g. [{ prefix: "/echo" }] (Gloo refuses other matchers on a delegating route and drops the whole virtual host; with no matcher the route takes every path; headers, methods or case sensitivity would have to be repeated on every team route)';

/**
 * Checks the matchers of a delegating route: exactly one, holding a `prefix` and nothing else. Returns the prefix.
 *
 * @param field names the route in the message, e.g. `routes[0] (echo)`.
 */
export function requireDelegatingMatcher(
  field: string,
  matchers: readonly GlooMatcher[] | undefined,
  scope?: string,
): string {
  if (!Array.isArray(matchers) || matchers.length !== 1) {
    throw new ValidationError(`${field}.matchers`, matchers, DELEGATING_MATCHER_TEXT, scope);
  }
  const matcher = matchers[0] as GlooMatcher | undefined;
  const others =
    matcher === undefined || matcher === null
      ? []
      : Object.keys(matcher).filter(
          (key) => key !== "prefix" && matcher[key as keyof GlooMatcher] !== undefined,
        );
  if (typeof matcher?.prefix !== "string" || !matcher.prefix.startsWith("/") || others.length > 0) {
    throw new ValidationError(`${field}.matchers[0]`, matcher, DELEGATING_MATCHER_TEXT, scope);
  }
  return matcher.prefix;
}

/**
 * Validates `PlatformGateway` arguments and builds its VirtualService: one route per team, in the order
 * `planDelegations` gives, each matching exactly the team's prefix and delegating to the team's RouteTables by
 * selector (labels plus the team's namespace, always written) or by reference. Pure. Throws `ValidationError`
 * naming the team and the field: for two teams with the same or overlapping prefixes without distinct orders,
 * a namespace `*` without `allowAllNamespaces`, names that are not DNS labels.
 *
 * @param scope - prefixes error messages, e.g. `PlatformGateway gateway`.
 */
export function buildPlatformGateway(args: PlatformGatewayArgs, scope?: string): PlatformGatewayObjects {
  if (args.name === undefined) {
    throw new ValidationError("name", undefined, 'a name for the VirtualService, e.g. "gateway"', scope);
  }
  const name = requireObjectName("name", args.name, scope);
  const namespace = requireDnsLabel("namespace", args.namespace ?? DEFAULT_GATEWAY_NAMESPACE, scope);
  const labels = args.labels === undefined ? undefined : requireLabels("labels", args.labels, scope);
  const domains = requireVirtualHost(args.domains, args.displayName, "api.example.com", scope);
  if (args.allowAllNamespaces !== undefined && typeof args.allowAllNamespaces !== "boolean") {
    throw new ValidationError("allowAllNamespaces", args.allowAllNamespaces, "true or false", scope);
  }
  if (!Array.isArray(args.teams) || args.teams.length === 0) {
    throw new ValidationError(
      "teams",
      args.teams,
      'a list of at least one team delegation, e.g. [{ team: "echo", prefix: "/echo" }]',
      scope,
    );
  }

  const teams: TeamDelegation[] = args.teams.map((t, i) => {
    if (typeof t !== "object" || t === null) {
      throw new ValidationError(`teams[${i}]`, t, "a team delegation { team, prefix, namespace? }", scope);
    }
    return { team: t.team, prefix: t.prefix, namespace: t.namespace ?? t.team, order: t.order };
  });
  const planned = planDelegations(teams, {
    allowAllNamespaces: args.allowAllNamespaces ?? false,
    scope,
  });

  const delegations: PlannedDelegation[] = planned.map((d) => {
    const i = teams.indexOf(d);
    const given = args.teams[i];
    const field = `teams[${i}]`;
    const teamScope = scope === undefined ? `team ${d.team}` : `${scope}: team ${d.team}`;
    let delegateAction: GlooDelegateAction;
    if (given.routeTable !== undefined) {
      if (given.labels !== undefined) {
        throw new ValidationError(
          `${field}.labels`,
          given.labels,
          "no labels with routeTable (a delegation is by reference or by selector, not both)",
          teamScope,
        );
      }
      if (d.namespace === "*") {
        throw new ValidationError(
          `${field}.namespace`,
          d.namespace,
          "the namespace of the RouteTable named in routeTable (a reference names one namespace)",
          teamScope,
        );
      }
      delegateAction = {
        ref: {
          name: requireObjectName(`${field}.routeTable`, given.routeTable, teamScope),
          namespace: d.namespace,
        },
      };
    } else {
      const selectorLabels =
        given.labels === undefined
          ? teamLabels(d.team)
          : requireLabels(`${field}.labels`, given.labels, teamScope);
      if (Object.keys(selectorLabels).length === 0) {
        throw new ValidationError(
          `${field}.labels`,
          selectorLabels,
          `at least one label, e.g. { "pulumi-canary/team": "${d.team}" } (an empty selector picks every RouteTable in the namespace)`,
          teamScope,
        );
      }
      delegateAction = { selector: { namespaces: [d.namespace], labels: selectorLabels } };
    }
    return { team: d.team, prefix: d.prefix, namespace: d.namespace, delegateAction };
  });

  const routes: GlooRoute[] = delegations.map((d) => ({
    name: d.team,
    matchers: [{ prefix: d.prefix }],
    delegateAction: d.delegateAction,
  }));
  routes.forEach((route, i) =>
    requireDelegatingMatcher(`routes[${i}] (${route.name})`, route.matchers, scope),
  );

  return {
    virtualService: virtualServiceObject(
      { name, namespace, ...(labels ? { labels } : {}) },
      domains,
      routes,
      args.displayName,
    ),
    delegations,
  };
}

/** Type token of the `PlatformGateway` component. */
export const PLATFORM_GATEWAY_TYPE = "pulumi-canary:index:PlatformGateway";

/**
 * The platform's gateway: a Gloo VirtualService with the domains, in the gateway's namespace, whose routes
 * delegate each team's path prefix to that team's RouteTables, by selector (labels and the team's namespace) or
 * by reference. Teams then own their routes, in their own namespaces and Pulumi projects. Two teams with the
 * same or overlapping prefixes need explicit distinct orders; selecting in every namespace needs
 * `allowAllNamespaces`. Refused arguments register nothing.
 */
export class PlatformGateway extends pulumi.ComponentResource {
  /** Name of the VirtualService object. */
  readonly name: string;
  /** Namespace of the VirtualService object. */
  readonly namespace: string;
  /** The teams in route order. */
  readonly teams: string[];
  /** The prefix delegated to each team, e.g. `{ echo: "/echo" }`: what each team's program must be told. */
  readonly prefixes: { [team: string]: string };
  /** The VirtualService custom resource (Pulumi name `name`) holding the delegating routes. */
  readonly virtualService: k8s.apiextensions.CustomResource;

  constructor(name: string, args: PlatformGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and objects another component writes, before anything is registered.
    const objects = checkArguments(() => {
      const built = buildPlatformGateway({ ...args, name: args.name ?? name }, `PlatformGateway ${name}`);
      const vs = built.virtualService;
      claimObjects(
        `PlatformGateway ${name}`,
        [
          objectClaim("name", "VirtualService", vs.metadata, "another name or namespace"),
          ...domainClaims(
            "domains",
            vs.spec.virtualHost.domains,
            "give each gateway VirtualService its own domains",
          ),
        ],
        opts,
      );
      return built;
    });
    super(PLATFORM_GATEWAY_TYPE, name, {}, opts);
    this.virtualService = registerGlooObject(name, objects.virtualService, this);
    this.name = objects.virtualService.metadata.name;
    this.namespace = objects.virtualService.metadata.namespace;
    this.teams = objects.delegations.map((d) => d.team);
    this.prefixes = Object.fromEntries(objects.delegations.map((d) => [d.team, d.prefix]));
    this.registerOutputs({
      name: this.name,
      namespace: this.namespace,
      teams: this.teams,
      prefixes: this.prefixes,
    });
  }
}
