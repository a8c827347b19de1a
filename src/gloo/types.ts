/**
 * Gloo Edge 1.x object shapes: the parts of `gloo.solo.io/v1` Upstream, UpstreamGroup, Settings and
 * `gateway.solo.io/v1` VirtualService, RouteTable that this package emits. Field names are exactly those of the
 * CRDs (`matchers` is a list, route options live in `options`, weights are integers). Plain data: no Pulumi here.
 *
 * The shapes come from `./crd-types.generated` (imported here as `Crd…`), which scripts/gen-gloo-types.ts
 * generates from the vendored CRDs (`npm run gen:gloo-types`). This file only adds what the CRDs do not say:
 * - the Kubernetes envelope (`apiVersion`, `kind`, `metadata`), which is not part of a CRD's schema;
 * - the package's stricter intent, as properties redeclared over the generated ones. Gloo's CRDs mark no property
 *   required, type protobuf wrappers (BoolValue, UInt32Value, StringValue) as nullable and enums as
 *   int-or-string; this package always writes the properties redeclared as required, never writes `null` (it
 *   leaves such a property out; Gloo then takes its default) and writes selector operators by name. Each such
 *   type `extends` the generated one, so the compiler checks that the stricter shape is still a valid CRD shape.
 */
import {
  type ROUTE_TABLE_TYPE_META,
  type SETTINGS_TYPE_META,
  type UPSTREAM_GROUP_TYPE_META,
  UPSTREAM_TYPE_META,
  VIRTUAL_SERVICE_TYPE_META,
  type CorsPolicy as CrdCorsPolicy,
  type DelegateAction as CrdDelegateAction,
  type Destination as CrdDestination,
  type GlooOptions as CrdGlooOptions,
  type HeaderManipulation as CrdHeaderManipulation,
  type HeaderMatcher as CrdHeaderMatcher,
  type HeaderValue as CrdHeaderValue,
  type HeaderValueOption as CrdHeaderValueOption,
  type InvalidConfigPolicy as CrdInvalidConfigPolicy,
  type KubeUpstreamSpec as CrdKubeUpstreamSpec,
  type Matcher as CrdMatcher,
  type MultiDestination as CrdMultiDestination,
  type QueryParameterMatcher as CrdQueryParameterMatcher,
  type RegexMatchAndSubstitute as CrdRegexMatchAndSubstitute,
  type RegexMatcher as CrdRegexMatcher,
  type ResourceRef as CrdResourceRef,
  type ResponseHeaderValueOption as CrdResponseHeaderValueOption,
  type RetryBackOff as CrdRetryBackOff,
  type RetryPolicy as CrdRetryPolicy,
  type Route as CrdRoute,
  type RouteAction as CrdRouteAction,
  type RouteOptions as CrdRouteOptions,
  type RouteShadowing as CrdRouteShadowing,
  type RouteTableSelector as CrdRouteTableSelector,
  type RouteTableSpec as CrdRouteTableSpec,
  type SelectorExpression as CrdSelectorExpression,
  type SettingsSpec as CrdSettingsSpec,
  type UpstreamGroupSpec as CrdUpstreamGroupSpec,
  type UpstreamSpec as CrdUpstreamSpec,
  type VirtualHost as CrdVirtualHost,
  type VirtualServiceSpec as CrdVirtualServiceSpec,
  type WeightedDestination as CrdWeightedDestination,
} from "./crd-types.generated";

