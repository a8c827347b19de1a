// The petstore canary of seeds 000/001 on the Kubernetes Gateway API (any implementation: kgateway, Envoy Gateway,
// Istio, ...). The HTTPRoute "petstore" on the Gateway "public" (listener *.example.com):
//   petstore.example.com/petstore with "stage: canary"  -> petstore v2
//   petstore.example.com/petstore                       -> petstore v1 and v2, split by canaryWeight
// with the prefix rewritten to /api/pets/. Each version has its own Service (petstore-v1, petstore-v2): Gateway API
// backends are Services.
//
//   pulumi config set canaryWeight 10 && pulumi up
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease, SharedGateway, readPreviousReleases, readReleaseConfig } from "pulumi-canary";

export = async () => {
  const release = readReleaseConfig();
  const previous = await readPreviousReleases();
  const gatewayClassName = new pulumi.Config().get("gatewayClassName") ?? "kgateway";

  const gateway = new SharedGateway("public", {
    namespace: "gateway-system",
    gatewayClassName,
    listeners: [{ name: "http", port: 80, hostname: "*.example.com" }],
    teams: [{ team: "petstore", namespace: "default", prefix: "/petstore" }],
  });

  const petstore = new CanaryRelease(
    "petstore",
    {
      service: "petstore",
      ...release,
      previous: previous.petstore,
      port: 8080,
      gatewayApi: {
        gateway: { name: "public", namespace: "gateway-system", sectionName: "http" },
        listenerHostname: "*.example.com",
        hostnames: ["petstore.example.com"],
        prefix: "/petstore",
        options: { prefixRewrite: "/api/pets/", timeout: "10s" },
      },
    },
    { dependsOn: [gateway] },
  );

  return {
    canaryReleases: { petstore: petstore.state },
    /** Where the release stands, e.g. "weighted". */
    phase: petstore.phase,
    /** Percent of traffic per version on the HTTPRoute. */
    weights: petstore.weights,
  };
};
