import type * as pulumi from "@pulumi/pulumi";
import { ValidationError, type Problem } from "./release/errors";

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

/**
 * Records the objects `owner` (e.g. `CanaryRelease payments`) will write. Throws a `ValidationError` naming both
 * components, the object and the fix for every object another component of the program already claimed; nothing
 * is recorded then. Call it after the component's own checks, before anything is registered.
 */
export function claimObjects(owner: string, claims: readonly Claim[], opts?: TargetOptions): void {
  const keyOf = (claim: Claim): string => `${targetOf(opts, claim.pkg ?? "kubernetes")}\u0000${claim.object}`;
  // One problem per argument and other component, listing the objects they both write.
  const clashes = new Map<string, { claim: Claim; other: string; objects: string[] }>();
  for (const claim of claims) {
    const other = claimed.get(keyOf(claim));
    if (other === undefined || other === owner) continue;
    const key = `${claim.field}\u0000${other}\u0000${claim.fix}`;
    const clash = clashes.get(key) ?? { claim, other, objects: [] };
    clash.objects.push(claim.object);
    clashes.set(key, clash);
  }
  const problems: Problem[] = [...clashes.values()].map(({ claim, other, objects }) => ({
    field: claim.field,
    value: objects.join(", "),
    accepted: `objects no other component of this program writes: ${other} writes ${objects.length === 1 ? "it" : "them"} too (${claim.fix})`,
    scope: owner,
  }));
  if (problems.length > 0) throw ValidationError.of(problems);
  for (const claim of claims) claimed.set(keyOf(claim), owner);
}

/** Forgets every claim: a new program starts (the offline renderer runs several programs in one process). */
export function resetClaims(): void {
  claimed.clear();
}

let unknownNamespaces = 0;

/**
 * The claim of a Kubernetes object: `<kind> <namespace>/<name>`. A namespace not known yet (an output of another
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

/** The claims of a release's workloads: the Deployment of each version and the Service spanning them. */
export function workloadClaims(
  field: string,
  plan: { versions: { deployment: { metadata?: unknown } }[]; serviceArgs: { metadata?: unknown } },
  fix: string,
): Claim[] {
  const meta = (m: unknown) => m as { name: string; namespace: unknown };
  return [
    ...plan.versions.map((v) => objectClaim(field, "Deployment", meta(v.deployment.metadata), fix)),
    objectClaim(field, "Service", meta(plan.serviceArgs.metadata), fix),
  ];
}
