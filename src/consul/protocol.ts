import { ValidationError } from "../release/errors";

/** The protocol Consul's sidecar proxies speak to a service: the `Protocol` of its service-defaults entry. */
export enum ConsulProtocol {
  /** HTTP/1.1. Allows service-splitters and service-routers. */
  Http = "http",
  /** HTTP/2 (including h2c). Allows service-splitters and service-routers. */
  Http2 = "http2",
  /** gRPC. Allows service-splitters and service-routers. */
  Grpc = "grpc",
  /** Plain TCP. Consul refuses any service-splitter or service-router for the service. */
  Tcp = "tcp",
}

const PROTOCOLS: readonly string[] = Object.values(ConsulProtocol);

/** True for the protocols Consul allows splitting and routing on (`http`, `http2`, `grpc`). */
export function allowsRouting(protocol: ConsulProtocol): boolean {
  return protocol !== ConsulProtocol.Tcp;
}

/** Throws a {@link ValidationError} naming `field` unless `value` is one of {@link ConsulProtocol}'s values. */
export function parseProtocol(field: string, value: unknown, scope?: string): ConsulProtocol {
  if (typeof value !== "string" || !PROTOCOLS.includes(value)) {
    throw new ValidationError(field, value, `one of ${PROTOCOLS.map((p) => `"${p}"`).join(", ")}`, scope);
  }
  return value as ConsulProtocol;
}
