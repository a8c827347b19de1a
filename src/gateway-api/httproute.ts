// The release model on the Kubernetes Gateway API (v1, standard channel): an HTTPRoute per release, with the header
// canary rule and the weighted rule, attached to a platform Gateway; a Service per version as the backends. Pure:
// plain objects in, plain objects out, no Pulumi.
import { PORT_NAME } from "../kubernetes/workloads";
import { Checks, ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import type { ReleasePlan } from "../release/plan";
import {
  GATEWAY_API_LIMITS,
  requireGatewayDuration,
  requireGatewayHeaderName,
  requireGatewayHeaderValue,
  requireGatewayHostname,
  requireGatewayPath,
} from "./validate";

/** The API version of every Gateway API object built here. */
export const K8S_GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** The API group of the Gateway API's kinds (`Gateway`, `HTTPRoute`). */
export const K8S_GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** A Gateway (listener) an HTTPRoute attaches to. */
export interface GatewayParentRef {
  /** The Gateway's name. */
  name: string;
  /** The Gateway's namespace. Defaults to the route's namespace. */
  namespace?: string;
  /** The listener's name, to attach to one listener only. Defaults to every listener that allows the route. */
  sectionName?: string;
}

/** A header to set or add on requests or responses. */
export interface GatewayHeaderValue {
  /** Header name. */
  name: string;
  /** Header value. */
  value: string;
}

/** Request or response header changes (the `RequestHeaderModifier` / `ResponseHeaderModifier` filters). */
export interface GatewayHeaderModifier {
  /** Headers set, replacing any value. Defaults to none. */
  set?: GatewayHeaderValue[];
  /** Headers added beside existing values. Defaults to none. */
  add?: GatewayHeaderValue[];
  /** Header names removed. Defaults to none. */
  remove?: string[];
}

/** The route options that map to Gateway API filters and timeouts. */
export interface GatewayRouteOptions {
  /** Replace the matched path prefix with this one (the `URLRewrite` filter, `ReplacePrefixMatch`), e.g. `/`. */
  prefixRewrite?: string;
  /** Request header changes. */
  requestHeaders?: GatewayHeaderModifier;
  /** Response header changes. */
  responseHeaders?: GatewayHeaderModifier;
  /** Timeout of the whole request, a Gateway API duration such as `10s` or `500ms`. */
  timeout?: string;
  /** Timeout of one request to a backend, e.g. `5s`. At most `timeout`. */
  backendTimeout?: string;
}

/**
 * What an HTTPRoute attaches to: a Gateway (the default kind) or, with kgateway route delegation, the parent HTTPRoute
 * that hands it a prefix.
 */
export interface HttpRouteParentRef {
  /** `gateway.networking.k8s.io`, the group of both kinds. Defaults to it. */
  group?: string;
  /** `Gateway` or `HTTPRoute`. Defaults to `Gateway`. */
  kind?: string;
  /** The parent's name. */
  name: string;
  /** The parent's namespace. Defaults to the route's namespace. */
  namespace?: string;
  /** The Gateway listener's name, to attach to one listener only (Gateways only). */
  sectionName?: string;
}

/** What {@link buildHttpRoute} needs beside the release plan. */
export interface HttpRouteSpec {
  /** The HTTPRoute's name. */
  name: string;
  /** The HTTPRoute's namespace: the release's, so its backendRefs need no ReferenceGrant. */
  namespace: string;
  /** The Gateways (or the one parent HTTPRoute, with kgateway delegation) it attaches to. */
  parentRefs: HttpRouteParentRef[];
  /**
   * Host names it serves; must fall under a listener's hostname. Defaults to every host the listener serves. None
   * under a parent HTTPRoute, which holds them.
   */
  hostnames?: string[];
  /** The path prefix routed to the release. */
  prefix: string;
  /** The port of every version's Service. */
  port: number;
  /** Options applied to both rules. */
  options?: GatewayRouteOptions;
  /** While the canary takes no live traffic, mirror this percentage (0..100) of requests to it. */
  shadowPercentage?: number;
  /** Labels on the HTTPRoute. */
  labels?: { [key: string]: string };
}

/** An HTTPRoute object (the fields this package writes). */
export interface GatewayHttpRoute {
  /** `gateway.networking.k8s.io/v1`. */
  apiVersion: string;
  /** Always `HTTPRoute`. */
  kind: "HTTPRoute";
  /** The route's name and namespace (the release's), with the package's labels. */
  metadata: { name: string; namespace: string; labels?: { [key: string]: string } };
  /** The parent Gateway (and listener), the hostnames and the rules. */
  spec: {
    parentRefs: { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string }[];
    hostnames?: string[];
    rules: GatewayRouteRule[];
  };
}

/** One rule of an HTTPRoute. */
export interface GatewayRouteRule {
  /** The rule's name (`canary-header`, `split`): kept stable so a weight change is an in-place update. */
  name: string;
  /** The path prefix, and for the header canary rule the exact header match. */
  matches: {
    path: { type: "PathPrefix"; value: string };
    headers?: { type: "Exact"; name: string; value: string }[];
  }[];
  /** Filters of the rule (path rewrite, request mirror), when the release asks for them. */
  filters?: { [key: string]: unknown }[];
  /** One Service per version taking traffic, with its weight (the weights sum to 100). */
  backendRefs: { name: string; port: number; weight: number }[];
  /** Request and backend request timeouts, as Gateway API durations. */
  timeouts?: { request?: string; backendRequest?: string };
}

/** The Service that fronts one version: `<service>-<version>`, selecting that version's pods. */
export function versionServiceName(service: string, version: string): string {
  return `${service}-${version}`;
}

/**
 * Builds the release's HTTPRoute. Rules, in order: the weighted rule (path prefix, a backendRef per version taking
 * traffic, weights summing to 100 as the plan's do), then the header canary rule (path prefix and the exact header,
 * to the canary's Service) when the plan has a header route. The weighted rule stays first whether a header rule
 * comes or goes: implementations that name what they program after a rule's index (Envoy Gateway's clusters are
 * `httproute/<namespace>/<name>/rule/<index>`) keep the live traffic's cluster when header testing starts or ends,
 * instead of moving it to a new cluster that may not be ready when the route names it.
 *
 * Precedence relied on: Gateway API ranks, among matches of equal path, the one with more header matches first
 * (HTTPRoute spec, "Rule precedence"), so the header rule wins over the weighted rule for requests carrying the
 * header, whatever the order of the rules.
 *
 * Throws a {@link ValidationError} naming the field, the value and what is accepted, with every problem of the call:
 * the limits of the v1.7.0 standard CRDs and the CEL rules a JSON-schema check cannot see (path rules,
 * `backendRequest` at most `request`, a header name given once per modifier).
 */
export function buildHttpRoute(plan: ReleasePlan, spec: HttpRouteSpec, scope?: string): GatewayHttpRoute {
  const checks = new Checks();
  const name = checks.check(() => requireDnsLabel("gatewayApi.routeName", spec.name, scope));
  const prefix = checks.check(() => requireGatewayPath("gatewayApi.prefix", spec.prefix, scope));
  checks.check(() => checkParentRefs(spec.parentRefs, scope));
  const delegated =
    Array.isArray(spec.parentRefs) && spec.parentRefs.some((ref) => ref?.kind === "HTTPRoute");
  const hostnames = checkHostnames(checks, spec.hostnames, delegated, scope);
  checkOptions(checks, spec.options, scope);
  if (plan.headerRoute) {
    const header = plan.headerRoute.header;
    checks.check(() => requireGatewayHeaderName("header.name", header.name, scope));
    checks.check(() => requireGatewayHeaderValue("header.value", header.value, scope));
  }
  const shadow = spec.shadowPercentage;
  if (
    shadow !== undefined &&
    !(typeof shadow === "number" && Number.isInteger(shadow) && shadow >= 0 && shadow <= 100)
  ) {
    checks.fail("gatewayApi.shadowPercentage", shadow, "a whole percentage from 0 to 100", scope);
  }
  if (plan.destinations.length > GATEWAY_API_LIMITS.backendRefs) {
    checks.fail(
      "extraVersions",
      plan.destinations.length,
      `at most ${GATEWAY_API_LIMITS.backendRefs} versions taking traffic (the backendRefs limit of an HTTPRoute rule)`,
      scope,
    );
  }
  checks.done();

  const backend = (version: string, weight: number) => ({
    name: versionServiceName(plan.service, version),
    port: spec.port,
    weight,
  });
  const filters = routeFilters(spec.options);
  const timeouts = routeTimeouts(spec.options);
  const rule = (ruleName: string, headers: GatewayRouteRule["matches"][number]["headers"]) => {
    const r: GatewayRouteRule = {
      name: ruleName,
      matches: [{ path: { type: "PathPrefix", value: prefix! }, ...(headers ? { headers } : {}) }],
      backendRefs: [],
    };
    return r;
  };
  const rules: GatewayRouteRule[] = [];
  const split = rule("split", undefined);
  split.backendRefs = plan.destinations.map((d) => backend(d.version, d.weight));
  const mirror =
    shadow !== undefined && shadow > 0 && plan.canaryVersion !== undefined && plan.canaryWeight === 0
      ? [
          {
            type: "RequestMirror",
            requestMirror: {
              backendRef: { name: versionServiceName(plan.service, plan.canaryVersion), port: spec.port },
              percent: shadow,
            },
          },
        ]
      : [];
  if (filters.length || mirror.length) split.filters = [...filters, ...mirror];
  if (timeouts) split.timeouts = timeouts;
  rules.push(split);
  if (plan.headerRoute) {
    const r = rule("canary-header", [
      { type: "Exact", name: plan.headerRoute.header.name, value: plan.headerRoute.header.value },
    ]);
    r.backendRefs = [backend(plan.headerRoute.version, 100)];
    if (filters.length) r.filters = filters;
    if (timeouts) r.timeouts = timeouts;
    rules.push(r);
  }

  const route: GatewayHttpRoute = {
    apiVersion: K8S_GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: {
      name: name!,
      namespace: spec.namespace,
      ...(spec.labels ? { labels: { ...spec.labels } } : {}),
    },
    spec: {
      parentRefs: spec.parentRefs.map((p) => ({
        ...(p.group !== undefined ? { group: p.group } : {}),
        ...(p.kind !== undefined ? { kind: p.kind } : {}),
        name: p.name,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(p.sectionName !== undefined ? { sectionName: p.sectionName } : {}),
      })),
      ...(hostnames ? { hostnames } : {}),
      rules,
    },
  };
  return route;
}

/** Checks the parents: Gateways, or one parent HTTPRoute (kgateway delegation). */
function checkParentRefs(refs: unknown, scope?: string): void {
  if (!Array.isArray(refs) || refs.length === 0 || refs.length > GATEWAY_API_LIMITS.parentRefs) {
    throw new ValidationError(
      "gatewayApi.gateway",
      refs,
      `the Gateway the route attaches to, e.g. { name: "platform", namespace: "gateway-system" } (1 to ${GATEWAY_API_LIMITS.parentRefs} parents)`,
      scope,
    );
  }
  const checks = new Checks();
  let routes = 0;
  refs.forEach((ref: HttpRouteParentRef, i) => {
    const route = ref?.kind === "HTTPRoute";
    if (route) routes++;
    const at = refs.length === 1 ? "gatewayApi.gateway" : `gatewayApi.gateways[${i}]`;
    if (ref?.group !== undefined && ref.group !== K8S_GATEWAY_API_GROUP) {
      checks.fail(`${at}.group`, ref.group, `"${K8S_GATEWAY_API_GROUP}"`, scope);
    }
    if (ref?.kind !== undefined && ref.kind !== "Gateway" && ref.kind !== "HTTPRoute") {
      checks.fail(`${at}.kind`, ref.kind, '"Gateway", or "HTTPRoute" (a parent route)', scope);
    }
    // A parent route's name is the team's (`gatewayApi.team.parentRoute`, by default `<gateway>-<team>`); its
    // namespace is the Gateway's.
    checks.check(() =>
      requireDnsLabel(route ? "gatewayApi.team.parentRoute" : `${at}.name`, ref?.name, scope),
    );
    if (ref?.namespace !== undefined)
      checks.check(() => requireDnsLabel(`${at}.namespace`, ref.namespace, scope));
    if (ref?.sectionName !== undefined && !route) {
      checks.check(() => requireDnsLabel(`${at}.sectionName`, ref.sectionName, scope));
    } else if (ref?.sectionName !== undefined) {
      checks.fail(
        "gatewayApi.gateway.sectionName",
        ref.sectionName,
        "no sectionName under a parent HTTPRoute (team routing Delegation): the parent route attaches to the Gateway's listeners",
        scope,
      );
    }
  });
  if (routes > 0 && refs.length > 1) {
    checks.fail(
      "gatewayApi.gateway",
      refs,
      "one parent HTTPRoute alone (team routing Delegation), not beside Gateways",
      scope,
    );
  }
  checks.done();
}

function checkHostnames(
  checks: Checks,
  hostnames: unknown,
  delegated: boolean,
  scope?: string,
): string[] | undefined {
  if (hostnames === undefined) return undefined;
  if (delegated) {
    checks.fail(
      "gatewayApi.hostnames",
      hostnames,
      "no host names under a parent HTTPRoute (team routing Delegation): the team's parent route holds them (SharedGateway teams[].hostnames)",
      scope,
    );
    return undefined;
  }
  if (
    !Array.isArray(hostnames) ||
    hostnames.length === 0 ||
    hostnames.length > GATEWAY_API_LIMITS.hostnames
  ) {
    checks.fail(
      "gatewayApi.hostnames",
      hostnames,
      `1 to ${GATEWAY_API_LIMITS.hostnames} host names, or none to serve every host the listener serves`,
      scope,
    );
    return undefined;
  }
  const checked = hostnames.map((h, i) =>
    checks.check(() => requireGatewayHostname(`gatewayApi.hostnames[${i}]`, h, scope)),
  );
  return checked.every((h) => h !== undefined) ? (checked as string[]) : undefined;
}

/** Whether a route's host name falls under a listener's (an absent listener hostname matches every host). */
export function hostnameMatches(listener: string | undefined, route: string): boolean {
  if (listener === undefined) return true;
  const suffix = (h: string) => h.slice(1); // "*.example.com" → ".example.com"
  if (listener.startsWith("*.")) return route.endsWith(suffix(listener));
  if (route.startsWith("*.")) return listener.endsWith(suffix(route));
  return listener === route;
}

/**
 * Checks one header modifier: every name and value as the CRD takes them, at most 16 entries per list, and each
 * header name (case-insensitive, as HTTP compares them) given once across `set`, `add` and `remove`: the CRD keys
 * `set` and `add` by name, and a header both set and removed, or set and added, has no single meaning.
 */
function checkHeaders(
  checks: Checks,
  field: string,
  m: GatewayHeaderModifier | undefined,
  scope?: string,
): void {
  if (m === undefined) return;
  const seen = new Map<string, string>();
  const once = (at: string, name: unknown) => {
    if (typeof name !== "string") return;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      checks.fail(
        at,
        name,
        `a header name not already given in this modifier (${first}); names are case-insensitive, and each header is set, added or removed once`,
        scope,
      );
    } else {
      seen.set(key, at);
    }
  };
  for (const kind of ["set", "add", "remove"] as const) {
    const list: unknown = m[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > GATEWAY_API_LIMITS.headerModifierEntries) {
      checks.fail(
        `${field}.${kind}`,
        Array.isArray(list) ? `${list.length} entries` : list,
        `at most ${GATEWAY_API_LIMITS.headerModifierEntries} entries (the HTTPRoute CRD's limit)`,
        scope,
      );
      continue;
    }
    list.forEach((entry: unknown, i) => {
      if (kind === "remove") {
        const at = `${field}.remove[${i}]`;
        if (checks.check(() => requireGatewayHeaderName(at, entry, scope)) !== undefined) once(at, entry);
        return;
      }
      const h = entry as GatewayHeaderValue | undefined;
      const at = `${field}.${kind}[${i}].name`;
      if (checks.check(() => requireGatewayHeaderName(at, h?.name, scope)) !== undefined) once(at, h?.name);
      checks.check(() => requireGatewayHeaderValue(`${field}.${kind}[${i}].value`, h?.value, scope));
    });
  }
}

