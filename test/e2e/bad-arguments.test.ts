// Exit 1 is for bugs only: every command in oclif.manifest.json, given a user's mistake (an unknown flag, a
// missing argument, a bad value, something that does not exist, a --home that is an empty folder), ends
// with a documented code other than 1 and prints no stack trace. `ui` needs a terminal and `serve` and
// `stdio` keep running, so they are left out of the loop; serve's busy port has its own test below.
// The ~500 cases run in this process, through the built commands and oclif as `stn` runs them (one at a time,
// in a scratch folder); a sample of every kind of mistake also runs through the real binary, as a child.
// Needs `npm run build` first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/index.js';
import { ROOT, runCommand, runStn, type CliResult } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

interface ManifestArg {
  required?: boolean;
}
interface ManifestFlag {
  type: 'boolean' | 'option';
  options?: string[];
}
interface ManifestCommand {
  args: Record<string, ManifestArg>;
  flags: Record<string, ManifestFlag>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>;
};
const SKIPPED = new Set(['ui', 'serve', 'stdio']);
/** Commands that only run as a child (the run worker handles signals and runs a queue). */
const CHILD_ONLY = new Set(['__worker']);
/** Positional arguments that are numeric ids (runs, webhooks). */
const RUN_ID_ARGS = new Set([
  'runs:show/id',
  'runs:watch/id',
  'runs:cancel/id',
  'runs:inspect/id',
  'webhook:rm/id',
  'webhook:test/id',
  'webhook:redeliver/id',
]);
/** A trace line of a Node stack: `    at fn (file:///x.js:1:2)`. */
const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/m;

interface Case {
  argv: string[];
  why: string;
  /** The exit code this mistake must give, when the test knows it; otherwise anything but 1 is fine (some
   * "mistakes" are legal: an agent may be named -3, `init` makes an empty --home a Station home). */
  want?: number;
}

/**
 * Placeholder values for a command's required arguments: names that do not exist, one per command, so
 * what `agent create` makes is never what `agent run` looks for (no case depends on another's order).
 */
function requiredArgs(id: string, command: ManifestCommand): string[] {
  return Object.entries(command.args)
    .filter(([, arg]) => arg.required === true)
    .map(([name]) => (RUN_ID_ARGS.has(`${id}/${name}`) ? '999999' : `missing-${id.replace(':', '-')}`));
}

function casesOf(id: string, command: ManifestCommand, scratch: () => string): Case[] {
  const base = id.split(':');
  const fill = requiredArgs(id, command);
  const cases: Case[] = [
    { argv: [...base, ...fill, '--no-such-flag'], why: 'unknown flag', want: ExitCode.USAGE },
    { argv: [...base, ...fill], why: 'a name or id that does not exist' },
    { argv: [...base, ...fill, '--home', scratch()], why: '--home is an empty folder' },
  ];
  if (fill.length > 0) cases.push({ argv: base, why: 'missing required argument', want: ExitCode.USAGE });
  const argNames = Object.keys(command.args);
  argNames.forEach((name, index) => {
    const before = fill.slice(0, index);
    const after = fill.slice(index + 1);
    const isRunId = RUN_ID_ARGS.has(`${id}/${name}`);
    for (const bad of isRunId ? ['abc', '-3', '0', '1.5'] : ['../x']) {
      cases.push({
        argv: [...base, ...before, bad, ...after],
        why: `argument ${name} = ${JSON.stringify(bad)}`,
        ...(isRunId ? { want: ExitCode.INVALID } : {}),
      });
    }
  });
  for (const [name, flag] of Object.entries(command.flags)) {
    if (flag.type !== 'option' || name === 'home') continue;
    // An option flag with a value that is not a number, not one of its options, and not a known name.
    cases.push({ argv: [...base, ...fill, `--${name}`, 'abc'], why: `--${name} abc` });
  }
  return cases;
}

/** Runs `tasks` with at most `width` at a time (two cores are shared). */
async function pool<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Commands whose every case also runs through the real binary: one of each kind of argument and flag. */
const SAMPLED = new Set(['runs:show', 'agent:run', 'env:create', 'bundle:install', 'webhook:add', 'env:list']);

/** The command id of a case (`agent run ...` gives `agent:run`), as the manifest names it. */
function commandOf(c: Case): string {
  const words: string[] = [];
  for (const word of c.argv) {
    const id = [...words, word].join(':');
    if (!Object.keys(manifest.commands).some((k) => k === id || k.startsWith(`${id}:`))) break;
    words.push(word);
  }
  return words.join(':');
}

/**
 * Runs `stn ARGV` in this process through oclif, as the binary does after its argument handling; an exception
 * that escapes the command (none should: BaseCommand.catch maps every error to an exit code) counts as exit 1.
 */
