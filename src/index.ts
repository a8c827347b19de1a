/**
 * Progressive delivery on Kubernetes as Pulumi components: blue/green workloads, Gloo Edge weighted routes and
 * delegated route tables, Kubernetes Gateway API HTTPRoutes (kgateway, Envoy Gateway, Istio, ...), Consul traffic
 * splits, driven by one stack config value.
 *
 * @packageDocumentation
 */

// The supported surface of the package, and nothing else: the components, their arguments and every type those
// reach, the config readers, the error class and the pure plan/build functions. Everything else stays importable
// inside this repository through the module barrels (./gloo, ./consul, ...) but is not part of the package's API.
// etc/pulumi-canary.api.md records this surface; `npm run api:check` fails when it changes without the report.

// The release model: one stable version, one canary, one weight.
export {
  ValidationError,
  ReleasePhase,
  describeSplit,
  parseWeight,
  planRelease,
  checkPromotion,
  consulRetirement,
  nextReleaseState,
  TRAIL_LENGTH,
  type ConsulRetirement,
  type PromotionPolicy,
  type ReleaseState,
  type ReleaseStep,
  type HeaderRoute,
  type HeaderRule,
  type Problem,
  type ReleasePlan,
  type ReleaseSpec,
  type VersionWeight,
} from "./release";

// What a component throws when it refuses its arguments (the SDK's InputPropertiesError, one entry per problem).
export { InvalidArgumentsError } from "./arguments";

// CanaryRelease: every layer of one release, and its stack config.
export {
  CANARY_RELEASE_TYPE,
  CanaryRelease,
  planCanaryRelease,
  readReleaseConfig,
  readReleaseConfigs,
  readPromotionPolicy,
  readPreviousReleases,
  RELEASES_OUTPUT,
  InvalidConfigError,
  type CanaryConsulArgs,
  type CanaryGatewayApiArgs,
  type CanaryGatewayTeamArgs,
  type CanaryGlooArgs,
  type CanaryReleaseArgs,
  type CanaryReleasePlan,
  type ConsulEntryResources,
  type CanaryRouteTableArgs,
  type ReadReleaseConfigOptions,
  type ReleaseConfig,
  type ReleaseStatus,
} from "./canary";

// A value of a plan that is an output of another resource, checked when it resolves.
export { type PendingInput } from "./release/pending";

// Kubernetes workloads.
export {
  VERSIONED_SERVICE_TYPE,
  VersionedService,
  planVersionedService,
  type ContainerResources,
  type PodSettings,
  type VersionedServiceArgs,
  type VersionedServicePlan,
  type VersionWorkloadArgs,
  type VersionWorkloadPlan,
} from "./kubernetes";

// Kubernetes Gateway API (kgateway, Envoy Gateway, Istio, ...): the platform's Gateway, a release's HTTPRoute.
export {
  GATEWAY_API_LIMITS,
  K8S_GATEWAY_API_GROUP,
  K8S_GATEWAY_API_VERSION,
  SHARED_GATEWAY_TYPE,
  SharedGateway,
  TeamRouting,
  buildGateway,
  buildHttpRoute,
  buildSharedGateway,
  buildVersionServices,
  gatewayPathWithin,
  gatewayPrefixesOverlap,
  hostnameMatches,
  requireGatewayPath,
  teamParentRouteName,
  versionServiceName,
  type GatewayHeaderModifier,
  type GatewayHeaderValue,
  type GatewayHttpRoute,
  type GatewayListenerArgs,
  type GatewayObject,
  type GatewayParentRef,
  type GatewayRouteOptions,
  type GatewayRouteRule,
  type GatewayTeamArgs,
  type GatewayTeamRoute,
  type HttpRouteParentRef,
  type HttpRouteSpec,
  type SharedGatewayArgs,
  type SharedGatewayObjects,
  type VersionServiceObject,
} from "./gateway-api";

// Consul service mesh.
export {
  CONSUL_TRAFFIC_SPLIT_TYPE,
  ConsulProtocol,
  ConsulTrafficSplit,
  buildConsulEntries,
  buildServiceDefaults,
  buildServiceResolver,
  buildServiceRouter,
  buildServiceSplitter,
  planConsulTrafficSplit,
  type ConsulEntries,
  type ConsulEntryOptions,
  type ConsulTrafficSplitArgs,
  type ResolverSubsetEntry,
  type RouteEntry,
  type RouteHeaderEntry,
  type RouteHttpMatchEntry,
  type ServiceDefaultsEntry,
  type ServiceResolverEntry,
  type ServiceRouterEntry,
  type ServiceSplitterEntry,
  type SplitEntry,
} from "./consul";

// Gloo Edge: Upstreams, UpstreamGroups, VirtualServices and delegation to team RouteTables.
export {
  GLOO_SETTINGS_PATCH_TYPE,
  PLATFORM_GATEWAY_TYPE,
  TEAM_ROUTE_TABLE_TYPE,
  UPSTREAM_GROUP_TYPE,
  UPSTREAM_TYPE,
  VIRTUAL_SERVICE_TYPE,
  GlooSettingsPatch,
  PlatformGateway,
  TeamRouteTable,
  Upstream,
  UpstreamGroup,
  VirtualService,
  buildGlooSettingsPatch,
  buildPlatformGateway,
  buildTeamRouteTable,
  buildUpstream,
  buildUpstreamGroup,
  buildVirtualService,
  requirePathPrefix,
  type GlooSettingsPatchArgs,
  type PlannedDelegation,
  type PlatformGatewayArgs,
  type PlatformGatewayObjects,
  type RouteArgs,
  type RoutedRelease,
  type TeamDelegationArgs,
  type TeamRouteTableArgs,
  type TeamRouteTableObjects,
  type UpstreamArgs,
  type UpstreamGroupArgs,
  type UpstreamGroupRef,
  type UpstreamRef,
  type VirtualServiceArgs,
  type VirtualServiceObjects,
  type WeightedUpstream,
} from "./gloo";

// Gloo Edge object shapes, as the build functions return them.
export {
  GATEWAY_API_VERSION,
  GLOO_API_VERSION,
  GlooSelectorOperator,
  type GlooCorsPolicy,
  type GlooDelegateAction,
  type GlooDestination,
  type GlooHeaderManipulation,
  type GlooHeaderMatcher,
  type GlooHeaderValue,
  type GlooHeaderValueOption,
  type GlooInvalidConfigPolicy,
  type GlooKubeUpstream,
  type GlooMatcher,
  type GlooMultiDestination,
  type GlooObjectMeta,
  type GlooQueryParameterMatcher,
  type GlooRegex,
  type GlooRegexRewrite,
  type GlooResourceRef,
  type GlooResponseHeaderValueOption,
  type GlooRetryBackOff,
  type GlooRetryPolicy,
  type GlooRoute,
  type GlooRouteAction,
  type GlooRouteOptions,
  type GlooRouteTable,
  type GlooRouteTableSelector,
  type GlooRouteTableSpec,
  type GlooSelectorExpression,
  type GlooSettings,
  type GlooSettingsGloo,
  type GlooSettingsSpec,
  type GlooShadowing,
  type GlooUpstream,
  type GlooUpstreamGroup,
  type GlooUpstreamGroupSpec,
  type GlooUpstreamSpec,
  type GlooVirtualHost,
  type GlooVirtualService,
  type GlooVirtualServiceSpec,
  type GlooWeightedDestination,
} from "./gloo";

// The shapes generated from Gloo's CRDs (scripts/gen-gloo-types.ts), which the Gloo object shapes above extend.
export * as GlooCrd from "./gloo/crd-types.generated";
