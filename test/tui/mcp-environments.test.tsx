import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/core/errors.js';
import { FakeStationClient, freshStation, toolView } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';

describe('TUI environments and MCP screens (real core, server-filesystem)', { timeout: 90_000 }, () => {
  const tui = stationPerTest();

  it('syncs an environment from the Environments screen, with progress and result in place', async () => {
    const station = await tui.open();
    const screen = await tui.show(station.client, { screen: 'environments' });
    let frame = await screen.waitFor(/default \*\s+3\s+0\s+0\s+-/);
    await screen.press('s');
    frame = await screen.waitFor('Sync default: done', 30_000);
    expect(frame).toMatch(/✓ 1\/1 servers ready, 14 tools \(\+14 tools\)/);
    // The counts in the list are reloaded after the sync.
    expect(await screen.waitFor(/default \*\s+3\s+1\s+14\s+\d+s ago/)).toContain('[1 Environments]');
  });

  it('shows the servers recorded at the last sync with their stderr tail, and a live check', async () => {
    const station = await tui.open();
    await station.engine.mcpServers.sync({ environments: ['default'] });
    const screen = await tui.show(station.client, { screen: 'mcp' });
    let frame = await screen.waitFor(/filesystem\s+stdio\s+✓ ready\s+14/);
    expect(frame).toContain('recorded at last sync');
    expect(frame).toContain('── stderr of filesystem');
    expect(frame).toContain('Secure MCP Filesystem Server running on stdio');

    await screen.press('c');
    frame = await screen.waitFor('live check', 30_000);
    expect(frame).toMatch(/filesystem\s+stdio\s+✓ ready\s+14\s+live/);
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('stderr (tail):');
    expect(frame).toContain('filesystem (stdio) · ready · 14 tools · live status');
  });
});

// What the screens make of the client's answers (a failed sync, tools and their schemas) needs no engine.
describe('TUI environments and MCP screens (StationClient fake)', () => {
  const tui = screenPerTest();

  it('a sync that fails says why, in place, and so does a sync that cannot start', async () => {
    const client = new FakeStationClient(freshStation());
    client.sync = (_env, onProgress) => {
      onProgress({ message: 'starting broken', done: 0, total: 1 });
      return Promise.resolve({
        ok: false,
        summary: '0/1 servers ready, 0 tools',
        saved: [],
        errors: ['broken: exited with code 3: boom: no config'],
      });
    };
    const screen = await tui.show(client, { screen: 'environments' });
    await screen.waitFor(/default \*/);
    await screen.press('s');
    let frame = await screen.waitFor('Sync default: failed');
    expect(frame).toContain('✗ 0/1 servers ready, 0 tools · broken: exited with code 3: boom: no config');

    client.sync = () => Promise.reject(new NotFoundError('environment "default" has no template.json'));
    await screen.press('s');
    frame = await screen.waitFor('has no template.json');
    expect(frame).toContain('Sync default: failed');
  });

  it('lists the tools with descriptions, filters them, and opens one with its input schema', async () => {
    const station = freshStation();
    const pathSchema = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };
    station.tools.push(
      toolView({
        server: 'filesystem',
        name: 'read_text_file',
        description: 'Read a file as text.',
        inputSchema: pathSchema,
      }),
      toolView({
        server: 'filesystem',
        name: 'list_directory',
        description: 'List a folder.',
        inputSchema: pathSchema,
      }),
      toolView({
        server: 'filesystem',
        name: 'create_directory',
        description: 'Make a folder.',
        inputSchema: pathSchema,
      }),
      toolView({ server: 'filesystem', name: 'get_file_info', description: 'Size and times of a file.' }),
    );
    const screen = await tui.show(new FakeStationClient(station), { screen: 'mcp' });
    await screen.waitFor(/filesystem\s+stdio/);
    await screen.press('t');
    let frame = await screen.waitFor('MCP tools in default (1/4)');
    expect(frame).toMatch(/filesystem__read_text_file\s+Read a file as text\./);
    await screen.press('/');
    await screen.type('directory');
    frame = await screen.waitFor((f) => !f.includes('read_text_file'));
    expect(frame).toContain('filesystem__list_directory');
    expect(frame).toContain('filesystem__create_directory');
    expect(frame).not.toContain('get_file_info');
    await screen.press(KEYS.enter);
    await screen.waitFor('enter details');
    // Open the selected tool: description and input schema in full.
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('Input schema:');
    expect(frame).toContain('filesystem__list_directory');
    expect(frame).toContain('List a folder.');
    expect(frame).toContain('"properties"');
    expect(frame).toContain('"path"');
    await screen.press(KEYS.esc);
    await screen.waitFor('/ directory');
    await screen.press(KEYS.esc);
    await screen.waitFor('MCP tools in default (1/4)');
  });
});
