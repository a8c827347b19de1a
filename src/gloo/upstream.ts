import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Checks, ValidationError } from "../release/errors";
import { DNS_LABEL_MAX, requireDnsLabel } from "../release/names";
import { requirePort } from "../release/validate";
import { requireObjectName, type UpstreamRef } from "./refs";
import { registerGlooObject } from "./register";
import { GLOO_API_VERSION, type GlooUpstream } from "./types";
import { checkArguments } from "../arguments";
import { claimObjects, objectClaim } from "../claims";

/** Arguments of an `Upstream`: one version of a Kubernetes Service as a Gloo Upstream. */
export interface UpstreamArgs {
  /** Name of the Kubernetes Service (a DNS-1123 label), e.g. `petstore`. */
  service: string;
  /** The version this Upstream reaches (a DNS-1123 label), e.g. `v2`: only that version's pods are selected. */
  version: string;
  /** The Service port (not the container's target port), e.g. `8080`. */
  port: number;
  /**
   * Namespace of the Service; the Upstream object is created there too.
   * Defaults to `default`.
   */
  namespace?: string;
  /**
   * Name of the Upstream object.
   * Defaults to `<service>-<version>`, the name release routes look for.
   */
  name?: string;
  /**
   * Pod labels that select this version's endpoints among the Service's endpoints (at least one).
   * Defaults to `{ app: <service>, version: <version> }`.
   */
  selector?: { [key: string]: string };
  /**
   * Labels on the Upstream object.
   * Defaults to none.
   */
  labels?: { [key: string]: string };
}

/** Namespace used when none is given for a Service and its Upstreams. */
export const DEFAULT_SERVICE_NAMESPACE = "default";

/** Name of the Upstream of one version of a service: `<service>-<version>`. */
export function upstreamName(service: string, version: string): string {
  return `${service}-${version}`;
}

/** Pod labels of one version of a service: `{ app: <service>, version: <version> }`. */
export function versionSelector(service: string, version: string): { [key: string]: string } {
  return { app: service, version };
}

/**
 * Validates Upstream arguments and builds the Upstream object. Pure. Throws `ValidationError`.
 *
 * @param scope - prefixes error messages, e.g. `Upstream petstore-v1`.
 */
export function buildUpstream(args: UpstreamArgs, scope?: string): GlooUpstream {
  // Independent fields are all checked, so one call reports every problem.
  const checks = new Checks();
  const service = checks.check(() => requireDnsLabel("service", args.service, scope));
  const version = checks.check(() => requireDnsLabel("version", args.version, scope));
  const namespace = checks.check(() =>
    requireDnsLabel("namespace", args.namespace ?? DEFAULT_SERVICE_NAMESPACE, scope),
  );
  const port = checks.check(() => requirePort("port", args.port, "the Service port", scope));
  const labels = checks.check(() =>
    args.labels === undefined ? undefined : requireLabels("labels", args.labels, scope),
  );
  const named = checks.check(() =>
    args.name === undefined ? undefined : requireObjectName("name", args.name, scope),
  );
  const given = checks.check(() =>
    args.selector === undefined ? undefined : requireLabels("selector", args.selector, scope),
  );
  checks.done();
  // Checked above: a failed check has thrown.
  const [svc, ver, ns, p] = [service!, version!, namespace!, port!];
  let name: string;
  if (named === undefined) {
    name = upstreamName(svc, ver);
    if (name.length > DNS_LABEL_MAX) {
      throw new ValidationError(
        "version",
        ver,
        `a version short enough that "<service>-<version>" (here "${name}", ${name.length} characters) fits in ${DNS_LABEL_MAX} characters, or an explicit name`,
        scope,
      );
    }
  } else {
    name = named;
  }
  const selector = given ?? versionSelector(svc, ver);
  if (Object.keys(selector).length === 0) {
    throw new ValidationError(
      "selector",
      selector,
      `at least one pod label, e.g. { version: "${ver}" } (an empty selector takes the endpoints of every version)`,
      scope,
    );
  }
  return {
    apiVersion: GLOO_API_VERSION,
    kind: "Upstream",
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    spec: {
      kube: { serviceName: svc, serviceNamespace: ns, servicePort: p, selector },
    },
  };
}

/** Label keys: an optional DNS prefix and '/', then a name of alphanumerics, '-', '_' and '.' (at most 63). */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Label values: empty, or alphanumerics, '-', '_' and '.' starting and ending alphanumeric (at most 63). */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Throws unless `value` is a map of Kubernetes label keys to label values; returns a plain copy. */
export function requireLabels(field: string, value: unknown, scope?: string): { [key: string]: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(field, value, 'a map of label keys to values, e.g. { app: "petstore" }', scope);
  }
  const out: { [key: string]: string } = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!LABEL_KEY.test(key)) {
      throw new ValidationError(
        `${field} key`,
        key,
        'a Kubernetes label key such as "app" or "example.com/tier"',
        scope,
      );
    }
    if (typeof v !== "string" || !LABEL_VALUE.test(v)) {
      throw new ValidationError(
        `${field}.${key}`,
        v,
        "a Kubernetes label value (letters, digits, '-', '_' and '.', at most 63 characters)",
        scope,
      );
    }
    out[key] = v;
  }
  return out;
}

/** Type token of the `Upstream` component. */
export const UPSTREAM_TYPE = "pulumi-canary:index:Upstream";

/**
 * A Gloo Upstream for one version of a Kubernetes Service: `spec.kube` with the Service's name, namespace and
 * port and a pod selector for that version (`{ app: <service>, version: <version> }` by default). Named
 * `<service>-<version>` in the Service's namespace. The component is itself an `UpstreamRef`: pass it in a
 * VirtualService's or UpstreamGroup's `upstreams`, and as a route destination.
 */
export class Upstream extends pulumi.ComponentResource implements UpstreamRef {
  /** Name of the Upstream object. */
  readonly name: string;
  /** Namespace of the Upstream object. */
  readonly namespace: string;
  /** The Upstream custom resource (Pulumi name `name`), e.g. for `dependsOn` or its `metadata`. */
  readonly upstream: k8s.apiextensions.CustomResource;

  constructor(name: string, args: UpstreamArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and objects another component writes, before anything is registered.
    const object = checkArguments(() => {
      const built = buildUpstream(args, `Upstream ${name}`);
      claimObjects(
        `Upstream ${name}`,
        [objectClaim("name", "Upstream", built.metadata, "another name or namespace")],
        opts,
      );
      return built;
    });
    super(UPSTREAM_TYPE, name, {}, opts);
    this.upstream = registerGlooObject(name, object, this);
    this.name = object.metadata.name;
    this.namespace = object.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
