// Gloo Edge 1.x routing: object models, pure builders and the Upstream, UpstreamGroup, VirtualService,
// PlatformGateway, TeamRouteTable and GlooSettingsPatch components. Validation helpers stay in their modules,
// except the checks of delegation (a delegating route's matcher, a team route's path).
export * from "./types";
export { UpstreamCatalog, type UpstreamGroupRef, type UpstreamRef } from "./refs";
export {
  destinationOf,
  headerMatcher,
  multiRoute,
  releaseRoutes,
  releaseSplit,
  releaseUpstreamGroup,
  singleRoute,
  upstreamGroupObject,
  upstreamGroupRoute,
  weightedDestinations,
  type ReleaseRouting,
  type RouteExtras,
  type WeightedRef,
} from "./routes";
export { buildUpstream, upstreamName, type UpstreamArgs } from "./upstream";
export { buildUpstreamGroup, type UpstreamGroupArgs, type WeightedUpstream } from "./upstream-group";
export {
  buildVirtualService,
  type RouteArgs,
  type RoutedRelease,
  type VirtualServiceArgs,
  type VirtualServiceObjects,
} from "./virtual-service";
export {
  UPSTREAM_GROUP_TYPE,
  UPSTREAM_TYPE,
  VIRTUAL_SERVICE_TYPE,
  Upstream,
  UpstreamGroup,
  VirtualService,
  createUpstream,
  createUpstreamGroup,
  createVirtualService,
  registerGlooObject,
  registerRouting,
  registerUpstream,
  registerUpstreamGroup,
  registerVirtualService,
  routeDependencies,
  routingSummary,
  type UpstreamGroupResources,
  type UpstreamResources,
  type VirtualServiceResources,
} from "./components";
export {
  buildRoutes,
  DEFAULT_GATEWAY_NAMESPACE,
  matcherOf,
  routeLabel,
  type BuiltRoutes,
} from "./virtual-service";
export {
  buildPlatformGateway,
  requireDelegatingMatcher,
  type PlannedDelegation,
  type PlatformGatewayArgs,
  type PlatformGatewayObjects,
  type TeamDelegationArgs,
} from "./gateway";
export {
  buildTeamRouteTable,
  requireTeamRoute,
  ROUTE_TABLE_WEIGHT_MAX,
  ROUTE_TABLE_WEIGHT_MIN,
  type TeamRouteTableArgs,
  type TeamRouteTableObjects,
} from "./route-table";
export {
  buildGlooSettingsPatch,
  DEFAULT_INVALID_ROUTE_RESPONSE_BODY,
  DEFAULT_INVALID_ROUTE_RESPONSE_CODE,
  DEFAULT_SETTINGS_NAME,
  PATCH_FORCE_ANNOTATION,
  type GlooSettingsPatchArgs,
} from "./settings";
export {
  createGlooSettingsPatch,
  createPlatformGateway,
  createTeamRouteTable,
  registerGlooSettingsPatch,
  registerPlatformGateway,
  registerTeamRouteTable,
  GLOO_SETTINGS_PATCH_TYPE,
  GlooSettingsPatch,
  PLATFORM_GATEWAY_TYPE,
  PlatformGateway,
  TEAM_ROUTE_TABLE_TYPE,
  TeamRouteTable,
  type GlooSettingsPatchResources,
  type PlatformGatewayResources,
  type TeamRouteTableResources,
} from "./team-components";
