// The Environments screen installs a bundle (`i`): its source, the trust gate (every MCP server it would
// start, its agents; y/n), the variable form, then the core install and sync; the new environment is listed.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarGz } from '../../src/core/bundles/tar-writer.js';
import type { BundleInspectionView } from '../../src/tui/client/station-client.js';
import { footerHints, helpSections } from '../../src/tui/keymap.js';
import { FakeStationClient, freshStation, type FakeBundle } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';

const HASH = 'a'.repeat(64);

function fakeBundle(): FakeBundle {
  const inspection: BundleInspectionView = {
    source: '/tmp/logs.tar.gz',
    kind: 'archive',
    shape: 'station',
    name: 'logs',
    version: '1.2.0',
    description: 'Reads logs.',
    environment: 'logs',
    author: null,
    stationVersion: null,
    registry: null,
    servers: [
      {
        name: 'filesystem',
        file: 'template.json',
        transport: 'stdio',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem', '{{ .LOG_ROOT }}'],
        envKeys: ['API_TOKEN'],
        disabled: false,
      },
      { name: 'remote', file: 'template.json', transport: 'http', url: 'https://mcp.example.com/mcp', disabled: false },
    ],
    configHash: HASH,
    agents: [
      {
        name: 'triage',
        file: 'agents/triage.prompt',
        description: 'Triage an incident',
        tools: ['filesystem__read_file'],
      },
    ],
    variables: [
      { name: 'LOG_ROOT', description: 'Folder of logs', default: null, secret: false, uses: ['template.json:5'] },
    ],
    files: [],
    skipped: [],
  };
  return {
    inspection,
    missing: [
      { name: 'LOG_ROOT', description: 'Folder of logs', secret: false, uses: [{ file: 'template.json', line: 5 }] },
    ],
  };
}

async function openGate(screen: Screen): Promise<string> {
  await screen.waitFor(/default \*/);
  await screen.press('i');
  await screen.waitFor('Install a bundle');
  await typeSource(screen, '/tmp/logs.tar.gz');
  return flat(await screen.waitFor('Approve these servers and install?'));
}

type Screen = Awaited<ReturnType<ReturnType<typeof screenPerTest>['show']>>;

/** Types the source in the form, waits for it to show, then enter, enter (the environment left empty). */
async function typeSource(screen: Screen, source: string): Promise<void> {
  await screen.waitFor('› source');
  await screen.type(source);
  await screen.waitFor(`› source       ${source}`);
  await screen.press(KEYS.enter);
  await screen.waitFor('› environment');
  await screen.press(KEYS.enter);
}

/** The frame with its line breaks and runs of spaces as one space (long lines wrap). */
function flat(frame: string): string {
  return frame.replace(/\s+/g, ' ');
}

describe('TUI bundle install (fake client)', () => {
  const tui = screenPerTest();

  it('the gate shows every server (command, args, env keys, URL) and the agents; n installs nothing', async () => {
    const client = new FakeStationClient({ ...freshStation(), bundles: { '/tmp/logs.tar.gz': fakeBundle() } });
    const screen = await tui.show(client, { screen: 'environments', columns: 80, rows: 24 });
    const frame = await openGate(screen);
    expect(frame).toContain('environment "logs"');
    expect(frame).toContain('It would start 2 MCP servers');
    expect(frame).toContain('command: npx -y @modelcontextprotocol/server-filesystem "{{ .LOG_ROOT }}"');
    expect(frame).toContain('env: API_TOKEN');
    expect(frame).toContain('url: https://mcp.example.com/mcp');
    expect(frame).toContain('triage — Triage an incident');
    expect(frame).toContain('LOG_ROOT');
    expect(frame).toContain('y install and sync');
    // The frame fits 80x24.
    const raw = screen.frame().split('\n');
    expect(raw.length).toBeLessThanOrEqual(24);
    expect(Math.max(...raw.map((l) => l.length))).toBeLessThanOrEqual(80);
    await screen.press('n');
    const after = await screen.waitFor((f) => flat(f).includes('nothing was installed'));
    expect(after).toContain('Install logs: failed');
    expect(client.installed).toEqual([]);
    expect(client.data.environments.map((e) => e.name)).toEqual(['default']);
    // The list takes the keys again.
    await screen.press('?');
    await screen.waitFor('Show or hide all keys');
  });

  it('esc in the source form and in the gate cancels; nothing installed', async () => {
    const client = new FakeStationClient({ ...freshStation(), bundles: { '/tmp/logs.tar.gz': fakeBundle() } });
    const screen = await tui.show(client, { screen: 'environments' });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await screen.waitFor('Install a bundle');
    await screen.press(KEYS.esc);
    await screen.waitFor(/default \*/);
    await openGate(screen);
    await screen.press(KEYS.esc);
    await screen.waitFor((f) =>
      flat(f).includes('cancelled: the MCP servers were not approved; nothing was installed'),
    );
    expect(client.installed).toEqual([]);
  });

  it('y, then the variable form, then installed: the new environment is listed', async () => {
    const client = new FakeStationClient({ ...freshStation(), bundles: { '/tmp/logs.tar.gz': fakeBundle() } });
    const screen = await tui.show(client, { screen: 'environments', columns: 80, rows: 24 });
    await openGate(screen);
    await screen.press('y');
    await screen.waitFor('Install logs: a variable has no value');
    await screen.type('/var/log/app');
    await screen.waitFor('/var/log/app');
    await screen.press(KEYS.enter);
    const frame = await screen.waitFor(/^[ ›]?logs\s+1\s+2/m);
    expect(frame).toContain('Install logs: done');
    expect(flat(frame)).toContain('installed environment logs · synced: 1/1 servers ready, 3 tools · saved LOG_ROOT');
    expect(client.installed).toEqual([
      { request: { source: '/tmp/logs.tar.gz', approve: HASH, sync: true }, answers: { LOG_ROOT: '/var/log/app' } },
    ]);
  });

  it('errors are shown and nothing is installed: a bad source, an existing environment', async () => {
    const client = new FakeStationClient({ ...freshStation(), bundles: { '/tmp/logs.tar.gz': fakeBundle() } });
    const screen = await tui.show(client, { screen: 'environments' });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await typeSource(screen, '/nope.tar.gz');
    await screen.waitFor((f) => flat(f).includes('no bundle at /nope.tar.gz · nothing was installed'));
    // An environment that exists: the gate warns, and approving fails without replacing it.
    await screen.press('i');
    await screen.waitFor('› source');
    await screen.type('/tmp/logs.tar.gz');
    await screen.waitFor('/tmp/logs.tar.gz');
    await screen.press(KEYS.tab);
    await screen.waitFor('› environment');
    await screen.type('default');
    await screen.waitFor(/› environment\s+default/);
    await screen.press(KEYS.enter);
    await screen.waitFor((f) => flat(f).includes('environment "default" already exists: installing fails'));
    await screen.press('y');
    await screen.waitFor((f) => flat(f).includes('environment "default" already exists; nothing was installed'));
    expect(client.installed).toEqual([]);
  });

  it('the key is in the help overlay and the footer', () => {
    const envs = helpSections().find((s) => s.title === 'Environments');
    expect(envs?.rows.map((r) => r.keys)).toContain('i');
    expect(footerHints(['environments', 'list']).map((h) => h.label)).toContain('install');
    expect(footerHints(['trust-gate']).map((h) => h.keys)).toEqual(expect.arrayContaining(['y', 'i', 'n']));
  });
});

