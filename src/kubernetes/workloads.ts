import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../release/errors";
import { DNS_LABEL_MAX, isDnsLabel, requireDnsLabel, requireNonEmpty } from "../release/names";
import { isPending, PendingInputs, type PendingInput } from "../release/pending";
import { requirePort } from "../release/validate";

/** The consul-k8s pod annotations this package sets. */
export const CONSUL_ANNOTATIONS = {
  /** Injects the Consul sidecar proxy. */
  connectInject: "consul.hashicorp.com/connect-inject",
  /** Upstreams the sidecar exposes on localhost, e.g. `currency:9091`. */
  upstreams: "consul.hashicorp.com/connect-service-upstreams",
  /** The `version` service meta the service-resolver's subset filters match. */
  metaVersion: "consul.hashicorp.com/service-meta-version",
  /** Service tags: the version first, then any extra tags. */
  tags: "consul.hashicorp.com/service-tags",
} as const;

/** Name of the container port, which the Service targets by name so versions may listen on different ports. */
export const PORT_NAME = "http";

/** CPU / memory requests and limits of a version's container, e.g. `{ requests: { cpu: "100m", memory: "64Mi" } }`. */
export interface ContainerResources {
  /** Resources the scheduler reserves. Defaults to none. */
  requests?: { [name: string]: string };
  /** Resources the container may not exceed. Defaults to none. */
  limits?: { [name: string]: string };
}

/** One version of a service: its Deployment's settings. */
export interface VersionWorkloadArgs {
  /** Version name, a DNS label such as `v2` or `green`: the `version` label, Consul subset and Deployment suffix. */
  version: string;
  /**
   * Container image, e.g. a build resource's image digest (an output is checked once it resolves). Defaults to the
   * service-wide `image`.
   */
  image?: pulumi.Input<string>;
  /** Pod replicas. Defaults to 1. */
  replicas?: number;
  /** Container port. Defaults to the service-wide `port`. */
  port?: number;
  /** Environment variables of the container, by name. Defaults to none. */
  env?: { [name: string]: pulumi.Input<string> };
  /** CPU / memory requests and limits. Defaults to none. */
  resources?: ContainerResources;
  /** Consul service tags besides the version (which is always the first tag). Defaults to none. */
  tags?: string[];
  /** Consul upstreams (`service:port`). Defaults to the service-wide `upstreams`. */
  upstreams?: string[];
}

/** Settings of every version's pods and container, shared by `VersionedService` and `CanaryRelease`. */
export interface PodSettings {
  /**
   * Labels on the pods only, e.g. for a network policy (not `app` or `version`); values may be outputs, checked once
   * they resolve. Defaults to none.
   */
  podLabels?: { [key: string]: pulumi.Input<string> };
  /**
   * Annotations on the pods, e.g. for a metrics scraper (not Consul's, which this package sets); values may be
   * outputs, checked once they resolve. Defaults to none.
   */
  podAnnotations?: { [key: string]: pulumi.Input<string> };
  /** Service account the pods run as. Defaults to the namespace's `default`. */
  serviceAccountName?: pulumi.Input<string>;
  /**
   * Environment variables of every version's container whose value comes from a source, by variable name: a map of
   * name to Kubernetes `valueFrom` (`secretKeyRef`, `configMapKeyRef`, `fieldRef` or `resourceFieldRef`), e.g.
   * `{ DB_PASSWORD: { secretKeyRef: { name: "db", key: "password" } } }`. A name may not be in `env`
   * too. Defaults to none.
   */
  envValueFrom?: { [name: string]: pulumi.Input<k8s.types.input.core.v1.EnvVarSource> };
  /** Liveness probe of every version's container, e.g. an `httpGet` on `/health`. Defaults to none. */
  livenessProbe?: k8s.types.input.core.v1.Probe;
  /** Readiness probe of every version's container: a pod takes traffic once it passes. Defaults to none. */
  readinessProbe?: k8s.types.input.core.v1.Probe;
  /** Security context of every version's container, e.g. `{ runAsNonRoot: true }`. Defaults to none. */
  securityContext?: k8s.types.input.core.v1.SecurityContext;
  /** Security context of every version's pods, e.g. `{ fsGroup: 2000 }`. Defaults to none. */
  podSecurityContext?: k8s.types.input.core.v1.PodSecurityContext;
}

