export * from "./errors";
export * from "./names";
export * from "./weight";
export * from "./plan";
export * from "./delegation";
