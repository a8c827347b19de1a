import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { toConsulConfigWrite } from "../../src/consul";
import { one, ofType, recordResources, type Recording } from "../support/runtime";

const DIR = `${__dirname}/../../examples/consul-payments`;

let rec: Recording;
let program: Record<string, unknown>;
before(async () => {
  const config = (
    parse(readFileSync(`${DIR}/Pulumi.prod.yaml`, "utf8")) as { config: Record<string, string> }
  ).config;
  assert.deepEqual(config, { "consul-payments:canaryWeight": "0" });
  rec = await recordResources(config, "consul-payments");
  program = (await import("../../examples/consul-payments/index.js")) as Record<string, unknown>;
  await rec.settle();
});

void describe("examples/consul-payments, stack prod", () => {
  void it("canaryWeight 0: green runs and has a subset, but all traffic goes to blue", () => {
    const splitter = one(
      rec,
      "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter",
      "payments",
    );
    assert.deepEqual(toConsulConfigWrite(splitter.type, splitter.inputs), {
      Kind: "service-splitter",
      Name: "payments",
      Splits: [{ Weight: 100, Service: "payments", ServiceSubset: "blue" }],
    });
    assert.equal(ofType(rec, "kubernetes:apps/v1:Deployment").length, 2);
    assert.equal(ofType(rec, "consul:index/configEntryServiceRouter:ConfigEntryServiceRouter").length, 0);
    assert.equal(program.phase, "standby");
    assert.equal(program.trafficSplit, "blue 100%");
  });
});
