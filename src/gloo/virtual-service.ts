import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Checks, ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { UpstreamCatalog, requireObjectName, type UpstreamRef } from "./refs";
import { registerRouting, routeDependencies, routingClaims, routingSummary } from "./register";
import { buildRoutes, type PlannedReleases, type RouteArgs, type RoutedRelease } from "./routes";
import {
  GATEWAY_API_VERSION,
  type GlooObjectMeta,
  type GlooRoute,
  type GlooUpstreamGroup,
  type GlooVirtualService,
} from "./types";
import { requireLabels } from "./upstream";
import { checkArguments } from "../arguments";
import { claimObjects, domainClaims } from "../claims";

/** Type token of the `VirtualService` component. */
export const VIRTUAL_SERVICE_TYPE = "pulumi-canary:index:VirtualService";

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

/** What `buildVirtualService` builds. */
export interface VirtualServiceObjects {
  /** The VirtualService. */
  virtualService: GlooVirtualService;
  /** UpstreamGroups carrying release splits (routes with `useUpstreamGroup`), one per name and namespace. */
  upstreamGroups: GlooUpstreamGroup[];
  /** The releases the routes carry, in route order. */
  releases: RoutedRelease[];
}

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

/** A VirtualService object: one virtual host with these domains and routes. */
export function virtualServiceObject(
  metadata: GlooObjectMeta,
  domains: readonly string[],
  routes: GlooRoute[],
  displayName?: string,
): GlooVirtualService {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "VirtualService",
    metadata,
    spec: {
      ...(displayName !== undefined ? { displayName } : {}),
      virtualHost: { domains: [...domains], routes },
    },
  };
}

/**
 * Validates VirtualService arguments and builds the VirtualService and the UpstreamGroups its release routes use.
 * Pure: every check happens here, so nothing is registered when anything is wrong. Throws `ValidationError`
 * naming the field (with the route), the value and what is accepted.
 *
 * @param scope - prefixes error messages, e.g. `VirtualService coalmine`.
 */
export function buildVirtualService(args: VirtualServiceArgs, scope?: string): VirtualServiceObjects {
  return virtualServiceObjects(args, scope);
}

/**
 * `buildVirtualService` for a composite that has already planned the releases of some routes (see `buildRoutes`).
 */
export function virtualServiceObjects(
  args: VirtualServiceArgs,
  scope?: string,
  plans?: PlannedReleases,
): VirtualServiceObjects {
  // Independent fields and every route are all checked, so one call reports every problem.
  const checks = new Checks();
  const catalog = checks.check(() => new UpstreamCatalog(args.upstreams, args.externalUpstreams, scope));
  const namespace = checks.check(() =>
    requireDnsLabel("namespace", args.namespace ?? DEFAULT_GATEWAY_NAMESPACE, scope),
  );
  const labels = checks.check(() =>
    args.labels === undefined ? undefined : requireLabels("labels", args.labels, scope),
  );
  const domains = checks.check(() =>
    requireVirtualHost(args.domains, args.displayName, "petstore.example.com", scope),
  );
  const built = catalog && checks.check(() => buildRoutes(args.routes, catalog, labels, scope, plans));
  const named = checks.check(() =>
    args.name === undefined ? undefined : requireObjectName("name", args.name, scope),
  );
  checks.done();
  const { routes, upstreamGroups, releases } = built!;

  let name: string;
  if (named !== undefined) {
    name = named;
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
    virtualService: virtualServiceObject(
      { name, namespace: namespace!, ...(labels ? { labels } : {}) },
      domains!,
      routes,
      args.displayName,
    ),
    upstreamGroups,
    releases,
  };
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
  /**
   * The VirtualService custom resource (Pulumi name `name`), e.g. for `dependsOn` or its `metadata`. It is
   * registered after the UpstreamGroups it creates, so a `dependsOn` on it waits for them too.
   */
  readonly virtualService: k8s.apiextensions.CustomResource;

  constructor(name: string, args: VirtualServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and objects another component writes, before anything is registered.
    const objects = checkArguments(() => {
      const built = buildVirtualService(args, `VirtualService ${name}`);
      const vs = built.virtualService;
      claimObjects(
        `VirtualService ${name}`,
        [
          ...routingClaims(vs, built.upstreamGroups, "name", "another name or namespace"),
          ...domainClaims("domains", vs.spec.virtualHost.domains, "give each VirtualService its own domains"),
        ],
        opts,
      );
      return built;
    });
    super(VIRTUAL_SERVICE_TYPE, name, {}, opts);
    this.virtualService = registerRouting(name, objects.virtualService, objects.upstreamGroups, this, {
      dependsOn: routeDependencies(args),
    }).routing;
    this.name = objects.virtualService.metadata.name;
    this.namespace = objects.virtualService.metadata.namespace;
    ({ upstreamGroups: this.upstreamGroups, splits: this.splits } = routingSummary(objects));
    this.registerOutputs({
      name: this.name,
      namespace: this.namespace,
      upstreamGroups: this.upstreamGroups,
      splits: this.splits,
    });
  }
}
