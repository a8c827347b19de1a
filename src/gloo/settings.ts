import { ValidationError } from "../release/errors";
import { requireDnsLabel } from "../release/names";
import { requireObjectName } from "./refs";
import { GLOO_API_VERSION, type GlooSettings } from "./types";
import { DEFAULT_GATEWAY_NAMESPACE } from "./virtual-service";

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
 * @param scope prefixes error messages, e.g. `GlooSettingsPatch gloo-settings`.
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
