export {
  StationServer,
  type ListeningAddress,
  type ServerExtension,
  type StationServerOptions,
  type TlsOptions,
} from './station-server.js';
export {
  createJsonLogger,
  isLogLevel,
  redact,
  redactText,
  silentLogger,
  type LogLevel,
  type Logger,
  type LoggerOptions,
} from './logger.js';
export { ServerMetrics, type MetricsSources } from './metrics.js';
export { toHttpError, statusOf, RETRY_AFTER_SECONDS } from './http-errors.js';
export type { HttpMethod, JsonSchema, Reply, RequestContext, RouteAccess, RouteDef } from './http-types.js';
export type { ServerContext } from './server-context.js';
export { WsHub, type LiveRunEvents, type RunEventSource, type WsHubOptions } from './ws-hub.js';
export { wsExtension } from './ws-extension.js';
export { apiExtension, LivePools } from './api-extension.js';
export { startStation } from './serve.js';
export { buildOpenApi, type ExtraOperation } from './openapi.js';
export { readPackageVersion } from './version.js';
