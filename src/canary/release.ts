import * as pulumi from "@pulumi/pulumi";
import type * as consul from "@pulumi/consul";
import * as k8s from "@pulumi/kubernetes";
import { withResolvedInputs } from "../arguments";
import {
  buildHttpRoute,
  buildVersionServices,
  hostnameMatches,
  K8S_GATEWAY_API_GROUP,
  type GatewayHttpRoute,
  type GatewayParentRef,
  type GatewayRouteOptions,
  type HttpRouteParentRef,
  type VersionServiceObject,
} from "../gateway-api/httproute";
import { TeamRouting, teamParentRouteName, teamRoutingProblem } from "../gateway-api/gateway";
import { gatewayPathProblem, requireGatewayPath, requireGatewayPathWithin } from "../gateway-api/validate";
import {
  buildConsulEntries,
  registerConsulDefaults,
  registerConsulResolver,
  registerConsulRouting,
  type ConsulEntries,
  type ConsulProtocol,
} from "../consul";
import {
  buildUpstream,
  registerGlooObject,
  registerRouting,
  routingClaims,
  requirePathPrefix,
  teamRouteTableObjects,
  virtualServiceObjects,
  type GlooRouteOptions,
  type GlooRouteTable,
  type GlooUpstream,
  type GlooUpstreamGroup,
  type GlooVirtualService,
  type RouteArgs,
} from "../gloo";
import {
  planVersionedService,
  registerVersionedService,
  requireEnv,
  requireEnvSources,
  type ContainerResources,
} from "../kubernetes";
import type { PodSettings, VersionedServicePlan } from "../kubernetes/workloads";
import {
  Checks,
  ValidationError,
  describeProblem,
  planRelease,
  type HeaderRule,
  type ReleasePlan,
  type VersionWeight,
} from "../release";
import { checkArguments } from "../arguments";
import {
  claimObjects,
  consulClaims,
  domainClaims,
  objectClaim,
  withPending,
  workloadClaims,
  type Claim,
} from "../claims";
import { requireDnsLabel, requireNonEmpty } from "../release/names";
import { requireInteger } from "../release/validate";
import { PendingInputs, type PendingInput } from "../release/pending";
import {
  checkPromotion,
  consulRetirement,
  nextReleaseState,
  type PromotionPolicy,
  type ReleaseState,
} from "../release/promotion";
import { subsetFilter } from "../consul/entries";

/** Type token of {@link CanaryRelease}. */
export const CANARY_RELEASE_TYPE = "pulumi-canary:index:CanaryRelease";

/** How a release is routed at the edge through Gloo Edge. */
export interface CanaryGlooArgs {
  /** Path prefix routed to the service, e.g. `/payments`. Defaults to `/`. */
  prefix?: string;
  /** Route options of the service's routes: `prefixRewrite`, `timeout`, `retries`, ... Defaults to none. */
  options?: GlooRouteOptions;
  /**
   * Carry the split in an UpstreamGroup named after the service instead of in the route: a weight change then
   * updates only the UpstreamGroup. Defaults to false.
   */
  useUpstreamGroup?: boolean;
  /**
   * While the canary takes no live traffic (weight 0), mirror this percentage (0..100) of the service's requests
   * to it; the copies' responses are dropped. Defaults to no mirroring.
   */
  shadowPercentage?: number;
  /** Name of the VirtualService object. Defaults to the service name. */
  virtualServiceName?: string;
  /**
   * Namespace of the VirtualService object, one Gloo watches (e.g. the namespace of a Helm release of Gloo).
   * Defaults to `gloo-system`.
   */
  virtualServiceNamespace?: pulumi.Input<string>;
  /**
   * Host names served. Defaults to `["*"]`, which only one VirtualService of a gateway may claim: give every
   * release of a program its own domains, or route through a `PlatformGateway` with `routeTable`.
   */
  domains?: pulumi.Input<string>[];
  /**
   * Route through a team RouteTable that a platform gateway (`PlatformGateway`) delegates to, instead of an own
   * VirtualService. Defaults to none (an own VirtualService).
   */
  routeTable?: CanaryRouteTableArgs;
}

/** A release routed through its team's delegated RouteTable. */
export interface CanaryRouteTableArgs {
  /** Team name (a DNS label): the team the platform delegated the prefix to. */
  team: string;
  /** The prefix the platform delegated to the team; `gloo.prefix` must lie within it. Defaults to `gloo.prefix`. */
  delegatedPrefix?: string;
  /**
   * Namespace of the RouteTable, the one the platform's delegation selects (e.g. a Namespace resource's
   * `metadata.name`). Defaults to the release's namespace.
   */
  namespace?: pulumi.Input<string>;
  /** Name of the RouteTable object. Defaults to the service name. */
  name?: string;
  /** Order among the tables one delegating route selects (int32, ascending). Defaults to none. */
  weight?: number;
  /** Labels on the RouteTable. Defaults to `{ "pulumi-canary/team": <team> }`, what the gateway selects. */
  labels?: { [key: string]: string };
}

