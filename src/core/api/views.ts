import type { WsTicket } from './ws-tickets.js';
import type { ScheduleView } from './schedules-api.js';
/**
 * The wire contract: what the application layer answers, as plain JSON. REST responses, MCP tool results,
 * the remote TUI client and the tests all use these types; nothing re-declares them by hand. ApiResponses
 * names the answer of every REST operation (by its operationId); the WebSocket's messages are in
 * ws-messages.ts.
 */
import type { AuditRecord, AuditVerifyReport } from '../security/audit-log.js';
import type { AgentDraft } from '../agents/agent-draft.js';
import type { AgentSummary } from '../agents/agent-service.js';
import type { AgentShown } from './agents-api.js';
import type { EnvironmentDetail, EnvironmentSummary } from '../environments/environment-service.js';
import type { ErrorJson } from '../errors.js';
import type { SecretInfo } from '../security/secret-service.js';
import type { CheckReport, McpServerSummary, McpToolSummary } from '../mcp/mcp-service.js';
import type { PromptListing, ResourceListing, ToolCallReport } from '../mcp/offerings.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import type { RunStatus } from '../events/run-events.js';
import type { AgentDefinition } from '../prompt/types.js';
import type { CancelOutcome, RunDetail, RunSummary } from '../runner/run-service.js';
import type { EventPage } from '../store/run-repo.js';
import type { PruneReport } from '../maintenance/retention.js';
import type { InstallResult } from '../bundles/bundle-install.js';
import type { BundleInspection } from '../bundles/bundle-inspect.js';
import type { AgentChange } from './agents-api.js';
import type { SyncJob } from './sync-jobs.js';
import type { AddedWebhook, DeliveryInfo, WebhookInfo } from '../webhooks/webhook-service.js';

/** The newest run of an agent. */
export interface LastRunView {
  id: number;
  status: RunStatus;
  at: string;
}

/** An agent in a list: `stn agent list --json`'s shape plus its newest run. */
export interface AgentListItem extends AgentSummary {
  lastRun: LastRunView | null;
}

/** A server of an environment: its configuration, what the last sync recorded, and its live state if any. */
export interface ServerView extends McpServerSummary {
  /** Its live state when this process keeps the environment's pool running (`stn serve`), else null. */
  live: ServerStatus | null;
}

/** Which runs to list. Several statuses mean any of them. */
export interface RunQuery {
  environment?: string | undefined;
  agent?: string | undefined;
  status?: readonly RunStatus[] | undefined;
  /** What started them (any of several); an unknown trigger is a ValidationError listing the known ones. */
  trigger?: readonly string[] | undefined;
  /** Only runs older than this run id (the next page: the last id of the previous one). */
  before?: number | undefined;
  /** Only runs created at or after this time (ms since the epoch; see parseSince). */
  since?: number | undefined;
  /** At most this many, newest first (default 50). */
  limit?: number | undefined;
}

/** The answer to starting a run (REST 202): its id and row, and where to follow it. */
export interface StartedRunView {
  id: number;
  status: RunStatus;
  run: RunSummary;
  links: { self: string; events: string; cancel: string };
}

/** Who the caller is (GET /api/v1/me). */
export interface MeView {
  name: string;
  /** The key's prefix (`local` for the local user). */
  prefix: string;
  role: string;
  environments: '*' | readonly string[];
  defaultEnvironment: string;
  version: string;
}

/**
 * Every error answer of the HTTP API. `exitCode` is the exit code the same failure has on the command
 * line, so a remote client fails exactly as a local one would.
 */
export interface ErrorBody {
  error: ErrorJson['error'] & { requestId: string };
}

/** GET /health: the process is up. */
export interface HealthView {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
}

/**
 * GET /ready: 200 when ready, 503 (with the same shape) when not. `checks` (what each part reports, limited
 * to the environments the key is granted) only when the request carries a key.
 */
export interface ReadyView {
  status: 'ready' | 'not_ready';
  checks?: Record<string, unknown>;
}

/** Body of POST /api/v1/environments. */
export interface CreateEnvironmentBody {
  name: string;
  description?: string;
}

/** Body of PUT /api/v1/environments/{env}/agents/{agent}: the whole file, and the hash it was read with. */
export interface ReplaceAgentBody {
  text: string;
  /** The hash GET returned: the write fails with a conflict if the file changed since. */
  expectedHash?: string;
}

/** Body of POST /api/v1/environments/{env}/agents/{agent}/runs. */
export interface StartRunBody {
  input?: Record<string, unknown>;
  /** Overrides the agent's and the configured model. */
  model?: string;
}

/** Which tools GET /api/v1/environments/{env}/tools lists. */
export interface ToolFilter {
  server?: string;
  /** A piece of the tool name. */
  name?: string;
}

/** Body of POST /api/v1/environments/{env}/tools/{tool}/call. */
export interface CallToolBody {
  /** The tool's arguments, checked against its input schema (default: none). */
  arguments?: Record<string, unknown>;
}

