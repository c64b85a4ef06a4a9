export { Application, StationApi, type ApplicationOptions } from './application.js';
export { localPrincipal } from './principal.js';
export { DoctorApi, localDoctor } from './doctor-api.js';
export type { AuditAction } from './context.js';
export type { AgentChange, AgentShown, RunChoices } from './agents-api.js';
export {
  cancelReason,
  type CancelDoor,
  type DetachOptions,
  type DetachedRun,
  type StartRunOptions,
  type StartedRun,
} from './runs-api.js';
export {
  SyncJobs,
  syncProgress,
  type SyncJob,
  type SyncJobError,
  type SyncJobOptions,
  type SyncProgressLine,
} from './sync-jobs.js';
export type {
  AgentListItem,
  ApiRequests,
  CallToolBody,
  ApiResponses,
  CreateEnvironmentBody,
  ErrorBody,
  HealthView,
  LastRunView,
  MeView,
  OfferingFilter,
  PromptListView,
  ReadyView,
  ReplaceAgentBody,
  ResourceListView,
  RunQuery,
  SetSecretBody,
  ServerView,
  StartRunBody,
  StartSyncBody,
  StartedRunView,
  ToolCallView,
  ToolFilter,
} from './views.js';
export {
  isControlMessage,
  isWsMessageProblem,
  parseWsClientMessage,
  type WsClientMessage,
  type WsControlMessage,
  type WsMessageProblem,
  type WsResume,
  type WsScope,
  type WsServerMessage,
  type WsSubscribeMessage,
  type WsSubscription,
} from './ws-messages.js';
export { AuditApi } from './audit-api.js';
export { auditOriginOf, type AuditOrigin } from './audit-origin.js';