/** How a release is routed through a Kubernetes Gateway API implementation (kgateway, Envoy Gateway, Istio, ...). */
export interface CanaryGatewayApiArgs {
  /**
   * The platform's Gateway the HTTPRoute attaches to (`parentRefs`). With `team.routing` `Delegation` the route
   * attaches to the team's parent HTTPRoute instead, in this Gateway's namespace.
   */
  gateway: GatewayParentRef;
  /**
   * The hostname of the Gateway listener the route attaches to (`*.example.com`), when known: every host name of
   * `hostnames` must fall under it. Defaults to no check (the listener serves every host).
   */
  listenerHostname?: string;
  /**
   * Host names served. Defaults to every host the listener serves. Not with `team.routing` `Delegation`: the team's
   * parent HTTPRoute holds them.
   */
  hostnames?: string[];
  /** Path prefix routed to the service, e.g. `/petstore`. Defaults to `/` (or the team's prefix). */
  prefix?: string;
  /** Name of the HTTPRoute. Defaults to the service name. */
  routeName?: string;
  /** Filters and timeouts of both rules: prefix rewrite, header modifiers, request and backend timeouts. */
  options?: GatewayRouteOptions;
  /** While the canary takes no live traffic (weight 0), mirror this percentage (0..100) of requests to it. */
  shadowPercentage?: number;
  /** The team owning the route, confined to the prefix the platform gave it (`SharedGateway` `teams`). */
  team?: CanaryGatewayTeamArgs;
}

/** The team a release's HTTPRoute belongs to. */
export interface CanaryGatewayTeamArgs {
  /** Team name (a DNS label), put on the route as label `pulumi-canary/team`. */
  team: string;
  /**
   * The prefix the platform gave the team: the route's prefix must lie within it (whole path elements: `/foxtrot/api`
   * lies within `/foxtrot`, `/foxtrotx` does not).
   */
  prefix: string;
  /**
   * How the platform's `SharedGateway` routes the team (its `teamRouting`): with `Listener` the route attaches to the
   * Gateway (`gateway`); with `Delegation` (kgateway) to the team's parent HTTPRoute in the Gateway's namespace,
   * without host names (the parent holds them). Defaults to `Listener`.
   */
  routing?: TeamRouting;
  /**
   * Name of the team's parent HTTPRoute, with `routing` `Delegation` (the `SharedGateway`'s `parentRoutes` output).
   * Defaults to `<gateway.name>-<team>`, the `SharedGateway`'s default. Not with `Listener`.
   */
  parentRoute?: string;
}

/** How a release is split inside the Consul service mesh. */
export interface CanaryConsulArgs {
  /** The service's protocol; splitting and header routing need `http`, `http2` or `grpc`. Defaults to `http`. */
  protocol?: ConsulProtocol;
  /** Resolver connect timeout, a Go duration. Defaults to `5s`. */
  connectTimeout?: string;
  /** Resolver request timeout, a Go duration. Defaults to `15s`. */
  requestTimeout?: string;
  /** Consul upstreams of the pods (`service:port`, e.g. `currency:9091`). Defaults to none. */
  upstreams?: string[];
}

/**
 * Arguments of {@link CanaryRelease}. The release fields match what `readReleaseConfig()` returns; the pod settings
 * are `VersionedService`'s.
 */
