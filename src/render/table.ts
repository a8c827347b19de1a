import { asJsonObject, type JsonObject } from "../json";
import { Layer, type RenderedObject } from "./emit";

/** One row of the traffic table: which requests go where, and what share of them. */
export interface TrafficRow {
  layer: string;
  object: string;
  match: string;
  destination: string;
  share: string;
}

type Obj = JsonObject;
const obj = asJsonObject;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * Reads the traffic split out of rendered objects: Gloo VirtualService and RouteTable routes (single, multi,
 * UpstreamGroup, delegation, shadowing) and Consul service-splitter and service-router entries.
 */
export function trafficRows(objects: readonly RenderedObject[]): TrafficRow[] {
  const groups = new Map<string, Obj[]>();
  for (const { object } of objects) {
    if (object.kind === "UpstreamGroup") {
      groups.set(refName(object.metadata), list(obj(object.spec).destinations));
    }
  }
  const rows: TrafficRow[] = [];
  for (const { layer, object } of objects) {
    if (layer === Layer.Kubernetes && (object.kind === "VirtualService" || object.kind === "RouteTable")) {
      const spec = obj(object.spec);
      const routes =
        object.kind === "VirtualService" ? list(obj(spec.virtualHost).routes) : list(spec.routes);
      const name = `${object.kind} ${refName(object.metadata)}`;
      for (const route of routes) rows.push(...glooRoute(name, route, groups));
    } else if (layer === Layer.Kubernetes && object.kind === "HTTPRoute") {
      rows.push(...httpRouteRows(object));
    } else if (layer === Layer.Consul && object.Kind === "service-splitter") {
      for (const split of list(object.Splits)) {
        rows.push({
          layer: "consul",
          object: `service-splitter ${str(object.Name)}`,
          match: "*",
          destination: consulTarget(split.Service, split.ServiceSubset),
          share: `${String(split.Weight)}%`,
        });
      }
    } else if (layer === Layer.Consul && object.Kind === "service-router") {
      for (const route of list(object.Routes)) {
        const http = obj(obj(route.Match).HTTP);
        const headers = list(http.Header).map((h) => `${str(h.Name)}: ${str(h.Exact) || "*"}`);
        const dest = obj(route.Destination);
        rows.push({
          layer: "consul",
          object: `service-router ${str(object.Name)}`,
          match: [str(http.PathPrefix) || str(http.PathExact), ...headers.map((h) => `[${h}]`)]
            .filter(Boolean)
            .join(" "),
          destination: consulTarget(dest.Service, dest.ServiceSubset),
          share: "100%",
        });
      }
    }
  }
  // Edge first, then mesh.
  const edge = (r: TrafficRow): boolean => r.layer === "gloo" || r.layer === "gateway-api";
  return [...rows.filter(edge), ...rows.filter((r) => !edge(r))];
}

/** The rows of a Gateway API HTTPRoute: each rule's match and its weighted backendRefs (and request mirrors). */
function httpRouteRows(route: Obj): TrafficRow[] {
  const meta = obj(route.metadata);
  const namespace = str(meta.namespace);
  const object = `HTTPRoute ${refName(route.metadata)}`;
  const rows: TrafficRow[] = [];
  for (const rule of list(obj(route.spec).rules)) {
    const m = list(rule.matches)[0] ?? {};
    const path = str(obj(m.path).value) || "/";
    const headers = list(m.headers).map((h) => `[${str(h.name)}: ${str(h.value)}]`);
    const match = [path, ...headers].join(" ");
    const refs = list(rule.backendRefs);
    const total = refs.reduce((sum, r) => sum + (typeof r.weight === "number" ? r.weight : 1), 0);
    for (const ref of refs) {
      const target = `${str(ref.namespace) || namespace}/${str(ref.name)}`;
      if (ref.kind === "HTTPRoute") {
        // kgateway route delegation: the prefix is handed to the HTTPRoutes named (`*`: every one of the namespace).
        rows.push({
          layer: "gateway-api",
          object,
          match,
          destination: `delegate -> HTTPRoute ${target}`,
          share: "-",
        });
        continue;
      }
      const weight = typeof ref.weight === "number" ? ref.weight : 1;
      const share = total > 0 ? Math.round((weight / total) * 1000) / 10 : 0;
      rows.push({ layer: "gateway-api", object, match, destination: target, share: `${share}%` });
    }
    for (const filter of list(rule.filters)) {
      const mirror = obj(filter.requestMirror);
      if (!mirror.backendRef) continue;
      const ref = obj(mirror.backendRef);
      rows.push({
        layer: "gateway-api",
        object,
        match,
        destination: `${str(ref.namespace) || namespace}/${str(ref.name)} (mirror copy)`,
        share: `${String(mirror.percent ?? 100)}%`,
      });
    }
  }
  return rows;
}

