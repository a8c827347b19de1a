import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildUpstreamGroup, Upstream, UPSTREAM_GROUP_TYPE, UpstreamGroup } from "../../src/gloo";
import { one, recordResources, type Recording } from "../support/runtime";

const v1 = { name: "petstore-v1", namespace: "default" };
const v2 = { name: "petstore-v2", namespace: "default" };
const release = { service: "petstore", stableVersion: "v1", canaryVersion: "v2" };

describe("buildUpstreamGroup", () => {
  it("from destinations: weights as given, namespace of the first Upstream", () => {
    assert.deepEqual(
      buildUpstreamGroup({
        name: "petstore",
        upstreams: [v1, v2],
        destinations: [
          { upstream: v1, weight: 90 },
          { upstream: v2, weight: 10 },
        ],
      }),
      {
        apiVersion: "gloo.solo.io/v1",
        kind: "UpstreamGroup",
        metadata: { name: "petstore", namespace: "default" },
        spec: {
          destinations: [
            { destination: { upstream: v1 }, weight: 90 },
            { destination: { upstream: v2 }, weight: 10 },
          ],
        },
      },
    );
  });

  it("from a release: named after the service, the split of the plan", () => {
    const group = buildUpstreamGroup({ upstreams: [v1, v2], release: { ...release, canaryWeight: 10 } });
    assert.deepEqual(group.metadata, { name: "petstore", namespace: "default" });
    assert.deepEqual(group.spec.destinations, [
      { destination: { upstream: v1 }, weight: 90 },
      { destination: { upstream: v2 }, weight: 10 },
    ]);
  });

  it("from a release at 0 and 100: one destination with weight 100", () => {
    assert.deepEqual(buildUpstreamGroup({ upstreams: [v1, v2], release }).spec.destinations, [
      { destination: { upstream: v1 }, weight: 100 },
    ]);
    assert.deepEqual(
      buildUpstreamGroup({ upstreams: [v1, v2], release: { ...release, canaryWeight: 100 } }).spec
        .destinations,
      [{ destination: { upstream: v2 }, weight: 100 }],
    );
  });

  it("takes an explicit namespace and labels, and accepts external Upstreams", () => {
    const external = { name: "default-petstore-v1-8080", namespace: "gloo-system" };
    const group = buildUpstreamGroup({
      name: "pets",
      namespace: "gloo-system",
      labels: { team: "pets" },
      externalUpstreams: [external],
      destinations: [{ upstream: external, weight: 1 }],
    });
    assert.deepEqual(group.metadata, { name: "pets", namespace: "gloo-system", labels: { team: "pets" } });
    assert.deepEqual(group.spec.destinations, [{ destination: { upstream: external }, weight: 1 }]);
  });

  it("refuses a destination to an Upstream that is neither declared nor external", () => {
    assert.throws(
      () =>
        buildUpstreamGroup(
          {
            name: "petstore",
            upstreams: [v1],
            destinations: [
              { upstream: { name: "default-petstore-v1-8080", namespace: "gloo-system" }, weight: 1 },
            ],
          },
          "UpstreamGroup petstore",
        ),
      /^ValidationError: UpstreamGroup petstore: destinations\[0\]\.upstream: got "gloo-system\/default-petstore-v1-8080"; expected an Upstream this program declares \(upstreams: default\/petstore-v1\) or one passed in externalUpstreams \(none\)/,
    );
  });

  it("refuses a split whose weights are all 0", () => {
    assert.throws(
      () =>
        buildUpstreamGroup({
          name: "petstore",
          upstreams: [v1, v2],
          destinations: [
            { upstream: v1, weight: 0 },
            { upstream: v2, weight: 0 },
          ],
        }),
      /destinations\[\*\]\.weight: got \[0,0\]; expected at least one weight above 0/,
    );
  });

  it("refuses weights that are not whole numbers, and an empty list", () => {
    assert.throws(
      () =>
        buildUpstreamGroup({
          name: "petstore",
          upstreams: [v1],
          destinations: [{ upstream: v1, weight: 0.5 }],
        }),
      /destinations\[0\]\.weight: got 0\.5; expected a whole number from 0 to 4294967295/,
    );
    assert.throws(
      () => buildUpstreamGroup({ name: "petstore", upstreams: [v1], destinations: [] }),
      /destinations: got \[\]; expected a list of at least one \{ upstream, weight \}/,
    );
  });

  it("refuses both or neither of destinations and release, and a missing name", () => {
    assert.throws(
      () => buildUpstreamGroup({ name: "petstore", upstreams: [v1] }),
      /destinations \/ release: got "neither"; expected exactly one of destinations/,
    );
    assert.throws(
      () => buildUpstreamGroup({ upstreams: [v1], release, destinations: [{ upstream: v1, weight: 1 }] }),
      /destinations \/ release: got "both"/,
    );
    assert.throws(
      () => buildUpstreamGroup({ upstreams: [v1], destinations: [{ upstream: v1, weight: 1 }] }),
      /name: got nothing; expected a name for the UpstreamGroup \(required without a release\)/,
    );
  });

  it("refuses a release whose version has no Upstream, naming the version field and the Upstream", () => {
    assert.throws(
      () => buildUpstreamGroup({ upstreams: [v1], release: { ...release, canaryWeight: 5 } }),
      /release\.canaryVersion: got "petstore-v2"; expected an Upstream this program declares/,
    );
    assert.throws(
      () => buildUpstreamGroup({ namespace: "shop", upstreams: [v1, v2], release }),
      /release\.stableVersion: got "shop\/petstore-v1"; expected an Upstream this program declares/,
    );
  });

  it("reports release errors with their place", () => {
    assert.throws(
      () =>
        buildUpstreamGroup(
          { upstreams: [v1, v2], release: { ...release, canaryWeight: 101 } },
          "UpstreamGroup g",
        ),
      /^ValidationError: UpstreamGroup g: release: canaryWeight: got 101; expected a whole number from 0 to 100/,
    );
  });
});

