import { UsageError } from '../../errors.js';
import type { InstallBundleBody } from '../../api/views.js';
import type { RouteDef } from '../http-types.js';
import { NAME_SCHEMA, OBJECT } from './schemas.js';

/**
 * Bundles (admin keys): install one (the trust gate is an explicit approval: the request carries the
 * configHash of the servers it approves), and download an environment as a bundle archive.
 */
export function bundleRoutes(): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/bundles/install',
      operationId: 'installBundle',
      summary:
        'Install a bundle (admin): SOURCE is a .tar.gz path on the server, a folder, an https:// URL, a first-party name or a registry NAME[@VERSION]. Without `approve` (or with a stale one) the answer is 409 `approval_required` with the servers it would start and the `configHash` to send back as `approve`; variables nothing gives answer 422 `missing_variables` listing them (send them in `vars`). Nothing is installed until both hold.',
      tag: 'bundles',
      access: { action: 'admin' },
      body: {
        type: 'object',
        required: ['source'],
        additionalProperties: false,
        properties: {
          source: { type: 'string', minLength: 1, maxLength: 4096 },
          environment: NAME_SCHEMA,
          approve: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          vars: { type: 'object', additionalProperties: { type: 'string' } },
          offerDefaults: { type: 'boolean' },
          force: { type: 'boolean' },
          sync: { type: 'boolean' },
          strict: { type: 'boolean' },
        },
      },
      responses: {
        201: {
          description: 'Installed (and synced unless sync is false); `ok` says whether the sync held.',
          schema: OBJECT,
        },
        400: { description: 'Bad body, or an unsafe bundle (nothing installed).' },
        404: { description: 'No such bundle.' },
        409: {
          description:
            'approval_required: details.servers and details.configHash to approve; or the environment exists (use force).',
        },
        422: {
          description:
            "missing_variables: details.missing lists them (name, description, secret; never values); with `offerDefaults: true` the variables that have a default are listed too, their defaults in details.defaults (never a secret's), to offer them before sending `vars`.",
        },
      },
      handle: async ({ body, api }) => {
        const input = body as InstallBundleBody;
        const result = await api.bundles.install(input.source, {
          ...(input.environment === undefined ? {} : { environment: input.environment }),
          approvedHash: input.approve ?? '',
          vars: input.vars ?? {},
          force: input.force === true,
          sync: input.sync !== false,
          strict: input.strict === true,
          offerDefaults: input.offerDefaults === true,
        });
        return { status: 201, body: result };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/bundles/inspect',
      operationId: 'inspectBundle',
      summary:
        'What a bundle holds (admin): manifest, the MCP servers it would start, its agents and variables, and the `configHash` an install approves them with. SOURCE is read through the same checks as install; nothing is installed.',
      tag: 'bundles',
      access: { action: 'admin' },
      query: [
        {
          name: 'source',
          type: 'string',
          description: 'A .tar.gz path on the server, a folder, an https:// URL, a first-party name or NAME[@VERSION].',
        },
      ],
      responses: {
        200: { description: 'The bundle, described.', schema: OBJECT },
        400: { description: 'No source, or an unsafe bundle.' },
        404: { description: 'No such bundle.' },
      },
      handle: async ({ query, api }) => {
        const source = query.get('source') ?? '';
        if (source === '') throw new UsageError('source is required: ?source=PATH|URL|NAME[@VERSION]');
        return { status: 200, body: await api.bundles.inspect(source) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/environments/{env}/bundle',
      operationId: 'getEnvironmentBundle',
      summary:
        'The environment as a bundle archive (admin; application/gzip): agents, MCP configs, manifest.json; never variables.yml or a value.',
      tag: 'bundles',
      access: { action: 'admin', envParam: 'env' },
      responses: { 200: { description: 'The .tar.gz bytes.' }, 404: { description: 'No such environment.' } },
      handle: ({ params, api }) => {
        const env = params.env ?? '';
        const created = api.bundles.create(env);
        return {
          status: 200,
          text: created.bytes,
          contentType: 'application/gzip',
          headers: { 'Content-Disposition': `attachment; filename="${env}.tar.gz"` },
        };
      },
    },
  ];
}
