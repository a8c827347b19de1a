// The petstore canary on Gloo Edge (the "coalmine" VirtualService in gloo-system):
//   /findPets       -> petstore v2
//   /findPetWithId  -> petstore v1 and v2, split by the stack's canaryWeight (v2's percent)
//   /petstore       -> petstore v1, with the prefix rewritten to /api/pets/
//
//   pulumi config set canaryWeight 10        # v1 90 / v2 10; 0 sends all to v1, 100 all to v2
//   pulumi config set useUpstreamGroup true  # the split moves to the UpstreamGroup "petstore"
import * as pulumi from "@pulumi/pulumi";
import { parseWeight, Upstream, VirtualService } from "pulumi-canary";

const config = new pulumi.Config();
const canaryWeight = parseWeight("canaryWeight", config.get("canaryWeight") ?? "0");
const useUpstreamGroup = config.getBoolean("useUpstreamGroup") ?? false;

// One Upstream per version of the Service "petstore" (namespace default, port 8080), selecting that version's pods.
const petstoreV1 = new Upstream("petstore-v1", {
  service: "petstore",
  version: "v1",
  namespace: "default",
  port: 8080,
});
const petstoreV2 = new Upstream("petstore-v2", {
  service: "petstore",
  version: "v2",
  namespace: "default",
  port: 8080,
});

const coalmine = new VirtualService("coalmine", {
  name: "coalmine",
  namespace: "gloo-system",
  displayName: "coalmine",
  domains: ["*"],
  upstreams: [petstoreV1, petstoreV2],
  routes: [
    { prefix: "/findPets", single: petstoreV2 },
    {
      prefix: "/findPetWithId",
      release: { service: "petstore", stableVersion: "v1", canaryVersion: "v2", canaryWeight },
      useUpstreamGroup,
    },
    { prefix: "/petstore", single: petstoreV1, options: { prefixRewrite: "/api/pets/" } },
  ],
});

/** The split of each release route, e.g. { "routes[1] (/findPetWithId)": "v1 90% / v2 10%" }. */
export const splits = coalmine.splits;
export const virtualService = `${coalmine.namespace}/${coalmine.name}`;
