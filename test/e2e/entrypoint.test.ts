import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { BIN, ROOT, runStn } from '../helpers/cli.js';

/**
 * deploy/entrypoint.sh run directly, with the real `stn` (dist/) and a stand-in `litestream` first on PATH: no
 * Litestream binary is installed here and Debian has no package for it (`apt-cache policy litestream` finds none).
 * The stand-in records its arguments and copies file:// replicas (test/helpers/litestream-stand-in.js).
 */
const ENTRYPOINT = join(ROOT, 'deploy', 'entrypoint.sh');
const STAND_IN = join(ROOT, 'test', 'helpers', 'litestream-stand-in.js');

interface Rig {
  dir: string;
  home: string;
  replica: string;
  /** Calls of the stand-in litestream, each its list of arguments. */
  calls(): string[][];
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

function makeRig(): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'station-entrypoint-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'stn'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  writeFileSync(join(bin, 'litestream'), `#!/bin/sh\nexec '${process.execPath}' '${STAND_IN}' "$@"\n`);
  chmodSync(join(bin, 'stn'), 0o755);
  chmodSync(join(bin, 'litestream'), 0o755);
  // The environments the container is given (a ConfigMap in Kubernetes): one with no MCP servers, so nothing is
  // fetched or started.
  const envs = join(dir, 'environments', 'default');
  mkdirSync(join(envs, 'agents'), { recursive: true });
  writeFileSync(join(envs, 'template.json'), JSON.stringify({ name: 'default', mcpServers: {} }));
  const log = join(dir, 'litestream-calls.log');
  return {
    dir,
    home: join(dir, 'data', 'station'),
    replica: join(dir, 'replica'),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trimEnd()
            .split('\n')
            .map((l) => l.replace(/\t$/, '').split('\t'))
        : [],
    env: (extra = {}) => ({
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      STATION_HOME: join(dir, 'data', 'station'),
      STATION_ENVIRONMENTS_FROM: join(dir, 'environments'),
      STATION_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      LITESTREAM_STAND_IN_LOG: log,
      NO_COLOR: '1',
      STATION_DEBUG: '',
      ...extra,
    }),
  };
}

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

async function startEntrypoint(env: NodeJS.ProcessEnv): Promise<Started> {
  // A process group of its own: a test that fails midway still ends litestream's child (afterEach).
  const child = spawn(ENTRYPOINT, ['--host', '127.0.0.1', '--port', '0', '--grace', '1'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  started.push(child);
  const url = await vi.waitFor(
    () => {
      const found = /Station listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (found === undefined) throw new Error(`not listening yet\nstdout: ${stdout}\nstderr: ${stderr}`);
      return found;
    },
    { timeout: 25_000, interval: 50 },
  );
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

/** The command line of a process, from /proc. */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')
    .split('\0')
    .filter(Boolean);
}

const started: ChildProcess[] = [];
let rig: Rig;

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch (error) {
      // Not a group leader (spawned without detached): the process alone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      child.kill('SIGKILL');
    }
  }
  rmSync(rig.dir, { recursive: true, force: true });
});

