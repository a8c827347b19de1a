// The limits of the Gateway API v1.7.0 standard CRDs and their CEL rules, refused before apply: one test per limit,
// each naming the field, the value and what is accepted; the values at each limit pass the CRDs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import {
  buildGateway,
  buildHttpRoute,
  gatewayPathProblem,
  gatewayPathWithin,
  gatewayPrefixesOverlap,
  type GatewayListenerArgs,
  type HttpRouteSpec,
} from "../../src/gateway-api";
import { planRelease, ValidationError } from "../../src/release";
import { CRD_DIRS, assertValidAgainstCrds } from "../support/crds";
import { PETSTORE_RELEASE } from "./petstore";

const release = PETSTORE_RELEASE;
const plan = planRelease(release);
const spec: HttpRouteSpec = {
  name: "petstore",
  namespace: "default",
  parentRefs: [{ name: "public", namespace: "gateway-system" }],
  prefix: "/petstore",
  port: 8080,
};

/** The problems `run` is refused with, as one-line messages. */
function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return err.message.split("\n");
  }
  assert.fail("expected a ValidationError");
}

const route = (changes: Partial<HttpRouteSpec>) => () => buildHttpRoute(plan, { ...spec, ...changes });
const gateway = (listeners: GatewayListenerArgs[]) => () =>
  buildGateway("platform", { gatewayClassName: "kgateway", listeners });

