// A Gateway API implementation on loopback: Envoy Gateway in standalone mode (Gateway API objects read from a
// folder, Envoy run as a host process), fed with what the kube-apiserver holds after each update. Gateway API
// backends are Services; with no kubelet and no EndpointSlices here, each Service a route names becomes an Envoy
// Gateway `Backend` with the loopback endpoint of the version its selector picks.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { httpRequest } from "./mesh";
import { startProcess, waitFor, type Started } from "./processes";

type Json = Record<string, unknown>;

const CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const CLASS = "e2e";
/** Envoy Gateway's own admin API (its xDS server and Wasm cache keep their fixed ports 18000 and 18002). */
const ADMIN_PORT = 19050;

export interface EnvoyGateway {
  process: Started;
  resources: string;
  runtimeDir: string;
  /** The version of the Envoy it runs (the installed one). */
  version: string;
}

/** The Envoy version of the binary at `envoy` (`envoy --version` prints `.../1.36.2/Clean/RELEASE/...`). */
export function envoyVersion(envoy: string): string {
  const out = execFileSync(envoy, ["--version"], { encoding: "utf8" });
  const m = /\/(\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`cannot read the version of ${envoy}: ${out.trim()}`);
  return m[1];
}

/** Starts Envoy Gateway with an empty resource folder; the installed Envoy is placed where it looks for it. */
export async function startEnvoyGateway(dir: string, bin: string): Promise<EnvoyGateway> {
  const resources = path.join(dir, "resources");
  const home = (name: string): string => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  mkdirSync(resources, { recursive: true });
  const dataHome = home("data");
  const stateHome = home("state");
  const runtimeDir = home("run");
  const configHome = home("config");
  const envoy = path.join(bin, "envoy");
  const version = envoyVersion(envoy);
  // func-e, which Envoy Gateway runs Envoy with, uses the binary in this place and downloads nothing.
  const placed = path.join(dataHome, "envoy-versions", version, "bin");
  mkdirSync(placed, { recursive: true });
  copyFileSync(envoy, path.join(placed, "envoy"));
  const config = {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "EnvoyGateway",
    gateway: { controllerName: CONTROLLER },
    provider: {
      type: "Custom",
      custom: {
        resource: { type: "File", file: { paths: [resources] } },
        infrastructure: {
          type: "Host",
          host: { configHome, dataHome, stateHome, runtimeDir },
        },
      },
    },
    admin: { address: { host: "127.0.0.1", port: ADMIN_PORT } },
    telemetry: { metrics: { prometheus: { disable: true } } },
    logging: { level: { default: "info" } },
    extensionApis: { enableBackend: true },
  };
  // The control plane's certificates (its xDS server and Envoy authenticate each other), made locally.
  execFileSync(path.join(bin, "envoy-gateway"), ["certgen", "--local", "--config-home", configHome], {
    stdio: "ignore",
  });
  const configFile = path.join(dir, "envoy-gateway.yaml");
  writeFileSync(configFile, stringify(config));
  const proc = startProcess(
    "envoy-gateway",
    path.join(bin, "envoy-gateway"),
    ["server", "--config-path", configFile],
    path.join(dir, "envoy-gateway.log"),
  );
  await waitFor(
    "envoy gateway admin",
    async () => ((await httpRequest(`http://127.0.0.1:${ADMIN_PORT}/`)).status < 500 ? true : undefined),
    60_000,
    250,
    [proc],
  );
  return { process: proc, resources, runtimeDir, version };
}

/** Where the traffic of one HTTPRoute rule goes, by version. */
export interface GatewayExpectation {
  /** The Gateway's listener, as Envoy Gateway serves it on loopback. */
  url: string;
  host?: string;
  split: Record<string, number>;
  header?: { name: string; value: string; version: string };
}

/** What the harness feeds Envoy Gateway, and the traffic each HTTPRoute should see through it. */
export interface Translation {
  objects: Json[];
  routes: Array<{ route: string; expectation: GatewayExpectation }>;
  /** The Envoy endpoints (loopback ports) that must carry weight, with their share, per route rule. */
  weights: Array<Record<number, number>>;
  /** Routes left out, and why (a listener that does not allow their namespace, a parent that is not there). */
  dropped: string[];
}

const meta = (o: Json): Json => (o.metadata ?? {}) as Json;
const ns = (o: Json): string => String(meta(o).namespace ?? "default");
const nameOf = (o: Json): string => String(meta(o).name);