export interface CanaryReleaseArgs extends PodSettings {
  /** Service name (a DNS label starting with a letter): Deployments, Service, Upstreams and Consul entries are named after it. */
  service: string;
  /**
   * Namespace of the workloads and Upstreams, e.g. a Namespace resource's `metadata.name`. Defaults to `default`.
   */
  namespace?: pulumi.Input<string>;
  /** The version that takes the traffic the canary does not. */
  stableVersion: string;
  /** The version being released. Defaults to none (stable only). */
  canaryVersion?: string;
  /** Percent of traffic for the canary, a whole number 0..100. Defaults to 0. */
  canaryWeight?: number;
  /** Requests with this header go to the canary whatever the weight (phase 1 testing). Defaults to none. */
  header?: HeaderRule;
  /** Further versions with fixed weights, for N-way splits. Defaults to none. */
  extraVersions?: VersionWeight[];
  /**
   * Container image of each running version, by version (e.g. a build resource's image digest). Every running
   * version needs one.
   */
  images: { [version: string]: pulumi.Input<string> };
  /** Pods per version; every version keeps its full size while traffic moves, so a rollback is instant. Defaults to 1. */
  replicas?: number;
  /**
   * Where the release's keys live in stack config, e.g. `releases.payments` (what `readReleaseConfigs` sets):
   * errors then name the keys as written there. Defaults to top-level keys.
   */
  configPath?: string;
  /** Container and Service port. Defaults to 8080. */
  port?: number;
  /**
   * Environment variables of every version's container, by name (a value may be a secret or another output).
   * Defaults to none.
   */
  env?: { [name: string]: pulumi.Input<string> };
  /** CPU / memory requests and limits of every version's container. Defaults to none. */
  resources?: ContainerResources;
  /**
   * Pods of the canary version, e.g. 1 while it takes 0-10 % of 6 stable pods' traffic. Defaults to `replicas`.
   * Raise it before a large weight step: a canary is not scaled with its weight.
   */
  canaryReplicas?: number;
  /** Requests and limits of particular versions, by version, instead of `resources`. Defaults to none. */
  versionResources?: { [version: string]: ContainerResources };
  /**
   * What the stack deployed for this release last (from `readPreviousReleases()`): the update is judged against
   * it (`policy`), and a version that still took traffic keeps its Consul resolver subset for this update. Defaults
   * to none (a first deployment: nothing refused, nothing kept).
   */
  previous?: ReleaseState;
  /** The stack's promotion policy (what `readReleaseConfig()` reads as `policy`). Defaults to none. */
  policy?: PromotionPolicy;
  /** Route the release at the edge through Gloo Edge (own VirtualService). Defaults to no Gloo objects. */
  gloo?: CanaryGlooArgs;
  /**
   * Route the release through the Kubernetes Gateway API: an HTTPRoute and a Service per version. Alone, beside
   * `gloo` (a migration: both at the same weights) or beside `consul`. Defaults to no Gateway API objects.
   */
  gatewayApi?: CanaryGatewayApiArgs;
  /** Split the release inside the Consul service mesh. Defaults to no Consul entries (and no sidecar injection). */
  consul?: CanaryConsulArgs;
}

/** Where a release stands: what `CanaryRelease` exports. */
export interface ReleaseStatus {
  /** The phase: stable, standby, header-testing, weighted or shifted. */
  phase: string;
  /** Percent of traffic per version, per traffic layer (`gloo`, `consul`); a layer not driven is absent. */
  weights: { [layer: string]: { [version: string]: number } };
  /** The versions running (one Deployment each). */
  versions: string[];
  /** The header rule routing to the canary, e.g. `stage=canary -> v2`; empty when there is none. */
  headerRoute: string;
  /** What this update deploys, the step before and the promotion trail: export it as `canaryReleases.<name>`. */
  state: ReleaseState;
}

/** Everything a release registers, built and validated before anything is registered. */
export interface CanaryReleasePlan {
  /** The release's routing model: phase, versions, weights, header route. */
  release: ReleasePlan;
  /** The Deployments and the Service. */
  workloads: VersionedServicePlan;
  /** The Gloo Upstream of each running version, in the order of `release.versions` (empty without Gloo). */
  upstreams: GlooUpstream[];
  /** The routing object (a VirtualService, or a team RouteTable) and the UpstreamGroups it references. */
  gloo?: { routing: GlooVirtualService | GlooRouteTable; upstreamGroups: GlooUpstreamGroup[] };
  /** The Consul config entries; absent without Consul. */
  consul?: ConsulEntries;
  /** The HTTPRoute and the Service of each running version; absent without the Gateway API. */
  gatewayApi?: { route: GatewayHttpRoute; services: VersionServiceObject[] };
  /** What the `CanaryRelease` component exports. */
  status: ReleaseStatus;
  /** Arguments that are outputs of other resources: the objects above hold placeholders until they resolve. */
  pending: PendingInput[];
  /** What this update does beyond the config's face value (subsets kept, overridden rules), for the log. */
  notes: { warning: boolean; message: string }[];
}

/**
 * Validates a release and builds every object it needs, for each traffic layer. Pure: registers nothing.
 * Throws `ValidationError` (prefixed with `name`) naming the field, the value and what is accepted.
 */
