// A Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
// (which plays the kubelet of one fake Node, so Deployments become Available), plus a small REST client.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { startProcess, waitFor, type Started } from "./processes";

export interface KubeCluster {
  server: string;
  token: string;
  kubeconfig: string;
  processes: Started[];
}

export interface KubePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

type Json = Record<string, unknown>;

/** Starts the control plane in `dir` and waits until the API answers and the fake Node is Ready. */
export async function startCluster(
  dir: string,
  bin: string,
  stagesFile: string,
  ports: KubePorts,
): Promise<KubeCluster> {
  mkdirSync(path.join(dir, "pki"), { recursive: true });
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const log = (name: string): string => path.join(dir, "logs", `${name}.log`);
  const token = "e2e-admin-token";
  writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,"system:masters"\n`);
  const saKey = path.join(dir, "pki", "sa.key");
  const saPub = path.join(dir, "pki", "sa.pub");
  execFileSync("openssl", ["genrsa", "-out", saKey, "2048"], { stdio: "ignore" });
  execFileSync("openssl", ["rsa", "-in", saKey, "-pubout", "-out", saPub], { stdio: "ignore" });
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: e2e",
      "  cluster:",
      `    server: ${server}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: admin",
      "  user:",
      `    token: ${token}`,
      "contexts:",
      "- name: e2e",
      "  context: {cluster: e2e, user: admin}",
      "current-context: e2e",
      "",
    ].join("\n"),
  );

  const etcd = startProcess(
    "etcd",
    path.join(bin, "etcd"),
    [
      "--data-dir",
      path.join(dir, "etcd"),
      "--listen-client-urls",
      `http://127.0.0.1:${ports.etcdClient}`,
      "--advertise-client-urls",
      `http://127.0.0.1:${ports.etcdClient}`,
      "--listen-peer-urls",
      `http://127.0.0.1:${ports.etcdPeer}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${ports.etcdPeer}`,
      "--initial-cluster",
      `default=http://127.0.0.1:${ports.etcdPeer}`,
    ],
    log("etcd"),
  );
  const apiserver = startProcess(
    "kube-apiserver",
    path.join(bin, "kube-apiserver"),
    [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${ports.apiserver}`,
      `--cert-dir=${path.join(dir, "pki")}`,
      `--token-auth-file=${path.join(dir, "tokens.csv")}`,
      "--authorization-mode=AlwaysAllow",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--endpoint-reconciler-type=none",
      "--enable-priority-and-fairness=false",
    ],
    log("kube-apiserver"),
  );
  const processes = [etcd, apiserver];
  const cluster: KubeCluster = { server, token, kubeconfig, processes };
  await waitFor(
    "kube-apiserver",
    async () => ((await request(cluster, "GET", "/readyz")).status === 200 ? true : undefined),
    120_000,
    500,
    processes,
  );
  processes.push(
    startProcess(
      "kube-controller-manager",
      path.join(bin, "kube-controller-manager"),
      [
        `--kubeconfig=${kubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${ports.controllerManager}`,
        `--service-account-private-key-file=${saKey}`,
        "--use-service-account-credentials=false",
        "--controllers=*,-nodeipam,-cloud-node-lifecycle",
      ],
      log("kube-controller-manager"),
    ),
    startProcess(
      "kube-scheduler",
      path.join(bin, "kube-scheduler"),
      [
        `--kubeconfig=${kubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${ports.scheduler}`,
      ],
      log("kube-scheduler"),
    ),
    startProcess(
      "kwok",
      path.join(bin, "kwok"),
      // The node's lease renewed every few seconds: its heartbeat stage patches the status only every 10-20
      // minutes, and without a lease the node lifecycle controller marks the node (and every pod on it) NotReady
      // 50 s after that, which kwok never turns back, so Deployments would stop being Available mid-run.
      [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stagesFile}`,
        "--manage-all-nodes=true",
        "--node-lease-duration-seconds=40",
      ],
      log("kwok"),
    ),
  );
  await apply(cluster, {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "kwok-node-0",
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": "kwok-node-0", type: "kwok" },
    },
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
      capacity: { cpu: "32", memory: "256Gi", pods: "110" },
    },
  });
  await waitFor(
    "kwok node Ready",
    async () => {
      const node = await get(cluster, "/api/v1/nodes/kwok-node-0");
      const conditions = ((node?.status as Json | undefined)?.conditions ?? []) as Json[];
      return conditions.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined;
    },
    120_000,
    500,
    processes,
  );
  await waitFor(
    "default ServiceAccount",
    async () =>
      (await get(cluster, "/api/v1/namespaces/default/serviceaccounts/default")) ? true : undefined,
    60_000,
    500,
    processes,
  );
  return cluster;
}

/** One HTTPS request to the apiserver (self-signed serving certificate on loopback). */
export function request(
  cluster: Pick<KubeCluster, "server" | "token">,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; body: string }> {
  const url = new URL(urlPath, cluster.server);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        rejectUnauthorized: false,
        headers: {
          authorization: `Bearer ${cluster.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": contentType }),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** GET a path; undefined on 404. */
export async function get(cluster: KubeCluster, urlPath: string): Promise<Json | undefined> {
  const res = await request(cluster, "GET", urlPath);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Json;
}

/** Server-side apply of one object (field manager "e2e"). */
export async function apply(cluster: KubeCluster, object: Json): Promise<void> {
  const urlPath = `${objectPath(object)}?fieldManager=e2e&force=true`;
  const res = await request(cluster, "PATCH", urlPath, object, "application/apply-patch+yaml");
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`apply ${String(object.kind)} ${name(object)}: ${res.status} ${res.body.slice(0, 500)}`);
  }
}

/** The REST path of an object (core and grouped APIs; the plural is the lower-case kind + "s", or given). */
export function objectPath(object: Json, plural?: string): string {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const meta = (object.metadata ?? {}) as Json;
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = meta.namespace ? `/namespaces/${String(meta.namespace)}` : "";
  return `${base}${ns}/${plural ?? pluralOf(kind)}/${String(meta.name)}`;
}

const PLURALS: Record<string, string> = {
  CustomResourceDefinition: "customresourcedefinitions",
  Settings: "settings",
};

export function pluralOf(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}

function name(object: Json): string {
  const meta = (object.metadata ?? {}) as Json;
  return meta.namespace ? `${String(meta.namespace)}/${String(meta.name)}` : String(meta.name);
}

/** Installs every CRD in the YAML files of `dirs` and waits until each is Established. */
export async function installCrds(cluster: KubeCluster, dirs: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .sort()) {
      for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), "utf8"))) {
        const crd = doc.toJS() as Json | null;
        if (!crd || crd.kind !== "CustomResourceDefinition") continue;
        await apply(cluster, crd);
        names.push(String((crd.metadata as Json).name));
      }
    }
  }
  for (const crd of names) {
    await waitFor(
      `CRD ${crd} Established`,
      async () => {
        const live = await get(cluster, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
        const conditions = ((live?.status as Json | undefined)?.conditions ?? []) as Json[];
        return conditions.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
      },
      60_000,
    );
  }
  return names;
}

/** Lists the objects of one resource type in a namespace (or cluster-wide without one). */
export async function list(
  cluster: KubeCluster,
  apiVersion: string,
  plural: string,
  namespace?: string,
): Promise<Json[]> {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${namespace}` : "";
  const result = await get(cluster, `${base}${ns}/${plural}`);
  return ((result?.items ?? []) as Json[]).map((item) => ({ apiVersion, ...item }));
}
