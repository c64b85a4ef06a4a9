/**
 * How a Station home knows that a `stn serve` runs on it: `<home>/run/server.json` ({pid, url, startedAt}),
 * written by serve once it listens and removed when it stops. A record whose process is gone (or whose pid
 * now belongs to a later process) is no server: `stn agent run --detach` then starts its own worker.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { makePrivateDir } from '../fs/private-files.js';
import { currentProcessStart, linuxStartTime, pidAlive } from '../os/process-identity.js';

export interface ServerRecord {
  pid: number;
  /** Where it listens, e.g. http://127.0.0.1:8585. */
  url: string;
  /** When the process started (ms since the epoch). */
  startedAt: number;
}

/** Slack when comparing start times: /proc's boot time has a resolution of one second. */
const START_SLACK_MS = 2000;

export function serverRecordPath(runDir: string): string {
  return join(runDir, 'server.json');
}

/** Records this process as the home's server; returns the function that removes the record (if still ours). */
export function writeServerRecord(runDir: string, url: string): () => void {
  makePrivateDir(runDir);
  const record: ServerRecord = { pid: process.pid, url, startedAt: currentProcessStart().at };
  const file = serverRecordPath(runDir);
  writeFileAtomic(file, JSON.stringify(record) + '\n', { mode: 0o600 });
  return () => {
    if (readServerRecord(runDir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** The record as written, or undefined when there is none or it does not parse. */
export function readServerRecord(runDir: string): ServerRecord | undefined {
  let value: Partial<ServerRecord>;
  try {
    value = JSON.parse(readFileSync(serverRecordPath(runDir), 'utf8')) as Partial<ServerRecord>;
  } catch {
    return undefined;
  }
  if (typeof value.pid !== 'number' || typeof value.url !== 'string' || typeof value.startedAt !== 'number') {
    return undefined;
  }
  return { pid: value.pid, url: value.url, startedAt: value.startedAt };
}

/** The `stn serve` running on this home now, if any: its record, when its process is alive and is the one that wrote it. */
export function liveServer(runDir: string): ServerRecord | undefined {
  const record = readServerRecord(runDir);
  if (record === undefined || !pidAlive(record.pid)) return undefined;
  const started = linuxStartTime(record.pid);
  if (started !== undefined && Math.abs(started - record.startedAt) > START_SLACK_MS) return undefined;
  return record;
}
