import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ConsulProtocol, ConsulTrafficSplit, toConsulConfigWrite } from "../../src/consul";
import { one, recordResources, type Recording } from "../support/runtime";

const DEFAULTS = "consul:index/configEntry:ConfigEntry";
const TYPED_DEFAULTS = "consul:index/configEntryServiceDefaults:ConfigEntryServiceDefaults";
const RESOLVER = "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver";
const SPLITTER = "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter";
const ROUTER = "consul:index/configEntryServiceRouter:ConfigEntryServiceRouter";

let rec: Recording;
before(async () => {
  rec = await recordResources();
  new ConsulTrafficSplit("payments", {
    service: "payments",
    stableVersion: "blue",
    canaryVersion: "green",
    canaryWeight: 50,
    header: { name: "stage", value: "canary" },
    protocol: ConsulProtocol.Http2,
    connectTimeout: "2s",
    requestTimeout: "60s",
    headerRoutePathPrefix: "/",
  });
  await rec.settle();
});

const written = (type: string) => toConsulConfigWrite(type, one(rec, type, "payments").inputs);

void describe("toConsulConfigWrite from recorded resources", () => {
  void it("service-defaults: Kind, Name, Protocol; the empty Expose, MeshGateway, TransparentProxy are omitted", () => {
    assert.deepEqual(written(DEFAULTS), { Kind: "service-defaults", Name: "payments", Protocol: "http2" });
  });

  void it("a generic config entry of any kind: Kind, Name, namespace and the fields of its configJson", () => {
    assert.deepEqual(
      toConsulConfigWrite(DEFAULTS, {
        kind: "proxy-defaults",
        name: "global",
        namespace: "team-a",
        configJson: JSON.stringify({ Config: { protocol: "http" }, MeshGateway: {}, Mode: "direct" }),
      }),
      {
        Kind: "proxy-defaults",
        Name: "global",
        Namespace: "team-a",
        Config: { protocol: "http" },
        Mode: "direct",
      },
    );
  });

  void it("service-resolver: Subsets as a map of Filter and OnlyPassing, DefaultSubset, both timeouts", () => {
    assert.deepEqual(written(RESOLVER), {
      Kind: "service-resolver",
      Name: "payments",
      DefaultSubset: "blue",
      ConnectTimeout: "2s",
      RequestTimeout: "1m0s",
      Subsets: {
        blue: { Filter: 'Service.Meta.version == "blue"', OnlyPassing: true },
        green: { Filter: 'Service.Meta.version == "green"', OnlyPassing: true },
      },
    });
  });

  void it("service-splitter: Splits of Weight, Service, ServiceSubset", () => {
    assert.deepEqual(written(SPLITTER), {
      Kind: "service-splitter",
      Name: "payments",
      Splits: [
        { Weight: 50, Service: "payments", ServiceSubset: "blue" },
        { Weight: 50, Service: "payments", ServiceSubset: "green" },
      ],
    });
  });

  void it("service-router: Routes with Match.HTTP.Header and Destination", () => {
    assert.deepEqual(written(ROUTER), {
      Kind: "service-router",
      Name: "payments",
      Routes: [
        {
          Match: { HTTP: { PathPrefix: "/", Header: [{ Name: "stage", Exact: "canary" }] } },
          Destination: { Service: "payments", ServiceSubset: "green" },
        },
      ],
    });
  });

  void it("returns undefined for resources that are not Consul config entries", () => {
    assert.equal(toConsulConfigWrite("pulumi-canary:index:ConsulTrafficSplit", {}), undefined);
    assert.equal(
      toConsulConfigWrite("kubernetes:apps/v1:Deployment", { metadata: { name: "x" } }),
      undefined,
    );
    assert.equal(
      toConsulConfigWrite("consul:index/keys:Keys", { keys: [{ path: "x", value: "y" }] }),
      undefined,
    );
    assert.equal(toConsulConfigWrite("constructor", {}), undefined);
  });
});

