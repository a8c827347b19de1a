import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildConsulEntries,
  buildServiceDefaults,
  buildServiceResolver,
  buildServiceRouter,
  buildServiceSplitter,
  ConsulProtocol,
  subsetFilter,
  resolveConsulOptions,
} from "../../src/consul";
import { planRelease, ReleasePhase, type ReleasePlan } from "../../src/release";

const payments = (weight: number, header = false): ReleasePlan =>
  planRelease({
    service: "payments",
    stableVersion: "blue",
    canaryVersion: "green",
    canaryWeight: weight,
    header: header ? { name: "stage", value: "canary" } : undefined,
  });

void describe("subsetFilter", () => {
  void it("matches the version service meta as a string", () => {
    assert.equal(subsetFilter("green"), 'Service.Meta.version == "green"');
  });
});

void describe("buildServiceDefaults", () => {
  void it("names the service, sets the protocol and the exposes block the provider requires", () => {
    assert.deepEqual(buildServiceDefaults(payments(50)), {
      name: "payments",
      protocol: "http",
      exposes: [{}],
    });
    assert.deepEqual(buildServiceDefaults(payments(50), ConsulProtocol.Grpc), {
      name: "payments",
      protocol: "grpc",
      exposes: [{}],
    });
  });
});

void describe("buildServiceResolver", () => {
  void it("defines one subset per running version, the stable one as default, both timeouts", () => {
    assert.deepEqual(buildServiceResolver(payments(50)), {
      name: "payments",
      defaultSubset: "blue",
      connectTimeout: "5s",
      requestTimeout: "15s",
      subsets: [
        { name: "blue", filter: 'Service.Meta.version == "blue"', onlyPassing: true },
        { name: "green", filter: 'Service.Meta.version == "green"', onlyPassing: true },
      ],
    });
  });

  void it("keeps a subset for a canary at weight 0 and writes timeouts in their read-back form", () => {
    const resolver = buildServiceResolver(payments(0), {
      connectTimeout: "60s",
      requestTimeout: "1500ms",
      onlyPassing: false,
    });
    assert.equal(resolver.connectTimeout, "1m0s");
    assert.equal(resolver.requestTimeout, "1.5s");
    assert.deepEqual(
      resolver.subsets.map((s) => [s.name, s.onlyPassing]),
      [
        ["blue", false],
        ["green", false],
      ],
    );
  });
});

void describe("buildServiceSplitter", () => {
  void it("splits by the plan's destinations, each to its version's subset of the service", () => {
    assert.deepEqual(buildServiceSplitter(payments(10)), {
      name: "payments",
      splits: [
        { weight: 90, service: "payments", serviceSubset: "blue" },
        { weight: 10, service: "payments", serviceSubset: "green" },
      ],
    });
  });

  void it("writes a single 100 % split when the canary has no weight", () => {
    assert.deepEqual(buildServiceSplitter(payments(0)).splits, [
      { weight: 100, service: "payments", serviceSubset: "blue" },
    ]);
  });

  void it("splits N ways", () => {
    const plan = planRelease({
      service: "payments",
      stableVersion: "v1",
      canaryVersion: "v2",
      canaryWeight: 20,
      extraVersions: [{ version: "v3", weight: 5 }],
    });
    assert.deepEqual(buildServiceSplitter(plan).splits, [
      { weight: 75, service: "payments", serviceSubset: "v1" },
      { weight: 20, service: "payments", serviceSubset: "v2" },
      { weight: 5, service: "payments", serviceSubset: "v3" },
    ]);
  });
});

void describe("buildServiceRouter", () => {
  void it("routes the exact header to the canary subset", () => {
    assert.deepEqual(buildServiceRouter(payments(0, true)), {
      name: "payments",
      routes: [
        {
          match: { http: { headers: [{ name: "stage", exact: "canary" }] } },
          destination: { service: "payments", serviceSubset: "green" },
        },
      ],
    });
  });

  void it("adds a path prefix when asked", () => {
    assert.deepEqual(buildServiceRouter(payments(0, true), "/api")?.routes[0].match, {
      http: { pathPrefix: "/api", headers: [{ name: "stage", exact: "canary" }] },
    });
  });

  void it("is absent without a header route", () => {
    assert.equal(buildServiceRouter(payments(50)), undefined);
  });
});

