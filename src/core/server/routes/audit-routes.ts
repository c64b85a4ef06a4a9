import { ValidationError } from '../../errors.js';
import { parseSince } from '../../runner/run-since.js';
import type { AuditFilters } from '../../security/audit-log.js';
import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import { OBJECT } from './schemas.js';

/** The audit trail (admin keys): rows filtered and paged newest first, and the hash chain checked. */
export function auditRoutes(ctx: ServerContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/audit',
      operationId: 'listAudit',
      summary: 'The audit trail, newest first (admin). Page on with ?before=<next>.',
      tag: 'audit',
      access: { action: 'admin' },
      query: [
        { name: 'since', type: 'string', description: 'An age (12h, 7d) or an ISO date.' },
        { name: 'actor', type: 'string', description: 'An actor (local:ann, a key name, stdio) or key owner.' },
        { name: 'action', type: 'string', description: 'An action (key.create) or an area (key.*).' },
        { name: 'before', type: 'integer', description: 'Rows with an id below this one (the next page).' },
        { name: 'limit', type: 'integer', description: 'Page size (default 100, max 1000).' },
      ],
      responses: {
        200: { description: '{ rows, next }: next is the `before` of the next page, or null.', schema: OBJECT },
      },
      handle: ({ query, api }) => {
        const filters: AuditFilters = { limit: optionalInt(query.get('limit'), 'limit') ?? 100 };
        const since = query.get('since');
        if (since !== null && since !== '') filters.since = parseSince(since, ctx.clock());
        const actor = query.get('actor');
        if (actor !== null && actor !== '') filters.actor = actor;
        const action = query.get('action');
        if (action !== null && action !== '') filters.action = action;
        const before = optionalInt(query.get('before'), 'before');
        if (before !== undefined) filters.before = before;
        const rows = api.audit.list(filters);
        const last = rows[rows.length - 1];
        return {
          status: 200,
          body: { rows, next: rows.length === filters.limit && last !== undefined ? last.id : null },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/audit/verify',
      operationId: 'verifyAudit',
      summary: "Walk the audit trail's hash chain (admin): ok, or the first changed, deleted or inserted row.",
      tag: 'audit',
      access: { action: 'admin' },
      responses: { 200: { description: '{ ok, rows, legacyRows, problem }', schema: OBJECT } },
      handle: ({ api }) => ({ status: 200, body: api.audit.verify() }),
    },
  ];
}

function optionalInt(text: string | null, field: string): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text)) {
    throw new ValidationError(`invalid ${field} "${text.slice(0, 32)}"`, [
      { field, message: 'expected an integer >= 0' },
    ]);
  }
  return Number(text);
}
