import type * as consul from "@pulumi/consul";
import { ValidationError } from "../release/errors";
import type { ReleasePlan } from "../release/plan";
import { normalizeGoDuration } from "./duration";
import { allowsRouting, ConsulProtocol, parseProtocol } from "./protocol";
import { checkConsulEntries } from "./rules";

/** Consul's default for `ConnectTimeout` is 5s; it is written explicitly so the provider reads back what it wrote. */
export const DEFAULT_CONNECT_TIMEOUT = "5s";
/** Consul's default for `RequestTimeout` is 15s; written explicitly for the same reason. */
export const DEFAULT_REQUEST_TIMEOUT = "15s";

/** A service-defaults entry: plain values, usable as `consul.ConfigEntryServiceDefaultsArgs`. */
export interface ServiceDefaultsEntry extends consul.ConfigEntryServiceDefaultsArgs {
  /** The service name. */
  name: string;
  /** The service's protocol. */
  protocol: ConsulProtocol;
  /** Required by the provider; `[{}]` leaves Consul's expose settings at their defaults. */
  exposes: consul.types.input.ConfigEntryServiceDefaultsExpose[];
}

/** One resolver subset: the instances whose `version` meta matches. */
export interface ResolverSubsetEntry extends consul.types.input.ConfigEntryServiceResolverSubset {
  /** Subset name: the version. */
  name: string;
  /** Health API filter selecting the subset's instances. */
  filter: string;
  /** Only instances whose health checks pass. */
  onlyPassing: boolean;
}

/** A service-resolver entry: plain values, usable as `consul.ConfigEntryServiceResolverArgs`. */
export interface ServiceResolverEntry extends consul.ConfigEntryServiceResolverArgs {
  /** The service name. */
  name: string;
  /** The subset that takes traffic no splitter or router directs elsewhere. */
  defaultSubset: string;
  /** Go duration, in the form it reads back in. */
  connectTimeout: string;
  /** Go duration, in the form it reads back in. */
  requestTimeout: string;
  /** One subset per running version. */
  subsets: ResolverSubsetEntry[];
}

/** One weighted split. */
export interface SplitEntry extends consul.types.input.ConfigEntryServiceSplitterSplit {
  /** Percent of traffic. */
  weight: number;
  /** The service the split goes to. */
  service: string;
  /** The resolver subset the split goes to. */
  serviceSubset?: string;
}

/** A service-splitter entry: plain values, usable as `consul.ConfigEntryServiceSplitterArgs`. */
export interface ServiceSplitterEntry extends consul.ConfigEntryServiceSplitterArgs {
  /** The service name. */
  name: string;
  /** The weighted splits. */
  splits: SplitEntry[];
}

/** One header condition of a route. */
export interface RouteHeaderEntry extends consul.types.input.ConfigEntryServiceRouterRouteMatchHttpHeader {
  /** Header name. */
  name: string;
  /** Exact value. */
  exact?: string;
  /** Header present, whatever its value. */
  present?: boolean;
  /** Value prefix. */
  prefix?: string;
  /** Value suffix. */
  suffix?: string;
  /** Value regular expression. */
  regex?: string;
}

/** The HTTP conditions of a route. */
export interface RouteHttpMatchEntry extends consul.types.input.ConfigEntryServiceRouterRouteMatchHttp {
  /** Header conditions, all of which must hold. */
  headers?: RouteHeaderEntry[];
  /** Exact path. */
  pathExact?: string;
  /** Path prefix. */
  pathPrefix?: string;
  /** Path regular expression. */
  pathRegex?: string;
}

/** One route: a match and where matching requests go. */
export interface RouteEntry extends consul.types.input.ConfigEntryServiceRouterRoute {
  /** The conditions. */
  match: { http: RouteHttpMatchEntry };
  /** Where matching requests go. */
  destination: { service: string; serviceSubset?: string };
}

/** A service-router entry: plain values, usable as `consul.ConfigEntryServiceRouterArgs`. */
export interface ServiceRouterEntry extends consul.ConfigEntryServiceRouterArgs {
  /** The service name. */
  name: string;
  /** The routes, first match wins. */
  routes: RouteEntry[];
}

