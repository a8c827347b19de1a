import * as pulumi from "@pulumi/pulumi";
import { parseReleaseState, type ReleaseState } from "../release/promotion";

/**
 * The stack output that holds every release's state, by release name: what {@link readPreviousReleases} reads
 * back on the next update. A program exports it, e.g. `return { canaryReleases: { payments: payments.state } }`.
 */
export const RELEASES_OUTPUT = "canaryReleases";

/**
 * What the stack the program runs in deployed last: each release's state, by release name, from the stack's own
 * output {@link RELEASES_OUTPUT}, read through a `StackReference` to the stack itself (the engine reads the last
 * successful update's outputs, in `pulumi preview` as in `pulumi up`). Empty on the first deployment.
 * Call it once per program, before the releases are declared, and pass each release its entry as `previous`.
 *
 * A stack output was chosen over a resource holding the state because it needs no provider and no cluster
 * access, and `pulumi stack output canaryReleases` shows the promotion trail.
 */
export async function readPreviousReleases(): Promise<{ [name: string]: ReleaseState }> {
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference("pulumi-canary-previous", { name: self });
  const details = await reference.getOutputDetails(RELEASES_OUTPUT);
  const value: unknown = details.value ?? details.secretValue;
  const states: { [name: string]: ReleaseState } = {};
  if (value === null || typeof value !== "object") return states;
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const state = parseReleaseState(entry);
    if (state !== undefined) states[name] = state;
  }
  return states;
}
