import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  checkPromotion,
  consulRetirement,
  describeProblem,
  nextReleaseState,
  parseReleaseState,
  planRelease,
  TRAIL_LENGTH,
  type PromotionPolicy,
  type ReleaseSpec,
  type ReleaseState,
} from "../../src/release";

const header = { name: "stage", value: "canary" };
const service = "payments";

/** The configs of the phase graph, as a user writes them. */
const SPECS: Record<string, ReleaseSpec> = {
  stable: { service, stableVersion: "v1" },
  standby: { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 0 },
  "header-testing": { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 0, header },
  "weighted 10": { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 10, header },
  "weighted 35": { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 35, header },
  "weighted 50": { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 50, header },
  shifted: { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 100, header },
  finalize: { service, stableVersion: "v2" },
  rollback: { service, stableVersion: "v1", canaryVersion: "v2", canaryWeight: 0, header },
  // The next canary, once v2 is the stable version.
  "v3 header-testing": { service, stableVersion: "v2", canaryVersion: "v3", canaryWeight: 0, header },
  "v3 weighted 10": { service, stableVersion: "v2", canaryVersion: "v3", canaryWeight: 10, header },
};

/** The state a deployment of `name` leaves, deployed after `before` (or first). */
function deployed(name: string, before?: ReleaseState): ReleaseState {
  return nextReleaseState(planRelease(SPECS[name]), before);
}

/** Previous deployments to judge from: each phase, reached the usual way. */
const FROM: Record<string, ReleaseState> = {
  stable: deployed("stable"),
  standby: deployed("standby", deployed("stable")),
  "header-testing": deployed("header-testing", deployed("stable")),
  "standby after header testing": deployed("standby", deployed("header-testing", deployed("stable"))),
  "weighted 10": deployed("weighted 10", deployed("header-testing")),
  "weighted 35": deployed("weighted 35", deployed("weighted 10", deployed("header-testing"))),
  "weighted 50": deployed("weighted 50", deployed("weighted 10", deployed("header-testing"))),
  shifted: deployed("shifted", deployed("weighted 50", deployed("header-testing"))),
  finalized: deployed("finalize", deployed("shifted", deployed("weighted 50", deployed("header-testing")))),
  "rolled back from 50": deployed("rollback", deployed("weighted 50", deployed("header-testing"))),
};

const POLICIES: Record<string, PromotionPolicy | undefined> = {
  none: undefined,
  "maxStep 25": { maxStep: 25 },
  requireHeaderTesting: { requireHeaderTesting: true },
  both: { maxStep: 25, requireHeaderTesting: true },
};

const TARGETS = Object.keys(SPECS);
const JUMPS = ["weighted 35", "weighted 50", "shifted", "finalize"];
const LIVE = ["weighted 10", "weighted 35", "weighted 50", "shifted", "finalize"];
const V3 = ["v3 header-testing", "v3 weighted 10"];
/** Every target that gives v1, retired by the finalize, traffic again. */
const BACK_TO_V1 = [
  "stable",
  "standby",
  "header-testing",
  "weighted 10",
  "weighted 35",
  "weighted 50",
  "rollback",
];

