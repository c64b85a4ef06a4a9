import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../helpers/home.js';

// Registries end to end with the built binary: publish into static folders, serve them from a real HTTP
// server on 127.0.0.1, search, inspect and install by NAME[@VERSION]; a tampered archive is refused.

let home: TempHome;
let server: Server;
let base: string;
let archive: string;
const www = (): string => join(home.home, 'www');

interface Entry {
  id: string;
  name: string;
  version: string;
  download_url: string;
  sha256: string;
  file_size: number;
  station_version: string | null;
  tags: string[];
}

beforeAll(async () => {
  home = makeInitializedHome();
  archive = join(home.home, 'default.tar.gz');
  const created = await runStn(['bundle', 'create', 'default', '-o', archive, '--bundle-version', '1.0.0'], {
    env: home.env,
  });
  expect(created.code).toBe(0);
  mkdirSync(www());
  // A static web server over www/ (what any web server would do with a registry folder).
  server = createServer((req, res) => {
    const path = join(www(), decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(www()) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  home.cleanup();
});

function index(dir: string): { format: string; bundles: Entry[] } {
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { format: string; bundles: Entry[] };
}

describe('stn bundle publish', () => {
  it('adds the archive to a registry folder and writes its index entry (sha256, size, relative URL)', async () => {
    const out = await runStn(
      ['bundle', 'publish', archive, '--to', join(www(), 'good'), '--tag', 'files', '--tag', 'starter', '--json'],
      { env: home.env },
    );
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as { replaced: boolean; entry: Entry };
    expect(result.replaced).toBe(false);
    const idx = index(join(www(), 'good'));
    expect(idx.format).toBe('station-registry/1');
    expect(idx.bundles).toHaveLength(1);
    const bytes = readFileSync(archive);
    expect(idx.bundles[0]).toMatchObject({
      id: 'default',
      name: 'default',
      version: '1.0.0',
      download_url: 'bundles/default-1.0.0.tar.gz',
      file_size: bytes.length,
      tags: ['files', 'starter'],
    });
    expect(idx.bundles[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(idx.bundles[0]?.station_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(join(www(), 'good', 'bundles', 'default-1.0.0.tar.gz')).equals(bytes)).toBe(true);

    // Publishing the same version again replaces its entry; another version is added.
    const again = await runStn(['bundle', 'publish', archive, '--to', join(www(), 'good')], { env: home.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Replaced default@1\.0\.0/);
    const v2 = await runStn(
      ['bundle', 'publish', archive, '--to', join(www(), 'good'), '--bundle-version', '1.1.0', '--description', 'v2'],
      { env: home.env },
    );
    expect(v2.code).toBe(0);
    expect(index(join(www(), 'good')).bundles.map((b) => b.version)).toEqual(['1.0.0', '1.1.0']);
    expect(readdirSync(join(www(), 'good')).filter((f) => f.startsWith('.'))).toEqual([]);

    // The tampered registry: a correct index whose archive was changed afterwards.
    const bad = await runStn(['bundle', 'publish', archive, '--to', join(www(), 'bad'), '--name', 'tampered'], {
      env: home.env,
    });
    expect(bad.code).toBe(0);
    const file = join(www(), 'bad', 'bundles', 'tampered-1.0.0.tar.gz');
    // Same size, one byte changed (the gzip trailer's size field).
    const bytes2 = readFileSync(file);
    bytes2.writeUInt8((bytes2.readUInt8(bytes2.length - 1) ^ 0xff) & 0xff, bytes2.length - 1);
    writeFileSync(file, bytes2);

    // Registries the other tests use: the two served folders, an unreachable one, and a plain folder.
    const config = readFileSync(home.paths.config, 'utf8');
    expect(config).toContain('  registries: []\n');
    writeFileSync(
      home.paths.config,
      config.replace(
        '  registries: []\n',
        `  registries:\n    - ${base}/good/index.json\n    - ${base}/missing/index.json\n    - ${base}/bad/index.json\n    - ${join(www(), 'good')}\n`,
      ),
    );
  });

  it('refuses a file that is not a safe bundle, and writes nothing', async () => {
    const junk = join(home.home, 'junk.tar.gz');
    writeFileSync(junk, 'not a tarball');
    const out = await runStn(['bundle', 'publish', junk, '--to', join(home.home, 'junk-reg')], { env: home.env });
    expect(out.code).toBe(5);
    expect(existsSync(join(home.home, 'junk-reg', 'index.json'))).toBe(false);
  });
});

describe('stn bundle search', () => {
  it('lists the bundles of every registry, reporting the one that cannot be read', async () => {
    const out = await runStn(['bundle', 'search', '--json'], { env: home.env });
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as {
      bundles: (Entry & { url: string; registry: string })[];
      errors: { registry: string }[];
    };
    expect(result.bundles.map((b) => `${b.name}@${b.version}`)).toEqual([
      'default@1.1.0',
      'default@1.1.0',
      'default@1.0.0',
      'default@1.0.0',
      'tampered@1.0.0',
    ]);
    expect(result.bundles[0]?.url).toBe(`${base}/good/bundles/default-1.1.0.tar.gz`);
    expect(result.errors.map((e) => e.registry)).toEqual([`${base}/missing/index.json`]);
    expect(out.stderr).toMatch(/missing\/index\.json could not be read/);
  });

  it('filters by text in name, description and tags, as a table', async () => {
    const out = await runStn(['bundle', 'search', 'starter'], { env: home.env });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/NAME\s+VERSION\s+DESCRIPTION/);
    expect(out.stdout).toMatch(/default\s+1\.0\.0/);
    expect(out.stdout).not.toMatch(/tampered/);
    const none = await runStn(['bundle', 'search', 'nothing-like-this', '--json'], { env: home.env });
    expect((JSON.parse(none.stdout) as { bundles: unknown[] }).bundles).toEqual([]);
  });
});

describe('stn bundle inspect', () => {
  it('shows a registry bundle (servers, agents, variables, configHash) without installing it', async () => {
    const out = await runStn(['bundle', 'inspect', 'default@1.0.0', '--json'], { env: home.env });
    expect(out.code).toBe(0);
    const b = JSON.parse(out.stdout) as {
      kind: string;
      version: string;
      configHash: string;
      servers: { name: string }[];
      agents: { name: string }[];
      variables: { name: string; uses: string[] }[];
    };
    expect(b.kind).toBe('registry');
    expect(b.version).toBe('1.0.0');
    expect(b.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.servers.map((s) => s.name)).toEqual(['filesystem']);
    expect(b.agents.length).toBeGreaterThan(0);
    expect(b.variables.map((v) => v.name)).toEqual(['PROJECT_ROOT']);
    expect(b.variables[0]?.uses[0]).toMatch(/^template\.json:\d+$/);
    expect(readdirSync(home.paths.environments)).toEqual(['default']);
  });

  it('shows a local archive as text', async () => {
    const out = await runStn(['bundle', 'inspect', archive], { env: home.env });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/MCP servers \(1\)/);
    expect(out.stdout).toMatch(/filesystem \(stdio, template\.json\)/);
    expect(out.stdout).toMatch(/Variables \(1\)\n {2}PROJECT_ROOT/);
  });
});

describe('stn bundle install NAME[@VERSION]', () => {
  it('installs the newest version from the first registry that has it, sha256 checked', async () => {
    const out = await runStn(
      ['bundle', 'install', 'default', 'copy', '--yes', '--no-sync', '--var', `PROJECT_ROOT=${home.home}`, '--json'],
      { env: home.env },
    );
    expect(out.code).toBe(0);
    const r = JSON.parse(out.stdout) as { kind: string; registry: Entry & { registry: string } };
    expect(r.kind).toBe('registry');
    expect(r.registry).toMatchObject({ version: '1.1.0', registry: `${base}/good/index.json` });
    expect(existsSync(join(home.paths.environments, 'copy', 'template.json'))).toBe(true);
  });

  it('installs an exact version', async () => {
    const out = await runStn(
      ['bundle', 'install', 'default@1.0.0', 'copy-1', '--yes', '--no-sync', '--var', `PROJECT_ROOT=${home.home}`],
      { env: home.env },
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/default@1\.0\.0 from .*sha256 checked/);
  });

  it('refuses an archive whose sha256 differs from the index, and writes nothing', async () => {
    const before = readdirSync(home.paths.environments).sort();
    const out = await runStn(
      ['bundle', 'install', 'tampered', '--yes', '--no-sync', '--var', `PROJECT_ROOT=${home.home}`, '--json'],
      { env: home.env },
    );
    expect(out.code).toBe(5);
    const err = JSON.parse(out.stdout) as { error: { code: string } };
    expect(err.error.code).toBe('checksum_mismatch');
    expect(readdirSync(home.paths.environments).sort()).toEqual(before);
  });

  it('names the versions a registry has when the one asked for is not there', async () => {
    const out = await runStn(['bundle', 'install', 'default@9.9.9', '--yes'], { env: home.env });
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(/Versions: 1\.0\.0, 1\.1\.0/);
  });
});
