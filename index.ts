// The flagship program: one service, payments, released through Gloo Edge and Consul at once.
// Everything the release does follows from the stack's config:
//   pulumi config set canaryWeight 10 && pulumi up
// and from what the stack deployed last (read back from its own output canaryReleases), which the stack's
// promotion policy (maxStep, requireHeaderTesting) judges each update against.
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, ConsulProtocol, readPreviousReleases, readReleaseConfig } from "pulumi-canary";

export = async () => {
  // stableVersion, canaryVersion, canaryWeight, canaryHeader, images, replicas and the stack's promotion policy:
  // validated before anything is created.
  const release = readReleaseConfig();
  // useConsul: "false" on a cluster without Consul: no Consul entries and no sidecar injection; Gloo alone routes.
  const useConsul = new pulumi.Config().getBoolean("useConsul") ?? true;
  const previous = await readPreviousReleases();

  const payments = new CanaryRelease("payments", {
    service: "payments",
    ...release,
    previous: previous.payments,
    port: 9090,
    env: { NAME: "payments" },
    // Edge traffic: /payments on the gateway, header canary route first, then the weighted split.
    gloo: { prefix: "/payments", options: { prefixRewrite: "/" } },
    // Mesh traffic: service-defaults, a resolver subset per version, the splitter and the header router.
    consul: useConsul ? { protocol: ConsulProtocol.Http, upstreams: ["currency:9091"] } : undefined,
  });

  return {
    /** What each release deployed, the step before and the trail: the next update reads it back. */
    canaryReleases: { payments: payments.state },
    /** Where the release stands: stable, standby, header-testing, weighted or shifted. */
    phase: payments.phase,
    /** Percent of traffic per version, for Gloo and for Consul. */
    weights: payments.weights,
    /** The versions running. */
    versions: payments.versions,
    /** The header rule that reaches the canary whatever the weight. */
    headerRoute: payments.headerRoute,
  };
};
