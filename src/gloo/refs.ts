import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import type { GlooResourceRef } from "./types";

/**
 * Names an Upstream by name and namespace. An `Upstream` component is one, so it can be passed wherever an
 * `UpstreamRef` is asked for.
 */
export interface UpstreamRef {
  /** Name of the Upstream object, e.g. `petstore-v1`. */
  name: string;
  /** Namespace of the Upstream object, e.g. `default`. */
  namespace: string;
}

/**
 * Names an UpstreamGroup by name and namespace. An `UpstreamGroup` component is one, so it can be passed
 * wherever an `UpstreamGroupRef` is asked for.
 */
export interface UpstreamGroupRef {
  /** Name of the UpstreamGroup object, e.g. `petstore`. */
  name: string;
  /** Namespace of the UpstreamGroup object, e.g. `default`. */
  namespace: string;
}

/** Kubernetes object name (RFC 1123 subdomain): lower-case alphanumeric labels joined by '.', at most 253. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OBJECT_NAME_TEXT =
  "a Kubernetes object name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters, e.g. \"petstore-v1\")";

/** Throws a `ValidationError` unless `value` is a Kubernetes object name. */
export function requireObjectName(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || value.length > 253 || !OBJECT_NAME.test(value)) {
    throw new ValidationError(field, value, OBJECT_NAME_TEXT, scope);
  }
  return value;
}

/** Throws unless `ref` has an object name and a namespace (a DNS-1123 label); returns a plain copy of it. */
export function requireRef(field: string, ref: unknown, scope?: string): GlooResourceRef {
  if (typeof ref !== "object" || ref === null) {
    throw new ValidationError(
      field,
      ref,
      'a reference { name, namespace }, e.g. { name: "petstore-v1", namespace: "default" }',
      scope,
    );
  }
  const { name, namespace } = ref as { name?: unknown; namespace?: unknown };
  return {
    name: requireObjectName(`${field}.name`, name, scope),
    namespace: requireDnsLabel(`${field}.namespace`, namespace, scope),
  };
}

/** `namespace/name`, as error messages show a reference. */
export function showRef(ref: GlooResourceRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/**
 * The Upstreams a set of routes may use: those the program declares (its own Upstream objects) and those it was
 * told exist outside it (e.g. discovered ones). Gloo admits a route to a missing Upstream (it is only a warning)
 * and the route then fails at request time, so every destination is checked against this list before anything is
 * registered.
 */
export class UpstreamCatalog {
  private readonly declared: GlooResourceRef[];
  private readonly external: GlooResourceRef[];
  private readonly fields: { declared: string; external: string };

  /**
   * @param declared Upstreams the program declares, e.g. `Upstream` components.
   * @param external Upstreams that exist outside the program.
   * @param scope prefixes error messages.
   * @param fields names of the two arguments, for error messages.
   */
  constructor(
    declared: readonly UpstreamRef[] | undefined,
    external: readonly UpstreamRef[] | undefined,
    scope?: string,
    fields: { declared: string; external: string } = { declared: "upstreams", external: "externalUpstreams" },
  ) {
    this.fields = fields;
    this.declared = (declared ?? []).map((ref, i) => requireRef(`${fields.declared}[${i}]`, ref, scope));
    this.external = (external ?? []).map((ref, i) => requireRef(`${fields.external}[${i}]`, ref, scope));
  }

  /** True when the Upstream is declared or external. */
  has(ref: GlooResourceRef): boolean {
    return this.all().some((known) => known.name === ref.name && known.namespace === ref.namespace);
  }

  /** Every known Upstream with this name, in any namespace. */
  named(name: string): GlooResourceRef[] {
    return this.all().filter((known) => known.name === name);
  }

  /** Returns a plain copy of `ref` after checking it names a known Upstream; throws a ValidationError otherwise. */
  require(field: string, ref: unknown, scope?: string): GlooResourceRef {
    const plain = requireRef(field, ref, scope);
    if (!this.has(plain)) throw new ValidationError(field, showRef(plain), this.accepted(), scope);
    return plain;
  }

  /**
   * Finds the one known Upstream named `name` (in `namespace` when given). Throws a ValidationError naming
   * `field` when there is none or, without a namespace, when several namespaces hold one.
   */
  find(field: string, name: string, namespace: string | undefined, scope?: string): GlooResourceRef {
    const found = this.named(name).filter((ref) => namespace === undefined || ref.namespace === namespace);
    if (found.length === 0) {
      throw new ValidationError(
        field,
        namespace === undefined ? name : `${namespace}/${name}`,
        this.accepted(),
        scope,
      );
    }
    if (found.length > 1) {
      throw new ValidationError(
        field,
        name,
        `an Upstream name known in one namespace only (found in ${found.map((r) => r.namespace).join(", ")}); set the namespace to choose`,
        scope,
      );
    }
    return found[0];
  }

  /** What an unknown Upstream should have been, as said in error messages. */
  accepted(): string {
    const list = (refs: GlooResourceRef[]) => (refs.length === 0 ? "none" : refs.map(showRef).join(", "));
    return (
      `an Upstream this program declares (${this.fields.declared}: ${list(this.declared)}) or one passed in ` +
      `${this.fields.external} (${list(this.external)}); Gloo accepts a route to a missing Upstream and fails its requests`
    );
  }

  private all(): GlooResourceRef[] {
    return [...this.declared, ...this.external];
  }
}
