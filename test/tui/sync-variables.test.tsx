// Sync from the TUI asks for the variables the environment's configs need (secret ones masked), as
// `stn sync` does on a terminal, and saves them the same way; esc cancels and nothing is saved.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYS } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';
import { ROOT_VAR, TOKEN, TOKEN_VAR, answerForm, configureVariables } from './helpers/variables.js';

describe(
  'TUI sync asks for missing variables (local client, real core, server-filesystem)',
  { timeout: 90_000 },
  () => {
    const tui = stationPerTest();

    it('asks in a form, masks the secret, saves the secret to the secret store and the rest to variables.yml, and syncs', async () => {
      const station = await tui.open();
      const file = configureVariables(station);
      const screen = await tui.show(station.client, { screen: 'environments' });
      await answerForm(screen, station.files);
      await screen.press(KEYS.enter);
      const frame = await screen.waitFor('Sync default: done', 30_000);
      expect(frame).toMatch(/✓ 1\/1 servers ready, 14 tools/);
      // The result says where the answers went (names only), as `stn sync` does.
      expect(frame.replace(/\s+/g, ' ')).toContain(
        `saved ${ROOT_VAR} to variables.yml · stored ${TOKEN_VAR} in the secret store`,
      );
      expect(frame).not.toContain(TOKEN);
      const saved = readFileSync(file, 'utf8');
      expect(saved).toContain(`${ROOT_VAR}: ${station.files}`);
      // The hidden answer goes to the encrypted secret store, scoped to the environment, not to the file.
      expect(saved).not.toContain(TOKEN);
      expect(station.engine.secrets.list({ environment: 'default' }).map((s) => [s.name, s.environment])).toEqual([
        [TOKEN_VAR, 'default'],
      ]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // The list takes the keys again: the next sync needs nothing.
      await screen.press('s');
      await screen.waitFor(/✓ 1\/1 servers ready, 14 tools, no changes/, 30_000);
    });

    it('esc cancels: nothing is saved, the sync says so, and the list takes the keys again', async () => {
      const station = await tui.open();
      const file = configureVariables(station);
      const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
      const screen = await tui.show(station.client, { screen: 'environments' });
      await answerForm(screen, station.files);
      await screen.press(KEYS.esc);
      const frame = await screen.waitFor('cancelled: nothing was saved');
      expect(frame).toContain('Sync default: failed');
      expect(existsSync(file) ? readFileSync(file, 'utf8') : null).toBe(before);
      expect(station.engine.mcpServers.tools('default')).toEqual([]);
      // Keys are keys again, not text: ? opens the help overlay.
      await screen.press('?');
      await screen.waitFor('Show or hide all keys');
    });

    it('an empty answer is not submitted: the field says a value is required', async () => {
      const station = await tui.open();
      configureVariables(station);
      const screen = await tui.show(station.client, { screen: 'environments' });
      await screen.waitFor(/default \*/);
      await screen.press('s');
      await screen.waitFor('2 variables have no value', 30_000);
      await screen.press(KEYS.ctrlS);
      const frame = await screen.waitFor('a value is required');
      expect(frame).toContain('2 variables have no value');
      await screen.press(KEYS.esc);
      await screen.waitFor('cancelled: nothing was saved');
    });
  },
);
