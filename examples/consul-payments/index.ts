import * as pulumi from "@pulumi/pulumi";
import {
  ConsulProtocol,
  ConsulTrafficSplit,
  describeSplit,
  parseWeight,
  planRelease,
  VersionedService,
  type ReleaseSpec,
} from "pulumi-canary";

const config = new pulumi.Config();
const useConsul = config.getBoolean("useConsul") ?? true;

/** Blue is the running version, green the canary; the stack decides green's share of the traffic. */
const release: ReleaseSpec = {
  service: "payments",
  stableVersion: "blue",
  canaryVersion: "green",
  canaryWeight: parseWeight("canaryWeight", config.get("canaryWeight") ?? "0"),
};

// Both versions run side by side and register in Consul as the one service "payments"; their pods carry the
// version as service meta, which the resolver's subsets filter on.
const workloads = new VersionedService("payments", {
  service: "payments",
  port: 9090,
  upstreams: ["currency:9091"],
  consulInject: useConsul,
  versions: [
    { version: "blue", image: "nicholasjackson/broken-service:v2.0.0" },
    { version: "green", image: "nicholasjackson/broken-service:v3.0.0" },
  ],
});

// service-defaults (http), service-resolver (subsets blue and green, blue by default) and the service-splitter
// at canaryWeight. The entries wait for the Deployments, so green has pods before it is given traffic.
// useConsul: "false" deploys the workloads alone, on a cluster where Consul is not (yet) installed.
const split = useConsul
  ? new ConsulTrafficSplit(
      "payments",
      { ...release, protocol: ConsulProtocol.Http },
      { dependsOn: [workloads] },
    )
  : undefined;

const plan = planRelease(release);
/** Where the release stands, e.g. "weighted". */
export const phase = plan.phase;
/** The split as text, e.g. "blue 50% / green 50%". */
export const trafficSplit = describeSplit(plan.destinations);
/** The Kubernetes Deployments' names, by version. */
export const deployments = Object.fromEntries(
  Object.entries(workloads.deployments).map(([version, deployment]) => [version, deployment.metadata.name]),
);
/** The Consul service-splitter's name. */
export const splitter = split?.splitter?.name;
