import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildConsulEntries,
  checkConsulEntries,
  checkServiceDefaults,
  checkServiceResolver,
  checkServiceRouter,
  checkServiceSplitter,
  ConsulProtocol,
  type ConsulEntries,
  type ServiceResolverEntry,
  type ServiceRouterEntry,
  type ServiceSplitterEntry,
} from "../../src/consul";
import { planRelease } from "../../src/release";

/** Valid entries for payments: blue 50 / green 50, header stage=canary to green. */
function valid(): ConsulEntries {
  return buildConsulEntries(
    planRelease({
      service: "payments",
      stableVersion: "blue",
      canaryVersion: "green",
      canaryWeight: 50,
      header: { name: "stage", value: "canary" },
    }),
  );
}

function splitter(...splits: [number, string, string?][]): ServiceSplitterEntry {
  return {
    name: "payments",
    splits: splits.map(([weight, service, serviceSubset]) => ({
      weight,
      service,
      ...(serviceSubset ? { serviceSubset } : {}),
    })),
  };
}

function router(
  http: ServiceRouterEntry["routes"][number]["match"]["http"],
  serviceSubset = "green",
): ServiceRouterEntry {
  return {
    name: "payments",
    routes: [{ match: { http }, destination: { service: "payments", serviceSubset } }],
  };
}

/** Escapes text for use inside a RegExp. */
const re = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

void describe("valid entries", () => {
  void it("pass every check", () => {
    assert.doesNotThrow(() => checkConsulEntries(valid()));
  });
});

void describe("service-splitter rules", () => {
  const { resolver } = valid();
  const check = (entry: ServiceSplitterEntry) => () => checkServiceSplitter(entry, resolver, "payments");

  void it("needs a name (the provider would auto-name it)", () => {
    assert.throws(
      check({ ...splitter([100, "payments", "blue"]), name: "" }),
      /service-splitter\.name: got ""; expected the service name/,
    );
  });

  void it("needs at least one split", () => {
    assert.throws(
      check(splitter()),
      /service-splitter\.splits: got \[\]; expected at least one split \(no splits configured\)/,
    );
  });

  void it("rounded weights must total exactly 100", () => {
    assert.throws(
      check(splitter([50, "payments", "blue"], [30, "payments", "green"])),
      /service-splitter\.splits\[\*\]\.weight: got 80; expected weights summing to exactly 100/,
    );
    assert.throws(
      check(splitter([50.25, "payments", "blue"], [49.5, "payments", "green"])),
      /got 99\.75; expected weights summing to exactly 100/,
    );
    assert.doesNotThrow(check(splitter([50.25, "payments", "blue"], [49.75, "payments", "green"])));
    assert.doesNotThrow(check(splitter([100, "payments", "blue"], [0, "payments", "green"])));
  });

  void it("each weight is from 0 to 100", () => {
    assert.throws(
      check(splitter([101, "payments", "blue"], [-1, "payments", "green"])),
      /splits\[0\]\.weight: got 101; expected a number from 0 to 100/,
    );
    assert.throws(
      check(splitter([100, "payments", "blue"], [Number.NaN, "payments", "green"])),
      /splits\[1\]\.weight: got NaN; expected a number from 0 to 100/,
    );
  });

  void it("weights are in steps of 0.01", () => {
    assert.throws(
      check(splitter([87.875, "payments", "blue"], [12.125, "payments", "green"])),
      /splits\[0\]\.weight: got 87\.875; expected a weight in steps of 0\.01 \(Consul rounds to 0\.01\)/,
    );
  });

  void it("weights a float32 cannot hold exactly are refused: they read back differently", () => {
    assert.throws(
      check(splitter([66.67, "payments", "blue"], [33.33, "payments", "green"])),
      /splits\[0\]\.weight: got 66\.67; expected a weight a float32 holds exactly .* it would read back as 66\.66999816894531/,
    );
  });

  void it("refuses duplicate destinations", () => {
    assert.throws(
      check(splitter([50, "payments", "blue"], [50, "payments", "blue"])),
      re(
        'service-splitter.splits[1].serviceSubset: got "blue"; expected a destination not already split to (service "payments" subset "blue" occurs in splits[0] too)',
      ),
    );
  });

  void it("needs a service on every split", () => {
    assert.throws(
      check(splitter([100, "", "blue"])),
      /splits\[0\]\.service: got ""; expected a service name \(required\)/,
    );
  });

  void it("a subset of the service must be defined by its resolver", () => {
    assert.throws(
      check(splitter([50, "payments", "blue"], [50, "payments", "red"])),
      /splits\[1\]\.serviceSubset: got "red"; expected a defined subset: one of "blue", "green"/,
    );
  });

  void it("a split to another service (through its own splitter or resolver) is not checked against this resolver", () => {
    assert.doesNotThrow(check(splitter([90, "payments", "blue"], [10, "payments-next"])));
  });
});