export function planCanaryRelease(name: string, args: CanaryReleaseArgs): CanaryReleasePlan {
  const scope = `CanaryRelease ${name}`;
  const configPrefix = args.configPath ? `${args.configPath}.` : "";
  const release = planRelease(
    {
      service: args.service,
      stableVersion: args.stableVersion,
      canaryVersion: args.canaryVersion,
      canaryWeight: args.canaryWeight,
      header: args.header,
      extraVersions: args.extraVersions,
    },
    scope,
    configPrefix,
  );
  // The update judged against what the stack deployed last.
  const broken = checkPromotion(release, args.previous, args.policy, configPrefix, scope);
  if (broken.length > 0 && !args.policy?.force) throw ValidationError.of(broken);
  const notes: CanaryReleasePlan["notes"] = broken.map((p) => ({
    warning: true,
    message: `canaryForce: let through: ${describeProblem(p)}`,
  }));
  if (args.policy?.force && broken.length === 0 && args.previous !== undefined) {
    notes.push({
      warning: true,
      message: "canaryForce is set but this update breaks no rule: remove it (pulumi config rm canaryForce)",
    });
  }
  const policySet = args.policy?.maxStep !== undefined || args.policy?.requireHeaderTesting === true;
  if (policySet && args.previous === undefined) {
    notes.push({
      warning: false,
      message:
        "no previous deployment of this release is known (a first deployment, or a program that does not pass " +
        "`previous` from readPreviousReleases() and export `canaryReleases`): the promotion policy " +
        `(${[args.policy?.maxStep !== undefined ? `maxStep ${args.policy.maxStep}` : "", args.policy?.requireHeaderTesting ? "requireHeaderTesting" : ""].filter((t) => t !== "").join(", ")}) judges nothing in this update`,
    });
  }
  // Values that are outputs of other resources are checked when they resolve; the plan holds placeholders.
  const pending = new PendingInputs();
  const namespace = pending.string("namespace", args.namespace ?? "default", (v) =>
    requireDnsLabel("namespace", v, scope),
  );
  const port = args.port ?? 8080;
  if (args.canaryReplicas !== undefined)
    requireInteger("canaryReplicas", args.canaryReplicas, 0, 1000, scope);

  const images: { [version: string]: string } = {};
  for (const version of release.versions) {
    images[version] = pending.string(`${configPrefix}images.${version}`, args.images?.[version], (v) => {
      if (typeof v !== "string" || v === "" || /\s/.test(v)) {
        throw new ValidationError(
          `${configPrefix}images.${version}`,
          v,
          `a container image for every running version (${release.versions.join(", ")}), e.g. set with \`pulumi config set --path '${configPrefix}images.${version}' registry/app:tag\``,
          scope,
        );
      }
      return v;
    });
  }
  const domains = args.gloo?.domains?.map((domain, i) =>
    pending.string(`gloo.domains[${i}]`, domain, (v) =>
      requireNonEmpty(`gloo.domains[${i}]`, v, 'a host name, e.g. "petstore.example.com", or "*"', scope),
    ),
  );
  const envValueFrom = requireEnvSources("envValueFrom", args.envValueFrom, scope);
  const env = requireEnv("env", args.env, envValueFrom, scope);
  const workloads = planVersionedService(
    {
      service: release.service,
      namespace,
      port,
      upstreams: args.consul?.upstreams,
      consulInject: args.consul !== undefined,
      podLabels: pendingValues(pending, "podLabels", args.podLabels, "a label value"),
      podAnnotations: pendingValues(pending, "podAnnotations", args.podAnnotations, "an annotation value"),
      serviceAccountName: args.serviceAccountName,
      envValueFrom,
      livenessProbe: args.livenessProbe,
      readinessProbe: args.readinessProbe,
      securityContext: args.securityContext,
      podSecurityContext: args.podSecurityContext,
      versions: release.versions.map((version) => ({
        version,
        image: images[version],
        replicas:
          version === release.canaryVersion && args.canaryReplicas !== undefined
            ? args.canaryReplicas
            : args.replicas,
        env,
        resources: args.versionResources?.[version] ?? args.resources,
      })),
    },
    scope,
  );

  let upstreams: GlooUpstream[] = [];
  let gloo: CanaryReleasePlan["gloo"];
  if (args.gloo) {
    const g = args.gloo;
    const prefix = requirePathPrefix("gloo.prefix", g.prefix ?? "/", scope);
    upstreams = release.versions.map((version) =>
      buildUpstream({ service: release.service, version, port, namespace }, scope),
    );
    const shadow = g.shadowPercentage;
    if (shadow !== undefined && (typeof shadow !== "number" || !(shadow >= 0 && shadow <= 100))) {
      throw new ValidationError("gloo.shadowPercentage", shadow, "a percentage from 0 to 100", scope);
    }
    const options: GlooRouteOptions = { ...(g.options ?? {}) };
    if (
      shadow !== undefined &&
      shadow > 0 &&
      release.canaryVersion !== undefined &&
      release.canaryWeight === 0
    ) {
      options.shadowing = {
        upstream: { name: `${release.service}-${release.canaryVersion}`, namespace },
        percentage: shadow,
      };
    }
    const route: RouteArgs = {
      prefix,
      release: {
        service: release.service,
        stableVersion: release.stableVersion,
        canaryVersion: release.canaryVersion,
        canaryWeight: release.canaryWeight,
        header: args.header,
        extraVersions: args.extraVersions,
      },
      useUpstreamGroup: g.useUpstreamGroup,
      releaseNamespace: namespace,
      options: Object.keys(options).length > 0 ? options : undefined,
    };
    const refs = upstreams.map((u) => ({ name: u.metadata.name, namespace: u.metadata.namespace }));
    // The route carries the release planned above: it is validated once, not again by the route builder.
    const planned = new Map([[route, release]]);
    if (g.routeTable) {
      const rt = g.routeTable;
      const built = teamRouteTableObjects(
        {
          team: rt.team,
          prefix: rt.delegatedPrefix ?? prefix,
          namespace:
            rt.namespace === undefined
              ? namespace
              : pending.string("gloo.routeTable.namespace", rt.namespace, (v) =>
                  requireDnsLabel("gloo.routeTable.namespace", v, scope),
                ),
          name: rt.name ?? release.service,
          weight: rt.weight,
          labels: rt.labels,
          upstreams: refs,
          routes: [route],
        },
        `${scope}: gloo.routeTable`,
        planned,
      );
      gloo = { routing: built.routeTable, upstreamGroups: built.upstreamGroups };
    } else {
      const built = virtualServiceObjects(
        {
          name: g.virtualServiceName ?? release.service,
          namespace:
            g.virtualServiceNamespace === undefined
              ? undefined
              : pending.string("gloo.virtualServiceNamespace", g.virtualServiceNamespace, (v) =>
                  requireDnsLabel("gloo.virtualServiceNamespace", v, scope),
                ),
          domains,
          upstreams: refs,
          routes: [route],
        },
        `${scope}: gloo`,
        planned,
      );
      gloo = { routing: built.virtualService, upstreamGroups: built.upstreamGroups };
    }
  }

  let gatewayApi: CanaryReleasePlan["gatewayApi"];
  if (args.gatewayApi) {
    gatewayApi = planGatewayApi(release, args.gatewayApi, namespace, port, scope);
  }

  const retirement = args.consul ? consulRetirement(release, args.previous) : { keptSubsets: [], notes: [] };
  notes.push(...retirement.notes.map((message) => ({ warning: false, message })));
  const consul = args.consul
    ? buildConsulEntries(
        release,
        {
          protocol: args.consul.protocol,
          connectTimeout: args.consul.connectTimeout,
          requestTimeout: args.consul.requestTimeout,
        },
        `${scope}: consul`,
      )
    : undefined;
  if (consul) {
    const onlyPassing = consul.resolver.subsets[0]?.onlyPassing ?? true;
    for (const version of retirement.keptSubsets)
      consul.resolver.subsets.push({ name: version, filter: subsetFilter(version), onlyPassing });
  }

  const split = Object.fromEntries(release.destinations.map((d) => [d.version, d.weight]));
  const weights: ReleaseStatus["weights"] = {};
  if (gloo) weights.gloo = split;
  if (consul?.splitter) weights.consul = split;
  if (gatewayApi) weights.gatewayApi = split;
  const header = release.headerRoute;
  return {
    release,
    workloads,
    upstreams,
    gloo,
    consul,
    gatewayApi,
    pending: pending.list,
    notes,
    status: {
      phase: release.phase,
      weights,
      versions: release.versions,
      headerRoute: header ? `${header.header.name}=${header.header.value} -> ${header.version}` : "",
      state: nextReleaseState(release, args.previous, {
        keptSubsets: retirement.keptSubsets,
        forced: args.policy?.force ? broken : [],
      }),
    },
  };
}

