import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileStamp, stampNumber } from '../../../src/core/fs/file-stamps.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('file stamps', () => {
  it('change when a file is rewritten or replaced, and stay while it is not; "-" when there is none', () => {
    dir = mkdtempSync(join(tmpdir(), 'station-stamps-'));
    const file = join(dir, 'a.prompt');
    expect(fileStamp(file)).toBe('-');
    writeFileSync(file, 'one');
    const first = fileStamp(file);
    expect(fileStamp(file)).toBe(first);
    writeFileSync(file, 'one more');
    const second = fileStamp(file);
    expect(second).not.toBe(first);
    // Replaced by a rename (as atomic writes do), even within the same clock tick: another inode.
    writeFileSync(join(dir, 'b.tmp'), 'one more');
    renameSync(join(dir, 'b.tmp'), file);
    expect(fileStamp(file)).not.toBe(second);
  });

  it('as numbers (the agent index keeps them in its rows): the same for the same stamp, whole and below 2^53', () => {
    const stamps = ['-', '1:3:1700000000000.5:1700000000000.5', '1:4:1700000000000.5:1700000000000.5', '2:3:1:1'];
    const numbers = stamps.map(stampNumber);
    expect(new Set(numbers).size).toBe(stamps.length);
    expect(stamps.map(stampNumber)).toEqual(numbers);
    for (const n of numbers) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
  });
});
