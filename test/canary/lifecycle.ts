import type { RenderedObject } from "../../src/render/emit";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);

/** Versions with a Deployment among rendered objects. */
export function deployedVersions(objects: readonly RenderedObject[]): string[] {
  return objects
    .filter((o) => o.object.kind === "Deployment")
    .map((o) => String(obj(obj(o.object.metadata).labels).version))
    .sort();
}

/**
 * Versions that some route, split or subset sends traffic to: Gloo destinations (via the Upstreams' version
 * selectors), UpstreamGroup destinations, shadowing, Consul splits, router destinations and resolver subsets.
 */
export function referencedVersions(objects: readonly RenderedObject[]): string[] {
  const upstreamVersion = new Map<string, string>();
  for (const { object } of objects) {
    if (object.kind === "Upstream") {
      const meta = obj(object.metadata);
      const selector = obj(obj(obj(object.spec).kube).selector);
      upstreamVersion.set(`${String(meta.namespace)}/${String(meta.name)}`, String(selector.version));
    }
  }
  const refs = new Set<string>();
  const fromUpstream = (ref: unknown): void => {
    const r = obj(ref);
    const key = `${String(r.namespace)}/${String(r.name)}`;
    refs.add(upstreamVersion.get(key) ?? `unknown upstream ${key}`);
  };
  for (const { object } of objects) {
    const spec = obj(object.spec);
    const routes =
      object.kind === "VirtualService"
        ? list(obj(spec.virtualHost).routes)
        : object.kind === "RouteTable"
          ? list(spec.routes)
          : [];
    for (const route of routes) {
      const action = obj(route.routeAction);
      if (action.single) fromUpstream(obj(action.single).upstream);
      for (const d of list(obj(action.multi).destinations)) fromUpstream(obj(d.destination).upstream);
      const shadow = obj(obj(route.options).shadowing);
      if (shadow.upstream) fromUpstream(shadow.upstream);
    }
    if (object.kind === "UpstreamGroup")
      for (const d of list(spec.destinations)) fromUpstream(obj(d.destination).upstream);
    if (object.Kind === "service-splitter")
      for (const s of list(object.Splits)) refs.add(String(s.ServiceSubset));
    if (object.Kind === "service-router")
      for (const r of list(object.Routes)) refs.add(String(obj(r.Destination).ServiceSubset));
    if (object.Kind === "service-resolver")
      for (const subset of Object.keys(obj(object.Subsets))) refs.add(subset);
  }
  return [...refs].sort();
}
