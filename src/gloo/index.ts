// Gloo Edge 1.x: object types, pure builders, and one module per component (its args, builder and class together):
// Upstream, UpstreamGroup, VirtualService, PlatformGateway, TeamRouteTable and GlooSettingsPatch. Routes are built in
// one place (`routes`), delegation rules live in `delegation`, registration plumbing in `register`.
export * from "./types";
export * from "./refs";
export * from "./options";
export * from "./routes";
export * from "./register";
export * from "./delegation";
export * from "./upstream";
export * from "./upstream-group";
export * from "./virtual-service";
export * from "./gateway";
export * from "./route-table";
export * from "./settings";
