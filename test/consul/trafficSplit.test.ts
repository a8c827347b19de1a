import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  buildConsulEntries,
  CONSUL_TRAFFIC_SPLIT_TYPE,
  ConsulProtocol,
  ConsulTrafficSplit,
  planConsulTrafficSplit,
  registerConsulEntries,
  registerConsulResolution,
  registerConsulRouting,
} from "../../src/consul";
import { planRelease, type ReleasePlan } from "../../src/release";
import { one, ofType, recordResources, type Recording } from "../support/runtime";
import { resetClaims } from "../../src/claims";

// Each test stands for its own program: objects claimed by an earlier test do not count.
beforeEach(() => resetClaims());

const DEFAULTS = "consul:index/configEntry:ConfigEntry";
const RESOLVER = "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver";
const SPLITTER = "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter";
const ROUTER = "consul:index/configEntryServiceRouter:ConfigEntryServiceRouter";
const CONSUL_TYPES = [DEFAULTS, RESOLVER, SPLITTER, ROUTER];

let rec: Recording;
before(async () => {
  rec = await recordResources();
});

/** Asserts `fn` throws a ValidationError matching `pattern` and that no resource was registered meanwhile. */
async function refusesWithoutRegistering(fn: () => unknown, pattern: RegExp): Promise<void> {
  await rec.settle();
  const count = rec.resources.length;
  assert.throws(fn, pattern);
  await rec.settle();
  assert.equal(rec.resources.length, count, "a refused release registered resources");
}

class Holder extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Holder", name, {}, {});
  }
}

void describe("ConsulTrafficSplit", () => {
  void it("registers defaults, resolver, splitter and router as its children with exact inputs", async () => {
    const from = rec.resources.length;
    const split = new ConsulTrafficSplit("payments", {
      service: "payments",
      stableVersion: "blue",
      canaryVersion: "green",
      canaryWeight: 10,
      header: { name: "stage", value: "canary" },
    });
    await rec.settle();
    const component = one(rec, CONSUL_TRAFFIC_SPLIT_TYPE, "payments");
    assert.equal(component.parent, "");
    const [defaults, resolver, splitter, router] = CONSUL_TYPES.map((t) => one(rec, t, "payments"));
    for (const r of [defaults, resolver, splitter, router]) assert.equal(r.parent, component.urn, r.type);
    assert.equal(rec.resources.length - from, 5);

    assert.deepEqual(defaults.inputs, {
      kind: "service-defaults",
      name: "payments",
      configJson: '{"Expose":{},"MeshGateway":{},"Protocol":"http","TransparentProxy":{}}',
    });
    assert.deepEqual(resolver.inputs, {
      name: "payments",
      defaultSubset: "blue",
      connectTimeout: "5s",
      requestTimeout: "15s",
      subsets: [
        { name: "blue", filter: 'Service.Meta.version == "blue"', onlyPassing: true },
        { name: "green", filter: 'Service.Meta.version == "green"', onlyPassing: true },
      ],
    });
    assert.deepEqual(splitter.inputs, {
      name: "payments",
      splits: [
        { weight: 90, service: "payments", serviceSubset: "blue" },
        { weight: 10, service: "payments", serviceSubset: "green" },
      ],
    });
    assert.deepEqual(router.inputs, {
      name: "payments",
      routes: [
        {
          match: { http: { headers: [{ name: "stage", exact: "canary" }] } },
          destination: { service: "payments", serviceSubset: "green" },
        },
      ],
    });

    // Write order defaults -> resolver -> splitter/router (and deletes in reverse) come from these edges.
    assert.deepEqual(defaults.dependencies, []);
    assert.deepEqual(resolver.dependencies, [defaults.urn]);
    assert.deepEqual([...splitter.dependencies].sort(), [defaults.urn, resolver.urn].sort());
    assert.deepEqual([...router.dependencies].sort(), [defaults.urn, resolver.urn].sort());

    assert.ok(split.splitter);
    assert.ok(split.router);
  });

  void it("stable only: a single 100 % split, no router", async () => {
    const from = rec.resources.length;
    const split = new ConsulTrafficSplit("orders", { service: "orders", stableVersion: "v1" });
    await rec.settle();
    assert.deepEqual(ofType(rec, SPLITTER, from)[0].inputs, {
      name: "orders",
      splits: [{ weight: 100, service: "orders", serviceSubset: "v1" }],
    });
    assert.equal(ofType(rec, ROUTER, from).length, 0);
    assert.equal(split.router, undefined);
  });

  void it("tcp: defaults and resolver only", async () => {
    const from = rec.resources.length;
    const split = new ConsulTrafficSplit("ledger", {
      service: "ledger",
      stableVersion: "v1",
      protocol: ConsulProtocol.Tcp,
      connectTimeout: "90s",
    });
    await rec.settle();
    assert.deepEqual(
      rec.resources.slice(from).map((r) => r.type),
      [CONSUL_TRAFFIC_SPLIT_TYPE, DEFAULTS, RESOLVER],
    );
    assert.match(String(ofType(rec, DEFAULTS, from)[0].inputs.configJson), /"Protocol":"tcp"/);
    assert.equal(ofType(rec, RESOLVER, from)[0].inputs.connectTimeout, "1m30s");
    assert.equal(split.splitter, undefined);
    assert.equal(split.router, undefined);
  });

  void it("two components of different services never collide", async () => {
    const from = rec.resources.length;
    new ConsulTrafficSplit("cart-a", { service: "cart", stableVersion: "v1" });
    new ConsulTrafficSplit("cart-b", { service: "basket", stableVersion: "v1" });
    await rec.settle();
    const urns = rec.resources.slice(from).map((r) => r.urn);
    assert.equal(new Set(urns).size, urns.length);
    assert.equal(ofType(rec, SPLITTER, from).length, 2);
  });

  void it("two components writing the entries of one service are refused, naming both", async () => {
    new ConsulTrafficSplit("till-a", { service: "till", stableVersion: "v1" });
    await refusesWithoutRegistering(
      () => new ConsulTrafficSplit("till-b", { service: "till", stableVersion: "v1" }),
      /^InvalidArgumentsError: ConsulTrafficSplit till-b: service: got "Consul service-defaults till, Consul service-resolver till, Consul service-splitter till"; expected objects no other component of this program writes: ConsulTrafficSplit till-a writes them too/,
    );
  });

  void it("passes its dependsOn to every entry", async () => {
    const from = rec.resources.length;
    const holder = new Holder("workloads");
    const deployment = new k8s.apps.v1.Deployment(
      "shipping-v1",
      {
        metadata: { name: "shipping-v1", namespace: "default" },
        spec: {
          selector: { matchLabels: { app: "shipping" } },
          template: {
            metadata: { labels: { app: "shipping" } },
            spec: { containers: [{ name: "c", image: "i" }] },
          },
        },
      },
      { parent: holder },
    );
    new ConsulTrafficSplit(
      "shipping",
      { service: "shipping", stableVersion: "v1" },
      { dependsOn: [deployment] },
    );
    await rec.settle();
    const deploymentUrn = one(rec, "kubernetes:apps/v1:Deployment", "shipping-v1").urn;
    for (const type of [DEFAULTS, RESOLVER, SPLITTER]) {
      assert.ok(ofType(rec, type, from)[0].dependencies.includes(deploymentUrn), type);
    }
  });
});

