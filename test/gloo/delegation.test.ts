import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  isRegexLiteral,
  PathMatchKind,
  planDelegations,
  prefixesOverlap,
  regexWithinPrefix,
  requirePathPrefix,
  requirePathWithinPrefix,
  TEAM_LABEL,
  teamLabels,
  type TeamDelegation,
} from "../../src/gloo";

const echo: TeamDelegation = { team: "echo", prefix: "/echo", namespace: "echo" };
const foxtrot: TeamDelegation = { team: "foxtrot", prefix: "/foxtrot", namespace: "foxtrot" };

describe("prefix ownership", () => {
  test("overlap is a raw string-prefix relation, both ways", () => {
    assert.equal(prefixesOverlap("/api", "/apix"), true);
    assert.equal(prefixesOverlap("/apix", "/api"), true);
    assert.equal(prefixesOverlap("/api", "/api"), true);
    assert.equal(prefixesOverlap("/echo", "/foxtrot"), false);
  });

  test("disjoint teams need no order; longer prefixes come first", () => {
    const planned = planDelegations([
      echo,
      foxtrot,
      { team: "admin", prefix: "/admin/x", namespace: "admin" },
    ]);
    assert.deepEqual(
      planned.map((d) => d.team),
      ["admin", "foxtrot", "echo"],
    );
  });

  test("overlapping teams with distinct orders are ordered as asked", () => {
    const planned = planDelegations([
      { team: "api", prefix: "/api", namespace: "api", order: 1 },
      { team: "apiv2", prefix: "/api/v2", namespace: "apiv2", order: 0 },
    ]);
    assert.deepEqual(
      planned.map((d) => d.team),
      ["apiv2", "api"],
    );
  });

  test("the same prefix for two teams is accepted with distinct orders", () => {
    const planned = planDelegations([
      { team: "a", prefix: "/shop", namespace: "a", order: 2 },
      { team: "b", prefix: "/shop", namespace: "b", order: 1 },
    ]);
    assert.deepEqual(
      planned.map((d) => d.team),
      ["b", "a"],
    );
  });

  const refused: Array<[string, TeamDelegation[], RegExp]> = [
    [
      "the same prefix without an order",
      [echo, { ...foxtrot, prefix: "/echo" }],
      /team foxtrot: teams\[1\]\.order: got nothing; expected distinct explicit orders on teams "echo" \(\/echo, order unset\) and "foxtrot" \(\/echo\) because they are delegated the same prefix/,
    ],
    [
      "overlapping prefixes without an order",
      [echo, { ...foxtrot, prefix: "/echoes" }],
      /teams\[1\]\.order: got nothing; expected distinct explicit orders .* overlapping prefixes/,
    ],
    [
      "overlapping prefixes with equal orders",
      [
        { ...echo, order: 1 },
        { ...foxtrot, prefix: "/echo/v2", order: 1 },
      ],
      /teams\[1\]\.order: got 1; expected distinct explicit orders/,
    ],
    [
      "namespace * without asking",
      [{ ...echo, namespace: "*" }],
      /team echo: teams\[0\]\.namespace: got "\*"; expected the team's own namespace; selecting route tables in every namespace \("\*"\) .* needs allowAllNamespaces: true/,
    ],
    [
      "a prefix without a leading slash",
      [{ ...echo, prefix: "echo" }],
      /team echo: teams\[0\]\.prefix: got "echo"; expected a path prefix starting with "\/"/,
    ],
    [
      "a team delegated twice",
      [echo, { ...echo, prefix: "/other" }],
      /teams\[1\]\.team: got "echo"; expected a team name not already delegated/,
    ],
    [
      "a team name that is not a label",
      [{ ...echo, team: "Echo Team" }],
      /teams\[0\]\.team: got "Echo Team"; expected a DNS-1123 label/,
    ],
    [
      "a namespace that is not a label",
      [{ ...echo, namespace: "Echo" }],
      /teams\[0\]\.namespace: got "Echo"/,
    ],
  ];
  for (const [what, delegations, message] of refused) {
    test(`refuses ${what}`, () => assert.throws(() => planDelegations(delegations), message));
  }

  test("namespace * is accepted when asked for explicitly", () => {
    assert.equal(
      planDelegations([{ ...echo, namespace: "*" }], { allowAllNamespaces: true })[0].namespace,
      "*",
    );
  });

  test("path prefixes", () => {
    assert.equal(requirePathPrefix("p", "/"), "/");
    assert.throws(() => requirePathPrefix("p", "/a b"), /p: got "\/a b"/);
    assert.throws(() => requirePathPrefix("p", "/a?x=1"), /p: got "\/a\?x=1"/);
  });

  test("a policy scope prefixes every refusal, before the team", () => {
    assert.throws(
      () => planDelegations([echo, { ...foxtrot, prefix: "/echo" }], { scope: "PlatformGateway gw" }),
      /^ValidationError: PlatformGateway gw: team foxtrot: teams\[1\]\.order: got nothing/,
    );
    assert.throws(
      () => planDelegations([{ ...echo, team: "Echo" }], { scope: "PlatformGateway gw" }),
      /^ValidationError: PlatformGateway gw: teams\[0\]\.team: got "Echo"/,
    );
  });
});

