import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { CanaryRelease } from "../../src/canary";
import { resetClaims } from "../../src/claims";
import { ConsulProtocol } from "../../src/consul";

// Under the mock runtime, the create of `failing` never completes: as under the engine, where a failed create
// stops the update before the program's outputs are registered.
let failing = { type: "", name: "" };
/** Completes the held create at the end, so that no registration is left open when the process exits. */
const held: Array<() => void> = [];

/** Resolves with the output's value, or "pending" when it has not resolved within half a second. */
function settled<T>(output: pulumi.Output<T>): Promise<string | T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("pending"), 500);
    output.apply((v) => {
      clearTimeout(timer);
      resolve(v);
      return v;
    });
  });
}

describe("CanaryRelease.state waits for every child", async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const result = { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
        if (args.type === failing.type && args.name === failing.name) {
          return new Promise((resolve) => held.push(() => resolve(result)));
        }
        return { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "test",
    "dev",
    false,
  );
  after(() => held.forEach((complete) => complete()));
  const args = {
    service: "payments",
    stableVersion: "v1",
    canaryVersion: "v2",
    canaryWeight: 50,
    images: { v1: "registry/payments:1", v2: "registry/payments:2" },
    gloo: { prefix: "/payments" },
    consul: { protocol: ConsulProtocol.Http },
  };

  test("every child created: the state is what the update deployed", async () => {
    failing = { type: "", name: "" };
    resetClaims();
    const release = new CanaryRelease("ok", { ...args, namespace: "ok" });
    const state = (await settled(release.state)) as { current: { canaryWeight: number } };
    assert.equal(state.current.canaryWeight, 50);
  });

  test("one child not created: the state does not resolve, so the stack keeps the last successful deployment's", async () => {
    failing = { type: "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter", name: "failed" };
    resetClaims();
    const release = new CanaryRelease("failed", { ...args, namespace: "failed" });
    assert.equal(await settled(release.phase), "weighted", "the phase does not wait");
    const state = await settled(release.state);
    assert.equal(state, "pending");
  });
});
