// Consul and Envoy on loopback: a Consul dev agent, real HTTP backends (two instances per service version) each
// behind an Envoy sidecar started by `consul connect envoy`, and a client whose sidecar has the service as an
// upstream on a local port. Requests through that port follow the service's discovery chain (resolver subsets,
// splitter weights, router header rules) exactly as a pod's requests in the mesh would.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { startProcess, stopProcess, waitFor, type Started } from "./processes";

export interface ConsulAgent {
  addr: string;
  bin: string;
  dir: string;
  process: Started;
}

export const CONSUL_HTTP_PORT = 18500;
const CONSUL_GRPC_PORT = 18502;

/** Starts `consul agent -dev` on loopback (HTTP 18500, gRPC 18502, no DNS) and waits for a leader. */
export async function startConsul(dir: string, bin: string): Promise<ConsulAgent> {
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const proc = startProcess(
    "consul",
    path.join(bin, "consul"),
    [
      "agent",
      "-dev",
      "-bind=127.0.0.1",
      "-client=127.0.0.1",
      `-http-port=${CONSUL_HTTP_PORT}`,
      `-grpc-port=${CONSUL_GRPC_PORT}`,
      "-dns-port=-1",
      "-serf-lan-port=18301",
      "-serf-wan-port=18302",
      "-server-port=18300",
      "-log-level=warn",
    ],
    path.join(dir, "logs", "consul.log"),
  );
  const agent: ConsulAgent = { addr: `http://127.0.0.1:${CONSUL_HTTP_PORT}`, bin, dir, process: proc };
  await waitFor(
    "consul leader",
    async () => {
      const res = await httpRequest(`${agent.addr}/v1/status/leader`);
      return res.status === 200 && res.body.length > 4 ? true : undefined;
    },
    60_000,
    250,
    [proc],
  );
  return agent;
}

/** Runs the consul CLI against the agent; resolves with stdout, rejects with stderr. */
export function consulCli(agent: ConsulAgent, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(agent.bin, "consul"),
      args,
      {
        env: {
          ...process.env,
          CONSUL_HTTP_ADDR: agent.addr,
          CONSUL_GRPC_ADDR: `127.0.0.1:${CONSUL_GRPC_PORT}`,
        },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`consul ${args.join(" ")}: ${(stderr || stdout || err.message).trim()}`));
        else resolve(stdout);
      },
    );
  });
}

