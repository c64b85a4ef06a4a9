/**
 * The one interface the TUI gets its data through. The local implementation (local-client.ts) sits on an
 * open Engine; a remote one (REST + WebSocket, `stn ui --remote URL`) implements the same methods. Every
 * value here is plain JSON, so it can cross a wire unchanged.
 */

import type {
  AgentListItem,
  BundleInspection,
  EventPage as CoreEventPage,
  EventPageQuery as CoreEventPageQuery,
  EnvironmentSummary,
  LastRunView as CoreLastRunView,
  McpToolSummary,
  MissingVariableView as CoreMissingVariableView,
  RunEvent,
  RunQuery as CoreRunQuery,
  RunStatus,
  RunSummary,
  ScheduleView as CoreScheduleView,
  SyncProgressLine,
} from '../../core/index.js';

export type { RunStatus };
export { displayStatus } from '../../core/index.js';

/** An environment as `stn env list --json` shows it. */
export type EnvironmentView = EnvironmentSummary;

export function isActiveStatus(status: string): boolean {
  return status === 'queued' || status === 'running';
}

/** The newest run of an agent. */
export type LastRunView = CoreLastRunView;

/** An agent in a list: the fields of core's AgentListItem the screens show. */
export type AgentView = Pick<AgentListItem, 'name' | 'description' | 'model' | 'tools' | 'lastRun'>;

export interface AgentDetailView extends AgentView {
  file: string | null;
  maxSteps: number | null;
  /** The YAML frontmatter, parsed. */
  frontmatter: Record<string, unknown>;
  /** JSON Schema (type object) of the agent's input. */
  inputSchema: JsonSchemaObject;
  /** The prompt body (Handlebars template). */
  template: string;
  /** Likely typos among its frontmatter keys, with file:line and the key meant. */
  warnings: string[];
}

export interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
  [key: string]: unknown;
}

export interface JsonSchemaProperty {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  [key: string]: unknown;
}

/**
 * An agent's schedule as `stn schedule list --json` shows it: cron, timezone, enabled, paused, the next
 * fire times (none when disabled or paused) and the last fire.
 */
export type ScheduleView = CoreScheduleView;

/** A run as `stn runs list --json` shows it. */
export type RunView = RunSummary;

/** Which runs to list (several statuses mean any of them). */
export type RunQuery = CoreRunQuery;

/** One event of a run: the core's one event schema (`seq` per run from 1, `ts` ISO time), unchanged. */
export type RunEventView = RunEvent;

/** A page of a run's events, ascending by seq, with whether there are older and newer ones. */
export type EventPage = Omit<CoreEventPage, 'lastSeq'>;

/** Which events of a run to read: `tail`, `before` a seq, or `after` a seq. */
export type EventPageQuery = CoreEventPageQuery;

export type McpServerState = 'unknown' | 'starting' | 'ready' | 'error' | 'stopped' | (string & {});

export interface McpServerView {
  name: string;
  transport: string;
  state: McpServerState;
  error: string | null;
  stderrTail: string;
  toolCount: number;
  /** Where the status comes from: a live pool in this process, or the last sync recorded in the store. */
  source: 'live' | 'recorded';
  lastSyncedAt: string | null;
}

/** A tool as `stn mcp tools --json` shows it (recorded by the last sync). */
export type McpToolView = McpToolSummary;

/** A line of sync progress with the servers done so far out of the total. */
export type SyncProgressView = SyncProgressLine;

/** A variable a sync needs and nothing gives: name, description, secret flag, where it is used (no value). */
export type MissingVariableView = CoreMissingVariableView;

/**
 * Asks the user for the variables a sync is missing: the answers (saved by the core sync the way
 * `stn sync` saves answers typed on a terminal), or undefined when the user cancels (nothing is saved).
 */
export type AskVariables = (
  env: string,
  missing: readonly MissingVariableView[],
  /** Values the form offers (a bundle's declared defaults); absent for a sync. */
  defaults?: Readonly<Record<string, string>>,
) => Promise<Record<string, string> | undefined>;

export interface SyncResultView {
  ok: boolean;
  summary: string;
  /** What the sync saved from the variable form (variables.yml, the secret store), names only. */
  saved: string[];
  errors: string[];
}

