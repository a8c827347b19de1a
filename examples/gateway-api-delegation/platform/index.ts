// The platform's Gateway with kgateway route delegation: the Gateway's listener admits only routes of its own
// namespace, and a parent HTTPRoute per team (in gateway-system) hands the team's prefix to the HTTPRoutes of the
// team's namespace. kgateway itself then keeps each team inside its prefix and namespace (see ../team).
import * as pulumi from "@pulumi/pulumi";
import { SharedGateway, TeamRouting } from "pulumi-canary";

const config = new pulumi.Config();

const gateway = new SharedGateway("platform", {
  namespace: "gateway-system",
  gatewayClassName: config.require("gatewayClassName"),
  listeners: [{ name: "http", port: 80, hostname: "*.example.com" }],
  teamRouting: TeamRouting.Delegation,
  teams: [
    { team: "echo", namespace: "echo", prefix: "/echo", hostnames: ["api.example.com"] },
    { team: "foxtrot", namespace: "foxtrot", prefix: "/foxtrot", hostnames: ["api.example.com"] },
  ],
});

/** The Gateway the teams' parent routes attach to. */
export const gatewayName = gateway.gatewayName;
/** The prefix of each team. */
export const prefixes = gateway.prefixes;
/** Each team's parent HTTPRoute in gateway-system, the parent its releases' routes name. */
export const parentRoutes = gateway.parentRoutes;
