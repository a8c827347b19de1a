import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  registerGlooObject,
  registerRouting,
  routeDependencies,
  routingSummary,
  withDependencies,
} from "./components";
import { buildPlatformGateway, type PlatformGatewayArgs, type PlatformGatewayObjects } from "./gateway";
import { buildTeamRouteTable, type TeamRouteTableArgs, type TeamRouteTableObjects } from "./route-table";
import { buildGlooSettingsPatch, type GlooSettingsPatchArgs } from "./settings";
import type { GlooSettings } from "./types";

/** Type token of the `PlatformGateway` component. */
export const PLATFORM_GATEWAY_TYPE = "pulumi-canary:index:PlatformGateway";
/** Type token of the `TeamRouteTable` component. */
export const TEAM_ROUTE_TABLE_TYPE = "pulumi-canary:index:TeamRouteTable";
/** Type token of the `GlooSettingsPatch` component. */
export const GLOO_SETTINGS_PATCH_TYPE = "pulumi-canary:index:GlooSettingsPatch";

/** `args` with the VirtualService name defaulted to the component's name. */
function gatewayArgs(name: string, args: PlatformGatewayArgs): PlatformGatewayArgs {
  return { ...args, name: args.name ?? name };
}

/** What `createPlatformGateway` registers. */
export interface PlatformGatewayResources {
  /** The objects as built, with the delegations in route order. */
  objects: PlatformGatewayObjects;
  /** The VirtualService custom resource. */
  virtualService: k8s.apiextensions.CustomResource;
}

/**
 * Validates `args`, then registers the gateway's VirtualService under `parent` with Pulumi name `name` (also the
 * object's name unless `args.name` is set). Throws `ValidationError` before registering anything.
 */
export function createPlatformGateway(
  name: string,
  args: PlatformGatewayArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): PlatformGatewayResources {
  return registerPlatformGateway(
    name,
    buildPlatformGateway(gatewayArgs(name, args), `PlatformGateway ${name}`),
    parent,
    opts,
  );
}

/** Registers built gateway objects under `parent` with Pulumi name `name`. */
export function registerPlatformGateway(
  name: string,
  objects: PlatformGatewayObjects,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): PlatformGatewayResources {
  const virtualService = registerGlooObject(name, objects.virtualService, parent, opts);
  return { objects, virtualService };
}

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

  constructor(name: string, args: PlatformGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments before anything is registered.
    const objects = buildPlatformGateway(gatewayArgs(name, args), `PlatformGateway ${name}`);
    super(PLATFORM_GATEWAY_TYPE, name, {}, opts);
    const created = registerPlatformGateway(name, objects, this);
    this.name = created.objects.virtualService.metadata.name;
    this.namespace = created.objects.virtualService.metadata.namespace;
    this.teams = created.objects.delegations.map((d) => d.team);
    this.prefixes = Object.fromEntries(created.objects.delegations.map((d) => [d.team, d.prefix]));
    this.registerOutputs({
      name: this.name,
      namespace: this.namespace,
      teams: this.teams,
      prefixes: this.prefixes,
    });
  }
}

/** What `createTeamRouteTable` registers. */
export interface TeamRouteTableResources {
  /** The objects as built, with the release plans of the routes. */
  objects: TeamRouteTableObjects;
  /** The RouteTable custom resource. */
  routeTable: k8s.apiextensions.CustomResource;
  /** The UpstreamGroup custom resources of routes with `useUpstreamGroup`, in route order. */
  upstreamGroups: k8s.apiextensions.CustomResource[];
}

/**
 * Validates `args`, then registers under `parent`: the UpstreamGroups of routes with `useUpstreamGroup` (Pulumi
 * names `<name>-<group>`), then the RouteTable (Pulumi name `name`) after them. All of them come after the
 * Upstream and UpstreamGroup components named in `args`. Throws `ValidationError` before registering anything.
 */
