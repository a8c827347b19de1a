import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  GlooSettingsPatch,
  PlatformGateway,
  TeamRouteTable,
  Upstream,
  UpstreamGroup,
  VirtualService,
} from "../../src/gloo";
import { resetClaims } from "../../src/claims";
import { one, recordResources, valueOf, type RecordedResource, type Recording } from "../support/runtime";

// Each test stands for its own program: objects claimed by an earlier test do not count.
beforeEach(() => resetClaims());

const UP = "kubernetes:gloo.solo.io/v1:Upstream";
const UG = "kubernetes:gloo.solo.io/v1:UpstreamGroup";
const VS = "kubernetes:gateway.solo.io/v1:VirtualService";
const RT = "kubernetes:gateway.solo.io/v1:RouteTable";
const SETTINGS_PATCH = "kubernetes:gloo.solo.io/v1:SettingsPatch";

const release = { service: "petstore", stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10 };

describe("Gloo components expose the object they register", () => {
  let rec: Recording;
  before(async () => {
    rec = await recordResources();
  });

  /**
   * Asserts that `child` is the custom resource recorded with this type and Pulumi name, parented to the
   * component, and that a resource with `dependsOn: child` depends on that object itself.
   */
  async function assertChild(
    child: pulumi.CustomResource,
    component: pulumi.ComponentResource,
    type: string,
    name: string,
    kind: string,
  ): Promise<RecordedResource> {
    new k8s.core.v1.ConfigMap(`after-${name}`, { data: {} }, { dependsOn: child });
    await rec.settle();
    const recorded = one(rec, type, name);
    assert.equal(await valueOf(child.urn), recorded.urn);
    assert.equal(recorded.parent, await valueOf(component.urn));
    assert.equal(recorded.inputs.kind, kind);
    const dependent = one(rec, "kubernetes:core/v1:ConfigMap", `after-${name}`);
    assert.deepEqual(dependent.dependencies, [recorded.urn]);
    return recorded;
  }

  it("Upstream: upstream is its Upstream custom resource", async () => {
    const v1 = new Upstream("children-v1", { service: "petstore", version: "v1", port: 8080 });
    assert.ok(v1.upstream instanceof k8s.apiextensions.CustomResource);
    await assertChild(v1.upstream, v1, UP, "children-v1", "Upstream");
    assert.equal(await valueOf(v1.upstream.metadata.name), "petstore-v1");
  });

  it("UpstreamGroup: upstreamGroup is its UpstreamGroup custom resource", async () => {
    const v1 = { name: "petstore-v1", namespace: "default" };
    const v2 = { name: "petstore-v2", namespace: "default" };
    const group = new UpstreamGroup("children-group", { externalUpstreams: [v1, v2], release });
    assert.ok(group.upstreamGroup instanceof k8s.apiextensions.CustomResource);
    await assertChild(group.upstreamGroup, group, UG, "children-group", "UpstreamGroup");
  });

  it("VirtualService: virtualService is its VirtualService custom resource, registered after its UpstreamGroups", async () => {
    const v1 = new Upstream("vs-v1", { service: "petstore", version: "v1", port: 8080 });
    const v2 = new Upstream("vs-v2", { service: "petstore", version: "v2", port: 8080 });
    const vs = new VirtualService("children-vs", {
      domains: ["petstore.example.com"],
      upstreams: [v1, v2],
      routes: [{ prefix: "/", release, useUpstreamGroup: true }],
    });
    assert.ok(vs.virtualService instanceof k8s.apiextensions.CustomResource);
    const recorded = await assertChild(vs.virtualService, vs, VS, "children-vs", "VirtualService");
    assert.ok(recorded.dependencies.includes(one(rec, UG, "children-vs-petstore").urn));
  });

  it("TeamRouteTable: routeTable is its RouteTable custom resource", async () => {
    const upstreams = ["v1", "v2"].map((v) => ({ name: `echo-${v}`, namespace: "echo" }));
    const table = new TeamRouteTable("children-rt", {
      team: "echo",
      prefix: "/echo",
      externalUpstreams: upstreams,
      routes: [{ prefix: "/echo", release: { ...release, service: "echo" } }],
    });
    assert.ok(table.routeTable instanceof k8s.apiextensions.CustomResource);
    await assertChild(table.routeTable, table, RT, "children-rt", "RouteTable");
  });

  it("PlatformGateway: virtualService is its delegating VirtualService custom resource", async () => {
    const gateway = new PlatformGateway("children-gateway", {
      domains: ["api.example.com"],
      teams: [{ team: "echo", prefix: "/echo" }],
    });
    assert.ok(gateway.virtualService instanceof k8s.apiextensions.CustomResource);
    await assertChild(gateway.virtualService, gateway, VS, "children-gateway", "VirtualService");
  });

  it("GlooSettingsPatch: settings is its Settings patch", async () => {
    const settings = new GlooSettingsPatch("children-settings", {});
    assert.ok(settings.settings instanceof k8s.apiextensions.CustomResourcePatch);
    await assertChild(settings.settings, settings, SETTINGS_PATCH, "children-settings", "Settings");
  });
});
