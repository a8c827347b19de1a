import type { ReleaseSpec } from "../../src/release";

/** The petstore release (seed 000/001) the Gateway API tests route: v2 at 10 %, header rule `stage: canary`. */
export const PETSTORE_RELEASE: ReleaseSpec = {
  service: "petstore",
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: 10,
  header: { name: "stage", value: "canary" },
};
