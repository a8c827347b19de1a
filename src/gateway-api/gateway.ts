import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { checkArguments } from "../arguments";
import { claimObjects, objectClaim } from "../claims";
import { registerGlooObject } from "../gloo/register";
import { TEAM_LABEL } from "../gloo/delegation";
import { Checks } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { requireInteger } from "../release/validate";
import { K8S_GATEWAY_API_GROUP, K8S_GATEWAY_API_VERSION, hostnameMatches } from "./httproute";
import {
  GATEWAY_API_LIMITS,
  gatewayPrefixesOverlap,
  requireGatewayHostname,
  requireGatewayPath,
} from "./validate";

/** Type token of {@link SharedGateway}. */
export const SHARED_GATEWAY_TYPE = "pulumi-canary:index:SharedGateway";

/** How a {@link SharedGateway} confines each team to its prefix and namespace. */
export enum TeamRouting {
  /**
   * The teams' namespaces attach their HTTPRoutes to the Gateway's listeners directly (`allowedRoutes` selects the
   * namespaces). The package refuses a team route outside its prefix before apply (`CanaryRelease`
   * `gatewayApi.team`); the Gateway enforces only the namespaces. Portable: every Gateway API implementation. The
   * default.
   */
  Listener = "listener",
  /**
   * kgateway route delegation: for each team, a parent HTTPRoute in the Gateway's namespace matches the team's
   * prefix and hands it to the HTTPRoutes of the team's namespace; the listeners admit only routes of the Gateway's
   * own namespace. The gateway itself then enforces both the prefix and the namespace. kgateway only.
   */
  Delegation = "delegation",
}

/** What a team routing field accepts: a {@link TeamRouting} value, `also` appended to the text. */
export function teamRoutingProblem(value: unknown, also = ""): string | undefined {
  if ((Object.values(TeamRouting) as unknown[]).includes(value)) return undefined;
  const values = Object.values(TeamRouting)
    .map((r) => `"${r}"`)
    .join(", ");
  return `one of ${values} (TeamRouting.Listener or TeamRouting.Delegation)${also}`;
}

/** One HTTP listener of the platform's Gateway. */
export interface GatewayListenerArgs {
  /** Listener name (a DNS label), what routes name as `sectionName`. Defaults to `http`. */
  name?: string;
  /** Port. Defaults to 80. */
  port?: number;
  /** Host names the listener serves (`*.example.com`). Defaults to every host. */
  hostname?: string;
}

/** A team given a path prefix on the Gateway, for the HTTPRoutes of its namespace. */
export interface GatewayTeamArgs {
  /** Team name (a DNS label). */
  team: string;
  /** The team's namespace: only HTTPRoutes there may serve the team's prefix. */
  namespace: string;
  /** The path prefix the team owns (its routes are confined to it by `CanaryRelease` `gatewayApi.team`). */
  prefix: string;
  /**
   * Host names of the team's parent HTTPRoute, with `teamRouting` `Delegation` (the team's routes carry none): each
   * must fall under a listener's hostname. Defaults to every host the listeners serve. Not with `Listener`.
   */
  hostnames?: string[];
  /**
   * Name of the team's parent HTTPRoute, with `teamRouting` `Delegation`. Defaults to `<gateway name>-<team>`, the
   * name `CanaryRelease` `gatewayApi.team` assumes. Not with `Listener`.
   */
  parentRoute?: string;
}

/** Arguments of {@link SharedGateway}. */
export interface SharedGatewayArgs {
  /** Gateway name. Defaults to the component name. */
  name?: string;
  /** Namespace of the Gateway. Defaults to `gateway-system`. */
  namespace?: string;
  /** The GatewayClass of the installed implementation (kgateway, Envoy Gateway, Istio, ...). */
  gatewayClassName: string;
  /** HTTP listeners (at most 64). Defaults to one listener `http` on port 80 for every host. */
  listeners?: GatewayListenerArgs[];
  /**
   * The teams, each with its namespace and prefix. With `Listener` routing the listeners admit HTTPRoutes from the
   * teams' namespaces (`allowedRoutes`: a selector on the namespaces' names); with `Delegation`, a parent HTTPRoute
   * per team. Defaults to none: only routes in the Gateway's own namespace attach.
   */
  teams?: GatewayTeamArgs[];
  /** How the teams are confined to their prefixes and namespaces. Defaults to `Listener`. */
  teamRouting?: TeamRouting;
}

