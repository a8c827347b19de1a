import type * as pulumi from "@pulumi/pulumi";
import { ValidationError, type Problem } from "./release/errors";
import type { PendingInput } from "./release/pending";

/** An object a component will write, which no other component of the same program may write too. */
export interface Claim {
  /** The argument that decides it, e.g. `service` or `gloo.domains`. */
  field: string;
  /** The object, e.g. `Deployment default/payments-v1`, `Consul service-resolver payments`, `domain "*"`. */
  object: string;
  /** How to give this component its own object, e.g. `give each release its own gloo.domains`. */
  fix: string;
  /** The provider package that writes it: objects of two clusters (two providers) never clash. Defaults to `kubernetes`. */
  pkg?: string;
  /**
   * Values not known yet (outputs of other resources) whose placeholders `object` may hold, e.g. the namespace: such a
   * claim is checked when they resolve, failing the resource that holds them. Defaults to none.
   */
  pending?: readonly PendingInput[];
}

/** What a component's options say about where its children are written: the provider of each package. */
type TargetOptions = Pick<pulumi.ComponentResourceOptions, "provider" | "providers" | "parent">;

const providerIds = new WeakMap<object, number>();

/**
 * Which provider writes a package's resources for a component with these options: its `provider` or `providers`,
 * else its parent's, else the default provider. Two components writing through different providers (two clusters,
 * two Consul datacenters) never claim the same object.
 */
function targetOf(opts: TargetOptions | undefined, pkg: string): string {
  const explicit: object[] = [];
  if (opts?.provider) explicit.push(opts.provider);
  const providers = opts?.providers;
  if (Array.isArray(providers)) explicit.push(...(providers as object[]));
  else if (providers) explicit.push(...Object.values(providers as Record<string, object>));
  // Every SDK version's ProviderResource has getPackage(), though not every one declares it.
  const own = explicit.find((p) => {
    const getPackage = (p as { getPackage?: () => unknown }).getPackage;
    return typeof getPackage === "function" && getPackage.call(p) === pkg;
  });
  const provider = own ?? opts?.parent?.getProvider(`${pkg}::`);
  if (provider === undefined) return `${pkg} (default provider)`;
  let id = providerIds.get(provider);
  if (id === undefined) {
    id = ++providerCount;
    providerIds.set(provider, id);
  }
  return `${pkg} provider #${id}`;
}
let providerCount = 0;

/** The objects claimed so far in this program, with the component that claimed each. */
const claimed = new Map<string, string>();

/** A claim whose object holds placeholders of values not known yet: checked once they all resolve. */
interface DeferredClaim {
  owner: string;
  claim: Claim;
  /** The provider that writes the object (see `targetOf`). */
  target: string;
  /** The values the object waits for. */
  inputs: readonly PendingInput[];
}

/** The deferred claims waiting for each value, and the values resolved so far, by placeholder. */
const waiting = new WeakMap<PendingInput, DeferredClaim[]>();
const resolvedValues = new Map<string, string>();
/** Which program a deferred claim belongs to: claims of a program that ended (see `resetClaims`) are dropped. */
let generation = 0;

/** The claims among `entries` that another component already holds: one problem per argument and component. */
function clashesOf(
  owner: string,
  entries: readonly { claim: Claim; object: string; key: string }[],
): Problem[] {
  // One problem per argument and other component, listing the objects they both write.
  const clashes = new Map<string, { claim: Claim; other: string; objects: string[] }>();
  for (const { claim, object, key } of entries) {
    const other = claimed.get(key);
    if (other === undefined || other === owner) continue;
    const id = `${claim.field}\u0000${other}\u0000${claim.fix}`;
    const clash = clashes.get(id) ?? { claim, other, objects: [] };
    clash.objects.push(object);
    clashes.set(id, clash);
  }
  return [...clashes.values()].map(({ claim, other, objects }) => ({
    field: claim.field,
    value: objects.join(", "),
    accepted: `objects no other component of this program writes: ${other} writes ${objects.length === 1 ? "it" : "them"} too (${claim.fix})`,
    scope: owner,
  }));
}

/** The pending inputs whose placeholder occurs in `text` (a placeholder is never part of a longer one matched). */
function placeholdersIn(text: string, pending: readonly PendingInput[]): PendingInput[] {
  if (pending.length === 0) return [];
  const found = new Set<string>();
  for (const match of text.matchAll(placeholderPattern(pending))) found.add(match[0]);
  return pending.filter((p) => found.has(p.placeholder));
}

/** Matches any placeholder of `pending`, the longest first (`pending-x-1` must not match inside `pending-x-12`). */
function placeholderPattern(pending: readonly PendingInput[]): RegExp {
  const escaped = [...new Set(pending.map((p) => p.placeholder))]
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("|"), "g");
}

/**
 * Records the objects `owner` (e.g. `CanaryRelease payments`) will write. Throws a `ValidationError` naming both
 * components, the object and the fix for every object another component of the program already claimed; nothing
 * is recorded then. Call it after the component's own checks, before anything is registered.
 *
 * A claim whose object holds a value not known yet (its `pending`, e.g. a namespace that is a Namespace resource's
 * output) is checked when the value resolves, against every object claimed by then: a clash then fails the
 * resources holding the value with the SDK's `InputPropertyError` (see `withResolvedInputs`), naming the property,
 * both components, the object and the fix.
 */
