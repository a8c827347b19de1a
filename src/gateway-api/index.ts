export * from "./validate";
export * from "./httproute";
export * from "./gateway";