void describe("service-resolver rules", () => {
  const resolverWith = (change: Partial<ServiceResolverEntry>): ServiceResolverEntry => ({
    ...valid().resolver,
    ...change,
  });
  const check = (entry: ServiceResolverEntry) => () => checkServiceResolver(entry, "payments");
  const subset = (name: string) => ({ name, filter: `Service.Meta.version == "${name}"`, onlyPassing: true });

  void it("subset names are lower-case DNS labels of at most 63 characters", () => {
    for (const name of ["V1", "v1.2", "v1-", "", "a".repeat(64)]) {
      assert.throws(
        check(resolverWith({ subsets: [subset("blue"), subset(name)] })),
        /^ValidationError: payments: service-resolver\.subsets\[1\]\.name: got ".*"; expected a lower-case DNS label of at most 63 characters/,
        name,
      );
    }
    assert.doesNotThrow(check(resolverWith({ subsets: [subset("blue"), subset("a".repeat(63))] })));
  });

  void it("subset names are distinct", () => {
    assert.throws(
      check(resolverWith({ subsets: [subset("blue"), subset("blue")] })),
      /subsets\[1\]\.name: got "blue"; expected a subset name not already defined/,
    );
  });

  void it("every subset has a filter and onlyPassing", () => {
    assert.throws(
      check(resolverWith({ subsets: [{ ...subset("blue"), filter: " " }] })),
      /subsets\[0\]\.filter: got " "; expected a filter such as/,
    );
    const missing = { name: "blue", filter: "x" } as unknown as ServiceResolverEntry["subsets"][number];
    assert.throws(
      check(resolverWith({ subsets: [missing] })),
      /subsets\[0\]\.onlyPassing: got nothing; expected true or false \(required\)/,
    );
  });

  void it("DefaultSubset must be a defined subset", () => {
    assert.throws(
      check(resolverWith({ defaultSubset: "red" })),
      /service-resolver\.defaultSubset: got "red"; expected a defined subset: one of "blue", "green"/,
    );
    assert.throws(
      check(resolverWith({ subsets: [], defaultSubset: "blue" })),
      /defaultSubset: got "blue"; expected a defined subset \(the resolver defines none\)/,
    );
  });

  void it("both timeouts are Go durations of at least 0, in their read-back form", () => {
    assert.throws(
      check(resolverWith({ connectTimeout: undefined as unknown as string })),
      /service-resolver\.connectTimeout: got nothing; expected a Go duration of at least 0/,
    );
    assert.throws(
      check(resolverWith({ requestTimeout: "-1s" })),
      /requestTimeout: got "-1s"; expected a Go duration of at least 0/,
    );
    assert.throws(
      check(resolverWith({ requestTimeout: "15" })),
      /requestTimeout: got "15"; expected a Go duration/,
    );
    assert.throws(
      check(resolverWith({ connectTimeout: "60s" })),
      /connectTimeout: got "60s"; expected the form Consul reads it back in, "1m0s"/,
    );
    assert.doesNotThrow(check(resolverWith({ connectTimeout: "1m0s", requestTimeout: "0s" })));
  });

  void it("Redirect and Failover cannot both be set", () => {
    assert.throws(
      check(
        resolverWith({
          redirects: [{ service: "other" }],
          failovers: [{ subsetName: "*", datacenters: ["dc2"] }],
        }),
      ),
      /service-resolver\.redirects: got .*; expected no redirect while failovers are set/,
    );
  });
});

