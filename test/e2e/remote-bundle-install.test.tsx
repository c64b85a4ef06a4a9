// `stn ui --remote`: `i` installs a bundle on the server through REST: GET /bundles/inspect for the trust
// gate, then POST /bundles/install with the approved configHash; a 422 missing_variables answer opens the
// same variable form as the local TUI and the answers go back in a second request, saved by the core install.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS, type Screen } from '../tui/helpers/screen.js';
import { remoteStationPerTest, writeDataBundle } from './remote-station.js';

/** From the Environments screen: `i`, the bundle folder as source, the default environment, up to the trust gate. */
async function openGate(screen: Screen, folder: string): Promise<string> {
  await screen.waitFor(/default \*/);
  await screen.press('i');
  await screen.waitFor('› source');
  await screen.type(folder);
  await screen.waitFor(folder);
  await screen.press(KEYS.enter);
  await screen.waitFor('› environment');
  await screen.press(KEYS.enter);
  return (await screen.waitFor('Approve these servers and install?')).replace(/\s+/g, ' ');
}

describe('bundle install from the remote TUI', { timeout: 90_000 }, () => {
  const remote = remoteStationPerTest();

  it('gate, then the variable form after the 422, then installed and synced on the server', async () => {
    const { station, url, key } = await remote.serve({ role: 'admin' });
    const folder = writeDataBundle(station.home.home, 'data-bundle');
    const client = await remote.connect({ url, key, reconnectMs: 50 });
    const screen = await remote.render(client, { screen: 'environments', columns: 80, rows: 24 });
    const gate = await openGate(screen, folder);
    expect(gate).toContain('environment "data-bundle"');
    expect(gate).toContain('{{ .DATA_DIR }}');
    await screen.press('y');
    await screen.waitFor('Install data-bundle: a variable has no value');
    await screen.type(station.files);
    await screen.waitFor((f) => f.replace(/\s+/g, '').includes(station.files.replace(/\s+/g, '')));
    await screen.press(KEYS.enter);
    await screen.waitFor('Install data-bundle: done', 60_000);
    const frame = await screen.waitFor(/^[ ›]?data-bundle\s+1\s+1/m);
    expect(frame.replace(/\s+/g, ' ')).toContain('installed environment data-bundle');
    const vars = join(station.home.paths.environments, 'data-bundle', 'variables.yml');
    expect(existsSync(vars)).toBe(true);
    expect(readFileSync(vars, 'utf8')).toContain(`DATA_DIR: ${station.files}`);
  });

  it("offers the bundle's defaults in the form (the server does not apply them unasked), then saves the answer", async () => {
    const { station, url, key } = await remote.serve({ role: 'admin' });
    const folder = writeDataBundle(station.home.home, 'defaults-bundle', {
      'variables.schema.json': JSON.stringify({ properties: { DATA_DIR: { type: 'string', default: station.files } } }),
    });
    const client = await remote.connect({ url, key, reconnectMs: 50 });
    const screen = await remote.render(client, { screen: 'environments', columns: 80, rows: 24 });
    await openGate(screen, folder);
    await screen.press('y');
    // The form opens with the default filled in; enter accepts it.
    const form = await screen.waitFor('Install defaults-bundle: a variable has no value');
    expect(form.replace(/\s+/g, '')).toContain(station.files.replace(/\s+/g, ''));
    await screen.press(KEYS.enter);
    await screen.waitFor('Install defaults-bundle: done', 60_000);
    const vars = join(station.home.paths.environments, 'defaults-bundle', 'variables.yml');
    expect(readFileSync(vars, 'utf8')).toContain(`DATA_DIR: ${station.files}`);
  });
});
