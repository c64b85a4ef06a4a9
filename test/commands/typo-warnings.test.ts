// Typos are caught (issue #11 point 8): unknown keys in template.json, config.yaml and agent frontmatter are
// warnings naming file:line and the key meant, on the built CLI against real files in a temporary home.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runStn } from '../helpers/cli.js';
import type { TempHome } from '../helpers/home.js';
import { TINY_SERVER, fixtureHome, tinyEntry, writeTemplate } from '../core/mcp/helpers.js';

let home: TempHome;
let envDir: string;

beforeEach(() => {
  ({ home, envDir } = fixtureHome());
});
afterEach(() => {
  home.cleanup();
});

/** 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('template.json', { timeout: 120_000 }, () => {
  it('`agrs` is named with file:line and "args" before the server start times out; sync still fails', async () => {
    // `node` without its script reads a program from stdin, which Station keeps open: it never answers.
    writeTemplate(envDir, { fs: { command: process.execPath, agrs: [TINY_SERVER], timeout_ms: 10_000 } });
    const file = join(envDir, 'template.json');
    const warning = `${file}:${String(lineOf(file, '"agrs"'))}:7: unknown key "agrs" in server "fs" (ignored); did you mean "args"?`;

    const list = await runStn(['mcp', 'list'], { env: home.env });
    expect(list.code).toBe(0);
    expect(list.stderr).toBe(`Warning: ${warning}\n`);
    const listed = JSON.parse((await runStn(['mcp', 'list', '--json'], { env: home.env })).stdout) as {
      warnings: string[];
    }[];
    expect(listed[0]?.warnings).toEqual([warning]);

    const child = spawn(process.execPath, [BIN, 'sync'], {
      cwd: ROOT,
      env: { ...home.env, STATION_LOG_FORMAT: 'text' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => stderr, { timeout: 15_000 }).toContain(warning);
    // The warning came while the server was still starting: before its 10 s timeout, not after.
    expect(child.exitCode).toBeNull();
    const code = await exited;
    expect(code).toBe(8);
    // The failure names the typo again, and the warning is printed once.
    expect(stdout).toContain('did not finish starting within 10000 ms');
    expect(stdout).toContain(`check the config: ${warning}`);
    expect(count(stdout + stderr, `Warning: ${warning}`)).toBe(1);
  });

  it('a typo that does not stop the server: sync succeeds as before, with the warning on stderr and in --json', async () => {
    writeTemplate(envDir, { tiny: { ...tinyEntry(), timout_ms: 20_000 } });
    const file = join(envDir, 'template.json');
    const warning = `${file}:${String(lineOf(file, '"timout_ms"'))}:7: unknown key "timout_ms" in server "tiny" (ignored); did you mean "timeout_ms"?`;
    const sync = await runStn(['sync'], { env: home.env });
    expect(sync.code).toBe(0);
    expect(sync.stderr).toBe(`Warning: ${warning}\n`);
    expect(sync.stdout).not.toContain('timout_ms');
    const json = await runStn(['sync', '--json'], { env: home.env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { environments: { warnings: string[] }[] };
    expect(report.environments[0]?.warnings).toEqual([warning]);

    const check = await runStn(['mcp', 'check', '--json'], { env: home.env });
    expect(check.code).toBe(0);
    expect(check.stderr).toBe(`Warning: ${warning}\n`);
    expect((JSON.parse(check.stdout) as { warnings: string[] }).warnings).toEqual([warning]);
  });

  it('a misspelt mcpServers says the file is not read as a config', async () => {
    writeFileSync(join(envDir, 'template.json'), JSON.stringify({ mcpServer: { tiny: tinyEntry() } }, null, 2));
    const list = await runStn(['mcp', 'list'], { env: home.env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('No MCP servers in "default"');
    expect(list.stderr).toContain(
      `template.json:2:3: unknown key "mcpServer" (the file is not read as an MCP config); did you mean "mcpServers"?`,
    );
  });
});

describe('config.yaml', { timeout: 60_000 }, () => {
  it('`runer:` warns once on stderr, with file:line and "runner", on any command; --json stays clean', async () => {
    const config = home.paths.config;
    // The section of the settings of runs, and the port of the server, misspelt.
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('\nrunner:\n');
    expect(text).toContain('\n  port: ');
    writeFileSync(config, text.replace('\nrunner:\n', '\nruner:\n').replace('\n  port: ', '\n  prot: '));
    const runner = `${config}:${String(lineOf(config, 'runer:'))}:1: unknown key "runer" (ignored); did you mean "runner"?`;
    const port = `${config}:${String(lineOf(config, 'prot:'))}:3: unknown key "prot" under "server" (ignored); did you mean "port"?`;
    for (const args of [
      ['env', 'list'],
      ['agent', 'list'],
      ['runs', 'list', '--json'],
      ['mcp', 'list'],
    ]) {
      const r = await runStn(args, { env: home.env });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe(`Warning: ${port}\nWarning: ${runner}\n`);
      if (args.includes('--json')) expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    }
  });

  it("the config.yaml stn init writes, with the original Station's keys added, gives one notice per key", async () => {
    const config = home.paths.config;
    writeFileSync(
      config,
      `${readFileSync(config, 'utf8')}\nai_provider: openai\nai_model: gpt-5-mini\nlocal_mode: true\n`,
    );
    const r = await runStn(['env', 'list', '--json'], { env: home.env });
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/"ai_model" is the original Station's key for model\.name/);
    expect(lines[2]).toMatch(/"local_mode" is the original Station's key; Station always runs locally \(ignored\)/);
  });
});

describe('agent frontmatter', { timeout: 60_000 }, () => {
  const agentFile = (): string => join(envDir, 'agents', 'steps.prompt');

  beforeEach(() => {
    writeFileSync(agentFile(), '---\nmodel: gpt-4o\nmax_step: 3\n---\nHello {{userInput}}\n');
  });

  it('`max_step: 3` is a warning of agent validate with file:line and "max_steps"; the file stays valid', async () => {
    const warning = `${agentFile()}:3:1: unknown key "max_step" (ignored); did you mean "max_steps"?`;
    const text = await runStn(['agent', 'validate'], { env: home.env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`warning: ${warning}`);
    const json = await runStn(['agent', 'validate', '--json'], { env: home.env });
    const report = JSON.parse(json.stdout) as { warnings: number; agents: { problems: unknown[] }[] };
    expect(report.warnings).toBe(1);
    expect(report.agents[0]?.problems).toEqual([{ severity: 'warning', message: warning, line: 3, key: 'max_step' }]);
  });

  it('agent show prints it on stderr and in --json', async () => {
    const warning = `${agentFile()}:3:1: unknown key "max_step" (ignored); did you mean "max_steps"?`;
    const show = await runStn(['agent', 'show', 'steps'], { env: home.env });
    expect(show.code).toBe(0);
    expect(show.stderr).toBe(`Warning: ${warning}\n`);
    expect(show.stdout).toContain('max steps    (default: 10)');
    const json = JSON.parse((await runStn(['agent', 'show', 'steps', '--json'], { env: home.env })).stdout) as {
      warnings: string[];
    };
    expect(json.warnings).toEqual([warning]);
  });

  it("the original Station's agent files give none", async () => {
    const fixtures = fileURLToPath(new URL('../fixtures/agents', import.meta.url));
    for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.prompt')))
      copyFileSync(join(fixtures, f), join(envDir, 'agents', f));
    writeFileSync(agentFile(), '---\nmodel: gpt-4o\nmax_steps: 3\n---\nHello {{userInput}}\n');
    const r = await runStn(['agent', 'validate', '--json'], { env: home.env });
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { agents: { problems: { message: string }[] }[] };
    expect(report.agents.length).toBe(4);
    expect(
      report.agents.flatMap((a) => a.problems.map((p) => p.message)).filter((m) => m.includes('unknown key')),
    ).toEqual([]);
  });
});
