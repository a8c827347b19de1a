export * from "./httproute";
export * from "./gateway";
