import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";

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
  /** Prefixes error messages, before the team, e.g. the gateway they come from. Defaults to none. */
  scope?: string;
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
  const within = (team?: string): string | undefined =>
    [policy.scope, team === undefined ? undefined : `team ${team}`].filter(Boolean).join(": ") || undefined;
  const seen = new Set<string>();
  delegations.forEach((d, i) => {
    const field = `teams[${i}]`;
    requireDnsLabel(`${field}.team`, d.team, within());
    if (seen.has(d.team)) {
      throw new ValidationError(
        `${field}.team`,
        d.team,
        "a team name not already delegated on this gateway",
        within(),
      );
    }
    seen.add(d.team);
    requirePathPrefix(`${field}.prefix`, d.prefix, within(d.team));
    if (d.namespace === "*") {
      if (!policy.allowAllNamespaces) {
        throw new ValidationError(
          `${field}.namespace`,
          d.namespace,
          'the team\'s own namespace; selecting route tables in every namespace ("*") lets any namespace capture the prefix and needs allowAllNamespaces: true',
          within(d.team),
        );
      }
    } else {
      requireDnsLabel(`${field}.namespace`, d.namespace, within(d.team));
    }
    if (d.order !== undefined && !Number.isInteger(d.order)) {
      throw new ValidationError(
        `${field}.order`,
        d.order,
        "a whole number (lower comes first)",
        within(d.team),
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
          within(b.team),
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

/** Label that marks a route table as a team's: the selector a platform delegates by, unless told otherwise. */
export const TEAM_LABEL = "pulumi-canary/team";

/** The labels a team's route tables carry and a platform selects them by: `{ "pulumi-canary/team": <team> }`. */
export function teamLabels(team: string): { [key: string]: string } {
  return { [TEAM_LABEL]: team };
}

/** How a route matches the request path. */
export enum PathMatchKind {
  /** The path starts with the value (a raw string prefix). */
  Prefix = "prefix",
  /** The path equals the value. */
  Exact = "exact",
  /** The whole path matches the value as a regular expression (RE2). */
  Regex = "regex",
}

/** A route's path match, as the prefix-ownership checks see it. */
export interface PathMatch {
  /** How the path is matched. */
  kind: PathMatchKind;
  /** The prefix, exact path or regular expression. */
  value: string;
}

/** Characters with a meaning in a regular expression. */
const REGEX_META = /[\\^$.|?*+()[\]{}]/;

/** True when `text` has no character with a meaning in a regular expression. */
export function isRegexLiteral(text: string): boolean {
  return !REGEX_META.test(text);
}

/**
 * True when every path the regular expression `regex` matches (a full match, the way gateways apply path
 * regexes) provably starts with `prefix`. That holds, and is accepted here, only when the prefix has no
 * regular-expression metacharacters, the regex begins with the prefix written out literally (gateways compare
 * the regex's text with the prefix as a plain string), the prefix's last character is not followed by a
 * quantifier (`/echo?` also matches `/ech`), and the regex has no alternation `|` outside parentheses
 * (`/echo/.*|/other` also matches `/other`). Anything else cannot be proven to stay inside the prefix.
 */
export function regexWithinPrefix(regex: string, prefix: string): boolean {
  if (!isRegexLiteral(prefix) || !regex.startsWith(prefix)) return false;
  if (/^[?*+{]/.test(regex.slice(prefix.length))) return false;
  let depth = 0;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === "\\") {
      i++;
    } else if (c === "[") {
      // A character class: skip to its closing bracket (a `]` right after `[` or `[^` is a literal).
      let j = i + 1;
      if (regex[j] === "^") j++;
      if (regex[j] === "]") j++;
      while (j < regex.length && regex[j] !== "]") j += regex[j] === "\\" ? 2 : 1;
      if (j >= regex.length) return false;
      i = j;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      if (--depth < 0) return false;
    } else if (c === "|" && depth === 0) {
      return false;
    }
  }
  return depth === 0;
}

/**
 * Refuses a team route whose path match may leave the prefix delegated to the team: the gateway drops such a
 * route (silently, for traffic), and no team may capture another team's requests. A route without a path is
 * refused too (it would match `/`). A prefix or exact path must start with the team's prefix; a regular
 * expression must satisfy {@link regexWithinPrefix}.
 *
 * @param field names the route in the message, e.g. `routes[1] (/foxtrot)`; the path kind is appended.
 * @param scope prefixes the message. Defaults to `team <team>`.
 */
export function requirePathWithinPrefix(
  team: string,
  prefix: string,
  field: string,
  match: PathMatch | undefined,
  scope: string = `team ${team}`,
): void {
  const inside = `the prefix "${prefix}" delegated to team ${team}`;
  if (match === undefined) {
    throw new ValidationError(
      `${field}.prefix`,
      undefined,
      `a path starting with ${inside} (a route without a path matches "/", which lies outside the prefix)`,
      scope,
    );
  }
  if (match.kind === PathMatchKind.Regex) {
    if (!regexWithinPrefix(match.value, prefix)) {
      throw new ValidationError(
        `${field}.regex`,
        match.value,
        `a regular expression that provably stays inside ${inside}: it must begin with the prefix written literally, not followed by a quantifier, with no "|" outside parentheses${isRegexLiteral(prefix) ? "" : " (a prefix with regular-expression characters admits no regex: use prefix or exact)"}`,
        scope,
      );
    }
    return;
  }
  if (!match.value.startsWith(prefix)) {
    throw new ValidationError(`${field}.${match.kind}`, match.value, `a path starting with ${inside}`, scope);
  }
}
