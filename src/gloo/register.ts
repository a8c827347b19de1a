import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { withResolvedInputs } from "../arguments";
import { objectClaim, type Claim } from "../claims";
import type { PendingInput } from "../release/pending";
import { describeSplit } from "../release/plan";
import type { UpstreamGroupRef, UpstreamRef } from "./refs";
import type { RoutedRelease } from "./routes";
import type { GlooObject, GlooUpstreamGroup } from "./types";

// How the Gloo components register what they build: custom resources under the component, in dependency order.

/**
 * Registers one Gloo (or Gateway API) object as a Kubernetes custom resource under `parent`, with its explicit name and namespace.
 */
export function registerGlooObject(
  name: string,
  object: GlooObject | { apiVersion: string; kind: string; metadata: object; spec: object },
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
  pending: readonly PendingInput[] = [],
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      ...withResolvedInputs({ metadata: object.metadata, spec: object.spec }, pending),
    },
    { ...opts, parent },
  );
}

/** The Pulumi resources among `refs` (components passed as references), for `dependsOn`. */
export function resourcesAmong(refs: readonly (object | undefined)[]): pulumi.Resource[] {
  return [...new Set(refs.filter((ref): ref is pulumi.Resource => pulumi.Resource.isInstance(ref)))];
}

/**
 * What a VirtualService or RouteTable component reports of its routes: its UpstreamGroups (`namespace/name`) and
 * the split of each release route (`{ "routes[1] (/findPetWithId)": "v1 90% / v2 10%" }`).
 */
export function routingSummary(objects: {
  upstreamGroups: readonly GlooUpstreamGroup[];
  releases: readonly RoutedRelease[];
}): {
  upstreamGroups: string[];
  splits: { [route: string]: string };
} {
  return {
    upstreamGroups: objects.upstreamGroups.map((g) => `${g.metadata.namespace}/${g.metadata.name}`),
    splits: Object.fromEntries(objects.releases.map((r) => [r.route, describeSplit(r.plan.destinations)])),
  };
}

/** The components a set of routes names (Upstreams, external ones, UpstreamGroups), for `dependsOn`. */
export function routeDependencies(args: {
  upstreams?: readonly UpstreamRef[];
  externalUpstreams?: readonly UpstreamRef[];
  routes: readonly { upstreamGroup?: UpstreamGroupRef }[];
}): pulumi.Resource[] {
  return resourcesAmong([
    ...(args.upstreams ?? []),
    ...(args.externalUpstreams ?? []),
    ...args.routes.map((route) => route.upstreamGroup),
  ]);
}

/**
 * Registers the UpstreamGroups a routing object uses (Pulumi names `<name>-<group>`, with the namespace too when two
 * groups share a name), then the routing object itself (a VirtualService or RouteTable, Pulumi name `name`) after
 * them. Everything waits for `opts.dependsOn`.
 */
export function registerRouting(
  name: string,
  routing: GlooObject,
  groups: readonly GlooUpstreamGroup[],
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
  pending: readonly PendingInput[] = [],
): { routing: k8s.apiextensions.CustomResource; upstreamGroups: k8s.apiextensions.CustomResource[] } {
  const groupNames = groups.map((g) => g.metadata.name);
  const clash = new Set(groupNames).size !== groupNames.length;
  const upstreamGroups = groups.map((group) =>
    registerGlooObject(
      clash ? `${name}-${group.metadata.namespace}-${group.metadata.name}` : `${name}-${group.metadata.name}`,
      group,
      parent,
      opts,
      pending,
    ),
  );
  return {
    routing: registerGlooObject(
      name,
      routing,
      parent,
      pulumi.mergeOptions(opts, { dependsOn: upstreamGroups }),
      pending,
    ),
    upstreamGroups,
  };
}

/**
 * The objects a routing object's component writes (see `claimObjects`): the VirtualService or RouteTable, and the
 * UpstreamGroups its release routes carry.
 *
 * @param field - the argument that names the routing object, e.g. `name` or `gloo.virtualServiceName`.
 * @param fix - how to give it another name, e.g. `another name or namespace`.
 */
export function routingClaims(
  routing: GlooObject,
  groups: readonly GlooUpstreamGroup[],
  field: string,
  fix: string,
  groupField = "routes",
): Claim[] {
  return [
    objectClaim(field, routing.kind, routing.metadata, fix),
    ...groups.map((g) =>
      objectClaim(
        groupField,
        "UpstreamGroup",
        g.metadata,
        "one route with useUpstreamGroup per service and namespace",
      ),
    ),
  ];
}
