// Shared by the bundle steps: `yaml`, which the core loads on first use (src/core/config/yaml-lib.ts), as one
// CommonJS file (dist/core/yaml.cjs) instead of the ~70 files of its Node build, and the esbuild plugin that
// points yaml-lib's require at it through the package's `#dist/*` subpath import (it resolves the same from
// the core's bundle and from the CLI's chunks, which inline some core modules).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const FROM_SOURCES = "const YAML_MODULE = 'yaml';";
const FROM_BUNDLE = "const YAML_MODULE = '#dist/core/yaml.cjs';";

/** Writes dist/core/yaml.cjs: the `yaml` package in one CommonJS file. */
export async function buildYamlFile(root) {
  await build({
    stdin: { contents: "module.exports = require('yaml');", resolveDir: root, sourcefile: 'yaml-entry.cjs' },
    outfile: join(root, 'dist', 'core', 'yaml.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // No import(): its compiled code is kept between runs through node:vm (src/cli/compile-cache.ts).
    supported: { 'dynamic-import': false },
  });
}

const YAML_LIB = /[\\/]dist[\\/]core[\\/]config[\\/]yaml-lib\.js$/;

/** `source` of the file `path`, pointed at dist/core/yaml.cjs when it is dist/core/config/yaml-lib.js. */
export function pointYamlAtBundle(source, path) {
  if (!YAML_LIB.test(path)) return source;
  if (!source.includes(FROM_SOURCES)) throw new Error(`no "${FROM_SOURCES}" in ${path}`);
  return source.replace(FROM_SOURCES, FROM_BUNDLE);
}

/** Points dist/core/config/yaml-lib.js at dist/core/yaml.cjs. */
export const yamlFromBundle = {
  name: 'yaml-from-bundle',
  setup(b) {
    b.onLoad({ filter: YAML_LIB }, async (args) => ({
      contents: pointYamlAtBundle(await readFile(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};