/** The Consul config entries of one release. */
export interface ConsulEntries {
  /** service-defaults: the protocol. Written first, deleted last. */
  defaults: ServiceDefaultsEntry;
  /** service-resolver: one subset per running version. */
  resolver: ServiceResolverEntry;
  /** service-splitter: the weighted split. Absent for `tcp`. */
  splitter?: ServiceSplitterEntry;
  /** service-router: the header rule. Present only when the release has one. */
  router?: ServiceRouterEntry;
}

/** How the Consul entries of a release are written. */
export interface ConsulEntryOptions {
  /**
   * The service's protocol. Splitting and header routing need `http`, `http2` or `grpc`; with `tcp` a release
   * can have no canary, header rule or further versions. Defaults to `ConsulProtocol.Http`.
   */
  protocol?: ConsulProtocol;
  /**
   * Resolver connect timeout, a positive Go duration (`"5s"`, `"250ms"`). Written in the form Consul reads it back
   * in, so `"60s"` is written as `"1m0s"`. Defaults to `"5s"`.
   */
  connectTimeout?: string;
  /** Resolver request timeout, a positive Go duration. Defaults to `"15s"`. */
  requestTimeout?: string;
  /** Resolver subsets select only instances whose health checks pass. Defaults to `true`. */
  onlyPassing?: boolean;
  /**
   * Path prefix the header route applies to (starting with `/`). Defaults to none: the header route matches
   * every path.
   */
  headerRoutePathPrefix?: string;
}

/** {@link ConsulEntryOptions} with every default applied and every value validated. */
export interface ResolvedConsulOptions {
  protocol: ConsulProtocol;
  connectTimeout: string;
  requestTimeout: string;
  onlyPassing: boolean;
  headerRoutePathPrefix?: string;
}

/** The resolver's timeouts with their defaults, in the form Consul reads back. */
function resolveTimeouts(
  options: ConsulEntryOptions,
  scope?: string,
): { connectTimeout: string; requestTimeout: string } {
  return {
    connectTimeout: normalizeGoDuration(
      "connectTimeout",
      options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      scope,
    ),
    requestTimeout: normalizeGoDuration(
      "requestTimeout",
      options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
      scope,
    ),
  };
}

/** The resolver filter of a version's subset: matches the pod annotation `service-meta-version`. */
export function subsetFilter(version: string): string {
  return `Service.Meta.version == "${version}"`;
}

/** Builds the service-defaults entry: the protocol, with the `exposes: [{}]` the provider requires. */
export function buildServiceDefaults(
  plan: Pick<ReleasePlan, "service">,
  protocol: ConsulProtocol = ConsulProtocol.Http,
): ServiceDefaultsEntry {
  return { name: plan.service, protocol, exposes: [{}] };
}

/**
 * The `configJson` of a service-defaults entry, in the form Consul reads it back in: its fields without `Kind` and
 * `Name`, keys in sorted order, `Expose`, `MeshGateway` and `TransparentProxy` present as empty objects (Consul
 * returns them so even when unset). Written in this form, what the provider reads back after `pulumi up` equals
 * what the program registers, so a preview without a change plans none.
 */
export function serviceDefaultsConfigJson(entry: ServiceDefaultsEntry): string {
  return JSON.stringify({ Expose: {}, MeshGateway: {}, Protocol: entry.protocol, TransparentProxy: {} });
}

/**
 * Builds the service-resolver entry: one subset per running version (filtered on the `version` service meta),
 * the stable version as the default subset, both timeouts in the form they read back in.
 * Throws a {@link ValidationError} for a timeout that is not a positive Go duration.
 */
export function buildServiceResolver(
  plan: Pick<ReleasePlan, "service" | "stableVersion" | "versions">,
  options: Pick<ConsulEntryOptions, "connectTimeout" | "requestTimeout" | "onlyPassing"> = {},
  scope?: string,
): ServiceResolverEntry {
  const onlyPassing = options.onlyPassing ?? true;
  return {
    name: plan.service,
    defaultSubset: plan.stableVersion,
    ...resolveTimeouts(options, scope),
    subsets: plan.versions.map((version) => ({ name: version, filter: subsetFilter(version), onlyPassing })),
  };
}