export function claimObjects(owner: string, claims: readonly Claim[], opts?: TargetOptions): void {
  const known: { claim: Claim; object: string; key: string }[] = [];
  const deferred: DeferredClaim[] = [];
  for (const claim of claims) {
    const target = targetOf(opts, claim.pkg ?? "kubernetes");
    const inputs = placeholdersIn(claim.object, claim.pending ?? []);
    if (inputs.length > 0) deferred.push({ owner, claim, target, inputs });
    else known.push({ claim, object: claim.object, key: `${target}\u0000${claim.object}` });
  }
  const problems = clashesOf(owner, known);
  if (problems.length > 0) throw ValidationError.of(problems);
  for (const { key } of known) claimed.set(key, owner);
  for (const d of deferred) {
    for (const input of d.inputs) {
      const list = waiting.get(input);
      if (list) list.push(d);
      else {
        waiting.set(input, [d]);
        checkClaimsWhenResolved(input, generation);
      }
    }
  }
}

/**
 * Makes `input`'s check also claim the objects waiting for it, once every value each of them holds has resolved:
 * the check then throws a `ValidationError` for an object another component claimed.
 */
function checkClaimsWhenResolved(input: PendingInput, program: number): void {
  const check = input.check;
  input.check = (value: unknown): string => {
    const checked = check(value);
    if (program !== generation) return checked;
    resolvedValues.set(input.placeholder, checked);
    const ready = (waiting.get(input) ?? []).filter((d) =>
      d.inputs.every((i) => resolvedValues.has(i.placeholder)),
    );
    if (ready.length === 0) return checked;
    const entries = ready.map((d) => {
      const object = d.claim.object.replace(
        placeholderPattern(d.inputs),
        (placeholder) => resolvedValues.get(placeholder) ?? placeholder,
      );
      return { claim: d.claim, object, key: `${d.target}\u0000${object}` };
    });
    const owner = ready[0].owner;
    const problems = clashesOf(owner, entries);
    if (problems.length > 0) throw ValidationError.of(problems);
    for (const { key } of entries) claimed.set(key, owner);
    return checked;
  };
}

/** Forgets every claim: a new program starts (the offline renderer runs several programs in one process). */
export function resetClaims(): void {
  claimed.clear();
  resolvedValues.clear();
  generation++;
}

let unknownNamespaces = 0;

/**
 * The claim of a Kubernetes object: `<kind> <namespace>/<name>`. A namespace that is a plan's placeholder is
 * compared once its value resolves (see `Claim.pending`); any other value not known yet (an output of another
 * resource) makes the claim unique: such objects are not compared.
 */
export function objectClaim(
  field: string,
  kind: string,
  metadata: { name: string; namespace: unknown },
  fix: string,
): Claim {
  const namespace =
    typeof metadata.namespace === "string"
      ? metadata.namespace
      : `(namespace not known yet #${++unknownNamespaces})`;
  return { field, object: `${kind} ${namespace}/${metadata.name}`, fix };
}

/**
 * The claims of a VirtualService's domains: Gloo refuses a domain that two VirtualServices of one gateway serve, and
 * then drops the routes of both (every VirtualService joins the default gateways unless told otherwise).
 */
export function domainClaims(field: string, domains: readonly string[], fix: string): Claim[] {
  return domains.map((domain) => ({ field, object: `domain ${JSON.stringify(domain)}`, fix }));
}

/**
 * The claims of a release's Consul config entries (the kinds it writes, each named after the service), written
 * through the `consul` provider.
 */
export function consulClaims(
  field: string,
  entries: {
    defaults: { name: string };
    resolver: { name: string };
    splitter?: { name: string };
    router?: { name: string };
  },
  fix: string,
): Claim[] {
  const kinds: [string, { name: string } | undefined][] = [
    ["service-defaults", entries.defaults],
    ["service-resolver", entries.resolver],
    ["service-splitter", entries.splitter],
    ["service-router", entries.router],
  ];
  return kinds
    .filter(([, entry]) => entry !== undefined)
    .map(([kind, entry]) => ({ field, object: `Consul ${kind} ${entry!.name}`, fix, pkg: "consul" }));
}

/**
 * The claims of a release's workloads: the Deployment of each version and the Service spanning them, waiting for the
 * plan's values not known yet (see `Claim.pending`).
 */
export function workloadClaims(
  field: string,
  plan: {
    versions: { deployment: { metadata?: unknown } }[];
    serviceArgs: { metadata?: unknown };
    pending?: readonly PendingInput[];
  },
  fix: string,
): Claim[] {
  const meta = (m: unknown) => m as { name: string; namespace: unknown };
  return withPending(
    [
      ...plan.versions.map((v) => objectClaim(field, "Deployment", meta(v.deployment.metadata), fix)),
      objectClaim(field, "Service", meta(plan.serviceArgs.metadata), fix),
    ],
    plan.pending ?? [],
  );
}

/** `claims`, each also waiting for the values of `pending` its object holds a placeholder of (see `Claim.pending`). */
export function withPending(claims: readonly Claim[], pending: readonly PendingInput[]): Claim[] {
  if (pending.length === 0) return [...claims];
  return claims.map((c) => ({ ...c, pending: [...new Set([...(c.pending ?? []), ...pending])] }));
}
