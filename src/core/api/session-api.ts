import { AuthError } from '../errors.js';
import type { ApiContext } from './context.js';
import type { WsTicket } from './ws-tickets.js';

/** What a caller needs to open a session from a browser: a single-use ticket for the WebSocket. */
export class SessionApi {
  constructor(private readonly ctx: ApiContext) {}

  /** A ticket bound to the caller's API key, good once, for a few seconds (any role that may read). */
  wsTicket(): WsTicket {
    this.ctx.authorize('read');
    const { principal } = this.ctx;
    if (principal.prefix === 'local' || principal.keyId <= 0) {
      throw new AuthError('WebSocket tickets are given for API keys only', {
        code: 'unauthorized',
        hints: ['Call POST /api/v1/ws-tickets with "Authorization: Bearer <key>".'],
      });
    }
    return this.ctx.shared.wsTickets.issue(principal.keyId);
  }
}