void describe("buildConsulEntries", () => {
  void it("weighted with header: defaults, resolver, splitter and router", () => {
    const entries = buildConsulEntries(payments(50, true));
    assert.deepEqual(Object.keys(entries), ["defaults", "resolver", "splitter", "router"]);
    assert.deepEqual(entries.splitter?.splits, [
      { weight: 50, service: "payments", serviceSubset: "blue" },
      { weight: 50, service: "payments", serviceSubset: "green" },
    ]);
    assert.equal(entries.router?.routes[0].destination.serviceSubset, "green");
  });

  void it("every phase builds entries that name only defined subsets", () => {
    const phases: [ReleasePlan, ReleasePhase, [string, number][]][] = [
      [planRelease({ service: "payments", stableVersion: "blue" }), ReleasePhase.Stable, [["blue", 100]]],
      [payments(0), ReleasePhase.Standby, [["blue", 100]]],
      [payments(0, true), ReleasePhase.HeaderTesting, [["blue", 100]]],
      [
        payments(30),
        ReleasePhase.Weighted,
        [
          ["blue", 70],
          ["green", 30],
        ],
      ],
      [payments(100), ReleasePhase.Shifted, [["green", 100]]],
    ];
    for (const [plan, phase, splits] of phases) {
      assert.equal(plan.phase, phase);
      const entries = buildConsulEntries(plan);
      assert.deepEqual(
        entries.splitter?.splits.map((s) => [s.serviceSubset, s.weight]),
        splits,
        phase,
      );
      assert.equal(entries.resolver.defaultSubset, "blue");
    }
  });

  void it("with tcp and the stable version only: defaults and resolver, no splitter, no router", () => {
    const entries = buildConsulEntries(planRelease({ service: "payments", stableVersion: "blue" }), {
      protocol: ConsulProtocol.Tcp,
    });
    assert.deepEqual(entries, {
      defaults: { name: "payments", protocol: "tcp", exposes: [{}] },
      resolver: {
        name: "payments",
        defaultSubset: "blue",
        connectTimeout: "5s",
        requestTimeout: "15s",
        subsets: [{ name: "blue", filter: 'Service.Meta.version == "blue"', onlyPassing: true }],
      },
    });
  });

  void it("http2 and grpc allow splitting", () => {
    for (const protocol of [ConsulProtocol.Http2, ConsulProtocol.Grpc]) {
      const entries = buildConsulEntries(payments(10), { protocol });
      assert.equal(entries.defaults.protocol, protocol);
      assert.equal(entries.splitter?.splits.length, 2);
    }
  });
});