/** Arguments of `VersionedService`: one service, the versions it runs. */
export interface VersionedServiceArgs extends PodSettings {
  /** Service name, a DNS label starting with a letter: the Kubernetes Service, the `app` label, the Consul service. */
  service: string;
  /**
   * Kubernetes namespace of the Deployments and the Service, e.g. a Namespace resource's `metadata.name` (an output
   * is checked once it resolves). Defaults to `"default"`.
   */
  namespace?: pulumi.Input<string>;
  /**
   * Container image of versions that name none (an output is checked once it resolves). Defaults to none (then
   * every version must name one).
   */
  image?: pulumi.Input<string>;
  /** Container port of versions that name none. Defaults to none (then every version must name one). */
  port?: number;
  /** Port the Service exposes. Defaults to `port`, or to the versions' container port when they all share one. */
  servicePort?: number;
  /** The versions to run; one Deployment each. */
  versions: VersionWorkloadArgs[];
  /** Consul upstreams (`service:port`, e.g. `currency:9091`) of versions that name none. Defaults to none. */
  upstreams?: string[];
  /** Inject Consul's sidecar and set the Consul annotations on the pods. Defaults to `true`. */
  consulInject?: boolean;
  /**
   * Extra labels on the Deployments, pods and Service (not `app` or `version`); values may be outputs, checked once
   * they resolve. Defaults to none.
   */
  labels?: { [key: string]: pulumi.Input<string> };
}

/** A validated version with every default applied. */
export interface VersionWorkloadPlan {
  /** The version. */
  version: string;
  /** Kubernetes name of its Deployment: `<service>-<version>`. */
  deploymentName: string;
  /** The Deployment's arguments. */
  deployment: k8s.apps.v1.DeploymentArgs;
}

/** What `VersionedService` registers, as plain arguments. */
export interface VersionedServicePlan {
  /** The service name. */
  service: string;
  /** One Deployment per version, in the order given. */
  versions: VersionWorkloadPlan[];
  /** The Service spanning every version. */
  serviceArgs: k8s.core.v1.ServiceArgs;
  /**
   * The arguments that were outputs (namespace, images, label and annotation values): `versions` and `serviceArgs`
   * hold a placeholder for each, which `registerVersionedService` swaps for the value, checked, once it resolves.
   */
  pending: PendingInput[];
}

const SERVICE_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const ENV_NAME_TEXT =
  "environment variable names of letters, digits, '_', '-' and '.', not starting with a digit";
/** The fields of a Kubernetes `EnvVarSource`, exactly one of which a source sets. */
const ENV_SOURCES = ["configMapKeyRef", "fieldRef", "fileKeyRef", "resourceFieldRef", "secretKeyRef"];
const UPSTREAM = /^[A-Za-z0-9_.-]+:(\d{1,5})(:[A-Za-z0-9_-]+)?$/;
const TAG = /^[^,\s]+$/;
const IMAGE_TEXT = 'a container image such as "nginx:1.27"';
const VERSION_IMAGE_TEXT =
  'a container image such as "nicholasjackson/broken-service:v3.0.0" (or a service-wide image)';

function requireUpstreams(field: string, value: string[], scope?: string): string[] {
  value.forEach((upstream, i) => {
    const match = typeof upstream === "string" ? UPSTREAM.exec(upstream) : null;
    const port = match ? Number(match[1]) : 0;
    if (match === null || port < 1 || port > 65535) {
      throw new ValidationError(
        `${field}[${i}]`,
        upstream,
        'a Consul upstream "<service>:<local port>" (optionally ":<datacenter>"), e.g. "currency:9091"',
        scope,
      );
    }
  });
  return value;
}

/**
 * The consul-k8s annotations of a version's pods: sidecar injection, the `version` service meta (what the
 * resolver's subset filter matches), the tags (version first) and, when there are any, the upstreams.
 */
export function consulPodAnnotations(
  version: string,
  tags: readonly string[] = [],
  upstreams: readonly string[] = [],
): Record<string, string> {
  return {
    [CONSUL_ANNOTATIONS.connectInject]: "true",
    [CONSUL_ANNOTATIONS.metaVersion]: version,
    [CONSUL_ANNOTATIONS.tags]: [version, ...tags].join(","),
    ...(upstreams.length > 0 ? { [CONSUL_ANNOTATIONS.upstreams]: upstreams.join(",") } : {}),
  };
}

/**
 * Validates a service's versions and builds the arguments of its Deployments and Service. Pure: no resources.
 * Throws a {@link ValidationError} (prefixed with `scope`) naming the field, the value and what is accepted.
 */
