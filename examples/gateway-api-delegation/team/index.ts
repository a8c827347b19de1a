// A team's release under its parent HTTPRoute (kgateway route delegation, see ../platform): the team's HTTPRoute
// names the parent route "platform-<team>" in gateway-system instead of the Gateway, and carries no host names (the
// parent holds them). A route outside the team's prefix is refused before anything is applied, and kgateway would
// not route it either.
//
//   pulumi stack select foxtrot-prod && pulumi config set canaryWeight 10 && pulumi up
import * as pulumi from "@pulumi/pulumi";
import {
  CanaryRelease,
  TeamRouting,
  readPreviousReleases,
  readReleaseConfig,
  requireGatewayPath,
} from "pulumi-canary";

export = async () => {
  const config = new pulumi.Config();
  const team = config.require("team");
  // The prefix the platform gave the team, and the one this release serves (within it; defaults to all of it).
  const prefix = requireGatewayPath("prefix", config.require("prefix"));
  const routePrefix = config.get("routePrefix") ?? prefix;
  const release = readReleaseConfig();
  const previous = await readPreviousReleases();

  const app = new CanaryRelease(team, {
    service: team,
    namespace: team,
    ...release,
    previous: previous[team],
    port: 8080,
    env: { LISTEN_ADDR: "0.0.0.0:8080", NAME: team },
    gatewayApi: {
      gateway: { name: "platform", namespace: "gateway-system" },
      prefix: routePrefix,
      team: { team, prefix, routing: TeamRouting.Delegation },
    },
  });

  return {
    canaryReleases: { [team]: app.state },
    /** Where the release stands, e.g. "standby". */
    phase: app.phase,
    /** Percent of traffic per version on the team's HTTPRoute. */
    weights: app.weights,
  };
};
