import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS } from './helpers/screen.js';
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

  it('a sync that fails says why, in place', async () => {
    const station = await tui.open();
    writeFileSync(
      join(station.home.paths.environments, 'default', 'template.json'),
      JSON.stringify({
        mcpServers: {
          broken: {
            command: process.execPath,
            args: ['-e', 'process.stderr.write("boom: no config\\n"); process.exit(3)'],
          },
        },
      }),
    );
    const screen = await tui.show(station.client, { screen: 'environments' });
    await screen.waitFor(/default \*/);
    await screen.press('s');
    const frame = await screen.waitFor('Sync default: failed', 30_000);
    expect(frame).toMatch(/✗ 0\/1 servers ready/);
    expect(frame).toContain('broken');
  });

  it('shows servers with status and stderr tail, tools with descriptions and schemas, a filter, and a live check', async () => {
    const station = await tui.open();
    await station.engine.mcpServers.sync({ environments: ['default'] });
    const screen = await tui.show(station.client, { screen: 'mcp' });
    let frame = await screen.waitFor(/filesystem\s+stdio\s+✓ ready\s+14/);
    expect(frame).toContain('recorded at last sync');
    expect(frame).toContain('── stderr of filesystem');
    expect(frame).toContain('Secure MCP Filesystem Server running on stdio');

    await screen.press('t');
    frame = await screen.waitFor('MCP tools in default (1/14)');
    expect(frame).toContain('filesystem__read_text_file');
    await screen.press('/');
    await screen.type('directory');
    frame = await screen.waitFor((f) => !f.includes('read_text_file'));
    expect(frame).toContain('filesystem__list_directory');
    expect(frame).toContain('filesystem__create_directory');
    await screen.press(KEYS.enter);
    await screen.waitFor('enter details');
    // Open the selected tool: description and input schema in full.
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('Input schema:');
    expect(frame).toContain('"properties"');
    expect(frame).toContain('"path"');
    await screen.press(KEYS.esc);
    await screen.waitFor('/ directory');
    await screen.press(KEYS.esc);
    await screen.waitFor('MCP tools in default (1/14)');

    await screen.press('t', 'c');
    frame = await screen.waitFor('live check', 30_000);
    expect(frame).toMatch(/filesystem\s+stdio\s+✓ ready\s+14\s+live/);
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('stderr (tail):');
    expect(frame).toContain('filesystem (stdio) · ready · 14 tools · live status');
  });
});
