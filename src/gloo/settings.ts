import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { requireObjectName } from "./refs";
import { GLOO_API_VERSION, type GlooSettings } from "./types";
import { DEFAULT_GATEWAY_NAMESPACE } from "./virtual-service";
import { checkArguments } from "../arguments";
import { claimObjects, objectClaim } from "../claims";

/** Name of the Settings object Gloo's helm chart installs. */
export const DEFAULT_SETTINGS_NAME = "default";
/** Status code of a replaced route when none is given (Gloo's helm default). */
export const DEFAULT_INVALID_ROUTE_RESPONSE_CODE = 404;
/** Body of a replaced route when none is given. */
export const DEFAULT_INVALID_ROUTE_RESPONSE_BODY =
  "Gloo Gateway has invalid configuration. Administrators should run `glooctl check` to find and fix config errors.";
/** Annotation that lets a server-side apply patch take fields over from their current manager. */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/**
 * Arguments of a `GlooSettingsPatch`: Gloo's invalid-route policy, written into the Settings object Gloo already
 * has (the platform patches it and does not own it).
 */
export interface GlooSettingsPatchArgs {
  /**
   * Name of Gloo's Settings object.
   * Defaults to `default`, the one Gloo's helm chart installs.
   */
  name?: string;
  /**
   * Namespace of Gloo's Settings object.
   * Defaults to `gloo-system`.
   */
  namespace?: string;
  /**
   * Answer routes that have errors (e.g. a destination to a missing Upstream) with a fixed response, so that
   * Gloo keeps updating every valid route instead of serving its last good configuration for all of them: one
   * team's mistake then blocks no other team.
   * Defaults to true.
   */
  replaceInvalidRoutes?: boolean;
  /**
   * HTTP status code of that response, 100 to 599.
   * Defaults to 404.
   */
  invalidRouteResponseCode?: number;
  /**
   * Body of that response (not empty).
   * Defaults to "Gloo Gateway has invalid configuration. Administrators should run `glooctl check` to find and fix config errors."
   */
  invalidRouteResponseBody?: string;
  /**
   * Take the fields over from their current manager: Gloo's helm chart writes `invalidConfigPolicy`, so a
   * server-side apply patch conflicts without the `pulumi.com/patchForce: "true"` annotation.
   * Defaults to true.
   */
  force?: boolean;
}

/**
 * Validates `GlooSettingsPatch` arguments and builds the patch: a partial `gloo.solo.io/v1` Settings object
 * carrying `spec.gloo.invalidConfigPolicy` (and the force annotation). Pure. Throws `ValidationError` for a
 * status code outside 100..599 or an empty body.
 *
 * @param scope - prefixes error messages, e.g. `GlooSettingsPatch gloo-settings`.
 */
export function buildGlooSettingsPatch(args: GlooSettingsPatchArgs, scope?: string): GlooSettings {
  const name = requireObjectName("name", args.name ?? DEFAULT_SETTINGS_NAME, scope);
  const namespace = requireDnsLabel("namespace", args.namespace ?? DEFAULT_GATEWAY_NAMESPACE, scope);
  const flag = (field: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") throw new ValidationError(field, value, "true or false", scope);
    return value;
  };
  const replaceInvalidRoutes = flag("replaceInvalidRoutes", args.replaceInvalidRoutes, true);
  const force = flag("force", args.force, true);
  const code = args.invalidRouteResponseCode ?? DEFAULT_INVALID_ROUTE_RESPONSE_CODE;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 100 || code > 599) {
    throw new ValidationError(
      "invalidRouteResponseCode",
      code,
      "an HTTP status code, a whole number from 100 to 599, e.g. 404",
      scope,
    );
  }
  const body = args.invalidRouteResponseBody ?? DEFAULT_INVALID_ROUTE_RESPONSE_BODY;
  if (typeof body !== "string" || body.trim() === "") {
    throw new ValidationError(
      "invalidRouteResponseBody",
      body,
      "a non-empty response body telling callers the route is misconfigured",
      scope,
    );
  }
  return {
    apiVersion: GLOO_API_VERSION,
    kind: "Settings",
    metadata: { name, namespace, ...(force ? { annotations: { [PATCH_FORCE_ANNOTATION]: "true" } } : {}) },
    spec: {
      gloo: {
        invalidConfigPolicy: {
          replaceInvalidRoutes,
          invalidRouteResponseCode: code,
          invalidRouteResponseBody: body,
        },
      },
    },
  };
}

/** Type token of the `GlooSettingsPatch` component. */
export const GLOO_SETTINGS_PATCH_TYPE = "pulumi-canary:index:GlooSettingsPatch";

/**
 * Gloo's invalid-route policy (`spec.gloo.invalidConfigPolicy` of the `default` Settings in `gloo-system`):
 * routes with errors are answered with a fixed status code and body, and every valid route keeps updating, so
 * one team's mistake blocks no other team. Gloo owns the Settings object, so this is a patch
 * (`CustomResourcePatch`, server-side apply) of the policy's fields only; it forces past the helm chart that
 * manages them. Deleting the component takes the patch back: the fields it holds are removed and Gloo falls
 * back to its defaults. Separate from `PlatformGateway` because Settings are per Gloo installation, while a
 * platform may run several gateways.
 */
export class GlooSettingsPatch extends pulumi.ComponentResource {
  /** Name of the patched Settings object. */
  readonly name: string;
  /** Namespace of the patched Settings object. */
  readonly namespace: string;
  /** The patch of Gloo's Settings object (Pulumi name `name`), e.g. for `dependsOn`: resources that need the policy. */
  readonly settings: k8s.apiextensions.CustomResourcePatch;

  constructor(name: string, args: GlooSettingsPatchArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refuse bad arguments, and a second patch of the same Settings, before anything is registered.
    const object = checkArguments(() => {
      const built = buildGlooSettingsPatch(args, `GlooSettingsPatch ${name}`);
      claimObjects(
        `GlooSettingsPatch ${name}`,
        [objectClaim("name", "Settings", built.metadata, "one GlooSettingsPatch per Gloo installation")],
        opts,
      );
      return built;
    });
    super(GLOO_SETTINGS_PATCH_TYPE, name, {}, opts);
    this.settings = new k8s.apiextensions.CustomResourcePatch(
      name,
      { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
      { parent: this },
    );
    this.name = object.metadata.name;
    this.namespace = object.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