void describe("toConsulConfigWrite field mapping beyond this package's own entries", () => {
  void it("service-defaults: namespace, meta, expose paths, mesh gateway, transparent proxy", () => {
    assert.deepEqual(
      toConsulConfigWrite(TYPED_DEFAULTS, {
        name: "web",
        namespace: "team-a",
        partition: "",
        meta: { owner: "team-a" },
        protocol: "http",
        mode: "transparent",
        externalSni: "web.example",
        mutualTlsMode: "strict",
        exposes: [
          {
            checks: false,
            paths: [{ path: "/health", localPathPort: 8080, listenerPort: 21500, protocol: "http" }],
          },
        ],
        meshGateways: [{ mode: "local" }],
        transparentProxies: [{ outboundListenerPort: 15001, dialedDirectly: true }],
      }),
      {
        Kind: "service-defaults",
        Name: "web",
        Namespace: "team-a",
        Meta: { owner: "team-a" },
        Protocol: "http",
        Mode: "transparent",
        MutualTLSMode: "strict",
        ExternalSNI: "web.example",
        MeshGateway: { Mode: "local" },
        TransparentProxy: { OutboundListenerPort: 15001, DialedDirectly: true },
        Expose: {
          Checks: false,
          Paths: [{ ListenerPort: 21500, Path: "/health", LocalPathPort: 8080, Protocol: "http" }],
        },
      },
    );
  });

  void it("service-resolver: OnlyPassing false is kept, redirect, failover map, load balancer", () => {
    assert.deepEqual(
      toConsulConfigWrite(RESOLVER, {
        name: "web",
        subsets: [{ name: "v1", filter: "Service.Meta.version == v1", onlyPassing: false }],
        redirects: [{ service: "web", datacenter: "dc2" }],
        failovers: [{ subsetName: "*", datacenters: ["dc3", "dc4"], targets: [{ peer: "east" }] }],
        loadBalancers: [
          {
            policy: "ring_hash",
            ringHashConfigs: [{ minimumRingSize: 1024, maximumRingSize: 8192 }],
            hashPolicies: [{ field: "header", fieldValue: "x-user-id", terminal: true, cookieConfigs: [] }],
          },
        ],
      }),
      {
        Kind: "service-resolver",
        Name: "web",
        Subsets: { v1: { Filter: "Service.Meta.version == v1", OnlyPassing: false } },
        Redirect: { Service: "web", Datacenter: "dc2" },
        Failover: { "*": { Datacenters: ["dc3", "dc4"], Targets: [{ Peer: "east" }] } },
        LoadBalancer: {
          Policy: "ring_hash",
          RingHashConfig: { MinimumRingSize: 1024, MaximumRingSize: 8192 },
          HashPolicies: [{ Field: "header", FieldValue: "x-user-id", Terminal: true }],
        },
      },
    );
  });

  void it("service-splitter: weight 0 is kept, header modifiers use Add, Set, Remove", () => {
    assert.deepEqual(
      toConsulConfigWrite(SPLITTER, {
        name: "web",
        splits: [
          {
            weight: 100,
            service: "web",
            serviceSubset: "v1",
            requestHeaders: { set: { "x-version": "v1" }, removes: ["x-debug"] },
          },
          { weight: 0, service: "web", serviceSubset: "v2", responseHeaders: { add: { "x-canary": "no" } } },
        ],
      }),
      {
        Kind: "service-splitter",
        Name: "web",
        Splits: [
          {
            Weight: 100,
            Service: "web",
            ServiceSubset: "v1",
            RequestHeaders: { Set: { "x-version": "v1" }, Remove: ["x-debug"] },
          },
          { Weight: 0, Service: "web", ServiceSubset: "v2", ResponseHeaders: { Add: { "x-canary": "no" } } },
        ],
      },
    );
  });

  void it("service-router: query params, methods, present headers, retries and timeouts", () => {
    assert.deepEqual(
      toConsulConfigWrite(ROUTER, {
        name: "web",
        routes: [
          {
            match: {
              http: {
                pathExact: "/admin",
                headers: [{ name: "x-debug", present: true, invert: true }],
                queryParams: [{ name: "canary", exact: "1" }],
                methods: ["GET", "HEAD"],
              },
            },
            destination: {
              service: "admin",
              prefixRewrite: "/",
              requestTimeout: "5s",
              numRetries: 2,
              retryOnConnectFailure: true,
              retryOnStatusCodes: [503],
              retryOns: ["reset"],
            },
          },
        ],
      }),
      {
        Kind: "service-router",
        Name: "web",
        Routes: [
          {
            Match: {
              HTTP: {
                PathExact: "/admin",
                Header: [{ Name: "x-debug", Present: true, Invert: true }],
                QueryParam: [{ Name: "canary", Exact: "1" }],
                Methods: ["GET", "HEAD"],
              },
            },
            Destination: {
              Service: "admin",
              PrefixRewrite: "/",
              RequestTimeout: "5s",
              NumRetries: 2,
              RetryOnConnectFailure: true,
              RetryOn: ["reset"],
              RetryOnStatusCodes: [503],
            },
          },
        ],
      },
    );
  });
});