function checkOptions(checks: Checks, options: GatewayRouteOptions | undefined, scope?: string): void {
  if (options === undefined) return;
  if (options.prefixRewrite !== undefined) {
    checks.check(() => requireGatewayPath("gatewayApi.options.prefixRewrite", options.prefixRewrite, scope));
  }
  checkHeaders(checks, "gatewayApi.options.requestHeaders", options.requestHeaders, scope);
  checkHeaders(checks, "gatewayApi.options.responseHeaders", options.responseHeaders, scope);
  const ms: { timeout?: number; backendTimeout?: number } = {};
  for (const key of ["timeout", "backendTimeout"] as const) {
    const v = options[key];
    if (v !== undefined)
      ms[key] = checks.check(() => requireGatewayDuration(`gatewayApi.options.${key}`, v, scope));
  }
  if (options.backendTimeout !== undefined && options.timeout === undefined) {
    checks.fail(
      "gatewayApi.options.timeout",
      undefined,
      "a request timeout beside backendTimeout (the standard CRD requires backendRequest <= request)",
      scope,
    );
  } else if (
    ms.timeout !== undefined &&
    ms.backendTimeout !== undefined &&
    ms.timeout !== 0 &&
    ms.backendTimeout > ms.timeout
  ) {
    checks.fail(
      "gatewayApi.options.backendTimeout",
      options.backendTimeout,
      `a backend timeout no longer than timeout "${options.timeout}" (the HTTPRoute CRD's rule: backendRequest <= request, unless request is "0s")`,
      scope,
    );
  }
}