describe('deploy/entrypoint.sh', () => {
  it('without Litestream: makes the home, copies the environments in, and becomes stn serve (SIGTERM stops it)', async () => {
    rig = makeRig();
    const env = rig.env();
    const stn = await startEntrypoint(env);
    expect((await fetch(`${stn.url}/health`)).status).toBe(200);
    // exec, not a child: the entrypoint's own pid is now `node bin/run.js serve`.
    const argv = commandLine(stn.child.pid ?? 0);
    expect(argv.slice(1, 3)).toEqual([BIN, 'serve']);
    expect(existsSync(join(rig.home, 'station.db'))).toBe(true);
    expect(JSON.parse(readFileSync(join(rig.home, 'environments', 'default', 'template.json'), 'utf8'))).toEqual({
      name: 'default',
      mcpServers: {},
    });
    stn.child.kill('SIGTERM');
    expect(await stn.exited, stn.output().stderr).toBe(0);
    expect(stn.output().stdout).toContain('Stopped (SIGTERM).');
    expect(rig.calls()).toEqual([]);
    expect(existsSync(join(rig.home, 'litestream.yml'))).toBe(false);
  });

  it('with LITESTREAM_REPLICA_URL: restores only a missing database, runs stn serve under litestream replicate, and signals reach it', async () => {
    rig = makeRig();
    const replicaUrl = `file://${rig.replica}`;
    const env = rig.env({ LITESTREAM_REPLICA_URL: replicaUrl });
    const db = join(rig.home, 'station.db');

    // First start: no database, no replica yet. The restore is tried (and finds nothing), then init makes the home.
    const first = await startEntrypoint(env);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    expect(rig.calls()).toEqual([
      ['restore', '-if-replica-exists', '-o', db, replicaUrl],
      [
        'replicate',
        '-config',
        join(rig.home, 'litestream.yml'),
        '-exec',
        "stn serve '--host' '127.0.0.1' '--port' '0' '--grace' '1'",
      ],
    ]);
    expect(parse(readFileSync(join(rig.home, 'litestream.yml'), 'utf8'))).toEqual({
      dbs: [{ path: db, replicas: [{ url: replicaUrl, 'sync-interval': '10s', retention: '24h' }] }],
    });
    // exec: the entrypoint's pid is now litestream's, and stn serve is its child.
    expect(commandLine(first.child.pid ?? 0).join(' ')).toContain('litestream-stand-in.js replicate');
    const created = await runStn(['key', 'create', 'ops', '--role', 'admin', '--json'], { env });
    expect(created.code).toBe(0);
    const key = (JSON.parse(created.stdout) as { key: string }).key;
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output().stderr).toBe(0);
    expect(first.output().stdout).toContain('Stopped (SIGTERM).');
    expect(existsSync(join(rig.replica, 'station.db'))).toBe(true);

    // A new container: an empty volume. The database comes back from the replica, the key with it.
    rmSync(join(rig.dir, 'data'), { recursive: true });
    const second = await startEntrypoint(env);
    expect(rig.calls()[2]).toEqual(['restore', '-if-replica-exists', '-o', db, replicaUrl]);
    const me = await fetch(`${second.url}/api/v1/me`, { headers: { Authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited, second.output().stderr).toBe(0);
    expect(second.output().stdout).toContain('Stopped (SIGINT).');

    // The same volume again: the database is there, so nothing is restored over it.
    const third = await startEntrypoint(env);
    expect(
      rig
        .calls()
        .slice(4)
        .map((c) => c[0]),
    ).toEqual(['replicate']);
    expect(third.output().stderr).toContain(`${db} exists: not restored`);
    third.child.kill('SIGTERM');
    expect(await third.exited, third.output().stderr).toBe(0);
  });

  it('with only a litestream.yml in the home: restores with it when the database is missing', async () => {
    rig = makeRig();
    const env = rig.env();
    const init = await runStn(['init', '--litestream', `file://${rig.replica}`], { env });
    expect(init.code).toBe(0);
    const config = join(rig.home, 'litestream.yml');
    // The replica holds a database made elsewhere; this home's is gone.
    mkdirSync(rig.replica);
    writeFileSync(join(rig.replica, 'station.db'), readFileSync(join(rig.home, 'station.db')));
    rmSync(join(rig.home, 'station.db'));
    const stn = await startEntrypoint(env);
    expect(rig.calls()).toEqual([
      ['restore', '-config', config, '-if-replica-exists', join(rig.home, 'station.db')],
      ['replicate', '-config', config, '-exec', "stn serve '--host' '127.0.0.1' '--port' '0' '--grace' '1'"],
    ]);
    stn.child.kill('SIGTERM');
    expect(await stn.exited, stn.output().stderr).toBe(0);
  });

  it('with STATION_API_KEY: imports it at every start (the same key again changes nothing), a new one replaces it', async () => {
    rig = makeRig();
    // As the recipe in `stn key import --help` makes one (openssl rand -hex 6, openssl rand -base64 32).
    const random = (n: number): Buffer => Buffer.from(crypto.getRandomValues(new Uint8Array(n)));
    const newKey = (): string => `stn_${random(6).toString('hex')}_${random(32).toString('base64url')}`;
    const me = async (url: string, key: string): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${key}` } });
      return { status: res.status, body: await res.json() };
    };
    const first = newKey();
    const one = await startEntrypoint(rig.env({ STATION_API_KEY: first }));
    expect(await me(one.url, first)).toMatchObject({ status: 200, body: { name: 'deploy', role: 'admin' } });
    expect(one.output().stderr).toContain('API key deploy (role admin) from STATION_API_KEY');
    // stn serve (the entrypoint's pid, exec'd) is not given the plain key.
    const environ = readFileSync(`/proc/${String(one.child.pid ?? 0)}/environ`, 'utf8').split('\0');
    expect(environ.filter((e) => e.startsWith('STATION_API_KEY='))).toEqual([]);
    one.child.kill('SIGTERM');
    expect(await one.exited).toBe(0);

    // A restarted container with the same Secret: nothing changes, the key goes on working.
    const two = await startEntrypoint(rig.env({ STATION_API_KEY: first }));
    expect(two.output().stderr).toContain('is already stored as given: nothing changed');
    expect((await me(two.url, first)).status).toBe(200);
    two.child.kill('SIGTERM');
    expect(await two.exited).toBe(0);

    // A rotated Secret (here with another role): the new key replaces the old one, which is refused from then on.
    const second = newKey();
    const three = await startEntrypoint(
      rig.env({ STATION_API_KEY: second, STATION_API_KEY_NAME: 'deploy', STATION_API_KEY_ROLE: 'viewer' }),
    );
    expect(await me(three.url, second)).toMatchObject({ status: 200, body: { name: 'deploy', role: 'viewer' } });
    expect((await me(three.url, first)).status).toBe(401);
    for (const start of [one, two, three]) expect(JSON.stringify(start.output())).not.toContain(first.slice(17));
    expect(JSON.stringify(three.output())).not.toContain(second.slice(17));
    three.child.kill('SIGTERM');
    expect(await three.exited).toBe(0);
  });

  it('refuses a replica URL that is not s3:// or file:// before anything is made', async () => {
    rig = makeRig();
    const child = spawn(ENTRYPOINT, [], {
      env: rig.env({ LITESTREAM_REPLICA_URL: 'https://example.com/db' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(
      'LITESTREAM_REPLICA_URL must be s3://BUCKET/PATH or file:///FOLDER, got "https://example.com/db"',
    );
    expect(existsSync(rig.home)).toBe(false);
    expect(rig.calls()).toEqual([]);
  });
});
