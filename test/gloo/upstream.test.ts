import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  buildUpstream,
  requireLabels,
  Upstream,
  UPSTREAM_TYPE,
  upstreamName,
  versionSelector,
} from "../../src/gloo";
import { one, recordResources, type Recording } from "../support/runtime";

describe("buildUpstream", () => {
  it("builds spec.kube with the Service, its namespace, port and a version selector", () => {
    assert.deepEqual(
      buildUpstream({ service: "petstore", version: "v1", namespace: "default", port: 8080 }),
      {
        apiVersion: "gloo.solo.io/v1",
        kind: "Upstream",
        metadata: { name: "petstore-v1", namespace: "default" },
        spec: {
          kube: {
            serviceName: "petstore",
            serviceNamespace: "default",
            servicePort: 8080,
            selector: { app: "petstore", version: "v1" },
          },
        },
      },
    );
  });

  it("defaults the namespace to default", () => {
    assert.equal(
      buildUpstream({ service: "petstore", version: "v2", port: 80 }).metadata.namespace,
      "default",
    );
  });

  it("takes an explicit name, selector and labels", () => {
    const upstream = buildUpstream({
      service: "petstore",
      version: "green",
      namespace: "shop",
      port: 8080,
      name: "petstore-green-8080",
      selector: { "app.kubernetes.io/name": "petstore", track: "green" },
      labels: { team: "pets" },
    });
    assert.deepEqual(upstream.metadata, {
      name: "petstore-green-8080",
      namespace: "shop",
      labels: { team: "pets" },
    });
    assert.deepEqual(upstream.spec.kube.selector, { "app.kubernetes.io/name": "petstore", track: "green" });
  });

  it("names and selectors of a version", () => {
    assert.equal(upstreamName("petstore", "v2"), "petstore-v2");
    assert.deepEqual(versionSelector("petstore", "v2"), { app: "petstore", version: "v2" });
  });

  it("refuses a bad port, naming the field, the value and what is accepted", () => {
    for (const port of [0, 65536, 80.5, Number.NaN]) {
      assert.throws(
        () => buildUpstream({ service: "petstore", version: "v1", port }, "Upstream x"),
        /^ValidationError: Upstream x: port: got .*; expected a whole number from 1 to 65535/,
      );
    }
  });

  it("refuses names that are not DNS labels", () => {
    assert.throws(
      () => buildUpstream({ service: "Petstore", version: "v1", port: 80 }),
      /service: got "Petstore"; expected a DNS-1123 label/,
    );
    assert.throws(
      () => buildUpstream({ service: "petstore", version: "v_1", port: 80 }),
      /version: got "v_1"; expected a DNS-1123 label/,
    );
    assert.throws(
      () => buildUpstream({ service: "petstore", version: "v1", port: 80, namespace: "Default" }),
      /namespace: got "Default"; expected a DNS-1123 label/,
    );
    assert.throws(
      () => buildUpstream({ service: "petstore", version: "v1", port: 80, name: "Petstore_v1" }),
      /name: got "Petstore_v1"; expected a Kubernetes object name/,
    );
  });

  it("refuses a generated name longer than 63 characters", () => {
    assert.throws(
      () => buildUpstream({ service: "s".repeat(40), version: "v".repeat(30), port: 80 }),
      /version: got "v{30}"; expected a version short enough that "<service>-<version>" .* fits in 63 characters/,
    );
  });

  it("refuses an empty selector, which would take every version's pods", () => {
    assert.throws(
      () => buildUpstream({ service: "petstore", version: "v1", port: 80, selector: {} }),
      /selector: got \{\}; expected at least one pod label, e.g. \{ version: "v1" \}/,
    );
  });

  it("refuses bad label keys and values", () => {
    assert.throws(
      () => requireLabels("selector", { "bad key": "x" }),
      /selector key: got "bad key"; expected a Kubernetes label key/,
    );
    assert.throws(
      () => requireLabels("selector", { app: "no spaces" }),
      /selector\.app: got "no spaces"; expected a Kubernetes label value/,
    );
    assert.throws(
      () => requireLabels("selector", ["app"]),
      /selector: got \["app"\]; expected a map of label keys to values/,
    );
  });
});

describe("Upstream component", () => {
  let rec: Recording;
  before(async () => {
    rec = await recordResources();
  });

  it("registers one Upstream custom resource parented to the component", async () => {
    const v1 = new Upstream("petstore-v1", { service: "petstore", version: "v1", port: 8080 });
    await rec.settle();
    const component = one(rec, UPSTREAM_TYPE, "petstore-v1");
    const cr = one(rec, "kubernetes:gloo.solo.io/v1:Upstream", "petstore-v1");
    assert.equal(component.custom, false);
    assert.equal(cr.parent, component.urn);
    assert.deepEqual(cr.inputs, {
      apiVersion: "gloo.solo.io/v1",
      kind: "Upstream",
      metadata: { name: "petstore-v1", namespace: "default" },
      spec: {
        kube: {
          serviceName: "petstore",
          serviceNamespace: "default",
          servicePort: 8080,
          selector: { app: "petstore", version: "v1" },
        },
      },
    });
    assert.equal(v1.name, "petstore-v1");
    assert.equal(v1.namespace, "default");
  });

  it("registers nothing when the arguments are refused", async () => {
    await rec.settle();
    const before = rec.resources.length;
    assert.throws(
      () => new Upstream("bad", { service: "petstore", version: "v1", port: 0 }),
      /Upstream bad: port: got 0; expected a whole number from 1 to 65535/,
    );
    await rec.settle();
    assert.equal(rec.resources.length, before);
  });
});
