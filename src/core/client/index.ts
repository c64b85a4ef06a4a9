export { ApiClient, type ApiClientOptions } from './api-client.js';
export { ApiError, ServerUnreachableError } from './api-errors.js';
export { RunEventStream, type RunEventStreamOptions, type RunStreamUpdate } from './run-event-stream.js';