void describe("refusals register nothing", () => {
  void it("protocol tcp with a canary", async () => {
    await refusesWithoutRegistering(
      () =>
        new ConsulTrafficSplit("tcp-canary", {
          service: "payments",
          stableVersion: "blue",
          canaryVersion: "green",
          canaryWeight: 0,
          protocol: ConsulProtocol.Tcp,
        }),
      /^InvalidArgumentsError: tcp-canary: protocol: got "tcp"; expected "http", "http2" or "grpc" for a release with canaryVersion "green"/,
    );
  });

  void it("protocol tcp with a header rule", async () => {
    const parent = new Holder("tcp-header-holder");
    await refusesWithoutRegistering(
      () =>
        registerConsulEntries(
          "tcp-header",
          planConsulTrafficSplit("tcp-header", {
            service: "payments",
            stableVersion: "blue",
            canaryVersion: "green",
            header: { name: "stage", value: "canary" },
            protocol: ConsulProtocol.Tcp,
          }),
          parent,
        ),
      /tcp-header: protocol: got "tcp"; expected .* a header rule/,
    );
  });

  void it("a duration that is not a Go duration", async () => {
    await refusesWithoutRegistering(
      () =>
        new ConsulTrafficSplit("slow", { service: "payments", stableVersion: "blue", requestTimeout: "15" }),
      /^InvalidArgumentsError: slow: requestTimeout: got "15"; expected a positive Go duration/,
    );
  });

  void it("a version that is not a DNS label", async () => {
    await refusesWithoutRegistering(
      () => new ConsulTrafficSplit("dotted", { service: "payments", stableVersion: "v1.2" }),
      /^InvalidArgumentsError: dotted: stableVersion: got "v1\.2"; expected a DNS-1123 label/,
    );
  });

  const plan = (): ReleasePlan =>
    planRelease({ service: "payments", stableVersion: "blue", canaryVersion: "green", canaryWeight: 50 });

  void it("a split to a subset that is not defined", async () => {
    const bad = { ...plan(), versions: ["blue"] };
    await refusesWithoutRegistering(
      () => buildConsulEntries(bad, {}, "undefined-subset"),
      /^ValidationError: undefined-subset: service-splitter\.splits\[1\]\.serviceSubset: got "green"; expected a defined subset: one of "blue"$/,
    );
  });

  void it("a header route to a subset that is not defined", async () => {
    const bad = { ...plan(), headerRoute: { header: { name: "stage", value: "canary" }, version: "red" } };
    await refusesWithoutRegistering(
      () => buildConsulEntries(bad, {}, "undefined-route"),
      /undefined-route: service-router\.routes\[0\]\.destination\.serviceSubset: got "red"/,
    );
  });

  void it("duplicate split destinations", async () => {
    const bad = {
      ...plan(),
      destinations: [
        { version: "green", weight: 50 },
        { version: "green", weight: 50 },
      ],
    };
    await refusesWithoutRegistering(
      () => buildConsulEntries(bad, {}, "duplicates"),
      /duplicates: service-splitter\.splits\[1\]\.serviceSubset: got "green"; expected a destination not already split to/,
    );
  });

  void it("a subset name that is not a DNS label", async () => {
    const bad = { ...plan(), versions: ["blue", "Green"], destinations: [{ version: "blue", weight: 100 }] };
    await refusesWithoutRegistering(
      () => buildConsulEntries(bad, {}, "upper"),
      /upper: service-resolver\.subsets\[1\]\.name: got "Green"; expected a lower-case DNS label/,
    );
  });
});