/** The default name of a team's parent HTTPRoute under kgateway delegation: `<gateway name>-<team>`. */
export function teamParentRouteName(gateway: string, team: string): string {
  return `${gateway}-${team}`;
}

/**
 * A team's parent HTTPRoute (kgateway route delegation), in the Gateway's namespace: it attaches to the Gateway,
 * matches the team's prefix and hands it to the HTTPRoutes of the team's namespace that name it as their parent.
 */
export interface GatewayTeamRoute {
  /** `gateway.networking.k8s.io/v1`. */
  apiVersion: string;
  /** Always `HTTPRoute`. */
  kind: "HTTPRoute";
  /** The route's name, the Gateway's namespace, and the team's label. */
  metadata: { name: string; namespace: string; labels: { [key: string]: string } };
  /** The Gateway, the team's host names, and one rule: the team's prefix to the team namespace's HTTPRoutes. */
  spec: {
    parentRefs: { name: string }[];
    hostnames?: string[];
    rules: {
      name: string;
      matches: { path: { type: "PathPrefix"; value: string } }[];
      backendRefs: { group: string; kind: "HTTPRoute"; name: string; namespace: string }[];
    }[];
  };
}

/** What a {@link SharedGateway} writes: the Gateway, and with `Delegation` a parent HTTPRoute per team. */
export interface SharedGatewayObjects {
  /** The Gateway. */
  gateway: GatewayObject;
  /** The teams' parent HTTPRoutes, in the order of `teams`; empty with `Listener` routing. */
  teamRoutes: GatewayTeamRoute[];
}

/** A Gateway object (the fields this package writes). */
export interface GatewayObject {
  /** `gateway.networking.k8s.io/v1`. */
  apiVersion: string;
  /** Always `Gateway`. */
  kind: "Gateway";
  /** The Gateway's name and namespace (the platform's). */
  metadata: { name: string; namespace: string };
  /**
   * The class and the HTTP listeners (one by default, shared by every team), each admitting HTTPRoutes from the
   * teams' namespaces (`Listener` routing) or from the Gateway's namespace only (`Delegation`).
   */
  spec: {
    gatewayClassName: string;
    listeners: {
      name: string;
      port: number;
      protocol: "HTTP";
      hostname?: string;
      allowedRoutes: {
        kinds: { kind: "HTTPRoute" }[];
        namespaces:
          | { from: "Same" }
          | {
              from: "Selector";
              selector: { matchExpressions: { key: string; operator: "In"; values: string[] }[] };
            };
      };
    }[];
  };
}

/**
 * Builds the platform's Gateway: its listeners, and which namespaces may attach HTTPRoutes (the teams', or with
 * `Delegation` the Gateway's own). Refuses what {@link buildSharedGateway} refuses. Pure.
 */
export function buildGateway(name: string, args: SharedGatewayArgs, scope?: string): GatewayObject {
  return buildSharedGateway(name, args, scope).gateway;
}

/**
 * Builds what a {@link SharedGateway} writes: the Gateway and, with `teamRouting` `Delegation`, each team's parent
 * HTTPRoute. Refuses, with every problem at once: names that are not DNS labels, more than 64 listeners, listeners
 * with a repeated name or port and hostname, listener hostnames the Gateway API refuses (`*`, IPs), teams with
 * repeated names or overlapping prefixes (whole path elements, as the Gateway API matches them), prefixes the
 * HTTPRoute CRD refuses, and team host names that no listener serves. Pure.
 */
