// `stn key import` through the built CLI (needs `npm run build`): a key given from an environment variable or
// stdin authenticates against a real `stn serve` (spawned, reading the same store), importing it again changes
// nothing, another key under the name is refused without --replace and replaces it with, and bad input ends
// with a usage (2) or invalid (5) exit that never repeats the key.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../../src/core/index.js';
import { runStn } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { startStn } from '../../e2e/run-home.js';

/** A key as the recipe in `stn key import --help` makes it (openssl rand -hex 6, -base64 32 as base64url). */
function madeKey(): string {
  return `stn_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

describe('stn key import (built CLI)', { timeout: 120_000 }, () => {
  let temp: TempHome;
  let stop: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    temp.cleanup();
  });

  /** An initialized home whose default environment starts no MCP server. */
  function home(): TempHome {
    temp = makeInitializedHome();
    writeFileSync(
      join(temp.paths.environments, 'default', 'template.json'),
      JSON.stringify({ name: 'default', mcpServers: {} }),
    );
    return temp;
  }

  const importKey = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
    runStn(['key', 'import', ...args], { env: { ...temp.env, ...extra }, ...(input === undefined ? {} : { input }) });

  it('from env and stdin: the key works on a running server; again is a no-op; another needs --replace', async () => {
    home();
    const first = madeKey();
    const created = await importKey(['deploy', '--role', 'admin', '--from-env', 'STATION_API_KEY', '--json'], {
      STATION_API_KEY: first,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'deploy',
      role: 'admin',
      prefix: first.slice(4, 16),
      environments: ['*'],
      status: 'active',
      outcome: 'created',
      replaced: [],
    });
    expect(created.stdout + created.stderr).not.toContain(first.slice(17));

    const serve = startStn(['serve', '--host', '127.0.0.1', '--port', '0', '--grace', '0'], temp.env);
    stop = async () => {
      serve.child.kill('SIGTERM');
      return serve.exited;
    };
    const url = await vi.waitFor(
      () => {
        const found = /Station listening on (http:\/\/\S+)/.exec(serve.output().stdout)?.[1];
        if (found === undefined) throw new Error(`not listening yet: ${serve.output().stderr}`);
        return found;
      },
      { timeout: 30_000, interval: 50 },
    );
    const me = async (key: string): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${key}` } });
      return { status: res.status, body: await res.json() };
    };
    expect(await me(first)).toMatchObject({ status: 200, body: { name: 'deploy', role: 'admin' } });

    // The same key again (a restarted container with the same Secret): nothing changes, exit 0.
    const again = await importKey(['deploy', '--role', 'admin', '--from-env', 'STATION_API_KEY'], {
      STATION_API_KEY: `${first}\n`,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('is already stored as given: nothing changed');
    const replaceSame = await importKey(['deploy', '--role', 'admin', '--from-env', 'K', '--replace', '--json'], {
      K: first,
    });
    expect(JSON.parse(replaceSame.stdout)).toMatchObject({ outcome: 'unchanged', replaced: [] });

    // Another key under the name: refused (exit 4) without --replace; the old key goes on working.
    const second = madeKey();
    const refused = await importKey(['deploy', '--role', 'admin', '--from-env', 'K'], { K: second });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/key "deploy" already exists \(stn_[0-9a-f]{12}_…\) with another secret/);
    expect(refused.stderr).toContain('--replace');
    expect((await me(first)).status).toBe(200);
    expect((await me(second)).status).toBe(401);

    // With --replace (a rotated Secret): the old key is refused from now on, the new one works.
    const replaced = await importKey(['deploy', '--role', 'admin', '--from-env', 'K', '--replace', '--json'], {
      K: second,
    });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({
      outcome: 'replaced',
      prefix: second.slice(4, 16),
      replaced: [{ prefix: first.slice(4, 16), status: 'revoked' }],
    });
    expect(await me(first)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await me(second)).toMatchObject({ status: 200, body: { name: 'deploy' } });
    // The replaced key cannot come back.
    const back = await importKey(['deploy', '--role', 'admin', '--from-env', 'K', '--replace'], { K: first });
    expect(back.code).toBe(4);
    expect(back.stderr).toContain('is revoked: it cannot be imported again');

    // From stdin, with a role and environments.
    const third = madeKey();
    const piped = await importKey(['board', '--role', 'viewer', '--env', 'default', '--from-stdin'], {}, `${third}\n`);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/Imported viewer key board \(stn_[0-9a-f]{12}_…\) for environments: default/);
    expect(await me(third)).toMatchObject({ status: 200, body: { role: 'viewer', environments: ['default'] } });

    // Audited like key create: each change once (the no-ops not at all), the key never in the trail.
    const audit = await runStn(['audit', '--json', '--action', 'key.*'], { env: temp.env });
    const rows = JSON.parse(audit.stdout) as AuditRecord[];
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ['key.import', third.slice(4, 16)],
      ['key.import', second.slice(4, 16)],
      ['key.revoke', first.slice(4, 16)],
      ['key.import', first.slice(4, 16)],
    ]);
    expect(rows[1]?.details).toMatchObject({ name: 'deploy', outcome: 'replaced', replaced: [first.slice(4, 16)] });
    const listed = await runStn(['key', 'list', '--json'], { env: temp.env });
    for (const key of [first, second, third]) {
      expect(audit.stdout).not.toContain(key.slice(17));
      expect(listed.stdout).not.toContain(key.slice(17));
    }
  });

  it('servers starting together (one store, the same Secret) each import it: one key, every import exit 0', async () => {
    home();
    const key = madeKey();
    const outs = await Promise.all(
      [1, 2, 3].map(() =>
        importKey(['deploy', '--role', 'admin', '--from-env', 'K', '--replace', '--json'], { K: key }),
      ),
    );
    for (const out of outs) expect(out.code, out.stderr).toBe(0);
    expect(outs.map((o) => (JSON.parse(o.stdout) as { outcome: string }).outcome).sort()).toEqual([
      'created',
      'unchanged',
      'unchanged',
    ]);
    const listed = JSON.parse((await runStn(['key', 'list', '--json'], { env: temp.env })).stdout) as unknown[];
    expect(listed).toHaveLength(1);
  });

  it('warns of a granted environment that does not exist (yet), as key create does, and imports the key', async () => {
    home();
    const typo = await importKey(
      ['ops', '--role', 'user', '--env', 'default', '--env', 'prodution', '--from-env', 'K'],
      {
        K: madeKey(),
      },
    );
    expect(typo.code, typo.stderr).toBe(0);
    expect(typo.stderr).toContain('environment "prodution" does not exist (yet)');
    expect(typo.stderr).not.toContain('"default" does not exist');
  });

  it('bad input: a variable unset or empty, a short or predictable key, a key as an argument, no source', async () => {
    home();
    const key = madeKey();
    const cases: { args: string[]; env?: NodeJS.ProcessEnv; input?: string; code: number; message: string }[] = [
      {
        args: ['--from-env', 'STATION_NO_SUCH_VAR'],
        code: 2,
        message: 'environment variable STATION_NO_SUCH_VAR is not set: no key to import',
      },
      { args: ['--from-env', 'K'], env: { K: ' ' }, code: 2, message: 'environment variable K is empty' },
      {
        args: ['--from-env', 'K'],
        env: { K: 'short-key' },
        code: 5,
        message: 'invalid key: expected "stn_", 12 hex digits, "_" and 43 base64url characters',
      },
      {
        args: ['--from-env', 'K'],
        env: { K: `${key.slice(0, 17)}${'x'.repeat(43)}` },
        code: 5,
        message: 'equal or consecutive characters in a row: it must be random',
      },
      { args: ['--from-stdin'], input: '', code: 2, message: 'stdin is empty: no key to import' },
      { args: [key], code: 2, message: 'keys are not taken from the command line' },
      { args: [], code: 2, message: 'say where the key comes from: --from-env VAR or --from-stdin' },
    ];
    for (const c of cases) {
      const out = await importKey(['deploy', '--role', 'admin', ...c.args], c.env ?? {}, c.input);
      expect(out.code, `${c.args.join(' ')}: ${out.stderr}`).toBe(c.code);
      expect(out.stderr).toContain(c.message);
      expect(out.stdout + out.stderr).not.toContain(key.slice(17));
    }
    const json = await importKey(['deploy', '--role', 'admin', '--from-env', 'K', '--json'], { K: 'short-key' });
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'invalid', exitCode: 5, details: { issues: [{ field: 'key' }] } },
    });
    expect((JSON.parse(json.stdout) as { error: { hints: string[] } }).error.hints[0]).toContain('openssl rand -hex 6');
    const noRole = await importKey(['deploy', '--from-env', 'K'], { K: key });
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('role');
    const listed = await runStn(['key', 'list', '--json'], { env: temp.env });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