function glooRoute(object: string, route: Obj, groups: Map<string, Obj[]>): TrafficRow[] {
  const matcher = list(route.matchers)[0] ?? {};
  const path = str(matcher.prefix) || str(matcher.exact) || (matcher.regex ? `~${str(matcher.regex)}` : "/");
  const headers = list(matcher.headers).map((h) => `[${str(h.name)}: ${str(h.value) || "*"}]`);
  const match = [path, ...headers].join(" ");
  const row = (destination: string, share: string): TrafficRow => ({
    layer: "gloo",
    object,
    match,
    destination,
    share,
  });

  const rows: TrafficRow[] = [];
  const action = obj(route.routeAction);
  const delegate = obj(route.delegateAction);
  if (action.single) {
    rows.push(row(upstreamOf(obj(action.single)), "100%"));
  } else if (action.multi) {
    rows.push(...weighted(list(obj(action.multi).destinations)).map(([d, s]) => row(d, s)));
  } else if (action.upstreamGroup) {
    const group = refName(action.upstreamGroup);
    rows.push(...weighted(groups.get(group) ?? []).map(([d, s]) => row(`${d} (UpstreamGroup ${group})`, s)));
  } else if (delegate.ref) {
    rows.push(row(`delegate -> RouteTable ${refName(delegate.ref)}`, "-"));
  } else if (delegate.selector) {
    const selector = obj(delegate.selector);
    const labels = Object.entries(obj(selector.labels)).map(([k, v]) => `${k}=${str(v)}`);
    const namespaces = Array.isArray(selector.namespaces) ? selector.namespaces.join(",") : "(own)";
    rows.push(row(`delegate -> RouteTables {${labels.join(",")}} in ${namespaces}`, "-"));
  }
  const shadow = obj(obj(route.options).shadowing);
  if (shadow.upstream) {
    rows.push(
      row(`${upstreamOf({ upstream: shadow.upstream })} (shadow copy)`, `${String(shadow.percentage ?? 0)}%`),
    );
  }
  return rows;
}

function weighted(destinations: Obj[]): Array<[string, string]> {
  const total = destinations.reduce((sum, d) => sum + (typeof d.weight === "number" ? d.weight : 0), 0);
  return destinations.map((d) => {
    const weight = typeof d.weight === "number" ? d.weight : 0;
    const share = total > 0 ? Math.round((weight / total) * 1000) / 10 : 0;
    return [upstreamOf(obj(d.destination)), `${share}%`];
  });
}

function upstreamOf(destination: Obj): string {
  return destination.upstream ? refName(destination.upstream) : "?";
}

function refName(ref: unknown): string {
  const r = obj(ref);
  return r.namespace ? `${str(r.namespace)}/${str(r.name)}` : str(r.name);
}

function consulTarget(service: unknown, subset: unknown): string {
  return subset ? `${str(service)} subset ${str(subset)}` : str(service);
}

/** Formats rows as an aligned plain-text table with a header line. */
export function formatTable(rows: readonly TrafficRow[]): string {
  const header: TrafficRow = {
    layer: "LAYER",
    object: "OBJECT",
    match: "MATCH",
    destination: "DESTINATION",
    share: "SHARE",
  };
  const all = [header, ...rows];
  const keys: Array<keyof TrafficRow> = ["layer", "object", "match", "destination", "share"];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  return (
    all
      .map((r) => keys.map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(widths[i]))).join("  "))
      .join("\n") + "\n"
  );
}
