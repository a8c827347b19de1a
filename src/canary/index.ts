export * from "./config";
export * from "./release";
