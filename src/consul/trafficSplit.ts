import * as consul from "@pulumi/consul";
import * as pulumi from "@pulumi/pulumi";
import { planRelease, type ReleaseSpec } from "../release/plan";
import {
  buildConsulEntries,
  serviceDefaultsConfigJson,
  type ConsulEntries,
  type ConsulEntryOptions,
} from "./entries";
import { checkArguments } from "../arguments";
import { claimObjects, consulClaims } from "../claims";

/** Type token of {@link ConsulTrafficSplit}. */
export const CONSUL_TRAFFIC_SPLIT_TYPE = "pulumi-canary:index:ConsulTrafficSplit";

/**
 * Arguments of {@link ConsulTrafficSplit}: the release (service, stable and canary version, canary weight,
 * header rule, further versions; see `ReleaseSpec`) and how its Consul entries are written (protocol,
 * timeouts; see `ConsulEntryOptions`).
 */
export interface ConsulTrafficSplitArgs extends ReleaseSpec, ConsulEntryOptions {}

/** The service-defaults and service-resolver of a release: what splits and routes stand on. */
export interface ConsulResolution {
  /**
   * The service-defaults entry (protocol), registered as the provider's generic config entry: the typed
   * `ConfigEntryServiceDefaults` reads back fields it never wrote and would show a change on every preview.
   */
  defaults: consul.ConfigEntry;
  /** The service-resolver entry (one subset per version); depends on `defaults`. */
  resolver: consul.ConfigEntryServiceResolver;
}

/** The service-splitter and service-router of a release. */
export interface ConsulRouting {
  /** The service-splitter entry; absent for protocol `tcp`. Depends on the resolver and the defaults. */
  splitter?: consul.ConfigEntryServiceSplitter;
  /** The service-router entry; present when the release has a header rule. Depends on the resolver and the defaults. */
  router?: consul.ConfigEntryServiceRouter;
}

/** Every resource of a Consul traffic split, with the entries they were registered from. */
export interface ConsulTrafficSplitResources extends ConsulResolution, ConsulRouting {
  /** The validated entries (plain values). */
  entries: ConsulEntries;
}

/**
 * Validates a release and builds its Consul entries. Pure: registers nothing, throws a `ValidationError`
 * (prefixed with `name`) for anything Consul or the provider would refuse.
 */
export function planConsulTrafficSplit(name: string, args: ConsulTrafficSplitArgs): ConsulEntries {
  const plan = planRelease(args, name);
  return buildConsulEntries(plan, args, name);
}

/** Registers the service-defaults entry as a child of `parent` (Pulumi name `name`, Consul name the service). */
export function registerConsulDefaults(
  name: string,
  entries: ConsulEntries,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): consul.ConfigEntry {
  return new consul.ConfigEntry(
    name,
    {
      kind: "service-defaults",
      name: entries.defaults.name,
      configJson: serviceDefaultsConfigJson(entries.defaults),
    },
    pulumi.mergeOptions(opts, { parent }),
  );
}

/** Registers the service-resolver entry as a child of `parent`, after `after` (at least the defaults). */
export function registerConsulResolver(
  name: string,
  entries: ConsulEntries,
  after: pulumi.Resource[],
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): consul.ConfigEntryServiceResolver {
  return new consul.ConfigEntryServiceResolver(
    name,
    entries.resolver,
    pulumi.mergeOptions(opts, { parent, dependsOn: after }),
  );
}

/**
 * Registers the service-defaults, then the service-resolver (depending on the defaults), as children of `parent`.
 * Pulumi resource names are `name`; each entry's Consul `name` is the service.
 */
export function registerConsulResolution(
  name: string,
  entries: ConsulEntries,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): ConsulResolution {
  const defaults = registerConsulDefaults(name, entries, parent, opts);
  const resolver = registerConsulResolver(name, entries, [defaults], parent, opts);
  return { defaults, resolver };
}

/**
 * Registers the service-splitter and service-router (when the entries have them) as children of `parent`, each
 * depending on `after` (the resolver and the defaults, as a rule), so the engine writes them after the subsets
 * they name exist and deletes them before those subsets go. Give `opts.dependsOn` to make them wait for more (e.g.
 * the Deployments of the versions they send traffic to).
 */
export function registerConsulRouting(
  name: string,
  entries: ConsulEntries,
  after: pulumi.Resource[],
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): ConsulRouting {
  const options = pulumi.mergeOptions(opts, { parent, dependsOn: after });
  const routing: ConsulRouting = {};
  if (entries.splitter)
    routing.splitter = new consul.ConfigEntryServiceSplitter(name, entries.splitter, options);
  if (entries.router) routing.router = new consul.ConfigEntryServiceRouter(name, entries.router, options);
  return routing;
}

/** Registers all entries of a traffic split ({@link registerConsulResolution}, then {@link registerConsulRouting}). */
export function registerConsulEntries(
  name: string,
  entries: ConsulEntries,
  parent: pulumi.Resource,
  opts?: pulumi.CustomResourceOptions,
): ConsulTrafficSplitResources {
  const resolution = registerConsulResolution(name, entries, parent, opts);
  const after = [resolution.resolver, resolution.defaults];
  return { entries, ...resolution, ...registerConsulRouting(name, entries, after, parent, opts) };
}

/**
 * A release's traffic split in Consul's service mesh: a service-defaults entry (L7 protocol), a service-resolver
 * with one subset per running version (instances told apart by the `version` service meta that
 * `VersionedService` puts on its pods), a service-splitter with the release's weights and, for a header rule, a
 * service-router sending matching requests to the canary.
 *
 * Everything is validated before anything is registered. The engine writes defaults, then the resolver, then
 * the splitter and router, and deletes in the reverse order. A `dependsOn` given to the component also applies
 * to each entry, e.g. to wait for the Deployments the split sends traffic to.
 *
 * Removing a version removes its subset in the same update that moves traffic off it, and Consul checks the
 * whole graph on every write: the resolver (written first) may not drop a subset the current splitter or router
 * still names. Move traffic off a version first (weight 0 without header rule, or 100 before finalizing), then
 * remove it in a later update.
 */
export class ConsulTrafficSplit extends pulumi.ComponentResource {
  /** The service-defaults entry. */
  public readonly defaults: consul.ConfigEntry;
  /** The service-resolver entry. */
  public readonly resolver: consul.ConfigEntryServiceResolver;
  /** The service-splitter entry; absent for protocol `tcp`. */
  public readonly splitter: consul.ConfigEntryServiceSplitter | undefined;
  /** The service-router entry; present when the release has a header rule. */
  public readonly router: consul.ConfigEntryServiceRouter | undefined;

  constructor(name: string, args: ConsulTrafficSplitArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before the component itself is registered: a refused release registers nothing.
    const entries = checkArguments(() => {
      const planned = planConsulTrafficSplit(name, args);
      claimObjects(
        `ConsulTrafficSplit ${name}`,
        consulClaims("service", planned, "one traffic split per Consul service"),
        opts,
      );
      return planned;
    });
    super(CONSUL_TRAFFIC_SPLIT_TYPE, name, {}, opts);
    const created = registerConsulEntries(
      name,
      entries,
      this,
      opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : undefined,
    );
    this.defaults = created.defaults;
    this.resolver = created.resolver;
    this.splitter = created.splitter;
    this.router = created.router;
    this.registerOutputs({
      defaults: this.defaults,
      resolver: this.resolver,
      splitter: this.splitter,
      router: this.router,
    });
  }
}
