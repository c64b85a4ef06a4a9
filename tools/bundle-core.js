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
import { randomUUID } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildYamlFile, yamlFromBundle } from './lazy-yaml.js';
import { bundleForNode, keepRelativeImports, packageName } from './node-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = join(root, 'dist', 'core');
const entry = join(core, 'index.js');
const SHARED = new Set([join(core, 'errors.js'), join(core, 'config', 'package-assets.js')]);

// Every output is written to dist/core (chunks too), so one path works from all of them.
const keepShared = keepRelativeImports('keep-shared-core-modules', core, (target) =>
  SHARED.has(target) ? `./${relative(core, target).split(sep).join('/')}` : undefined,
);

/** Bare imports (packages, node: builtins) stay imports; `yaml` only through config/yaml-lib.js. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      if (name === 'yaml' && args.kind !== 'require-call') {
        throw new Error(`${args.importer} imports yaml: use yaml() of config/yaml-lib.js (loaded on first use)`);
      }
      return { path: args.path, external: true };
    });
  },
};

// bundleForNode gives the ESM bundle a require(): the core require()s dist/core/yaml.cjs on its first YAML parse.
await bundleForNode({
  entryPoints: [entry],
  outdir: core,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  // An id of this build: config/config-cache.ts reuses a parse of config.yaml only from the same build.
  define: { STATION_BUILD_ID: JSON.stringify(randomUUID()) },
  plugins: [keepShared, externalPackages, yamlFromBundle],
});

await buildYamlFile(root);
