// `stn ui --remote`: a sync whose configs need variables answers with their list over REST (secret flags,
// never values); the remote TUI asks for them in the same form as the local one and sends the answers in a
// second sync request, which saves them through the same core path (variables.yml, mode 0600).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../src/core/index.js';
import { KEYS } from '../tui/helpers/screen.js';
import { ROOT_VAR, TOKEN, TOKEN_VAR, answerForm, configureVariables } from '../tui/helpers/variables.js';
import { remoteStationPerTest, type Served } from './remote-station.js';

describe('sync with missing variables over REST and the remote TUI', { timeout: 90_000 }, () => {
  const remote = remoteStationPerTest();

  /** A served Station whose template.json needs a path and a token that nothing gives. */
  async function serve(): Promise<Served & { file: string }> {
    let file = '';
    const served = await remote.serve({ role: 'admin', before: (station) => (file = configureVariables(station)) });
    return { ...served, file };
  }

  it('REST: the failed sync lists the missing variables; answering only some saves nothing; all of them sync', async () => {
    const { station, url, key, file } = await serve();
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const api = new ApiClient({ url, key });
    let job = await api.followSync(await api.startSync('default'), { pollMs: 20 });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({
      code: 'missing_variables',
      missing: [
        { name: ROOT_VAR, secret: false, uses: [{ file: 'template.json' }] },
        { name: TOKEN_VAR, secret: true, uses: [{ file: 'template.json' }] },
      ],
    });
    // Only one of the two: nothing saved, both still listed.
    job = await api.followSync(await api.startSync('default', { variables: { [ROOT_VAR]: station.files } }), {
      pollMs: 20,
    });
    expect(job.error?.missing?.map((m) => m.name)).toEqual([ROOT_VAR, TOKEN_VAR]);
    expect(existsSync(file) ? readFileSync(file, 'utf8') : null).toBe(before);
    // A body that is not {variables: {NAME: "value"}} is a 400 naming the field.
    const bad = await api
      .startSync('default', { variables: { [ROOT_VAR]: 3 as unknown as string } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(400);
    expect((bad as ApiError).message).toContain(`variables.${ROOT_VAR}`);

    job = await api.followSync(
      await api.startSync('default', { variables: { [ROOT_VAR]: station.files, [TOKEN_VAR]: TOKEN } }),
      { pollMs: 20 },
    );
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.report?.environments[0]?.variablesSaved).toEqual([ROOT_VAR]);
    expect(job.report?.environments[0]?.secretsStored).toEqual([TOKEN_VAR]);
    expect(JSON.stringify(job)).not.toContain(TOKEN);
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    expect(station.engine.secrets.list({ environment: 'default' }).map((s) => s.name)).toEqual([TOKEN_VAR]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the remote TUI asks in the form (secret masked), esc saves nothing, and the answers are saved on the server', async () => {
    const { station, url, key, file } = await serve();
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const client = await remote.connect({ url, key, syncPollMs: 20 });
    const screen = await remote.render(client, { screen: 'environments' });
    await answerForm(screen, station.files);
    await screen.press(KEYS.esc);
    await screen.waitFor('cancelled: nothing was saved');
    expect(existsSync(file) ? readFileSync(file, 'utf8') : null).toBe(before);

    await answerForm(screen, station.files);
    await screen.press(KEYS.enter);
    const frame = await screen.waitFor('Sync default: done', 30_000);
    expect(frame).toMatch(/✓ 1\/1 servers ready, 14 tools/);
    // The result says where the answers went (names only), as `stn sync` does.
    expect(frame.replace(/\s+/g, ' ')).toContain(
      `saved ${ROOT_VAR} to variables.yml · stored ${TOKEN_VAR} in the secret store`,
    );
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain(`${ROOT_VAR}: ${station.files}`);
    expect(saved).not.toContain(TOKEN);
    expect(station.engine.secrets.list({ environment: 'default' }).map((s) => s.name)).toEqual([TOKEN_VAR]);
  });
});
