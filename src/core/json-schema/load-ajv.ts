import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

type AjvClass = new (options: Options) => Ajv;

let loaded: AjvClass | undefined;

/**
 * A new Ajv, the package loaded on first use: ajv is ~60 modules that a process only needs once it
 * validates something (a request body, an agent's input or answer), not to start (`stn serve` idle).
 */
export function newAjv(options: Options): Ajv {
  loaded ??= (createRequire(import.meta.url)('ajv') as { Ajv: AjvClass }).Ajv;
  return new loaded(options);
}
