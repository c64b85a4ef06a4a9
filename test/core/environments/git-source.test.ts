// environments.git: the environments folder as a checkout of a real Git repository (made here with the git CLI).
// A good commit is taken, a broken one is reported and not taken, untracked local files are kept.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStationConfig } from '../../../src/core/config/station-config.js';
import { pullEnvironments, type GitSource } from '../../../src/core/environments/git-source.js';
import { redactUrl } from '../../../src/core/security/redact-url.js';

let root: string;
let repo: string;
let dir: string;
let source: GitSource;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** Writes files into the repository and commits them; returns the commit. */
function commit(files: Record<string, string>, message = 'change'): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

const agent = (name: string, body = 'Hello.') => `---\nmetadata:\n  name: ${name}\n---\n${body}\n`;
const template = JSON.stringify({ mcpServers: { fs: { command: 'node', args: ['server.js'] } } });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'station-git-'));
  repo = join(root, 'repo');
  dir = join(root, 'home', 'environments');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  source = { url: repo, ref: 'main', intervalMs: 60_000 };
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('pullEnvironments', () => {
  it('checks out a good commit, then says unchanged; keeps untracked local files across commits', async () => {
    const first = commit({ 'default/agents/a.prompt': agent('a'), 'default/template.json': template });
    // A folder made by stn init before Git was configured: its local variables.yml stays.
    mkdirSync(join(dir, 'default'), { recursive: true });
    writeFileSync(join(dir, 'default', 'variables.yml'), 'ROOT: /srv\n');
    expect(await pullEnvironments(dir, source)).toEqual({
      status: 'updated',
      commit: first,
      previous: null,
      problems: [],
    });
    expect(readFileSync(join(dir, 'default', 'agents', 'a.prompt'), 'utf8')).toBe(agent('a'));
    expect(await pullEnvironments(dir, source)).toMatchObject({ status: 'unchanged', commit: first });

    const second = commit({ 'default/agents/b.prompt': agent('b'), 'staging/agents/c.prompt': agent('c') });
    expect(await pullEnvironments(dir, source)).toMatchObject({ status: 'updated', commit: second, previous: first });
    expect(existsSync(join(dir, 'staging', 'agents', 'c.prompt'))).toBe(true);
    expect(readFileSync(join(dir, 'default', 'variables.yml'), 'utf8')).toBe('ROOT: /srv\n');
  });

  it('a broken commit is reported with each file and why, and the folder stays on the last good one', async () => {
    const good = commit({ 'default/agents/a.prompt': agent('a'), 'default/template.json': template });
    await pullEnvironments(dir, source);
    const broken = commit({
      'default/agents/a.prompt': '---\nmax_steps: "ten"\n---\nx\n',
      'default/template.json': '{"mcpServers": {"fs": {"args": 3}}}',
    });
    const outcome = await pullEnvironments(dir, source);
    expect(outcome).toMatchObject({ status: 'rejected', commit: broken, previous: good });
    expect(outcome.problems.map((p) => p.file)).toEqual(['default/agents/a.prompt', 'default/template.json']);
    expect(outcome.problems[0]!.message).toMatch(
      /default\/agents\/a\.prompt:2:\d+ \(key "max_steps"\): expected a whole number/,
    );
    expect(outcome.problems[0]!.message).not.toContain(tmpdir());
    // Nothing moved, and no worktree was left behind.
    expect(readFileSync(join(dir, 'default', 'agents', 'a.prompt'), 'utf8')).toBe(agent('a'));
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(good);
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);

    const fixed = commit({ 'default/agents/a.prompt': agent('a', 'Fixed.'), 'default/template.json': template });
    expect(await pullEnvironments(dir, source)).toMatchObject({ status: 'updated', commit: fixed, previous: good });
    expect(readFileSync(join(dir, 'default', 'agents', 'a.prompt'), 'utf8')).toContain('Fixed.');
  });

  it('a repository that cannot be fetched is an error saying what to check, with no password shown', async () => {
    commit({ 'default/agents/a.prompt': agent('a') });
    const error = await pullEnvironments(dir, { ...source, ref: 'no-such-branch' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'git_source_failed', exitCode: 16 });
    expect((error as Error).message).toContain('git fetch failed');
    expect(redactUrl('fatal: https://ci:hunter2@git.example.com/envs.git not found')).toBe(
      'fatal: https://ci:***@git.example.com/envs.git not found',
    );
  });
});

describe('environments.git in config.yaml', () => {
  it('reads url, ref (default main) and interval (30s, 5m, seconds; default 60 s)', () => {
    const config = (yaml: string) => parseStationConfig('/h/config.yaml', yaml).environments.git;
    expect(config('model:\n  name: m\n')).toBeNull();
    expect(config('environments:\n  git:\n    url: https://git.example.com/envs.git\n')).toEqual({
      url: 'https://git.example.com/envs.git',
      ref: 'main',
      intervalMs: 60_000,
    });
    expect(config('environments:\n  git:\n    url: /srv/envs\n    ref: v2\n    interval: 5m\n')).toEqual({
      url: '/srv/envs',
      ref: 'v2',
      intervalMs: 300_000,
    });
    expect(config('environments:\n  git:\n    url: /srv/envs\n    interval: 30\n')?.intervalMs).toBe(30_000);
  });

  it('a bad value names the file, line and field', () => {
    const fail = (yaml: string) => {
      try {
        parseStationConfig('/h/config.yaml', yaml);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('parsed');
    };
    expect(fail('environments:\n  git:\n    ref: main\n')).toMatch(
      /config\.yaml:\d+:\d+.*expected the repository's URL/,
    );
    expect(fail('environments:\n  git:\n    url: /srv/envs\n    interval: soon\n')).toMatch(
      /config\.yaml:4:\d+.*expected a duration such as 30s, 5m or 1h/,
    );
    expect(fail('environments:\n  git:\n    url: /srv/envs\n    ref: --upload-pack=x\n')).toMatch(
      /config\.yaml:4:\d+.*expected a branch, tag or commit/,
    );
  });
});
