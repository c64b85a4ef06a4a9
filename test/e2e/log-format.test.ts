// Diagnostics of every command on stderr, through the built `stn` (needs `npm run build`): text on a terminal,
// JSON lines when stderr is a pipe or with --log-format json (STATION_LOG_FORMAT), filtered by --log-level; the
// runner's lines carry run id and environment; a CLI run is traced to the OTLP endpoint of config.yaml and the
// spans are sent before the command exits.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStn, runStnOnTerminal } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { startCollector, type Collector } from '../helpers/otlp-collector.js';
import { makeRunHome, type RunHome } from './run-home.js';

const TRACE = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));

/** The lines of stderr, each parsed (every one must be JSON). */
function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** stn's own default: no STATION_LOG_FORMAT (runStn sets text for the other tests). */
const DEFAULT = { STATION_LOG_FORMAT: '' };

describe('errors and warnings', () => {
  let empty: TempHome;
  beforeAll(() => {
    empty = makeTempHome();
  });
  afterAll(() => empty.cleanup());

  it('stderr a pipe: the error is one JSON line with time, level, command, code, hints and exit code', async () => {
    const out = await runStn(['env', 'list'], { env: { ...empty.env, ...DEFAULT } });
    expect(out.code).toBe(6);
    expect(out.stdout).toBe('');
    const [line, ...rest] = jsonLines(out.stderr);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'error',
      msg: `Station is not initialized at ${empty.home}`,
      command: 'env list',
      code: 'config',
      exitCode: 6,
      hints: [expect.stringContaining('stn init')],
    });
    expect(Date.parse(String(line?.ts))).not.toBeNaN();
  });

  it('--log-format text (or STATION_LOG_FORMAT=text) writes it for a person; the flag may come first', async () => {
    const flag = await runStn(['--log-format', 'text', 'env', 'list'], { env: { ...empty.env, ...DEFAULT } });
    expect(flag.stderr).toBe(
      `Error: Station is not initialized at ${empty.home}\n  → Run \`stn init\` to create it, or point --home / STATION_HOME at an existing Station home.\n`,
    );
    const env = await runStn(['env', 'list'], { env: { ...empty.env, STATION_LOG_FORMAT: 'text' } });
    expect(env.stderr).toBe(flag.stderr);
  });

  it('on a terminal, text; --log-format json there writes JSON', async () => {
    const text = await runStnOnTerminal(['env', 'list'], { env: { ...empty.env, ...DEFAULT } });
    expect(text.screen).toContain(`Error: Station is not initialized at ${empty.home}`);
    const json = await runStnOnTerminal(['env', 'list', '--log-format', 'json'], {
      env: { ...empty.env, ...DEFAULT },
    });
    expect(json.screen).toContain('"level":"error"');
    expect(json.screen).not.toContain('Error:');
  });

  it('an unknown command and a bad STATION_LOG_LEVEL are reported the same way', async () => {
    const unknown = await runStn(['envs'], { env: { ...empty.env, ...DEFAULT } });
    expect(unknown.code).toBe(2);
    expect(jsonLines(unknown.stderr)[0]).toMatchObject({ level: 'error', code: 'usage', exitCode: 2 });
    const bad = await runStn(['env', 'list'], { env: { ...empty.env, ...DEFAULT, STATION_LOG_LEVEL: 'loud' } });
    expect(bad.code).toBe(2);
    expect(jsonLines(bad.stderr)[0]).toMatchObject({
      level: 'error',
      msg: 'STATION_LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
    });
  });
});

