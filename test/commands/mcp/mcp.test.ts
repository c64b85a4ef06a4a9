// `stn mcp list|tools|check|add|remove` end to end, spawning the built CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStn } from '../../helpers/cli.js';
import type { TempHome } from '../../helpers/home.js';
import {
  EVERYTHING_SERVER,
  FILESYSTEM_SERVER,
  TINY_SERVER,
  expectAllEnded,
  fixtureHome,
  pidsIn,
  startEverythingHttp,
  tinyEntry,
  writeTemplate,
} from '../../core/mcp/helpers.js';

let home: TempHome;
let envDir: string;

beforeEach(() => {
  ({ home, envDir } = fixtureHome());
  // These tests start from the template `stn init` writes.
  writeTemplate(envDir, {
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '{{ .PROJECT_ROOT }}'] },
  });
});
afterEach(() => {
  home.cleanup();
});

function template(): unknown {
  return JSON.parse(readFileSync(join(envDir, 'template.json'), 'utf8'));
}

describe('stn mcp add / remove', { timeout: 120_000 }, () => {
  it('adds a stdio server from the words after --, keeping placeholders as written', async () => {
    const r = await runStn(
      [
        'mcp',
        'add',
        'files',
        '--env-var',
        'LOG=debug',
        '--timeout-ms',
        '45000',
        '--',
        process.execPath,
        FILESYSTEM_SERVER,
        '{{ .PROJECT_ROOT }}',
        '-v',
      ],
      {
        env: home.env,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Added MCP server files in default/template.json');
    expect(template()).toMatchObject({
      mcpServers: {
        filesystem: { command: 'npx' },
        files: {
          command: process.execPath,
          args: [FILESYSTEM_SERVER, '{{ .PROJECT_ROOT }}', '-v'],
          env: { LOG: 'debug' },
          timeout_ms: 45000,
        },
      },
    });
  });

  it('adds an HTTP server with headers, refuses a duplicate (exit 4) unless --force, and removes it', async () => {
    const add = [
      'mcp',
      'add',
      'gh',
      '--url',
      'https://api.example.invalid/mcp',
      '--header',
      'Authorization: Bearer {{ .GH_TOKEN }}',
      '--json',
    ];
    const r = await runStn(add, { env: home.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      environment: 'default',
      name: 'gh',
      file: 'template.json',
      replaced: false,
    });
    expect(template()).toMatchObject({
      mcpServers: {
        gh: { url: 'https://api.example.invalid/mcp', headers: { Authorization: 'Bearer {{ .GH_TOKEN }}' } },
      },
    });

    const dup = await runStn(add, { env: home.env });
    expect(dup.code).toBe(4);
    const forced = await runStn([...add, '--force', '--sse'], { env: home.env });
    expect(JSON.parse(forced.stdout)).toMatchObject({ replaced: true });
    expect(template()).toMatchObject({ mcpServers: { gh: { type: 'sse' } } });

    const refused = await runStn(['mcp', 'remove', 'gh'], { env: home.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Run: stn mcp remove "gh" --env default --yes');
    const rm = await runStn(['mcp', 'remove', 'gh', '--yes'], { env: home.env });
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('Removed MCP server gh from default/template.json');
    expect(Object.keys((template() as { mcpServers: object }).mcpServers)).toEqual(['filesystem']);
    const again = await runStn(['mcp', 'remove', 'gh'], { env: home.env });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('Servers: filesystem.');
  });

  it('explains bad input and writes nothing', async () => {
    const before = readFileSync(join(envDir, 'template.json'), 'utf8');
    const none = await runStn(['mcp', 'add', 'x'], { env: home.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give the command after "--" (a stdio server) or --url (an HTTP server)');
    const both = await runStn(['mcp', 'add', 'x', '--url', 'https://a.invalid', '--', 'node'], { env: home.env });
    expect(both.code).toBe(2);
    const badUrl = await runStn(['mcp', 'add', 'x', '--url', 'not-a-url'], { env: home.env });
    expect(badUrl.code).toBe(6);
    expect(badUrl.stderr).toMatch(
      /template\.json:\d+:\d+ \(key "mcpServers\.x\.url"\): expected an http:\/\/ or https:\/\/ URL/,
    );
    const badHeader = await runStn(['mcp', 'add', 'x', '--url', 'https://a.invalid', '--header', 'no-colon'], {
      env: home.env,
    });
    expect(badHeader.code).toBe(2);
    expect(badHeader.stderr).toContain('--header expects NAME:VALUE');
    expect(readFileSync(join(envDir, 'template.json'), 'utf8')).toBe(before);
  });
});

describe('stn mcp list / tools', { timeout: 120_000 }, () => {
  it('lists servers as written and their state at the last sync; never prints variable values', async () => {
    writeTemplate(envDir, {
      tiny: { ...tinyEntry('--extra-tools', '1'), env: { API_TOKEN: '{{ .API_TOKEN }}' } },
      remote: {
        url: 'https://example.invalid/mcp',
        headers: { Authorization: 'Bearer {{ .API_TOKEN }}' },
        disabled: true,
      },
    });
    const before = await runStn(['mcp', 'list', '--json'], { env: home.env });
    expect(JSON.parse(before.stdout)).toEqual([
      {
        name: 'tiny',
        file: 'template.json',
        transport: 'stdio',
        command: process.execPath,
        args: [TINY_SERVER, '--extra-tools', '1'],
        url: null,
        envNames: ['API_TOKEN'],
        headerNames: [],
        timeoutMs: 30000,
        disabled: false,
        status: null,
        tools: 0,
        lastError: null,
        stderrTail: '',
        lastSyncedAt: null,
        warnings: [],
        live: null,
      },
      expect.objectContaining({
        name: 'remote',
        transport: 'http',
        url: 'https://example.invalid/mcp',
        headerNames: ['Authorization'],
        disabled: true,
      }),
    ]);
    const sync = await runStn(['sync', '--var', 'API_TOKEN=tok_zyxw98765'], { env: home.env });
    expect(sync.code).toBe(0);
    const list = await runStn(['mcp', 'list'], { env: home.env });
    expect(list.stdout).toMatch(/tiny\s+stdio\s+\S+.*ready\s+6\s+\d+s ago\s+template\.json/);
    expect(list.stdout).toMatch(/remote\s+http\s+https:\/\/example\.invalid\/mcp\s+disabled/);
    expect(list.stdout + (await runStn(['mcp', 'list', '--json'], { env: home.env })).stdout).not.toContain(
      'tok_zyxw98765',
    );

    const tools = await runStn(['mcp', 'tools', '--json'], { env: home.env });
    const all = JSON.parse(tools.stdout) as { qualifiedName: string; inputSchema: object }[];
    expect(all.map((t) => t.qualifiedName)).toEqual([
      'tiny__add',
      'tiny__crash',
      'tiny__echo',
      'tiny__env',
      'tiny__slow',
      'tiny__t1',
    ]);
    expect(all[0]?.inputSchema).toMatchObject({ type: 'object' });
    const filtered = await runStn(['mcp', 'tools', '--server', 'tiny', '--name', 'E'], { env: home.env });
    expect(filtered.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^TOOL\s+DESCRIPTION$/),
      expect.stringMatching(/^tiny__echo\s+Echoes the text back$/),
      expect.stringMatching(/^tiny__env\s+Reads an environment variable$/),
    ]);
    const unknown = await runStn(['mcp', 'tools', '--server', 'nope'], { env: home.env });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Servers: remote, tiny.');
  });

  it('tools says to sync when nothing is recorded', async () => {
    const r = await runStn(['mcp', 'tools'], { env: home.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No tools recorded for "default". Run: stn sync default');
  });
});

describe('stn mcp check', { timeout: 120_000 }, () => {
  it('starts, initializes, lists tools and pings every server, with timings; writes nothing', async () => {
    const http = await startEverythingHttp('streamableHttp');
    try {
      writeTemplate(envDir, {
        fs: { command: process.execPath, args: [FILESYSTEM_SERVER, home.home] },
        everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
        web: { url: http.url },
      });
      const r = await runStn(['mcp', 'check', '--json'], { env: home.env, timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        ok: boolean;
        servers: {
          name: string;
          status: string;
          transport: string;
          pingMs: number;
          startMs: number;
          tools: string[];
        }[];
      };
      expect(report.ok).toBe(true);
      expect(report.servers.map((s) => [s.name, s.status, s.transport])).toEqual([
        ['fs', 'ok', 'stdio'],
        ['everything', 'ok', 'stdio'],
        ['web', 'ok', 'http'],
      ]);
      for (const s of report.servers) {
        expect(s.pingMs).toBeGreaterThan(0);
        expect(s.startMs).toBeGreaterThan(0);
        expect(s.tools.length).toBeGreaterThan(0);
      }
      expect(report.servers[0]?.tools).toContain('read_text_file');
      const human = await runStn(['mcp', 'check', '--server', 'fs'], { env: home.env });
      expect(human.stdout).toMatch(
        /SERVER\s+TRANSPORT\s+STATUS\s+START\s+PING\s+TOOLS\s+SERVER INFO\n\s*fs\s+stdio\s+ok\s+\S+\s+[\d.]+ms\s+\d+\s+secure-filesystem-server/,
      );
      const list = await runStn(['mcp', 'list', '--json'], { env: home.env });
      expect((JSON.parse(list.stdout) as { status: unknown }[]).every((s) => s.status === null)).toBe(true);
    } finally {
      await http.stop();
    }
  });

  it('exits 8 for a server that fails to start, with its stderr tail, and leaves no process', async () => {
    const pidFile = join(home.home, 'pids');
    writeTemplate(envDir, {
      ok: tinyEntry('--pid-file', pidFile),
      crashy: tinyEntry('--pid-file', pidFile, '--stderr', 'loading config', '--fail-start', 'Error: missing --root'),
    });
    const r = await runStn(['mcp', 'check'], { env: home.env });
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/crashy\s+stdio\s+failed/);
    expect(r.stdout).toContain('✗ crashy: exited with code 3 before it finished starting');
    expect(r.stdout).toContain('│ loading config\n  │ Error: missing --root');
    expect(r.stderr).toContain('Error: 1 MCP server of "default" failed: crashy');
    await expectAllEnded(pidsIn(pidFile));
  });
});
