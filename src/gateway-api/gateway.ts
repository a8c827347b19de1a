import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { checkArguments } from "../arguments";
import { claimObjects, objectClaim } from "../claims";
import { registerGlooObject } from "../gloo/register";
import { prefixesOverlap, requirePathPrefix } from "../gloo/delegation";
import { Checks, ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { requireInteger } from "../release/validate";
import { K8S_GATEWAY_API_VERSION } from "./httproute";

/** Type token of {@link SharedGateway}. */
export const SHARED_GATEWAY_TYPE = "pulumi-canary:index:SharedGateway";

/** One HTTP listener of the platform's Gateway. */
export interface GatewayListenerArgs {
  /** Listener name (a DNS label), what routes name as `sectionName`. Defaults to `http`. */
  name?: string;
  /** Port. Defaults to 80. */
  port?: number;
  /** Host names the listener serves (`*.example.com`). Defaults to every host. */
  hostname?: string;
}

/** A team whose namespace may attach HTTPRoutes to the Gateway, for the prefix the platform gives it. */
export interface GatewayTeamArgs {
  /** Team name (a DNS label). */
  team: string;
  /** The team's namespace: only HTTPRoutes there may attach. */
  namespace: string;
  /** The path prefix the team owns (its routes are confined to it by `CanaryRelease` `gatewayApi.team`). */
  prefix: string;
}

/** Arguments of {@link SharedGateway}. */
export interface SharedGatewayArgs {
  /** Gateway name. Defaults to the component name. */
  name?: string;
  /** Namespace of the Gateway. Defaults to `gateway-system`. */
  namespace?: string;
  /** The GatewayClass of the installed implementation (kgateway, Envoy Gateway, Istio, ...). */
  gatewayClassName: string;
  /** HTTP listeners. Defaults to one listener `http` on port 80 for every host. */
  listeners?: GatewayListenerArgs[];
  /**
   * The teams whose namespaces may attach routes (`allowedRoutes`: a selector on the namespaces' names). Defaults to
   * none: only routes in the Gateway's own namespace attach.
   */
  teams?: GatewayTeamArgs[];
}

/** A Gateway object (the fields this package writes). */
export interface GatewayObject {
  /** `gateway.networking.k8s.io/v1`. */
  apiVersion: string;
  /** Always `Gateway`. */
  kind: "Gateway";
  /** The Gateway's name and namespace (the platform's). */
  metadata: { name: string; namespace: string };
  /** The class and one HTTP listener per team hostname, each admitting HTTPRoutes from that team's namespaces. */
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
 * Builds the platform's Gateway: its listeners, and which namespaces may attach HTTPRoutes (the teams'). Refuses
 * listeners with a repeated name or port, teams with repeated names or overlapping prefixes. Pure.
 */
export function buildGateway(name: string, args: SharedGatewayArgs, scope?: string): GatewayObject {
  const checks = new Checks();
  const gwName = checks.check(() => requireDnsLabel("name", args.name ?? name, scope));
  const namespace = checks.check(() =>
    requireDnsLabel("namespace", args.namespace ?? "gateway-system", scope),
  );
  const className = checks.check(() => requireDnsLabel("gatewayClassName", args.gatewayClassName, scope));
  const listeners = (args.listeners ?? [{}]).map((l, i) => ({
    name: checks.check(() => requireDnsLabel(`listeners[${i}].name`, l.name ?? "http", scope)) ?? "",
    port: checks.check(() => requireInteger(`listeners[${i}].port`, l.port ?? 80, 1, 65535, scope)) ?? 0,
    hostname: l.hostname,
  }));
  const seen = new Set<string>();
  listeners.forEach((l, i) => {
    const key = `${l.port}/${l.hostname ?? "*"}`;
    if (seen.has(l.name) || seen.has(key)) {
      checks.check(() => {
        throw new ValidationError(
          `listeners[${i}]`,
          l.name,
          "a listener name and port/hostname no other listener has",
          scope,
        );
      });
    }
    seen.add(l.name);
    seen.add(key);
  });
  const teams = args.teams ?? [];
  teams.forEach((t, i) => {
    checks.check(() => requireDnsLabel(`teams[${i}].team`, t.team, scope));
    checks.check(() => requireDnsLabel(`teams[${i}].namespace`, t.namespace, scope));
    checks.check(() => requirePathPrefix(`teams[${i}].prefix`, t.prefix, scope));
    teams.slice(0, i).forEach((other) => {
      if (other.team === t.team) {
        checks.check(() => {
          throw new ValidationError(`teams[${i}].team`, t.team, "a team name not given twice", scope);
        });
      } else if (typeof t.prefix === "string" && prefixesOverlap(t.prefix, other.prefix)) {
        checks.check(() => {
          throw new ValidationError(
            `teams[${i}].prefix`,
            t.prefix,
            `a prefix that does not overlap team ${other.team}'s "${other.prefix}" (a route of one would capture the other's requests)`,
            scope,
          );
        });
      }
    });
  });
  checks.done();
  const namespaces = [...new Set(teams.map((t) => t.namespace))].sort();
  return {
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
            namespaces.length === 0
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
}

/**
 * The platform's Gateway API Gateway, owned by the platform team: its listeners and which team namespaces may
 * attach HTTPRoutes. Each team's `CanaryRelease` (with `gatewayApi.team`) writes its own HTTPRoute in its namespace,
 * confined to its prefix. Every input is validated before anything is registered.
 */
export class SharedGateway extends pulumi.ComponentResource {
  /** The Gateway. */
  public readonly gateway: k8s.apiextensions.CustomResource;
  /** The Gateway's name. */
  public readonly gatewayName: pulumi.Output<string>;
  /** The teams' prefixes, by team, for a team stack to read through a StackReference. */
  public readonly prefixes: pulumi.Output<{ [team: string]: string }>;

  constructor(name: string, args: SharedGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const gateway = checkArguments(() => {
      const built = buildGateway(name, args, `SharedGateway ${name}`);
      claimObjects(
        `SharedGateway ${name}`,
        [objectClaim("name", "Gateway", built.metadata, "another name or namespace")],
        opts,
      );
      return built;
    });
    super(SHARED_GATEWAY_TYPE, name, {}, opts);
    this.gateway = registerGlooObject(name, gateway, this);
    this.gatewayName = pulumi.output(gateway.metadata.name);
    this.prefixes = pulumi.output(Object.fromEntries((args.teams ?? []).map((t) => [t.team, t.prefix])));
    this.registerOutputs({ gatewayName: this.gatewayName, prefixes: this.prefixes });
  }
}