/**
 * One service's progressive release, driven by a single number: the canary weight.
 *
 * It registers, as its direct children: a Deployment per running version and one Service spanning them; for
 * Gloo Edge, an Upstream per version and a VirtualService (or a team RouteTable a platform gateway delegates to)
 * whose routes carry the header canary route and the weighted split (or an UpstreamGroup that carries it); for
 * Consul, service-defaults, a service-resolver with a
 * subset per version, a service-splitter with the weights and a service-router for the header rule.
 *
 * Order on apply: Consul defaults and resolver, then the Deployments (so new pods are never load-balanced by
 * accident), then the Upstreams, then the routes and splits. Versions that leave the release are deleted at the
 * end of the update, after the routes and splits moved off them. Everything is validated before anything is
 * registered.
 */
export class CanaryRelease extends pulumi.ComponentResource {
  /** The phase: `stable`, `standby`, `header-testing`, `weighted` or `shifted`. */
  public readonly phase: pulumi.Output<string>;
  /** Percent of traffic per version, per traffic layer, e.g. `{ gloo: { v1: 90, v2: 10 }, consul: {...} }`. */
  public readonly weights: pulumi.Output<{ [layer: string]: { [version: string]: number } }>;
  /** The versions running. */
  public readonly versions: pulumi.Output<string[]>;
  /** The header rule routing to the canary (`stage=canary -> v2`), or empty. */
  public readonly headerRoute: pulumi.Output<string>;
  /** Name of the Kubernetes Service spanning every version. */
  public readonly serviceName: pulumi.Output<string>;
  /** Namespace of the workloads (resolved, when it was given as an output). */
  public readonly namespace: pulumi.Output<string>;
  /**
   * What this update deploys, the step before and the promotion trail. Export it under the stack output
   * `canaryReleases`, keyed by release name, so the next update reads it back (`readPreviousReleases`).
   */
  public readonly state: pulumi.Output<ReleaseState>;

