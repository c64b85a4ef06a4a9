/**
 * The web UI's live connection: one WebSocket per tab, opened with a single-use ticket (browsers cannot
 * send the Authorization header on a WebSocket). Subscriptions survive reconnects: each run subscription
 * resumes after the last seq it received, so nothing is missed and nothing repeats.
 */
import type { WsClientMessage, WsServerMessage } from '../core/api/ws-messages.js';
import type { RunEvent } from '../core/events/run-events.js';
import type { WebApi } from './api.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** The runs a page follows: every run the key may see (filtered by the page), or one run. */
type Scope = { scope: 'all' } | { scope: 'run'; runId: number };

interface Subscription {
  scope: Scope;
  onEvent: (event: RunEvent) => void;
  /** The last seq received, per run (the resume point after a reconnect). */
  lastSeq: Map<number, number>;
}

export class LiveConnection {
  private ws: WebSocket | undefined;
  private readonly subs = new Map<string, Subscription>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private nextId = 1;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  status: LiveStatus = 'connecting';

  constructor(private readonly api: WebApi) {
    void this.open();
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Subscribes to live run events of a scope; returns the unsubscribe. `afterSeq`: a run's events after it. */
  subscribe(scope: Scope, onEvent: (event: RunEvent) => void, afterSeq?: number): () => void {
    const id = `s${String(this.nextId++)}`;
    const sub: Subscription = { scope, onEvent, lastSeq: new Map() };
    if (scope.scope === 'run' && afterSeq !== undefined) sub.lastSeq.set(scope.runId, afterSeq);
    this.subs.set(id, sub);
    this.sendSubscribe(id, sub);
    return () => {
      this.subs.delete(id);
      this.send({ type: 'unsubscribe', id });
    };
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.setStatus('closed');
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    let ticket: string;
    try {
      ticket = (await this.api.post('createWsTicket', '/api/v1/ws-tickets')).ticket;
    } catch {
      this.retry();
      return;
    }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (message: MessageEvent<string>) => this.onMessage(JSON.parse(message.data) as WsServerMessage);
    ws.onclose = () => {
      if (this.ws === ws) this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.setStatus('reconnecting');
    this.timer = setTimeout(() => void this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 5000);
  }

  private onMessage(message: WsServerMessage): void {
    if (message.type === 'ws.welcome') {
      this.retryMs = 500;
      this.setStatus('live');
      for (const [id, sub] of this.subs) this.sendSubscribe(id, sub);
      return;
    }
    if (message.type === 'ws.dropped') {
      // The server dropped events for a slow tab: subscribe again from where each run was left.
      for (const [id, sub] of this.subs) this.sendSubscribe(id, sub);
      return;
    }
    if (message.type.startsWith('ws.')) return;
    const event = message as RunEvent;
    for (const sub of this.subs.values()) {
      if (!covers(sub.scope, event)) continue;
      const last = sub.lastSeq.get(event.runId) ?? 0;
      if (event.seq <= last) continue;
      sub.lastSeq.set(event.runId, event.seq);
      sub.onEvent(event);
    }
  }

  private sendSubscribe(id: string, sub: Subscription): void {
    const resume = Object.fromEntries([...sub.lastSeq].map(([run, seq]) => [String(run), seq]));
    const scope = sub.scope;
    if (scope.scope === 'run') {
      const afterSeq = sub.lastSeq.get(scope.runId);
      this.send({
        type: 'subscribe',
        id,
        scope: 'run',
        runId: scope.runId,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      });
    } else {
      this.send({ type: 'subscribe', id, scope: 'all', resume });
    }
  }

  private send(message: WsClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

function covers(scope: Scope, event: RunEvent): boolean {
  return scope.scope === 'all' || event.runId === scope.runId;
}