void describe("create functions for composites", () => {
  void it("registerConsulEntries registers planned entries directly under the given parent", async () => {
    const from = rec.resources.length;
    const parent = new Holder("release");
    const created = registerConsulEntries(
      "inventory",
      planConsulTrafficSplit("inventory", {
        service: "inventory",
        stableVersion: "v1",
        canaryVersion: "v2",
        canaryWeight: 25,
      }),
      parent,
    );
    await rec.settle();
    const parentUrn = one(rec, "test:index:Holder", "release").urn;
    const registered = rec.resources.slice(from).filter((r) => r.type !== "test:index:Holder");
    assert.deepEqual(
      registered.map((r) => [r.type, r.name, r.parent]),
      [DEFAULTS, RESOLVER, SPLITTER].map((t) => [t, "inventory", parentUrn]),
    );
    assert.equal(ofType(rec, CONSUL_TRAFFIC_SPLIT_TYPE, from).length, 0);
    assert.deepEqual(created.entries.splitter?.splits, [
      { weight: 75, service: "inventory", serviceSubset: "v1" },
      { weight: 25, service: "inventory", serviceSubset: "v2" },
    ]);
  });

  void it("staged registration lets the splitter wait for the Deployments that wait for the resolver", async () => {
    const from = rec.resources.length;
    const parent = new Holder("staged");
    const entries = buildConsulEntries(
      planRelease({ service: "billing", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 5 }),
    );
    const resolution = registerConsulResolution("billing", entries, parent);
    const deployment = new k8s.apps.v1.Deployment(
      "billing-v2",
      {
        metadata: { name: "billing-v2", namespace: "default" },
        spec: {
          selector: { matchLabels: { app: "billing", version: "v2" } },
          template: {
            metadata: { labels: { app: "billing", version: "v2" } },
            spec: { containers: [{ name: "billing", image: "billing:2" }] },
          },
        },
      },
      { parent, dependsOn: [resolution.resolver] },
    );
    registerConsulRouting("billing", entries, [resolution.resolver, resolution.defaults], parent, {
      dependsOn: [deployment],
    });
    await rec.settle();
    const resolver = ofType(rec, RESOLVER, from)[0];
    const defaults = ofType(rec, DEFAULTS, from)[0];
    const deploymentRecord = ofType(rec, "kubernetes:apps/v1:Deployment", from)[0];
    const splitter = ofType(rec, SPLITTER, from)[0];
    assert.deepEqual(deploymentRecord.dependencies, [resolver.urn]);
    assert.deepEqual(
      [...splitter.dependencies].sort(),
      [defaults.urn, resolver.urn, deploymentRecord.urn].sort(),
    );
  });
});