void describe("service-router rules", () => {
  const { resolver } = valid();
  const check = (entry: ServiceRouterEntry) => () => checkServiceRouter(entry, resolver, "payments");

  void it("each header match needs a name", () => {
    assert.throws(
      check(router({ headers: [{ name: "", exact: "canary" }] })),
      /headers\[0\]\.name: got ""; expected a header name/,
    );
  });

  void it("each header match has exactly one of present, exact, prefix, suffix, regex", () => {
    assert.throws(
      check(router({ headers: [{ name: "stage" }] })),
      /service-router\.routes\[0\]\.match\.http\.headers\[0\]: got "no condition"; expected exactly one of present, exact, prefix, suffix or regex/,
    );
    assert.throws(
      check(router({ headers: [{ name: "stage", exact: "canary", prefix: "can" }] })),
      /headers\[0\]: got "exact \+ prefix"; expected exactly one of/,
    );
    assert.throws(
      check(
        router({
          headers: [
            { name: "a", present: true },
            { name: "b", suffix: "x", regex: "y" },
          ],
        }),
      ),
      /headers\[1\]: got "suffix \+ regex"/,
    );
    for (const header of [
      { name: "stage", present: true },
      { name: "stage", exact: "canary" },
      { name: "stage", prefix: "can" },
      { name: "stage", suffix: "ary" },
      { name: "stage", regex: "can.*" },
    ]) {
      assert.doesNotThrow(check(router({ headers: [header] })));
    }
  });

  void it("at most one of pathExact, pathPrefix, pathRegex", () => {
    assert.throws(
      check(router({ pathExact: "/a", pathPrefix: "/" })),
      /routes\[0\]\.match\.http: got "pathExact \+ pathPrefix"; expected at most one of pathExact, pathPrefix, pathRegex/,
    );
  });

  void it("pathExact and pathPrefix start with /", () => {
    assert.throws(
      check(router({ pathPrefix: "api" })),
      /match\.http\.pathPrefix: got "api"; expected a path starting with "\/"/,
    );
    assert.throws(
      check(router({ pathExact: "api" })),
      /match\.http\.pathExact: got "api"; expected a path starting with "\/"/,
    );
    assert.doesNotThrow(check(router({ pathRegex: "api/.*" })));
    assert.doesNotThrow(check(router({ pathPrefix: "/" })));
  });

  void it("a destination subset must be defined", () => {
    assert.throws(
      check(router({ headers: [{ name: "stage", exact: "canary" }] }, "red")),
      /routes\[0\]\.destination\.serviceSubset: got "red"; expected a defined subset: one of "blue", "green"/,
    );
  });
});

void describe("service-defaults rules", () => {
  const defaults = valid().defaults;

  void it("needs a name, a known protocol and the exposes block", () => {
    assert.throws(
      () => checkServiceDefaults({ ...defaults, name: "" }),
      /service-defaults\.name: got ""; expected the service name/,
    );
    assert.throws(
      () => checkServiceDefaults({ ...defaults, protocol: "udp" as ConsulProtocol }),
      /service-defaults\.protocol: got "udp"; expected one of "http", "http2", "grpc", "tcp"/,
    );
    assert.throws(
      () => checkServiceDefaults({ ...defaults, exposes: [] }),
      /service-defaults\.exposes: got \[\]; expected a list with one block, e\.g\. \[\{\}\]/,
    );
  });
});

void describe("the L7 protocol rule and entry names", () => {
  void it("a splitter on a tcp service is refused, even a single 100 % split", () => {
    const entries = valid();
    delete entries.router;
    entries.defaults.protocol = ConsulProtocol.Tcp;
    entries.splitter = splitter([100, "payments", "blue"]);
    assert.throws(
      () => checkConsulEntries(entries, "payments"),
      /^ValidationError: payments: service-defaults\.protocol: got "tcp"; expected "http", "http2" or "grpc" while a service-splitter exists \(Consul: protocol "tcp" does not permit advanced routing or splitting\)$/,
    );
  });

  void it("a router on a tcp service is refused", () => {
    const entries = valid();
    delete entries.splitter;
    entries.defaults.protocol = ConsulProtocol.Tcp;
    assert.throws(
      () => checkConsulEntries(entries),
      /service-defaults\.protocol: got "tcp"; expected .* while a service-router exists/,
    );
  });

  void it("tcp without splitter and router passes", () => {
    const entries = valid();
    delete entries.splitter;
    delete entries.router;
    entries.defaults.protocol = ConsulProtocol.Tcp;
    assert.doesNotThrow(() => checkConsulEntries(entries));
  });

  void it("every entry is named after the same service", () => {
    const entries = valid();
    entries.resolver.name = "payment";
    assert.throws(
      () => checkConsulEntries(entries),
      /service-resolver\.name: got "payment"; expected the service name "payments" of service-defaults/,
    );
  });
});
