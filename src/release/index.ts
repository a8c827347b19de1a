// The release model: versions, phases, weights and their validation. Pure: no Pulumi import.
export * from "./errors";
export * from "./names";
export * from "./validate";
export * from "./weight";
export * from "./plan";
export * from "./promotion";