  /** The Deployment of each running version, by version: attach a PodDisruptionBudget or an HPA to these. */
  public readonly deployments: { [version: string]: k8s.apps.v1.Deployment };
  /** The Service spanning every version. */
  public readonly service: k8s.core.v1.Service;
  /** The Gloo Upstream of each running version, by version; empty without Gloo. */
  public readonly upstreams: { [version: string]: k8s.apiextensions.CustomResource };
  /** The release's own VirtualService; absent without Gloo and with `gloo.routeTable`. */
  public readonly virtualService: k8s.apiextensions.CustomResource | undefined;
  /** The team RouteTable the release's routes live in, with `gloo.routeTable`. */
  public readonly routeTable: k8s.apiextensions.CustomResource | undefined;
  /** The UpstreamGroup carrying the split, with `gloo.useUpstreamGroup`. */
  public readonly upstreamGroup: k8s.apiextensions.CustomResource | undefined;
  /** The Consul config entries (defaults, resolver, and the splitter and router when there are any). */
  public readonly consulEntries: ConsulEntryResources | undefined;
  /** The HTTPRoute, with `gatewayApi`. */
  public readonly httpRoute: k8s.apiextensions.CustomResource | undefined;
  /** The Service of each running version (the Gateway API's backends), by version; empty without `gatewayApi`. */
  public readonly versionServices: { [version: string]: k8s.core.v1.Service };

  constructor(name: string, args: CanaryReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate and build everything first: a refused release registers nothing, not even this component.
    const plan = checkArguments(() => {
      const planned = planCanaryRelease(name, args);
      claimObjects(`CanaryRelease ${name}`, canaryReleaseClaims(planned), opts);
      return planned;
    });
    super(CANARY_RELEASE_TYPE, name, {}, opts);
    const children = registerCanaryRelease(name, plan, this);
    this.deployments = children.deployments;
    this.service = children.service;
    this.upstreams = children.upstreams;
    this.virtualService = children.virtualService;
    this.routeTable = children.routeTable;
    this.upstreamGroup = children.upstreamGroup;
    this.consulEntries = children.consulEntries;
    this.httpRoute = children.httpRoute;
    this.versionServices = children.versionServices;
    this.phase = pulumi.output(plan.status.phase);
    this.weights = pulumi.output(plan.status.weights);
    this.versions = pulumi.output(plan.status.versions);
    this.headerRoute = pulumi.output(plan.status.headerRoute);
    // The state resolves only once every child is in place: when an update fails, the stack output the next update
    // reads back (`canaryReleases`) keeps what the last successful update deployed.
    this.state = settledWith(childResources(children), plan.status.state);
    for (const note of plan.notes) {
      if (note.warning) void pulumi.log.warn(note.message, this);
      else void pulumi.log.info(note.message, this);
    }
    this.serviceName = this.service.metadata.name;
    this.namespace = this.service.metadata.namespace;
    this.registerOutputs({
      phase: this.phase,
      weights: this.weights,
      versions: this.versions,
      headerRoute: this.headerRoute,
      state: this.state,
      serviceName: this.serviceName,
      namespace: this.namespace,
    });
  }
}

/** Every resource a release registers. */
function childResources(c: CanaryReleaseChildren): pulumi.CustomResource[] {
  const optional = [c.virtualService, c.routeTable, c.upstreamGroup, c.httpRoute];
  const consulEntries = c.consulEntries
    ? [c.consulEntries.defaults, c.consulEntries.resolver, c.consulEntries.splitter, c.consulEntries.router]
    : [];
  return [
    ...Object.values(c.deployments),
    c.service,
    ...Object.values(c.upstreams),
    ...Object.values(c.versionServices),
    ...[...optional, ...consulEntries].filter((r): r is NonNullable<typeof r> => r !== undefined),
  ];
}

/** `value`, once every resource of `resources` was created or updated (never, when one of them fails). */
function settledWith<T>(resources: pulumi.CustomResource[], value: T): pulumi.Output<T> {
  return pulumi.all(resources.map((r) => r.id)).apply(() => value);
}

/**
 * Checks the Gateway API block of a release and builds its HTTPRoute and version Services, reporting every problem
 * of the block at once.
 */
