/**
 * Which variables an environment's MCP configs need, whether each has a value and where it comes from (never
 * the value): what `stn env show` lists. The same precedence as rendering (resolveVariables): `--var` >
 * process env > secret store > variables.yml > schema default; a path default that does not exist is no value.
 */
import { basename } from 'node:path';
import { StationError } from '../errors.js';
import { discoverMcpConfigs } from './mcp-config.js';
import {
  loadEnvironmentVariables,
  loadVariablesSchema,
  resolveVariables,
  type VariableOrigin,
} from './mcp-config-variables.js';

/** Where a variable's value comes from: `var` (--var), `env` (process environment), ... or `missing`. */
export type VariableSource = 'var' | 'env' | 'secret-store' | 'variables.yml' | 'schema-default' | 'missing';

/** One variable in `stn env show --json` (`variables`): never its value. */
export interface VariableStatus {
  name: string;
  set: boolean;
  source: VariableSource;
  /** For `secret-store`: the environment's own secret or a global one. */
  scope?: 'environment' | 'global';
  /** Why a schema default was not used ("default path /x does not exist"). */
  reason?: string;
  /** The config files that use it. */
  files: string[];
}

const SOURCE: Record<VariableOrigin, VariableSource> = {
  override: 'var',
  env: 'env',
  store: 'secret-store',
  file: 'variables.yml',
  default: 'schema-default',
};

export interface VariableStatusSources {
  env: NodeJS.ProcessEnv;
  overrides?: Readonly<Record<string, string>>;
  /** The names in the secret store this environment sees, with their scope (no values needed). */
  stored: ReadonlyMap<string, 'environment' | 'global'>;
}

/**
 * The variables the MCP configs of the environment folder `dir` use, sorted by name. Configs that do not
 * load give none (their errors are for `stn sync` and `stn doctor` to report).
 */
export function variableStatus(dir: string, sources: VariableStatusSources): VariableStatus[] {
  let files;
  try {
    files = discoverMcpConfigs(dir);
  } catch (error) {
    if (error instanceof StationError) return [];
    throw error;
  }
  const usedIn = new Map<string, string[]>();
  for (const f of files) for (const v of f.variables) usedIn.set(v, [...(usedIn.get(v) ?? []), basename(f.file)]);
  const names = [...usedIn.keys()].sort();
  let schema;
  let file;
  try {
    schema = loadVariablesSchema(dir);
    file = loadEnvironmentVariables(dir);
  } catch (error) {
    if (error instanceof StationError) return [];
    throw error;
  }
  // Presence is all that counts here: the store's values are not even decrypted.
  const stored = Object.fromEntries([...sources.stored.keys()].map((n) => [n, 'stored']));
  const resolved = resolveVariables(names, {
    file,
    stored,
    env: sources.env,
    overrides: sources.overrides ?? {},
    schema,
    dir,
  });
  return names.map((name) => {
    const origin = resolved.origin[name];
    const reason = origin === undefined ? resolved.rejectedDefaults[name] : undefined;
    const scope = origin === 'store' ? sources.stored.get(name) : undefined;
    return {
      name,
      set: origin !== undefined,
      source: origin === undefined ? 'missing' : SOURCE[origin],
      ...(scope === undefined ? {} : { scope }),
      ...(reason === undefined ? {} : { reason }),
      files: usedIn.get(name) ?? [],
    };
  });
}
