import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planVersionedService, type VersionedServiceArgs, type VersionedServicePlan } from "./workloads";
import { checkArguments, withResolvedInputs } from "../arguments";
import type { PendingInput } from "../release/pending";
import { claimObjects, workloadClaims } from "../claims";

/** Type token of {@link VersionedService}. */
export const VERSIONED_SERVICE_TYPE = "pulumi-canary:index:VersionedService";

/** The Kubernetes objects of a versioned service. */
export interface VersionedServiceResources {
  /** One Deployment per version, by version. */
  deployments: { [version: string]: k8s.apps.v1.Deployment };
  /** The Service spanning every version. */
  service: k8s.core.v1.Service;
  /** What was registered, as plain arguments. */
  plan: VersionedServicePlan;
}

/**
 * Registers the Deployments (Pulumi names `<name>-<version>`) and the Service (Pulumi name `<name>`) of a validated
 * plan as children of `parent`. The plan's placeholders (its own `pending`, and those of `pending` a caller's plan
 * put in its arguments) are swapped for their values, checked, once they resolve.
 */
export function registerVersionedService(
  name: string,
  plan: VersionedServicePlan,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
  pending: readonly PendingInput[] = [],
): VersionedServiceResources {
  const options = pulumi.mergeOptions(opts, { parent });
  const inputs = [...new Set([...plan.pending, ...pending])];
  const deployments: { [version: string]: k8s.apps.v1.Deployment } = {};
  for (const v of plan.versions) {
    deployments[v.version] = new k8s.apps.v1.Deployment(
      `${name}-${v.version}`,
      withResolvedInputs(v.deployment, inputs),
      options,
    );
  }
  const service = new k8s.core.v1.Service(name, withResolvedInputs(plan.serviceArgs, inputs), options);
  return { deployments, service, plan };
}

/**
 * The Kubernetes workloads behind one service: a Deployment per version (Kubernetes name `<service>-<version>`,
 * labels `app=<service>` and `version=<version>`, Consul sidecar annotations with the version as service meta
 * and first tag) and one Service named `<service>` selecting `app=<service>` only, so every version registers in
 * Consul as the same service and the Consul service-resolver tells the versions apart.
 *
 * A version removed from `versions` is deleted at the end of the update: Pulumi deletes removed resources only
 * after every create and update, so the routes and splits that moved traffic off the version (updated in the same
 * run, and made to depend on `deployments`) no longer reference it when its Deployment goes. A `dependsOn` given
 * to the component also applies to each Deployment and the Service.
 */
export class VersionedService extends pulumi.ComponentResource {
  /** One Deployment per version, by version. */
  public readonly deployments: { [version: string]: k8s.apps.v1.Deployment };
  /** The Service spanning every version. */
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: VersionedServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before the component itself is registered: refused arguments register nothing.
    const plan = checkArguments(() => {
      const planned = planVersionedService(args, name);
      claimObjects(
        `VersionedService ${name}`,
        workloadClaims("service", planned, "one VersionedService per service and namespace"),
        opts,
      );
      return planned;
    });
    super(VERSIONED_SERVICE_TYPE, name, {}, opts);
    const created = registerVersionedService(
      name,
      plan,
      this,
      opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : undefined,
    );
    this.deployments = created.deployments;
    this.service = created.service;
    this.registerOutputs({ deployments: this.deployments, service: this.service });
  }
}