export function buildSharedGateway(
  name: string,
  args: SharedGatewayArgs,
  scope?: string,
): SharedGatewayObjects {
  const checks = new Checks();
  const gwName = checks.check(() => requireDnsLabel("name", args.name ?? name, scope));
  const namespace = checks.check(() =>
    requireDnsLabel("namespace", args.namespace ?? "gateway-system", scope),
  );
  const className = checks.check(() => requireDnsLabel("gatewayClassName", args.gatewayClassName, scope));
  const routing = args.teamRouting ?? TeamRouting.Listener;
  const routingProblem = teamRoutingProblem(routing);
  if (routingProblem !== undefined) checks.fail("teamRouting", routing, routingProblem, scope);
  const delegation = routing === TeamRouting.Delegation;
  const given = args.listeners ?? [{}];
  if (given.length === 0 || given.length > GATEWAY_API_LIMITS.listeners) {
    checks.fail(
      "listeners",
      `${given.length} listeners`,
      `1 to ${GATEWAY_API_LIMITS.listeners} listeners (the Gateway CRD's limit)`,
      scope,
    );
  }
  const listeners = given.map((l, i) => ({
    name: checks.check(() => requireDnsLabel(`listeners[${i}].name`, l.name ?? "http", scope)) ?? "",
    port: checks.check(() => requireInteger(`listeners[${i}].port`, l.port ?? 80, 1, 65535, scope)) ?? 0,
    hostname:
      l.hostname === undefined
        ? undefined
        : checks.check(() => requireGatewayHostname(`listeners[${i}].hostname`, l.hostname, scope)),
  }));
  const seen = new Set<string>();
  listeners.forEach((l, i) => {
    const key = `${l.port}/${l.hostname ?? "*"}`;
    if (seen.has(l.name) || seen.has(key)) {
      checks.fail(
        `listeners[${i}]`,
        l.name,
        "a listener name and port/hostname no other listener has",
        scope,
      );
    }
    seen.add(l.name);
    seen.add(key);
  });
  const teams = args.teams ?? [];
  const parentNames = teams.map((t, i) => {
    checks.check(() => requireDnsLabel(`teams[${i}].team`, t.team, scope));
    checks.check(() => requireDnsLabel(`teams[${i}].namespace`, t.namespace, scope));
    const prefixOk =
      checks.check(() => requireGatewayPath(`teams[${i}].prefix`, t.prefix, scope)) !== undefined;
    teams.slice(0, i).forEach((other, j) => {
      if (other.team === t.team) {
        checks.fail(`teams[${i}].team`, t.team, "a team name not given twice", scope);
      } else if (
        prefixOk &&
        typeof other.prefix === "string" &&
        gatewayPrefixesOverlap(t.prefix, other.prefix)
      ) {
        checks.fail(
          `teams[${i}].prefix`,
          t.prefix,
          `a prefix that does not overlap team ${other.team}'s "${other.prefix}" (one lies within the other, so a route of one would capture the other's requests)`,
          scope,
        );
      } else if (delegation && other.namespace === t.namespace) {
        checks.fail(
          `teams[${i}].namespace`,
          t.namespace,
          `a namespace no other team has (team ${other.team}'s, teams[${j}]): a parent HTTPRoute hands its prefix to every HTTPRoute of the namespace`,
          scope,
        );
      }
    });
    if (!delegation) {
      if (t.hostnames !== undefined) {
        checks.fail(
          `teams[${i}].hostnames`,
          t.hostnames,
          "no host names with teamRouting Listener (the team's routes carry their own); they name the hosts of a parent HTTPRoute, with teamRouting Delegation",
          scope,
        );
      }
      if (t.parentRoute !== undefined) {
        checks.fail(
          `teams[${i}].parentRoute`,
          t.parentRoute,
          "no parent route with teamRouting Listener (the team's routes attach to the Gateway); it names a parent HTTPRoute, with teamRouting Delegation",
          scope,
        );
      }
      return "";
    }
    const hostnames = t.hostnames;
    if (hostnames !== undefined) {
      if (
        !Array.isArray(hostnames) ||
        hostnames.length === 0 ||
        hostnames.length > GATEWAY_API_LIMITS.hostnames
      ) {
        checks.fail(
          `teams[${i}].hostnames`,
          hostnames,
          `1 to ${GATEWAY_API_LIMITS.hostnames} host names, or none to serve every host the listeners serve`,
          scope,
        );
      } else {
        hostnames.forEach((h, k) => {
          const field = `teams[${i}].hostnames[${k}]`;
          if (checks.check(() => requireGatewayHostname(field, h, scope)) === undefined) return;
          if (!listeners.some((l) => hostnameMatches(l.hostname, h))) {
            checks.fail(
              field,
              h,
              `a host name a listener serves (${listeners.map((l) => `"${l.hostname ?? "*"}"`).join(", ")}): the Gateway would not attach the parent route for it`,
              scope,
            );
          }
        });
      }
    }
    if (t.parentRoute === undefined && gwName === undefined) return "";
    const parent = t.parentRoute ?? teamParentRouteName(gwName!, t.team);
    return checks.check(() => requireDnsLabel(`teams[${i}].parentRoute`, parent, scope)) ?? "";
  });
  checks.done();
  const namespaces = [...new Set(teams.map((t) => t.namespace))].sort();
  const gateway: GatewayObject = {
    apiVersion: K8S_GATEWAY_API_VERSION,
    kind: "Gateway",
    metadata: { name: gwName!, namespace: namespace! },
    spec: {
      gatewayClassName: className!,
      listeners: listeners.map((l) => ({
        name: l.name,
        port: l.port,
        protocol: "HTTP" as const,
        ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
        allowedRoutes: {
          kinds: [{ kind: "HTTPRoute" as const }],
          namespaces:
            delegation || namespaces.length === 0
              ? { from: "Same" as const }
              : {
                  from: "Selector" as const,
                  selector: {
                    matchExpressions: [
                      { key: "kubernetes.io/metadata.name", operator: "In" as const, values: namespaces },
                    ],
                  },
                },
        },
      })),
    },
  };
  const teamRoutes: GatewayTeamRoute[] = delegation
    ? teams.map((t, i) => ({
        apiVersion: K8S_GATEWAY_API_VERSION,
        kind: "HTTPRoute" as const,
        metadata: { name: parentNames[i], namespace: namespace!, labels: { [TEAM_LABEL]: t.team } },
        spec: {
          parentRefs: [{ name: gwName! }],
          ...(t.hostnames !== undefined ? { hostnames: [...t.hostnames] } : {}),
          rules: [
            {
              name: "delegate",
              matches: [{ path: { type: "PathPrefix" as const, value: t.prefix } }],
              backendRefs: [
                {
                  group: K8S_GATEWAY_API_GROUP,
                  kind: "HTTPRoute" as const,
                  name: "*",
                  namespace: t.namespace,
                },
              ],
            },
          ],
        },
      }))
    : [];
  return { gateway, teamRoutes };
}

