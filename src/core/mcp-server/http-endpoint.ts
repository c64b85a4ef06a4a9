import type { Application } from '../api/application.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../server/logger.js';
import type { ServerExtension } from '../server/station-server.js';
import { readPackageVersion } from '../server/version.js';

/**
 * Station's MCP server at /mcp over streamable HTTP, stateless: each POST gets a server over the
 * application layer as the key that sent it (its role and environment grants apply to every tool; its
 * name is the actor of what it changes). `?environment=NAME` picks the environment whose agents become
 * tools (default: config environment.default).
 */
export function mcpHttpExtension(app: Application, log: Logger): ServerExtension {
  const version = readPackageVersion();
  return {
    operations: [
      {
        method: 'POST',
        path: '/mcp',
        operationId: 'mcp',
        summary:
          'Station as an MCP server (streamable HTTP, stateless). ?environment=NAME picks the agents offered as tools.',
        tag: 'mcp',
        responses: {
          200: { description: 'A JSON-RPC answer (JSON or an SSE stream).' },
          401: { description: 'Missing or invalid key.' },
        },
      },
    ],
    handle: async (req, res, principal, requestId, origin) => {
      const url = new URL(req.url ?? '/', 'http://station.local');
      if (url.pathname !== '/mcp') return false;
      const api = app.as(principal, { ...origin, door: 'mcp-http' });
      const environment = url.searchParams.get('environment') ?? api.environments.defaultName();
      // The MCP SDK and zod load on the first /mcp request, not with the server.
      const [{ StreamableHTTPServerTransport }, { createStationMcpServer }] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
        import('./station-mcp-server.js'),
      ]);
      const server = createStationMcpServer(api, { environment, version });
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req, res);
      } catch (error) {
        log.error('mcp request failed', { requestId, error: errorMessage(error) });
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }));
        }
      }
      return true;
    },
  };
}