// A plan from planRelease is already consistent; a plan made by hand that is not is refused by Consul's write rules,
// naming the entry field.
void describe("buildConsulEntries refuses", () => {
  const base = payments(50, true);
  const refuses = (plan: ReleasePlan, pattern: RegExp, options = {}) =>
    assert.throws(() => buildConsulEntries(plan, options, "payments"), pattern);

  void it("protocol tcp with a canary, a header rule or a split — even when the split is 100 %", () => {
    const tcp = { protocol: ConsulProtocol.Tcp };
    refuses(
      payments(0),
      /^ValidationError: payments: protocol: got "tcp"; expected "http", "http2" or "grpc" for a release with canaryVersion "green", a split over several versions: Consul refuses any service-splitter or service-router on a tcp service/,
      tcp,
    );
    refuses(
      payments(0, true),
      /protocol: got "tcp"; expected .* with canaryVersion "green", a header rule/,
      tcp,
    );
    refuses(payments(100), /protocol: got "tcp"; expected "http", "http2" or "grpc"/, tcp);
    const extra = planRelease({
      service: "payments",
      stableVersion: "blue",
      extraVersions: [{ version: "dark", weight: 0 }],
    });
    refuses(extra, /protocol: got "tcp"; expected .* a split over several versions/, tcp);
  });

  void it("an unknown protocol", () => {
    refuses(
      base,
      /^ValidationError: payments: protocol: got "udp"; expected one of "http", "http2", "grpc", "tcp"$/,
      {
        protocol: "udp",
      },
    );
  });

  void it("a split to a subset that is not defined", () => {
    const plan = {
      ...base,
      destinations: [...base.destinations.slice(0, 1), { version: "red", weight: 50 }],
    };
    refuses(
      plan,
      /^ValidationError: payments: service-splitter\.splits\[1\]\.serviceSubset: got "red"; expected a defined subset: one of "blue", "green"$/,
    );
  });

  void it("a header route to a subset that is not defined", () => {
    const plan = { ...base, headerRoute: { header: { name: "stage", value: "canary" }, version: "red" } };
    refuses(
      plan,
      /^ValidationError: payments: service-router\.routes\[0\]\.destination\.serviceSubset: got "red"; expected a defined subset: one of "blue", "green"$/,
    );
  });

  void it("duplicate split destinations", () => {
    const plan = {
      ...base,
      destinations: [
        { version: "blue", weight: 50 },
        { version: "blue", weight: 50 },
      ],
    };
    refuses(
      plan,
      /^ValidationError: payments: service-splitter\.splits\[1\]\.serviceSubset: got "blue"; expected a destination not already split to \(service "payments" subset "blue" occurs in splits\[0\] too\)$/,
    );
  });

  void it("subset names that are not DNS labels", () => {
    for (const bad of ["V1", "v1.2", "-v1", "a".repeat(64)]) {
      const plan = { ...base, versions: ["blue", bad], destinations: [{ version: "blue", weight: 100 }] };
      refuses(
        plan,
        /^ValidationError: payments: service-resolver\.subsets\[1\]\.name: got ".*"; expected a lower-case DNS label/,
      );
    }
  });

  void it("a version listed twice", () => {
    const plan = { ...base, versions: ["blue", "green", "blue"] };
    refuses(
      plan,
      /^ValidationError: payments: service-resolver\.subsets\[2\]\.name: got "blue"; expected a subset name not already defined$/,
    );
  });

  void it("a stable version without a subset", () => {
    refuses(
      { ...base, stableVersion: "red" },
      /^ValidationError: payments: service-resolver\.defaultSubset: got "red"; expected a defined subset/,
    );
  });

  void it("weights that are not whole numbers or do not sum to 100", () => {
    const fractional = {
      ...base,
      destinations: [
        { version: "blue", weight: 66.67 },
        { version: "green", weight: 33.33 },
      ],
    };
    refuses(
      fractional,
      /^ValidationError: payments: service-splitter\.splits\[0\]\.weight: got 66\.67; expected a weight a float32 holds exactly/,
    );
    const short = {
      ...base,
      destinations: [
        { version: "blue", weight: 50 },
        { version: "green", weight: 30 },
      ],
    };
    refuses(
      short,
      /^ValidationError: payments: service-splitter\.splits\[\*\]\.weight: got 80; expected weights summing to exactly 100$/,
    );
    refuses(
      { ...base, destinations: [] },
      /^ValidationError: payments: service-splitter\.splits: got \[\]; expected at least one split/,
    );
  });

  void it("durations that are not Go durations", () => {
    refuses(base, /^ValidationError: payments: connectTimeout: got "5"; expected a positive Go duration/, {
      connectTimeout: "5",
    });
    refuses(
      base,
      /^ValidationError: payments: requestTimeout: got "15 seconds"; expected a positive Go duration/,
      {
        requestTimeout: "15 seconds",
      },
    );
    refuses(base, /^ValidationError: payments: requestTimeout: got "0s"; expected a positive Go duration/, {
      requestTimeout: "0s",
    });
  });

  void it("a header route path prefix not starting with /", () => {
    refuses(
      base,
      /^ValidationError: payments: headerRoutePathPrefix: got "api"; expected a path starting with "\/"/,
      {
        headerRoutePathPrefix: "api",
      },
    );
  });

  void it("returns the resolved options when valid", () => {
    assert.deepEqual(resolveConsulOptions(base, { connectTimeout: "120s" }), {
      protocol: "http",
      connectTimeout: "2m0s",
      requestTimeout: "15s",
      onlyPassing: true,
      headerRoutePathPrefix: undefined,
    });
  });
});
