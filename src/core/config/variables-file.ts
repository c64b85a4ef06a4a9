import { existsSync, readFileSync } from 'node:fs';
import { ExitCode } from '../errors.js';
import { isRecord } from './station-config.js';
import { YamlSource } from './yaml-source.js';

/** Variable values of an environment, from its variables.yml (a flat map of names to scalars). */
export type Variables = Record<string, string>;

/** Parses variables.yml text. Values must be scalars; numbers and booleans become strings. */
export function parseVariables(file: string, text: string): Variables {
  const source = YamlSource.parse(file, text, { exitCode: ExitCode.CONFIG });
  const root = source.value;
  if (root === null || root === undefined) return {};
  if (!isRecord(root)) throw source.errorAt([], 'expected a flat mapping of NAME: value');
  const out: Variables = {};
  for (const [name, value] of Object.entries(root)) {
    if (value === null || value === undefined) {
      out[name] = '';
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = String(value);
    } else {
      throw source.errorAt([name], 'expected a string, number or boolean (variables are flat NAME: value pairs)');
    }
  }
  return out;
}

/** Reads variables.yml; a missing file is an empty set. */
export function loadVariables(file: string): Variables {
  if (!existsSync(file)) return {};
  return parseVariables(file, readFileSync(file, 'utf8'));
}
