import { ValidationError, type Problem } from "./release/errors";

/** An object a component will write, which no other component of the same program may write too. */
export interface Claim {
  /** The argument that decides it, e.g. `service` or `gloo.domains`. */
  field: string;
  /** The object, e.g. `Deployment default/payments-v1`, `Consul service-resolver payments`, `domain "*"`. */
  object: string;
  /** How to give this component its own object, e.g. `give each release its own gloo.domains`. */
  fix: string;
}

/** The objects claimed so far in this program, with the component that claimed each. */
const claimed = new Map<string, string>();

/**
 * Records the objects `owner` (e.g. `CanaryRelease payments`) will write. Throws a `ValidationError` naming both
 * components, the object and the fix for every object another component of the program already claimed; nothing
 * is recorded then. Call it after the component's own checks, before anything is registered.
 */
export function claimObjects(owner: string, claims: readonly Claim[]): void {
  // One problem per argument and other component, listing the objects they both write.
  const clashes = new Map<string, { claim: Claim; other: string; objects: string[] }>();
  for (const claim of claims) {
    const other = claimed.get(claim.object);
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
  for (const claim of claims) claimed.set(claim.object, owner);
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
