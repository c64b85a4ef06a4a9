import type { AgentDraft } from '../../agents/agent-draft.js';
import type { AgentChange } from '../../api/agents-api.js';
import type { RouteDef } from '../http-types.js';
import type { ServerContext } from '../server-context.js';
import { OBJECT, listOf } from './schemas.js';

const STRING_LIST = { type: 'array', items: { type: 'string' } };
const SCHEMA_OBJECT = { type: 'object' };

/** Body of POST .../agents: the agent service's AgentDraft. */
export const AGENT_DRAFT_SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    description: { type: 'string' },
    tags: STRING_LIST,
    model: { type: 'string', minLength: 1 },
    maxSteps: { type: 'integer', minimum: 1 },
    tools: STRING_LIST,
    config: SCHEMA_OBJECT,
    prompt: { type: 'string' },
    template: { type: 'string' },
    inputFields: { type: 'object', additionalProperties: { type: 'string' } },
    inputSchema: SCHEMA_OBJECT,
    outputFormat: { enum: ['json', 'text'] },
    outputSchema: SCHEMA_OBJECT,
  },
};

/** Body of PATCH .../agents/{agent}: the agent service's AgentPatch (null removes an optional field). */
export const AGENT_PATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    description: { type: 'string' },
    tags: STRING_LIST,
    model: { type: ['string', 'null'], minLength: 1 },
    maxSteps: { type: ['integer', 'null'], minimum: 1 },
    tools: STRING_LIST,
    config: SCHEMA_OBJECT,
    template: { type: 'string' },
    inputSchema: SCHEMA_OBJECT,
    outputFormat: { enum: ['json', 'text', null] },
    outputSchema: { type: ['object', 'null'] },
    name: { type: 'string', minLength: 1, maxLength: 64, description: 'A new name renames the agent (and its file).' },
  },
};

/** Body of PUT .../agents/{agent}: the whole .prompt file. */
export const AGENT_TEXT_SCHEMA = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1 },
    expectedHash: {
      type: 'string',
      description: 'The hash returned by GET; the write fails with 409 if the file changed since.',
    },
  },
};

/** Agents of an environment: the application layer's agent operations (the CLI's too). */
export function agentRoutes(ctx: ServerContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/agents',
      operationId: 'listAgents',
      summary: 'Agents of an environment, each with its last run.',
      tag: 'agents',
      access: { action: 'read', envParam: 'env' },
      responses: {
        200: { description: 'The agents.', schema: listOf(OBJECT) },
        404: { description: 'No such environment.' },
      },
      handle: ({ params, api }) => ({
        status: 200,
        body: ctx.metrics.timeQuery('agents.list', () => api.agents.list(params.env ?? '')),
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/agents/{agent}',
      operationId: 'getAgent',
      summary:
        "One agent: its parsed definition, the text of its file, that text's hash, its key typos, and what a run of it uses.",
      tag: 'agents',
      access: { action: 'read', envParam: 'env' },
      responses: {
        200: {
          description:
            '{agent, text, hash, warnings, run}: warnings are likely typos among its keys, with file:line; run is the model and answer format a run uses, each with why.',
        },
        404: { description: 'No such environment or agent.' },
      },
      handle: ({ params, api }) => ({
        status: 200,
        body: api.agents.show(params.env ?? '', params.agent ?? ''),
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/environments/{env}/agents',
      operationId: 'createAgent',
      summary: 'Create an agent (writes <name>.prompt).',
      tag: 'agents',
      access: { action: 'write', envParam: 'env' },
      body: AGENT_DRAFT_SCHEMA,
      responses: {
        201: { description: 'The agent created.' },
        400: { description: 'Invalid draft (field errors).' },
        409: { description: 'An agent of that name exists.' },
      },
      handle: async ({ params, body, api }) => {
        const env = params.env ?? '';
        const agent = await api.agents.create(env, body as AgentDraft);
        return {
          status: 201,
          body: agent,
          headers: {
            Location: `/api/v1/environments/${encodeURIComponent(env)}/agents/${encodeURIComponent(agent.name)}`,
          },
        };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v1/environments/{env}/agents/{agent}',
      operationId: 'updateAgent',
      summary: 'Change fields of an agent (and rename it with "name").',
      tag: 'agents',
      access: { action: 'write', envParam: 'env' },
      body: AGENT_PATCH_SCHEMA,
      responses: {
        200: { description: 'The agent as saved.' },
        400: { description: 'Invalid change.' },
        404: { description: 'No such agent.' },
      },
      handle: async ({ params, body, api }) => ({
        status: 200,
        body: await api.agents.update(params.env ?? '', params.agent ?? '', body as AgentChange),
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/environments/{env}/agents/{agent}',
      operationId: 'replaceAgent',
      summary: 'Replace the whole .prompt file of an agent (validated first; 409 if it changed since expectedHash).',
      tag: 'agents',
      access: { action: 'write', envParam: 'env' },
      body: AGENT_TEXT_SCHEMA,
      responses: {
        200: { description: 'The agent as saved.' },
        400: { description: 'The text is not a valid agent file.' },
        404: { description: 'No such agent.' },
        409: { description: 'The file changed since expectedHash.' },
      },
      handle: async ({ params, body, api }) => {
        const input = body as { text: string; expectedHash?: string };
        const agent = await api.agents.replaceText(
          params.env ?? '',
          params.agent ?? '',
          input.text,
          input.expectedHash === undefined ? {} : { expectedHash: input.expectedHash },
        );
        return { status: 200, body: agent };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/environments/{env}/agents/{agent}',
      operationId: 'deleteAgent',
      summary: 'Delete an agent (its runs keep their history).',
      tag: 'agents',
      access: { action: 'write', envParam: 'env' },
      responses: { 204: { description: 'Deleted.' }, 404: { description: 'No such agent.' } },
      handle: ({ params, api }) => {
        api.agents.delete(params.env ?? '', params.agent ?? '');
        return { status: 204 };
      },
    },
  ];
}
