// A team's release on the platform's Gateway "platform" (gateway-system). The team owns its HTTPRoute in its own
// namespace; a route outside the prefix the platform gave it (config `prefix`) is refused before anything is applied.
//   phase 1 (canaryWeight 0, canaryHeader stage=canary): requests with "stage: canary" -> canary, others -> stable
//   phase 2 (canaryWeight 1..99): stable and canary split by weight
//
//   pulumi stack select foxtrot-dev && pulumi config set canaryWeight 10 && pulumi up
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, readPreviousReleases, readReleaseConfig, requirePathPrefix } from "pulumi-canary";

export = async () => {
  const config = new pulumi.Config();
  const team = config.require("team");
  // The prefix the platform gave the team, and the one this release serves (within it; defaults to all of it).
  const prefix = requirePathPrefix("prefix", config.require("prefix"));
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
      team: { team, prefix },
    },
  });

  return {
    canaryReleases: { [team]: app.state },
    /** Where the release stands, e.g. "weighted". */
    phase: app.phase,
    /** Percent of traffic per version on the team's HTTPRoute. */
    weights: app.weights,
  };
};