describe("HTTPRoute path prefixes, as the CRD's PathPrefix rules take them", () => {
  const refused: [string, string][] = [
    ["/a//b", 'contains "//"'],
    ["/a/../b", 'contains "/../"'],
    ["/a/./b", 'contains "/./"'],
    ["/a%2Fb", 'contains "%2F"'],
    ["/a%2fb", 'contains "%2f"'],
    ["/a/..", 'ends with "/.."'],
    ["/a/.", 'ends with "/."'],
    ["/a|b", 'contains "|"'],
    ["/a#b", 'contains "#"'],
    ["/a?b", 'contains "?"'],
    ["/a b", 'contains " "'],
    ["/a%zz", 'has a "%" not followed by two hexadecimal digits'],
    ["a/b", 'must start with "/"'],
    [`/${"a".repeat(1024)}`, "has 1025 characters, more than 1024"],
  ];
  for (const [value, why] of refused) {
    const shown =
      value.length > 120 ? `"${value.slice(0, 40)}... (${value.length} characters)"` : JSON.stringify(value);
    test(`${shown} is refused: it ${why}`, () => {
      const lines = refusal(route({ prefix: value }));
      assert.equal(lines.length, 1);
      assert.ok(
        lines[0].startsWith(`gatewayApi.prefix: got ${shown}; expected a path starting with "/"`),
        lines[0],
      );
      assert.ok(lines[0].endsWith(`; it ${why}`), lines[0]);
    });
  }

  test("the same rules hold for a prefix rewrite", () => {
    const [line] = refusal(route({ options: { prefixRewrite: "/api//v1" } }));
    assert.match(
      line,
      /^gatewayApi\.options\.prefixRewrite: got "\/api\/\/v1"; expected a path starting with "\/".*it contains "\/\/"$/,
    );
  });

  test("paths at the limits pass the CRD: 1024 characters, %XX escapes, sub-delims, a trailing slash", () => {
    for (const prefix of [`/${"a".repeat(1023)}`, "/a%20b", "/a:b@c;d=e,f!$&'()*+~_.-", "/petstore/", "/"]) {
      assert.equal(gatewayPathProblem(prefix), undefined, prefix);
      assertValidAgainstCrds([buildHttpRoute(plan, { ...spec, prefix })]);
    }
  });

  test("the path check agrees with the CRD's own rules (maxLength and every CEL rule, read from the CRD)", () => {
    const rules = pathRulesOfCrd();
    assert.equal(
      rules.length,
      11,
      "the v1.7.0 CRD has 11 CEL rules on an Exact/PathPrefix value, and maxLength",
    );
    const accepts = (value: string) => rules.every((rule) => rule(value));
    const alphabet = ["/", "a", "b", ".", "%", "2", "f", "F", "#", "?", "|", " ", "~", "@", "é"];
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 10 }), (tail) => {
        for (const value of [tail, `/${tail}`]) {
          assert.equal(gatewayPathProblem(value) === undefined, accepts(value), JSON.stringify(value));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("path prefixes match whole path elements on the Gateway API", () => {
  test("/echo and /echoes do not overlap; /foxtrotx is not inside /foxtrot", () => {
    assert.equal(gatewayPrefixesOverlap("/echo", "/echoes"), false);
    assert.equal(gatewayPathWithin("/foxtrotx", "/foxtrot"), false);
    assert.equal(gatewayPathWithin("/foxtrot/api", "/foxtrot"), true);
    assert.equal(gatewayPathWithin("/foxtrot/", "/foxtrot"), true, "a trailing slash is ignored");
    assert.equal(gatewayPathWithin("/foxtrot", "/foxtrot/"), true);
    assert.equal(gatewayPathWithin("/anything", "/"), true);
    assert.equal(gatewayPrefixesOverlap("/echo", "/echo/v2"), true);
  });
});

describe("HTTPRoute timeouts", () => {
  test("a backendTimeout longer than timeout is refused (the CRD's CEL rule); equal, or a disabled 0s timeout, pass", () => {
    const [line] = refusal(route({ options: { timeout: "1m", backendTimeout: "61s" } }));
    assert.equal(
      line,
      'gatewayApi.options.backendTimeout: got "61s"; expected a backend timeout no longer than timeout "1m" (the HTTPRoute CRD\'s rule: backendRequest <= request, unless request is "0s")',
    );
    assert.equal(refusal(route({ options: { timeout: "1s", backendTimeout: "1001ms" } })).length, 1);
    for (const options of [
      { timeout: "1m", backendTimeout: "60s" },
      { timeout: "1m30s", backendTimeout: "1m" },
      { timeout: "0s", backendTimeout: "1h" },
    ]) {
      assertValidAgainstCrds([buildHttpRoute(plan, { ...spec, options })]);
    }
  });
});

describe("HTTPRoute header modifiers and the header match", () => {
  const name256 = "x".repeat(256);
  const value4096 = "v".repeat(4096);

  test("a header name over 256 characters is refused", () => {
    const [line] = refusal(
      route({ options: { requestHeaders: { set: [{ name: `${name256}x`, value: "1" }] } } }),
    );
    assert.equal(
      line,
      `gatewayApi.options.requestHeaders.set[0].name: got "${"x".repeat(40)}... (257 characters)"; expected an HTTP header name of 1 to 256 characters: letters, digits and !#$%&'*+-.^_\`|~, e.g. "x-release"`,
    );
  });

  test("a header name outside the CRD's pattern is refused", () => {
    const lines = refusal(
      route({
        options: {
          requestHeaders: { remove: ["x debug"] },
          responseHeaders: { add: [{ name: "x:y", value: "1" }], set: [{ name: "", value: "1" }] },
        },
      }),
    );
    assert.deepEqual(
      lines.map((l) => l.slice(0, l.indexOf(";"))),
      [
        'gatewayApi.options.requestHeaders.remove[0]: got "x debug"',
        'gatewayApi.options.responseHeaders.set[0].name: got ""',
        'gatewayApi.options.responseHeaders.add[0].name: got "x:y"',
      ],
    );
  });

  test("a header value over 4096 characters is refused", () => {
    const [line] = refusal(
      route({ options: { responseHeaders: { add: [{ name: "x-big", value: `${value4096}v` }] } } }),
    );
    assert.equal(
      line,
      `gatewayApi.options.responseHeaders.add[0].value: got "${"v".repeat(40)}... (4097 characters)"; expected a header value of 1 to 4096 characters, not only spaces`,
    );
  });

  test("the same header name twice in one modifier (set, add, remove; case-insensitive) is refused", () => {
    const lines = refusal(
      route({
        options: {
          requestHeaders: {
            set: [
              { name: "x-a", value: "1" },
              { name: "X-A", value: "2" },
            ],
            add: [{ name: "x-b", value: "1" }],
            remove: ["x-b", "x-c", "x-c"],
          },
          // Another modifier may name the same headers.
          responseHeaders: { set: [{ name: "x-a", value: "1" }] },
        },
      }),
    );
    assert.deepEqual(lines, [
      'gatewayApi.options.requestHeaders.set[1].name: got "X-A"; expected a header name not already given in this modifier (gatewayApi.options.requestHeaders.set[0].name); names are case-insensitive, and each header is set, added or removed once',
      'gatewayApi.options.requestHeaders.remove[0]: got "x-b"; expected a header name not already given in this modifier (gatewayApi.options.requestHeaders.add[0].name); names are case-insensitive, and each header is set, added or removed once',
      'gatewayApi.options.requestHeaders.remove[2]: got "x-c"; expected a header name not already given in this modifier (gatewayApi.options.requestHeaders.remove[1]); names are case-insensitive, and each header is set, added or removed once',
    ]);
  });

  test("more than 16 entries in a modifier's list is refused", () => {
    const set = Array.from({ length: 17 }, (_, i) => ({ name: `x-${i}`, value: "1" }));
    const [line] = refusal(route({ options: { requestHeaders: { set } } }));
    assert.equal(
      line,
      `gatewayApi.options.requestHeaders.set: got "17 entries"; expected at most 16 entries (the HTTPRoute CRD's limit)`,
    );
  });

  test("the canary header's name and value are held to the same limits", () => {
    const long = planRelease({ ...release, header: { name: "stage", value: `${value4096}v` } });
    assert.match(
      refusal(() => buildHttpRoute(long, spec))[0],
      /^header\.value: got "v{40}\.\.\. \(4097 characters\)"/,
    );
  });

  test("names and values at the limits pass the CRD", () => {
    const options = {
      requestHeaders: {
        set: Array.from({ length: 16 }, (_, i) => ({
          name: `${name256.slice(3)}-${i.toString().padStart(2, "0")}`,
          value: value4096,
        })),
      },
    };
    assertValidAgainstCrds([buildHttpRoute(plan, { ...spec, options })]);
  });
});

describe("host names and listeners", () => {
  test('a listener hostname "*" is refused', () => {
    assert.deepEqual(refusal(gateway([{ hostname: "*" }])), [
      'listeners[0].hostname: got "*"; expected a lower-case DNS name of at most 253 characters, optionally starting with "*.", e.g. "petstore.example.com" or "*.example.com" (no IP address, port or bare "*"; leave it out to serve every host)',
    ]);
  });

  test("a listener hostname that is an IP address is refused (the CRD's pattern lets it through)", () => {
    assert.match(
      refusal(gateway([{ hostname: "10.0.0.1" }]))[0],
      /^listeners\[0\]\.hostname: got "10\.0\.0\.1"; expected a lower-case DNS name/,
    );
  });

  test("a route host name that is an IP address is refused", () => {
    assert.match(
      refusal(route({ hostnames: ["192.168.1.1"] }))[0],
      /^gatewayApi\.hostnames\[0\]: got "192\.168\.1\.1"; expected a lower-case DNS name/,
    );
  });

  test("more than 64 listeners are refused; 64 pass the CRD", () => {
    const listeners = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `l${i}`, port: 8000 + i }));
    assert.deepEqual(refusal(gateway(listeners(65))), [
      'listeners: got "65 listeners"; expected 1 to 64 listeners (the Gateway CRD\'s limit)',
    ]);
    assertValidAgainstCrds([gateway(listeners(64))()]);
  });
});

/** The CRD's rules on an `Exact`/`PathPrefix` value, as predicates: its `maxLength`, then each CEL rule. */
function pathRulesOfCrd(): ((value: string) => boolean)[] {
  const file = path.join(CRD_DIRS[1], "gateway.networking.k8s.io_httproutes.yaml");
  type Node = { [key: string]: Node } & {
    "x-kubernetes-validations"?: { rule: string }[];
    maxLength?: number;
  };
  const crd = parse(readFileSync(file, "utf8")) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Node } }[] };
  };
  const v1 = crd.spec.versions.find((v) => v.name === "v1")!.schema.openAPIV3Schema;
  const pathNode = v1.properties.spec.properties.rules.items.properties.matches.items.properties.path;
  const maxLength = pathNode.properties.value.maxLength!;
  const predicates: ((value: string) => boolean)[] = [(v) => v.length <= maxLength];
  for (const { rule } of pathNode["x-kubernetes-validations"] ?? []) {
    const text = rule.replace(/\s+/g, " ");
    const guarded = /^\(self\.type in \['Exact','PathPrefix'\]\) \? (.*) : true$/.exec(text);
    if (!guarded) continue; // the rule on `type` itself
    const expr = guarded[1];
    let m: RegExpExecArray | null;
    if ((m = /^self\.value\.startsWith\('(.*)'\)$/.exec(expr))) {
      const arg = m[1];
      predicates.push((v) => v.startsWith(arg));
    } else if ((m = /^!self\.value\.contains\('(.*)'\)$/.exec(expr))) {
      const arg = m[1];
      predicates.push((v) => !v.includes(arg));
    } else if ((m = /^!self\.value\.endsWith\('(.*)'\)$/.exec(expr))) {
      const arg = m[1];
      predicates.push((v) => !v.endsWith(arg));
    } else if ((m = /^self\.value\.matches\(r"""(.*)"""\)$/.exec(expr))) {
      const re = new RegExp(m[1]);
      predicates.push((v) => re.test(v));
    } else {
      throw new Error(`a CEL rule this test does not translate: ${text}`);
    }
  }
  return predicates;
}
