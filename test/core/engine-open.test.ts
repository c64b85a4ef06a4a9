import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

/** Every file of a folder tree (SQLite's -wal and -shm aside: they come and go with connections) and its stamps. */
function fileStamps(dir: string): Record<string, { mtimeMs: number; ctimeMs: number; size: number }> {
  const out: Record<string, { mtimeMs: number; ctimeMs: number; size: number }> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /-(wal|shm)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs, ctimeMs, size } = statSync(path);
    out[path] = { mtimeMs, ctimeMs, size };
  }
  return out;
}

/** What the quick commands do: open, read environments, agents (index refreshed), runs and keys, close. */
async function readEverything(home: string): Promise<void> {
  const engine = openEngine({ home });
  try {
    for (const env of engine.environments.list()) engine.agents.list(env.name);
    engine.runs.list({});
    engine.keys.list();
  } finally {
    await engine.close();
  }
}

describe('opening the engine when nothing changed', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('changes no file of the home: no database write, no re-index, no chmod', async () => {
    temp = makeInitializedHome();
    await readEverything(temp.home); // the first open indexes the agent files
    const before = fileStamps(temp.home);
    await readEverything(temp.home);
    await readEverything(temp.home);
    expect(fileStamps(temp.home)).toEqual(before);
  });
});
