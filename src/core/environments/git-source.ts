/**
 * Environments from a Git repository (`environments: {git: {url, ref, interval}}` in config.yaml): the seed's
 * GitOps layout, where every server of a team reads the same commit. The home's environments folder is a checkout
 * of the repository (its root holds one folder per environment: agents/, template.json); a pull fetches `ref`,
 * checks the commit in a separate worktree (every agent file parses, every template.json is valid) and only then
 * moves the folder to it. A broken commit is reported and the folder stays on the last good one, so the runs
 * going on, and the other servers, are not disturbed. Untracked files (a server's own variables.yml) are kept.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { readMcpServerTemplates } from '../config/mcp-config.js';
import { ExitCode, StationError, type ExitCodeValue } from '../errors.js';
import { parseAgentFile } from '../prompt/parse.js';
import { childProcess } from '../os/builtins-on-use.js';
import { redactUrl } from '../security/redact-url.js';

/** Where the environments come from. */
export interface GitSource {
  /** A URL git can fetch (https://, ssh://, git@host:path, file://, or a local path). */
  url: string;
  /** Branch, tag or commit (default main). */
  ref: string;
  /** Milliseconds between pulls of `stn serve`. */
  intervalMs: number;
}

/** A file of a commit that does not pass, and why. */
export interface GitProblem {
  file: string;
  message: string;
}

export interface PullOutcome {
  /** `updated`: the folder moved to `commit`; `unchanged`: it was there; `rejected`: `commit` is broken, kept off. */
  status: 'updated' | 'unchanged' | 'rejected';
  /** The commit fetched. */
  commit: string;
  /** The commit the folder was on before (null for a first checkout). */
  previous: string | null;
  /** Why a rejected commit was not taken (empty otherwise). */
  problems: GitProblem[];
}

/** Git could not fetch or check out (a wrong URL or ref, no network): exit 16; no git at all: exit 6. */
export class GitSourceError extends StationError {
  constructor(message: string, hints: string[], exitCode: ExitCodeValue = ExitCode.UNREACHABLE) {
    super('git_source_failed', message, exitCode, { hints });
  }
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(childProcess().execFile)('git', args, {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      env: gitEnv(),
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { code?: unknown; stderr?: unknown };
    if (e.code === 'ENOENT') {
      throw new GitSourceError(
        'git is not installed: environments.git needs it',
        ['Install git (apt-get install git), or remove environments.git from config.yaml.'],
        ExitCode.CONFIG,
      );
    }
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr.trim() : String(error);
    throw new GitSourceError(`git ${args[0] ?? ''} failed: ${redactUrl(detail)}`, [
      'Check environments.git.url and environments.git.ref in config.yaml, and that this machine can reach the repository.',
    ]);
  }
}

/** No prompts (a server has no one to answer), no user config surprises for the commit check. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' };
}

/**
 * Fetches `source.ref` into the checkout at `dir` (made on first use, next to files already there) and moves
 * the folder to it when the commit passes the check; see the module comment.
 */
export async function pullEnvironments(dir: string, source: GitSource): Promise<PullOutcome> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, '.git'))) {
    await git(dir, ['init', '--quiet']);
    await git(dir, ['remote', 'add', 'origin', source.url]);
  } else {
    await git(dir, ['remote', 'set-url', 'origin', source.url]);
  }
  await git(dir, ['fetch', '--quiet', '--depth', '1', 'origin', source.ref]);
  const commit = await git(dir, ['rev-parse', 'FETCH_HEAD^{commit}']);
  const previous = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => null);
  if (previous === commit) return { status: 'unchanged', commit, previous, problems: [] };
  const problems = await checkCommit(dir, commit);
  if (problems.length > 0) return { status: 'rejected', commit, previous: previous || null, problems };
  await git(dir, ['checkout', '--quiet', '--force', '--detach', commit]);
  return { status: 'updated', commit, previous: previous || null, problems: [] };
}

/** Checks out `commit` in a worktree of its own and reads every environment of it as Station will. */
async function checkCommit(dir: string, commit: string): Promise<GitProblem[]> {
  const tree = mkdtempSync(join(tmpdir(), 'station-envs-'));
  rmSync(tree, { recursive: true, force: true });
  await git(dir, ['worktree', 'add', '--quiet', '--detach', tree, commit]);
  try {
    return checkEnvironments(tree);
  } finally {
    await git(dir, ['worktree', 'remove', '--force', tree]).catch(() => rmSync(tree, { recursive: true, force: true }));
  }
}

/** Every problem of the environment folders under `root`: agent files that do not parse, bad MCP configs. */
export function checkEnvironments(root: string): GitProblem[] {
  const problems: GitProblem[] = [];
  for (const name of readdirSync(root).sort()) {
    const envDir = join(root, name);
    if (name.startsWith('.') || !statSync(envDir).isDirectory()) continue;
    const agents = join(envDir, 'agents');
    if (existsSync(agents)) {
      for (const file of readdirSync(agents).sort()) {
        if (!file.endsWith('.prompt')) continue;
        try {
          parseAgentFile(join(agents, file), readFileSync(join(agents, file), 'utf8'));
        } catch (error) {
          problems.push({ file: `${name}/agents/${file}`, message: messageOf(error, root) });
        }
      }
    }
    try {
      readMcpServerTemplates(envDir);
    } catch (error) {
      problems.push({ file: `${name}/template.json`, message: messageOf(error, root) });
    }
  }
  return problems;
}

function messageOf(error: unknown, root: string): string {
  const text = error instanceof Error ? error.message : String(error);
  // Paths of the temporary worktree mean nothing to the reader: they name the repository's files.
  return text.split(`${root}/`).join('');
}
