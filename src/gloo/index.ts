// Gloo Edge 1.x routing: object models, pure builders and the Upstream, UpstreamGroup and VirtualService
// components. Validation helpers stay in their modules.
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
  type UpstreamGroupResources,
  type UpstreamResources,
  type VirtualServiceResources,
} from "./components";
