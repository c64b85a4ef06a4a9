import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/core/index.js';
import type { TempHome } from '../../helpers/home.js';
import { expectAllEnded, fixtureHome, pidsIn, tinyEntry, writeTemplate } from './helpers.js';

describe('engine.mcp(): the running pool of an environment', () => {
  let home: TempHome;
  let engine: Engine;
  afterEach(async () => {
    await engine.close();
    home.cleanup();
  });

  it('reuses the pool while the config is unchanged, and replaces it after an edit, letting calls under way finish', async () => {
    const fixture = fixtureHome();
    home = fixture.home;
    const pidFile = join(home.home, 'pids.txt');
    writeTemplate(fixture.envDir, { tiny: tinyEntry('--pid-file', pidFile) });
    engine = openEngine({ home: home.home });

    const first = await engine.mcp('default');
    expect(await engine.mcp('default')).toBe(first);
    expect(first.tools().map((t) => t.name)).not.toContain('t1');
    const firstPids = pidsIn(pidFile);
    expect(firstPids).toHaveLength(1);

    // A slow call is under way on the first pool when the config changes.
    const slow = first.callTool('tiny', 'slow', { steps: 5, stepMs: 100 });
    writeTemplate(fixture.envDir, { tiny: tinyEntry('--pid-file', pidFile, '--extra-tools', '1') });
    const second = await engine.mcp('default');
    expect(second).not.toBe(first);
    expect(second.tools().map((t) => t.name)).toContain('t1');

    // The call started on the old pool completes; then the old server ends.
    const result = await slow;
    expect(result.isError).toBe(false);
    await expectAllEnded(firstPids);
    await expect.poll(() => pidsIn(pidFile).length, { timeout: 10_000, message: 'the new server' }).toBe(2);
    expect((await second.callTool('tiny', 'echo', { text: 'still here' })).text).toContain('still here');
  });

  it('livePool() answers without waiting: starting, then ready; a broken config is failed; nothing starts after close', async () => {
    const fixture = fixtureHome();
    home = fixture.home;
    engine = openEngine({ home: home.home });
    const mcp = engine.mcpServers;

    expect(mcp.livePool('default')).toEqual({ state: 'starting' });
    const pool = await engine.mcp('default');
    expect(mcp.livePool('default')).toEqual({ state: 'ready', pool });

    writeTemplate(fixture.envDir, { tiny: { ...tinyEntry(), call_timeout_ms: 0 } });
    const broken = mcp.livePool('default');
    expect(broken.state).toBe('failed');
    expect(broken.state === 'failed' ? broken.error : '').toMatch(/call_timeout_ms.*expected milliseconds/);
    expect(mcp.livePool('nope')).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('does not exist') as string,
    });

    await engine.close();
    await expect(engine.mcp('default')).rejects.toThrow(/closed/);
  });
});
