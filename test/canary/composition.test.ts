import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as consul from "@pulumi/consul";
import * as k8s from "@pulumi/kubernetes";
import { InvalidArgumentsError, withResolvedInputs } from "../../src/arguments";
import { CanaryRelease, type CanaryReleaseArgs } from "../../src/canary";
import { readReleaseConfig, readReleaseConfigs } from "../../src/canary/config";
import { resetClaims } from "../../src/claims";
import { ConsulProtocol } from "../../src/consul";
import { PendingInputs } from "../../src/release/pending";
import { requireDnsLabel } from "../../src/release";
import { renderObjects, type RenderedObject } from "../../src/render/emit";
import {
  assertRefusedWithoutRegistering,
  recordResources,
  valueOf,
  type Recording,
} from "../support/runtime";

const base: CanaryReleaseArgs = {
  service: "payments",
  stableVersion: "v1",
  canaryVersion: "v2",
  canaryWeight: 10,
  images: { v1: "registry/payments:1", v2: "registry/payments:2" },
  gloo: { prefix: "/payments", domains: ["payments.example.com"] },
  consul: { protocol: ConsulProtocol.Http },
};

type Obj = Record<string, unknown>;
const kinds = (objects: RenderedObject[], kind: string): Obj[] =>
  objects.filter((o) => o.object.kind === kind).map((o) => o.object as Obj);
const meta = (o: Obj) => o.metadata as { name: string; namespace: string };

let recording: Recording;

/** What a block registers, rendered. */
async function rendered(declare: () => void): Promise<RenderedObject[]> {
  await recording.settle();
  const from = recording.resources.length;
  declare();
  await recording.settle();
  return renderObjects(recording.resources.slice(from)).objects;
}

