import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { toConsulConfigWrite } from "../../src/consul";
import { one, recordResources, type Recording } from "../support/runtime";

const DIR = `${__dirname}/../../examples/consul-payments`;

/** The stack's config, as `pulumi up --stack <stack>` would set it. */
function stackConfig(stack: string): Record<string, string> {
  return (parse(readFileSync(`${DIR}/Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, string> })
    .config;
}

let rec: Recording;
let program: Record<string, unknown>;
before(async () => {
  rec = await recordResources(stackConfig("dev"), "consul-payments");
  program = (await import("../../examples/consul-payments/index.js")) as Record<string, unknown>;
  await rec.settle();
});

void describe("examples/consul-payments, stack dev", () => {
  void it("reads canaryWeight 50 from the stack and splits blue 50 / green 50", () => {
    assert.deepEqual(stackConfig("dev"), { "consul-payments:canaryWeight": "50" });
    const splitter = one(
      rec,
      "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter",
      "payments",
    );
    assert.deepEqual(toConsulConfigWrite(splitter.type, splitter.inputs), {
      Kind: "service-splitter",
      Name: "payments",
      Splits: [
        { Weight: 50, Service: "payments", ServiceSubset: "blue" },
        { Weight: 50, Service: "payments", ServiceSubset: "green" },
      ],
    });
    assert.equal(program.phase, "weighted");
    assert.equal(program.trafficSplit, "blue 50% / green 50%");
  });

  void it("runs blue and green as the one service payments, with the currency upstream", () => {
    for (const [version, image] of [
      ["blue", "nicholasjackson/broken-service:v2.0.0"],
      ["green", "nicholasjackson/broken-service:v3.0.0"],
    ]) {
      const deployment = one(rec, "kubernetes:apps/v1:Deployment", `payments-${version}`);
      const template = (
        deployment.inputs.spec as { template: { metadata: unknown; spec: { containers: unknown } } }
      ).template;
      assert.deepEqual(template.metadata, {
        labels: { app: "payments", version },
        annotations: {
          "consul.hashicorp.com/connect-inject": "true",
          "consul.hashicorp.com/connect-service-upstreams": "currency:9091",
          "consul.hashicorp.com/service-meta-version": version,
          "consul.hashicorp.com/service-tags": version,
        },
      });
      assert.deepEqual(template.spec.containers, [
        { name: "payments", image, ports: [{ name: "http", containerPort: 9090 }] },
      ]);
    }
    const service = one(rec, "kubernetes:core/v1:Service", "payments");
    assert.deepEqual((service.inputs.spec as { selector: unknown }).selector, { app: "payments" });
  });

  void it("writes the resolver's subsets before the split, and the split after the Deployments", () => {
    const resolver = one(
      rec,
      "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver",
      "payments",
    );
    const splitter = one(
      rec,
      "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter",
      "payments",
    );
    assert.deepEqual(toConsulConfigWrite(resolver.type, resolver.inputs), {
      Kind: "service-resolver",
      Name: "payments",
      DefaultSubset: "blue",
      ConnectTimeout: "5s",
      RequestTimeout: "15s",
      Subsets: {
        blue: { Filter: 'Service.Meta.version == "blue"', OnlyPassing: true },
        green: { Filter: 'Service.Meta.version == "green"', OnlyPassing: true },
      },
    });
    assert.ok(splitter.dependencies.includes(resolver.urn));
    for (const version of ["blue", "green"]) {
      assert.ok(
        splitter.dependencies.includes(one(rec, "kubernetes:apps/v1:Deployment", `payments-${version}`).urn),
      );
    }
  });
});
