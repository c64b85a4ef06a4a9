import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRunHome, type RunHome } from '../../e2e/run-home.js';
import { runStn, startStn, type StnProcess } from '../../helpers/cli.js';
import { startModelServer, type ModelServer } from '../../helpers/model-server.js';

// `stn runs show ID --follow` / `stn runs watch ID` in one process, while `stn agent run` runs the run in
// another: the built binary, a real Station home, and the test model server holding the first model call
// until the test releases it (so the run is certainly running while the follower attaches).

let model: ModelServer;
let home: RunHome;
let release: () => void = () => undefined;
const children: StnProcess[] = [];

beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  model.requests.length = 0;
  const held = new Promise<void>((resolve) => (release = resolve));
  model.script(async () => {
    await held;
    return { text: 'Hello from afar.', usage: { prompt_tokens: 9, completion_tokens: 4 } };
  });
});
afterEach(async () => {
  release();
  for (const child of children.splice(0)) await child.done;
  home.cleanup();
});

interface Line {
  type: string;
  runId: number;
  seq?: number;
  status?: string;
  exitCode?: number;
  output?: string | null;
}

function ndjson(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

function start(args: string[]): StnProcess {
  // The runner lives through a whole test: 90 s on a loaded machine (startStn kills at its timeout).
  const child = startStn(args, { env: home.envFor(model.url), timeoutMs: 90_000 });
  children.push(child);
  return child;
}

/** Starts `stn agent run hello` in the background and returns it once its model call is held (running). */
async function runningRun(extra: string[] = []): Promise<{ runner: StnProcess; id: string }> {
  const runner = start(['agent', 'run', 'hello', 'Say hi', ...extra]);
  await model.waitForRequests(1, 20_000);
  const list = await runStn(['runs', 'list', '--json'], { env: home.envFor(model.url) });
  const runs = JSON.parse(list.stdout) as { id: number; status: string }[];
  expect(runs.map((r) => r.status)).toEqual(['running']);
  return { runner, id: String(runs[0]!.id) };
}

describe('stn runs show --follow', { timeout: 120_000 }, () => {
  it('--json streams the recorded events, then the live ones, as agent run --json prints them, and exits 0', async () => {
    const { runner, id } = await runningRun(['--json']);
    const follower = start(['runs', 'show', id, '--follow', '--json']);
    // What was recorded before it attached comes first.
    await expect.poll(() => follower.stdout(), { timeout: 15_000 }).toContain('"type":"model.request"');
    expect(follower.stdout()).not.toContain('run.finished');
    release();
    const [followed, ran] = await Promise.all([follower.done, runner.done]);
    expect(followed.stderr).toBe('');
    expect(followed.code).toBe(0);
    expect(ran.code).toBe(0);
    const lines = ndjson(followed.stdout);
    const events = lines.slice(0, -1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('run.finished');
    // The very events the runner printed, in the same shape.
    expect(events).toEqual(ndjson(ran.stdout).slice(0, -1));
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      runId: Number(id),
      status: 'completed',
      output: 'Hello from afar.',
      exitCode: 0,
    });
  });

  it('runs watch draws the trace; Ctrl-C stops following (130) and leaves the run going; a later follow sees the end', async () => {
    const { runner, id } = await runningRun();
    const watcher = start(['runs', 'watch', id]);
    await expect.poll(() => watcher.stdout(), { timeout: 15_000 }).toContain(`run ${id} · agent hello · env default`);
    watcher.kill('SIGINT');
    const stopped = await watcher.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Stopped following run ${id}; it goes on.`);
    const still = await runStn(['runs', 'list', '--json'], { env: home.envFor(model.url) });
    expect((JSON.parse(still.stdout) as { status: string }[])[0]!.status).toBe('running');

    const follower = start(['runs', 'show', id, '-f']);
    await expect.poll(() => follower.stdout(), { timeout: 15_000 }).toContain(`run ${id} · agent hello`);
    release();
    const [followed, ran] = await Promise.all([follower.done, runner.done]);
    expect(ran.code).toBe(0);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/step 1 · model \S+ · tokens 9→4 · answer/);
    expect(followed.stdout).toMatch(/completed · \S+ · 1 step · 0 tool calls · 13 tokens/);
    expect(followed.stdout).toContain('--- answer ---\nHello from afar.\n');
  });

  it('ends when the process running the run dies: the run is settled as interrupted (exit 10)', async () => {
    const { runner, id } = await runningRun();
    const follower = start(['runs', 'show', id, '--follow', '--json']);
    await expect.poll(() => follower.stdout(), { timeout: 15_000 }).toContain('"type":"model.request"');
    runner.kill('SIGKILL');
    const followed = await follower.done;
    expect(followed.code).toBe(10);
    expect(ndjson(followed.stdout).at(-1)).toMatchObject({ type: 'result', status: 'interrupted', exitCode: 10 });
  });

  it('a finished run prints its trace and exits at once with its exit code; an unknown run is exit 3', async () => {
    model.script([{ status: 400, error: { message: 'bad model' } }]);
    const ran = await runStn(['agent', 'run', 'hello', 'Say hi'], { env: home.envFor(model.url) });
    expect(ran.code).toBe(10);
    const shown = await runStn(['runs', 'watch', '1'], { env: home.envFor(model.url) });
    expect(shown.code).toBe(10);
    expect(shown.stdout).toContain('run 1 · agent hello');
    expect(shown.stdout).toMatch(/failed .*bad model/);
    expect(shown.stderr).toMatch(/Error: run 1 failed: .*bad model/);
    const json = await runStn(['runs', 'show', '1', '--follow', '--json'], { env: home.envFor(model.url) });
    expect(json.code).toBe(10);
    expect(ndjson(json.stdout).at(-1)).toMatchObject({ type: 'result', status: 'failed', exitCode: 10 });
    const unknown = await runStn(['runs', 'watch', '99'], { env: home.envFor(model.url) });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('run 99');
  });
});