function planGatewayApi(
  release: ReleasePlan,
  g: CanaryGatewayApiArgs,
  namespace: string,
  port: number,
  scope: string,
): NonNullable<CanaryReleasePlan["gatewayApi"]> {
  const checks = new Checks();
  const prefix = g.prefix ?? g.team?.prefix ?? "/";
  let parentRefs: HttpRouteParentRef[] = [g.gateway];
  if (g.team) {
    const team = g.team;
    checks.check(() => requireDnsLabel("gatewayApi.team.team", team.team, scope));
    const teamPrefix = checks.check(() => requireGatewayPath("gatewayApi.team.prefix", team.prefix, scope));
    // An invalid prefix is reported once, by the route's own checks.
    if (teamPrefix !== undefined && gatewayPathProblem(prefix) === undefined) {
      checks.check(() => requireGatewayPathWithin(team.team, teamPrefix, "gatewayApi.prefix", prefix, scope));
    }
    const routing = team.routing ?? TeamRouting.Listener;
    const routingProblem = teamRoutingProblem(routing, ", as the SharedGateway's teamRouting");
    if (routingProblem !== undefined) {
      checks.fail("gatewayApi.team.routing", routing, routingProblem, scope);
    } else if (routing === TeamRouting.Delegation) {
      // The release's route hangs under the team's parent HTTPRoute, in the Gateway's namespace.
      const gatewayName: unknown = g.gateway?.name;
      if (team.parentRoute === undefined && typeof gatewayName !== "string") {
        checks.fail(
          "gatewayApi.gateway.name",
          gatewayName,
          "the Gateway's name: the team's parent HTTPRoute is named <gateway>-<team> unless gatewayApi.team.parentRoute says otherwise",
          scope,
        );
      }
      parentRefs = [
        {
          group: K8S_GATEWAY_API_GROUP,
          kind: "HTTPRoute",
          name: team.parentRoute ?? teamParentRouteName(String(gatewayName), team.team),
          ...(g.gateway?.namespace !== undefined ? { namespace: g.gateway.namespace } : {}),
          ...(g.gateway?.sectionName !== undefined ? { sectionName: g.gateway.sectionName } : {}),
        },
      ];
    } else if (team.parentRoute !== undefined) {
      checks.fail(
        "gatewayApi.team.parentRoute",
        team.parentRoute,
        "no parent route with team routing Listener (the route attaches to the Gateway); it names the team's parent HTTPRoute, with routing Delegation",
        scope,
      );
    }
  }
  const delegated = parentRefs[0].kind === "HTTPRoute";
  if (g.listenerHostname !== undefined && !delegated && Array.isArray(g.hostnames)) {
    // Host names that are not DNS names are reported by the route's own checks.
    g.hostnames.forEach((host: unknown, i) => {
      if (typeof host === "string" && !hostnameMatches(g.listenerHostname, host)) {
        checks.fail(
          `gatewayApi.hostnames[${i}]`,
          host,
          `a host name the listener's hostname "${g.listenerHostname}" serves (the Gateway would not attach the route for it)`,
          scope,
        );
      }
    });
  }
  const route = checks.check(() =>
    buildHttpRoute(
      release,
      {
        name: g.routeName ?? release.service,
        namespace,
        parentRefs,
        hostnames: g.hostnames,
        prefix,
        port,
        options: g.options,
        shadowPercentage: g.shadowPercentage,
        labels: g.team ? { "pulumi-canary/team": g.team.team } : undefined,
      },
      scope,
    ),
  );
  checks.done();
  return { route: route!, services: buildVersionServices(release, namespace, port) };
}

/** A map of string values, each plain value kept and each output replaced by a placeholder (checked when resolved). */
function pendingValues(
  pending: PendingInputs,
  field: string,
  values: { [key: string]: pulumi.Input<string> } | undefined,
  what: string,
): { [key: string]: string } | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      pending.string(`${field}.${key}`, value, (v) => {
        if (typeof v !== "string") throw new ValidationError(`${field}.${key}`, v, what);
        return v;
      }),
    ]),
  );
}

/** The objects a planned release writes, which no other component of the program may write (see `claimObjects`). */
function canaryReleaseClaims(plan: CanaryReleasePlan): Claim[] {
  const release = "one release per service and namespace: another `service` or `namespace`";
  const claims: Claim[] = [
    ...workloadClaims("service", plan.workloads, release),
    ...plan.upstreams.map((u) => objectClaim("service", "Upstream", u.metadata, release)),
  ];
  if (plan.gloo) {
    const routing = plan.gloo.routing;
    claims.push(
      ...routingClaims(
        routing,
        plan.gloo.upstreamGroups,
        routing.kind === "RouteTable" ? "gloo.routeTable.name" : "gloo.virtualServiceName",
        routing.kind === "RouteTable" ? "set gloo.routeTable.name" : "set gloo.virtualServiceName",
        "gloo.useUpstreamGroup",
      ),
    );
    if (routing.kind === "VirtualService") {
      claims.push(
        ...domainClaims(
          "gloo.domains",
          routing.spec.virtualHost.domains,
          "give each release its own gloo.domains, or route the releases through a PlatformGateway with gloo.routeTable",
        ),
      );
    }
  }
  if (plan.gatewayApi) {
    const fix = "another `service`, `namespace` or gatewayApi.routeName";
    claims.push(objectClaim("gatewayApi.routeName", "HTTPRoute", plan.gatewayApi.route.metadata, fix));
    claims.push(
      ...plan.gatewayApi.services.map((svc) => objectClaim("service", "Service", svc.metadata, fix)),
    );
  }
  if (plan.consul) {
    claims.push(...consulClaims("service", plan.consul, "one release per Consul service: another `service`"));
  }
  // Objects named after outputs (a Namespace's name, a domain) are compared once those resolve.
  return withPending(claims, [...plan.pending, ...plan.workloads.pending]);
}