export function createTeamRouteTable(
  name: string,
  args: TeamRouteTableArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): TeamRouteTableResources {
  return registerTeamRouteTable(
    name,
    buildTeamRouteTable(args, `TeamRouteTable ${name}`),
    args,
    parent,
    opts,
  );
}

/** Registers built RouteTable objects under `parent` (see `createTeamRouteTable`). */
export function registerTeamRouteTable(
  name: string,
  objects: TeamRouteTableObjects,
  args: TeamRouteTableArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): TeamRouteTableResources {
  const deps = routeDependencies(args);
  const { routing: routeTable, upstreamGroups } = registerRouting(
    name,
    objects.routeTable,
    objects.upstreamGroups,
    parent,
    withDependencies(opts, deps),
  );
  return { objects, routeTable, upstreamGroups };
}

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

  constructor(name: string, args: TeamRouteTableArgs, opts?: pulumi.ComponentResourceOptions) {
    const objects = buildTeamRouteTable(args, `TeamRouteTable ${name}`); // refuse bad arguments first
    super(TEAM_ROUTE_TABLE_TYPE, name, {}, opts);
    const created = registerTeamRouteTable(name, objects, args, this);
    this.name = created.objects.routeTable.metadata.name;
    this.namespace = created.objects.routeTable.metadata.namespace;
    this.team = created.objects.team;
    this.prefix = created.objects.prefix;
    ({ upstreamGroups: this.upstreamGroups, splits: this.splits } = routingSummary(created.objects));
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

/** What `createGlooSettingsPatch` registers. */
export interface GlooSettingsPatchResources {
  /** The patch as built (a partial Settings object). */
  object: GlooSettings;
  /** The registered patch. */
  patch: k8s.apiextensions.CustomResourcePatch;
}

/**
 * Validates `args`, then registers a server-side apply patch of Gloo's Settings object under `parent` with Pulumi
 * name `name`. Throws `ValidationError` before registering anything.
 */
export function createGlooSettingsPatch(
  name: string,
  args: GlooSettingsPatchArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): GlooSettingsPatchResources {
  return registerGlooSettingsPatch(
    name,
    buildGlooSettingsPatch(args, `GlooSettingsPatch ${name}`),
    parent,
    opts,
  );
}

/** Registers a built Settings patch under `parent` with Pulumi name `name`. */
export function registerGlooSettingsPatch(
  name: string,
  object: GlooSettings,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): GlooSettingsPatchResources {
  const patch = new k8s.apiextensions.CustomResourcePatch(
    name,
    { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
    { ...opts, parent },
  );
  return { object, patch };
}

/**
 * Gloo's invalid-route policy (`spec.gloo.invalidConfigPolicy` of the `default` Settings in `gloo-system`):
 * routes with errors are answered with a fixed status code and body, and every valid route keeps updating, so
 * one team's mistake blocks no other team. Gloo owns the Settings object, so this is a patch
 * (`CustomResourcePatch`, server-side apply) of the policy's fields only; it forces past the helm chart that
 * manages them. Deleting the component takes the patch back: the fields it holds are removed and Gloo falls
 * back to its defaults. Separate from `PlatformGateway` because Settings are per Gloo installation, while a
 * platform may run several gateways.
 */
export class GlooSettingsPatch extends pulumi.ComponentResource {
  /** Name of the patched Settings object. */
  readonly name: string;
  /** Namespace of the patched Settings object. */
  readonly namespace: string;

  constructor(name: string, args: GlooSettingsPatchArgs, opts?: pulumi.ComponentResourceOptions) {
    const object = buildGlooSettingsPatch(args, `GlooSettingsPatch ${name}`); // refuse bad arguments first
    super(GLOO_SETTINGS_PATCH_TYPE, name, {}, opts);
    const created = registerGlooSettingsPatch(name, object, this);
    this.name = created.object.metadata.name;
    this.namespace = created.object.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
