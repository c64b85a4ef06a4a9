import { randomBytes } from 'node:crypto';
import { AuthError } from '../errors.js';

/** How long a WebSocket ticket may wait to be used: enough for a page to open its socket, too short to share. */
export const WS_TICKET_TTL_MS = 30_000;
/** Tickets held at once; past it the oldest unused ones go first (a page asks for one per connection). */
const MAX_OUTSTANDING = 10_000;

export interface WsTicket {
  ticket: string;
  /** ISO time after which the ticket is refused. */
  expiresAt: string;
}

interface Held {
  keyId: number;
  expiresAt: number;
}

/**
 * Single-use tickets for opening the WebSocket from a browser, which cannot set an Authorization header on
 * one: an authenticated request gets a ticket bound to its key; the socket's URL carries it once. The ticket
 * holds only the key's id: the key's grants are read again (and a key revoked meanwhile refused) when it is
 * used. Held in this process's memory: a ticket is used on the server that gave it, seconds later.
 */
export class WsTicketBook {
  private readonly held = new Map<string, Held>();

  constructor(private readonly clock: () => number = Date.now) {}

  issue(keyId: number): WsTicket {
    const now = this.clock();
    this.prune(now);
    const ticket = `wst_${randomBytes(24).toString('base64url')}`;
    const expiresAt = now + WS_TICKET_TTL_MS;
    this.held.set(ticket, { keyId, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The key id the ticket was given for; the ticket is spent whatever the answer. */
  redeem(ticket: string): number {
    const held = this.held.get(ticket);
    this.held.delete(ticket);
    if (held === undefined || held.expiresAt <= this.clock()) {
      throw new AuthError(
        held === undefined ? 'unknown or already used WebSocket ticket' : 'expired WebSocket ticket',
        {
          code: 'unauthorized',
          hints: ['Ask for a new ticket (POST /api/v1/ws-tickets) right before opening the socket; each works once.'],
        },
      );
    }
    return held.keyId;
  }

  private prune(now: number): void {
    for (const [ticket, held] of this.held) if (held.expiresAt <= now) this.held.delete(ticket);
    // Insertion order is age order: drop the oldest while over the bound.
    for (const ticket of this.held.keys()) {
      if (this.held.size < MAX_OUTSTANDING) break;
      this.held.delete(ticket);
    }
  }
}
