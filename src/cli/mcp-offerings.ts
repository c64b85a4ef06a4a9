/** Shared by `stn mcp resources` and `stn mcp prompts`: notes about servers with nothing to list, and failures. */
import { McpError, type OfferStatus, type ServerPrompts, type ServerResources } from '../core/index.js';
import type { StyleName } from './output.js';

interface ServerOffer {
  server: string;
  status: OfferStatus;
  error?: string;
}

/** One line per server with nothing in the table: offers none (not an error), listed none, or failed. */
export function offeringNotes(
  servers: readonly (ServerResources | ServerPrompts)[],
  kind: 'resources' | 'prompts',
  tableShown: boolean,
  s: Record<StyleName, (text: string) => string>,
): string[] {
  const lines: string[] = [];
  if (servers.length === 0) return ['No MCP servers are running in this environment (see stn mcp list).'];
  for (const server of servers) {
    if (server.status === 'unsupported') lines.push(s.dim(`${server.server}: does not offer ${kind}`));
    else if (server.status === 'failed') lines.push(`${s.red('✗')} ${server.server}: ${server.error ?? 'failed'}`);
    else if (isEmpty(server)) lines.push(s.dim(`${server.server}: offers ${kind}, none listed`));
  }
  return tableShown && lines.length > 0 ? ['', ...lines] : lines;
}

/** The error to end with when a server failed to answer (exit 8), its listing kept in the details. */
export function failedOfferings(
  env: string,
  servers: readonly ServerOffer[],
  kind: 'resources' | 'prompts',
  listing: object,
): McpError | undefined {
  const failed = servers.filter((s) => s.status === 'failed').map((s) => s.server);
  if (failed.length === 0) return undefined;
  return new McpError(
    `${String(failed.length)} MCP server${failed.length === 1 ? '' : 's'} of "${env}" did not list ${kind}: ${failed.join(', ')}`,
    {
      code: 'list_failed',
      details: { listing },
      hints: [`See why: stn mcp check --env ${env}${failed.length === 1 ? ` --server ${failed[0] ?? ''}` : ''}`],
    },
  );
}

/** The first line of a text, cut to `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function isEmpty(server: ServerResources | ServerPrompts): boolean {
  return 'prompts' in server ? server.prompts.length === 0 : server.resources.length + server.templates.length === 0;
}