async function runInProcess(c: Case, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const id = commandOf(c);
  try {
    return await runCommand([id, ...c.argv.slice(id.split(':').length)], env);
  } catch (error) {
    return {
      code: ExitCode.ERROR,
      stdout: '',
      stderr: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

function problem(c: Case, out: CliResult): string | undefined {
  const output = `${out.stdout}\n${out.stderr}`;
  const show = (): string => `stn ${c.argv.join(' ')} (${c.why}) exited ${String(out.code)}:\n${output.trim()}`;
  if (out.code === ExitCode.ERROR) return `exit 1, kept for bugs: ${show()}`;
  if (STACK_LINE.test(output)) return `stack trace without --debug: ${show()}`;
  if (c.want !== undefined && out.code !== c.want) return `expected exit ${String(c.want)}: ${show()}`;
  return undefined;
}

describe('bad arguments never exit 1', { timeout: 900_000 }, () => {
  let temp: TempHome;
  const scratchDirs: string[] = [];
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'station-bad-args-'));
    scratchDirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    temp = makeInitializedHome();
    // No MCP server: sync and mcp check would start one (npx) for every case, which only costs time here.
    const template = join(temp.paths.environments, 'default', 'template.json');
    writeFileSync(template, JSON.stringify({ name: 'default', mcpServers: {} }, null, 2));
  });
  afterAll(() => {
    temp.cleanup();
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('every command in the manifest, with every kind of mistake', { timeout: 900_000 }, async () => {
    const ids = Object.keys(manifest.commands).filter((id) => !SKIPPED.has(id));
    expect(ids).toContain('runs:show');
    const cases = ids.flatMap((id) => casesOf(id, manifest.commands[id] as ManifestCommand, scratch));
    const cwd = scratch();
    const env = { ...temp.env, EDITOR: 'false', VISUAL: 'false', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const report = (found: string | undefined): string | undefined => {
      if (found !== undefined && process.env.STATION_TEST_LOG !== undefined) process.stderr.write(found + '\n\n');
      return found;
    };
    const asChild = (c: Case): Promise<string | undefined> =>
      runStn(c.argv, { env, cwd, timeoutMs: 60_000 }).then((out) => report(problem(c, out)));

    // In this process, one at a time (output is captured per command), in the scratch folder.
    const problems: (string | undefined)[] = [];
    const home = process.cwd();
    process.chdir(cwd);
    try {
      for (const c of cases.filter((x) => !CHILD_ONLY.has(commandOf(x)))) {
        problems.push(report(problem(c, await runInProcess(c, env))));
      }
    } finally {
      process.chdir(home);
    }
    // As children: the commands that only run so, and the first case of every kind of mistake for a few
    // commands, so the real binary (bin/run.js, main's argument handling, oclif's exit) is covered too.
    const sample = cases.filter((c) => CHILD_ONLY.has(commandOf(c)) || SAMPLED.has(commandOf(c)));
    problems.push(...(await pool(sample, 4, asChild)));
    expect(sample.length).toBeGreaterThan(20);
    expect(problems.filter((p) => p !== undefined)).toEqual([]);
  });

  it('a bad run id names what was expected, in text and --json', async () => {
    for (const command of ['show', 'cancel']) {
      const out = await runStn(['runs', command, 'abc'], { env: temp.env });
      expect(out.code).toBe(ExitCode.INVALID);
      expect(out.stderr).toContain('run id must be a positive integer, got "abc"');
    }
    const json = await runStn(['runs', 'show', '-3', '--json'], { env: temp.env });
    expect(json.code).toBe(ExitCode.INVALID);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'invalid', exitCode: ExitCode.INVALID, message: 'run id must be a positive integer, got "-3"' },
    });
  });
});

describe('stn serve on a busy port', { timeout: 60_000 }, () => {
  let temp: TempHome;
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    temp = makeInitializedHome();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    temp.cleanup();
  });

  it('exits PORT_IN_USE naming the port, with a hint', async () => {
    const out = await runStn(['serve', '--host', '127.0.0.1', '--port', String(port)], { env: temp.env });
    expect(out.code).toBe(ExitCode.PORT_IN_USE);
    expect(out.stderr).toContain(`port ${String(port)} on 127.0.0.1 is in use`);
    expect(out.stderr).toContain('--port');
    expect(out.stderr).not.toMatch(STACK_LINE);
  });

  it('--json gives the same code and message', async () => {
    const out = await runStn(['serve', '--port', String(port), '--host', '127.0.0.1', '--json'], { env: temp.env });
    expect(out.code).toBe(ExitCode.PORT_IN_USE);
    expect(JSON.parse(out.stdout)).toMatchObject({
      error: { code: 'port_in_use', exitCode: ExitCode.PORT_IN_USE, details: { host: '127.0.0.1', port } },
    });
  });
});
