// `stn agent run --detach`: the command queues the run and exits 0 at once; a worker executes it (a
// background `stn __worker` it starts, or the home's running `stn serve`) and `stn runs show ID --follow`
// follows it to the end. The built binary, a real home with the filesystem MCP server, the test model server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

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
  // One tool call to the real filesystem server, then the answer.
  model.script((request) =>
    toolMessages(request).length === 0
      ? { toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }] }
      : { text: 'One file: readme.txt.' },
  );
});
afterEach(() => {
  home.cleanup();
});

interface Line {
  type: string;
  runId?: number;
  status?: string;
  exitCode?: number;
  output?: string | null;
  data?: { status?: string };
}

const ndjson = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** `runs show ID --follow --json` until the run ends: every event, then the result record. */
async function follow(id: number): Promise<Line[]> {
  const followed = await runStn(['runs', 'show', String(id), '--follow', '--json'], {
    env: home.envFor(model.url),
  });
  expect(followed.stderr).toBe('');
  expect(followed.code).toBe(0);
  return ndjson(followed.stdout);
}

function expectCompleted(lines: Line[], id: number): void {
  const types = lines.map((l) => l.type);
  expect(types[0]).toBe('run.queued');
  expect(types).toEqual(
    expect.arrayContaining(['run.started', 'tools.ready', 'tool.started', 'tool.finished', 'run.finished']),
  );
  expect(lines.at(-1)).toMatchObject({ type: 'result', runId: id, status: 'completed', exitCode: 0 });
  expect(lines.at(-1)?.output).toBe('One file: readme.txt.');
}

describe('stn agent run --detach', { timeout: 90_000 }, () => {
  it('without a server: queues the run, prints {id, status} and exits 0; a background worker runs it and exits', async () => {
    const r = await runStn(['agent', 'run', 'reader', 'What is there?', '--detach', '--json'], {
      env: home.envFor(model.url),
    });
    expect(r.code).toBe(0);
    const queued = JSON.parse(r.stdout) as { id: number; status: string };
    expect(queued).toEqual({ id: expect.any(Number) as number, status: 'queued' });

    expectCompleted(await follow(queued.id), queued.id);
    const shown = JSON.parse(
      (await runStn(['runs', 'show', String(queued.id), '--json'], { env: home.env })).stdout,
    ) as {
      status: string;
      toolCalls: number;
    };
    expect(shown).toMatchObject({ status: 'completed', toolCalls: 1 });

    // The worker wrote its log under <home>/logs (0600) and exits once the run is done.
    const logs = join(home.home, 'logs');
    const files = readdirSync(logs);
    expect(files).toHaveLength(1);
    await vi.waitFor(
      () => {
        expect(readFileSync(join(logs, files[0]!), 'utf8')).toContain(`ran: ${String(queued.id)}`);
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it('plain: only the id on stdout, where it went and how to follow it on stderr', async () => {
    const r = await runStn(['agent', 'run', 'reader', 'What is there?', '--detach'], { env: home.envFor(model.url) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\n$/);
    const id = Number(r.stdout.trim());
    expect(r.stderr).toContain(`Run ${String(id)} queued for a background worker (pid `);
    expect(r.stderr).toContain(`Follow it: stn runs show ${String(id)} --follow`);
    expectCompleted(await follow(id), id);
  });

  it('bad input fails at once, before anything is queued or started', async () => {
    const r = await runStn(['agent', 'run', 'nope', '--detach', '--json'], { env: home.envFor(model.url) });
    expect(r.code).toBe(3);
    expect(existsSync(join(home.home, 'logs'))).toBe(false);
    const runs = await runStn(['runs', 'list', '--json'], { env: home.env });
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  it('a worker that is killed leaves its run interrupted', async () => {
    const held = new Promise<void>(() => undefined); // the model never answers
    model.script(async () => {
      await held;
      return { text: 'never' };
    });
    const r = await runStn(['agent', 'run', 'reader', 'hi', '--detach'], { env: home.envFor(model.url) });
    expect(r.code).toBe(0);
    const id = Number(r.stdout.trim());
    const pid = Number(/background worker \(pid (\d+)/.exec(r.stderr)?.[1]);
    await model.waitForRequests(1, 30_000);
    process.kill(pid, 'SIGKILL');
    const lines = await runStn(['runs', 'show', String(id), '--follow', '--json'], { env: home.envFor(model.url) });
    expect(ndjson(lines.stdout).at(-1)).toMatchObject({ type: 'result', runId: id, status: 'interrupted' });
  });

  it('with `stn serve` running on the home: the server takes the queued run (no worker is started)', async () => {
    const serve = startStn(['serve', '--port', '0'], home.envFor(model.url));
    try {
      await vi.waitFor(
        () => {
          if (!serve.output().stdout.includes('Station listening on')) throw new Error('not listening yet');
        },
        { timeout: 30_000, interval: 50 },
      );
      const record = JSON.parse(readFileSync(join(home.home, 'run', 'server.json'), 'utf8')) as { pid: number };
      expect(record.pid).toBe(serve.child.pid);

      const r = await runStn(['agent', 'run', 'reader', 'What is there?', '--detach'], {
        env: home.envFor(model.url),
      });
      expect(r.code).toBe(0);
      const id = Number(r.stdout.trim());
      expect(r.stderr).toContain(`Run ${String(id)} queued for stn serve (pid ${String(serve.child.pid)}`);
      expectCompleted(await follow(id), id);
      expect(existsSync(join(home.home, 'logs'))).toBe(false);
      const started = (await follow(id)).find((l) => l.type === 'run.started') as { data?: { pid?: number } };
      expect(started.data?.pid).toBe(serve.child.pid);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
    // A stopped server removes its record: the next detached run gets a worker of its own.
    expect(existsSync(join(home.home, 'run', 'server.json'))).toBe(false);
  });
});
