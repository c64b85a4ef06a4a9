// The public facade of the core. Commands, the TUI and the server import from here only.
export { openEngine, type Engine, type EngineOptions } from './engine.js';
export { initStation, type InitOptions, type InitResult } from './init.js';
export {
  checkLitestreamUrl,
  litestreamConfigYaml,
  LITESTREAM_RETENTION,
  LITESTREAM_SYNC_INTERVAL,
} from './config/litestream.js';
export { resolveStationHome, stationPaths, type StationPaths } from './config/home.js';
export {
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_YAML,
  loadStationConfig,
  parseStationConfig,
  readStationConfig,
  type StationConfig,
} from './config/station-config.js';
export {
  migrateConfigFile,
  migrateConfigText,
  type ConfigMigration,
  type OriginalKeyNotice,
} from './config/original-config.js';
export { checkKeys, closestKey, type KeySpec, type KeyWarning } from './config/unknown-keys.js';
export { loadVariables, parseVariables, type Variables } from './config/variables-file.js';
export {
  EnvironmentService,
  type EnvironmentDetail,
  type EnvironmentSummary,
} from './environments/environment-service.js';
export { variableStatus, type VariableSource, type VariableStatus } from './config/variable-status.js';
export { validateEnvironmentName } from './environments/names.js';
export {
  AuthError,
  PortInUseError,
  ConfigError,
  ConflictError,
  DatabaseError,
  ExitCode,
  FileFormatError,
  McpError,
  ModelError,
  NotFoundError,
  StationError,
  UsageError,
  ValidationError,
  errorMessage,
  isExitCode,
  isStationError,
  type ExitCodeValue,
  type FieldIssue,
  type FilePosition,
} from './errors.js';
export { writeFileAtomic } from './fs/atomic-write.js';
export { makePrivateDir, privacyWarnings, type PrivacyWarning } from './fs/private-files.js';
export { openDatabase, schemaVersion, type Db } from './store/database.js';
export {
  importOriginalRuns,
  isOriginalDatabaseFile,
  moveOriginalDatabaseAside,
  originalAsidePath,
  type OriginalImportResult,
} from './store/original-import.js';
export {
  AuditLog,
  DEFAULT_ROTATE_GRACE,
  auditHash,
  type AuditDoor,
  type AuditFilters,
  type AuditRecord,
  type AuditVerifyReport,
  type RotatedKey,
  KeyService,
  ROLES,
  allows,
  authorize,
  bearerToken,
  canSeeEnvironment,
  isRole,
  maskKey,
  type Action,
  type ApiKeyInfo,
  type CreateKeyOptions,
  type CreatedKey,
  type ImportKeyOptions,
  type ImportedKey,
  KEY_RECIPE,
  type Principal,
  type Role,
  EncryptionKeyError,
  KEY_ENV,
  NEW_KEY_ENV,
  MAX_SECRET_BYTES,
  SecretService,
  SecretUnreadableError,
  validateSecretName,
  type SecretImportResult,
  type RotateKeyResult,
  type SecretInfo,
  type SecretScope,
  type SetSecretResult,
  databaseEncrypted,
  decryptDatabase,
  encryptDatabase,
  type DatabaseEncryptionResult,
} from './security/index.js';
export {
  checkAgentTemplate,
  coerceInputValues,
  InputValidatorCache,
  createPromptRenderer,
  parseAgentFile,
  readAgentFile,
  picoschemaToJsonSchema,
  renderAgent,
  serializeAgent,
  toChatMessages,
  validateAgentInput,
  chooseOutput,
  type OutputChoice,
  type OutputReason,
  type AgentConfig,
  type AgentDefinition,
  type ChatMessage,
  type JsonSchemaObject,
} from './prompt/index.js';
export {
  MODEL_REASONS,
  chooseModel,
  type ModelChoice,
  type ModelChoiceConfig,
  type ModelReason,
} from './model/choose-model.js';
export {
  AgentService,
  agentFileName,
  fieldText,
  inputFields,
  parseInputFieldSpec,
  readInput,
  validateAgentName,
  type AgentCheck,
  type AgentDraft,
  type AgentPatch,
  type AgentProblem,
  type AgentSource,
  type AgentSummary,
  type AgentValidationReport,
  type ImportResult,
  type IndexResult,
  type InputField,
  type InputKind,
} from './agents/index.js';
export { serveStation, type RunningStation, type ServeOptions } from './server/launch.js';
export { serveStdio, type StdioOptions, type StdioSession } from './mcp-server/launch.js';
export {
  createLogger,
  logLevelAllows,
  redactText,
  resolveLogSettings,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type LogSettings,
  type Logger,
} from './server/logger.js';
export { logRunEvents, runLogLine } from './runner/run-log.js';
export {
  McpConfigError,
  discoverMcpConfigs,
  loadMcpConfig,
  readMcpServerTemplates,
  serverConfigHash,
  type ConfigIssue,
  type HttpServerConfig,
  type LoadedMcpConfig,
  type McpServerConfig,
  type McpTransportKind,
  type StdioServerConfig,
} from './config/mcp-config.js';
export {
  parseAssignments,
  resolveVariables,
  saveVariables,
  loadVariablesSchema,
  type VariablesSchema,
} from './config/mcp-config-variables.js';
export { MissingVariablesError, isSecretName, type MissingVariable } from './config/template-render.js';
export {
  answersFor,
  missingVariableView,
  saveVariableAnswers,
  type MissingVariableView,
} from './config/variable-answers.js';
export type { AddServerInput, ConfigEditResult } from './config/mcp-config-edit.js';
export {
  McpService,
  type CheckReport,
  type CheckServerReport,
  type McpServerSummary,
  type McpToolSummary,
  type OfferingOptions,
} from './mcp/mcp-service.js';
export type {
  OfferStatus,
  PromptArgumentInfo,
  PromptInfo,
  PromptListing,
  RawToolResult,
  ResourceContents,
  ResourceInfo,
  ResourceListing,
  ResourceReadReport,
  ResourceTemplateInfo,
  ServerPrompts,
  ServerResources,
  ToolCallReport,
} from './mcp/offerings.js';
// The pool pulls in the MCP SDK: types only here (engine.mcp() loads it when a server is started).
export type { DiscoveredTool, McpPool, McpPoolOptions, ToolCallOptions, ToolCallResult } from './mcp/pool.js';
export type { PoolEvent, ServerState, ServerStatus } from './mcp/server-connection.js';
export {
  MODEL_TOOL_NAME,
  modelToolName,
  qualifiedToolName,
  resolveToolReference,
  type KnownTool,
  type ToolResolution,
} from './mcp/tool-names.js';
export {
  syncFailure,
  type AgentCatalog,
  type AgentToolCheck,
  type SyncEnvironmentReport,
  type SyncEvent,
  type SyncOptions,
  type SyncReport,
  type SyncServerReport,
} from './sync/sync-service.js';
export type { SyncPlan } from './sync/sync-plan.js';
export {
  EventBus,
  FINAL_STATUSES,
  RUN_EVENT_TYPES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type RunTrigger,
  isFinalStatus,
  displayStatus,
  type RunDisplayStatus,
  isRunEventType,
  type EventModelChoice,
  type RunEvent,
  type RunEventData,
  type RunEventListener,
  type RunEventOf,
  type RunEventType,
  type RunStatus,
  type StopReason,
  type TokenCounts,
  RUN_ROW_EVENT_TYPES,
  changesRunRow,
} from './events/index.js';
export { RunService, type CancelOutcome, type RunDetail, type RunSummary } from './runner/run-service.js';
export { QueueFullError, RunAbort, runExitCode, type RunResult } from './runner/run-errors.js';
// The runner pulls in openai, ajv and the prompt renderer: types only here (engine.runner() loads it).
export type { PreparedRun, RunHandle, RunRequest, Runner, SubmitOptions } from './runner/runner.js';
export type { RunFilter } from './store/run-repo.js';
export {
  parseDuration,
  parseJsonObjectFlag,
  parseRunInput,
  parseVars,
  type JsonObjectFlag,
  type RunInputSources,
} from './runner/run-input.js';
export { parseSince } from './runner/run-since.js';
export { liveServer, readServerRecord, writeServerRecord, type ServerRecord } from './runner/server-record.js';
export type { WorkerOptions } from './runner/detached-worker.js';
// Run events of every process on the Station home, merged with this process's bus (the TUI, `stn serve`).
export { RunFeed, type RunFeedBus, type RunFeedListener, type RunFeedOptions } from './runner/run-feed.js';
export { followRun, type FollowOptions, type FollowSource, type RunFollow } from './runner/run-follower.js';
// The application layer: what every door calls (authorize -> service -> audit).
export {
  Application,
  AuditApi,
  DoctorApi,
  type AuditOrigin,
  StationApi,
  localDoctor,
  isControlMessage,
  isWsMessageProblem,
  localPrincipal,
  parseWsClientMessage,
  syncProgress,
  type AgentChange,
  type RunChoices,
  type AgentShown,
  type AgentListItem,
  type ApiRequests,
  type ApiResponses,
  type ApplicationOptions,
  type AuditAction,
  type CallToolBody,
  type CreateEnvironmentBody,
  type ErrorBody,
  type HealthView,
  type LastRunView,
  type MeView,
  type OfferingFilter,
  type PromptListView,
  type ReadyView,
  type ReplaceAgentBody,
  type ResourceListView,
  type RunQuery,
  type ServerView,
  type StartRunBody,
  type StartSyncBody,
  type StartRunOptions,
  type StartedRun,
  type StartedRunView,
  type DetachOptions,
  type DetachedRun,
  type SyncJob,
  type SyncJobError,
  type SyncJobOptions,
  type SyncProgressLine,
  type ToolCallView,
  type ToolFilter,
  type WsClientMessage,
  type WsControlMessage,
  type WsMessageProblem,
  type WsResume,
  type WsScope,
  type WsServerMessage,
  type WsSubscribeMessage,
  type WsSubscription,
} from './api/index.js';
export type { EventPage, EventPageQuery } from './store/run-repo.js';
// `stn doctor`: checks of a home that need no open engine (openai and the MCP SDK load only when they run).
export {
  AREA_EXIT_CODES,
  DEFAULT_WAL_WARN_BYTES,
  DOCTOR_AREAS,
  type CheckStatus,
  type DoctorArea,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorProgress,
  type DoctorReport,
  type DoctorTarget,
  type SkippedArea,
} from './doctor/index.js';
// Clients of a remote Station (REST and the run-event WebSocket); `ws` loads only when a stream opens.
export {
  ApiClient,
  ApiError,
  RunEventStream,
  ServerUnreachableError,
  type ApiClientOptions,
  type RunEventStreamOptions,
  type RunStreamUpdate,
} from './client/index.js';
export { BundlesApi } from './api/bundles-api.js';
export type { StoreStatus } from './api/store-api.js';
export { BackupApi } from './api/backup-api.js';
export type { BackupOptions, BackupResult } from './backup/backup.js';
export { restoreBackup, RESTORE_ASIDE_DIR, type RestoreOptions, type RestoreResult } from './backup/restore.js';
export { BackupArchiveError, type BackupManifest } from './backup/manifest.js';
export { RETENTION_PRINCIPAL, type PruneRequest, type RetentionPassReport } from './api/retention-api.js';
export {
  DEFAULT_PRUNE_BATCH,
  policyCriteria,
  pruneRuns,
  type PruneCriteria,
  type PruneOptions,
  type PruneReport,
  type RetentionPolicy,
} from './maintenance/retention.js';
export { compactStore, type CompactionResult } from './store/store-compaction.js';
export {
  ApprovalRequiredError,
  InstallDeclinedError,
  installFailure,
  type InstallOptions,
  type InstallResult,
  type InstallReview,
  type LockCheck,
} from './bundles/bundle-install.js';
export type { CreateBundleOptions, CreatedBundle } from './bundles/bundle-create.js';
export type {
  BundleInspection,
  InspectedAgent,
  InspectedVariable,
  PublishOptions as BundlePublishOptions,
} from './bundles/bundle-inspect.js';
export {
  ChecksumMismatchError,
  INDEX_FILE,
  REGISTRY_FORMAT,
  RegistryError,
  type PublishResult as BundlePublishResult,
  type RegistryEntry,
  type RegistryHit,
  type RegistryIndex,
  type SearchResult as BundleSearchResult,
} from './bundles/bundle-registry.js';
export { BUNDLE_FORMAT, type BundleManifest, type BundleVariable } from './bundles/bundle-manifest.js';
export { DEFAULT_LIMITS, UnsafeBundleError, type ExtractLimits } from './bundles/safe-extract.js';
export { serverReviewLines, type ServerReview } from './bundles/server-review.js';
export { tarBytes, tarGz, type TarEntry } from './bundles/tar-writer.js';
export {
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  nextFires,
  type AgentSchedule,
  type CatchUpPolicy,
  type OverlapPolicy,
} from './scheduler/schedule-spec.js';
export type { FireRecord } from './scheduler/scheduler.js';
export type { ScheduleView } from './api/schedules-api.js';
export {
  TEST_EVENT,
  WEBHOOK_EVENTS,
  WEBHOOK_FORMATS,
  WebhookService,
  isPrivateAddress,
  signDelivery,
  verifySignature,
  type AddWebhookInput,
  type AddedWebhook,
  type AttemptInfo,
  type AttemptReport,
  type DeliveryFilter,
  type DeliveryInfo,
  type SlackPayload,
  type WebhookFormat,
  type WebhookInfo,
  type WebhookPayload,
  type WebhookTuning,
} from './webhooks/index.js';
