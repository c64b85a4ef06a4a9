// The compile cache of Station's CommonJS bundles (src/cli/compile-cache.ts), as the built CLI installs it on
// Node 20: real child processes, a real cache folder. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runStn } from '../helpers/cli.js';
import { makeInitializedHome } from '../helpers/home.js';

const MAIN = pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href;

let dir: string;
let root: string;
let cache: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stn-compile-cache-'));
  root = join(dir, 'dist');
  cache = join(dir, 'cache');
  mkdirSync(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A CommonJS file large enough to be cached (64 KB and up), as the build writes them (no import()):
 * `value` and `later()` answer `answer`.
 */
function writeBundle(answer: string): string {
  const file = join(root, 'big.cjs');
  const pad = Array.from({ length: 2500 }, (_, i) => `function f${String(i)}(a) { return a + ${String(i)}; }`);
  writeFileSync(
    file,
    [
      `exports.value = ${JSON.stringify(answer)};`,
      `exports.later = async () => require('node:path').basename('/x/' + exports.value);`,
      `exports.fail = () => { throw new Error('from the bundle'); };`,
      ...pad,
    ].join('\n'),
  );
  return file;
}

/** A node process that keeps compiled code of `root`'s files (as bin/run.js does) and requires big.cjs. */
function load(env: NodeJS.ProcessEnv = { STATION_COMPILE_CACHE: cache }): string {
  const script = `
    import { createRequire } from 'node:module';
    const { keepCompiledCode } = await import(${JSON.stringify(MAIN)});
    keepCompiledCode(${JSON.stringify(root)}, { evenWithNodeCache: true });
    const big = createRequire(import.meta.url)(${JSON.stringify(join(root, 'big.cjs'))});
    let stack = '';
    try { big.fail(); } catch (e) { stack = e.stack; }
    console.log(JSON.stringify({ value: big.value, later: await big.later(), stack }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return child.stdout;
}

function answer(env?: NodeJS.ProcessEnv): { value: string; later: string; stack: string } {
  return JSON.parse(load(env)) as { value: string; later: string; stack: string };
}

const cached = (): string[] => (existsSync(cache) ? readdirSync(cache).sort() : []);

describe('compile cache', () => {
  it('keeps the code at the first run and uses it at the next (require and stacks work from it)', () => {
    writeBundle('alpha');
    expect(cached()).toEqual([]);
    const first = answer();
    expect(first).toMatchObject({ value: 'alpha', later: 'alpha' });
    expect(first.stack).toContain(join(root, 'big.cjs'));
    const files = cached();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^big\.cjs-/);
    const kept = readFileSync(join(cache, files[0]!));
    expect(kept.length).toBeGreaterThan(0);
    expect((statSync(cache).mode & 0o777).toString(8)).toBe('700');

    const second = answer();
    expect(second).toMatchObject({ value: 'alpha', later: 'alpha' });
    expect(second.stack).toContain(join(root, 'big.cjs'));
    // Accepted: not written again.
    expect(cached()).toEqual(files);
    expect(readFileSync(join(cache, files[0]!)).equals(kept)).toBe(true);
  });

  it('a file changed to the same length runs its new code, never the code kept for the old one', () => {
    writeBundle('alpha');
    answer();
    const before = cached();
    writeBundle('omega'); // same length: V8's own check (the source's length) would take the old code
    expect(answer()).toMatchObject({ value: 'omega', later: 'omega' });
    const after = cached();
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect(answer().value).toBe('omega');
  });

  it('a damaged cache file is rejected and written anew', () => {
    writeBundle('alpha');
    answer();
    const [file] = cached();
    writeFileSync(join(cache, file!), 'not V8 code');
    expect(answer().value).toBe('alpha');
    expect(readFileSync(join(cache, file!), 'utf8')).not.toBe('not V8 code');
  });

  it('is not used in a folder that others can write to, nor when turned off', () => {
    writeBundle('alpha');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    expect(answer().value).toBe('alpha');
    expect(cached()).toEqual([]);

    chmodSync(cache, 0o700);
    expect(answer({ STATION_COMPILE_CACHE: 'off' }).value).toBe('alpha');
    expect(answer({ STATION_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '1' }).value).toBe('alpha');
    expect(cached()).toEqual([]);
  });

  it('stn keeps the core and oclif bundles compiled, and a command reads the same from it', async () => {
    const home = makeInitializedHome();
    try {
      const env = { ...home.env, STATION_COMPILE_CACHE: cache };
      const first = await runStn(['env', 'list', '--json'], { env });
      expect(first.code).toBe(0);
      for (const bundle of ['index.cjs-', 'oclif.cjs-']) {
        expect(cached().some((name) => name.startsWith(bundle))).toBe(true);
      }
      const second = await runStn(['env', 'list', '--json'], { env });
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(JSON.parse(second.stdout)).toEqual([expect.objectContaining({ name: 'default' })]);
    } finally {
      home.cleanup();
    }
  });
});
