// A change made in the local TUI is audited like any other: one row, actor local:<os user>, door tui.
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { stationPerTest } from './helpers/station.js';

describe('TUI (local client) writes the audit trail', { timeout: 90_000 }, () => {
  const tui = stationPerTest();

  it('a sync started with s is audited as the OS user through the tui door', async () => {
    const station = await tui.open();
    const screen = await tui.show(station.client, { screen: 'environments' });
    await screen.waitFor(/default/);
    await screen.press('s');
    await screen.waitFor('Sync default: done', 30_000);
    const rows = station.engine.audit.list({ action: 'sync' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: `local:${userInfo().username}`,
      door: 'tui',
      action: 'sync',
      target: 'default',
      outcome: 'allowed',
    });
    expect(station.engine.audit.verify().ok).toBe(true);
  });
});
