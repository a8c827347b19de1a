export * from "./release";
export * from "./kubernetes";
export * from "./consul";
export * from "./gloo";
export * from "./canary";