function headerModifier(m: GatewayHeaderModifier): { [key: string]: unknown } {
  return {
    ...(m.set?.length ? { set: m.set.map((h) => ({ name: h.name, value: h.value })) } : {}),
    ...(m.add?.length ? { add: m.add.map((h) => ({ name: h.name, value: h.value })) } : {}),
    ...(m.remove?.length ? { remove: [...m.remove] } : {}),
  };
}

function routeFilters(options: GatewayRouteOptions | undefined): { [key: string]: unknown }[] {
  const filters: { [key: string]: unknown }[] = [];
  if (options?.prefixRewrite !== undefined) {
    filters.push({
      type: "URLRewrite",
      urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: options.prefixRewrite } },
    });
  }
  if (options?.requestHeaders)
    filters.push({
      type: "RequestHeaderModifier",
      requestHeaderModifier: headerModifier(options.requestHeaders),
    });
  if (options?.responseHeaders)
    filters.push({
      type: "ResponseHeaderModifier",
      responseHeaderModifier: headerModifier(options.responseHeaders),
    });
  return filters;
}

function routeTimeouts(options: GatewayRouteOptions | undefined): GatewayRouteRule["timeouts"] | undefined {
  if (options?.timeout === undefined && options?.backendTimeout === undefined) return undefined;
  return {
    ...(options.timeout !== undefined ? { request: options.timeout } : {}),
    ...(options.backendTimeout !== undefined ? { backendRequest: options.backendTimeout } : {}),
  };
}

