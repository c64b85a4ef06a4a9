import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/core/index.js';
import { ROOT, runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';

// The original Station's commands and flags, kept as hidden aliases, and `stn config migrate`.
let temp: TempHome;
let model: ModelServer;
let runId: number;

beforeAll(async () => {
  temp = makeInitializedHome();
  model = await startModelServer({ script: [{ text: 'Hi!', usage: { prompt_tokens: 12, completion_tokens: 3 } }] });
  const engine = openEngine({
    home: temp.home,
    env: { ...process.env, OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-x' },
  });
  try {
    const handle = await (
      await engine.runner()
    ).submit({
      agent: 'hello',
      environment: 'default',
      input: { userInput: 'hi' },
    });
    await handle.done;
    runId = handle.runId;
  } finally {
    await engine.close();
  }
}, 60_000);
afterAll(async () => {
  await model.close();
  temp.cleanup();
});

const stn = (args: string[]) => runStn(args, { env: temp.env });

describe("the original Station's commands and flags", { timeout: 60_000 }, () => {
  it('runs inspect ID [-v] answers as runs show, with a one-line hint on stderr', async () => {
    const show = await stn(['runs', 'show', String(runId), '--json']);
    const inspect = await stn(['runs', 'inspect', String(runId), '-v', '--json']);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toEqual(JSON.parse(show.stdout));
    expect(inspect.stderr).toBe(
      "Note: `stn runs inspect` is the original Station's spelling; Station's is `stn runs show`.\n",
    );
  });

  it('mcp status answers as mcp list; mcp delete --confirm removes as mcp remove --yes', async () => {
    writeFileSync(
      join(temp.paths.environments, 'default', 'extra.json'),
      JSON.stringify({ mcpServers: { spare: { command: 'node', args: ['-e', ''] } } }),
    );
    const list = await stn(['mcp', 'list', '--json']);
    const status = await stn(['mcp', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(JSON.parse(list.stdout));
    expect(status.stderr).toContain('`stn mcp status` is the original Station');
    const deleted = await stn(['mcp', 'delete', 'spare', '--confirm', '--json']);
    expect(deleted.code).toBe(0);
    expect((JSON.parse(deleted.stdout) as { name: string }).name).toBe('spare');
    expect(deleted.stderr.trimEnd().split('\n')).toEqual([
      "Note: `stn mcp delete` is the original Station's spelling; Station's is `stn mcp remove`.",
      "Note: --confirm is the original Station's spelling; Station's is --yes.",
    ]);
  });

  it('agent delete --confirm deletes without asking, as --yes', async () => {
    await stn(['agent', 'create', 'doomed', '--prompt', 'x']);
    const r = await stn(['agent', 'delete', 'doomed', '--confirm', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: 'doomed' });
    expect(r.stderr).toContain('--confirm` is the original');
    expect(existsSync(join(temp.paths.environments, 'default', 'agents', 'doomed.prompt'))).toBe(false);
  });

  it('sync --validate is a dry run; sync -i is accepted with a hint', async () => {
    const r = await stn(['sync', '--validate', '--json']);
    expect((JSON.parse(r.stdout) as { dryRun: boolean }).dryRun).toBe(true);
    expect(r.stderr).toContain('`stn sync --validate` is the original Station');
    const i = await stn(['sync', '-i', '--dry-run', '--json']);
    expect(i.stderr).toContain('`stn sync --interactive` is the original Station');
    expect(() => JSON.parse(i.stdout) as unknown).not.toThrow();
  });

  it('are hidden: not in help, not offered by completion, still in the manifest', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { hidden?: boolean; flags: Record<string, { hidden?: boolean }> }>;
    };
    for (const id of ['runs:inspect', 'mcp:status', 'mcp:delete']) expect(manifest.commands[id]?.hidden).toBe(true);
    expect(manifest.commands.sync?.flags.validate?.hidden).toBe(true);
    expect(manifest.commands['agent:delete']?.flags.confirm?.hidden).toBe(true);
    expect((await stn(['runs', '--help'])).stdout).not.toContain('inspect');
    const mcpHelp = (await stn(['mcp', '--help'])).stdout;
    expect(mcpHelp).not.toMatch(/mcp (status|delete)/);
    expect((await stn(['sync', '--help'])).stdout).not.toMatch(/--validate|--interactive/);
    expect((await stn(['agent', 'delete', '--help'])).stdout).not.toContain('--confirm');
    expect((await stn(['__complete', 'bash', '--', 'runs', ''])).stdout.split('\n')).not.toContain('inspect');
    const mcpWords = (await stn(['__complete', 'bash', '--', 'mcp', ''])).stdout.split('\n');
    expect(mcpWords).not.toContain('status');
    expect(mcpWords).not.toContain('delete');
    const syncFlags = (await stn(['__complete', 'bash', '--', 'sync', '--'])).stdout.split('\n');
    expect(syncFlags).not.toContain('--validate');
    expect(syncFlags).not.toContain('--interactive');
  });
});

describe('stn config migrate', { timeout: 60_000 }, () => {
  it('--dry-run shows the diff; then the file is rewritten with a backup and the notices stop', async () => {
    const original = `${readFileSync(temp.paths.config, 'utf8')}\nai_model: gpt-5-mini\napi_port: 9191\nlocal_mode: true\nlater_tool_key: 1\n`;
    writeFileSync(temp.paths.config, original.replace(/^ {2}name: .*\n/m, '').replace(/^ {2}port: .*\n/m, ''));
    const before = readFileSync(temp.paths.config, 'utf8');
    const notices = await stn(['env', 'list', '--json']);
    expect(notices.stderr).toContain('"ai_model" is the original Station\'s key: read as model.name');
    expect(notices.stderr).toContain('"api_port" is the original Station\'s key: read as server.port');

    const dry = await stn(['config', 'migrate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-ai_model: gpt-5-mini');
    expect(dry.stdout).toContain('+  name: gpt-5-mini');
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(readFileSync(temp.paths.config, 'utf8')).toBe(before);

    const done = await stn(['config', 'migrate', '--json']);
    expect(done.code).toBe(0);
    const result = JSON.parse(done.stdout) as { backup: string; changed: boolean };
    expect(result.changed).toBe(true);
    expect(readFileSync(result.backup, 'utf8')).toBe(before);
    const after = readFileSync(temp.paths.config, 'utf8');
    expect(after).toContain('later_tool_key: 1');
    expect(after).toContain('  name: gpt-5-mini');
    expect(after).toContain('  port: 9191');
    expect(readdirSync(temp.home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const quiet = await stn(['env', 'list', '--json']);
    expect(quiet.stderr).not.toContain('original Station');
  });
});
