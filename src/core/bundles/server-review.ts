/**
 * What a bundle's MCP configs would start, for the trust gate: each server's command, arguments, env keys
 * (never values) and URL, as written (placeholders kept), and one hash of all of it. The hash is recorded
 * when a user approves the servers; a sync whose servers hash differently asks again (see TrustStore).
 */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { readMcpServerTemplates, type McpServerConfig } from '../config/mcp-config.js';
import { stableJson } from './bundle-manifest.js';

export interface ServerReview {
  name: string;
  file: string;
  transport: 'stdio' | 'http' | 'sse';
  command?: string;
  args?: string[];
  /** Names of the environment variables it gets (values are never shown). */
  envKeys?: string[];
  url?: string;
  /** Names of the HTTP headers it sends (values are never shown). */
  headerKeys?: string[];
  disabled: boolean;
}

export function reviewServers(dir: string, servers: readonly McpServerConfig[]): ServerReview[] {
  return servers
    .map((s): ServerReview => {
      const base = { name: s.name, file: relative(dir, s.file), transport: s.transport, disabled: s.disabled };
      return s.transport === 'stdio'
        ? { ...base, command: s.command, args: [...s.args], envKeys: Object.keys(s.env).sort() }
        : { ...base, url: s.url, headerKeys: Object.keys(s.headers).sort() };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The servers of an environment folder as written, for review. */
export function reviewFolder(dir: string): ServerReview[] {
  return reviewServers(dir, readMcpServerTemplates(dir));
}

/**
 * A hash of what the configs of `dir` would spawn or connect to: commands, arguments, env (names and
 * template values), working folders relative to the environment, URLs and headers, as written.
 */
export function serversHash(dir: string, servers: readonly McpServerConfig[] = readMcpServerTemplates(dir)): string {
  const spawned = servers
    .map((s) =>
      s.transport === 'stdio'
        ? {
            name: s.name,
            transport: s.transport,
            command: s.command,
            args: s.args,
            env: s.env,
            cwd: relative(dir, s.cwd),
            disabled: s.disabled,
          }
        : { name: s.name, transport: s.transport, url: s.url, headers: s.headers, disabled: s.disabled },
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createHash('sha256').update(stableJson(spawned)).digest('hex');
}

/** One server as the trust gate shows it (CLI and TUI): name, transport, command or URL, env and header names. */
export function serverReviewLines(s: ServerReview): string[] {
  const out = [`  ${s.name} (${s.transport}, ${s.file})${s.disabled ? ' [disabled]' : ''}`];
  if (s.command !== undefined) out.push(`    command: ${[s.command, ...(s.args ?? [])].map(quoteWord).join(' ')}`);
  if (s.url !== undefined) out.push(`    url: ${s.url}`);
  if (s.envKeys !== undefined && s.envKeys.length > 0) out.push(`    env: ${s.envKeys.join(', ')}`);
  if (s.headerKeys !== undefined && s.headerKeys.length > 0) out.push(`    headers: ${s.headerKeys.join(', ')}`);
  return out;
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(word) && !word.includes('{{') ? word : JSON.stringify(word);
}
