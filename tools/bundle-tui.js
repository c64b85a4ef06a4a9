#!/usr/bin/env node
// Build step: bundles the compiled TUI (dist/tui/launch.js with Ink, React and the screens) into one file,
// so that `stn ui` loads one module instead of a few hundred (Ink's import dominated the time to the first
// frame). Station's core stays external: the bundle imports the same dist/core modules as the commands, so
// there is one engine, one set of error classes.
import { build } from 'esbuild';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const entry = join(dist, 'tui', 'launch.js');
const outDir = dirname(entry);

/** Relative imports that land outside dist/tui (the core) stay imports, re-pointed from the bundle's folder. */
const keepCoreExternal = {
  name: 'keep-core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(dist + sep)) return undefined; // packages' own relative imports
      const target = resolve(args.resolveDir, args.path);
      if (target.startsWith(join(dist, 'tui') + sep)) return undefined;
      let path = relative(outDir, target).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

/** React devtools are for developing Ink itself (DEV=true); `stn ui` ships without them. */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export default { initialize() {}, connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Native and optional modules stay outside.
  external: ['better-sqlite3-multiple-ciphers', 'ws', 'bufferutil', 'utf-8-validate'],
  // CommonJS inside an ESM bundle (react-reconciler, signal-exit) needs a require().
  banner: {
    js: "import { createRequire as __stnCreateRequire } from 'node:module'; const require = __stnCreateRequire(import.meta.url);",
  },
  plugins: [keepCoreExternal, noDevtools],
});
