// The promotion walkthrough of the README, per program: one `pulumi up` per step, with what the engine may change.
//
// `changes` lists the engine's resource steps the README promises for that step, as `op Kind` (`update
// VirtualService`, `create Deployment`, ...); the harness compares the plan of `pulumi preview` and the steps of
// `pulumi up` with it exactly (components and the stack itself left out). A `replace` is never expected.

export interface ConfigOp {
  /** `pulumi config set [--path] key value`, or `pulumi config rm [--path] key` when value is undefined. */
  key: string;
  value?: string;
  path?: boolean;
}

export interface WalkStep {
  name: string;
  config: ConfigOp[];
  changes: string[];
  /**
   * A step the stack's promotion policy refuses: `pulumi preview` and `pulumi up` must both fail with this message
   * and the update must write nothing.
   */
  refused?: RegExp;
  /** The update must record in the release's state output that `canaryForce` let it through. */
  forced?: string;
}

export interface Program {
  /** Program folder, relative to the repository. */
  dir: string;
  stack: string;
  /** Config set on the engine's stack before the first step (e.g. Consul off, since no provider plugin here). */
  engineConfig: ConfigOp[];
  /** Config render needs on top of the engine's to print the Consul layer (undefined: no Consul layer). */
  consulConfig?: ConfigOp[];
  /** The Consul service and its versions (two backend instances each), when the program has a Consul layer. */
  mesh?: { service: string; versions: string[] };
  /**
   * The versions (one backend each) its HTTPRoutes send traffic to through Envoy Gateway, when the program has a
   * Gateway API layer with routes.
   */
  gateway?: { service: string; versions: string[] };
  /** Namespaces whose objects the program owns (checked against the render after each step and after destroy). */
  namespaces: string[];
  steps: WalkStep[];
  /** Keep the stack up after the walkthrough (destroyed at the end, after the programs that depend on it). */
  keepUp?: boolean;
}

const set = (key: string, value: string): ConfigOp => ({ key, value });
const setPath = (key: string, value: string): ConfigOp => ({ key, value, path: true });
const rm = (key: string): ConfigOp => ({ key });
const weight = (n: number): ConfigOp => set("canaryWeight", String(n));

const routing = (kind: string): string[] => [`update ${kind}`];

/**
 * The full walkthrough of a release with Deployments (CanaryRelease): stable → header testing → 10 → 50 → 100 →
 * finalize → a new canary (v3) under header testing → 50 → rollback → 50 → finalize straight from 50 % → a new
 * canary (v4) → 10 → finalize straight from 10 % → a new canary (v5) under header testing, dropped with its header
 * rule.
 */
function releaseWalk(route: string, withWorkloads: boolean, image: string | undefined): WalkStep[] {
  const create = (): string[] => [
    ...(withWorkloads ? [`create Deployment`] : []),
    `create Upstream`,
    `update ${route}`,
  ];
  const retire = [...(withWorkloads ? [`delete Deployment`] : []), `delete Upstream`, `update ${route}`];
  const first = [
    ...(withWorkloads ? ["create Deployment", "create Service"] : []),
    "create Upstream",
    `create ${route}`,
  ];
  return [
    { name: "stable v1", config: [rm("canaryVersion"), rm("canaryHeader"), weight(0)], changes: first },
    {
      name: "header testing v2",
      config: [set("canaryVersion", "v2"), set("canaryHeader", "stage=canary"), weight(0)],
      changes: create(),
    },
    { name: "10 %", config: [weight(10)], changes: routing(route) },
    { name: "50 %", config: [weight(50)], changes: routing(route) },
    { name: "100 %", config: [weight(100)], changes: routing(route) },
    {
      name: "finalize v2",
      config: [set("stableVersion", "v2"), rm("canaryVersion"), rm("canaryHeader"), weight(0)],
      changes: retire,
    },
    {
      name: "header testing v3",
      config: [
        ...(image ? [setPath("images.v3", image)] : []),
        set("canaryVersion", "v3"),
        set("canaryHeader", "stage=canary"),
        weight(0),
      ],
      changes: create(),
    },
    { name: "50 %", config: [weight(50)], changes: routing(route) },
    { name: "rollback", config: [weight(0)], changes: routing(route) },
    { name: "50 % again", config: [weight(50)], changes: routing(route) },
    {
      name: "finalize v3 from 50 %",
      config: [set("stableVersion", "v3"), rm("canaryVersion"), rm("canaryHeader"), weight(0)],
      changes: retire,
    },
    {
      name: "header testing v4",
      config: [
        ...(image ? [setPath("images.v4", image)] : []),
        set("canaryVersion", "v4"),
        set("canaryHeader", "stage=canary"),
        weight(0),
      ],
      changes: create(),
    },
    { name: "10 %", config: [weight(10)], changes: routing(route) },
    {
      name: "finalize v4 from 10 %",
      config: [set("stableVersion", "v4"), rm("canaryVersion"), rm("canaryHeader"), weight(0)],
      changes: retire,
    },
    {
      name: "header testing v5",
      config: [
        ...(image ? [setPath("images.v5", image)] : []),
        set("canaryVersion", "v5"),
        set("canaryHeader", "stage=canary"),
        weight(0),
      ],
      changes: create(),
    },
    {
      name: "drop v5 with its header rule",
      config: [rm("canaryVersion"), rm("canaryHeader")],
      changes: retire,
    },
  ];
}

