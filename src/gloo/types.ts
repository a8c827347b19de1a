/**
 * Gloo Edge 1.x object shapes: the parts of `gloo.solo.io/v1` Upstream, UpstreamGroup, Settings and
 * `gateway.solo.io/v1` VirtualService, RouteTable that this package emits. Field names are exactly those of the
 * CRDs (`matchers` is a list, route options live in `options`, weights are integers). Plain data: no Pulumi here.
 */

/** API version of Upstream, UpstreamGroup and Settings. */
export const GLOO_API_VERSION = "gloo.solo.io/v1";
/** API version of VirtualService and RouteTable. */
export const GATEWAY_API_VERSION = "gateway.solo.io/v1";

/** Kubernetes object metadata as this package writes it: always an explicit name and namespace. */
export interface GlooObjectMeta {
  /** Object name. */
  name: string;
  /** Object namespace. */
  namespace: string;
  /** Object labels. */
  labels?: { [key: string]: string };
  /** Object annotations. */
  annotations?: { [key: string]: string };
}

/** `core.solo.io.ResourceRef`: names an object in a namespace. */
export interface GlooResourceRef {
  /** Object name. */
  name: string;
  /** Object namespace. Gloo does not default it everywhere, so this package always writes it. */
  namespace: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Upstream (gloo.solo.io/v1)

/** `spec.kube` of an Upstream: endpoints of a Kubernetes Service, optionally filtered by pod labels. */
export interface GlooKubeUpstream {
  /** Name of the Kubernetes Service. */
  serviceName: string;
  /** Namespace of the Kubernetes Service. */
  serviceNamespace: string;
  /** The Service port (not the target port). */
  servicePort: number;
  /** Pod labels the Service's endpoints must carry: one Service yields one Upstream per version this way. */
  selector?: { [key: string]: string };
}

/** `spec` of an Upstream (the Kubernetes kind only). */
export interface GlooUpstreamSpec {
  /** A Kubernetes Service as the upstream. */
  kube: GlooKubeUpstream;
}

/** A `gloo.solo.io/v1` Upstream. */
export interface GlooUpstream {
  apiVersion: typeof GLOO_API_VERSION;
  kind: "Upstream";
  metadata: GlooObjectMeta;
  spec: GlooUpstreamSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Destinations and route actions

/** A route destination: an Upstream by reference. */
export interface GlooDestination {
  /** The Upstream. */
  upstream: GlooResourceRef;
}

/** One entry of `multi.destinations` and of an UpstreamGroup's `destinations`. */
export interface GlooWeightedDestination {
  /** Where the share goes. */
  destination: GlooDestination;
  /** Relative weight (UInt32). The total is the sum of all weights; 0 sends nothing. */
  weight: number;
}

/** `routeAction.multi`: weighted destinations. */
export interface GlooMultiDestination {
  /** The weighted destinations. */
  destinations: GlooWeightedDestination[];
}

/** `routeAction`: exactly one of `single`, `multi` and `upstreamGroup` is set. */
export interface GlooRouteAction {
  /** One destination. */
  single?: GlooDestination;
  /** Weighted destinations. */
  multi?: GlooMultiDestination;
  /** An UpstreamGroup by reference (its namespace is not defaulted by Gloo). */
  upstreamGroup?: GlooResourceRef;
}

// ---------------------------------------------------------------------------------------------------------------
// UpstreamGroup (gloo.solo.io/v1)

/** `spec` of an UpstreamGroup. */
export interface GlooUpstreamGroupSpec {
  /** Weighted destinations, the same shape as `multi.destinations`. */
  destinations: GlooWeightedDestination[];
}

/** A `gloo.solo.io/v1` UpstreamGroup. */
export interface GlooUpstreamGroup {
  apiVersion: typeof GLOO_API_VERSION;
  kind: "UpstreamGroup";
  metadata: GlooObjectMeta;
  spec: GlooUpstreamGroupSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Matchers

/** Matches a request header. An empty `value` matches any request that carries the header. */
export interface GlooHeaderMatcher {
  /** Header name. */
  name: string;
  /** Value to match: exact, or a regular expression when `regex` is true. */
  value?: string;
  /** Treat `value` as a regular expression. Defaults to false. */
  regex?: boolean;
  /** Match requests that do NOT match this header. Defaults to false. */
  invertMatch?: boolean;
}

/** Matches a query parameter. */
export interface GlooQueryParameterMatcher {
  /** Parameter name. */
  name: string;
  /** Value to match: exact, or a regular expression when `regex` is true. */
  value?: string;
  /** Treat `value` as a regular expression. Defaults to false. */
  regex?: boolean;
}

/** One entry of a route's `matchers` list (entries are OR-ed). One path specifier: `prefix`, `exact` or `regex`. */
export interface GlooMatcher {
  /** Path prefix (a raw string prefix: `/api` also matches `/apix`). */
  prefix?: string;
  /** Exact path. */
  exact?: string;
  /** Path regular expression. */
  regex?: string;
  /** Case-sensitive path matching. Defaults to true in Gloo. */
  caseSensitive?: boolean;
  /** Headers the request must match (all of them). */
  headers?: GlooHeaderMatcher[];
  /** Query parameters the request must match (all of them). */
  queryParameters?: GlooQueryParameterMatcher[];
  /** HTTP methods, e.g. `GET`; any of them matches. */
  methods?: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Route options (the commonly used ones)

/** A header name and value. */
export interface GlooHeaderValue {
  /** Header name. */
  key: string;
  /** Header value. */
  value: string;
}

/** A request header to add. */
export interface GlooHeaderValueOption {
  /** The header. */
  header?: GlooHeaderValue;
  /** A Kubernetes secret whose entries are added as headers. */
  headerSecretRef?: GlooResourceRef;
  /** Append to an existing header instead of replacing it. Defaults to true in Gloo. */
  append?: boolean;
}

/** A response header to add. */
export interface GlooResponseHeaderValueOption {
  /** The header. */
  header?: GlooHeaderValue;
  /** Append to an existing header instead of replacing it. Defaults to true in Gloo. */
  append?: boolean;
}

/** `options.headerManipulation`: add and remove request and response headers. */
export interface GlooHeaderManipulation {
  /** Request headers to add. */
  requestHeadersToAdd?: GlooHeaderValueOption[];
  /** Request header names to remove. */
  requestHeadersToRemove?: string[];
  /** Response headers to add. */
  responseHeadersToAdd?: GlooResponseHeaderValueOption[];
  /** Response header names to remove. */
  responseHeadersToRemove?: string[];
}

/** Exponential back-off between retries. */
export interface GlooRetryBackOff {
  /** First interval, a duration such as `0.025s`. */
  baseInterval?: string;
  /** Longest interval, a duration such as `0.25s`. */
  maxInterval?: string;
}

/** `options.retries`. */
export interface GlooRetryPolicy {
  /** Envoy retry conditions, comma-separated, e.g. `5xx,connect-failure`. */
  retryOn?: string;
  /** Number of retries. */
  numRetries?: number;
  /** Timeout of each try, a duration such as `2s`. */
  perTryTimeout?: string;
  /** Status codes that trigger a retry when `retryOn` contains `retriable-status-codes`. */
  retriableStatusCodes?: number[];
  /** Back-off between retries. */
  retryBackOff?: GlooRetryBackOff;
}

/** A regular expression (RE2). */
export interface GlooRegex {
  /** The expression. */
  regex: string;
}

/** `options.regexRewrite`: rewrite the path with a regular expression. */
export interface GlooRegexRewrite {
  /** What to match in the path. */
  pattern: GlooRegex;
  /** The replacement; may use capture groups such as `\1`. */
  substitution: string;
}

/** `options.cors`. */
export interface GlooCorsPolicy {
  /** Allowed origins, exact. */
  allowOrigin?: string[];
  /** Allowed origins, regular expressions. */
  allowOriginRegex?: string[];
  /** Allowed methods. */
  allowMethods?: string[];
  /** Allowed request headers. */
  allowHeaders?: string[];
  /** Response headers the browser may read. */
  exposeHeaders?: string[];
  /** Value of the `access-control-max-age` header: how long a preflight answer may be cached. */
  maxAge?: string;
  /** Allow credentials. */
  allowCredentials?: boolean;
  /** Turn CORS off for this route. */
  disableForRoute?: boolean;
}

/** `options.shadowing`: mirror a percentage of the route's requests to an Upstream; the responses are dropped. */
export interface GlooShadowing {
  /** Where the copies go. Gloo neither defaults its namespace nor checks that it exists. */
  upstream: GlooResourceRef;
  /** Percent of requests to mirror, 0 to 100 (fractions allowed). */
  percentage: number;
}

/** `options` of a route: the commonly used route options. */
export interface GlooRouteOptions {
  /** Replace the matched prefix with this before forwarding, e.g. `/api/pets/`. */
  prefixRewrite?: string;
  /** Rewrite the path with a regular expression. */
  regexRewrite?: GlooRegexRewrite;
  /** Request timeout, a duration such as `15s`. */
  timeout?: string;
  /** Stream idle timeout, a duration such as `60s`. */
  idleTimeout?: string;
  /** Retry policy. */
  retries?: GlooRetryPolicy;
  /** Header additions and removals. */
  headerManipulation?: GlooHeaderManipulation;
  /** Rewrite the Host header to this value. */
  hostRewrite?: string;
  /** Rewrite the Host header to the upstream's host name. */
  autoHostRewrite?: boolean;
  /** CORS policy. */
  cors?: GlooCorsPolicy;
  /** Traffic shadowing (mirroring). */
  shadowing?: GlooShadowing;
}

// ---------------------------------------------------------------------------------------------------------------
// Delegation

/** Operator of a RouteTable selector expression. */
export enum GlooSelectorOperator {
  /** `=` */
  Equals = "Equals",
  /** `==` */
  DoubleEquals = "DoubleEquals",
  /** `!=` */
  NotEquals = "NotEquals",
  /** `in` */
  In = "In",
  /** `notin` */
  NotIn = "NotIn",
  /** `exists` */
  Exists = "Exists",
  /** `!` */
  DoesNotExist = "DoesNotExist",
  /** `gt` */
  GreaterThan = "GreaterThan",
  /** `lt` */
  LessThan = "LessThan",
}

/** A label requirement of a RouteTable selector. */
export interface GlooSelectorExpression {
  /** Label key. */
  key: string;
  /** Operator. */
  operator: GlooSelectorOperator;
  /** Values for the operator. */
  values?: string[];
}

/** Selects RouteTables by namespace and labels. */
export interface GlooRouteTableSelector {
  /** Namespaces to select in; omitted means the owner's namespace, `*` all watched namespaces. */
  namespaces?: string[];
  /** Labels the RouteTables must carry. */
  labels?: { [key: string]: string };
  /** Label expressions the RouteTables must satisfy. */
  expressions?: GlooSelectorExpression[];
}

/** `delegateAction`: exactly one of `ref` and `selector` is set. */
export interface GlooDelegateAction {
  /** One RouteTable by reference. */
  ref?: GlooResourceRef;
  /** RouteTables by selector. */
  selector?: GlooRouteTableSelector;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes, VirtualService, RouteTable (gateway.solo.io/v1)

/** A route of a VirtualService or RouteTable: matchers, one action, options. */
export interface GlooRoute {
  /** Route name, shown in Gloo's status. */
  name?: string;
  /** Matchers, OR-ed; an empty list matches prefix `/`. */
  matchers?: GlooMatcher[];
  /** Copy this route's header, method and query matchers into delegated routes. */
  inheritableMatchers?: boolean;
  /** Copy this route's path matcher into delegated routes. */
  inheritablePathMatchers?: boolean;
  /** Route to upstreams. */
  routeAction?: GlooRouteAction;
  /** Delegate to RouteTables. */
  delegateAction?: GlooDelegateAction;
  /** Route options. */
  options?: GlooRouteOptions;
}

/** `spec.virtualHost` of a VirtualService. */
export interface GlooVirtualHost {
  /** Host names served; `*` matches any. */
  domains: string[];
  /** Routes, matched in order: the first match wins. */
  routes: GlooRoute[];
}

/** `spec` of a VirtualService. */
export interface GlooVirtualServiceSpec {
  /** Descriptive name. */
  displayName?: string;
  /** The virtual host. */
  virtualHost: GlooVirtualHost;
}

/** A `gateway.solo.io/v1` VirtualService. */
export interface GlooVirtualService {
  apiVersion: typeof GATEWAY_API_VERSION;
  kind: "VirtualService";
  metadata: GlooObjectMeta;
  spec: GlooVirtualServiceSpec;
}

/** `spec` of a RouteTable. */
export interface GlooRouteTableSpec {
  /** Routes, matched in order. */
  routes: GlooRoute[];
  /** Order among tables selected by one delegating route: ascending (int32). Defaults to 0 in Gloo. */
  weight?: number;
}

/** A `gateway.solo.io/v1` RouteTable. */
export interface GlooRouteTable {
  apiVersion: typeof GATEWAY_API_VERSION;
  kind: "RouteTable";
  metadata: GlooObjectMeta;
  spec: GlooRouteTableSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings (gloo.solo.io/v1)

/** `spec.gloo.invalidConfigPolicy`: what Gloo does with routes that have errors. */
export interface GlooInvalidConfigPolicy {
  /** Answer invalid routes with a fixed response, so valid routes keep updating. */
  replaceInvalidRoutes?: boolean;
  /** Status code of that response (UInt32; Gloo's helm default is 404). */
  invalidRouteResponseCode?: number;
  /** Body of that response. */
  invalidRouteResponseBody?: string;
}

/** `spec.gloo` of Settings (the part this package writes). */
export interface GlooSettingsGloo {
  /** Handling of invalid routes. */
  invalidConfigPolicy?: GlooInvalidConfigPolicy;
}

/** `spec` of Settings (the part this package writes). */
export interface GlooSettingsSpec {
  /** Gloo options. */
  gloo?: GlooSettingsGloo;
}

/** A `gloo.solo.io/v1` Settings object. */
export interface GlooSettings {
  apiVersion: typeof GLOO_API_VERSION;
  kind: "Settings";
  metadata: GlooObjectMeta;
  spec: GlooSettingsSpec;
}

/** Any object this package renders for Gloo. */
export type GlooObject =
  GlooUpstream | GlooUpstreamGroup | GlooVirtualService | GlooRouteTable | GlooSettings;
