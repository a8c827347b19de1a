// The echo team's routes on the platform's gateway (owned by the echo team, in namespace echo):
//   Upstreams echo-<version> for the Service echo (port 8080), one per running version;
//   RouteTable "echo", labelled pulumi-canary/team=echo, for the prefix the platform delegated (config `prefix`):
//     phase 1 (canaryWeight 0, canaryHeader stage=canary): requests with "stage: canary" -> canary, others -> stable
//     phase 2 (canaryWeight 1..99): stable and canary split by weight (the header route stays while it is set)
//     canaryWeight 100: everything to the canary; then set stableVersion to it and remove canaryVersion.
//
//   pulumi config set canaryWeight 10 && pulumi up
//
// The platform delegates by selector, so this program needs nothing from the platform's stack: only its prefix.
import * as pulumi from "@pulumi/pulumi";
import { readReleaseConfig, requirePathPrefix, TeamRouteTable, Upstream } from "pulumi-canary";

const team = "echo";
const namespace = "echo";

// prefix, then stableVersion, canaryVersion, canaryWeight, canaryHeader: validated before anything is created.
const prefix = requirePathPrefix("prefix", new pulumi.Config().require("prefix"));
const { stableVersion, canaryVersion, canaryWeight, header } = readReleaseConfig();

// One Upstream per running version of the Service, selecting that version's pods.
const upstreams = [stableVersion, ...(canaryVersion ? [canaryVersion] : [])].map(
  (version) => new Upstream(`echo-${version}`, { service: "echo", version, namespace, port: 8080 }),
);

const routes = new TeamRouteTable(team, {
  team,
  prefix,
  namespace,
  upstreams,
  routes: [
    {
      prefix,
      release: { service: "echo", stableVersion, canaryVersion, canaryWeight, header },
    },
  ],
});

/** The RouteTable, `namespace/name`. */
export const routeTable = `${routes.namespace}/${routes.name}`;
/** The split of the release route, e.g. `{ "routes[0] (/echo)": "v1 90% / v2 10%" }`. */
export const splits = routes.splits;
