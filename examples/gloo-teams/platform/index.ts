// The platform's share of the Gloo gateway (owned by the platform team):
//   VirtualService "gateway" in gloo-system, domains from config (["*"]):
//     /echo     -> RouteTables labelled pulumi-canary/team=echo in namespace echo
//     /foxtrot  -> RouteTables labelled pulumi-canary/team=foxtrot in namespace foxtrot
//   Gloo's default Settings: routes with errors are answered 404 with a message, valid routes keep updating.
//
// The teams own their RouteTables in their own projects (../echo, ../foxtrot); nothing here changes when
// they move their canaries.
import * as pulumi from "@pulumi/pulumi";
import { GlooSettingsPatch, PlatformGateway } from "pulumi-canary";

const config = new pulumi.Config();
const domains = config.getObject<string[]>("domains") ?? ["*"];

const gateway = new PlatformGateway("gateway", {
  namespace: "gloo-system",
  domains,
  teams: [
    { team: "echo", prefix: "/echo", namespace: "echo" },
    { team: "foxtrot", prefix: "/foxtrot", namespace: "foxtrot" },
  ],
});

// Without this, one team's invalid route (say, to a missing Upstream) freezes every team's routes at Gloo's
// last good configuration; with it, only the invalid route is replaced by this response.
new GlooSettingsPatch("gloo-settings", {
  replaceInvalidRoutes: true,
  invalidRouteResponseCode: 404,
  invalidRouteResponseBody:
    "Gloo Gateway has invalid configuration. Administrators should run `glooctl check` to find and fix config errors.",
});

/** The gateway's VirtualService, `namespace/name`. */
export const virtualService = `${gateway.namespace}/${gateway.name}`;
/** The prefix delegated to each team: what each team sets as its `prefix` config. */
export const prefixes = gateway.prefixes;
