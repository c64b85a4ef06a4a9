// The Environments screen packs the selected environment as a bundle (`b`): the file is written where the
// client writes bundles, and its path is shown; the bytes are those of `stn bundle create`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalClient } from '../../src/tui/client/local-client.js';
import { helpSections } from '../../src/tui/keymap.js';
import { stationPerTest } from './helpers/station.js';

describe('TUI bundle create (local client, real core)', { timeout: 60_000 }, () => {
  const tui = stationPerTest();

  it('b writes ENV.tar.gz and shows its path', async () => {
    const station = await tui.open();
    const client = new LocalClient(station.app, { pollMs: 50, bundleDir: station.home.home });
    try {
      const screen = await tui.show(client, { screen: 'environments' });
      await screen.waitFor(/default \*/);
      await screen.press('b');
      const frame = await screen.waitFor('Bundle default: done');
      const path = join(station.home.home, 'default.tar.gz');
      expect(frame.replace(/\s+/g, '')).toContain(`wrote${path}`.replace(/\s+/g, ''));
      expect(readFileSync(path).equals(station.app.local().bundles.create('default').bytes)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('the help overlay lists the key', () => {
    const envs = helpSections().find((s) => s.title === 'Environments');
    expect(envs?.rows.map((r) => r.keys)).toContain('b');
  });
});
