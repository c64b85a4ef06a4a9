import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveStationHome, stationPaths } from '../../core/config/home.js';
import { complete, specFromManifest, type Completion, type NameSource } from './complete.js';
import { PATHS_DIRECTIVE, SHELLS, type Shell } from './protocol.js';

/**
 * Answers `stn __complete SHELL -- WORD...`: the candidates, one a line, for the completion script of SHELL.
 * Reads oclif.manifest.json and the home folder only (no oclif, no database), and never fails: a broken home
 * just completes nothing.
 */
export async function answerCompletion(
  argv: readonly string[],
  binUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const [shell, separator, ...words] = argv;
  if (!SHELLS.includes(shell as Shell) || separator !== '--') return '';
  const root = new URL('..', binUrl);
  const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as Parameters<
    typeof specFromManifest
  >[0];
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    oclif?: { topics?: Record<string, { description?: string }> };
  };
  const help = { id: 'help', summary: 'Display help for stn.', flags: [], args: [] };
  const spec = specFromManifest(manifest, pkg.oclif?.topics ?? {}, [help]);
  const result = await complete(words.map(unquote), spec, homeNames(env));
  return format(result, shell as Shell);
}

/** The lines a completion script reads. */
export function format(result: Completion, shell: Shell): string {
  if (result.paths !== undefined) return `${PATHS_DIRECTIVE[result.paths]}\n`;
  const lines = result.candidates.map((c) =>
    shell === 'bash'
      ? escapeForBash(c.value)
      : `${c.value.replaceAll('\\', '\\\\').replaceAll(':', '\\:')}${c.description === undefined ? '' : `:${oneLine(c.description)}`}`,
  );
  return lines.map((line) => `${line}\n`).join('');
}

/** Environment folders and agent files of the Station home named on the line (else the usual one). */
export function homeNames(env: NodeJS.ProcessEnv): NameSource {
  const paths = (home: string | undefined) =>
    stationPaths(resolveStationHome({ home: home === undefined ? undefined : expandTilde(home), env }));
  return {
    environments(home) {
      return entries(paths(home).environments)
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name);
    },
    async agents(home, environment) {
      const p = paths(home);
      const name = environment ?? (await defaultEnvironment(p.config));
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) return [];
      return entries(join(p.environments, name, 'agents'))
        .filter((e) => e.name.endsWith('.prompt') && !e.name.startsWith('.') && !e.isDirectory())
        .map((e) => e.name.slice(0, -'.prompt'.length));
    },
  };
}

/** environment.default of config.yaml; the YAML parser is loaded only when a Tab needs it. */
async function defaultEnvironment(configFile: string): Promise<string> {
  try {
    const { loadStationConfig } = await import('../../core/config/station-config.js');
    return loadStationConfig(configFile).environment.default;
  } catch {
    return 'default'; // a broken config.yaml: the command itself will say what is wrong with it
  }
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

function expandTilde(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** A word as the shell gives it to the completion function (quotes and backslashes kept) as the command will see it. */
export function unquote(word: string): string {
  const quote = word[0];
  if (quote === "'") return word.slice(1).replace(/'$/, '');
  if (quote === '"') return word.slice(1).replace(/"$/, '').replace(/\\(.)/g, '$1');
  return word.replace(/\\(.)/g, '$1');
}

function escapeForBash(value: string): string {
  return value.replace(/[^\w\-.,:+/@%=]/g, '\\$&');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
