import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as consul from "@pulumi/consul";
import * as k8s from "@pulumi/kubernetes";
import { withResolvedInputs } from "../../src/arguments";
import {
  planVersionedService,
  registerVersionedService,
  VERSIONED_SERVICE_TYPE,
  VersionedService,
  type VersionedServiceArgs,
} from "../../src/kubernetes";
import { one, ofType, recordResources, valueOf, type Recording } from "../support/runtime";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";

let rec: Recording;
before(async () => {
  rec = await recordResources();
});

class Holder extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Holder", name, {}, {});
  }
}

type Json = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (v as Json | undefined)?.[key], value);

void describe("VersionedService", () => {
  void it("registers a Deployment per version and one Service spanning them, as its children", async () => {
    const from = rec.resources.length;
    const svc = new VersionedService("payments", {
      service: "payments",
      port: 9090,
      upstreams: ["currency:9091"],
      versions: [
        { version: "blue", image: "nicholasjackson/broken-service:v2.0.0" },
        { version: "green", image: "nicholasjackson/broken-service:v3.0.0" },
      ],
    });
    await rec.settle();
    const component = one(rec, VERSIONED_SERVICE_TYPE, "payments");
    const blue = one(rec, DEPLOYMENT, "payments-blue");
    const green = one(rec, DEPLOYMENT, "payments-green");
    const service = one(rec, SERVICE, "payments");
    for (const r of [blue, green, service]) assert.equal(r.parent, component.urn);
    assert.equal(rec.resources.length - from, 4);

    for (const [record, version, image] of [
      [blue, "blue", "nicholasjackson/broken-service:v2.0.0"],
      [green, "green", "nicholasjackson/broken-service:v3.0.0"],
    ] as const) {
      const labels = { app: "payments", version };
      assert.deepEqual(record.inputs.metadata, { name: `payments-${version}`, namespace: "default", labels });
      assert.equal(record.inputs.apiVersion, "apps/v1");
      assert.equal(at(record.inputs, "spec", "replicas"), 1);
      assert.deepEqual(at(record.inputs, "spec", "selector"), { matchLabels: labels });
      assert.deepEqual(at(record.inputs, "spec", "template", "metadata"), {
        labels,
        annotations: {
          "consul.hashicorp.com/connect-inject": "true",
          "consul.hashicorp.com/service-meta-version": version,
          "consul.hashicorp.com/service-tags": version,
          "consul.hashicorp.com/connect-service-upstreams": "currency:9091",
        },
      });
      assert.deepEqual(at(record.inputs, "spec", "template", "spec", "containers"), [
        { name: "payments", image, ports: [{ name: "http", containerPort: 9090 }] },
      ]);
    }

    // One Service for both versions: it selects the app only, so both register in Consul as "payments".
    assert.deepEqual(service.inputs, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "payments", namespace: "default", labels: { app: "payments" } },
      spec: {
        selector: { app: "payments" },
        ports: [{ name: "http", port: 9090, targetPort: "http", protocol: "TCP" }],
      },
    });

    assert.deepEqual(Object.keys(svc.deployments), ["blue", "green"]);
    assert.equal(await valueOf(svc.deployments.green.metadata.name), "payments-green");
    assert.equal(await valueOf(svc.service.metadata.name), "payments");
  });

  void it("without Consul injection, pods carry no Consul annotations", async () => {
    const from = rec.resources.length;
    new VersionedService("plain", {
      service: "plain",
      image: "plain:1",
      port: 8080,
      consulInject: false,
      versions: [{ version: "v1" }],
    });
    await rec.settle();
    const deployment = ofType(rec, DEPLOYMENT, from)[0];
    assert.deepEqual(at(deployment.inputs, "spec", "template", "metadata"), {
      labels: { app: "plain", version: "v1" },
    });
  });

  void it("refused arguments register nothing, not even the component", async () => {
    await rec.settle();
    const count = rec.resources.length;
    assert.throws(
      () =>
        new VersionedService("broken", {
          service: "broken",
          port: 8080,
          versions: [
            { version: "blue", image: "b:1" },
            { version: "Green", image: "b:2" },
          ],
        }),
      /^InvalidArgumentsError: broken: versions\[1\]\.version: got "Green"; expected a DNS-1123 label/,
    );
    assert.throws(
      () =>
        new VersionedService("noimage", { service: "noimage", port: 8080, versions: [{ version: "v1" }] }),
      /^InvalidArgumentsError: noimage: versions\[0\]\.image: got nothing; expected a container image/,
    );
    await rec.settle();
    assert.equal(rec.resources.length, count);
  });

  void it("Pulumi names derive from the component name, so two components for one service never collide", async () => {
    const from = rec.resources.length;
    const args = { service: "cart", image: "cart:1", port: 8080, versions: [{ version: "v1" }] };
    new VersionedService("cart-eu", { ...args, namespace: "eu" });
    new VersionedService("cart-us", { ...args, namespace: "us" });
    await rec.settle();
    assert.deepEqual(
      ofType(rec, DEPLOYMENT, from)
        .map((r) => r.name)
        .sort(),
      ["cart-eu-v1", "cart-us-v1"],
    );
    const urns = rec.resources.slice(from).map((r) => r.urn);
    assert.equal(new Set(urns).size, urns.length);
  });

  void it("passes its dependsOn to the Deployments and the Service", async () => {
    const from = rec.resources.length;
    const resolver = new consul.ConfigEntryServiceResolver("orders", {
      name: "orders",
      subsets: [{ name: "v1", filter: 'Service.Meta.version == "v1"', onlyPassing: true }],
    });
    new VersionedService(
      "orders",
      { service: "orders", image: "orders:1", port: 8080, versions: [{ version: "v1" }] },
      { dependsOn: [resolver] },
    );
    await rec.settle();
    const resolverUrn = one(
      rec,
      "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver",
      "orders",
    ).urn;
    for (const r of [...ofType(rec, DEPLOYMENT, from), ...ofType(rec, SERVICE, from)]) {
      assert.deepEqual(r.dependencies, [resolverUrn], r.name);
    }
  });
});

