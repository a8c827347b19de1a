// The flagship program: one service, payments, released through Gloo Edge and Consul at once.
// Everything the release does follows from the stack's config:
//   pulumi config set canaryWeight 10 && pulumi up
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, ConsulProtocol, readReleaseConfig } from "pulumi-canary";

// stableVersion, canaryVersion, canaryWeight, canaryHeader, images, replicas: validated before anything is created.
const release = readReleaseConfig();
// useConsul: "false" on a cluster without Consul: no Consul entries and no sidecar injection; Gloo alone routes.
const useConsul = new pulumi.Config().getBoolean("useConsul") ?? true;

const payments = new CanaryRelease("payments", {
  service: "payments",
  ...release,
  port: 9090,
  env: { NAME: "payments" },
  // Edge traffic: /payments on the gateway, header canary route first, then the weighted split.
  gloo: { prefix: "/payments", options: { prefixRewrite: "/" } },
  // Mesh traffic: service-defaults, a resolver subset per version, the splitter and the header router.
  consul: useConsul ? { protocol: ConsulProtocol.Http, upstreams: ["currency:9091"] } : undefined,
});

/** Where the release stands: stable, standby, header-testing, weighted or shifted. */
export const phase = payments.phase;
/** Percent of traffic per version, for Gloo and for Consul. */
export const weights = payments.weights;
/** The versions running. */
export const versions = payments.versions;
/** The header rule that reaches the canary whatever the weight. */
export const headerRoute = payments.headerRoute;