/** Builds the service-splitter entry: the plan's destinations, each to its version's subset. */
export function buildServiceSplitter(
  plan: Pick<ReleasePlan, "service" | "destinations">,
): ServiceSplitterEntry {
  return {
    name: plan.service,
    splits: plan.destinations.map((d) => ({
      weight: d.weight,
      service: plan.service,
      serviceSubset: d.version,
    })),
  };
}

/**
 * Builds the service-router entry for the plan's header rule (exact header match to the canary's subset), or
 * `undefined` when the plan has no header route.
 */
export function buildServiceRouter(
  plan: Pick<ReleasePlan, "service" | "headerRoute">,
  pathPrefix?: string,
): ServiceRouterEntry | undefined {
  const route = plan.headerRoute;
  if (route === undefined) return undefined;
  const http: RouteHttpMatchEntry = {
    ...(pathPrefix !== undefined ? { pathPrefix } : {}),
    headers: [{ name: route.header.name, exact: route.header.value }],
  };
  return {
    name: plan.service,
    routes: [{ match: { http }, destination: { service: plan.service, serviceSubset: route.version } }],
  };
}

/**
 * Validates the Consul options of a release and resolves their defaults. The plan comes from `planRelease`,
 * which has already validated its versions, weights and header rule, so only what Consul adds is checked here.
 * Pure; throws a {@link ValidationError} naming the field, the value and what is accepted:
 * - timeouts must be positive Go durations; the header route's path prefix must start with `/`;
 * - protocol `tcp` refuses a canary, a header rule and further versions: Consul allows no splitter or
 *   router (not even a 100 % split) on a tcp service.
 */
export function resolveConsulOptions(
  plan: ReleasePlan,
  options: ConsulEntryOptions = {},
  scope?: string,
): ResolvedConsulOptions {
  const protocol = parseProtocol("protocol", options.protocol ?? ConsulProtocol.Http, scope);

  const pathPrefix = options.headerRoutePathPrefix;
  if (pathPrefix !== undefined && (typeof pathPrefix !== "string" || !pathPrefix.startsWith("/"))) {
    throw new ValidationError(
      "headerRoutePathPrefix",
      pathPrefix,
      'a path starting with "/", e.g. "/api"',
      scope,
    );
  }

  const resolved: ResolvedConsulOptions = {
    protocol,
    ...resolveTimeouts(options, scope),
    onlyPassing: options.onlyPassing ?? true,
    headerRoutePathPrefix: pathPrefix,
  };

  if (!allowsRouting(protocol)) {
    const wants = [
      ...(plan.canaryVersion !== undefined ? [`canaryVersion "${plan.canaryVersion}"`] : []),
      ...(plan.headerRoute !== undefined ? ["a header rule"] : []),
      ...(plan.versions.length > 1 || plan.destinations.length > 1 ? ["a split over several versions"] : []),
    ];
    if (wants.length > 0) {
      throw new ValidationError(
        "protocol",
        protocol,
        `"http", "http2" or "grpc" for a release with ${wants.join(", ")}: Consul refuses any service-splitter or service-router on a tcp service (or remove canaryVersion, header and extraVersions)`,
        scope,
      );
    }
  }
  return resolved;
}

/**
 * Builds every Consul entry of a release: service-defaults and service-resolver always; the service-splitter
 * for `http`, `http2` and `grpc` (a single 100 % split when only the stable version takes traffic, so moving
 * weight later is an in-place update); the service-router when the plan has a header route.
 *
 * Validates first (`resolveConsulOptions`), then checks the built entries against Consul's write-time rules
 * (`checkConsulEntries`). Throws a {@link ValidationError}; never creates a resource.
 */
export function buildConsulEntries(
  plan: ReleasePlan,
  options: ConsulEntryOptions = {},
  scope?: string,
): ConsulEntries {
  const resolved = resolveConsulOptions(plan, options, scope);
  const entries: ConsulEntries = {
    defaults: buildServiceDefaults(plan, resolved.protocol),
    resolver: buildServiceResolver(plan, resolved, scope),
  };
  if (allowsRouting(resolved.protocol)) {
    entries.splitter = buildServiceSplitter(plan);
    entries.router = buildServiceRouter(plan, resolved.headerRoutePathPrefix);
    if (entries.router === undefined) delete entries.router;
  }
  checkConsulEntries(entries, scope);
  return entries;
}