void describe("registerVersionedService", () => {
  void it("registers the workloads directly under the given parent and returns the Deployments by version", async () => {
    const from = rec.resources.length;
    const parent = new Holder("release");
    const created = registerVersionedService(
      "inventory",
      planVersionedService(
        {
          service: "inventory",
          image: "inventory:1",
          port: 8080,
          versions: [{ version: "v1" }, { version: "v2" }],
        },
        "inventory",
      ),
      parent,
    );
    await rec.settle();
    const parentUrn = one(rec, "test:index:Holder", "release").urn;
    assert.deepEqual(
      rec.resources
        .slice(from)
        .filter((r) => r.parent === parentUrn)
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
      [`${DEPLOYMENT} inventory-v1`, `${DEPLOYMENT} inventory-v2`, `${SERVICE} inventory`],
    );
    assert.equal(ofType(rec, VERSIONED_SERVICE_TYPE, from).length, 0);
    assert.deepEqual(Object.keys(created.deployments), ["v1", "v2"]);
    assert.equal(created.plan.versions[1].deploymentName, "inventory-v2");
  });
});

void describe("VersionedService with outputs of other resources", () => {
  void it("an output image, namespace and label and annotation values reach the Deployments and the Service once resolved", async () => {
    const from = rec.resources.length;
    const build = new k8s.core.v1.ConfigMap("build", {
      metadata: { name: "build" },
      data: { image: "registry/ledger@sha256:1111", canary: "registry/ledger@sha256:2222", team: "billing" },
    });
    const team = build.data.apply((d) => d.team);
    const svc = new VersionedService("ledger", {
      service: "ledger",
      namespace: pulumi.output("finance"),
      image: build.data.apply((d) => d.image),
      port: 8080,
      consulInject: false,
      labels: { team },
      podLabels: { tier: Promise.resolve("backend") },
      podAnnotations: { "example.com/owner": team.apply((t) => `team-${t}`) },
      versions: [{ version: "v1" }, { version: "v2", image: build.data.apply((d) => d.canary) }],
    });
    await rec.settle();
    const configMap = one(rec, "kubernetes:core/v1:ConfigMap", "build");
    for (const [version, image] of [
      ["v1", "registry/ledger@sha256:1111"],
      ["v2", "registry/ledger@sha256:2222"],
    ] as const) {
      const deployment = one(rec, DEPLOYMENT, `ledger-${version}`);
      const labels = { team: "billing", app: "ledger", version };
      assert.deepEqual(deployment.inputs.metadata, {
        name: `ledger-${version}`,
        namespace: "finance",
        labels,
      });
      assert.deepEqual(at(deployment.inputs, "spec", "template", "metadata"), {
        labels: { team: "billing", tier: "backend", app: "ledger", version },
        annotations: { "example.com/owner": "team-billing" },
      });
      assert.deepEqual(at(deployment.inputs, "spec", "template", "spec", "containers"), [
        { name: "ledger", image, ports: [{ name: "http", containerPort: 8080 }] },
      ]);
      assert.ok(
        deployment.dependencies.includes(configMap.urn),
        `ledger-${version} depends on the ConfigMap`,
      );
    }
    const service = one(rec, SERVICE, "ledger");
    assert.deepEqual(service.inputs.metadata, {
      name: "ledger",
      namespace: "finance",
      labels: { team: "billing", app: "ledger" },
    });
    assert.doesNotMatch(JSON.stringify(rec.resources.slice(from)), /pending-/, "no placeholder is left");
    assert.equal(await valueOf(svc.deployments.v2.metadata.namespace), "finance");
  });

  void it("a value that resolves to something refused fails the resource with InputPropertyError naming the field", async () => {
    const refusal = async (args: Partial<VersionedServiceArgs>): Promise<pulumi.InputPropertyError> => {
      const plan = planVersionedService(
        { service: "ledger", image: "ledger:1", port: 8080, versions: [{ version: "v1" }], ...args },
        "ledger",
      );
      assert.equal(plan.pending.length, 1, "the output is left to check once it resolves");
      const deployment = withResolvedInputs(plan.versions[0].deployment, plan.pending);
      // The engine sees the rejection when it registers the Deployment with these arguments: every promise of the
      // lifted property rejects.
      const lifted = Object.values(deployment).filter((v) => pulumi.Output.isInstance(v)) as unknown as {
        promise(): Promise<unknown>;
        isKnown: Promise<boolean>;
        isSecret: Promise<boolean>;
      }[];
      assert.ok(lifted.length > 0, "the property holding the output waits for it");
      const settled = await Promise.allSettled(lifted.flatMap((o) => [o.promise(), o.isKnown, o.isSecret]));
      assert.ok(settled.every((r) => r.status === "rejected"));
      const err = (settled[0] as PromiseRejectedResult).reason as unknown;
      assert.ok(pulumi.InputPropertyError.isInstance(err));
      return err;
    };

    const image = await refusal({
      image: undefined,
      versions: [{ version: "v1", image: pulumi.output("") }],
    });
    assert.equal(image.propertyPath, "versions[0].image");
    assert.match(
      image.reason,
      /^ledger: versions\[0\]\.image: got ""; expected a container image .* \(the value resolved from an output\)$/,
    );
    const serviceImage = await refusal({ image: pulumi.output(" ") });
    assert.equal(serviceImage.propertyPath, "image");
    assert.match(
      serviceImage.reason,
      /^ledger: image: got " "; expected a container image such as "nginx:1\.27"/,
    );
    const label = await refusal({ labels: { team: pulumi.output(42 as unknown as string) } });
    assert.equal(label.propertyPath, "labels.team");
    assert.match(label.reason, /^ledger: labels\.team: got 42; expected a string label value/);
    const annotation = await refusal({
      podAnnotations: { "example.com/owner": pulumi.output(null as unknown as string) },
    });
    assert.equal(annotation.propertyPath, "podAnnotations.example.com/owner");
    assert.match(
      annotation.reason,
      /podAnnotations\.example\.com\/owner: got null; expected a string annotation value/,
    );
    const namespace = await refusal({ namespace: pulumi.output("Finance") });
    assert.equal(namespace.propertyPath, "namespace");
    assert.match(namespace.reason, /^ledger: namespace: got "Finance"; expected a DNS-1123 label/);
  });

  void it("plain values are still checked before anything is registered when others are outputs", async () => {
    await rec.settle();
    const count = rec.resources.length;
    const image = pulumi.output("ledger:1");
    assert.throws(
      () =>
        new VersionedService("refused", {
          service: "refused",
          image,
          port: 8080,
          labels: { team: pulumi.output("billing"), version: "v9" },
          versions: [{ version: "v1" }],
        }),
      /^InvalidArgumentsError: refused: labels\.version: got "v9"; expected no "version" label/,
    );
    assert.throws(
      () =>
        new VersionedService("refused", {
          service: "refused",
          image,
          port: 8080,
          podAnnotations: { "consul.hashicorp.com/connect-inject": pulumi.output("false") },
          versions: [{ version: "v1", image: "" }],
        }),
      /^InvalidArgumentsError: refused: podAnnotations\.consul\.hashicorp\.com\/connect-inject: got "\(an output\)"; expected no Consul annotation/,
    );
    assert.throws(
      () =>
        new VersionedService("refused", {
          service: "refused",
          image,
          port: 8080,
          versions: [{ version: "v1", image: "" }],
        }),
      /^InvalidArgumentsError: refused: versions\[0\]\.image: got ""; expected a container image/,
    );
    await rec.settle();
    assert.equal(rec.resources.length, count);
  });
});