describe("CanaryRelease composition", async () => {
  recording = await recordResources(
    {
      releases: JSON.stringify({ payments: { stableVersion: "v1", canaryWeight: 7 } }),
      canaryWieght: "25",
      stableVersion: "v1",
      otherSetting: "kept",
    },
    "test",
  );
  // Each test stands for its own program.
  beforeEach(() => resetClaims());
  after(() => recording.close());

  test("a Namespace's name and a build's image, as outputs, reach every object once resolved", async () => {
    const objects = await rendered(() => {
      const ns = new k8s.core.v1.Namespace("payments-ns", { metadata: { name: "payments" } });
      const build = new k8s.core.v1.ConfigMap("build", {
        metadata: { name: "build", namespace: "ci" },
        data: { image: "registry/payments@sha256:abc" },
      });
      new CanaryRelease("from-outputs", {
        ...base,
        namespace: ns.metadata.name,
        images: { v1: "registry/payments:1", v2: build.data.apply((d) => d.image) },
      });
    });
    const deployments = kinds(objects, "Deployment");
    assert.deepEqual(
      deployments.map((d) => meta(d).namespace),
      ["payments", "payments"],
    );
    const v2 = deployments.find((d) => meta(d).name === "payments-v2") as Obj;
    const container = ((v2.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers[0];
    assert.equal(container.image, "registry/payments@sha256:abc");
    assert.equal(meta(kinds(objects, "Service")[0]).namespace, "payments");
    assert.deepEqual(
      kinds(objects, "Upstream").map((u) => [
        meta(u).namespace,
        ((u.spec as Obj).kube as Obj).serviceNamespace,
      ]),
      [
        ["payments", "payments"],
        ["payments", "payments"],
      ],
    );
    const routes = (
      (kinds(objects, "VirtualService")[0].spec as Obj).virtualHost as { routes: Array<{ routeAction: Obj }> }
    ).routes;
    assert.match(JSON.stringify(routes), /"namespace":"payments"/);
    assert.doesNotMatch(JSON.stringify(objects), /pending-/, "no placeholder is left in any object");
  });

  test("pod label and annotation values may be outputs too", async () => {
    const objects = await rendered(() => {
      const owner = new k8s.core.v1.ConfigMap("owner", {
        metadata: { name: "owner" },
        data: { team: "billing" },
      });
      new CanaryRelease("labelled", {
        ...base,
        podLabels: { team: owner.data.apply((d) => d.team) },
        podAnnotations: { "example.com/owner": owner.data.apply((d) => `team-${d.team}`) },
      });
    });
    for (const d of kinds(objects, "Deployment")) {
      const template = (d.spec as { template: { metadata: { labels: Obj; annotations: Obj } } }).template;
      assert.equal(template.metadata.labels.team, "billing");
      assert.equal(template.metadata.annotations["example.com/owner"], "team-billing");
    }
  });

  test("a value that resolves to something refused fails with the SDK's InputPropertyError naming it", async () => {
    const pending = new PendingInputs();
    const placeholder = pending.string("namespace", pulumi.output("Not A Label"), (v) =>
      requireDnsLabel("namespace", v, "CanaryRelease x"),
    );
    const args = withResolvedInputs(
      { metadata: { namespace: placeholder }, spec: { replicas: 1 } },
      pending.list,
    );
    assert.deepEqual(args.spec, { replicas: 1 }, "a property without placeholders is kept as it is");
    // Every promise the Output holds rejects, as the engine sees when it registers a resource with it.
    const metadata = args.metadata as unknown as {
      promise(): Promise<unknown>;
      isKnown: Promise<boolean>;
      isSecret: Promise<boolean>;
    };
    const settled = await Promise.allSettled([metadata.promise(), metadata.isKnown, metadata.isSecret]);
    assert.ok(settled.every((r) => r.status === "rejected"));
    const err = (settled[0] as PromiseRejectedResult).reason as unknown;
    assert.ok(pulumi.InputPropertyError.isInstance(err));
    assert.equal(err.propertyPath, "namespace");
    assert.match(err.reason, /namespace: got "Not A Label"; expected a DNS-1123 label/);
  });

  test("plain values are checked at once; outputs are not touched", () => {
    const pending = new PendingInputs();
    assert.equal(
      pending.string("namespace", "payments", (v) => requireDnsLabel("namespace", v)),
      "payments",
    );
    assert.throws(() => pending.string("namespace", "Bad", (v) => requireDnsLabel("namespace", v)));
    assert.equal(pending.list.length, 0);
  });

  test("children are reachable: Deployments by version, Service, Upstreams, VirtualService, Consul entries", async () => {
    let release: CanaryRelease | undefined;
    await rendered(() => {
      release = new CanaryRelease("handles", { ...base, gloo: { ...base.gloo, useUpstreamGroup: true } });
    });
    const r = release as CanaryRelease;
    assert.deepEqual(Object.keys(r.deployments).sort(), ["v1", "v2"]);
    assert.deepEqual(Object.keys(r.upstreams).sort(), ["v1", "v2"]);
    assert.ok(r.virtualService);
    assert.equal(r.routeTable, undefined);
    assert.ok(r.upstreamGroup);
    assert.ok(r.consulEntries?.splitter);
    assert.equal(await valueOf(r.serviceName), "payments");
    assert.equal(await valueOf(r.namespace), "default");
    const pdb = new k8s.policy.v1.PodDisruptionBudget("payments-v2-pdb", {
      spec: { minAvailable: 1, selector: r.deployments.v2.spec.selector },
    });
    await recording.settle();
    const recorded = recording.resources.find((x) => x.name === "payments-v2-pdb");
    assert.deepEqual((recorded?.inputs.spec as Obj).selector, {
      matchLabels: { app: "payments", version: "v2" },
    });
    assert.ok(pdb);
  });

  test("two releases of one service in one namespace are refused, naming both", async () => {
    new CanaryRelease("payments-a", base);
    await assertRefusedWithoutRegistering(
      recording,
      () => new CanaryRelease("payments-b", { ...base, gloo: { prefix: "/b", domains: ["b.example.com"] } }),
      /^InvalidArgumentsError: CanaryRelease payments-b: service: got "Deployment default\/payments-v1, Deployment default\/payments-v2, Service default\/payments, Upstream default\/payments-v1, Upstream default\/payments-v2"; expected objects no other component of this program writes: CanaryRelease payments-a writes them too \(one release per service and namespace/m,
    );
  });

  test("two releases claiming domain * of the gateway are refused; own domains or a RouteTable are fine", async () => {
    const star = { gloo: { prefix: "/" } };
    new CanaryRelease("orders", { ...base, service: "orders", ...star });
    await assertRefusedWithoutRegistering(
      recording,
      () => new CanaryRelease("invoices", { ...base, service: "invoices", ...star }),
      /gloo\.domains: got "domain \\"\*\\""; expected objects no other component of this program writes: CanaryRelease orders writes it too \(give each release its own gloo\.domains, or route the releases through a PlatformGateway with gloo\.routeTable\)/,
    );
    new CanaryRelease("refunds", {
      ...base,
      service: "refunds",
      gloo: { prefix: "/r", domains: ["refunds.example.com"] },
    });
    new CanaryRelease("ledger", {
      ...base,
      service: "ledger",
      gloo: { prefix: "/ledger", routeTable: { team: "finance" } },
    });
  });

  test("the same release in two clusters (two providers) is fine; through one provider it clashes", async () => {
    const east = new k8s.Provider("east", { kubeconfig: "east" });
    const west = new k8s.Provider("west", { kubeconfig: "west" });
    const consulEast = new consul.Provider("consul-east", { address: "east:8500" });
    const consulWest = new consul.Provider("consul-west", { address: "west:8500" });
    await rendered(() => {
      new CanaryRelease("payments-east", base, { providers: [east, consulEast] });
      new CanaryRelease("payments-west", base, { providers: { kubernetes: west, consul: consulWest } });
    });
    // A component under a parent that holds the provider writes through it too.
    const parent = new pulumi.ComponentResource("test:index:Cluster", "east-apps", {}, { providers: [east] });
    await assertRefusedWithoutRegistering(
      recording,
      () => new CanaryRelease("payments-east-2", base, { parent, providers: [consulEast] }),
      /CanaryRelease payments-east-2: service: got "Deployment default\/payments-v1, .*CanaryRelease payments-east writes them too/,
    );
    // Same cluster, another Consul: the Kubernetes objects clash, the Consul entries do not.
    resetClaims();
    new CanaryRelease("payments-a", base, { provider: east });
    let message = "";
    try {
      new CanaryRelease("payments-b", base, { providers: [east, consulWest] });
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /Deployment default\/payments-v1/);
    assert.doesNotMatch(message, /Consul service-resolver/);
  });

  test("the same release in two namespaces is fine, with its own VirtualService name and domains", async () => {
    await rendered(() => {
      new CanaryRelease("payments-blue", { ...base, namespace: "blue", consul: undefined });
      new CanaryRelease("payments-green", {
        ...base,
        namespace: "green",
        consul: undefined,
        gloo: { prefix: "/payments", domains: ["green.example.com"], virtualServiceName: "payments-green" },
      });
    });
  });

  test("workload settings: probes, service account, security contexts, pod labels and annotations, canary replicas", async () => {
    const objects = await rendered(() => {
      new CanaryRelease("settings", {
        ...base,
        replicas: 6,
        canaryReplicas: 1,
        versionResources: { v2: { limits: { memory: "256Mi" } } },
        resources: { requests: { cpu: "100m" } },
        serviceAccountName: "payments",
        livenessProbe: { httpGet: { path: "/health", port: "http" } },
        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
        securityContext: { runAsNonRoot: true },
        podSecurityContext: { fsGroup: 2000 },
        podLabels: { team: "payments" },
        podAnnotations: { "prometheus.io/scrape": "true" },
      });
    });
    const byVersion = Object.fromEntries(
      kinds(objects, "Deployment").map((d) => [meta(d).name, d.spec as { replicas: number; template: Obj }]),
    );
    assert.equal(byVersion["payments-v1"].replicas, 6);
    assert.equal(byVersion["payments-v2"].replicas, 1);
    const template = byVersion["payments-v2"].template as {
      metadata: { labels: Obj; annotations: Obj };
      spec: { serviceAccountName: string; securityContext: Obj; containers: Obj[] };
    };
    assert.equal(template.spec.serviceAccountName, "payments");
    assert.deepEqual(template.spec.securityContext, { fsGroup: 2000 });
    assert.deepEqual(template.metadata.labels, { team: "payments", app: "payments", version: "v2" });
    assert.equal(template.metadata.annotations["prometheus.io/scrape"], "true");
    assert.equal(template.metadata.annotations["consul.hashicorp.com/connect-inject"], "true");
    const container = template.spec.containers[0];
    assert.deepEqual(container.livenessProbe, { httpGet: { path: "/health", port: "http" } });
    assert.deepEqual(container.readinessProbe, { httpGet: { path: "/ready", port: "http" } });
    assert.deepEqual(container.securityContext, { runAsNonRoot: true });
    assert.deepEqual(container.resources, { limits: { memory: "256Mi" } });
    const v1 = (byVersion["payments-v1"].template as { spec: { containers: Obj[] } }).spec.containers[0];
    assert.deepEqual(v1.resources, { requests: { cpu: "100m" } });
  });

  test("env sources: a secret, a field and an output source reach every Deployment as valueFrom", async () => {
    const objects = await rendered(() => {
      const db = new k8s.core.v1.Secret("payments-db", {
        metadata: { name: "payments-db" },
        stringData: { password: "hunter2" },
      });
      new CanaryRelease("env-sources", {
        ...base,
        env: { LOG_LEVEL: "debug" },
        envValueFrom: {
          DB_PASSWORD: { secretKeyRef: { name: db.metadata.name, key: "password" } },
          POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
          REGION: db.metadata.apply(() => ({ configMapKeyRef: { name: "cluster", key: "region" } })),
        },
      });
    });
    const deployments = kinds(objects, "Deployment");
    assert.equal(deployments.length, 2);
    for (const d of deployments) {
      const container = ((d.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers[0];
      assert.deepEqual(container.env, [
        { name: "LOG_LEVEL", value: "debug" },
        { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "payments-db", key: "password" } } },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "REGION", valueFrom: { configMapKeyRef: { name: "cluster", key: "region" } } },
      ]);
    }
  });

  test("env sources refused: a name in env too, a bad name, a source setting two fields", async () => {
    const secret = { secretKeyRef: { name: "db", key: "password" } };
    await assertRefusedWithoutRegistering(
      recording,
      () =>
        new CanaryRelease("env-both", {
          ...base,
          env: { DB_PASSWORD: "plain" },
          envValueFrom: { DB_PASSWORD: secret },
        }),
      /^InvalidArgumentsError: CanaryRelease env-both: env: got "DB_PASSWORD"; expected a name not also in envValueFrom: DB_PASSWORD is in env and envValueFrom/,
    );
    assert.throws(
      () => new CanaryRelease("env-name", { ...base, envValueFrom: { "9LIVES": secret } }),
      /CanaryRelease env-name: envValueFrom: got "9LIVES"; expected environment variable names/,
    );
    assert.throws(
      () =>
        new CanaryRelease("env-two", {
          ...base,
          envValueFrom: { DB: { ...secret, fieldRef: { fieldPath: "metadata.name" } } },
        }),
      /CanaryRelease env-two: envValueFrom\.DB: got .*; expected a Kubernetes env var source setting exactly one of/,
    );
  });

  test("workload settings refused: a pod label app, a Consul annotation, canary replicas -1", () => {
    assert.throws(
      () =>
        new CanaryRelease("bad-settings", {
          ...base,
          canaryReplicas: -1,
          podLabels: { app: "x" },
        }),
      /canaryReplicas: got -1; expected a whole number from 0 to 1000/,
    );
    assert.throws(
      () =>
        new CanaryRelease("bad-annotation", {
          ...base,
          podAnnotations: { "consul.hashicorp.com/connect-inject": "false" },
        }),
      /podAnnotations\.consul\.hashicorp\.com\/connect-inject: got "false"; expected no Consul annotation/,
    );
    assert.throws(
      () => new CanaryRelease("bad-label", { ...base, podLabels: { version: "x" } }),
      InvalidArgumentsError,
    );
  });

  test("transforms reach the children: the escape hatch for what the args do not cover", async () => {
    const objects = await rendered(() => {
      new CanaryRelease("transformed", base, {
        transforms: [
          (args) =>
            args.type === "kubernetes:apps/v1:Deployment"
              ? {
                  props: {
                    ...args.props,
                    metadata: { ...args.props.metadata, annotations: { "example.com/owner": "payments" } },
                  },
                  opts: args.opts,
                }
              : undefined,
        ],
      });
    });
    for (const d of kinds(objects, "Deployment")) {
      assert.deepEqual((d.metadata as Obj).annotations, { "example.com/owner": "payments" });
    }
    assert.equal(kinds(objects, "Deployment").length, 2);
  });

  test("errors name the config path as written, hints included", () => {
    const releases = readReleaseConfigs({ path: "releases" });
    assert.equal(releases.payments.configPath, "releases.payments");
    assert.throws(
      () => new CanaryRelease("from-config", { service: "payments", ...releases.payments, images: {} }),
      (err: unknown) =>
        err instanceof InvalidArgumentsError &&
        /releases\.payments\.canaryWeight: got 7; expected 0 while no releases\.payments\.canaryVersion is set \(set releases\.payments\.canaryVersion first\)/.test(
          err.message,
        ),
    );
    assert.throws(
      () =>
        new CanaryRelease("from-config-images", {
          service: "payments",
          ...releases.payments,
          canaryWeight: 0,
          images: {},
        }),
      /releases\.payments\.images\.v1: got nothing; expected a container image .*pulumi config set --path 'releases\.payments\.images\.v1'/,
    );
  });

  test("a misspelt top-level release key is refused, naming the key it resembles; other keys are left alone", () => {
    assert.throws(
      () => readReleaseConfig(),
      /canaryWieght: got "25"; expected one of the release keys .* \(did you mean canaryWeight\?/,
    );
  });
});
