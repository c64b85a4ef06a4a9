// `stn ui --remote`: `i` installs a bundle on the server through REST: GET /bundles/inspect for the trust
// gate, then POST /bundles/install with the approved configHash; a 422 missing_variables answer opens the
// same variable form as the local TUI and the answers go back in a second request, saved by the core install.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStation, type RunningStation } from '../../src/core/server/serve.js';
import { RemoteClient } from '../../src/tui/client/remote-client.js';
import { KEYS, renderTui, type Screen } from '../tui/helpers/screen.js';
import { FILESYSTEM_SERVER, makeStation, type TuiStation } from '../tui/helpers/station.js';

describe('bundle install from the remote TUI', { timeout: 90_000 }, () => {
  let station: TuiStation | undefined;
  let running: RunningStation | undefined;
  let client: RemoteClient | undefined;
  let screen: Screen | undefined;
  afterEach(async () => {
    screen?.unmount();
    await client?.close();
    await running?.close();
    await station?.close();
    screen = client = running = station = undefined;
  });

  it('gate, then the variable form after the 422, then installed and synced on the server', async () => {
    station = await makeStation();
    const folder = join(station.home.home, 'data-bundle');
    mkdirSync(join(folder, 'agents'), { recursive: true });
    writeFileSync(
      join(folder, 'template.json'),
      JSON.stringify({
        mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '{{ .DATA_DIR }}'] } },
      }),
    );
    writeFileSync(join(folder, 'agents', 'a.prompt'), '---\nmetadata:\n  name: a\n---\nHi {{userInput}}\n');
    running = await startStation(station.engine, { host: '127.0.0.1', port: 0, writeLog: () => undefined, graceMs: 0 });
    const key = station.engine.keys.create({ name: 'tui', role: 'admin' }).key;
    client = await RemoteClient.connect({ url: running.url, key, reconnectMs: 50 });
    screen = await renderTui(client, { screen: 'environments', columns: 80, rows: 24 });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await screen.waitFor('› source');
    await screen.type(folder);
    await screen.waitFor(folder);
    await screen.press(KEYS.enter);
    await screen.waitFor('› environment');
    await screen.press(KEYS.enter);
    const gate = (await screen.waitFor('Approve these servers and install?')).replace(/\s+/g, ' ');
    expect(gate).toContain('environment "data-bundle"');
    expect(gate).toContain('{{ .DATA_DIR }}');
    await screen.press('y');
    await screen.waitFor('Install data-bundle: a variable has no value');
    await screen.type(station.files);
    await screen.waitFor((f) => f.replace(/\s+/g, '').includes(station?.files.replace(/\s+/g, '') ?? ''));
    await screen.press(KEYS.enter);
    await screen.waitFor('Install data-bundle: done', 60_000);
    const frame = await screen.waitFor(/^[ ›]?data-bundle\s+1\s+1/m);
    expect(frame.replace(/\s+/g, ' ')).toContain('installed environment data-bundle');
    const vars = join(station.home.paths.environments, 'data-bundle', 'variables.yml');
    expect(existsSync(vars)).toBe(true);
    expect(readFileSync(vars, 'utf8')).toContain(`DATA_DIR: ${station.files}`);
  });
  it("offers the bundle's defaults in the form (the server does not apply them unasked), then saves the answer", async () => {
    station = await makeStation();
    const folder = join(station.home.home, 'defaults-bundle');
    mkdirSync(join(folder, 'agents'), { recursive: true });
    writeFileSync(
      join(folder, 'template.json'),
      JSON.stringify({
        mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '{{ .DATA_DIR }}'] } },
      }),
    );
    writeFileSync(
      join(folder, 'variables.schema.json'),
      JSON.stringify({ properties: { DATA_DIR: { type: 'string', default: station.files } } }),
    );
    writeFileSync(join(folder, 'agents', 'a.prompt'), '---\nmetadata:\n  name: a\n---\nHi {{userInput}}\n');
    running = await startStation(station.engine, { host: '127.0.0.1', port: 0, writeLog: () => undefined, graceMs: 0 });
    const key = station.engine.keys.create({ name: 'tui', role: 'admin' }).key;
    client = await RemoteClient.connect({ url: running.url, key, reconnectMs: 50 });
    screen = await renderTui(client, { screen: 'environments', columns: 80, rows: 24 });
    await screen.waitFor(/default \*/);
    await screen.press('i');
    await screen.waitFor('› source');
    await screen.type(folder);
    await screen.waitFor(folder);
    await screen.press(KEYS.enter);
    await screen.waitFor('› environment');
    await screen.press(KEYS.enter);
    await screen.waitFor('Approve these servers and install?');
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
