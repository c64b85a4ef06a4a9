#!/usr/bin/env node
// Build step: the web UI (src/web, React) bundled by esbuild into dist/web: index.html and hashed assets
// (app-HASH.js, app-HASH.css) that `stn serve` serves at / with long cache lifetimes. Nothing from a CDN:
// it works offline. Prints the first page's gzipped size against its budget (250 KB).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'web');
const BUDGET_KB = 250;

mkdirSync(join(outDir, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(root, 'src', 'web', 'main.tsx') },
  outdir: join(outDir, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  tsconfig: join(root, 'src', 'web', 'tsconfig.json'),
});

const outputs = Object.keys(result.metafile.outputs).map((p) => join(root, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (js === undefined || css === undefined) throw new Error('bundle-web: expected one .js and one .css output');
const template = readFileSync(join(root, 'src', 'web', 'index.html'), 'utf8');
const html = template.replace('%APP_JS%', `/assets/${basename(js)}`).replace('%APP_CSS%', `/assets/${basename(css)}`);
writeFileSync(join(outDir, 'index.html'), html);

const gz = (file) => gzipSync(readFileSync(file)).length;
const total = (gz(js) + gz(css) + gzipSync(html).length) / 1024;
const line = `web UI first page: ${total.toFixed(1)} KB gzipped (budget ${String(BUDGET_KB)} KB)`;
if (total > BUDGET_KB) {
  console.error(`${line}: over budget`);
  process.exitCode = 1;
} else if (process.env.STATION_BUILD_QUIET !== '1') {
  console.log(line);
}