describe("UpstreamGroup component", () => {
  let rec: Recording;
  before(async () => {
    rec = await recordResources();
  });

  it("registers the UpstreamGroup custom resource under the component, after the declared Upstreams", async () => {
    const up1 = new Upstream("ug-v1", { service: "petstore", version: "v1", port: 8080 });
    const up2 = new Upstream("ug-v2", { service: "petstore", version: "v2", port: 8080 });
    const group = new UpstreamGroup("petstore-split", {
      upstreams: [up1, up2],
      release: { ...release, canaryWeight: 40 },
    });
    await rec.settle();
    const component = one(rec, UPSTREAM_GROUP_TYPE, "petstore-split");
    const cr = one(rec, "kubernetes:gloo.solo.io/v1:UpstreamGroup", "petstore-split");
    assert.equal(cr.parent, component.urn);
    // What the builder builds from the same arguments, the Upstream components as their references.
    assert.deepEqual(
      cr.inputs,
      buildUpstreamGroup({ upstreams: [v1, v2], release: { ...release, canaryWeight: 40 } }),
    );
    const upstreamUrns = ["ug-v1", "ug-v2"].map(
      (n) => one(rec, "kubernetes:gloo.solo.io/v1:Upstream", n).urn,
    );
    for (const urn of upstreamUrns) assert.ok(cr.dependencies.includes(urn), `depends on ${urn}`);
    assert.equal(group.name, "petstore");
    assert.equal(group.namespace, "default");
  });

  it("registers nothing when the arguments are refused", async () => {
    await rec.settle();
    const before = rec.resources.length;
    assert.throws(
      () =>
        new UpstreamGroup("zero", {
          name: "zero",
          upstreams: [v1],
          destinations: [{ upstream: v1, weight: 0 }],
        }),
      /UpstreamGroup zero: destinations\[\*\]\.weight: got \[0\]; expected at least one weight above 0/,
    );
    await rec.settle();
    assert.equal(rec.resources.length, before);
  });
});