/**
 * What a subscriber hears: new events of any run, runs whose row changed (status, counters), and the
 * connection going down or coming back (a remote client; the local one is always connected).
 */
export type ClientUpdate =
  | { kind: 'events'; events: RunEventView[] }
  | { kind: 'runs'; runs: RunView[] }
  | { kind: 'connection'; ok: boolean; error: string | null; retryAt?: number | null };

/** The connection as the header shows it: down with why, and when the next attempt to reconnect is. */
export interface ConnectionView {
  ok: boolean;
  error: string | null;
  /** While down: when (epoch ms) the client tries again; null when no attempt is scheduled. */
  retryAt: number | null;
}

export interface ClientInfo {
  kind: 'local' | 'remote';
  /** Shown in the header: the Station home, or the server URL. */
  label: string;
  defaultEnvironment: string;
}

/** A bundle written by createBundle. */
export interface BundleFileView {
  path: string;
  bytes: number;
}

/**
 * What a bundle holds, read through the install's checks (nothing installed): the MCP servers it would start
 * (command, args, env keys, URLs), its agents and variables, the environment it installs as by default, and
 * the configHash an install approves those servers with. Core's BundleInspection, unchanged.
 */
export type BundleInspectionView = BundleInspection;

/** An install the user approved: the servers' configHash they saw in the trust gate. */
export interface BundleInstallRequest {
  source: string;
  /** [default: the bundle's own name] */
  environment?: string;
  /** The configHash of the servers the user approved (the install stops if the bundle changed since). */
  approve: string;
  /** Sync after installing [default: true, as stn bundle install]. */
  sync?: boolean;
}

/** An installed bundle as the TUI reports it. */
export interface BundleInstallView {
  environment: string;
  /** False when the sync after the install failed (the environment is installed anyway). */
  ok: boolean;
  /** The sync's summary (servers ready, tools), or that it was skipped. */
  summary: string;
  /** Where the variable answers went (variables.yml, the secret store), names only. */
  saved: string[];
  /** Files not installed, tools-lock findings, sync problems. */
  warnings: string[];
}

export interface StationClient {
  info(): ClientInfo;
  /** Packs the environment as a bundle and writes it as ENV.tar.gz in the client's bundle folder. */
  createBundle(env: string): Promise<BundleFileView>;
  environments(): Promise<EnvironmentView[]>;
  /** Syncs; when the configs need variables nothing gives, `askVariables` (if given) is asked for them. */
  syncEnvironment(
    env: string,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<SyncResultView>;
  /** What SOURCE (a .tar.gz path, folder, https URL, first-party or registry NAME[@VERSION]) holds; nothing installed. */
  inspectBundle(source: string): Promise<BundleInspectionView>;
  /**
   * Installs an approved bundle through the core install (variables saved as it saves them, then a sync
   * unless `sync: false`); when it needs variables nothing gives, `askVariables` is asked (undefined cancels:
   * nothing is installed).
   */
  installBundle(
    request: BundleInstallRequest,
    onProgress: (p: SyncProgressView) => void,
    askVariables?: AskVariables,
  ): Promise<BundleInstallView>;
  agents(env: string): Promise<AgentView[]>;
  agent(env: string, name: string): Promise<AgentDetailView>;
  /** The schedules of the environment's agents (agents without a schedule have none). */
  schedules(env: string): Promise<ScheduleView[]>;
  runs(query: RunQuery): Promise<RunView[]>;
  run(id: number): Promise<RunView>;
  runEvents(id: number, query: EventPageQuery): Promise<EventPage>;
  startRun(env: string, agent: string, input: Record<string, unknown>): Promise<RunView>;
  cancelRun(id: number): Promise<void>;
  /** Ids of the runs started through this client (the runs "this TUI started"), oldest first. */
  startedRuns(): number[];
  mcpServers(env: string): Promise<McpServerView[]>;
  mcpTools(env: string): Promise<McpToolView[]>;
  /** Starts every server of the environment now (initialize, list tools, ping) and reports on each. */
  checkMcp(env: string): Promise<McpServerView[]>;
  /** Live updates; returns the unsubscribe function. */
  subscribe(listener: (update: ClientUpdate) => void): () => void;
  close(): Promise<void>;
}