/**
 * Translates the apiserver's Gateway API objects for Envoy Gateway: every Gateway on class `e2e` with its
 * listeners moved to loopback ports from `firstPort`, the routes as they are but with each Service backendRef
 * turned into a `Backend` of the version the Service selects (`versionLabel` in its selector), the namespaces
 * with their labels (listeners select routes by them) and the ReferenceGrants as they are.
 */
export function translate(
  live: { gateways: Json[]; routes: Json[]; services: Json[]; namespaces: Json[]; grants: Json[] },
  versionPorts: Record<string, number>,
  firstPort: number,
  envoyVersionText: string,
  versionLabel = "version",
): Translation {
  const objects: Json[] = [
    {
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "EnvoyProxy",
      metadata: { name: "host", namespace: "envoy-gateway-system" },
      spec: { provider: { type: "Host", host: { envoyVersion: envoyVersionText } } },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: CLASS },
      spec: {
        controllerName: CONTROLLER,
        parametersRef: {
          group: "gateway.envoyproxy.io",
          kind: "EnvoyProxy",
          name: "host",
          namespace: "envoy-gateway-system",
        },
      },
    },
  ];
  const portOf = new Map<string, number>();
  let port = firstPort;
  for (const n of live.namespaces) {
    objects.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: nameOf(n), labels: meta(n).labels },
    });
  }
  // Envoy Gateway's file loader keeps a Namespace's name but not its labels, so a listener's namespace selector
  // cannot match there: the harness evaluates it against the apiserver's namespaces, hands Envoy Gateway the
  // listener with `from: All`, and leaves out every route from a namespace the selector does not allow.
  const labelsOf = new Map(
    live.namespaces.map((n) => [nameOf(n), (meta(n).labels ?? {}) as Record<string, string>]),
  );
  const allowedBy = new Map<string, (namespace: string) => boolean>();
  for (const g of live.gateways) {
    const spec = g.spec as Json;
    const listeners = ((spec.listeners ?? []) as Json[]).map((l) => {
      const key = `${ns(g)}/${nameOf(g)}:${String(l.port)}`;
      if (!portOf.has(key)) portOf.set(key, port++);
      const namespaces = ((l.allowedRoutes as Json | undefined)?.namespaces ?? {}) as Json;
      const from = String(namespaces.from ?? "Same");
      allowedBy.set(`${ns(g)}/${nameOf(g)}/${String(l.name)}`, (n) =>
        from === "All"
          ? true
          : from === "Selector"
            ? selects((namespaces.selector ?? {}) as Json, labelsOf.get(n) ?? {})
            : n === ns(g),
      );
      const allowedRoutes =
        from === "Selector" ? { ...(l.allowedRoutes as Json), namespaces: { from: "All" } } : l.allowedRoutes;
      return { ...l, port: portOf.get(key), ...(allowedRoutes ? { allowedRoutes } : {}) };
    });
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: nameOf(g), namespace: ns(g) },
      spec: { ...spec, gatewayClassName: CLASS, listeners },
    });
  }
  const services = new Map(live.services.map((s) => [`${ns(s)}/${nameOf(s)}`, s]));
  const versionOfService = (namespace: string, name: string): string | undefined => {
    const s = services.get(`${namespace}/${name}`);
    const selector = ((s?.spec as Json | undefined)?.selector ?? {}) as Record<string, string>;
    return selector[versionLabel];
  };
  const backends = new Map<string, Json>();
  const routes: Translation["routes"] = [];
  const weights: Translation["weights"] = [];
  const dropped: string[] = [];
  for (const r of live.routes) {
    const spec = r.spec as Json;
    const namespace = ns(r);
    const parent = ((spec.parentRefs ?? []) as Json[])[0] ?? {};
    const gateway = live.gateways.find(
      (g) => nameOf(g) === String(parent.name) && ns(g) === String(parent.namespace ?? namespace),
    );
    const listener = gateway
      ? (((gateway.spec as Json).listeners ?? []) as Json[]).find(
          (l) => parent.sectionName === undefined || l.name === parent.sectionName,
        )
      : undefined;
    if (!gateway || !listener) {
      dropped.push(`${namespace}/${nameOf(r)}: no listener of its parent in the apiserver`);
      continue;
    }
    if (!allowedBy.get(`${ns(gateway)}/${nameOf(gateway)}/${String(listener.name)}`)?.(namespace)) {
      dropped.push(`${namespace}/${nameOf(r)}: namespace not allowed by listener ${String(listener.name)}`);
      continue;
    }
    const listenerPort = portOf.get(`${ns(gateway)}/${nameOf(gateway)}:${String(listener.port)}`);
    const rules = ((spec.rules ?? []) as Json[]).map((rule) => ({
      ...rule,
      backendRefs: ((rule.backendRefs ?? []) as Json[]).map((ref) => {
        if (ref.kind !== undefined && ref.kind !== "Service") return ref;
        const refNs = String(ref.namespace ?? namespace);
        const version = versionOfService(refNs, String(ref.name));
        const p = version === undefined ? undefined : versionPorts[version];
        if (p === undefined)
          throw new Error(
            `HTTPRoute ${namespace}/${nameOf(r)}: backendRef ${refNs}/${String(ref.name)} selects no version the harness serves (${version ?? "no " + versionLabel + " in its selector"})`,
          );
        backends.set(`${refNs}/${String(ref.name)}`, {
          apiVersion: "gateway.envoyproxy.io/v1alpha1",
          kind: "Backend",
          metadata: { name: String(ref.name), namespace: refNs },
          spec: { endpoints: [{ ip: { address: "127.0.0.1", port: p } }] },
        });
        const out: Json = {
          group: "gateway.envoyproxy.io",
          kind: "Backend",
          name: ref.name,
          weight: ref.weight,
        };
        if (ref.namespace !== undefined) out.namespace = ref.namespace;
        return out;
      }),
    }));
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: nameOf(r), namespace },
      spec: { ...spec, rules },
    });
    // The traffic this route should see: the header rule's version, and the weighted rule's split.
    const expectation: GatewayExpectation = {
      url: `http://127.0.0.1:${listenerPort ?? 0}`,
      host: ((spec.hostnames ?? []) as string[])[0],
      split: {},
    };
    let pathPrefix = "/";
    for (const rule of (spec.rules ?? []) as Json[]) {
      const match = ((rule.matches ?? []) as Json[])[0] ?? {};
      const header = ((match.headers ?? []) as Json[])[0];
      const value = (match.path as Json | undefined)?.value;
      if (typeof value === "string") pathPrefix = value;
      const refs = (rule.backendRefs ?? []) as Json[];
      const byVersion: Record<string, number> = {};
      const byPort: Record<number, number> = {};
      for (const ref of refs) {
        const version = versionOfService(String(ref.namespace ?? namespace), String(ref.name));
        if (version === undefined) continue;
        const w = Number(ref.weight ?? 1);
        byVersion[version] = (byVersion[version] ?? 0) + w;
        if (w > 0) byPort[versionPorts[version]] = (byPort[versionPorts[version]] ?? 0) + w;
      }
      weights.push(byPort);
      if (header && typeof header.value === "string") {
        const version = Object.entries(byVersion).find(([, w]) => w > 0)?.[0];
        if (version) expectation.header = { name: String(header.name), value: header.value, version };
      } else {
        expectation.split = byVersion;
      }
    }
    expectation.url = `${expectation.url}${pathPrefix.endsWith("/") ? pathPrefix : `${pathPrefix}/`}`;
    routes.push({ route: `${namespace}/${nameOf(r)}`, expectation });
  }
  objects.push(...backends.values());
  for (const grant of live.grants) {
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1beta1",
      kind: "ReferenceGrant",
      metadata: { name: nameOf(grant), namespace: ns(grant) },
      spec: grant.spec,
    });
  }
  return { objects, routes, weights, dropped };
}