/** The Consul config entries of a release, as registered. */
export interface ConsulEntryResources {
  /** The service-defaults entry. */
  defaults: consul.ConfigEntry;
  /** The service-resolver entry. */
  resolver: consul.ConfigEntryServiceResolver;
  /** The service-splitter entry; absent for protocol `tcp`. */
  splitter?: consul.ConfigEntryServiceSplitter;
  /** The service-router entry, with a header rule. */
  router?: consul.ConfigEntryServiceRouter;
}

/** What `registerCanaryRelease` registers, for the component's properties. */
export interface CanaryReleaseChildren {
  /** The Deployment of each running version, by version. */
  deployments: { [version: string]: k8s.apps.v1.Deployment };
  /** The Service. */
  service: k8s.core.v1.Service;
  /** The Upstream of each running version, by version (none without Gloo). */
  upstreams: { [version: string]: k8s.apiextensions.CustomResource };
  /** The VirtualService, when the release has its own. */
  virtualService?: k8s.apiextensions.CustomResource;
  /** The RouteTable, with `gloo.routeTable`. */
  routeTable?: k8s.apiextensions.CustomResource;
  /** The UpstreamGroup, with `gloo.useUpstreamGroup`. */
  upstreamGroup?: k8s.apiextensions.CustomResource;
  /** The Consul entries, with Consul. */
  consulEntries?: ConsulEntryResources;
  /** The Service of each running version, with the Gateway API. */
  versionServices: { [version: string]: k8s.core.v1.Service };
  /** The HTTPRoute, with the Gateway API. */
  httpRoute?: k8s.apiextensions.CustomResource;
}

/** Registers a planned release's resources as children of `parent`, in the order described on {@link CanaryRelease}. */
export function registerCanaryRelease(
  name: string,
  plan: CanaryReleasePlan,
  parent: pulumi.Resource,
): CanaryReleaseChildren {
  // Consul's order, always: defaults and resolver first (so new pods are never load-balanced by accident), the
  // splitter and router after the workloads. The engine deletes in the reverse order, which Consul accepts too; a
  // version that still took traffic keeps its resolver subset for one update (see consulRetirement).
  const defaults = plan.consul ? registerConsulDefaults(name, plan.consul, parent) : undefined;
  const resolver =
    plan.consul && defaults ? registerConsulResolver(name, plan.consul, [defaults], parent) : undefined;
  const workloads = registerVersionedService(
    name,
    plan.workloads,
    parent,
    defaults ? { dependsOn: resolver ? [defaults, resolver] : [defaults] } : undefined,
    plan.pending,
  );
  const deployments: k8s.apps.v1.Deployment[] = Object.values(workloads.deployments);
  const children: CanaryReleaseChildren = {
    deployments: workloads.deployments,
    service: workloads.service,
    upstreams: {},
    versionServices: {},
  };

  if (plan.gloo) {
    // An Upstream waits for its version's Deployment, so no route reaches a version before its pods run.
    const upstreams = plan.upstreams.map((upstream, i) => {
      const version = plan.release.versions[i];
      const resource = registerGlooObject(
        `${name}-${version}`,
        upstream,
        parent,
        { dependsOn: [workloads.deployments[version]] },
        plan.pending,
      );
      children.upstreams[version] = resource;
      return resource;
    });
    const routing = registerRouting(
      name,
      plan.gloo.routing,
      plan.gloo.upstreamGroups,
      parent,
      { dependsOn: upstreams },
      plan.pending,
    );
    if (plan.gloo.routing.kind === "RouteTable") children.routeTable = routing.routing;
    else children.virtualService = routing.routing;
    if (routing.upstreamGroups.length > 0) children.upstreamGroup = routing.upstreamGroups[0];
  }
  if (plan.gatewayApi) {
    // A version's Service waits for its Deployment and goes with it; the route waits for the Services it names.
    const services = plan.gatewayApi.services.map((svc, i) => {
      const version = plan.release.versions[i];
      const resource = new k8s.core.v1.Service(
        `${name}-${version}`,
        withResolvedInputs({ metadata: svc.metadata, spec: svc.spec }, plan.pending),
        { parent, dependsOn: [workloads.deployments[version]] },
      );
      children.versionServices[version] = resource;
      return resource;
    });
    children.httpRoute = registerGlooObject(
      name,
      plan.gatewayApi.route,
      parent,
      { dependsOn: services },
      plan.pending,
    );
  }
  if (plan.consul && defaults && resolver) {
    const routing = registerConsulRouting(name, plan.consul, [resolver, defaults], parent, {
      dependsOn: deployments,
    });
    children.consulEntries = { defaults, resolver, ...routing };
  }
  return children;
}
