import { ValidationError } from "../release/errors";
import { requireHeaderName } from "../release/names";
import { requireBoolean, requireInteger, requireString, requireStrings } from "../release/validate";
import type { UpstreamCatalog } from "./refs";
import type {
  GlooCorsPolicy,
  GlooHeaderManipulation,
  GlooHeaderValue,
  GlooRegexRewrite,
  GlooRetryPolicy,
  GlooRouteOptions,
  GlooShadowing,
} from "./types";

/** Largest value of a UInt32 field. */
export const UINT32_MAX = 4294967295;

/** A protobuf duration as Gloo reads it: seconds with up to nine decimals and an `s`. */
const DURATION = /^\d+(\.\d{1,9})?s$/;
const DURATION_TEXT = 'a duration in seconds ending in "s", e.g. "15s" or "0.25s"';

/** Throws unless `value` is a duration such as `15s`. */
export function requireDuration(field: string, value: unknown, scope?: string): string {
  if (typeof value !== "string" || !DURATION.test(value))
    throw new ValidationError(field, value, DURATION_TEXT, scope);
  return value;
}

/** Checks `options.shadowing` and returns a plain copy. The Upstream must be known to `catalog`. */
export function shadowingOf(
  field: string,
  shadowing: GlooShadowing,
  catalog: UpstreamCatalog,
  scope?: string,
): GlooShadowing {
  const percentage = shadowing.percentage;
  if (typeof percentage !== "number" || !Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    throw new ValidationError(
      `${field}.percentage`,
      percentage,
      "a number from 0 to 100 (percent of requests mirrored; fractions allowed, e.g. 12.5)",
      scope,
    );
  }
  return { upstream: catalog.require(`${field}.upstream`, shadowing.upstream, scope), percentage };
}

function headerValue(field: string, header: GlooHeaderValue, scope?: string): GlooHeaderValue {
  return {
    key: requireHeaderName(`${field}.key`, header.key, scope),
    value: requireString(`${field}.value`, header.value, "a header value (a string)", scope),
  };
}

function headerManipulationOf(
  field: string,
  hm: GlooHeaderManipulation,
  scope?: string,
): GlooHeaderManipulation {
  const out: GlooHeaderManipulation = {};
  if (hm.requestHeadersToAdd !== undefined) {
    out.requestHeadersToAdd = hm.requestHeadersToAdd.map((h, i) => {
      const f = `${field}.requestHeadersToAdd[${i}]`;
      if (h.header === undefined && h.headerSecretRef === undefined) {
        throw new ValidationError(
          f,
          h,
          "a header { key, value } or a headerSecretRef { name, namespace }",
          scope,
        );
      }
      return {
        ...(h.header !== undefined ? { header: headerValue(`${f}.header`, h.header, scope) } : {}),
        ...(h.headerSecretRef !== undefined
          ? { headerSecretRef: { name: h.headerSecretRef.name, namespace: h.headerSecretRef.namespace } }
          : {}),
        ...(h.append !== undefined ? { append: requireBoolean(`${f}.append`, h.append, scope) } : {}),
      };
    });
  }
  if (hm.requestHeadersToRemove !== undefined) {
    out.requestHeadersToRemove = requireStrings(
      `${field}.requestHeadersToRemove`,
      hm.requestHeadersToRemove,
      scope,
    );
  }
  if (hm.responseHeadersToAdd !== undefined) {
    out.responseHeadersToAdd = hm.responseHeadersToAdd.map((h, i) => {
      const f = `${field}.responseHeadersToAdd[${i}]`;
      if (h.header === undefined)
        throw new ValidationError(`${f}.header`, h.header, "a header { key, value }", scope);
      return {
        header: headerValue(`${f}.header`, h.header, scope),
        ...(h.append !== undefined ? { append: requireBoolean(`${f}.append`, h.append, scope) } : {}),
      };
    });
  }
  if (hm.responseHeadersToRemove !== undefined) {
    out.responseHeadersToRemove = requireStrings(
      `${field}.responseHeadersToRemove`,
      hm.responseHeadersToRemove,
      scope,
    );
  }
  return out;
}

