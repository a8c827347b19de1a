/**
 * Turns a registered @pulumi/consul config entry back into the JSON `consul config write` accepts, so a
 * rendered program can be applied (or compared) without the provider.
 */
import { isJsonObject, type JsonObject } from "../json";

/** Pulumi type tokens of the Consul config entries this package writes, with their Consul `Kind`. */
export const CONSUL_ENTRY_KINDS: Readonly<Record<string, string>> = {
  "consul:index/configEntryServiceDefaults:ConfigEntryServiceDefaults": "service-defaults",
  "consul:index/configEntryServiceResolver:ConfigEntryServiceResolver": "service-resolver",
  "consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter": "service-splitter",
  "consul:index/configEntryServiceRouter:ConfigEntryServiceRouter": "service-router",
};

/** Pulumi type token of the provider's generic config entry (`kind`, `name`, `configJson`). */
export const CONSUL_CONFIG_ENTRY_TYPE = "consul:index/configEntry:ConfigEntry";

type Json = JsonObject;

/** A generic config entry: `Kind`, `Name` (and namespace, partition) and the fields of its `configJson`. */
function genericEntry(inputs: Json): Json | undefined {
  let fields: unknown;
  try {
    fields = typeof inputs.configJson === "string" ? JSON.parse(inputs.configJson) : {};
  } catch {
    fields = {};
  }
  return compact({
    ...common(String(inputs.kind), inputs),
    ...(isJsonObject(fields) ? fields : {}),
  });
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** The first block of a provider list that stands for one Consul object (`exposes`, `redirects`, ...). */
function first(value: unknown): Json | undefined {
  return list(value)[0];
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

function numbers(value: unknown): number[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === "number") : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/** Drops undefined, null, "", [] and {} (also objects and lists that end up empty); keeps false and 0. */
function compact(value: Json): Json | undefined {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) {
      const items: unknown[] = v
        .map((item: unknown) => (isJsonObject(item) ? compact(item) : item))
        .filter((item) => item !== undefined && item !== null);
      if (items.length > 0) out[key] = items;
      continue;
    }
    if (isJsonObject(v)) {
      const inner = compact(v);
      if (inner !== undefined) out[key] = inner;
      continue;
    }
    out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function common(kind: string, inputs: Json): Json {
  return {
    Kind: kind,
    Name: inputs.name,
    Namespace: inputs.namespace,
    Partition: inputs.partition,
    Meta: stringMap(inputs.meta),
  };
}

function headerModifiers(value: unknown): Json | undefined {
  const block = isJsonObject(value) ? value : undefined;
  if (block === undefined) return undefined;
  return compact({ Add: stringMap(block.add), Set: stringMap(block.set), Remove: strings(block.removes) });
}

function serviceDefaults(inputs: Json): Json {
  const expose = first(inputs.exposes);
  const proxy = first(inputs.transparentProxies);
  return {
    ...common("service-defaults", inputs),
    Protocol: inputs.protocol,
    Mode: inputs.mode,
    MutualTLSMode: inputs.mutualTlsMode,
    ExternalSNI: inputs.externalSni,
    MaxInboundConnections: inputs.maxInboundConnections,
    LocalConnectTimeoutMs: inputs.localConnectTimeoutMs,
    LocalRequestTimeoutMs: inputs.localRequestTimeoutMs,
    BalanceInboundConnections: inputs.balanceInboundConnections,
    MeshGateway: compact({ Mode: first(inputs.meshGateways)?.mode }),
    TransparentProxy: proxy && {
      OutboundListenerPort: proxy.outboundListenerPort,
      DialedDirectly: proxy.dialedDirectly,
    },
    Expose: expose && {
      Checks: expose.checks,
      Paths: list(expose.paths).map((p) =>
        compact({
          ListenerPort: p.listenerPort,
          Path: p.path,
          LocalPathPort: p.localPathPort,
          Protocol: p.protocol,
        }),
      ),
    },
  };
}

function target(t: Json): Json | undefined {
  return compact({
    Service: t.service,
    ServiceSubset: t.serviceSubset,
    Namespace: t.namespace,
    Partition: t.partition,
    Datacenter: t.datacenter,
    Peer: t.peer,
    SamenessGroup: t.samenessGroup,
  });
}

function serviceResolver(inputs: Json): Json {
  const subsets: Json = {};
  for (const s of list(inputs.subsets)) {
    if (typeof s.name === "string") subsets[s.name] = { Filter: s.filter, OnlyPassing: s.onlyPassing };
  }
  const failover: Json = {};
  for (const f of list(inputs.failovers)) {
    if (typeof f.subsetName !== "string") continue;
    failover[f.subsetName] = compact({
      Service: f.service,
      ServiceSubset: f.serviceSubset,
      Namespace: f.namespace,
      SamenessGroup: f.samenessGroup,
      Datacenters: strings(f.datacenters),
      Targets: list(f.targets).map(target),
    });
  }
  const redirect = first(inputs.redirects);
  const balancer = first(inputs.loadBalancers);
  return {
    ...common("service-resolver", inputs),
    DefaultSubset: inputs.defaultSubset,
    ConnectTimeout: inputs.connectTimeout,
    RequestTimeout: inputs.requestTimeout,
    Subsets: subsets,
    Redirect: redirect && target(redirect),
    Failover: failover,
    LoadBalancer: balancer && {
      Policy: balancer.policy,
      LeastRequestConfig: compact({ ChoiceCount: first(balancer.leastRequestConfigs)?.choiceCount }),
      RingHashConfig: (() => {
        const ring = first(balancer.ringHashConfigs);
        return ring && { MinimumRingSize: ring.minimumRingSize, MaximumRingSize: ring.maximumRingSize };
      })(),
      HashPolicies: list(balancer.hashPolicies).map((h) => {
        const cookie = first(h.cookieConfigs);
        return compact({
          Field: h.field,
          FieldValue: h.fieldValue,
          SourceIP: h.sourceIp,
          Terminal: h.terminal,
          CookieConfig: cookie && { Session: cookie.session, TTL: cookie.ttl, Path: cookie.path },
        });
      }),
    },
  };
}

function serviceSplitter(inputs: Json): Json {
  return {
    ...common("service-splitter", inputs),
    Splits: list(inputs.splits).map((s) =>
      compact({
        Weight: s.weight,
        Service: s.service,
        ServiceSubset: s.serviceSubset,
        Namespace: s.namespace,
        Partition: s.partition,
        RequestHeaders: headerModifiers(s.requestHeaders),
        ResponseHeaders: headerModifiers(s.responseHeaders),
      }),
    ),
  };
}

function serviceRouter(inputs: Json): Json {
  return {
    ...common("service-router", inputs),
    Routes: list(inputs.routes).map((route) => {
      const http = isJsonObject(route.match) && isJsonObject(route.match.http) ? route.match.http : {};
      const destination = isJsonObject(route.destination) ? route.destination : {};
      return compact({
        Match: {
          HTTP: {
            PathExact: http.pathExact,
            PathPrefix: http.pathPrefix,
            PathRegex: http.pathRegex,
            Header: list(http.headers).map((h) =>
              compact({
                Name: h.name,
                Present: h.present,
                Exact: h.exact,
                Prefix: h.prefix,
                Suffix: h.suffix,
                Regex: h.regex,
                Invert: h.invert,
              }),
            ),
            QueryParam: list(http.queryParams).map((q) =>
              compact({ Name: q.name, Present: q.present, Exact: q.exact, Regex: q.regex }),
            ),
            Methods: strings(http.methods),
          },
        },
        Destination: {
          Service: destination.service,
          ServiceSubset: destination.serviceSubset,
          Namespace: destination.namespace,
          Partition: destination.partition,
          PrefixRewrite: destination.prefixRewrite,
          RequestTimeout: destination.requestTimeout,
          IdleTimeout: destination.idleTimeout,
          NumRetries: destination.numRetries,
          RetryOnConnectFailure: destination.retryOnConnectFailure,
          RetryOn: strings(destination.retryOns),
          RetryOnStatusCodes: numbers(destination.retryOnStatusCodes),
          RequestHeaders: headerModifiers(destination.requestHeaders),
          ResponseHeaders: headerModifiers(destination.responseHeaders),
        },
      });
    }),
  };
}

/**
 * The JSON `consul config write` accepts for a recorded @pulumi/consul resource: `Kind`, `Name` and Consul's
 * CamelCase fields (`Protocol`, `DefaultSubset`, `Subsets` as a map from subset name to `{Filter, OnlyPassing}`,
 * `Splits`, `Routes` with `Match.HTTP.Header` and `Destination`, ...). Empty and undefined fields are omitted.
 *
 * @param type the resource's Pulumi type token, e.g. `consul:index/configEntryServiceSplitter:ConfigEntryServiceSplitter`.
 * @param inputs the resource's inputs as registered (the provider's camelCase field names).
 * @returns `undefined` for a type that is not a config entry (generic, or a typed service-defaults, -resolver,
 *   -splitter or -router).
 */
export function toConsulConfigWrite(
  type: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (type === CONSUL_CONFIG_ENTRY_TYPE) return genericEntry(inputs);
  const kind = Object.hasOwn(CONSUL_ENTRY_KINDS, type) ? CONSUL_ENTRY_KINDS[type] : undefined;
  let entry: Json;
  switch (kind) {
    case "service-defaults":
      entry = serviceDefaults(inputs);
      break;
    case "service-resolver":
      entry = serviceResolver(inputs);
      break;
    case "service-splitter":
      entry = serviceSplitter(inputs);
      break;
    case "service-router":
      entry = serviceRouter(inputs);
      break;
    default:
      return undefined;
  }
  return compact(entry);
}
