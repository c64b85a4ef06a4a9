import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALIAS_BOMB } from '../../helpers/mutate.js';
import { startStationForTest, type Station } from './station-helpers.js';

describe('one bad .prompt never takes down its environment (stn serve in process)', () => {
  let s: Station;
  afterEach(async () => {
    await s.stop();
  });

  it('an alias bomb and an unresolved alias: GET agents is 200 with the others, which still show and run', async () => {
    s = await startStationForTest();
    const agents = join(s.temp.home, 'environments', 'default', 'agents');
    writeFileSync(join(agents, 'bomb.prompt'), `---\nname: bomb\n${ALIAS_BOMB}\n---\nHi`);
    writeFileSync(join(agents, 'alias.prompt'), '---\nname: alias\nmodel: *a\n---\nHi');

    const list = await s.raw('GET', '/api/v1/environments/default/agents');
    expect(list.status).toBe(200);
    expect((list.body as { name: string }[]).map((a) => a.name)).toEqual(['file-explorer', 'hello']);

    expect((await s.raw('GET', '/api/v1/environments/default/agents/hello')).status).toBe(200);
    const started = await s.api.startRun('default', 'hello', { input: { userInput: 'say hi' } });
    const run = await s.waitRun(started.id);
    expect(run.status).toBe('completed');
  });
});
