// Shared helpers for benchmarks: timing, medians, temporary Station homes, spawning the built stn.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'run.js');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Wall time in ms of `stn ARGS` run `runs` times; returns all samples. */
export function timeStn(args, env, runs = 10) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`stn ${args.join(' ')} failed: ${r.stderr}`);
  }
  return samples;
}

export function tempHome() {
  const home = mkdtempSync(join(tmpdir(), 'station-bench-'));
  return {
    home,
    env: { ...process.env, STATION_HOME: home, NO_COLOR: '1' },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}

export function report(label, value) {
  console.log(`${label.padEnd(56)} ${value}`);
}