/**
 * The platform's Gateway API Gateway, owned by the platform team: its listeners (one shared listener by default)
 * and how the teams reach it. With `teamRouting` `Listener` (the default) the listeners admit HTTPRoutes from the
 * teams' namespaces, and each team's `CanaryRelease` (with `gatewayApi.team`) attaches its HTTPRoute to them,
 * confined to its prefix by the package before apply. With `Delegation` (kgateway), a parent HTTPRoute per team
 * hands the team's prefix to the HTTPRoutes of its namespace, and the gateway enforces prefix and namespace. Every
 * input is validated before anything is registered.
 */
export class SharedGateway extends pulumi.ComponentResource {
  /** The Gateway. */
  public readonly gateway: k8s.apiextensions.CustomResource;
  /** The Gateway's name. */
  public readonly gatewayName: pulumi.Output<string>;
  /** The teams' prefixes, by team, for a team stack to read through a StackReference. */
  public readonly prefixes: pulumi.Output<{ [team: string]: string }>;
  /** The teams' parent HTTPRoutes, by team, with `Delegation`; empty with `Listener` routing. */
  public readonly teamRoutes: { [team: string]: k8s.apiextensions.CustomResource };
  /** The names of the teams' parent HTTPRoutes, by team (in the Gateway's namespace); empty with `Listener`. */
  public readonly parentRoutes: pulumi.Output<{ [team: string]: string }>;

  constructor(name: string, args: SharedGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const built = checkArguments(() => {
      const objects = buildSharedGateway(name, args, `SharedGateway ${name}`);
      claimObjects(
        `SharedGateway ${name}`,
        [
          objectClaim("name", "Gateway", objects.gateway.metadata, "another name or namespace"),
          ...objects.teamRoutes.map((route, i) =>
            objectClaim(
              `teams[${i}].parentRoute`,
              "HTTPRoute",
              route.metadata,
              "another teams[].parentRoute",
            ),
          ),
        ],
        opts,
      );
      return objects;
    });
    super(SHARED_GATEWAY_TYPE, name, {}, opts);
    this.gateway = registerGlooObject(name, built.gateway, this);
    const teams = args.teams ?? [];
    this.teamRoutes = Object.fromEntries(
      built.teamRoutes.map((route, i) => [
        teams[i].team,
        registerGlooObject(`${name}-${teams[i].team}`, route, this, { dependsOn: [this.gateway] }),
      ]),
    );
    this.gatewayName = pulumi.output(built.gateway.metadata.name);
    this.prefixes = pulumi.output(Object.fromEntries(teams.map((t) => [t.team, t.prefix])));
    this.parentRoutes = pulumi.output(
      Object.fromEntries(built.teamRoutes.map((route, i) => [teams[i].team, route.metadata.name])),
    );
    this.registerOutputs({
      gatewayName: this.gatewayName,
      prefixes: this.prefixes,
      parentRoutes: this.parentRoutes,
    });
  }
}
