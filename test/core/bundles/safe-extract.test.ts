import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive, UnsafeBundleError, DEFAULT_LIMITS } from '../../../src/core/bundles/safe-extract.js';
import { tarBytes, tarGz, type TarEntry } from '../../../src/core/bundles/tar-writer.js';

let root: string;
let parent: string;
let staging: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'station-extract-'));
  parent = join(root, 'environments');
  staging = join(parent, '.staging-test');
  writeFileSync(join(root, 'sentinel'), 'x');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const good: TarEntry[] = [
  { path: './', type: '5' },
  { path: './agents/', type: '5' },
  { path: './agents/a.prompt', data: '---\nmetadata:\n  name: a\n---\nhi\n' },
  { path: './template.json', data: '{"mcpServers":{}}\n' },
];

function archive(entries: TarEntry[]): string {
  const file = join(root, 'bundle.tar.gz');
  writeFileSync(file, tarGz(entries));
  return file;
}

/** Nothing but the sentinel, the archive and (maybe) an empty environments folder in the test root. */
function expectNothingWritten(): void {
  expect(existsSync(staging)).toBe(false);
  expect(readdirSync(root).sort()).toEqual(expect.arrayContaining(['sentinel']));
  for (const name of readdirSync(root)) expect(['sentinel', 'bundle.tar.gz', 'environments']).toContain(name);
  if (existsSync(parent)) expect(readdirSync(parent)).toEqual([]);
  expect(existsSync('/tmp/station-evil')).toBe(false);
}

async function refused(entries: TarEntry[], pattern: RegExp): Promise<void> {
  const file = archive(entries);
  const error: unknown = await extractArchive(file, staging).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnsafeBundleError);
  expect((error as Error).message).toMatch(pattern);
  expectNothingWritten();
}

describe('extractArchive', () => {
  it('unpacks the layout of a bundle (./ prefixes accepted) and leaves variables.yml out', async () => {
    const file = archive([...good, { path: './variables.yml', data: 'TOKEN: abc\n' }]);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(parent);
    const result = await extractArchive(file, staging);
    expect(result.files).toEqual(['agents/a.prompt', 'template.json']);
    expect(result.skipped.map((s) => s.path)).toEqual(['variables.yml']);
    expect(readFileSync(join(staging, 'template.json'), 'utf8')).toBe('{"mcpServers":{}}\n');
    expect(existsSync(join(staging, 'variables.yml'))).toBe(false);
  });

  it('refuses an absolute path', async () => {
    await refused([...good, { path: '/tmp/station-evil', data: 'x' }], /absolute path/);
  });

  it('refuses a ".." segment', async () => {
    await refused([...good, { path: 'agents/../../sentinel2.json', data: 'x' }], /"\.\." segment/);
  });

  it('refuses a symbolic link', async () => {
    await refused([...good, { path: 'evil.json', type: '2', linkpath: '/etc/passwd' }], /symbolic link/);
  });

  it('refuses a hard link', async () => {
    await refused([...good, { path: 'evil.json', type: '1', linkpath: 'template.json' }], /hard link/);
  });

  it('refuses a character device', async () => {
    await refused([...good, { path: 'tty.json', type: '3' }], /character device/);
  });

  it('refuses a block device', async () => {
    await refused([...good, { path: 'disk.json', type: '4' }], /block device/);
  });

  it('refuses a FIFO', async () => {
    await refused([...good, { path: 'pipe.json', type: '6' }], /FIFO/);
  });

  it('refuses files outside the layout', async () => {
    await refused([...good, { path: 'bin/run.sh', data: '#!/bin/sh\n' }], /outside the bundle layout/);
    await refused([...good, { path: 'agents/nested/x.prompt', data: 'x' }], /outside the bundle layout/);
    await refused([...good, { path: '.hidden.json', data: '{}' }], /outside the bundle layout/);
  });

  it('refuses more entries than the limit', async () => {
    const many: TarEntry[] = Array.from({ length: DEFAULT_LIMITS.maxEntries + 1 }, (_, i) => ({
      path: `agents/a${String(i)}.prompt`,
      data: 'x',
    }));
    await refused(many, /more than 1000 entries/);
  });

  it('refuses more bytes than the limit', async () => {
    const file = archive([{ path: 'big.json', data: Buffer.alloc(4096, 7) }]);
    const limits = { ...DEFAULT_LIMITS, maxBytes: 2048 };
    const error: unknown = await extractArchive(file, staging, limits).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/unpacks to more than 2048 bytes/);
    expectNothingWritten();
  });

  it('refuses a decompression bomb by ratio, before unpacking it all', async () => {
    // 60 MB of zeros in one entry: about 60 KB gzipped, a ratio near 1000.
    const tar = tarBytes([{ path: 'bomb.json', data: Buffer.alloc(60 * 1024 * 1024) }]);
    const file = join(root, 'bundle.tar.gz');
    writeFileSync(file, gzipSync(tar, { level: 9 }));
    const error: unknown = await extractArchive(file, staging).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeBundleError);
    expect((error as Error).message).toMatch(/decompression bomb/);
    expectNothingWritten();
  });

  it('refuses a file that is no archive', async () => {
    const file = join(root, 'bundle.tar.gz');
    writeFileSync(file, gzipSync(Buffer.from('not a tar archive at all, just text')));
    const error: unknown = await extractArchive(file, staging).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeBundleError);
    expectNothingWritten();
  });
});