/** Whether a label selector (matchLabels, matchExpressions) selects `labels`. */
export function selects(selector: Json, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries((selector.matchLabels ?? {}) as Record<string, string>))
    if (labels[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Json[]) {
    const key = String(e.key);
    const values = (e.values ?? []) as string[];
    const has = key in labels;
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Replaces Envoy Gateway's resource file at once (it watches the folder). */
export function feed(eg: EnvoyGateway, objects: Json[]): void {
  const file = path.join(eg.resources, "resources.yaml");
  const tmp = path.join(path.dirname(eg.resources), "resources.yaml.tmp");
  writeFileSync(tmp, objects.map((o) => `---\n${stringify(o)}`).join(""));
  renameSync(tmp, file);
}

/** The Gateways (namespace/name) of each Envoy Gateway's last feed. */
const fedGateways = new WeakMap<EnvoyGateway, Set<string>>();

/**
 * Feeds `objects` as `feed` does, but when a Gateway goes and another comes in the same feed, first stops the old
 * one's proxy and waits until it is gone: in host mode Envoy Gateway starts every Gateway's Envoy with the same base
 * id, and an Envoy started while the one it replaces still runs cannot bind its domain socket and never serves.
 */
export async function feedInTurn(eg: EnvoyGateway, objects: Json[]): Promise<void> {
  const isGateway = (o: Json): boolean => o.kind === "Gateway";
  const gateways = new Set(
    objects
      .filter(isGateway)
      .map((o) => `${String((o.metadata as Json).namespace)}/${String((o.metadata as Json).name)}`),
  );
  const before = fedGateways.get(eg) ?? new Set<string>();
  const gone = [...before].some((g) => !gateways.has(g));
  const added = [...gateways].some((g) => !before.has(g));
  const admin = proxyAdmin(eg);
  if (gone && added && admin !== undefined) {
    feed(
      eg,
      objects.filter((o) => !isGateway(o)),
    );
    await waitFor(
      "the previous Gateway's proxy to stop",
      async () => ((await answers(`http://${admin}/ready`)) ? undefined : true),
      30_000,
      250,
      [eg.process],
    );
  }
  feed(eg, objects);
  fedGateways.set(eg, gateways);
}

/** Whether anything answers at `url` (within a second). */
function answers(url: string): Promise<boolean> {
  return httpRequest(url, "GET", undefined, {}, 1000).then(
    () => true,
    () => false,
  );
}

/** The admin address of the newest Envoy that Envoy Gateway started (func-e writes it into its run folder). */
export function proxyAdmin(eg: EnvoyGateway): string | undefined {
  if (!existsSync(eg.runtimeDir)) return undefined;
  const runs = readdirSync(eg.runtimeDir).sort();
  for (const run of runs.reverse()) {
    const file = path.join(eg.runtimeDir, run, "admin-address.txt");
    if (existsSync(file)) return readFileSync(file, "utf8").trim();
  }
  return undefined;
}

/**
 * Waits until the proxy's endpoints carry exactly the weights of every route rule (Envoy Gateway turns the
 * backendRefs of a rule into one cluster, a locality per backend weighted as the backendRef), then one second more.
 */
export async function untilProgrammed(eg: EnvoyGateway, weights: Translation["weights"]): Promise<void> {
  const wanted = weights.filter((w) => Object.keys(w).length > 0);
  await waitFor(
    "envoy gateway's proxy programmed with the routes' weights",
    async () => {
      const admin = proxyAdmin(eg);
      if (!admin) return undefined;
      const res = await httpRequest(`http://${admin}/config_dump?include_eds`);
      if (res.status !== 200) return undefined;
      const clusters: Array<Record<number, number>> = [];
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node && typeof node === "object") {
          const o = node as Json;
          const assignment = (o.endpoint_config ?? o.load_assignment) as Json | undefined;
          if (assignment && typeof assignment === "object") {
            const byPort: Record<number, number> = {};
            for (const locality of (assignment.endpoints ?? []) as Json[]) {
              const w = Number(locality.load_balancing_weight ?? 1);
              for (const lb of (locality.lb_endpoints ?? []) as Json[]) {
                const address = ((lb.endpoint as Json | undefined)?.address as Json | undefined)
                  ?.socket_address as Json | undefined;
                const p = Number(address?.port_value);
                if (p > 0 && w > 0) byPort[p] = (byPort[p] ?? 0) + w;
              }
            }
            clusters.push(byPort);
            return;
          }
          Object.values(o).forEach(visit);
        }
      };
      visit(JSON.parse(res.body));
      const same = (a: Record<number, number>, b: Record<number, number>): boolean => {
        const ka = Object.keys(a).sort().join(",");
        if (ka !== Object.keys(b).sort().join(",")) return false;
        const ta = Object.values(a).reduce((x, y) => x + y, 0);
        const tb = Object.values(b).reduce((x, y) => x + y, 0);
        return Object.keys(a).every((k) => Math.abs(a[Number(k)] / ta - b[Number(k)] / tb) < 1e-9);
      };
      return wanted.every((w) => clusters.some((c) => same(c, w))) ? true : undefined;
    },
    60_000,
    250,
    [eg.process],
  );
  await new Promise((r) => setTimeout(r, 1000));
}
