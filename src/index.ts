export * from "./release";
