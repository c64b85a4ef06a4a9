// The same failure ends with the same exit code whichever door it came through: the StationError the
// core API throws, `stn` (bin/run.js) on the same Station home, and core's API client against `stn serve`
// (the server's error body carries the exit code). Needs `npm run build` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, ExitCode, isStationError, type ExitCodeValue, type StationApi } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { startStationForTest, type Station } from '../core/server/station-helpers.js';

/** The exit code a call failed with; the test fails if it did not fail with a StationError. */
async function exitCodeOf(call: () => unknown): Promise<number> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(isStationError(error), `expected a StationError, got ${String(error)}`).toBe(true);
  return (error as { exitCode: number }).exitCode;
}

describe('same exit codes locally and through the API', { timeout: 120_000 }, () => {
  let s: Station;
  let local: StationApi;
  let finishedRun: number;

  /** `stn ARGS` on the server's Station home: its exit code. */
  const stn = async (...args: string[]): Promise<number | null> => {
    const out = await runStn(args, {
      env: { ...s.temp.env, OPENAI_BASE_URL: s.model.url, OPENAI_API_KEY: 'sk-test-model-key' },
    });
    return out.code;
  };

  /** Each door's exit code for the same failure: core API, the CLI, the API client. */
  async function doors(
    core: (api: StationApi) => unknown,
    cli: string[],
    remote: (api: Station['api']) => Promise<unknown>,
  ): Promise<{ core: number; cli: number | null; remote: number }> {
    return {
      core: await exitCodeOf(() => core(local)),
      cli: await stn(...cli),
      remote: await exitCodeOf(() => remote(s.api)),
    };
  }

  const every = (code: ExitCodeValue) => ({ core: code, cli: code, remote: code });

  beforeAll(async () => {
    s = await startStationForTest({ model: { fallback: { text: 'done' } } });
    local = new Application(s.engine).local();
    finishedRun = (await s.api.startRun('default', 'hello', { input: { userInput: 'x' } })).id;
    await s.waitRun(finishedRun);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('not found: an unknown agent, an unknown run', async () => {
    expect(
      await doors(
        (api) => api.agents.get('default', 'nobody'),
        ['agent', 'show', 'nobody'],
        (api) => api.getAgent('default', 'nobody'),
      ),
    ).toEqual(every(ExitCode.NOT_FOUND));
    expect(
      await doors(
        (api) => api.runs.get(999_999),
        ['runs', 'show', '999999'],
        (api) => api.getRun(999_999),
      ),
    ).toEqual(every(ExitCode.NOT_FOUND));
  });

  it('conflict: cancelling a finished run, creating an agent that exists', async () => {
    expect(
      await doors(
        (api) => api.runs.cancel(finishedRun, 'cli'),
        ['runs', 'cancel', String(finishedRun)],
        (api) => api.cancelRun(finishedRun),
      ),
    ).toEqual(every(ExitCode.CONFLICT));
    expect(
      await doors(
        (api) => api.agents.create('default', { name: 'hello', prompt: 'x' }),
        ['agent', 'create', 'hello', '--prompt', 'x'],
        (api) => api.createAgent('default', { name: 'hello', prompt: 'x' }),
      ),
    ).toEqual(every(ExitCode.CONFLICT));
  });

  it('MCP: the tools of a server the environment does not have', async () => {
    expect(
      await doors(
        (api) => api.mcp.tools('default', { server: 'nope' }),
        ['mcp', 'tools', '--server', 'nope'],
        (api) => api.listTools('default', { server: 'nope' }),
      ),
    ).toEqual(every(ExitCode.NOT_FOUND));
  });

  it('bad input: a run whose input fails the agent schema is refused before it is queued', async () => {
    const runsBefore = s.engine.runs.list({}).length;
    expect(
      await doors(
        (api) => api.runs.start('default', 'hello', { userInput: 5 }),
        ['agent', 'run', 'hello', '--input', '{"userInput": 5}'],
        (api) => api.startRun('default', 'hello', { input: { userInput: 5 } }),
      ),
    ).toEqual(every(ExitCode.INVALID));
    expect(s.engine.runs.list({})).toHaveLength(runsBefore);
  });

  it('permission: a viewer starting a run (a local principal with the role, and the key)', async () => {
    const viewer = new Application(s.engine).as({
      keyId: 0,
      name: 'viewer',
      prefix: 'x',
      role: 'viewer',
      environments: ['default'],
    });
    const core = await exitCodeOf(() => viewer.runs.start('default', 'hello', { userInput: 'x' }));
    const remote = await exitCodeOf(() =>
      s.api.withKey(s.keys.viewer).startRun('default', 'hello', { input: { userInput: 'x' } }),
    );
    expect({ core, remote }).toEqual({ core: ExitCode.AUTH, remote: ExitCode.AUTH });
  });
});