describe('a command that warns and runs an agent', () => {
  let home: RunHome;
  let model: ModelServer;
  let collector: Collector;
  beforeAll(async () => {
    home = makeRunHome();
    model = await startModelServer({ fallback: { text: 'Hello from the model.' } });
    collector = await startCollector();
    // A typo (a warning on every command) and the traces' endpoint.
    appendFileSync(
      home.paths.config,
      `\nruner:\n  workers: 2\ntelemetry:\n  otlp_endpoint: ${collector.url}\n  service_name: stn-cli\n`,
    );
  });
  afterAll(async () => {
    await model.close();
    await collector.close();
    home.cleanup();
  });

  it('a warning is a warn line; --log-level error drops it; stdout is untouched', async () => {
    const env = { ...home.env, ...DEFAULT };
    const out = await runStn(['env', 'list'], { env });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('default');
    const [warning] = jsonLines(out.stderr);
    expect(warning).toMatchObject({ level: 'warn', command: 'env list' });
    expect(String(warning?.msg)).toMatch(/config\.yaml:\d+:\d+: unknown key "runer".*"runner"/);
    const quiet = await runStn(['env', 'list', '--log-level', 'error'], { env });
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(out.stdout);
  });

  it('agent run: the runner’s lines carry run id, agent and environment, never the key; the run is traced', async () => {
    const env = { ...home.envFor(model.url), ...DEFAULT };
    const out = await runStn(['agent', 'run', 'hello', '--input', '{"userInput":"hi"}', '--log-level', 'debug'], {
      env,
      timeoutMs: 60_000,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('Hello from the model.');
    expect(out.stderr).not.toContain('sk-e2e-secret-key-123');
    const lines = jsonLines(out.stderr);
    const started = lines.find((l) => l.msg === 'run started');
    expect(started).toMatchObject({ level: 'info', command: 'agent run', agent: 'hello', environment: 'default' });
    const runId = started?.runId;
    expect(typeof runId).toBe('number');
    expect(lines.find((l) => l.msg === 'model request')).toMatchObject({
      level: 'debug',
      runId,
      environment: 'default',
    });
    expect(lines.find((l) => l.msg === 'run finished')).toMatchObject({
      level: 'info',
      runId,
      environment: 'default',
      status: 'completed',
    });
    // The command closed its engine, which sent the spans before it exited.
    const spans = collector.spans();
    const run = spans.find((s) => s.name === 'invoke_agent hello');
    expect(run?.attrs).toMatchObject({ 'station.run_id': runId, 'station.environment': 'default' });
    expect(spans.filter((s) => s.name.startsWith('chat ') && s.parentSpanId === run?.spanId)).toHaveLength(1);
  });

  it('a failed run is one error line with its run id, environment, status and where to look', async () => {
    model.script([{ status: 400, error: { message: 'refused by the test' } }]);
    const out = await runStn(['agent', 'run', 'hello', '--input', '{"userInput":"hi"}'], {
      env: { ...home.envFor(model.url), ...DEFAULT },
      timeoutMs: 60_000,
    });
    expect(out.code).not.toBe(0);
    const failed = jsonLines(out.stderr).find((l) => l.level === 'error');
    expect(failed).toMatchObject({
      command: 'agent run',
      agent: 'hello',
      environment: 'default',
      status: 'failed',
      hints: [expect.stringMatching(/^See the whole trace: stn runs show \d+$/)],
    });
    expect(String(failed?.msg)).toMatch(/^run \d+ failed: .*refused by the test/);
    expect(out.stderr).not.toContain('sk-e2e-secret-key-123');
  });

  it('without telemetry.otlp_endpoint nothing is sent and the SDK is not loaded', async () => {
    writeFileSync(home.paths.config, 'model:\n  name: test-model\n');
    const before = collector.posts.length;
    const traceFile = join(home.home, 'imports.txt');
    writeFileSync(traceFile, '');
    const env: NodeJS.ProcessEnv = {
      ...home.envFor(model.url),
      NODE_OPTIONS: `--import=${TRACE}`,
      STATION_TRACE_IMPORTS: traceFile,
    };
    delete env.NODE_ENV;
    const out = await runStn(['agent', 'run', 'hello', '--input', '{"userInput":"hi"}'], { env, timeoutMs: 60_000 });
    expect(out.code, out.stderr).toBe(0);
    expect(collector.posts.length).toBe(before);
    const loaded = readFileSync(traceFile, 'utf8');
    expect(loaded).toContain('/node_modules/openai/');
    expect(loaded).not.toContain('/node_modules/@opentelemetry/');
  });
});
