import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMcpConfig } from '../../../src/core/config/mcp-config.js';

// Which values of a rendered MCP config are secrets (masked in run records too) and how they are labelled.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'station-config-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function secretsOf(template: unknown, variables: Record<string, string>): Record<string, string> {
  writeFileSync(join(dir, 'template.json'), JSON.stringify(template));
  const config = loadMcpConfig(dir, { env: {}, overrides: variables });
  return Object.fromEntries(config.secrets.filter((s) => s.secret).map((s) => [s.value, s.label]));
}

describe('the secrets of a rendered MCP config', () => {
  it('are variables named like secrets, used in a header, or under a secret-named env key', () => {
    const secrets = secretsOf(
      {
        mcpServers: {
          local: {
            command: 'run',
            args: ['{{ .ROOT }}', '--token={{ .CLI_TOKEN }}'],
            env: { GH_PAT_TOKEN: '{{ .PAT }}', HOME_DIR: '{{ .ROOT }}' },
          },
          remote: { url: 'https://mcp.example.com/mcp', headers: { 'X-Tenant': '{{ .TENANT }}' } },
        },
      },
      { ROOT: '/srv/projects/demo', CLI_TOKEN: 'cli-tok-123', PAT: 'pat-abcdef', TENANT: 'acme-tenant' },
    );
    expect(secrets).toEqual({
      'cli-tok-123': '[secret:CLI_TOKEN]',
      'pat-abcdef': '[secret:PAT]',
      'acme-tenant': '[secret:TENANT]',
      // ROOT is used in env under a plain key and is long: it counts as a secret too.
      '/srv/projects/demo': '[secret:ROOT]',
    });
  });

  it('skip variables in env under a plain key that are short, numbers or flags, and variables only in args', () => {
    const secrets = secretsOf(
      {
        mcpServers: {
          local: {
            command: 'run',
            args: ['{{ .WORKSPACE }}'],
            env: { PORT: '{{ .PORT }}', VERBOSE: '{{ .VERBOSE }}', LEVEL: '{{ .LEVEL }}', RATIO: '{{ .RATIO }}' },
          },
        },
      },
      { WORKSPACE: '/home/me/work', PORT: '808080', VERBOSE: 'true', LEVEL: 'debug', RATIO: '12345.678' },
    );
    expect(secrets).toEqual({});
  });

  it('follow variables.schema.json when it says "secret": true or false', () => {
    writeFileSync(
      join(dir, 'variables.schema.json'),
      JSON.stringify({
        properties: { ROOT: { secret: false }, WORKSPACE: { secret: true }, API_TOKEN: { secret: false } },
      }),
    );
    const secrets = secretsOf(
      {
        mcpServers: {
          local: { command: 'run', args: ['{{ .WORKSPACE }}', '{{ .API_TOKEN }}'], env: { DIR: '{{ .ROOT }}' } },
        },
      },
      { ROOT: '/srv/projects/demo', WORKSPACE: 'ws-private-1', API_TOKEN: 'not-really-a-token' },
    );
    expect(secrets).toEqual({ 'ws-private-1': '[secret:WORKSPACE]' });
  });

  it('are literal header values, secret-named literal env values, URL passwords and secret-named query values, labelled by where they are', () => {
    const secrets = secretsOf(
      {
        mcpServers: {
          api: {
            url: 'https://bot:p%40ss-word@mcp.example.com/mcp?api_key=q-key-456&region=eu-west-1',
            headers: { Authorization: 'Bearer literal-header-789', 'X-Key': 'Key {{ .HEADER_PART }}' },
          },
          local: { command: 'run', env: { SERVICE_API_KEY: 'literal-env-321', MODE: 'production-mode' } },
        },
      },
      { HEADER_PART: 'part-555' },
    );
    expect(secrets).toEqual({
      'part-555': '[secret:HEADER_PART]',
      'Bearer literal-header-789': '[secret:api.headers.Authorization]',
      'p@ss-word': '[secret:api.url.password]',
      'p%40ss-word': '[secret:api.url.password]',
      'q-key-456': '[secret:api.url.api_key]',
      'literal-env-321': '[secret:local.env.SERVICE_API_KEY]',
    });
  });
});
