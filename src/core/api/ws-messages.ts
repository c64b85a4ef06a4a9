/**
 * The WebSocket protocol at /ws, typed once: what a client sends (WsClientMessage), what the server
 * sends (WsServerMessage: run events exactly as recorded, and `ws.*` control messages), and the one
 * parser of client messages. The hub, the remote TUI client and the tests all use these types.
 */
import type { RunEvent } from '../events/run-events.js';

/** The runs a subscription covers. */
export type WsScope = 'all' | 'environment' | 'run';

/** A subscription as the server keeps it. */
export type WsSubscription =
  | { id: string; scope: 'all' }
  | { id: string; scope: 'environment'; environment: string }
  | { id: string; scope: 'run'; runId: number };

/**
 * Runs the client already follows, by run id: the last seq it received of each. The server first sends
 * what came after, from the store, then live events.
 */
export type WsResume = Record<string, number>;

/**
 * Client -> server: subscribe (a `run` subscription with `afterSeq` first gets the run's stored events
 * after that seq), unsubscribe, ping.
 */
export type WsClientMessage = WsSubscribeMessage | { type: 'unsubscribe'; id: string } | { type: 'ping' };

export type WsSubscribeMessage = { type: 'subscribe'; id?: string; resume?: WsResume } & (
  { scope?: 'all' } | { scope: 'environment'; environment: string } | { scope: 'run'; runId: number; afterSeq?: number }
);

/** Server -> client messages that are not run events; their types start with `ws.`. */
export type WsControlMessage =
  | { type: 'ws.welcome'; protocol: 1; key: { name: string; role: string; environments: '*' | readonly string[] } }
  | { type: 'ws.subscribed'; id: string; scope: WsScope; replaying: number[] }
  | { type: 'ws.replayed'; id: string; runId: number; lastSeq: number }
  | { type: 'ws.unsubscribed'; id: string }
  | { type: 'ws.error'; code: string; message: string; id?: string }
  | {
      type: 'ws.dropped';
      dropped: number;
      /** Subscribe to each run again with afterSeq = fromSeq - 1. */
      runs: { runId: number; fromSeq: number }[];
      hint: string;
    }
  | { type: 'ws.pong' };

/** Server -> client: a run event (as `stn agent run --json` prints it) or a control message. */
export type WsServerMessage = RunEvent | WsControlMessage;

export function isControlMessage(message: WsServerMessage): message is WsControlMessage {
  return message.type.startsWith('ws.');
}

/** A client message the server cannot take: the `ws.error` it answers with. */
export interface WsMessageProblem {
  code: 'bad_message' | 'invalid';
  message: string;
  id?: string;
}

/** Reads a client message (already JSON-parsed); a problem says what is wrong with it. */
export function parseWsClientMessage(value: unknown): WsClientMessage | WsMessageProblem {
  if (!isObject(value) || typeof value.type !== 'string') {
    return { code: 'bad_message', message: 'expected an object with a "type"' };
  }
  switch (value.type) {
    case 'ping':
      return { type: 'ping' };
    case 'unsubscribe':
      return { type: 'unsubscribe', id: typeof value.id === 'string' ? value.id : '' };
    case 'subscribe':
      return parseSubscribe(value);
    default:
      return {
        code: 'bad_message',
        message: `unknown message type "${value.type}" (subscribe, unsubscribe, ping)`,
      };
  }
}

export function isWsMessageProblem(value: WsClientMessage | WsMessageProblem): value is WsMessageProblem {
  return !('type' in value);
}

function parseSubscribe(msg: Record<string, unknown>): WsClientMessage | WsMessageProblem {
  const id = typeof msg.id === 'string' && msg.id !== '' ? msg.id.slice(0, 64) : undefined;
  const invalid = (message: string): WsMessageProblem => ({
    code: 'invalid',
    message,
    ...(id === undefined ? {} : { id }),
  });
  const resume = parseResume(msg.resume);
  if (typeof resume === 'string') return invalid(resume);
  const common = {
    type: 'subscribe' as const,
    ...(id === undefined ? {} : { id }),
    ...(resume === undefined ? {} : { resume }),
  };
  if (msg.scope === 'all' || msg.scope === undefined) return { ...common, scope: 'all' };
  if (msg.scope === 'environment') {
    if (typeof msg.environment !== 'string' || msg.environment === '') {
      return invalid('scope "environment" needs "environment": NAME');
    }
    return { ...common, scope: 'environment', environment: msg.environment };
  }
  if (msg.scope === 'run') {
    if (!isPositiveInt(msg.runId)) return invalid('scope "run" needs "runId": a positive integer');
    if (msg.afterSeq !== undefined && !isNonNegativeInt(msg.afterSeq)) {
      return invalid('"afterSeq" must be an integer >= 0');
    }
    return {
      ...common,
      scope: 'run',
      runId: msg.runId,
      ...(msg.afterSeq === undefined ? {} : { afterSeq: msg.afterSeq }),
    };
  }
  return invalid('scope must be "all", "environment" or "run"');
}

/** The resume map, or what is wrong with it. */
function parseResume(value: unknown): WsResume | undefined | string {
  if (value === undefined) return undefined;
  if (!isObject(value)) return '"resume" must map run ids to the last seq received';
  const resume: WsResume = {};
  for (const [key, seq] of Object.entries(value)) {
    if (!isPositiveInt(Number(key)) || !isNonNegativeInt(seq)) {
      return `"resume.${key}" must be a seq (integer >= 0) under a run id`;
    }
    resume[key] = seq;
  }
  return resume;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInt(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function isNonNegativeInt(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
