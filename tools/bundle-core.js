#!/usr/bin/env node
// Build step: bundles the compiled core (dist/core/index.js and the ~200 modules behind it) into one module
// plus the chunks its lazy `import()`s load, all in dist/core, so a command loads a few files instead of a
// few hundred (module loading dominated the time of `stn agent list`). Packages stay external (each is still
// loaded only by the code that needs it, when it runs). `yaml` (its Node build is 70 CommonJS files) is
// written as one file, dist/core/yaml.cjs, which the core requires on its first YAML parse (tools/lazy-yaml.js):
// a command that finds config.yaml's parse cached and its agent files indexed loads no YAML parser.
//
// Two modules stay outside the bundle, shared with the CLI code that imports them directly:
// - errors.js: one set of error classes, so `instanceof StationError` holds wherever an error was made;
// - config/package-assets.js: it finds templates/ and bundles/ relative to its own file.
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildYamlFile, yamlFromBundle } from './lazy-yaml.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = join(root, 'dist', 'core');
const entry = join(core, 'index.js');
const SHARED = new Set([join(core, 'errors.js'), join(core, 'config', 'package-assets.js')]);

const keepShared = {
  name: 'keep-shared-core-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(core + sep)) return undefined; // packages' own relative imports
      const target = resolve(args.resolveDir, args.path);
      if (!SHARED.has(target)) return undefined;
      // Every output is written to dist/core (chunks too), so one path works from all of them.
      return { path: `./${relative(core, target).split(sep).join('/')}`, external: true };
    });
  },
};

/** Bare imports (packages, node: builtins) stay imports; `yaml` only through config/yaml-lib.js. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (name === 'yaml' && args.kind !== 'require-call') {
        throw new Error(`${args.importer} imports yaml: use yaml() of config/yaml-lib.js (loaded on first use)`);
      }
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: [entry],
  outdir: core,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // yaml's CommonJS build require()s node builtins ('process'): a require() for the ESM bundle.
  banner: {
    js: "import { createRequire as __stnCreateRequire } from 'node:module'; const require = __stnCreateRequire(import.meta.url);",
  },
  // An id of this build: config/config-cache.ts reuses a parse of config.yaml only from the same build.
  define: { STATION_BUILD_ID: JSON.stringify(randomUUID()) },
  plugins: [keepShared, externalPackages, yamlFromBundle],
});

await buildYamlFile(root);
