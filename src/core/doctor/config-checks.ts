/**
 * The config area: config.yaml loads, there are environments (the default one among them), and each
 * environment's MCP configs, variables.yml and variables.schema.json load with a value for every
 * `{{ .VAR }}` placeholder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { loadMcpConfig, mcpConfigWarnings } from '../config/mcp-config.js';
import { VARIABLES_FILE } from '../config/mcp-config-variables.js';
import { readStationConfigFile, type StationConfig } from '../config/station-config.js';
import { MissingVariablesError } from '../config/template-render.js';
import type { KeyWarning } from '../config/unknown-keys.js';
import { isEnvironmentFolder } from '../environments/names.js';
import { errorMessage, isStationError } from '../errors.js';
import { storedSecretValues } from '../security/secret-service.js';
import type { DoctorCheck } from './types.js';

export interface ConfigResult {
  checks: DoctorCheck[];
  /** config.yaml as loaded (the defaults when there is no file); undefined when it does not load. */
  config: StationConfig | undefined;
  /** Environment folders on disk, sorted. */
  environments: string[];
}

export function checkConfig(paths: StationPaths, env: NodeJS.ProcessEnv): ConfigResult {
  const checks: DoctorCheck[] = [];
  const { check, config, warnings } = checkStationConfig(paths);
  checks.push(check, ...warnings.map((w) => typoRow('config.yaml', w)));
  let environments: string[] = [];
  try {
    environments = environmentFolders(paths);
    checks.push(...checkEnvironmentList(paths, environments, config));
  } catch (error) {
    checks.push(failure('environments', error, `Check that ${paths.environments} is a folder of environments.`));
  }
  for (const name of environments) {
    const dir = join(paths.environments, name);
    checks.push(checkEnvironmentConfig(paths, dir, name, env), ...typos(dir, name));
  }
  return { checks, config, environments };
}

/** Environment folders of a home (valid names, not hidden), sorted. */
export function environmentFolders(paths: StationPaths): string[] {
  if (!existsSync(paths.environments)) return [];
  return readdirSync(paths.environments, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isEnvironmentFolder(d.name))
    .map((d) => d.name)
    .sort();
}

function checkStationConfig(paths: StationPaths): {
  check: DoctorCheck;
  config: StationConfig | undefined;
  warnings: KeyWarning[];
} {
  const name = 'config.yaml';
  try {
    const { config, warnings } = readStationConfigFile(paths.config);
    const what = `model ${config.model.name} at ${config.model.baseUrl}, default environment "${config.environment.default}"`;
    const detail = existsSync(paths.config) ? `loads: ${what}` : `not present, the defaults apply: ${what}`;
    return { check: { area: 'config', name, status: 'ok', detail, hint: null }, config, warnings };
  } catch (error) {
    return {
      check: failure(name, error, `Fix ${paths.config} (every key is optional; see README).`),
      config: undefined,
      warnings: [],
    };
  }
}

/** Unknown keys in an environment's MCP config files (a file that does not parse is the other check's). */
function typos(dir: string, name: string): DoctorCheck[] {
  try {
    return mcpConfigWarnings(dir).map((w) => typoRow(name, w));
  } catch {
    // Unreadable files are reported by checkEnvironmentConfig.
    return [];
  }
}

/** An unknown key (likely a typo): a warning, since Station ignores it. */
function typoRow(name: string, w: KeyWarning): DoctorCheck {
  return {
    area: 'config',
    name,
    status: 'warn',
    detail: w.message,
    hint:
      w.suggestion === undefined
        ? 'Remove the key, or check its spelling: Station ignores it.'
        : `Rename "${w.key.split('.').at(-1) ?? w.key}" to "${w.suggestion}".`,
  };
}

function checkEnvironmentList(
  paths: StationPaths,
  environments: readonly string[],
  config: StationConfig | undefined,
): DoctorCheck[] {
  if (environments.length === 0) {
    return [
      {
        area: 'config',
        name: 'environments',
        status: 'fail',
        detail: `no environment folder in ${paths.environments}`,
        hint: 'Run `stn init` to make the default one, or `stn env create NAME`.',
      },
    ];
  }
  if (config === undefined || environments.includes(config.environment.default)) return [];
  const wanted = config.environment.default;
  return [
    {
      area: 'config',
      name: 'environment.default',
      status: 'fail',
      detail: `the default environment "${wanted}" (config.yaml environment.default) has no folder; commands without --env fail`,
      hint: `Run \`stn env create ${wanted}\`, or set environment.default in config.yaml to one of: ${environments.join(', ')}.`,
    },
  ];
}

function checkEnvironmentConfig(paths: StationPaths, dir: string, name: string, env: NodeJS.ProcessEnv): DoctorCheck {
  try {
    const loaded = loadMcpConfig(dir, { env, stored: storedSecretValues(paths, env, name) });
    const servers = loaded.servers.length;
    const variables = Object.keys(loaded.variables.values).length;
    const files = loaded.files.map((f) => f.file.slice(dir.length + 1));
    const detail =
      servers === 0
        ? 'no MCP servers configured'
        : `${plural(servers, 'MCP server')} in ${files.join(', ')}; ${
            variables === 0 ? 'no placeholders' : `${plural(variables, 'placeholder')}, each with a value`
          }`;
    return { area: 'config', name, status: 'ok', detail, hint: null };
  } catch (error) {
    if (error instanceof MissingVariablesError) {
      const names = error.missing.map((m) => m.name);
      return {
        area: 'config',
        name,
        status: 'fail',
        detail: error.message,
        hint: `Set ${names.join(', ')} in ${join(dir, VARIABLES_FILE)} (a secret: stn secret set ${names[0] ?? 'NAME'} --env ${name}), export ${names.length === 1 ? 'it' : 'them'}, or run \`stn sync ${name}\` on a terminal to be asked.`,
      };
    }
    return failure(name, error, `Fix the files of ${dir}.`);
  }
}

/** A config check that threw: its message, and its first hint (or the fallback). */
export function failure(name: string, error: unknown, fallbackHint: string): DoctorCheck {
  const hint = isStationError(error) && error.hints.length > 0 ? (error.hints[0] ?? fallbackHint) : fallbackHint;
  return { area: 'config', name, status: 'fail', detail: errorMessage(error), hint };
}

export function plural(n: number, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}
