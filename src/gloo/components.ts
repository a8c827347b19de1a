import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describeSplit } from "../release/plan";
import type { UpstreamGroupRef, UpstreamRef } from "./refs";
import type { GlooObject, GlooUpstream, GlooUpstreamGroup } from "./types";
import { buildUpstream, type UpstreamArgs } from "./upstream";
import { buildUpstreamGroup, type UpstreamGroupArgs } from "./upstream-group";
import {
  buildVirtualService,
  type RoutedRelease,
  type VirtualServiceArgs,
  type VirtualServiceObjects,
} from "./virtual-service";

/** Type token of the `Upstream` component. */
export const UPSTREAM_TYPE = "pulumi-canary:index:Upstream";
/** Type token of the `UpstreamGroup` component. */
export const UPSTREAM_GROUP_TYPE = "pulumi-canary:index:UpstreamGroup";
/** Type token of the `VirtualService` component. */
export const VIRTUAL_SERVICE_TYPE = "pulumi-canary:index:VirtualService";

/**
 * Registers one Gloo object as a Kubernetes custom resource under `parent`, with its explicit name and namespace.
 */
export function registerGlooObject(
  name: string,
  object: GlooObject,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
    { ...opts, parent },
  );
}

/** `opts` with `extra` added to its `dependsOn`. */
export function withDependencies(
  opts: pulumi.CustomResourceOptions | undefined,
  extra: readonly pulumi.Resource[],
): pulumi.CustomResourceOptions {
  if (extra.length === 0) return { ...opts };
  const given = opts?.dependsOn;
  let dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  if (given === undefined) {
    dependsOn = [...extra];
  } else if (Array.isArray(given)) {
    dependsOn = [...(given as pulumi.Input<pulumi.Resource>[]), ...extra];
  } else if (pulumi.Resource.isInstance(given)) {
    dependsOn = [given, ...extra];
  } else {
    dependsOn = pulumi
      .output(given as pulumi.Input<pulumi.Input<pulumi.Resource>[] | pulumi.Resource>)
      .apply((g) => [...(Array.isArray(g) ? g : [g]), ...extra] as pulumi.Resource[]);
  }
  return { ...opts, dependsOn };
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
): { routing: k8s.apiextensions.CustomResource; upstreamGroups: k8s.apiextensions.CustomResource[] } {
  const groupNames = groups.map((g) => g.metadata.name);
  const clash = new Set(groupNames).size !== groupNames.length;
  const upstreamGroups = groups.map((group) =>
    registerGlooObject(
      clash ? `${name}-${group.metadata.namespace}-${group.metadata.name}` : `${name}-${group.metadata.name}`,
      group,
      parent,
      opts,
    ),
  );
  return {
    routing: registerGlooObject(name, routing, parent, withDependencies(opts, upstreamGroups)),
    upstreamGroups,
  };
}

/** What `createUpstream` registers. */
export interface UpstreamResources {
  /** The Upstream object as built. */
  object: GlooUpstream;
  /** Its name and namespace. */
  ref: UpstreamRef;
  /** The registered custom resource. */
  upstream: k8s.apiextensions.CustomResource;
}

/**
 * Validates `args`, then registers the Upstream custom resource under `parent` with Pulumi name `name`.
 * Throws `ValidationError` before registering anything.
 */
export function createUpstream(
  name: string,
  args: UpstreamArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): UpstreamResources {
  return registerUpstream(name, buildUpstream(args, `Upstream ${name}`), parent, opts);
}

/** Registers a built Upstream under `parent` with Pulumi name `name`. */
export function registerUpstream(
  name: string,
  object: GlooUpstream,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): UpstreamResources {
  const upstream = registerGlooObject(name, object, parent, opts);
  return { object, ref: { name: object.metadata.name, namespace: object.metadata.namespace }, upstream };
}

/**
 * A Gloo Upstream for one version of a Kubernetes Service: `spec.kube` with the Service's name, namespace and
 * port and a pod selector for that version (`{ app: <service>, version: <version> }` by default). Named
 * `<service>-<version>` in the Service's namespace. The component is itself an `UpstreamRef`: pass it in a
 * VirtualService's or UpstreamGroup's `upstreams`, and as a route destination.
 */
export class Upstream extends pulumi.ComponentResource implements UpstreamRef {
  /** Name of the Upstream object. */
  readonly name: string;
  /** Namespace of the Upstream object. */
  readonly namespace: string;