/**
 * The walkthrough on the Gateway API: stable → header testing → 10 → 50 → 100 → finalize → a new canary (v3) under
 * header testing → 50 → rollback. A version brings its Deployment and its Service; weight steps update the
 * HTTPRoute alone.
 */
function gatewayWalk(first: string[]): WalkStep[] {
  const create = ["create Deployment", "create Service", "update HTTPRoute"];
  const retire = ["delete Deployment", "delete Service", "update HTTPRoute"];
  const route = ["update HTTPRoute"];
  return [
    { name: "stable v1", config: [rm("canaryVersion"), rm("canaryHeader"), weight(0)], changes: first },
    {
      name: "header testing v2",
      config: [set("canaryVersion", "v2"), set("canaryHeader", "stage=canary"), weight(0)],
      changes: create,
    },
    { name: "10 %", config: [weight(10)], changes: route },
    { name: "50 %", config: [weight(50)], changes: route },
    { name: "100 %", config: [weight(100)], changes: route },
    {
      name: "finalize v2",
      config: [set("stableVersion", "v2"), rm("canaryVersion"), rm("canaryHeader"), weight(0)],
      changes: retire,
    },
    {
      name: "header testing v3",
      config: [set("canaryVersion", "v3"), set("canaryHeader", "stage=canary"), weight(0)],
      changes: create,
    },
    { name: "50 %", config: [weight(50)], changes: route },
    { name: "rollback", config: [weight(0)], changes: route },
  ];
}

const weightWalk = (route: string[]): WalkStep[] => [
  { name: "10 %", config: [weight(10)], changes: route },
  { name: "50 %", config: [weight(50)], changes: route },
  { name: "100 %", config: [weight(100)], changes: route },
  { name: "rollback", config: [weight(0)], changes: route },
];

/** A prod stack as committed (first `up`), one weighted step and the rollback. */
function prodWalk(route: string | undefined, first: string[]): WalkStep[] {
  const step = route ? routing(route) : [];
  return [
    { name: "as committed", config: [], changes: first },
    { name: "10 %", config: [weight(10)], changes: step },
    { name: "rollback", config: [weight(0)], changes: step },
  ];
}