describe('TUI bundle install (local client, real core)', { timeout: 120_000 }, () => {
  const tui = stationPerTest();

  it('installs the first-party log-inspector by name: gate, variable form, sync; the environment is listed', async () => {
    const station = await tui.open();
    const screen = await tui.show(station.client, { screen: 'environments', columns: 80, rows: 24 });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await screen.waitFor('Install a bundle');
    await typeSource(screen, 'log-inspector');
    const gate = flat(await screen.waitFor('Approve these servers and install?', 30_000));
    expect(gate).toContain('environment "log-inspector"');
    expect(gate).toContain('filesystem (stdio, template.json)');
    expect(gate).toContain('{{ .LOG_ROOT }}');
    expect(gate).toMatch(/config-auditor/);
    expect(existsSync(join(station.home.paths.environments, 'log-inspector'))).toBe(false);
    await screen.press('y');
    await screen.waitFor('Install log-inspector: a variable has no value', 30_000);
    // Clear what the form offers, then give the test's folder.
    for (let i = 0; i < 20; i++) await screen.press(KEYS.backspace);
    await screen.waitFor(/› LOG_ROOT\s*$/m);
    await screen.type(station.files);
    await screen.waitFor((f) => flat(f).includes(station.files));
    await screen.press(KEYS.enter);
    await screen.waitFor('Install log-inspector: done', 90_000);
    const frame = await screen.waitFor(/^[ ›]?log-inspector\s+2\s+1\s+14/m);
    expect(flat(frame)).toContain('installed environment log-inspector · synced: 1/1 servers ready, 14 tools');
    expect(flat(frame)).toContain('saved LOG_ROOT to variables.yml');
    const vars = readFileSync(join(station.home.paths.environments, 'log-inspector', 'variables.yml'), 'utf8');
    expect(vars).toContain(`LOG_ROOT: ${station.files}`);
    expect(station.engine.environments.list().map((e) => e.name)).toContain('log-inspector');
  });

  it('a hostile archive is refused with the reason: no gate, nothing installed', async () => {
    const station = await tui.open();
    const file = join(station.home.home, 'evil.tar.gz');
    writeFileSync(
      file,
      tarGz([
        { path: 'template.json', data: '{"mcpServers":{}}' },
        { path: '../../escape.json', data: '{}' },
      ]),
    );
    const screen = await tui.show(station.client, { screen: 'environments', columns: 80, rows: 24 });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await typeSource(screen, file);
    const failed = flat(await screen.waitFor((f) => flat(f).includes('nothing was installed'), 30_000));
    expect(failed).toMatch(/Install .*evil\.tar\.gz: failed/);
    expect(failed).toContain('escape.json');
    expect(failed).not.toContain('Approve');
    expect(readdirSync(station.home.paths.environments)).toEqual(['default']);
    expect(existsSync(join(station.home.home, '..', 'escape.json'))).toBe(false);
  });
});
