import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scheduleCatalog } from '../../../src/core/api/schedules-api.js';
import { openEngine } from '../../../src/core/index.js';
import { ScheduleCatalog } from '../../../src/core/scheduler/schedule-catalog.js';
import { makeInitializedHome } from '../../helpers/home.js';

const agentFile = (name: string, cron: string): string =>
  `---\nmetadata:\n  name: ${name}\nschedule:\n  cron: "${cron}"\n---\n{{role "user"}}\nhi\n`;

describe('ScheduleCatalog', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function home(files: Record<string, Record<string, string>>): ScheduleCatalog {
    root = mkdtempSync(join(tmpdir(), 'stn-catalog-'));
    for (const [env, agents] of Object.entries(files)) {
      mkdirSync(join(root, env), { recursive: true });
      for (const [file, text] of Object.entries(agents)) writeFileSync(join(root, env, file), text);
    }
    return new ScheduleCatalog(
      () => Object.keys(files),
      (env) => join(root, env),
    );
  }

  it('lists one environment on its own, and forgets a removed file of it without forgetting the others', () => {
    const catalog = home({
      default: { 'a.prompt': agentFile('a', '0 * * * *'), 'plain.prompt': '---\nmodel: m\n---\nhello\n' },
      staging: { 'b.prompt': agentFile('b', '5 * * * *'), 'c.prompt': agentFile('c', '10 * * * *') },
    });
    const names = (list: { environment: string; agent: string }[]): string[] =>
      list.map((s) => `${s.environment}/${s.agent}`).sort();
    expect(names(catalog.list())).toEqual(['default/a', 'staging/b', 'staging/c']);
    expect(names(catalog.list('staging'))).toEqual(['staging/b', 'staging/c']);
    expect(names(catalog.list('nowhere'))).toEqual([]);

    rmSync(join(root, 'staging', 'c.prompt'));
    expect(names(catalog.list('staging'))).toEqual(['staging/b']);
    expect(names(catalog.list())).toEqual(['default/a', 'staging/b']);
  });
});

describe('scheduleCatalog(engine)', () => {
  it('is one catalog per engine, so listing again re-reads only the files that changed', async () => {
    const temp = makeInitializedHome();
    const engine = openEngine({ home: temp.home });
    const other = openEngine({ home: temp.home });
    try {
      expect(scheduleCatalog(engine)).toBe(scheduleCatalog(engine));
      expect(scheduleCatalog(other)).not.toBe(scheduleCatalog(engine));
    } finally {
      await engine.close();
      await other.close();
      temp.cleanup();
    }
  });
});
