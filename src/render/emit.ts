import { stringify } from "yaml";
import { toConsulConfigWrite } from "../consul/configWrite";
import { RenderError } from "./errors";
import type { RecordedResource } from "./recorder";

/** Which system applies a rendered object. */
export enum Layer {
  /** A Kubernetes object (`kubectl apply -f -`). */
  Kubernetes = "kubernetes",
  /** A Consul config entry (`consul config write -`). */
  Consul = "consul",
}

/** One object of the rendered output. */
export interface RenderedObject {
  layer: Layer;
  /** The Pulumi resource that would create it. */
  resource: RecordedResource;
  /** A Kubernetes manifest or a Consul config entry in `consul config write` JSON form. */
  object: Record<string, unknown>;
}

/** What {@link renderObjects} returns: the objects, and the resource types it has no form for. */
export interface RenderedProgram {
  objects: RenderedObject[];
  /** Custom resources of other providers, passed over (types). */
  passedOver: string[];
}

/**
 * Turns recorded registrations into the objects they would create: every Kubernetes object as a manifest and
 * every Consul config entry in `consul config write` form, in registration order. Components and providers
 * are not objects and are left out.
 */
export function renderObjects(resources: readonly RecordedResource[]): RenderedProgram {
  const objects: RenderedObject[] = [];
  const passedOver: string[] = [];
  for (const resource of resources) {
    if (!resource.custom || resource.type.startsWith("pulumi:providers:")) continue;
    if (resource.type.startsWith("kubernetes:")) {
      objects.push({ layer: Layer.Kubernetes, resource, object: kubernetesManifest(resource) });
      continue;
    }
    if (resource.type.startsWith("consul:")) {
      const entry = toConsulConfigWrite(resource.type, resource.inputs);
      if (entry) {
        objects.push({ layer: Layer.Consul, resource, object: entry });
        continue;
      }
    }
    passedOver.push(resource.type);
  }
  return { objects, passedOver };
}

function kubernetesManifest(resource: RecordedResource): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = resource.inputs;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new RenderError(`${resource.type} "${resource.name}" has no apiVersion or kind`);
  }
  const meta = { ...((metadata as Record<string, unknown> | undefined) ?? {}) };
  // Without an explicit name the provider would auto-name from the resource name; show that name.
  if (meta.name === undefined) meta.name = resource.name;
  return { apiVersion, kind, metadata: meta, ...rest };
}

/** A Gloo Edge custom resource (API groups `gloo.solo.io`, `gateway.solo.io`, ...). */
/** Whether a rendered Kubernetes object is a Gateway API object (`gateway.networking.k8s.io`). */
export function isGatewayApiObject(object: Record<string, unknown>): boolean {
  return typeof object.apiVersion === "string" && object.apiVersion.startsWith("gateway.networking.k8s.io/");
}

export function isGlooObject(object: Record<string, unknown>): boolean {
  return typeof object.apiVersion === "string" && /^[a-z.]*solo\.io\//.test(object.apiVersion);
}

/** A multi-document YAML stream, one document per object, Kubernetes objects first. */
export function toYaml(objects: readonly RenderedObject[]): string {
  const ordered = [
    ...objects.filter((o) => o.layer === Layer.Kubernetes),
    ...objects.filter((o) => o.layer === Layer.Consul),
  ];
  return ordered
    .map((o) => {
      const head = o.layer === Layer.Consul ? "# consul config write\n" : "";
      return `---\n${head}${stringify(o.object, { lineWidth: 0 })}`;
    })
    .join("");
}

/** One JSON array of all objects. */
export function toJson(objects: readonly RenderedObject[]): string {
  return `${JSON.stringify(
    objects.map((o) => o.object),
    null,
    2,
  )}\n`;
}
