// PostgreSQL wakes followers: a RunFeed whose poll comes only every minute still gets events another connection
// commits at once (LISTEN/NOTIFY, the payload naming the store's schema); events of a store in another schema of
// the same database are not its.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../src/core/events/run-events.js';
import { RunFeed } from '../../../src/core/runner/run-feed.js';
import { RunRepo } from '../../../src/core/store/run-repo.js';
import { STORE_ENGINES, type TestStore } from '../../helpers/stores.js';

const postgres = STORE_ENGINES.find((e) => e.name === 'postgres');
const open: TestStore[] = [];
const feeds: RunFeed[] = [];
afterEach(() => {
  for (const feed of feeds.splice(0)) feed.stop();
  for (const store of open.splice(0)) store.close();
});

function store(): TestStore {
  if (postgres === undefined) throw new Error('no postgres engine');
  const s = postgres.open();
  open.push(s);
  return s;
}

function write(repo: RunRepo, count: number): number {
  const id = repo.insertQueued({ agentName: 'a', environmentName: 'default', input: {}, model: 'm', pid: 1, now: 1 });
  repo.appendBatch(
    Array.from({ length: count }, (_, i) => ({
      runId: id,
      seq: i + 1,
      type: 'tool.finished' as const,
      ts: 1,
      dataJson: '{}',
    })),
  );
  return id;
}

describe('a run feed on PostgreSQL', () => {
  it('is woken by another connection committing events, long before its next poll', async () => {
    const s = store();
    const feed = new RunFeed(s.db, { intervalMs: 60_000 });
    feeds.push(feed);
    const seen: RunEvent[] = [];
    feed.subscribe((events) => seen.push(...events));
    feed.start();
    // Another store (schema) of the same database: its commits do not concern this feed.
    const elsewhere = store();
    // Give the listener its connection (it wakes the feed once it listens; nothing is new yet).
    await new Promise((resolve) => setTimeout(resolve, 500));
    write(new RunRepo(elsewhere.db), 2);
    const id = write(new RunRepo(s.connect()), 3);
    await vi.waitFor(
      () =>
        expect(seen.map((e) => [e.runId, e.seq])).toEqual([
          [id, 1],
          [id, 2],
          [id, 3],
        ]),
      {
        timeout: 10_000,
        interval: 20,
      },
    );
  });
});