const DEV: Program[] = [
  {
    dir: ".",
    stack: "dev",
    engineConfig: [set("useConsul", "false")],
    consulConfig: [set("useConsul", "true")],
    mesh: { service: "payments", versions: ["v1", "v2", "v3", "v4", "v5"] },
    namespaces: ["default", "gloo-system"],
    steps: releaseWalk("VirtualService", true, "nicholasjackson/fake-service:v0.26.2"),
  },
  {
    dir: "examples/consul-payments",
    stack: "dev",
    engineConfig: [set("useConsul", "false")],
    consulConfig: [set("useConsul", "true")],
    mesh: { service: "payments", versions: ["blue", "green"] },
    namespaces: ["default"],
    steps: [
      {
        name: "blue only (0 %)",
        config: [weight(0)],
        changes: ["create Deployment", "create Deployment", "create Service"],
      },
      // The workloads do not change with the weight: only the Consul splitter does (outside the engine here).
      ...weightWalk([]),
    ],
  },
  {
    dir: "examples/gloo-petstore",
    stack: "dev",
    engineConfig: [],
    namespaces: ["default", "gloo-system"],
    steps: [
      {
        name: "0 %",
        config: [weight(0)],
        changes: ["create Upstream", "create Upstream", "create VirtualService"],
      },
      ...weightWalk(routing("VirtualService")).slice(0, 3),
      {
        name: "split in an UpstreamGroup",
        config: [set("useUpstreamGroup", "true")],
        changes: ["create UpstreamGroup", "update VirtualService"],
      },
      { name: "10 % (UpstreamGroup)", config: [weight(10)], changes: routing("UpstreamGroup") },
      { name: "rollback (UpstreamGroup)", config: [weight(0)], changes: routing("UpstreamGroup") },
    ],
  },
  {
    dir: "examples/gloo-teams/platform",
    stack: "dev",
    engineConfig: [],
    namespaces: ["gloo-system"],
    steps: [
      {
        name: "gateway and delegation",
        config: [],
        changes: ["create VirtualService", "create SettingsPatch"],
      },
    ],
    keepUp: true,
  },
  {
    dir: "examples/gloo-teams/echo",
    stack: "dev",
    engineConfig: [],
    namespaces: ["echo"],
    // No Consul layer: finalizing straight from 50 % is a plain step here (the routes move, then v2 goes).
    steps: releaseWalk("RouteTable", false, undefined).slice(0, 12),
  },
  {
    dir: "examples/gloo-teams/foxtrot",
    stack: "dev",
    engineConfig: [],
    namespaces: ["foxtrot"],
    steps: releaseWalk("RouteTable", true, "nicholasjackson/fake-service:v0.26.2").slice(0, 12),
  },
];

// The Gateway API programs: the kube-apiserver holds the standard CRDs (with their CEL rules); the routes of the
// programs with `gateway` are served by Envoy Gateway and their traffic counted.
export const GATEWAY_API_PROGRAMS: Program[] = [
  {
    dir: "examples/gateway-api-petstore",
    stack: "dev",
    engineConfig: [],
    gateway: { service: "petstore", versions: ["v1", "v2", "v3"] },
    namespaces: ["default", "gateway-system"],
    steps: gatewayWalk([
      "create Deployment",
      "create Service",
      "create Service",
      "create Gateway",
      "create HTTPRoute",
    ]),
  },
  {
    dir: "examples/gateway-api-teams/platform",
    stack: "dev",
    engineConfig: [],
    namespaces: ["gateway-system"],
    steps: [{ name: "gateway, the teams' namespaces allowed", config: [], changes: ["create Gateway"] }],
    keepUp: true,
  },
  {
    dir: "examples/gateway-api-teams/team",
    stack: "echo-dev",
    engineConfig: [],
    gateway: { service: "echo", versions: ["v1", "v2", "v3"] },
    namespaces: ["echo"],
    steps: gatewayWalk(["create Deployment", "create Service", "create Service", "create HTTPRoute"]),
  },
];

/**
 * Under a prod policy with requireHeaderTesting (v2 deployed at 0 % as committed): 10 % refused at preview, then
 * header testing and 10 %, each updating only the release's `route` object.
 */
function headerTestingFirst(route: string): WalkStep[] {
  return [
    {
      name: "10 % before header testing",
      config: [weight(10)],
      changes: [],
      refused: /canaryWeight: got 10; expected 0 for v2 until it has been deployed under header testing/,
    },
    {
      name: "header testing",
      config: [set("canaryHeader", "stage=canary"), weight(0)],
      changes: routing(route),
    },
    { name: "10 %", config: [weight(10)], changes: routing(route) },
  ];
}