export function planVersionedService(args: VersionedServiceArgs, scope?: string): VersionedServicePlan {
  const service = requireDnsLabel("service", args.service, scope);
  if (!SERVICE_NAME.test(service)) {
    throw new ValidationError(
      "service",
      service,
      "a name starting with a letter (Kubernetes Service names are DNS-1035 labels)",
      scope,
    );
  }
  // Plain values are checked here; outputs of other resources when they resolve (the plan holds placeholders).
  const pending = new PendingInputs();
  const namespace = pending.string("namespace", args.namespace ?? "default", (v) =>
    requireDnsLabel("namespace", v, scope),
  );
  const serviceImage =
    args.image === undefined
      ? undefined
      : pending.string("image", args.image, (v) => requireNonEmpty("image", v, IMAGE_TEXT, scope));
  if (args.port !== undefined) requirePort("port", args.port, "the container port", scope);
  const upstreams = requireUpstreams("upstreams", args.upstreams ?? [], scope);
  const inject = args.consulInject ?? true;

  const labels = requireExtraLabels(pending, "labels", args.labels, scope);
  const podLabels = requireExtraLabels(pending, "podLabels", args.podLabels, scope);
  const podAnnotations: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(args.podAnnotations ?? {})) {
    if (inject && Object.values(CONSUL_ANNOTATIONS).includes(key as never)) {
      throw new ValidationError(
        `podAnnotations.${key}`,
        isPending(value) ? "(an output)" : value,
        "no Consul annotation: this package sets them (consulInject, upstreams, tags)",
        scope,
      );
    }
    podAnnotations[key] = pending.string(`podAnnotations.${key}`, value, (v) =>
      requireString(`podAnnotations.${key}`, v, "a string annotation value", scope),
    );
  }

  const envValueFrom = requireEnvSources("envValueFrom", args.envValueFrom, scope);
  const sources = Object.entries(envValueFrom);

  if (!Array.isArray(args.versions) || args.versions.length === 0) {
    throw new ValidationError("versions", args.versions, "at least one version", scope);
  }
  const seen = new Map<string, number>();
  const versions = args.versions.map((v, i): VersionWorkloadPlan & { port: number } => {
    const field = `versions[${i}]`;
    const version = requireDnsLabel(`${field}.version`, v.version, scope);
    const earlier = seen.get(version);
    if (earlier !== undefined) {
      throw new ValidationError(
        `${field}.version`,
        version,
        `a version not already listed (versions[${earlier}])`,
        scope,
      );
    }
    seen.set(version, i);
    const deploymentName = `${service}-${version}`;
    if (!isDnsLabel(deploymentName)) {
      throw new ValidationError(
        `${field}.version`,
        version,
        `a version short enough that "${deploymentName}" fits in ${DNS_LABEL_MAX} characters`,
        scope,
      );
    }
    const image =
      v.image === undefined
        ? requireNonEmpty(`${field}.image`, serviceImage, VERSION_IMAGE_TEXT, scope)
        : pending.string(`${field}.image`, v.image, (value) =>
            requireNonEmpty(`${field}.image`, value, VERSION_IMAGE_TEXT, scope),
          );
    const port = requirePort(`${field}.port`, v.port ?? args.port, "the container port", scope);
    const replicas = v.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new ValidationError(`${field}.replicas`, replicas, "a whole number of at least 0", scope);
    }
    const env = Object.entries(requireEnv(`${field}.env`, v.env, envValueFrom, scope));
    const tags = v.tags ?? [];
    tags.forEach((tag, j) => {
      if (typeof tag !== "string" || !TAG.test(tag)) {
        throw new ValidationError(`${field}.tags[${j}]`, tag, "a tag without commas or spaces", scope);
      }
    });
    const versionUpstreams =
      v.upstreams !== undefined ? requireUpstreams(`${field}.upstreams`, v.upstreams, scope) : upstreams;

    const selector = { app: service, version };
    const container: k8s.types.input.core.v1.Container = {
      name: service,
      image,
      ports: [{ name: PORT_NAME, containerPort: port }],
      ...(env.length > 0 || sources.length > 0
        ? {
            env: [
              ...env.map(([name, value]) => ({ name, value })),
              ...sources.map(([name, valueFrom]) => ({ name, valueFrom })),
            ],
          }
        : {}),
      ...(v.resources !== undefined ? { resources: { ...v.resources } } : {}),
      ...(args.livenessProbe !== undefined ? { livenessProbe: args.livenessProbe } : {}),
      ...(args.readinessProbe !== undefined ? { readinessProbe: args.readinessProbe } : {}),
      ...(args.securityContext !== undefined ? { securityContext: args.securityContext } : {}),
    };
    const annotations = {
      ...podAnnotations,
      ...(inject ? consulPodAnnotations(version, tags, versionUpstreams) : {}),
    };
    const deployment: k8s.apps.v1.DeploymentArgs = {
      metadata: { name: deploymentName, namespace, labels: { ...labels, ...selector } },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...labels, ...podLabels, ...selector },
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          },
          spec: {
            ...(args.serviceAccountName !== undefined ? { serviceAccountName: args.serviceAccountName } : {}),
            ...(args.podSecurityContext !== undefined ? { securityContext: args.podSecurityContext } : {}),
            containers: [container],
          },
        },
      },
    };
    return { version, deploymentName, deployment, port };
  });

  let servicePort = args.servicePort ?? args.port;
  if (servicePort === undefined) {
    const ports = new Set(versions.map((v) => v.port));
    if (ports.size === 1) servicePort = versions[0].port;
  }
  requirePortFor(servicePort, scope);

  return {
    service,
    versions: versions.map(({ version, deploymentName, deployment }) => ({
      version,
      deploymentName,
      deployment,
    })),
    serviceArgs: {
      metadata: { name: service, namespace, labels: { ...labels, app: service } },
      spec: {
        selector: { app: service },
        ports: [{ name: PORT_NAME, port: servicePort, targetPort: PORT_NAME, protocol: "TCP" }],
      },
    },
    pending: pending.list,
  };
}

