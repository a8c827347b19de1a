import { ValidationError } from "./errors";
import { requireDnsLabel } from "./names";

/** One team's share of a gateway: the path prefix the platform delegates to it and where its tables live. */
export interface TeamDelegation {
  /** Team name (a DNS-1123 label), e.g. `echo`. */
  team: string;
  /** Path prefix delegated to the team, starting with `/`, e.g. `/echo`. */
  prefix: string;
  /** Namespace of the team's route tables. `*` (every watched namespace) only with `allowAllNamespaces`. */
  namespace: string;
  /**
   * Position among delegations whose prefixes overlap (lower first). Required when this team's prefix equals,
   * contains or is contained in another team's prefix; otherwise unused.
   */
  order?: number;
}

/** Options of {@link planDelegations}. */
export interface DelegationPolicy {
  /** Allow a delegation to select tables in every namespace (`*`). Defaults to false. */
  allowAllNamespaces?: boolean;
}

/** Checks a path prefix: starts with `/`, no spaces, no query or fragment. */
export function requirePathPrefix(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || !/^\/[^\s?#]*$/.test(value)) {
    throw new ValidationError(
      field,
      value,
      'a path prefix starting with "/" without spaces, "?" or "#", e.g. "/echo"',
      scope,
    );
  }
  return value;
}

/**
 * Two prefixes overlap when one is a string prefix of the other: the gateway compares raw strings, so
 * `/api` also matches `/apix/...`.
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * Validates the delegations of one gateway and returns them in route order: by explicit `order` (unset counts
 * as 0), then longest prefix first, so that no team's prefix hides another's by accident.
 *
 * Refuses: team names that are not DNS labels or repeat; prefixes that are not paths; namespace `*` unless
 * allowed; two teams with the same or overlapping prefixes unless both carry distinct `order`s.
 */
export function planDelegations(
  delegations: readonly TeamDelegation[],
  policy: DelegationPolicy = {},
): TeamDelegation[] {
  const seen = new Set<string>();
  delegations.forEach((d, i) => {
    const field = `teams[${i}]`;
    requireDnsLabel(`${field}.team`, d.team);
    if (seen.has(d.team)) {
      throw new ValidationError(`${field}.team`, d.team, "a team name not already delegated on this gateway");
    }
    seen.add(d.team);
    requirePathPrefix(`${field}.prefix`, d.prefix, `team ${d.team}`);
    if (d.namespace === "*") {
      if (!policy.allowAllNamespaces) {
        throw new ValidationError(
          `${field}.namespace`,
          d.namespace,
          'the team\'s own namespace; selecting route tables in every namespace ("*") lets any namespace capture the prefix and needs allowAllNamespaces: true',
          `team ${d.team}`,
        );
      }
    } else {
      requireDnsLabel(`${field}.namespace`, d.namespace, `team ${d.team}`);
    }
    if (d.order !== undefined && !Number.isInteger(d.order)) {
      throw new ValidationError(
        `${field}.order`,
        d.order,
        "a whole number (lower comes first)",
        `team ${d.team}`,
      );
    }
  });

  for (let i = 0; i < delegations.length; i++) {
    for (let j = i + 1; j < delegations.length; j++) {
      const a = delegations[i];
      const b = delegations[j];
      if (!prefixesOverlap(a.prefix, b.prefix)) continue;
      if (a.order === undefined || b.order === undefined || a.order === b.order) {
        const how = a.prefix === b.prefix ? "the same prefix" : "overlapping prefixes";
        throw new ValidationError(
          `teams[${j}].order`,
          b.order,
          `distinct explicit orders on teams "${a.team}" (${a.prefix}, order ${a.order ?? "unset"}) and "${b.team}" (${b.prefix}) because they are delegated ${how}`,
          `team ${b.team}`,
        );
      }
    }
  }

  // A total order: explicit order (unset counts as 0), then longest prefix, then name. Overlapping teams carry
  // distinct orders (checked above), so their relative position is exactly the one asked for.
  return [...delegations].sort(
    (a, b) =>
      (a.order ?? 0) - (b.order ?? 0) ||
      b.prefix.length - a.prefix.length ||
      a.prefix.localeCompare(b.prefix),
  );
}

/**
 * Refuses a team route whose path does not start with the team's delegated prefix: the gateway would drop it
 * silently, and no team may capture another team's traffic.
 */
export function requireWithinPrefix(team: string, prefix: string, route: string, path: string): void {
  if (!path.startsWith(prefix)) {
    throw new ValidationError(
      `routes.${route}.path`,
      path,
      `a path starting with the prefix "${prefix}" delegated to team ${team}`,
      `team ${team}`,
    );
  }
}
