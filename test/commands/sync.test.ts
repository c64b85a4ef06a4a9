// `stn sync` end to end: the built CLI spawned against a temporary Station home with real fixture servers.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runStn } from '../helpers/cli.js';
import type { TempHome } from '../helpers/home.js';
import {
  dumpDatabase,
  dumpFiles,
  expectAllEnded,
  fixtureHome,
  isRunning,
  pidsIn,
  tinyEntry,
  writeAgent,
  writeTemplate,
} from '../core/mcp/helpers.js';

let home: TempHome;
let envDir: string;

beforeEach(() => {
  ({ home, envDir } = fixtureHome());
});
afterEach(() => {
  home.cleanup();
});

const agent = (name: string, tools: string[]): void => {
  writeAgent(envDir, name, tools);
};
const dbDump = (): string => dumpDatabase(home.paths.database);
const filesDump = (): string => dumpFiles(home.home);

describe('stn sync', { timeout: 120_000 }, () => {
  it('prints a server table and the plan, plain when piped', async () => {
    agent('helper', ['__echo']);
    const r = await runStn(['sync'], { env: home.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default {2}1 server, 5 tools, /);
    expect(r.stdout).toMatch(/SERVER\s+TRANSPORT\s+STATUS\s+TOOLS\s+TIME\s+CONFIG/);
    expect(r.stdout).toMatch(/tiny\s+stdio\s+ready\s+5\s+\S+\s+template\.json \(added\)/);
    expect(r.stdout).toContain('+ tiny__echo');
    expect(r.stdout).toContain('Agents: 1 added, 0 updated, 0 removed');
    expect(r.stdout).toContain('Agent tools: 1 ok');
    // Not a terminal: no colour codes, no spinner frames.
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).not.toMatch(/\r|⠋/);

    const again = await runStn(['sync'], { env: home.env });
    expect(again.stdout).toContain('Changes: none since the last sync');
  });

  it('--json prints the report with a stable shape', async () => {
    const r = await runStn(['sync', 'default', '--json'], { env: home.env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      dryRun: false,
      ok: true,
      environments: [
        {
          environment: 'default',
          dryRun: false,
          servers: [
            { name: 'tiny', file: 'template.json', transport: 'stdio', status: 'ready', tools: 5, change: 'added' },
          ],
          plan: { serversAdded: ['tiny'], serversRemoved: [], serversChanged: [], toolsRemoved: [], toolsChanged: [] },
          agents: { indexed: { added: [], updated: [], removed: [], errors: [] }, checks: [] },
          variablesSaved: [],
          secretsStored: [],
          problems: [],
          ok: true,
        },
      ],
      error: null,
    });
  });

  it('exits 8 when a server fails, showing why and its stderr, with secrets masked; no process is left', async () => {
    const pidFile = join(home.home, 'pids');
    writeTemplate(envDir, {
      tiny: tinyEntry('--pid-file', pidFile),
      broken: tinyEntry('--pid-file', pidFile, '--fail-start', 'login refused for {{ .API_TOKEN }}'),
    });
    const r = await runStn(['sync', '--var', 'API_TOKEN=tok_9f8e7d6c5b4a'], { env: home.env });
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/broken\s+stdio\s+failed/);
    expect(r.stdout).toContain('✗ broken: exited with code 3 before it finished starting');
    expect(r.stdout).toContain('│ login refused for [secret:API_TOKEN]');
    expect(r.stderr).toContain('Error: sync found 1 problem: MCP server "broken" failed');
    expect(r.stdout + r.stderr).not.toContain('tok_9f8e7d6c5b4a');

    const json = await runStn(['sync', '--json', '--var', 'API_TOKEN=tok_9f8e7d6c5b4a'], { env: home.env });
    expect(json.code).toBe(8);
    // The same report as on success, with ok: false, each server's error, and the error that failed the command.
    const out = JSON.parse(json.stdout) as {
      ok: boolean;
      dryRun: boolean;
      environments: { ok: boolean; servers: { name: string; status: string; error?: string; stderrTail?: string }[] }[];
      error: { code: string; exitCode: number; message: string; hints: string[] };
    };
    expect(Object.keys(out).sort()).toEqual(['dryRun', 'environments', 'error', 'ok']);
    expect(out.ok).toBe(false);
    expect(out.error).toMatchObject({ code: 'sync_failed', exitCode: 8 });
    expect(out.error.message).toContain('MCP server "broken" failed');
    expect(out.environments[0]?.ok).toBe(false);
    expect(out.environments[0]?.servers[0]).toMatchObject({ name: 'tiny', status: 'ready' });
    expect(out.environments[0]?.servers[1]).toMatchObject({ name: 'broken', status: 'failed' });
    expect(out.environments[0]?.servers[1]?.error).toContain('exited with code 3');
    expect(out.environments[0]?.servers[1]?.stderrTail).toBe('login refused for [secret:API_TOKEN]');
    expect(json.stdout).not.toContain('tok_9f8e7d6c5b4a');
    expect(dbDump()).not.toContain('tok_9f8e7d6c5b4a');

    const pids = pidsIn(pidFile);
    expect(pids).toHaveLength(4);
    await expectAllEnded(pids);
  });

  it('exits 5 when an agent names a missing tool; --allow-missing makes it a warning', async () => {
    agent('lost', ['__nope']);
    const r = await runStn(['sync'], { env: home.env });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('✗ "lost" uses __nope: no server provides it');
    expect(r.stderr).toContain('agent "lost" uses tool "__nope", which no server of "default" provides');
    const json = await runStn(['sync', '--json'], { env: home.env });
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, environments: [{ ok: false }], error: { exitCode: 5 } });
    const lenient = await runStn(['sync', '--allow-missing'], { env: home.env });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('warning: agent "lost" uses tool "__nope"');
  });

  it('without a terminal, missing variables are listed with their files and the command fails (exit 6)', async () => {
    writeTemplate(envDir, { tiny: { ...tinyEntry('{{ .ROOT_DIR }}'), env: { GH_TOKEN: '{{ .GH_TOKEN }}' } } });
    const before = readFileSync(join(envDir, 'variables.yml'), 'utf8');
    const r = await runStn(['sync'], { env: home.env });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`Error: 2 variables have no value: ROOT_DIR (${join(envDir, 'template.json')}:`);
    expect(r.stderr).toContain('GH_TOKEN (');
    expect(r.stderr).toContain('pass --var NAME=VALUE');
    expect(readFileSync(join(envDir, 'variables.yml'), 'utf8')).toBe(before);
    // Refused before any server started: --json still prints the report's shape, with no environments.
    const json = await runStn(['sync', '--json'], { env: home.env });
    expect(json.code).toBe(6);
    const out = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ dryRun: false, ok: false, environments: [], error: { exitCode: 6 } });
    expect(Object.keys(out).sort()).toEqual(['dryRun', 'environments', 'error', 'ok']);
    // The process environment (same name) fills them.
    const fromEnv = await runStn(['sync'], { env: { ...home.env, ROOT_DIR: '--x', GH_TOKEN: 'abcd1234' } });
    expect(fromEnv.code).toBe(0);
  });

  it('--dry-run changes nothing on disk or in the database', async () => {
    await runStn(['sync'], { env: home.env });
    writeTemplate(envDir, { tiny: tinyEntry('--extra-tools', '2'), second: tinyEntry() });
    agent('newcomer', ['__t1']);
    const files = filesDump();
    const db = dbDump();
    const r = await runStn(['sync', '--dry-run'], { env: home.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Would change: servers +1 -0 ~1, tools +7 -0 ~0');
    expect(r.stdout).toContain('+ tiny__t1');
    expect(r.stdout).toContain('Dry run: nothing was written.');
    expect(filesDump()).toBe(files);
    expect(dbDump()).toBe(db);
  });

  it('rejects an environment together with --all', async () => {
    const r = await runStn(['sync', 'default', '--all'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give an environment or --all, not both');
  });

  it('on a terminal asks for missing variables (secrets without echo): secrets to the store, the rest to variables.yml (0600)', async () => {
    writeTemplate(envDir, {
      tiny: { ...tinyEntry(), env: { WORKDIR: '{{ .WORKDIR }}', API_TOKEN: '{{ .API_TOKEN }}' } },
    });
    // `script` gives the command a real pseudo-terminal.
    const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} sync`, '/dev/null'], {
      cwd: ROOT,
      env: { ...home.env, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => output, { timeout: 15_000 }).toContain('WORKDIR: ');
    child.stdin.write('/srv/work\r');
    await expect.poll(() => output, { timeout: 15_000 }).toContain('API_TOKEN (input hidden): ');
    child.stdin.write('sk_live_HIDDEN_42\r');
    const code = await exited;
    expect(code).toBe(0);
    expect(output).toContain('Environment "default" needs 2 variables');
    expect(output).toContain('/srv/work'); // echoed: not a secret
    expect(output).not.toContain('sk_live_HIDDEN_42');
    expect(output).toContain('Saved WORKDIR to variables.yml (mode 0600).');
    expect(output).toContain('Stored API_TOKEN in the secret store');
    const file = join(envDir, 'variables.yml');
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain('WORKDIR: /srv/work');
    expect(saved).not.toContain('API_TOKEN');
    const list = await runStn(['secret', 'list', '--env', 'default', '--json'], { env: home.env });
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'API_TOKEN', environment: 'default' })]);
    expect(list.stdout).not.toContain('sk_live_HIDDEN_42');
    expect(saved).toContain('PROJECT_ROOT:'); // what was there before is kept
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('no process is left behind', { timeout: 120_000 }, () => {
  it('after SIGINT to a running `stn mcp check`', async () => {
    const pidFile = join(home.home, 'sigint.pids');
    writeTemplate(envDir, {
      quick: tinyEntry('--pid-file', pidFile),
      slow: { ...tinyEntry('--pid-file', pidFile, '--spawn-child', '--start-delay', '60000'), timeout_ms: 120_000 },
    });
    const child = spawn(process.execPath, [BIN, 'mcp', 'check'], {
      cwd: ROOT,
      env: home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    // quick, slow and slow's own child.
    await expect.poll(() => pidsIn(pidFile).length, { timeout: 15_000, message: 'three server processes' }).toBe(3);
    const pids = pidsIn(pidFile);
    expect(pids.every(isRunning)).toBe(true);
    child.kill('SIGINT');
    const result = await exited;
    expect(result.signal === 'SIGINT' || result.code === 130).toBe(true);
    await expectAllEnded(pids);
  });
});
