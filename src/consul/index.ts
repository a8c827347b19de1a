export * from "./protocol";
export * from "./duration";
export * from "./entries";
export * from "./rules";
export * from "./trafficSplit";
export * from "./configWrite";
