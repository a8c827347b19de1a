// The release model on the Kubernetes Gateway API (v1, standard channel): an HTTPRoute per release, with the header
// canary rule and the weighted rule, attached to a platform Gateway; a Service per version as the backends. Pure:
// plain objects in, plain objects out, no Pulumi.
import { Checks, ValidationError } from "../release/errors";
import { requireDnsLabel, requireHeaderName, requireNonEmpty } from "../release/names";
import type { ReleasePlan } from "../release/plan";
import { requirePathPrefix } from "../gloo/delegation";

/** The API version of every Gateway API object built here. */
export const K8S_GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** The standard CRDs' limits (v1.7.0): rules, backendRefs per rule and hostnames per route. */
export const GATEWAY_API_LIMITS = { rules: 16, backendRefs: 16, hostnames: 16, parentRefs: 32 };

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

/** What {@link buildHttpRoute} needs beside the release plan. */
export interface HttpRouteSpec {
  /** The HTTPRoute's name. */
  name: string;
  /** The HTTPRoute's namespace: the release's, so its backendRefs need no ReferenceGrant. */
  namespace: string;
  /** The Gateways it attaches to. */
  parentRefs: GatewayParentRef[];
  /** Host names it serves; must fall under a listener's hostname. Defaults to every host the listener serves. */
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
    parentRefs: { name: string; namespace?: string; sectionName?: string }[];
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

const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * Builds the release's HTTPRoute. Rules, in order: the header canary rule (path prefix and the exact header, to the
 * canary's Service) when the plan has a header route, then the weighted rule (path prefix, a backendRef per version
 * taking traffic, weights summing to 100 as the plan's do).
 *
 * Precedence relied on: Gateway API ranks, among matches of equal path, the one with more header matches first
 * (HTTPRoute spec, "Rule precedence"), so the header rule wins over the weighted rule for requests carrying the
 * header, whatever the order of the rules.
 *
 * Throws a {@link ValidationError} naming the field, the value and what is accepted, with every problem of the call.
 */
export function buildHttpRoute(plan: ReleasePlan, spec: HttpRouteSpec, scope?: string): GatewayHttpRoute {
  const checks = new Checks();
  const name = checks.check(() => requireDnsLabel("gatewayApi.routeName", spec.name, scope));
  const prefix = checks.check(() => requirePathPrefix("gatewayApi.prefix", spec.prefix, scope));
  checks.check(() => checkParentRefs(spec.parentRefs, scope));
  const hostnames = checks.check(() => checkHostnames(spec.hostnames, scope));
  checks.check(() => checkOptions(spec.options, scope));
  const shadow = spec.shadowPercentage;
  if (
    shadow !== undefined &&
    !(typeof shadow === "number" && Number.isInteger(shadow) && shadow >= 0 && shadow <= 100)
  ) {
    checks.check(() => {
      throw new ValidationError(
        "gatewayApi.shadowPercentage",
        shadow,
        "a whole percentage from 0 to 100",
        scope,
      );
    });
  }
  if (plan.destinations.length > GATEWAY_API_LIMITS.backendRefs) {
    checks.check(() => {
      throw new ValidationError(
        "extraVersions",
        plan.destinations.length,
        `at most ${GATEWAY_API_LIMITS.backendRefs} versions taking traffic (the backendRefs limit of an HTTPRoute rule)`,
        scope,
      );
    });
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
  if (plan.headerRoute) {
    const r = rule("canary-header", [
      { type: "Exact", name: plan.headerRoute.header.name, value: plan.headerRoute.header.value },
    ]);
    r.backendRefs = [backend(plan.headerRoute.version, 100)];
    if (filters.length) r.filters = filters;
    if (timeouts) r.timeouts = timeouts;
    rules.push(r);
  }
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

function checkParentRefs(refs: unknown, scope?: string): void {
  if (!Array.isArray(refs) || refs.length === 0 || refs.length > GATEWAY_API_LIMITS.parentRefs) {
    throw new ValidationError(
      "gatewayApi.gateway",
      refs,
      'the Gateway the route attaches to, e.g. { name: "platform", namespace: "gateway-system" }',
      scope,
    );
  }
  refs.forEach((ref: GatewayParentRef, i) => {
    const at = refs.length === 1 ? "gatewayApi.gateway" : `gatewayApi.gateways[${i}]`;
    requireDnsLabel(`${at}.name`, ref?.name, scope);
    if (ref.namespace !== undefined) requireDnsLabel(`${at}.namespace`, ref.namespace, scope);
    if (ref.sectionName !== undefined) requireDnsLabel(`${at}.sectionName`, ref.sectionName, scope);
  });
}

/** A host name as the Gateway API takes it: a DNS name, optionally with a leading `*.` label; no IP, no port. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkHostnames(hostnames: unknown, scope?: string): string[] | undefined {
  if (hostnames === undefined) return undefined;
  if (
    !Array.isArray(hostnames) ||
    hostnames.length === 0 ||
    hostnames.length > GATEWAY_API_LIMITS.hostnames
  ) {
    throw new ValidationError(
      "gatewayApi.hostnames",
      hostnames,
      `1 to ${GATEWAY_API_LIMITS.hostnames} host names, or none to serve every host the listener serves`,
      scope,
    );
  }
  return hostnames.map((h, i) => {
    if (typeof h !== "string" || !HOSTNAME.test(h) || h.length > 253) {
      throw new ValidationError(
        `gatewayApi.hostnames[${i}]`,
        h,
        'a lower-case DNS name, optionally starting with "*.", e.g. "petstore.example.com" (no IP address, port or bare "*")',
        scope,
      );
    }
    return h;
  });
}

/** Whether a route's host name falls under a listener's (an absent listener hostname matches every host). */
export function hostnameMatches(listener: string | undefined, route: string): boolean {
  if (listener === undefined) return true;
  const suffix = (h: string) => h.slice(1); // "*.example.com" → ".example.com"
  if (listener.startsWith("*.")) return route.endsWith(suffix(listener));
  if (route.startsWith("*.")) return listener.endsWith(suffix(route));
  return listener === route;
}

function checkHeaders(field: string, m: GatewayHeaderModifier | undefined, scope?: string): void {
  if (m === undefined) return;
  for (const kind of ["set", "add"] as const) {
    (m[kind] ?? []).forEach((h, i) => {
      requireHeaderName(`${field}.${kind}[${i}].name`, h?.name, scope);
      requireNonEmpty(`${field}.${kind}[${i}].value`, h?.value, "a header value", scope);
    });
  }
  (m.remove ?? []).forEach((h, i) => requireHeaderName(`${field}.remove[${i}]`, h, scope));
}

function checkOptions(options: GatewayRouteOptions | undefined, scope?: string): void {
  if (options === undefined) return;
  if (options.prefixRewrite !== undefined)
    requirePathPrefix("gatewayApi.options.prefixRewrite", options.prefixRewrite, scope);
  checkHeaders("gatewayApi.options.requestHeaders", options.requestHeaders, scope);
  checkHeaders("gatewayApi.options.responseHeaders", options.responseHeaders, scope);
  for (const key of ["timeout", "backendTimeout"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "string" || !DURATION.test(v))) {
      throw new ValidationError(
        `gatewayApi.options.${key}`,
        v,
        'a Gateway API duration: whole numbers with h, m, s or ms, e.g. "10s" or "1m30s"',
        scope,
      );
    }
  }
  if (options.backendTimeout !== undefined && options.timeout === undefined) {
    throw new ValidationError(
      "gatewayApi.options.timeout",
      undefined,
      "a request timeout beside backendTimeout (the standard CRD requires backendRequest <= request)",
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
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  }));
}