/**
 * Checks environment variable names: letters, digits, `_`, `-` and `.`, not starting with a digit, and none also in
 * `sources` (the variables taken from `envValueFrom`). Returns `env`.
 */
export function requireEnv(
  field: string,
  env: { [name: string]: pulumi.Input<string> } | undefined,
  sources: { readonly [name: string]: unknown },
  scope?: string,
): { [name: string]: pulumi.Input<string> } {
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_NAME.test(name)) throw new ValidationError(field, name, ENV_NAME_TEXT, scope);
    if (Object.hasOwn(sources, name)) {
      throw new ValidationError(
        field,
        name,
        `a name not also in envValueFrom: ${name} is in ${field} and envValueFrom (a variable takes its value from env or its source from envValueFrom, not both)`,
        scope,
      );
    }
  }
  return env ?? {};
}

/**
 * Checks environment variable sources, by variable name: names as `env` takes them, and each plain source a
 * Kubernetes `EnvVarSource` setting exactly one of its fields (a source that is an output is left to Kubernetes).
 * Returns them.
 */
export function requireEnvSources(
  field: string,
  given: { [name: string]: pulumi.Input<k8s.types.input.core.v1.EnvVarSource> } | undefined,
  scope?: string,
): { [name: string]: pulumi.Input<k8s.types.input.core.v1.EnvVarSource> } {
  if (given === undefined) return {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new ValidationError(field, given, "a map of environment variable name to source", scope);
  }
  for (const [name, source] of Object.entries(given)) {
    if (!ENV_NAME.test(name)) throw new ValidationError(field, name, ENV_NAME_TEXT, scope);
    if (isPending(source)) continue;
    const set =
      typeof source === "object" && source !== null && !Array.isArray(source)
        ? Object.entries(source).filter(([, v]) => v !== undefined)
        : undefined;
    if (set === undefined || set.length !== 1 || !ENV_SOURCES.includes(set[0][0])) {
      throw new ValidationError(
        `${field}.${name}`,
        source,
        `a Kubernetes env var source setting exactly one of ${ENV_SOURCES.join(", ")}, e.g. { secretKeyRef: { name: "db", key: "password" } }`,
        scope,
      );
    }
  }
  return given;
}

/** Throws a {@link ValidationError} unless `value` is a string; returns it. */
function requireString(field: string, value: unknown, accepted: string, scope?: string): string {
  if (typeof value !== "string") throw new ValidationError(field, value, accepted, scope);
  return value;
}

/**
 * Checks extra labels: string values, and not `app` or `version`, which the package sets. A value that is an
 * output is recorded in `pending` and checked once it resolves; the labels returned hold its placeholder.
 */
function requireExtraLabels(
  pending: PendingInputs,
  field: string,
  given: { [key: string]: pulumi.Input<string> } | undefined,
  scope?: string,
): { [key: string]: string } {
  const labels: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(given ?? {})) {
    if (key === "app" || key === "version") {
      throw new ValidationError(
        `${field}.${key}`,
        isPending(value) ? "(an output)" : value,
        `no "${key}" label: it is set from the service and versions`,
        scope,
      );
    }
    labels[key] = pending.string(`${field}.${key}`, value, (v) =>
      requireString(`${field}.${key}`, v, "a string label value", scope),
    );
  }
  return labels;
}

function requirePortFor(servicePort: number | undefined, scope?: string): asserts servicePort is number {
  if (servicePort === undefined) {
    throw new ValidationError(
      "servicePort",
      servicePort,
      "a port for the Service (the versions listen on different container ports, so it cannot be derived)",
      scope,
    );
  }
  requirePort("servicePort", servicePort, "the Service port", scope);
}
