#!/usr/bin/env node
// Build step: bundles the compiled TUI (dist/tui/launch.js with Ink, React and the screens) into one file,
// so that `stn ui` loads one module instead of a few hundred (Ink's import dominated the time to the first
// frame). Station's core stays external: the bundle imports the same dist/core modules as the commands, so
// there is one engine, one set of error classes.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { analyzeMetafile } from 'esbuild';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode, keepRelativeImports } from './node-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const entry = join(dist, 'tui', 'launch.js');
const outDir = dirname(entry);

/** Relative imports that land outside dist/tui (the core) stay imports, re-pointed from the bundle's folder. */
const keepCoreExternal = keepRelativeImports('keep-core-external', dist, (target) => {
  if (target.startsWith(join(dist, 'tui') + sep)) return undefined;
  const path = relative(outDir, target).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
});

/**
 * React devtools are for developing Ink itself (DEV=true); `stn ui` ships without them. Ink's devtools
 * module is replaced whole: its window polyfill imports `ws` at the top, which would load (and parse) the
 * WebSocket library on every start.
 */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]ink[\\/]build$/.test(args.resolveDir) ? { path: 'ink-devtools', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * Yoga (Ink's layout engine) is WebAssembly inlined as base64. Its loader fetches that data: URL when
 * `fetch` exists, which loads Node's whole fetch implementation (undici) before the first frame; it is
 * made to decode the inlined bytes directly, its fallback when there is no fetch.
 */
const YOGA_FETCH = 'function ya(){return w||"function"!=typeof fetch?';
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(YOGA_FETCH)) throw new Error(`yoga-layout changed: no "${YOGA_FETCH}" in ${args.path}`);
      return { contents: source.replace(YOGA_FETCH, 'function ya(){return true?'), loader: 'js' };
    });
  },
};

/**
 * string-width (Ink measures every line with it) builds `/^\p{RGI_Emoji}$/v` when it loads: V8 expands
 * that property of strings into thousands of alternatives, tens of ms before the first frame. It is built
 * on first use instead, and only asked about a segment that can be an emoji at all: every RGI emoji has a
 * code point with Emoji_Presentation, or U+FE0F (emoji style), U+20E3 (keycap) or U+200D (ZWJ). Box
 * drawing, arrows, bullets and other text symbols the screens draw never need it.
 */
const RGI_EMOJI = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
const LAZY_RGI_EMOJI = `const mayBeEmoji = /[\\p{Emoji_Presentation}\\u{FE0F}\\u{20E3}\\u{200D}]/u;
let rgiEmoji;
const rgiEmojiRegex = {test: (segment) => mayBeEmoji.test(segment) && (rgiEmoji ??= /^\\p{RGI_Emoji}$/v).test(segment)};`;
const lazyEmojiRegex = {
  name: 'lazy-emoji-regex',
  setup(b) {
    let patched = 0;
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(RGI_EMOJI)) return undefined; // an older string-width (emoji-regex based)
      patched++;
      return { contents: source.replace(RGI_EMOJI, LAZY_RGI_EMOJI), loader: 'js' };
    });
    b.onEnd(() => {
      if (patched === 0) throw new Error(`string-width changed: no "${RGI_EMOJI}" in any copy`);
    });
  },
};

// CommonJS inside the bundle (react-reconciler, signal-exit) gets bundleForNode's require().
const result = await bundleForNode({
  entryPoints: [entry],
  outfile: entry,
  define: { 'process.env.NODE_ENV': '"production"' },
  // Native and optional modules stay outside.
  external: ['better-sqlite3-multiple-ciphers', 'ws', 'bufferutil', 'utf-8-validate'],
  plugins: [keepCoreExternal, noDevtools, yogaWithoutFetch, lazyEmojiRegex],
  metafile: process.env.STN_BUNDLE_METAFILE !== undefined,
});

// What the bundle is made of (the import cost of `stn ui`): STN_BUNDLE_METAFILE=FILE writes esbuild's
// metafile there and prints the biggest inputs.
if (result.metafile !== undefined && process.env.STN_BUNDLE_METAFILE !== undefined) {
  writeFileSync(process.env.STN_BUNDLE_METAFILE, JSON.stringify(result.metafile));
  console.log(await analyzeMetafile(result.metafile, { verbose: false }));
}