describe("team labels", () => {
  test("a team's route tables are labelled pulumi-canary/team: <team>", () => {
    assert.equal(TEAM_LABEL, "pulumi-canary/team");
    assert.deepEqual(teamLabels("echo"), { "pulumi-canary/team": "echo" });
  });
});

describe("regexWithinPrefix", () => {
  const inside = [
    "/echo",
    "/echo/.*",
    "/echo(/.*)?",
    "/echo/[0-9]+",
    "/echo/(a|b)/x",
    "/echo/[|]",
    "/echo/\\|x",
  ];
  for (const regex of inside) {
    test(`${regex} stays inside /echo`, () => assert.equal(regexWithinPrefix(regex, "/echo"), true));
  }
  const outside: Array<[string, string]> = [
    ["/foxtrot/.*", "does not begin with the prefix"],
    ["^/echo/.*", "an anchor before the prefix (the gateway compares the text)"],
    ["/echo.*|/foxtrot", "top-level alternation"],
    ["/echo/x|/y", "top-level alternation after a path"],
    ["/echo?", "a quantifier making the prefix's last character optional"],
    ["/echo+", "any quantifier right after the prefix"],
    ["/echo*", "a quantifier making the prefix's last character repeatable or absent"],
    ["/echo{0,1}", "a counted quantifier"],
    ["/echo/(a", "unbalanced parentheses"],
    ["/echo/a)|(b", "unbalanced parentheses hiding an alternation"],
    ["/echo/[abc", "an unterminated character class"],
  ];
  for (const [regex, why] of outside) {
    test(`refuses ${regex}: ${why}`, () => assert.equal(regexWithinPrefix(regex, "/echo"), false));
  }
  test("no regex for a prefix with regular-expression characters", () => {
    assert.equal(isRegexLiteral("/v1.0"), false);
    assert.equal(isRegexLiteral("/echo-v1_x"), true);
    assert.equal(regexWithinPrefix("/v1.0/.*", "/v1.0"), false);
    assert.equal(regexWithinPrefix("/v1\\.0/.*", "/v1.0"), false);
  });
});

describe("requirePathWithinPrefix", () => {
  const at = (kind: PathMatchKind, value: string) => ({ kind, value });
  test("accepts prefix, exact and regex paths inside the prefix", () => {
    requirePathWithinPrefix("echo", "/echo", "r", at(PathMatchKind.Prefix, "/echo"));
    requirePathWithinPrefix("echo", "/echo", "r", at(PathMatchKind.Exact, "/echo/health"));
    requirePathWithinPrefix("echo", "/echo", "r", at(PathMatchKind.Regex, "/echo/[0-9]+"));
  });
  test("refuses, naming the team, the route and the path", () => {
    assert.throws(
      () =>
        requirePathWithinPrefix("echo", "/echo", "routes[2] (steal)", at(PathMatchKind.Prefix, "/foxtrot")),
      /^ValidationError: team echo: routes\[2\] \(steal\)\.prefix: got "\/foxtrot"; expected a path starting with the prefix "\/echo" delegated to team echo$/,
    );
    assert.throws(
      () => requirePathWithinPrefix("echo", "/echo", "r", at(PathMatchKind.Exact, "/"), "RT echo"),
      /^ValidationError: RT echo: r\.exact: got "\/"; expected a path starting with the prefix "\/echo"/,
    );
    assert.throws(
      () => requirePathWithinPrefix("echo", "/echo", "r", at(PathMatchKind.Regex, ".*")),
      /team echo: r\.regex: got "\.\*"; expected a regular expression that provably stays inside the prefix "\/echo" delegated to team echo/,
    );
    assert.throws(
      () => requirePathWithinPrefix("echo", "/echo", "r", undefined),
      /team echo: r\.prefix: got nothing; expected a path starting with the prefix "\/echo" delegated to team echo \(a route without a path matches "\/"/,
    );
  });
});