/** A per-version Service: selects the version's pods (`app`, `version`), one port. */
export interface VersionServiceObject {
  /** Always `v1`. */
  apiVersion: "v1";
  /** Always `Service`. */
  kind: "Service";
  /** `<service>-<version>` in the release's namespace, with the package's labels and annotations. */
  metadata: {
    name: string;
    namespace: string;
    labels: { [key: string]: string };
    annotations: { [key: string]: string };
  };
  /** The selector of the version's pods and the one named port. */
  spec: {
    selector: { [key: string]: string };
    ports: { name: string; port: number; targetPort: string; protocol: "TCP" }[];
  };
}

/** The Service of each running version, the Gateway API's backends (Gateway API backends are Services). */
export function buildVersionServices(
  plan: ReleasePlan,
  namespace: string,
  port: number,
): VersionServiceObject[] {
  return plan.versions.map((version) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: versionServiceName(plan.service, version),
      namespace,
      labels: { app: plan.service, version },
      // Ready when its version's Deployment is Available, which the Service waits for (dependsOn): the provider's
      // own wait for endpoints adds nothing and, seen under a real engine, can outlast the update.
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: {
      selector: { app: plan.service, version },
      ports: [{ name: PORT_NAME, port, targetPort: PORT_NAME, protocol: "TCP" }],
    },
  }));
}
