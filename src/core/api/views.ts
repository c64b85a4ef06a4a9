/**
 * The wire contract: what the application layer answers, as plain JSON. REST responses, MCP tool results,
 * the remote TUI client and the tests all use these types; nothing re-declares them by hand.
 */
import type { AgentSummary } from '../agents/agent-service.js';
import type { McpServerSummary } from '../mcp/mcp-service.js';
import type { ServerStatus } from '../mcp/server-connection.js';
import type { RunStatus } from '../events/run-events.js';
import type { RunSummary } from '../runner/run-service.js';

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
  error: {
    code: string;
    message: string;
    exitCode: number;
    hints: readonly string[];
    details?: Record<string, unknown>;
    requestId: string;
  };
}
