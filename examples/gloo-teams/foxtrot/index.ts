// The foxtrot team's release on the platform's gateway, owned by the foxtrot team in namespace foxtrot.
// One CanaryRelease holds it all: a Deployment per version, the Service, an Upstream per version and the
// RouteTable "foxtrot" (labelled pulumi-canary/team=foxtrot) for the prefix the platform delegated (config `prefix`):
//   phase 1 (canaryWeight 0, canaryHeader stage=canary): requests with "stage: canary" -> canary, others -> stable
//   phase 2 (canaryWeight 1..99): stable and canary split by weight (the header route stays while it is set)
//   canaryWeight 100: everything to the canary; then set stableVersion to it and remove canaryVersion.
//
//   pulumi config set canaryWeight 10 && pulumi up
//
// The platform delegates by selector, so this program needs nothing from the platform's stack: only its prefix.
// What the stack deployed last is read back from its own output canaryReleases (the promotion policy's input).
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, readPreviousReleases, readReleaseConfig, requirePathPrefix } from "pulumi-canary";

export = async () => {
  // prefix, then stableVersion, canaryVersion, canaryWeight, canaryHeader, images: validated before anything is
  // created.
  const prefix = requirePathPrefix("prefix", new pulumi.Config().require("prefix"));
  const release = readReleaseConfig();
  const previous = await readPreviousReleases();

  const foxtrot = new CanaryRelease("foxtrot", {
    service: "foxtrot",
    namespace: "foxtrot",
    ...release,
    previous: previous.foxtrot,
    port: 8080,
    env: { LISTEN_ADDR: "0.0.0.0:8080", NAME: "foxtrot" },
    gloo: { prefix, routeTable: { team: "foxtrot" } },
  });

  return {
    /** What the release deployed, the step before and the trail: the next update reads it back. */
    canaryReleases: { foxtrot: foxtrot.state },
    /** Where the release stands, e.g. "weighted". */
    phase: foxtrot.phase,
    /** Percent of traffic per version at the gateway. */
    weights: foxtrot.weights,
  };
};
