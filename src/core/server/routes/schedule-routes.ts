import type { RouteDef } from '../http-types.js';
import { listOf, OBJECT } from './schemas.js';

const ONE = '/api/v1/environments/{env}/schedules/{agent}';

/** Agents' schedules: list, show, pause, resume (recorded, the file is untouched), run now. */
export function scheduleRoutes(): RouteDef[] {
  const action = (verb: 'pause' | 'resume', summary: string): RouteDef => ({
    method: 'POST',
    path: `${ONE}/${verb}`,
    operationId: `${verb}Schedule`,
    summary,
    tag: 'schedules',
    access: { action: 'run', envParam: 'env' },
    responses: { 200: { description: 'The schedule.', schema: OBJECT }, 404: { description: 'No such schedule.' } },
    handle: ({ params, api }) => ({
      status: 200,
      body: api.schedules[verb](params.env ?? '', params.agent ?? ''),
    }),
  });
  return [
    {
      method: 'GET',
      path: '/api/v1/schedules',
      operationId: 'listSchedules',
      summary: "Agents' schedules with next and last fire, last status and paused state.",
      tag: 'schedules',
      access: { action: 'read' },
      query: [{ name: 'environment', type: 'string', description: 'Only this environment.' }],
      responses: { 200: { description: 'The schedules.', schema: listOf(OBJECT) } },
      handle: ({ query, api }) => ({
        status: 200,
        body: api.schedules.list(query.get('environment') ?? undefined),
      }),
    },
    {
      method: 'GET',
      path: ONE,
      operationId: 'getSchedule',
      summary: "One agent's schedule.",
      tag: 'schedules',
      access: { action: 'read', envParam: 'env' },
      responses: { 200: { description: 'The schedule.', schema: OBJECT }, 404: { description: 'No such schedule.' } },
      handle: ({ params, api }) => ({
        status: 200,
        body: api.schedules.show(params.env ?? '', params.agent ?? ''),
      }),
    },
    action('pause', 'Pause a schedule (recorded in the database; the agent file is not changed).'),
    action('resume', 'Resume a schedule: it fires again from now on.'),
    {
      method: 'POST',
      path: `${ONE}/run`,
      operationId: 'runSchedule',
      summary: "Start the schedule's run now with its variables: 202 with the run id.",
      tag: 'schedules',
      access: { action: 'run', envParam: 'env' },
      responses: { 202: { description: '{id}.', schema: OBJECT }, 404: { description: 'No such schedule.' } },
      handle: async ({ params, api }) => {
        const started = await api.schedules.run(params.env ?? '', params.agent ?? '');
        return { status: 202, body: { id: started.runId, status: 'queued' } };
      },
    },
  ];
}
