import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/**
 * Where the `yaml` package is required from. The bundle steps (tools/bundle-core.js, tools/bundle-cli.js)
 * replace it with `#dist/core/yaml.cjs`: the package bundled into one file.
 */
const YAML_MODULE = 'yaml';

let loaded: typeof Yaml | undefined;

/**
 * The `yaml` package, loaded on its first use instead of when the core is imported: with config.yaml's parse
 * cached (config-cache.ts) and agent files indexed, most commands parse no YAML, and the parser is about a
 * third of the core's code.
 */
export function yaml(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)(YAML_MODULE) as typeof Yaml;
  return loaded;
}
