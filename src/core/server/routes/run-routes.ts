import type { CancelDoor } from '../../api/runs-api.js';
import type { RunQuery, StartedRunView } from '../../api/views.js';
import { ValidationError } from '../../errors.js';
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus } from '../../events/run-events.js';
import { parseSince } from '../../runner/run-since.js';
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

export const PRUNE_RUNS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    before: {
      type: 'string',
      minLength: 1,
      description: 'Finished runs that finished before: a date (2026-06-01) or an age (30d, 12h).',
    },
    keep: { type: 'integer', minimum: 0, description: 'Finished runs beyond the newest N runs.' },
    dryRun: { type: 'boolean', description: 'Count what would go; delete nothing.' },
  },
};

/** Runs: list, show with events, page through events, start (202 + id), cancel, prune (admin). */
export function runRoutes(ctx: ServerContext): RouteDef[] {
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
        { name: 'trigger', type: 'string', description: `Comma-separated triggers (${RUN_TRIGGERS.join(', ')}).` },
        { name: 'limit', type: 'integer', description: `At most this many (default 50, max ${String(MAX_LIMIT)}).` },
      ],
      responses: { 200: { description: 'The runs.', schema: listOf(OBJECT) }, 400: { description: 'Bad filter.' } },
      handle: ({ query, api }) => {
        const filter: RunQuery = {
          environment: query.get('environment') ?? undefined,
          agent: query.get('agent') ?? undefined,
          status: parseStatuses(query.get('status')),
          trigger: commaList(query.get('trigger')),
          limit: parseLimit(query.get('limit')),
        };
        return {
          status: 200,
          json: ctx.metrics.timeQuery('runs.list', () => api.runs.listJson(filter)),
        };
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
      handle: ({ params, api, query }) => {
        const id = parseId(params.id ?? '');
        const runs = api.runs;
        if (query.get('events') === 'false') {
          return { status: 200, body: ctx.metrics.timeQuery('runs.get', () => runs.get(id)) };
        }
        return { status: 200, body: ctx.metrics.timeQuery('runs.show', () => runs.show(id)) };
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
      handle: ({ params, api, query }) => {
        const id = parseId(params.id ?? '');
        const page = {
          tail: query.get('tail') === 'true',
          before: optionalInt(query.get('before'), 'before'),
          after: optionalInt(query.get('after'), 'after'),
          limit: parseLimit(query.get('limit'), 500),
        };
        return {
          status: 200,
          body: ctx.metrics.timeQuery('runs.events', () => api.runs.events(id, page)),
        };
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
      handle: async ({ params, body, api, log }) => {
        const request = body as { input?: Record<string, unknown>; model?: string };
        const started = await api.runs.start(params.env ?? '', params.agent ?? '', request.input ?? {}, {
          model: request.model,
        });
        // Ties the request id to the run id: the runner's lines about the run (start, end) carry the run id.
        log.info('run requested', { runId: started.runId, agent: params.agent, environment: params.env });
        const run = api.runs.get(started.runId);
        const self = `/api/v1/runs/${String(run.id)}`;
        const view: StartedRunView = {
          id: run.id,
          status: run.status,
          run,
          links: { self, events: `${self}/events`, cancel: `${self}/cancel` },
        };
        return { status: 202, headers: { Location: self }, body: view };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/runs/prune',
      operationId: 'pruneRuns',
      summary:
        'Delete finished runs (and their events) finished before `before` or beyond the newest `keep` (either is enough; neither: runner.retention), in batches; then checkpoint the store (admin).',
      tag: 'runs',
      access: { action: 'admin' },
      body: PRUNE_RUNS_SCHEMA,
      responses: {
        200: { description: '{dryRun, before, keep, runs, events, deliveries, batches, compaction}.', schema: OBJECT },
        400: { description: 'A bad date or count, or no limit given and none configured.' },
      },
      handle: async ({ body, api }) => {
        const request = body as { before?: string; keep?: number; dryRun?: boolean };
        return {
          status: 200,
          body: await api.retention.prune({
            before: request.before === undefined ? undefined : parseSince(request.before, ctx.clock(), 'before'),
            keep: request.keep,
            dryRun: request.dryRun,
          }),
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
      query: [
        {
          name: 'from',
          type: 'string',
          description:
            "The client asking (`tui` for `stn ui --remote`, `web` for the web UI): named in the run's cancel reason.",
        },
      ],
      responses: {
        200: { description: '{outcome, run}.' },
        404: { description: 'No such run.' },
        409: { description: 'The run has finished.' },
      },
      handle: ({ params, query, api }) => ({
        status: 200,
        body: api.runs.cancel(parseId(params.id ?? ''), cancelDoor(query.get('from'))),
      }),
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

/** A comma-separated query value as a list (empty items dropped); undefined when absent. */
function commaList(value: string | null): string[] | undefined {
  if (value === null || value === '') return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Which client asked for a cancel (`?from=`), for the run's cancel reason; anything else is plain REST. */
function cancelDoor(from: string | null): CancelDoor {
  return from === 'tui' ? 'remote-tui' : from === 'web' ? 'web' : 'rest';
}
