// An agent file's key typos (`max_step`) reach the REST agent and the TUI's agent view, local and remote.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Application } from '../../src/core/api/application.js';
import { LocalClient } from '../../src/tui/client/local-client.js';
import { RemoteClient } from '../../src/tui/client/remote-client.js';
import { agentDetailLines } from '../../src/tui/screens/agent-detail.js';
import { startStationForTest, type Station } from '../core/server/station-helpers.js';

describe('agent key typos in REST and the TUI', { timeout: 60_000 }, () => {
  let station: Station | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await station?.stop();
    station = undefined;
  });

  it('GET .../agents/{agent}, the local and the remote client carry them; the agent view lists them', async () => {
    station = await startStationForTest();
    const file = join(station.temp.home, 'environments', 'default', 'agents', 'steps.prompt');
    writeFileSync(file, '---\nmodel: gpt-4o\nmax_step: 3\n---\nHello {{userInput}}\n');
    const warning = `${file}:3:1: unknown key "max_step" (ignored); did you mean "max_steps"?`;

    const rest = await station.api.getAgent('default', 'steps');
    expect(rest.warnings).toEqual([warning]);
    expect((await station.api.getAgent('default', 'hello')).warnings).toEqual([]);

    const local = new LocalClient(new Application(station.engine));
    closers.push(() => local.close());
    const remote = await RemoteClient.connect({ url: station.url, key: station.keys.viewer });
    closers.push(() => remote.close());
    for (const client of [local, remote]) {
      const view = await client.agent('default', 'steps');
      expect(view.warnings).toEqual([warning]);
      const lines = agentDetailLines(view).map((l) => l.text);
      expect(lines).toContain('Warnings (1)');
      expect(lines).toContain(`  ${warning}`);
    }
    const clean = agentDetailLines(await local.agent('default', 'hello')).map((l) => l.text);
    expect(clean.some((l) => l.startsWith('Warnings'))).toBe(false);
  });
});
