import { userInfo } from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, processesMentioning, startStn, type RunHome } from './run-home.js';

// Runs stopped from outside: Ctrl-C, `stn runs cancel` from another process, and a killed process whose
// run is found `running` the next time Station opens the database.

let model: ModelServer;
let home: RunHome;
beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  model.requests.length = 0;
  // The agent lists its folder (so the filesystem server is running), then the model is slow.
  model.script((request) =>
    request.body.messages.some((m) => m.role === 'tool')
      ? { text: 'too late', delayMs: 60_000 }
      : { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] },
  );
});
afterEach(() => {
  // Whatever a failed test left behind (a server whose parent was killed) is ended by its pid.
  for (const pid of processesMentioning(home.files)) process.kill(pid, 'SIGKILL');
  home.cleanup();
});

function runRow(id = 1) {
  const engine = openEngine({ home: home.home });
  try {
    return { run: engine.runs.show(id), list: engine.runs.list() };
  } finally {
    void engine.close();
  }
}

describe('stopping runs', () => {
  it.each([
    ['SIGINT', 'interrupted by Ctrl-C'],
    ['SIGTERM', 'terminated (SIGTERM)'],
  ] as const)(
    '%s cancels the run cleanly: recorded as cancelled, servers stopped, exit 130',
    async (signal, reason) => {
      const stn = startStn(['agent', 'run', 'reader', 'look', '--json'], home.envFor(model.url));
      await model.waitForRequests(2, 20_000);
      expect(processesMentioning(home.files).length).toBeGreaterThan(0);
      stn.child.kill(signal);
      const code = await stn.exited;
      expect(code).toBe(130);
      const lines = stn
        .output()
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; status?: string; exitCode?: number; data?: { status?: string } });
      expect(lines.at(-2)).toMatchObject({ type: 'run.finished', data: { status: 'cancelled' } });
      expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'cancelled', exitCode: 130 });
      // The model request in flight was closed, and no MCP server is left running.
      await model.waitIdle();
      expect(model.requests[1]!.closedEarly).toBe(true);
      expect(processesMentioning(home.files)).toEqual([]);
      const { run } = runRow();
      expect(run).toMatchObject({ status: 'cancelled', stopReason: 'cancelled', error: { message: reason } });
    },
  );

  it('stn runs cancel from another process stops the run (exit 12)', async () => {
    const stn = startStn(['agent', 'run', 'reader', 'look'], home.envFor(model.url));
    await model.waitForRequests(2, 20_000);
    const cancel = await runStn(['runs', 'cancel', '1', '--json'], { env: home.env });
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toEqual({ id: 1, outcome: 'cancelled', status: 'cancelled' });
    expect(await stn.exited).toBe(12);
    expect(stn.output().stderr).toContain('run 1 cancelled');
    // The reason names the door and who used it, and `runs show` shows it.
    const reason = `cancelled with \`stn runs cancel\` by local:${userInfo().username}`;
    expect(runRow().run.error).toEqual({ code: 'cancelled', message: reason });
    const shown = await runStn(['runs', 'show', '1'], { env: home.env });
    expect(shown.stdout).toContain(reason);
  });

  it('a run left running by a killed process is marked interrupted when Station next opens the database', async () => {
    const stn = startStn(['agent', 'run', 'reader', 'look'], home.envFor(model.url));
    await model.waitForRequests(2, 20_000);
    // While its process lives, another process sees the run as running and leaves it alone.
    const listed = await runStn(['runs', 'list', '--json'], { env: home.env });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 1, status: 'running' }]);

    stn.child.kill('SIGKILL');
    await stn.exited;
    // The filesystem server sees its stdin close and exits by itself.
    await expect.poll(() => processesMentioning(home.files), { timeout: 10_000 }).toEqual([]);

    const { run } = runRow();
    expect(run).toMatchObject({ status: 'interrupted', stopReason: 'interrupted', error: { code: 'interrupted' } });
    expect(run.error!.message).toContain(`pid ${String(stn.child.pid)}`);
    expect(run.events.at(-1)).toMatchObject({ type: 'run.finished', data: { status: 'interrupted' } });
    expect(run.events.map((e) => e.seq)).toEqual(run.events.map((_, i) => i + 1));
    const shown = await runStn(['runs', 'show', '1'], { env: home.env });
    expect(shown.stdout).toContain('interrupted');
  });
});