/** API version of Upstream, UpstreamGroup and Settings. */
export const GLOO_API_VERSION = UPSTREAM_TYPE_META.apiVersion;
/** API version of VirtualService and RouteTable. */
export const GATEWAY_API_VERSION = VIRTUAL_SERVICE_TYPE_META.apiVersion;

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
export interface GlooResourceRef extends CrdResourceRef {
  /** Object name. */
  name: string;
  /** Object namespace. Gloo does not default it everywhere, so this package always writes it. */
  namespace: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Upstream (gloo.solo.io/v1)

/**
 * `spec.kube` of an Upstream: endpoints of a Kubernetes Service, optionally filtered by pod labels (`selector`:
 * one Service yields one Upstream per version this way).
 */
export interface GlooKubeUpstream extends CrdKubeUpstreamSpec {
  /** Name of the Kubernetes Service. */
  serviceName: string;
  /** Namespace of the Kubernetes Service. */
  serviceNamespace: string;
  /** The Service port (not the target port). */
  servicePort: number;
}

/** `spec` of an Upstream (the Kubernetes kind only). */
export interface GlooUpstreamSpec extends CrdUpstreamSpec {
  /** A Kubernetes Service as the upstream. */
  kube: GlooKubeUpstream;
}

/** A `gloo.solo.io/v1` Upstream. */
export interface GlooUpstream {
  /** API version of the Upstream CRD. */
  apiVersion: typeof UPSTREAM_TYPE_META.apiVersion;
  /** `Upstream`. */
  kind: typeof UPSTREAM_TYPE_META.kind;
  /** Name, namespace, labels and annotations. */
  metadata: GlooObjectMeta;
  /** The Upstream's specification. */
  spec: GlooUpstreamSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Destinations and route actions

/** A route destination: an Upstream by reference. */
export interface GlooDestination extends CrdDestination {
  /** The Upstream. */
  upstream: GlooResourceRef;
}

/** One entry of `multi.destinations` and of an UpstreamGroup's `destinations`. */
export interface GlooWeightedDestination extends CrdWeightedDestination {
  /** Where the share goes. */
  destination: GlooDestination;
  /** Relative weight (UInt32). The total is the sum of all weights; 0 sends nothing. */
  weight: number;
}

/** `routeAction.multi`: weighted destinations. */
export interface GlooMultiDestination extends CrdMultiDestination {
  /** The weighted destinations. */
  destinations: GlooWeightedDestination[];
}

/** `routeAction`: exactly one of `single`, `multi` and `upstreamGroup` is set. */
export interface GlooRouteAction extends CrdRouteAction {
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
export interface GlooUpstreamGroupSpec extends CrdUpstreamGroupSpec {
  /** Weighted destinations, the same shape as `multi.destinations`. */
  destinations: GlooWeightedDestination[];
}

/** A `gloo.solo.io/v1` UpstreamGroup. */
export interface GlooUpstreamGroup {
  /** API version of the UpstreamGroup CRD. */
  apiVersion: typeof UPSTREAM_GROUP_TYPE_META.apiVersion;
  /** `UpstreamGroup`. */
  kind: typeof UPSTREAM_GROUP_TYPE_META.kind;
  /** Name, namespace, labels and annotations. */
  metadata: GlooObjectMeta;
  /** The UpstreamGroup's specification. */
  spec: GlooUpstreamGroupSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Matchers

/**
 * Matches a request header: `value` exactly, or as a regular expression when `regex` is true; `invertMatch`
 * matches the requests that do NOT match. An empty `value` matches any request that carries the header.
 */
export interface GlooHeaderMatcher extends CrdHeaderMatcher {
  /** Header name. */
  name: string;
}

/** Matches a query parameter: `value` exactly, or as a regular expression when `regex` is true. */
export interface GlooQueryParameterMatcher extends CrdQueryParameterMatcher {
  /** Parameter name. */
  name: string;
}

/**
 * One entry of a route's `matchers` list (entries are OR-ed). One path specifier: `prefix` (a raw string prefix:
 * `/api` also matches `/apix`), `exact` or `regex`. Any of `methods` (e.g. `GET`) matches.
 */
export interface GlooMatcher extends CrdMatcher {
  /** Case-sensitive path matching. Defaults to true in Gloo. Not null (a BoolValue in the CRD). */
  caseSensitive?: boolean;
  /** Headers the request must match (all of them). */
  headers?: GlooHeaderMatcher[];
  /** Query parameters the request must match (all of them). */
  queryParameters?: GlooQueryParameterMatcher[];
}

// ---------------------------------------------------------------------------------------------------------------
// Route options (the commonly used ones)

/** A header name and value. */
export interface GlooHeaderValue extends CrdHeaderValue {
  /** Header name. */
  key: string;
  /** Header value. */
  value: string;
}

/** A request header to add. */
export interface GlooHeaderValueOption extends CrdHeaderValueOption {
  /** The header. */
  header?: GlooHeaderValue;
  /** A Kubernetes secret whose entries are added as headers. */
  headerSecretRef?: GlooResourceRef;
  /** Append to an existing header instead of replacing it. Defaults to true in Gloo. Not null. */
  append?: boolean;
}

/** A response header to add. */
export interface GlooResponseHeaderValueOption extends CrdResponseHeaderValueOption {
  /** The header. */
  header?: GlooHeaderValue;
  /** Append to an existing header instead of replacing it. Defaults to true in Gloo. Not null. */
  append?: boolean;
}

/** `options.headerManipulation`: add and remove request and response headers. */
export interface GlooHeaderManipulation extends CrdHeaderManipulation {
  /** Request headers to add. */
  requestHeadersToAdd?: GlooHeaderValueOption[];
  /** Response headers to add. */
  responseHeadersToAdd?: GlooResponseHeaderValueOption[];
}

/** Exponential back-off between retries: durations such as `0.025s` (`baseInterval`) and `0.25s` (`maxInterval`). */
export type GlooRetryBackOff = CrdRetryBackOff;

/**
 * `options.retries`: Envoy retry conditions (`retryOn`, comma-separated, e.g. `5xx,connect-failure`), the number
 * of retries, the timeout of each try (a duration such as `2s`), the status codes that trigger a retry when
 * `retryOn` contains `retriable-status-codes`, and the back-off between retries.
 */
export type GlooRetryPolicy = CrdRetryPolicy;

/** A regular expression (RE2). */
export interface GlooRegex extends CrdRegexMatcher {
  /** The expression. */
  regex: string;
}

/** `options.regexRewrite`: rewrite the path with a regular expression. */
export interface GlooRegexRewrite extends CrdRegexMatchAndSubstitute {
  /** What to match in the path. */
  pattern: GlooRegex;
  /** The replacement; may use capture groups such as `\1`. */
  substitution: string;
}

/**
 * `options.cors`: allowed origins (exact, and regular expressions), methods and request headers, the response
 * headers the browser may read, `maxAge` (how long a preflight answer may be cached), whether credentials are
 * allowed, and `disableForRoute`.
 */
export type GlooCorsPolicy = CrdCorsPolicy;

/** `options.shadowing`: mirror a percentage of the route's requests to an Upstream; the responses are dropped. */
export interface GlooShadowing extends CrdRouteShadowing {
  /** Where the copies go. Gloo neither defaults its namespace nor checks that it exists. */
  upstream: GlooResourceRef;
  /** Percent of requests to mirror, 0 to 100 (fractions allowed). */
  percentage: number;
}

/**
 * `options` of a route: the commonly used route options. `timeout` and `idleTimeout` (of the stream) are durations
 * such as `15s`; `hostRewrite` sets the Host header.
 */
export interface GlooRouteOptions extends CrdRouteOptions {
  /** Replace the matched prefix with this before forwarding, e.g. `/api/pets/`. Not null. */
  prefixRewrite?: string;
  /** Rewrite the path with a regular expression. */
  regexRewrite?: GlooRegexRewrite;
  /** Header additions and removals. */
  headerManipulation?: GlooHeaderManipulation;
  /** Rewrite the Host header to the upstream's host name. Not null. */
  autoHostRewrite?: boolean;
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
export interface GlooSelectorExpression extends CrdSelectorExpression {
  /** Label key. */
  key: string;
  /** Operator, by name. Stricter than the CRD, which takes any int-or-string (the enum's names or numbers). */
  operator: GlooSelectorOperator;
}

/**
 * Selects RouteTables by namespace (`namespaces`: omitted means the owner's namespace, `*` all watched
 * namespaces), by `labels` they must carry and by label `expressions` they must satisfy.
 */
export interface GlooRouteTableSelector extends CrdRouteTableSelector {
  /** Label expressions the RouteTables must satisfy. */
  expressions?: GlooSelectorExpression[];
}

/** `delegateAction`: exactly one of `ref` and `selector` is set. */
export interface GlooDelegateAction extends CrdDelegateAction {
  /** One RouteTable by reference. */
  ref?: GlooResourceRef;
  /** RouteTables by selector. */
  selector?: GlooRouteTableSelector;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes, VirtualService, RouteTable (gateway.solo.io/v1)

/** A route of a VirtualService or RouteTable: `name` (shown in Gloo's status), matchers, one action, options. */
export interface GlooRoute extends CrdRoute {
  /** Matchers, OR-ed; an empty list matches prefix `/`. */
  matchers?: GlooMatcher[];
  /** Copy this route's header, method and query matchers into delegated routes. Not null. */
  inheritableMatchers?: boolean;
  /** Copy this route's path matcher into delegated routes. Not null. */
  inheritablePathMatchers?: boolean;
  /** Route to upstreams. */
  routeAction?: GlooRouteAction;
  /** Delegate to RouteTables. */
  delegateAction?: GlooDelegateAction;
  /** Route options. */
  options?: GlooRouteOptions;
}

/** `spec.virtualHost` of a VirtualService. */
export interface GlooVirtualHost extends CrdVirtualHost {
  /** Host names served; `*` matches any. */
  domains: string[];
  /** Routes, matched in order: the first match wins. */
  routes: GlooRoute[];
}

/** `spec` of a VirtualService, with an optional descriptive `displayName`. */
export interface GlooVirtualServiceSpec extends CrdVirtualServiceSpec {
  /** The virtual host. */
  virtualHost: GlooVirtualHost;
}

/** A `gateway.solo.io/v1` VirtualService. */
export interface GlooVirtualService {
  /** API version of the VirtualService CRD. */
  apiVersion: typeof VIRTUAL_SERVICE_TYPE_META.apiVersion;
  /** `VirtualService`. */
  kind: typeof VIRTUAL_SERVICE_TYPE_META.kind;
  /** Name, namespace, labels and annotations. */
  metadata: GlooObjectMeta;
  /** The VirtualService's specification. */
  spec: GlooVirtualServiceSpec;
}

/** `spec` of a RouteTable. */
export interface GlooRouteTableSpec extends CrdRouteTableSpec {
  /** Routes, matched in order. */
  routes: GlooRoute[];
  /** Order among tables selected by one delegating route: ascending (int32). Defaults to 0 in Gloo. Not null. */
  weight?: number;
}

/** A `gateway.solo.io/v1` RouteTable. */
export interface GlooRouteTable {
  /** API version of the RouteTable CRD. */
  apiVersion: typeof ROUTE_TABLE_TYPE_META.apiVersion;
  /** `RouteTable`. */
  kind: typeof ROUTE_TABLE_TYPE_META.kind;
  /** Name, namespace, labels and annotations. */
  metadata: GlooObjectMeta;
  /** The RouteTable's specification. */
  spec: GlooRouteTableSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings (gloo.solo.io/v1)

/**
 * `spec.gloo.invalidConfigPolicy`: what Gloo does with routes that have errors. `replaceInvalidRoutes` answers
 * them with a fixed response (`invalidRouteResponseCode`, UInt32, Gloo's helm default is 404, and
 * `invalidRouteResponseBody`), so valid routes keep updating.
 */
export type GlooInvalidConfigPolicy = CrdInvalidConfigPolicy;

/** `spec.gloo` of Settings (the part this package writes). */
export type GlooSettingsGloo = CrdGlooOptions;

/** `spec` of Settings (the part this package writes). */
export type GlooSettingsSpec = CrdSettingsSpec;

/** A `gloo.solo.io/v1` Settings object. */
export interface GlooSettings {
  /** API version of the Settings CRD. */
  apiVersion: typeof SETTINGS_TYPE_META.apiVersion;
  /** `Settings`. */
  kind: typeof SETTINGS_TYPE_META.kind;
  /** Name, namespace, labels and annotations. */
  metadata: GlooObjectMeta;
  /** The Settings' specification. */
  spec: GlooSettingsSpec;
}

/** Any object this package renders for Gloo. */
export type GlooObject =
  GlooUpstream | GlooUpstreamGroup | GlooVirtualService | GlooRouteTable | GlooSettings;