/** The same programs' prod stacks (run after every dev stack is destroyed: they own the same objects). */
const PROD: Program[] = [
  {
    ...DEV[0],
    stack: "prod",
    mesh: { service: "payments", versions: ["v1", "v2"] },
    // prod's promotion policy: maxStep 25 and header testing before any weighted step.
    steps: [
      {
        name: "as committed",
        config: [],
        changes: [
          "create Deployment",
          "create Deployment",
          "create Service",
          "create Upstream",
          "create Upstream",
          "create VirtualService",
        ],
      },
      ...headerTestingFirst("VirtualService"),
      {
        name: "50 % (maxStep 25)",
        config: [weight(50)],
        changes: [],
        refused: /canaryWeight: got 50; expected at most 35 after 10 was deployed \(maxStep 25 on stack prod/,
      },
      {
        name: "50 % with canaryForce",
        config: [set("canaryForce", "true"), weight(50)],
        changes: routing("VirtualService"),
        forced: "payments",
      },
      { name: "rollback", config: [rm("canaryForce"), weight(0)], changes: routing("VirtualService") },
    ],
  },
  {
    ...DEV[1],
    stack: "prod",
    steps: prodWalk(undefined, ["create Deployment", "create Deployment", "create Service"]),
  },
  {
    ...DEV[2],
    stack: "prod",
    steps: prodWalk("VirtualService", ["create Upstream", "create Upstream", "create VirtualService"]),
  },
  { ...DEV[3], stack: "prod" },
  {
    ...DEV[4],
    stack: "prod",
    steps: prodWalk("RouteTable", ["create Upstream", "create Upstream", "create RouteTable"]),
  },
  {
    ...DEV[5],
    stack: "prod",
    steps: prodWalk("RouteTable", [
      "create Deployment",
      "create Deployment",
      "create Service",
      "create Upstream",
      "create Upstream",
      "create RouteTable",
    ]),
  },
];

const GATEWAY_API_PROD: Program[] = [
  {
    ...GATEWAY_API_PROGRAMS[0],
    stack: "prod",
    steps: prodWalk("HTTPRoute", [
      "create Deployment",
      "create Deployment",
      "create Service",
      "create Service",
      "create Service",
      "create Gateway",
      "create HTTPRoute",
    ]),
  },
];

/**
 * kgateway's route delegation (prod stacks only): the platform's parent HTTPRoute per team and the team's route
 * attached to it, accepted by the apiserver with the CRDs' CEL rules and walked by the engine. Envoy Gateway does
 * not implement delegation, so no traffic is counted for them.
 */
const DELEGATION: Program[] = [
  {
    dir: "examples/gateway-api-delegation/platform",
    stack: "prod",
    engineConfig: [],
    namespaces: ["gateway-system"],
    steps: [
      {
        name: "gateway and a parent route per team",
        config: [],
        changes: ["create Gateway", "create HTTPRoute", "create HTTPRoute"],
      },
    ],
    keepUp: true,
  },
  {
    dir: "examples/gateway-api-delegation/team",
    stack: "echo-prod",
    engineConfig: [],
    namespaces: ["echo"],
    steps: [
      {
        name: "as committed",
        config: [],
        changes: [
          "create Deployment",
          "create Deployment",
          "create HTTPRoute",
          "create Service",
          "create Service",
          "create Service",
        ],
      },
      ...headerTestingFirst("HTTPRoute"),
      { name: "rollback", config: [weight(0)], changes: routing("HTTPRoute") },
    ],
  },
];

export const PROGRAMS: Program[] = [
  ...DEV,
  ...GATEWAY_API_PROGRAMS,
  ...PROD,
  ...GATEWAY_API_PROD,
  ...DELEGATION,
];

/**
 * `pulumi-canary promote` on the flagship's dev stack: v2 (healthy) from header testing through 10, 25, 50 and 100 %
 * and finalized; then v3, seed 003's broken build (every other answer a 500), which must not get past 10 %.
 */
export const PROMOTION = {
  program: {
    ...DEV[0],
    mesh: { service: "payments", versions: ["v1", "v2", "v3"] },
    steps: [],
  } as Program,
  broken: ["v3"],
  /** The version the stack serves before the promotion starts. */
  stable: "v1",
  start: [
    set("useConsul", "false"),
    set("canaryVersion", "v2"),
    set("canaryHeader", "stage=canary"),
    weight(0),
  ],
  next: (version: string): ConfigOp[] => [
    set("canaryVersion", version),
    setPath(`images.${version}`, "nicholasjackson/fake-service:v0.26.2"),
    set("canaryHeader", "stage=canary"),
    weight(0),
  ],
  analysis: {
    steps: [10, 25, 50, 100],
    intervalMs: 6000,
    iterations: 1,
    threshold: 1,
    minRequests: 10,
    minSuccessRate: 99,
    percentile: 99,
    finalize: true,
  },
};
