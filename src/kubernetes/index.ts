export * from "./workloads";
export * from "./versionedService";
