// Shared by the build steps that bundle Station's compiled code for Node in place (tools/bundle-core.js,
// tools/bundle-tui.js, tools/bundle-cli.js): the esbuild options they all use, the plugin shape that keeps
// some of dist's own relative imports as imports, a lazy node:crypto, and the package a bare import names.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve, sep } from 'node:path';

/** CommonJS inside an ESM bundle (yaml, @oclif/core, react-reconciler...) require()s: a require() for it. */
const CREATE_REQUIRE =
  "import { createRequire as __stnCreateRequire } from 'node:module'; const require = __stnCreateRequire(import.meta.url);";

/**
 * esbuild's build of compiled files for Node 20, as ESM with source maps and a require(), overwriting
 * what it reads; `options` add the entries, outputs and plugins (and may replace any of these).
 */
export async function bundleForNode(options) {
  const result = await build({
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    banner: { js: CREATE_REQUIRE },
    ...options,
    metafile: true,
  });
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (/\.c?js$/.test(output)) assertOneByteSource(output);
    if (output.endsWith('.cjs')) assertNoImportCall(output, meta);
  }
  return result;
}

/**
 * A CommonJS bundle's compiled code is kept between runs through node:vm (src/cli/compile-cache.ts), where an
 * import() would fail: the build converts them to require() (esbuild's `supported: { 'dynamic-import': false }`).
 */
function assertNoImportCall(file, meta) {
  const left = meta.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
  if (left.length > 0) throw new Error(`${file} holds import() of ${left.join(', ')}: build it as require()`);
}

/**
 * V8 keeps a script's source one byte a character only when every character is Latin-1, and two bytes a
 * character otherwise, for the life of every process that loads it (a single `…` made dist/core/index.js
 * take 224 KB more). esbuild escapes other characters in strings, but not in regular expressions or the
 * comments it keeps: the build fails on one, naming the file and line.
 */
function assertOneByteSource(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((line) => /[\u0100-\uffff]/.test(line));
  if (at >= 0) {
    throw new Error(`${file}:${at + 1} has a character beyond Latin-1 (spell it \\uXXXX): ${lines[at].trim()}`);
  }
}

/**
 * node:crypto, required on its first use rather than when a bundle loads: ~2 ms of every command's start, and
 * most commands hash, sign or make ids only on some paths (the core's bundle and the CLI's). The core imports functions only; a name that is not a
 * function of node:crypto (a class, `webcrypto`) fails the build.
 */
export const lazyCrypto = {
  name: 'lazy-crypto',
  setup(b) {
    b.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      args.namespace === 'lazy-crypto'
        ? { path: 'node:crypto', external: true }
        : { path: 'node:crypto', namespace: 'lazy-crypto' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-crypto' }, () => {
      const crypto = createRequire(import.meta.url)('node:crypto');
      const names = Object.keys(crypto).filter((name) => /^[a-z]/.test(name) && typeof crypto[name] === 'function');
      return {
        contents: [
          'let crypto;',
          "const load = () => (crypto ??= require('node:crypto'));",
          ...names.map((name) => `export const ${name} = (...args) => load().${name}(...args);`),
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * A plugin for the relative imports made by files under `dir` (not packages' own): `keep(target)` gives the
 * path an import of the file `target` keeps in the bundle, or undefined to bundle that file.
 */
export function keepRelativeImports(name, dir, keep) {
  return {
    name,
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(dir + sep)) return undefined;
        const path = keep(resolve(args.resolveDir, args.path));
        return path === undefined ? undefined : { path, external: true };
      });
    },
  };
}

/** The package a bare import names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageName(path) {
  return path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];
}
