import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import {
  CanaryRelease,
  planCanaryRelease,
  readPreviousReleases,
  type CanaryReleaseArgs,
} from "../../src/canary";
import { resetClaims } from "../../src/claims";
import { ConsulProtocol } from "../../src/consul";
import { nextReleaseState, planRelease, type ReleaseSpec, type ReleaseState } from "../../src/release";
import { startRecording } from "../../src/render/recorder";
import * as pulumi from "@pulumi/pulumi";
import { assertRefusedWithoutRegistering, valueOf, type Recording } from "../support/runtime";

const header = { name: "stage", value: "canary" };
const images = { v1: "registry/payments:1", v2: "registry/payments:2" };
const at = (weight: number): ReleaseSpec => ({
  service: "payments",
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: weight,
  header,
});
/** The state of a deployment at `weight` after header testing. */
const deployedAt = (weight: number): ReleaseState =>
  nextReleaseState(planRelease(at(weight)), nextReleaseState(planRelease(at(0)), undefined));

const finalize: CanaryReleaseArgs = {
  service: "payments",
  stableVersion: "v2",
  images,
  gloo: { prefix: "/payments", domains: ["payments.example.com"] },
  consul: { protocol: ConsulProtocol.Http },
};

let recording: Recording;
const previousOutputs = { canaryReleases: { payments: deployedAt(50), junk: { current: 1 } } };

/** Registrations of `declare`, settled: type token, name and the URNs of their dependencies. */
async function registered(declare: () => void) {
  await recording.settle();
  const from = recording.resources.length;
  declare();
  await recording.settle();
  return recording.resources.slice(from);
}

describe("CanaryRelease with the previous deployment", async () => {
  recording = await startRecording(pulumi, {
    project: "test",
    stack: "prod",
    config: {},
    stackOutputs: previousOutputs,
  });
  beforeEach(() => resetClaims());
  after(() => recording.close());

  test("readPreviousReleases reads the stack's own canaryReleases output, skipping what is no state", async () => {
    const previous = await readPreviousReleases();
    assert.deepEqual(Object.keys(previous), ["payments"]);
    assert.deepEqual(previous.payments, deployedAt(50));
  });

  test("finalize from 50 %: Consul's plain order, v1's resolver subset kept for one update", async () => {
    const resources = await registered(
      () => new CanaryRelease("fin", { ...finalize, previous: deployedAt(50) }),
    );
    const consul = resources.filter((r) => r.type.startsWith("consul:"));
    assert.deepEqual(
      consul.map((r) => r.type),
      [
        "consul:index/configEntry:ConfigEntry",
        "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver",
        "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter",
      ],
    );
    const [defaults, resolver, splitter] = consul;
    // The splitter waits for the resolver, so the engine deletes it first too (as Consul requires).
    assert.deepEqual(resolver.dependencies, [defaults.urn]);
    assert.ok(splitter.dependencies.includes(resolver.urn));
    assert.deepEqual(
      (resolver.inputs.subsets as { name: string }[]).map((s) => s.name),
      ["v2", "v1"],
      "v1's subset stays while the splitter moves its traffic off",
    );
    assert.deepEqual(
      (splitter.inputs.splits as { serviceSubset: string; weight: number }[]).map((s) => [
        s.serviceSubset,
        s.weight,
      ]),
      [["v2", 100]],
    );
    const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    assert.deepEqual(deployment?.dependencies, [defaults.urn, resolver.urn]);
  });

  test("the update after it drops the kept subset; without a previous deployment nothing is kept", async () => {
    const kept = nextReleaseState(planRelease({ service: "payments", stableVersion: "v2" }), deployedAt(50), {
      keptSubsets: ["v1"],
    });
    const next = await registered(() => new CanaryRelease("next", { ...finalize, previous: kept }));
    const resolver = next.find((r) => r.type.endsWith("ConfigEntryServiceResolver"))!;
    assert.deepEqual(
      (resolver.inputs.subsets as { name: string }[]).map((s) => s.name),
      ["v2"],
    );
    resetClaims();
    const plain = await registered(() => new CanaryRelease("plain", { ...finalize }));
    const consul = plain.filter((r) => r.type.startsWith("consul:")).map((r) => r.type.split(":").pop());
    assert.deepEqual(consul, ["ConfigEntry", "ConfigEntryServiceResolver", "ConfigEntryServiceSplitter"]);
  });

  test("a step past maxStep is refused, naming key, values and policy, with nothing registered", async () => {
    await assertRefusedWithoutRegistering(
      recording,
      () =>
        new CanaryRelease("jump", {
          ...finalize,
          ...at(100),
          previous: deployedAt(10),
          policy: { maxStep: 25, source: "stack prod" },
        }),
      /CanaryRelease jump: canaryWeight: got 100; expected at most 35 after 10 was deployed \(maxStep 25 on stack prod/,
    );
  });

  test("canaryForce lets the step through and records it in the state output", async () => {
    let release: CanaryRelease | undefined;
    await registered(() => {
      release = new CanaryRelease("forced", {
        ...finalize,
        ...at(100),
        previous: deployedAt(10),
        policy: { maxStep: 25, force: true },
      });
    });
    const state = await valueOf(release!.state);
    assert.equal(state.current.canaryWeight, 100);
    assert.equal(state.previous?.canaryWeight, 10);
    assert.equal(state.forced?.length, 1);
    assert.match(state.forced![0], /canaryWeight: got 100; expected at most 35/);
    assert.deepEqual(state.trail.slice(-2), [
      "weighted v1 90% / v2 10% (header → v2)",
      "shifted v2 100% (header → v2) (forced)",
    ]);
  });

  test("canaryForce that overrides nothing, and a policy with no previous deployment, are said in the update's log", () => {
    const idle = planCanaryRelease("idle", {
      ...finalize,
      ...at(25),
      previous: deployedAt(10),
      policy: { maxStep: 25, force: true },
    });
    assert.deepEqual(idle.notes, [
      {
        warning: true,
        message:
          "canaryForce is set but this update breaks no rule: remove it (pulumi config rm canaryForce)",
      },
    ]);
    const blind = planCanaryRelease("blind", {
      ...finalize,
      ...at(50),
      policy: { maxStep: 25, requireHeaderTesting: true },
    });
    assert.equal(blind.notes.length, 1);
    assert.match(
      blind.notes[0].message,
      /^no previous deployment of this release is known .*: the promotion policy \(maxStep 25, requireHeaderTesting\) judges nothing in this update$/,
    );
    assert.deepEqual(planCanaryRelease("plain", { ...finalize, ...at(50) }).notes, []);
  });
});