function retriesOf(field: string, retries: GlooRetryPolicy, scope?: string): GlooRetryPolicy {
  const out: GlooRetryPolicy = {};
  if (retries.retryOn !== undefined) {
    out.retryOn = requireString(
      `${field}.retryOn`,
      retries.retryOn,
      'Envoy retry conditions, e.g. "5xx,connect-failure"',
      scope,
    );
  }
  if (retries.numRetries !== undefined) {
    out.numRetries = requireInteger(`${field}.numRetries`, retries.numRetries, 0, UINT32_MAX, scope);
  }
  if (retries.perTryTimeout !== undefined) {
    out.perTryTimeout = requireDuration(`${field}.perTryTimeout`, retries.perTryTimeout, scope);
  }
  if (retries.retriableStatusCodes !== undefined) {
    out.retriableStatusCodes = retries.retriableStatusCodes.map((code, i) =>
      requireInteger(`${field}.retriableStatusCodes[${i}]`, code, 100, 599, scope),
    );
  }
  if (retries.retryBackOff !== undefined) {
    const b = retries.retryBackOff;
    out.retryBackOff = {
      ...(b.baseInterval !== undefined
        ? { baseInterval: requireDuration(`${field}.retryBackOff.baseInterval`, b.baseInterval, scope) }
        : {}),
      ...(b.maxInterval !== undefined
        ? { maxInterval: requireDuration(`${field}.retryBackOff.maxInterval`, b.maxInterval, scope) }
        : {}),
    };
  }
  return out;
}

function regexRewriteOf(field: string, rr: GlooRegexRewrite, scope?: string): GlooRegexRewrite {
  const regex = rr.pattern?.regex;
  if (typeof regex !== "string" || regex === "") {
    throw new ValidationError(
      `${field}.pattern.regex`,
      regex,
      'a non-empty RE2 regular expression, e.g. "^/api/(.*)$"',
      scope,
    );
  }
  return {
    pattern: { regex },
    substitution: requireString(
      `${field}.substitution`,
      rr.substitution,
      'a replacement string, e.g. "/\\1"',
      scope,
    ),
  };
}

function corsOf(field: string, cors: GlooCorsPolicy, scope?: string): GlooCorsPolicy {
  const out: GlooCorsPolicy = {};
  for (const key of [
    "allowOrigin",
    "allowOriginRegex",
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
  ] as const) {
    if (cors[key] !== undefined) out[key] = requireStrings(`${field}.${key}`, cors[key], scope);
  }
  if (cors.maxAge !== undefined)
    out.maxAge = requireString(`${field}.maxAge`, cors.maxAge, 'a max-age value, e.g. "86400"', scope);
  if (cors.allowCredentials !== undefined) {
    out.allowCredentials = requireBoolean(`${field}.allowCredentials`, cors.allowCredentials, scope);
  }
  if (cors.disableForRoute !== undefined) {
    out.disableForRoute = requireBoolean(`${field}.disableForRoute`, cors.disableForRoute, scope);
  }
  return out;
}

/**
 * Checks route options and returns a plain copy in Gloo's shape, without absent fields. Durations must be
 * seconds (`15s`), the shadow percentage 0..100 and the shadow Upstream known to `catalog`.
 *
 * @param field where the options are, e.g. `routes[2] (/petstore).options`.
 */
export function routeOptionsOf(
  field: string,
  options: GlooRouteOptions,
  catalog: UpstreamCatalog,
  scope?: string,
): GlooRouteOptions {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError(field, options, 'route options, e.g. { prefixRewrite: "/api/" }', scope);
  }
  const out: GlooRouteOptions = {};
  if (options.prefixRewrite !== undefined) {
    out.prefixRewrite = requireString(
      `${field}.prefixRewrite`,
      options.prefixRewrite,
      'a path prefix, e.g. "/api/pets/"',
      scope,
    );
  }
  if (options.regexRewrite !== undefined)
    out.regexRewrite = regexRewriteOf(`${field}.regexRewrite`, options.regexRewrite, scope);
  if (options.timeout !== undefined)
    out.timeout = requireDuration(`${field}.timeout`, options.timeout, scope);
  if (options.idleTimeout !== undefined)
    out.idleTimeout = requireDuration(`${field}.idleTimeout`, options.idleTimeout, scope);
  if (options.retries !== undefined) out.retries = retriesOf(`${field}.retries`, options.retries, scope);
  if (options.headerManipulation !== undefined) {
    out.headerManipulation = headerManipulationOf(
      `${field}.headerManipulation`,
      options.headerManipulation,
      scope,
    );
  }
  if (options.hostRewrite !== undefined) {
    out.hostRewrite = requireString(
      `${field}.hostRewrite`,
      options.hostRewrite,
      'a host name, e.g. "api.example.com"',
      scope,
    );
  }
  if (options.autoHostRewrite !== undefined) {
    out.autoHostRewrite = requireBoolean(`${field}.autoHostRewrite`, options.autoHostRewrite, scope);
  }
  if (options.cors !== undefined) out.cors = corsOf(`${field}.cors`, options.cors, scope);
  if (options.shadowing !== undefined)
    out.shadowing = shadowingOf(`${field}.shadowing`, options.shadowing, catalog, scope);
  if (out.prefixRewrite !== undefined && out.regexRewrite !== undefined) {
    throw new ValidationError(
      `${field}.regexRewrite`,
      out.regexRewrite.pattern.regex,
      "no regexRewrite together with prefixRewrite (Envoy takes one path rewrite per route)",
      scope,
    );
  }
  return out;
}