/** `consul config read` of one entry, or undefined when it does not exist. */
export async function readEntry(
  agent: ConsulAgent,
  kind: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  const res = await httpRequest(`${agent.addr}/v1/config/${kind}/${name}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`read ${kind}/${name}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Every config entry of the given kinds. */
export async function listEntries(agent: ConsulAgent, kinds: string[]): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (const kind of kinds) {
    const res = await httpRequest(`${agent.addr}/v1/config/${kind}`);
    if (res.status !== 200) throw new Error(`list ${kind}: ${res.status} ${res.body}`);
    all.push(...(JSON.parse(res.body) as Record<string, unknown>[]));
  }
  return all;
}

/** A service version's backend instance: a real HTTP server registered in Consul with its Envoy sidecar. */
export interface Instance {
  id: string;
  service: string;
  version: string;
  port: number;
  envoy: Started;
}

/** The client side: a registered service whose Envoy sidecar exposes the release's service on `port`. */
export interface Client {
  id: string;
  port: number;
  adminPort: number;
  envoy: Started;
}

let nextBaseId = 1;

/** Registers a service in the agent (with a sidecar) and starts its Envoy with `consul connect envoy`. */
async function registerWithSidecar(
  agent: ConsulAgent,
  definition: Record<string, unknown>,
  adminPort: number,
): Promise<Started> {
  const res = await httpRequest(`${agent.addr}/v1/agent/service/register`, "PUT", JSON.stringify(definition));
  if (res.status !== 200) throw new Error(`register ${String(definition.ID)}: ${res.status} ${res.body}`);
  const id = String(definition.ID);
  const envoy = startProcess(
    `envoy ${id}`,
    path.join(agent.bin, "consul"),
    [
      "connect",
      "envoy",
      `-sidecar-for=${id}`,
      `-admin-bind=127.0.0.1:${adminPort}`,
      `-http-addr=${agent.addr}`,
      `-grpc-addr=127.0.0.1:${CONSUL_GRPC_PORT}`,
      "-ignore-envoy-compatibility",
      "--",
      "--base-id",
      String(nextBaseId++),
      "-l",
      "warn",
    ],
    path.join(agent.dir, "logs", `envoy-${id}.log`),
    { env: { ...process.env, PATH: `${agent.bin}:${process.env.PATH ?? ""}` } },
  );
  await waitFor(
    `envoy ${id} live`,
    async () => {
      const r = await httpRequest(`http://127.0.0.1:${adminPort}/ready`);
      return r.status === 200 ? true : undefined;
    },
    60_000,
    250,
    [envoy],
  );
  return envoy;
}

/** Registers `count` instances of each version of `service`, answering on consecutive ports from `firstPort`. */
export async function registerInstances(
  agent: ConsulAgent,
  service: string,
  versions: string[],
  count: number,
  firstPort: number,
  firstAdminPort: number,
): Promise<Instance[]> {
  const instances: Instance[] = [];
  let port = firstPort;
  let admin = firstAdminPort;
  for (const version of versions) {
    for (let i = 0; i < count; i++) {
      const id = `${service}-${version}-${i}`;
      const envoy = await registerWithSidecar(
        agent,
        {
          ID: id,
          Name: service,
          Address: "127.0.0.1",
          Port: port,
          Meta: { version },
          Check: { HTTP: `http://127.0.0.1:${port}/health`, Interval: "2s" },
          Connect: { SidecarService: { Port: port + 1000 } },
        },
        admin++,
      );
      instances.push({ id, service, version, port, envoy });
      port++;
    }
  }
  return instances;
}

/** Registers the client service `client` with `service` as an upstream on `port`. */
export async function registerClient(
  agent: ConsulAgent,
  service: string,
  port: number,
  adminPort: number,
): Promise<Client> {
  const id = `client-${service}`;
  const envoy = await registerWithSidecar(
    agent,
    {
      ID: id,
      Name: id,
      Address: "127.0.0.1",
      Port: port + 1,
      Connect: {
        SidecarService: {
          Port: port + 2,
          Proxy: {
            Upstreams: [{ DestinationName: service, LocalBindAddress: "127.0.0.1", LocalBindPort: port }],
          },
        },
      },
    },
    adminPort,
  );
  return { id, port, adminPort, envoy };
}

/** Deregisters instances and a client and stops their Envoys. */
export async function deregister(agent: ConsulAgent, ids: string[], envoys: Started[]): Promise<void> {
  for (const envoy of envoys) await stopProcess(envoy);
  for (const id of ids) {
    await httpRequest(`${agent.addr}/v1/agent/service/deregister/${id}`, "PUT");
  }
}

/** Writes one config entry file with `consul config write`. */
export async function writeEntryFile(agent: ConsulAgent, file: string): Promise<void> {
  await consulCli(agent, ["config", "write", file]);
}

/** Deletes one config entry with `consul config delete`. */
export async function deleteEntry(agent: ConsulAgent, kind: string, name: string): Promise<void> {
  await consulCli(agent, ["config", "delete", "-kind", kind, "-name", name]);
}

/** Writes an entry object to a file and writes it with `consul config write`. */
export async function writeEntry(
  agent: ConsulAgent,
  dir: string,
  entry: Record<string, unknown>,
): Promise<void> {
  const file = path.join(dir, `${String(entry.Kind)}-${String(entry.Name)}.json`);
  writeFileSync(file, JSON.stringify(entry, null, 2));
  await writeEntryFile(agent, file);
}

/** A plain HTTP request on loopback. */
export function httpRequest(
  url: string,
  method = "GET",
  body?: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: timed out`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}
