export * from "./config";
export * from "./release";
export * from "./state";
