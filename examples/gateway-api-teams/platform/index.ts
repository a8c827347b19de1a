// The platform's Gateway (seed 002 on the Gateway API): the platform owns the Gateway and which namespaces may attach
// routes to it; each team owns its HTTPRoute in its own namespace, for the prefix given here (see ../team).
import * as pulumi from "@pulumi/pulumi";
import { SharedGateway } from "pulumi-canary";

const config = new pulumi.Config();

const gateway = new SharedGateway("platform", {
  namespace: "gateway-system",
  gatewayClassName: config.require("gatewayClassName"),
  listeners: [{ name: "http", port: 80 }],
  teams: [
    { team: "echo", namespace: "echo", prefix: "/echo" },
    { team: "foxtrot", namespace: "foxtrot", prefix: "/foxtrot" },
  ],
});

/** The Gateway the teams' routes attach to. */
export const gatewayName = gateway.gatewayName;
/** The prefix of each team, for a team stack to check against. */
export const prefixes = gateway.prefixes;
