#!/usr/bin/env node
// Build step: bundles the compiled TUI (dist/tui/launch.js with Ink, React and the screens) into one file,
// so that `stn ui` loads one module instead of a few hundred (Ink's import dominated the time to the first
// frame). Station's core stays external: the bundle imports the same dist/core modules as the commands, so
// there is one engine, one set of error classes.
import { readFileSync, writeFileSync } from 'node:fs';
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
 * made to decode the inlined bytes directly, its fallback when there is no fetch. That fallback decodes
 * with atob and copies the result a character at a time (~6 ms for Yoga's ~95 kB); Buffer decodes the
 * same bytes natively (well under 1 ms).
 */
const YOGA_FETCH = 'function ya(){return w||"function"!=typeof fetch?';
const YOGA_ATOB =
  'var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c';
const YOGA_BUFFER = 'var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))';
const yogaForNode = {
  name: 'yoga-for-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      for (const part of [YOGA_FETCH, YOGA_ATOB])
        if (!source.includes(part)) throw new Error(`yoga-layout changed: no "${part}" in ${args.path}`);
      return {
        contents: source.replace(YOGA_FETCH, 'function ya(){return true?').replace(YOGA_ATOB, YOGA_BUFFER),
        loader: 'js',
      };
    });
  },
};

/**
 * Ink turns each frame into text cell by cell (80x24 is 1 920 cells), asking @alcalzone/ansi-tokenize for
 * the ANSI codes between one cell's styles and the next and joining them into a string; each answer builds
 * three Sets and a few arrays, though neighbouring cells nearly always have the same styles (plain text, a
 * run of one colour) and then the answer is no codes. That case is answered first, as the full computation
 * answers it: same codes in the same order, no codes; no codes, the empty string. ~15 ms of the first frame
 * (cold code) and a few ms of each later one.
 */
const ANSI_TOKENIZE_SHORTCUTS = [
  {
    file: 'diff.js',
    find: 'export function diffAnsiCodes(from, to) {',
    add: `
    if (from.length === to.length && from.every((code, i) => code.code === to[i].code && code.endCode === to[i].endCode))
        return [];`,
  },
  {
    file: 'ansiCodes.js',
    find: 'export function ansiCodesToString(codes) {',
    add: '\n    if (codes.length === 0) return "";',
  },
];
const sameStylesNoCodes = {
  name: 'same-styles-no-codes',
  setup(b) {
    const patched = new Set();
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/](diff|ansiCodes)\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const shortcut = ANSI_TOKENIZE_SHORTCUTS.find((s) => args.path.endsWith(s.file));
      if (!source.includes(shortcut.find))
        throw new Error(`@alcalzone/ansi-tokenize changed: no "${shortcut.find}" in ${args.path}`);
      patched.add(shortcut.file);
      return { contents: source.replace(shortcut.find, shortcut.find + shortcut.add), loader: 'js' };
    });
    b.onEnd(() => {
      if (patched.size < ANSI_TOKENIZE_SHORTCUTS.length)
        throw new Error('@alcalzone/ansi-tokenize changed: not bundled');
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

/**
 * terminal-size (Ink asks it for the size when the output is not a terminal) imports node:child_process at its
 * top for the fallbacks that run `tput` or `resize`: that load (with net and dgram, ~5 ms) came before every
 * first frame, where the size comes from the terminal itself. It is required on the fallbacks' first call.
 */
const TERMINAL_SIZE_IMPORT = "import {execFileSync} from 'node:child_process';";
const TERMINAL_SIZE_ON_USE = "const execFileSync = (...args) => require('node:child_process').execFileSync(...args);";
const childProcessOnUse = {
  name: 'child-process-on-use',
  setup(b) {
    b.onLoad({ filter: /[\\/]terminal-size[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(TERMINAL_SIZE_IMPORT))
        throw new Error(`terminal-size changed: no "${TERMINAL_SIZE_IMPORT}" in ${args.path}`);
      return { contents: source.replace(TERMINAL_SIZE_IMPORT, TERMINAL_SIZE_ON_USE), loader: 'js' };
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
  plugins: [keepCoreExternal, noDevtools, yogaForNode, sameStylesNoCodes, lazyEmojiRegex, childProcessOnUse],
});

/**
 * Each compiled TUI file that imports React (46 of them) or its JSX runtime (22) gets esbuild's
 * `__toESM(require_react(), 1)`: a fresh wrapper object with a getter defined for every export, ~70 of them
 * built while the bundle loads (~10-15 ms before the first frame, cold). Importers only read them, so one
 * wrapper per module (and mode) serves them all: the helper is memoized in the written bundle, within its
 * own line so that the source map's lines stay right.
 */
const TO_ESM = 'var __toESM = (mod, isNodeMode, target) => (';
const TO_ESM_ONCE =
  'var __toESMOnce = [new WeakMap(), new WeakMap()], __toESM = (mod, isNodeMode) => { ' +
  'if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESMNew(mod, isNodeMode); ' +
  'const once = __toESMOnce[isNodeMode ? 1 : 0]; let ns = once.get(mod); ' +
  'if (ns === undefined) once.set(mod, (ns = __toESMNew(mod, isNodeMode))); return ns; }, ' +
  '__toESMNew = (mod, isNodeMode, target) => (';
const bundled = readFileSync(entry, 'utf8');
if (bundled.split(TO_ESM).length !== 2) throw new Error(`esbuild changed: not one "${TO_ESM}" in ${entry}`);
writeFileSync(entry, bundled.replace(TO_ESM, TO_ESM_ONCE));

// What the bundle is made of (the import cost of `stn ui`): STN_BUNDLE_METAFILE=FILE writes esbuild's
// metafile there and prints the biggest inputs.
if (process.env.STN_BUNDLE_METAFILE !== undefined) {
  writeFileSync(process.env.STN_BUNDLE_METAFILE, JSON.stringify(result.metafile));
  console.log(await analyzeMetafile(result.metafile, { verbose: false }));
}