/** A tool called by hand: which tool answered, the call's duration, the raw result (`result.isError`). */
export type ToolCallView = ToolCallReport;

/** What the servers of an environment offer: resources and templates, or prompts, server by server. */
export type ResourceListView = ResourceListing;
export type PromptListView = PromptListing;

/** Which servers GET .../resources and .../prompts ask. */
export interface OfferingFilter {
  server?: string;
}

/** The bodies REST operations take, by operationId. */
export interface ApiRequests {
  createEnvironment: CreateEnvironmentBody;
  createAgent: AgentDraft;
  updateAgent: AgentChange;
  replaceAgent: ReplaceAgentBody;
  startRun: StartRunBody;
  callTool: CallToolBody;
  startSync: StartSyncBody;
  setSecret: SetSecretBody;
  addWebhook: AddWebhookBody;
  installBundle: InstallBundleBody;
  pruneRuns: PruneRunsBody;
}

/** POST /api/v1/runs/prune: either limit, or neither (runner.retention of config.yaml). */
export interface PruneRunsBody {
  /** Finished runs that finished before: a date (2026-06-01) or an age (30d). */
  before?: string;
  /** Finished runs beyond the newest this many runs. */
  keep?: number;
  /** Count what would go; delete nothing. */
  dryRun?: boolean;
}

/** POST /api/v1/webhooks: the target, its filters and format (the secret is made by Station). */
export interface AddWebhookBody {
  url: string;
  environment?: string;
  agent?: string;
  events?: string[];
  format?: 'json' | 'slack';
}

/** POST /environments/{env}/sync: values for the variables a sync reported missing. */
export interface StartSyncBody {
  variables?: Record<string, string>;
}

/** PUT /api/v1/secrets/{name}: the value (write-only: never returned by any door) and its scope. */
export interface SetSecretBody {
  value: string;
  /** The environment the secret belongs to; absent: a global secret. */
  environment?: string;
}

/** The answer of every REST operation, by operationId (`undefined`: 204 No Content). */
export interface ApiResponses {
  health: HealthView;
  ready: ReadyView;
  /** Prometheus text. */
  metrics: string;
  whoami: MeView;
  createWsTicket: WsTicket;
  /** The OpenAPI 3.1 document. */
  openapi: Record<string, unknown>;
  listEnvironments: EnvironmentSummary[];
  getEnvironment: EnvironmentDetail;
  createEnvironment: EnvironmentSummary;
  deleteEnvironment: undefined;
  listAgents: AgentListItem[];
  getAgent: AgentShown;
  createAgent: AgentDefinition;
  updateAgent: AgentDefinition;
  replaceAgent: AgentDefinition;
  deleteAgent: undefined;
  listTools: McpToolSummary[];
  listServers: ServerView[];
  checkServers: CheckReport;
  callTool: ToolCallView;
  listResources: ResourceListView;
  listPrompts: PromptListView;
  startSync: SyncJob;
  getSync: SyncJob;
  listRuns: RunSummary[];
  /** The run with its input, output and events; with events=false, its RunSummary only. */
  getRun: RunDetail | RunSummary;
  listRunEvents: EventPage;
  startRun: StartedRunView;
  cancelRun: CancelOutcome;
  /** What was deleted (or, dry, would be), and the store's checkpoint and vacuum after it. */
  pruneRuns: PruneReport;
  /** Names, scopes and dates: never values. */
  listSecrets: SecretInfo[];
  setSecret: SecretInfo;
  deleteSecret: undefined;
  /** Newest first; `next` is the `before` of the next page (null on the last page). */
  listAudit: AuditPage;
  verifyAudit: AuditVerifyReport;
  listSchedules: ScheduleView[];
  getSchedule: ScheduleView;
  pauseSchedule: ScheduleView;
  resumeSchedule: ScheduleView;
  /** The run started: its id, queued. */
  runSchedule: { id: number; status: 'queued' };
  /** Never their secrets. */
  listWebhooks: WebhookInfo[];
  /** The webhook and its signing secret: the only answer that holds it. */
  addWebhook: AddedWebhook;
  deleteWebhook: undefined;
  testWebhook: DeliveryInfo;
  installBundle: InstallResult;
  /** What a bundle holds (servers, agents, variables, the configHash to approve); nothing installed. */
  inspectBundle: BundleInspection;
  /** The archive bytes (application/gzip). */
  getEnvironmentBundle: Buffer;
}

/** POST /api/v1/bundles/install: the source, and the approval of the servers (their configHash). */
export interface InstallBundleBody {
  source: string;
  environment?: string;
  /** The configHash of the servers approved (from a 409 approval_required answer, or stn bundle inspect). */
  approve?: string;
  vars?: Record<string, string>;
  force?: boolean;
  sync?: boolean;
  strict?: boolean;
  /** List the variables that have a default as missing (422, defaults in details.defaults) instead of applying them. */
  offerDefaults?: boolean;
}

/** One page of GET /api/v1/audit. */
export interface AuditPage {
  rows: AuditRecord[];
  next: number | null;
}
