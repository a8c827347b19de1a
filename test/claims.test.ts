import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, beforeEach, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CanaryRelease, type CanaryReleaseArgs } from "../src/canary";
import { resetClaims } from "../src/claims";
import { VersionedService } from "../src/kubernetes";
import { assertRefusedWithoutRegistering, ofType, recordResources, type Recording } from "./support/runtime";

const base: CanaryReleaseArgs = {
  service: "payments",
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: 10,
  images: { v1: "registry/payments:1", v2: "registry/payments:2" },
};

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const UNIQUE = "objects no other component of this program writes";

let recording: Recording;

/**
 * Runs `declare` and returns the errors that fail the resources it registers. The SDK fails a program through an
 * unhandled rejection (a resource whose input rejects); they are collected here instead of failing the test, until
 * none has arrived for a while. The registrations waiting on a rejected input never complete: a test that expects
 * failures must not wait for `recording.settle()` afterwards.
 */
async function failuresOf(declare: () => void): Promise<unknown[]> {
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const failures: unknown[] = [];
  process.on("unhandledRejection", (reason) => failures.push(reason));
  try {
    declare();
    for (let seen = -1, quiet = 0; quiet < 10; quiet = failures.length === seen ? quiet + 1 : 0) {
      seen = failures.length;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    process.removeAllListeners("unhandledRejection");
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
  return failures;
}

/** The failures' distinct `InputPropertyError`s, as `propertyPath: reason`; fails on any other error. */
function propertyErrors(failures: unknown[]): string[] {
  return [
    ...new Set(
      failures.map((err) => {
        assert.ok(pulumi.InputPropertyError.isInstance(err), `an InputPropertyError, not ${String(err)}`);
        return `${err.propertyPath}: ${err.reason}`;
      }),
    ),
  ];
}

/** Namespace and name of each recorded resource of `type`, from `from` on. */
function placed(type: string, from: number): string[] {
  return ofType(recording, type, from).map((r) => {
    const m = r.inputs.metadata as { name: string; namespace: string };
    return `${m.namespace}/${m.name}`;
  });
}

describe("objects named after outputs are claimed when the outputs resolve", async () => {
  recording = await recordResources();
  beforeEach(() => resetClaims());
  after(() => {
    // Registrations left waiting on rejected inputs are not leaks of the program under test.
    const sdk = createRequire(require.resolve("@pulumi/pulumi"));
    (sdk("./runtime/state") as { getStore(): { leakCandidates: Set<unknown> } }).getStore().leakCandidates =
      new Set();
    recording.close();
  });

  test("an output namespace that resolved is compared with a plain one, refused before registering", async () => {
    new CanaryRelease("staging-a", { ...base, namespace: pulumi.output("staging") });
    await recording.settle();
    await assertRefusedWithoutRegistering(
      recording,
      () => new CanaryRelease("staging-b", { ...base, namespace: "staging" }),
      /^InvalidArgumentsError: CanaryRelease staging-b: service: got "Deployment staging\/payments-v1, Deployment staging\/payments-v2, Service staging\/payments"; expected objects no other component of this program writes: CanaryRelease staging-a writes them too \(one release per service and namespace: another `service` or `namespace`\)$/m,
    );
  });

  test("output namespaces, domains and VirtualService namespaces that resolve apart are fine", async () => {
    const from = recording.resources.length;
    const failures = await failuresOf(() => {
      for (const colour of ["blue", "green"]) {
        new CanaryRelease(`payments-${colour}`, {
          ...base,
          namespace: pulumi.output(colour),
          gloo: {
            prefix: "/payments",
            domains: [pulumi.output(`${colour}.example.com`)],
            virtualServiceNamespace: pulumi.output(`gloo-${colour}`),
          },
        });
      }
    });
    assert.deepEqual(failures, []);
    await recording.settle();
    assert.deepEqual(placed(DEPLOYMENT, from).sort(), [
      "blue/payments-v1",
      "blue/payments-v2",
      "green/payments-v1",
      "green/payments-v2",
    ]);
    assert.deepEqual(placed("kubernetes:gateway.solo.io/v1:VirtualService", from).sort(), [
      "gloo-blue/payments",
      "gloo-green/payments",
    ]);
  });

  test("two releases of one service in a Namespace given as its output: the second fails, naming both", async () => {
    const from = recording.resources.length;
    const failures = await failuresOf(() => {
      const ns = new k8s.core.v1.Namespace("payments-ns", { metadata: { name: "payments" } });
      new CanaryRelease("payments-a", { ...base, namespace: ns.metadata.name });
      new CanaryRelease("payments-b", { ...base, namespace: ns.metadata.name });
    });
    const errors = propertyErrors(failures);
    assert.equal(errors.length, 1, errors.join("\n"));
    const [, first, second] =
      /^namespace: CanaryRelease (payments-[ab]): service: got "Deployment payments\/payments-v1, Deployment payments\/payments-v2, Service payments\/payments"; expected objects no other component of this program writes: CanaryRelease (payments-[ab]) writes them too \(one release per service and namespace: another `service` or `namespace`\) \(the value resolved from an output\)$/.exec(
        errors[0],
      ) ?? [];
    assert.ok(first && second && first !== second, errors[0]);
    // Only one of them wrote its Deployments and Service.
    assert.deepEqual(placed(DEPLOYMENT, from), ["payments/payments-v1", "payments/payments-v2"]);
    assert.deepEqual(placed("kubernetes:core/v1:Service", from), ["payments/payments"]);
  });

  test("a plain namespace claimed first: the release whose output resolves to it fails, naming both", async () => {
    const failures = await failuresOf(() => {
      new CanaryRelease("prod-a", { ...base, namespace: "prod" });
      new CanaryRelease("prod-b", { ...base, namespace: pulumi.output("prod") });
    });
    assert.deepEqual(propertyErrors(failures), [
      `namespace: CanaryRelease prod-b: service: got "Deployment prod/payments-v1, Deployment prod/payments-v2, Service prod/payments"; expected ${UNIQUE}: CanaryRelease prod-a writes them too (one release per service and namespace: another \`service\` or \`namespace\`) (the value resolved from an output)`,
    ]);
  });

  test("two releases whose Gloo domains resolve to the same host: the second fails, naming both", async () => {
    const from = recording.resources.length;
    const failures = await failuresOf(() => {
      for (const service of ["orders", "invoices"]) {
        new CanaryRelease(service, {
          ...base,
          service,
          gloo: { prefix: `/${service}`, domains: [pulumi.output("shop.example.com")] },
        });
      }
    });
    assert.deepEqual(propertyErrors(failures), [
      `gloo.domains[0]: CanaryRelease invoices: gloo.domains: got "domain \\"shop.example.com\\""; expected ${UNIQUE}: CanaryRelease orders writes it too (give each release its own gloo.domains, or route the releases through a PlatformGateway with gloo.routeTable) (the value resolved from an output)`,
    ]);
    assert.deepEqual(placed("kubernetes:gateway.solo.io/v1:VirtualService", from), ["gloo-system/orders"]);
  });

  test("two RouteTables in a namespace given as an output: the second fails, naming both", async () => {
    const failures = await failuresOf(() => {
      const team = pulumi.output("finance");
      for (const name of ["ledger-a", "ledger-b"]) {
        new CanaryRelease(name, {
          ...base,
          service: "ledger",
          namespace: name,
          gloo: { prefix: "/ledger", routeTable: { team: "finance", namespace: team } },
        });
      }
    });
    assert.deepEqual(propertyErrors(failures), [
      `gloo.routeTable.namespace: CanaryRelease ledger-b: gloo.routeTable.name: got "RouteTable finance/ledger"; expected ${UNIQUE}: CanaryRelease ledger-a writes it too (set gloo.routeTable.name) (the value resolved from an output)`,
    ]);
  });

  test("two VersionedServices in one namespace given as an output: the second fails, naming both", async () => {
    const failures = await failuresOf(() => {
      for (const name of ["ledger-1", "ledger-2"]) {
        new VersionedService(name, {
          service: "ledger",
          namespace: pulumi.output("finance"),
          image: "ledger:1",
          port: 8080,
          versions: [{ version: "v1" }],
        });
      }
    });
    assert.deepEqual(propertyErrors(failures), [
      `namespace: VersionedService ledger-2: service: got "Deployment finance/ledger-v1, Service finance/ledger"; expected ${UNIQUE}: VersionedService ledger-1 writes them too (one VersionedService per service and namespace) (the value resolved from an output)`,
    ]);
  });
});