/** The targets each policy refuses from each previous deployment: written out, not derived. */
const REFUSED: Record<string, Record<string, string[]>> = {
  // v2 never took traffic nor went through header testing: v2 (and v3) gain 100 or 90 points at once.
  stable: {
    none: [],
    "maxStep 25": [...JUMPS, ...V3],
    requireHeaderTesting: [...LIVE, ...V3],
    both: [...LIVE, ...V3],
  },
  standby: {
    none: [],
    "maxStep 25": [...JUMPS, ...V3],
    requireHeaderTesting: [...LIVE, ...V3],
    both: [...LIVE, ...V3],
  },
  "header-testing": {
    none: [],
    "maxStep 25": [...JUMPS, ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: [...JUMPS, ...V3],
  },
  "standby after header testing": {
    none: [],
    "maxStep 25": [...JUMPS, ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: [...JUMPS, ...V3],
  },
  "weighted 10": {
    none: [],
    "maxStep 25": ["weighted 50", "shifted", "finalize", ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: ["weighted 50", "shifted", "finalize", ...V3],
  },
  "weighted 35": {
    none: [],
    "maxStep 25": ["shifted", "finalize", ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: ["shifted", "finalize", ...V3],
  },
  "weighted 50": {
    none: [],
    "maxStep 25": ["shifted", "finalize", ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: ["shifted", "finalize", ...V3],
  },
  // v2 at 100 %: a finalize or the next canary's header testing moves nothing; v3 still needs header testing.
  shifted: { none: [], "maxStep 25": [], requireHeaderTesting: ["v3 weighted 10"], both: ["v3 weighted 10"] },
  // v1 is retired: giving it traffic again is a new version at full size; the next canary starts from header testing.
  finalized: {
    none: [],
    "maxStep 25": BACK_TO_V1,
    requireHeaderTesting: [...BACK_TO_V1, "v3 weighted 10"],
    both: [...BACK_TO_V1, "v3 weighted 10"],
  },
  // Back at 0 %, v2 tested: it climbs again from 0 under maxStep.
  "rolled back from 50": {
    none: [],
    "maxStep 25": [...JUMPS, ...V3],
    requireHeaderTesting: ["v3 weighted 10"],
    both: [...JUMPS, ...V3],
  },
};

describe("promotion policy over the phase graph", () => {
  for (const [from, previous] of Object.entries(FROM)) {
    for (const [policyName, policy] of Object.entries(POLICIES)) {
      test(`from ${from}, policy ${policyName}`, () => {
        const refused = TARGETS.filter(
          (target) => checkPromotion(planRelease(SPECS[target]), previous, policy).length > 0,
        );
        assert.deepEqual(refused, REFUSED[from][policyName]);
      });
    }
  }

  test("the first deployment is never refused", () => {
    for (const target of TARGETS) {
      assert.deepEqual(checkPromotion(planRelease(SPECS[target]), undefined, POLICIES.both), []);
    }
  });

  test("a refusal names the key, the requested and the previous value, what is allowed and where", () => {
    const [problem] = checkPromotion(
      planRelease(SPECS["weighted 50"]),
      FROM["weighted 10"],
      { maxStep: 25, source: "stack prod" },
      "releases.payments.",
    );
    assert.equal(
      describeProblem(problem),
      "releases.payments.canaryWeight: got 50; expected at most 35 after 10 was deployed (maxStep 25 on stack prod; a rollback is never limited)",
    );
    const [finalize] = checkPromotion(planRelease(SPECS.finalize), FROM["weighted 10"], { maxStep: 25 });
    assert.match(
      describeProblem(finalize),
      /^stableVersion: got "v2"; expected a step of at most 25 points for v2, which had 10 % and would get 100 %/,
    );
    const [untested] = checkPromotion(planRelease(SPECS["weighted 10"]), FROM.standby, {
      requireHeaderTesting: true,
      source: "stack prod",
    });
    assert.match(
      describeProblem(untested),
      /^canaryWeight: got 10; expected 0 for v2 until it has been deployed under header testing/,
    );
    assert.match(describeProblem(untested), /requireHeaderTesting on stack prod/);
  });

  test("a rollback is never limited, even straight back from 100 %", () => {
    for (const target of ["rollback", "standby", "stable"]) {
      assert.deepEqual(checkPromotion(planRelease(SPECS[target]), FROM.shifted, POLICIES.both), []);
    }
  });

  test("a brand-new canary counts from 0 %: a typo sending it 100 % is refused", () => {
    const typo = planRelease({ service, stableVersion: "v1", canaryVersion: "v9", canaryWeight: 100 });
    assert.equal(checkPromotion(typo, FROM["weighted 10"], { maxStep: 25 }).length, 1);
  });
});

describe("release state", () => {
  test("header testing is remembered through a rollback to standby, and forgotten for a new canary", () => {
    assert.equal(FROM["header-testing"].headerTested, "v2");
    assert.equal(FROM["standby after header testing"].headerTested, "v2");
    const next = nextReleaseState(
      planRelease({ service, stableVersion: "v1", canaryVersion: "v3", canaryWeight: 0 }),
      FROM["standby after header testing"],
    );
    assert.equal(next.headerTested, undefined);
  });

  test("the trail grows by one line per changed step, at most TRAIL_LENGTH, oldest first", () => {
    let state: ReleaseState | undefined;
    for (let i = 1; i <= TRAIL_LENGTH + 5; i++) {
      state = nextReleaseState(planRelease({ ...SPECS.standby, canaryWeight: i }), state);
    }
    assert.equal(state?.trail.length, TRAIL_LENGTH);
    assert.equal(state?.trail.at(-1), `weighted v1 ${100 - TRAIL_LENGTH - 5}% / v2 ${TRAIL_LENGTH + 5}%`);
    assert.equal(state?.trail[0], "weighted v1 94% / v2 6%");
    assert.equal(state?.previous?.canaryWeight, TRAIL_LENGTH + 4);
  });

  test("the same step deployed again leaves the state as it was (no output changes on a no-change update)", () => {
    const again = nextReleaseState(planRelease(SPECS["weighted 10"]), FROM["weighted 10"]);
    assert.deepEqual(again, FROM["weighted 10"]);
  });

  test("a forced update records what it let through", () => {
    const plan = planRelease(SPECS["weighted 50"]);
    const broken = checkPromotion(plan, FROM["weighted 10"], { maxStep: 25, force: true });
    const state = nextReleaseState(plan, FROM["weighted 10"], { forced: broken });
    assert.deepEqual(state.forced, [broken.map(describeProblem)[0]]);
    assert.deepEqual(nextReleaseState(plan, state).forced, undefined, "only the update that was forced");
  });

  test("a state read back from stack outputs round-trips; anything else is no state", () => {
    const state = FROM.shifted;
    assert.deepEqual(parseReleaseState(JSON.parse(JSON.stringify(state))), state);
    for (const junk of [undefined, null, 3, "x", {}, { current: { phase: "stable" } }]) {
      assert.equal(parseReleaseState(junk), undefined);
    }
  });
});

describe("Consul subsets of a retiring version", () => {
  const finalize = planRelease(SPECS.finalize);

  test("first deployment, or nothing routed to a retiring version: no subset kept", () => {
    assert.deepEqual(consulRetirement(finalize, undefined), { keptSubsets: [], notes: [] });
    const weighted = planRelease(SPECS["weighted 10"]);
    assert.deepEqual(consulRetirement(weighted, FROM.standby).keptSubsets, []);
    // At 100 % nothing reaches v1 any more: the resolver drops it at once.
    assert.deepEqual(consulRetirement(finalize, FROM.shifted), { keptSubsets: [], notes: [] });
  });

  test("finalize from 10 % and 50 %: v1's subset stays for this update, the next one removes it", () => {
    for (const weight of ["weighted 10", "weighted 50"]) {
      const previous = deployed(weight);
      const retirement = consulRetirement(finalize, previous);
      assert.deepEqual(retirement.keptSubsets, ["v1"], weight);
      assert.match(
        retirement.notes[0],
        /^v1 leaves the release while the previous deployment still routed to it: .* until the next pulumi up removes it$/,
      );
      const after = nextReleaseState(finalize, previous, { keptSubsets: retirement.keptSubsets });
      assert.deepEqual(after.keptSubsets, ["v1"]);
      assert.deepEqual(consulRetirement(finalize, after), { keptSubsets: [], notes: [] });
    }
  });

  test("a canary dropped with its header rule keeps its subset one update", () => {
    const abandon = planRelease(SPECS.stable);
    const retirement = consulRetirement(abandon, FROM["header-testing"]);
    assert.deepEqual(retirement.keptSubsets, ["v2"]);
    const after = nextReleaseState(abandon, FROM["header-testing"], { keptSubsets: retirement.keptSubsets });
    assert.deepEqual(after.keptSubsets, ["v2"]);
    assert.deepEqual(consulRetirement(abandon, after).keptSubsets, []);
  });

  test("retiring one version while adding another keeps the retiring subset", () => {
    const swap = planRelease({ service, stableVersion: "v2", canaryVersion: "v3", canaryWeight: 10 });
    assert.deepEqual(consulRetirement(swap, FROM["weighted 10"]).keptSubsets, ["v1"]);
  });
});