  constructor(name: string, args: UpstreamArgs, opts?: pulumi.ComponentResourceOptions) {
    const object = buildUpstream(args, `Upstream ${name}`); // refuse bad arguments before anything is registered
    super(UPSTREAM_TYPE, name, {}, opts);
    const created = registerUpstream(name, object, this);
    this.name = created.ref.name;
    this.namespace = created.ref.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}

/** What `createUpstreamGroup` registers. */
export interface UpstreamGroupResources {
  /** The UpstreamGroup object as built. */
  object: GlooUpstreamGroup;
  /** Its name and namespace. */
  ref: UpstreamGroupRef;
  /** The registered custom resource. */
  upstreamGroup: k8s.apiextensions.CustomResource;
}

/**
 * Validates `args`, then registers the UpstreamGroup custom resource under `parent` with Pulumi name `name`,
 * after the Upstream components named in `args`. Throws `ValidationError` before registering anything.
 */
export function createUpstreamGroup(
  name: string,
  args: UpstreamGroupArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): UpstreamGroupResources {
  return registerUpstreamGroup(name, buildUpstreamGroup(args, `UpstreamGroup ${name}`), args, parent, opts);
}

/** Registers a built UpstreamGroup under `parent` with Pulumi name `name`, after the components `args` names. */
export function registerUpstreamGroup(
  name: string,
  object: GlooUpstreamGroup,
  args: UpstreamGroupArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): UpstreamGroupResources {
  const deps = resourcesAmong([...(args.upstreams ?? []), ...(args.externalUpstreams ?? [])]);
  const upstreamGroup = registerGlooObject(name, object, parent, withDependencies(opts, deps));
  return { object, ref: { name: object.metadata.name, namespace: object.metadata.namespace }, upstreamGroup };
}

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

  constructor(name: string, args: UpstreamGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    const object = buildUpstreamGroup(args, `UpstreamGroup ${name}`); // refuse bad arguments first
    super(UPSTREAM_GROUP_TYPE, name, {}, opts);
    const created = registerUpstreamGroup(name, object, args, this);
    this.name = created.ref.name;
    this.namespace = created.ref.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}

/** What `createVirtualService` registers. */
export interface VirtualServiceResources {
  /** The objects as built, with the release plans of the routes. */
  objects: VirtualServiceObjects;
  /** The VirtualService custom resource. */
  virtualService: k8s.apiextensions.CustomResource;
  /** The UpstreamGroup custom resources of routes with `useUpstreamGroup`, in route order. */
  upstreamGroups: k8s.apiextensions.CustomResource[];
}

/**
 * Validates `args`, then registers under `parent`: the UpstreamGroups of routes with `useUpstreamGroup` (Pulumi
 * names `<name>-<group>`), then the VirtualService (Pulumi name `name`) after them. All of them come after the
 * Upstream and UpstreamGroup components named in `args`. Throws `ValidationError` before registering anything.
 */
export function createVirtualService(
  name: string,
  args: VirtualServiceArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): VirtualServiceResources {
  return registerVirtualService(
    name,
    buildVirtualService(args, `VirtualService ${name}`),
    args,
    parent,
    opts,
  );
}

/** Registers built VirtualService objects under `parent` (see `createVirtualService`). */
export function registerVirtualService(
  name: string,
  objects: VirtualServiceObjects,
  args: VirtualServiceArgs,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): VirtualServiceResources {
  const deps = routeDependencies(args);
  const { routing: virtualService, upstreamGroups } = registerRouting(
    name,
    objects.virtualService,
    objects.upstreamGroups,
    parent,
    withDependencies(opts, deps),
  );
  return { objects, virtualService, upstreamGroups };
}

/**
 * A Gloo VirtualService: domains and ordered routes to declared Upstreams, weighted splits, UpstreamGroups and
 * releases (a release route becomes a header canary route, when the release has a header rule, followed by the
 * default route carrying the split). Every destination must be an Upstream the program declares (`upstreams`) or
 * one passed in `externalUpstreams`; anything else is refused before a resource is registered.
 */
export class VirtualService extends pulumi.ComponentResource {
  /** Name of the VirtualService object. */
  readonly name: string;
  /** Namespace of the VirtualService object. */
  readonly namespace: string;
  /** Names (`namespace/name`) of the UpstreamGroups created for routes with `useUpstreamGroup`. */
  readonly upstreamGroups: string[];
  /** The split of each release route, e.g. `{ "routes[1] (/findPetWithId)": "v1 90% / v2 10%" }`. */
  readonly splits: { [route: string]: string };

  constructor(name: string, args: VirtualServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const objects = buildVirtualService(args, `VirtualService ${name}`); // refuse bad arguments first
    super(VIRTUAL_SERVICE_TYPE, name, {}, opts);
    const created = registerVirtualService(name, objects, args, this);
    this.name = created.objects.virtualService.metadata.name;
    this.namespace = created.objects.virtualService.metadata.namespace;
    ({ upstreamGroups: this.upstreamGroups, splits: this.splits } = routingSummary(created.objects));
    this.registerOutputs({
      name: this.name,
      namespace: this.namespace,
      upstreamGroups: this.upstreamGroups,
      splits: this.splits,
    });
  }
}
