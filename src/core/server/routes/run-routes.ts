import { ValidationError } from '../../errors.js';
import { RUN_STATUSES, type RunStatus } from '../../events/run-events.js';
import type { RunSummary } from '../../runner/run-service.js';
import { authorize, canSeeEnvironment, type Principal } from '../../security/roles.js';
import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import { OBJECT, listOf } from './schemas.js';

const MAX_LIMIT = 1000;

export const START_RUN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    input: { type: 'object', description: "The agent's input, checked against its input schema." },
    model: { type: 'string', minLength: 1, description: "Overrides the agent's and the configured model." },
  },
};

/** Runs: list, show with events, page through events, start (202 + id), cancel. */
export function runRoutes(ctx: ServerContext): RouteDef[] {
  const runs = ctx.engine.runs;
  /** The run, after checking the key may see its environment. */
  const visibleRun = (principal: Principal, id: string, action: 'read' | 'run'): RunSummary => {
    const run = ctx.metrics.timeQuery('runs.get', () => runs.get(parseId(id)));
    authorize(principal, action, run.environment);
    return run;
  };
  return [
    {
      method: 'GET',
      path: '/api/v1/runs',
      operationId: 'listRuns',
      summary: 'Runs, newest first, in the environments the key may see.',
      tag: 'runs',
      access: { action: 'read' },
      query: [
        { name: 'environment', type: 'string', description: 'Only this environment.' },
        { name: 'agent', type: 'string', description: 'Only this agent.' },
        { name: 'status', type: 'string', description: `Comma-separated statuses (${RUN_STATUSES.join(', ')}).` },
        { name: 'limit', type: 'integer', description: `At most this many (default 50, max ${String(MAX_LIMIT)}).` },
      ],
      responses: { 200: { description: 'The runs.', schema: listOf(OBJECT) }, 400: { description: 'Bad filter.' } },
      handle: ({ query, principal }) => {
        const limit = parseLimit(query.get('limit'));
        const statuses = parseStatuses(query.get('status'));
        const agent = query.get('agent') ?? undefined;
        const environment = query.get('environment') ?? undefined;
        if (environment !== undefined) authorize(principal, 'read', environment);
        const envs: (string | undefined)[] =
          environment !== undefined || principal.environments === '*' ? [environment] : [...principal.environments];
        const found: RunSummary[] = [];
        for (const env of envs) {
          for (const status of statuses ?? [undefined]) {
            found.push(
              ...ctx.metrics.timeQuery('runs.list', () => runs.list({ environment: env, agent, status, limit })),
            );
          }
        }
        const visible = found.filter((r) => canSeeEnvironment(principal, r.environment));
        const single = envs.length === 1 && (statuses?.length ?? 1) === 1;
        return { status: 200, body: single ? visible : visible.sort((a, b) => b.id - a.id).slice(0, limit) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/runs/{id}',
      operationId: 'getRun',
      summary: 'One run with its input, output and every event (events=false leaves the events out).',
      tag: 'runs',
      access: { action: 'read' },
      query: [
        { name: 'events', type: 'string', enum: ['true', 'false'], description: 'Include the events (default true).' },
      ],
      responses: { 200: { description: 'The run.' }, 404: { description: 'No such run.' } },
      handle: ({ params, principal, query }) => {
        const run = visibleRun(principal, params.id ?? '', 'read');
        if (query.get('events') === 'false') return { status: 200, body: run };
        return { status: 200, body: ctx.metrics.timeQuery('runs.show', () => runs.show(run.id)) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/runs/{id}/events',
      operationId: 'listRunEvents',
      summary: "A page of a run's events: after a seq, before a seq, or the last ones (tail).",
      tag: 'runs',
      access: { action: 'read' },
      query: [
        { name: 'after', type: 'integer', description: 'Events with seq > after.' },
        { name: 'before', type: 'integer', description: 'The last `limit` events with seq < before.' },
        { name: 'tail', type: 'string', enum: ['true', 'false'], description: 'The last `limit` events.' },
        { name: 'limit', type: 'integer', description: 'Page size (default 500, max 1000).' },
      ],
      responses: {
        200: { description: '{events, hasOlder, hasNewer, lastSeq}.' },
        404: { description: 'No such run.' },
      },
      handle: ({ params, principal, query }) => {
        const run = visibleRun(principal, params.id ?? '', 'read');
        const limit = parseLimit(query.get('limit'), 500);
        const last = ctx.metrics.timeQuery('runs.last_seq', () => runs.repo.lastSeq(run.id));
        const before = optionalInt(query.get('before'), 'before');
        let after: number;
        if (query.get('tail') === 'true') after = Math.max(0, last - limit);
        else if (before !== undefined) after = Math.max(0, before - 1 - limit);
        else after = optionalInt(query.get('after'), 'after') ?? 0;
        let events = ctx.metrics.timeQuery('runs.events', () => runs.repo.events(run.id, { afterSeq: after, limit }));
        if (before !== undefined) events = events.filter((e) => e.seq < before);
        const first = events[0]?.seq ?? after + 1;
        const end = events.at(-1)?.seq ?? after;
        return { status: 200, body: { events, hasOlder: first > 1, hasNewer: end < last, lastSeq: last } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/agents/{agent}/runs',
      operationId: 'startRun',
      summary:
        'Start a run: 202 with its id; follow it on /ws or GET /api/v1/runs/{id}. 429 + Retry-After when the queue is full.',
      tag: 'runs',
      access: { action: 'run', envParam: 'env' },
      body: START_RUN_SCHEMA,
      responses: {
        202: { description: 'Accepted: {id, status, run, links}.' },
        400: { description: "The input fails the agent's input schema (field errors)." },
        404: { description: 'No such environment or agent.' },
        429: { description: 'The run queue is full; retry after Retry-After seconds.' },
      },
      handle: async ({ params, body, principal }) => {
        const env = params.env ?? '';
        const request = body as { input?: Record<string, unknown>; model?: string };
        const runner = await ctx.engine.runner();
        const handle = await runner.submit({
          agent: params.agent ?? '',
          environment: env,
          input: request.input ?? {},
          ...(request.model === undefined ? {} : { model: request.model }),
        });
        void handle.done.then((result) =>
          ctx.log.info('run finished', { runId: result.runId, status: result.status, ms: result.durationMs }),
        );
        ctx.engine.keys.audit(principal.name, 'run.start', String(handle.runId), {
          environment: env,
          agent: params.agent,
        });
        const run = runs.get(handle.runId);
        return {
          status: 202,
          headers: { Location: `/api/v1/runs/${String(handle.runId)}` },
          body: {
            id: handle.runId,
            status: run.status,
            run,
            links: {
              self: `/api/v1/runs/${String(handle.runId)}`,
              events: `/api/v1/runs/${String(handle.runId)}/events`,
              cancel: `/api/v1/runs/${String(handle.runId)}/cancel`,
            },
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/runs/{id}/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a queued or running run.',
      tag: 'runs',
      access: { action: 'run' },
      responses: {
        200: { description: '{outcome, run}.' },
        404: { description: 'No such run.' },
        409: { description: 'The run has finished.' },
      },
      handle: ({ params, principal }) => {
        const run = visibleRun(principal, params.id ?? '', 'run');
        const outcome = runs.cancel(run.id, `cancelled through the API by key "${principal.name}"`);
        ctx.engine.keys.audit(principal.name, 'run.cancel', String(run.id));
        return { status: 200, body: outcome };
      },
    },
  ];
}

function parseId(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new ValidationError(`invalid run id "${text.slice(0, 32)}"`, [
      { field: 'id', message: 'expected a positive integer' },
    ]);
  }
  return Number(text);
}

function optionalInt(text: string | null, field: string): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw new ValidationError(`invalid ${field} "${text.slice(0, 32)}"`, [
      { field, message: 'expected an integer >= 0' },
    ]);
  return Number(text);
}

function parseLimit(text: string | null, fallback = 50): number {
  const value = optionalInt(text, 'limit');
  if (value === undefined) return fallback;
  if (value < 1 || value > MAX_LIMIT) {
    throw new ValidationError(`limit must be from 1 to ${String(MAX_LIMIT)}`, [
      { field: 'limit', message: `expected 1 to ${String(MAX_LIMIT)}` },
    ]);
  }
  return value;
}

function parseStatuses(text: string | null): RunStatus[] | undefined {
  if (text === null || text === '') return undefined;
  const list = text.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(RUN_STATUSES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new ValidationError(`unknown run status ${bad.map((b) => `"${b}"`).join(', ')}`, [
      { field: 'status', message: `expected one of: ${RUN_STATUSES.join(', ')}` },
    ]);
  }
  return list as RunStatus[];
}
