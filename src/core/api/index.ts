export { Application, StationApi, type ApplicationOptions } from './application.js';
export { localPrincipal } from './principal.js';
export type { AuditAction } from './context.js';
export type { AgentChange } from './agents-api.js';
export type { StartRunOptions, StartedRun } from './runs-api.js';
export { SyncJobs, syncProgress, type SyncJob, type SyncProgressLine } from './sync-jobs.js';
export type { AgentListItem, ErrorBody, LastRunView, MeView, RunQuery, ServerView, StartedRunView } from './views.js';
