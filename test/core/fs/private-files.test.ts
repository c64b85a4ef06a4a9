import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EnvironmentService,
  initStation,
  openDatabase,
  privacyWarnings,
  stationPaths,
  writeFileAtomic,
} from '../../../src/core/index.js';
import { saveVariables } from '../../../src/core/config/mcp-config-variables.js';
import { makePrivateIfExists } from '../../../src/core/fs/private-files.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Runs `fn` with a permissive umask (vitest runs test files in forked processes, so this is allowed). */
function withUmask<T>(mask: number, fn: () => T): T {
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

describe('files holding secrets are private whatever the umask', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'station-private-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('initStation under umask 000: home 0700; config.yaml, station.db, -wal, -shm, variables.yml 0600', () => {
    const paths = stationPaths(join(dir, 'home'));
    withUmask(0o000, () => initStation(paths, { projectRoot: dir }));
    expect(modeOf(paths.home)).toBe(0o700);
    expect(modeOf(paths.config)).toBe(0o600);
    expect(modeOf(paths.database)).toBe(0o600);
    expect(modeOf(join(paths.environments, 'default', 'variables.yml'))).toBe(0o600);
    const db = withUmask(0o000, () => openDatabase(paths.database));
    try {
      db.prepare('CREATE TABLE t (x)').run();
      expect(existsSync(`${paths.database}-wal`)).toBe(true);
      expect(modeOf(`${paths.database}-wal`)).toBe(0o600);
      expect(modeOf(`${paths.database}-shm`)).toBe(0o600);
    } finally {
      db.close();
    }
    expect(privacyWarnings(paths)).toEqual([]);
  });

  it('initStation makes an existing home folder 0700', () => {
    const paths = stationPaths(dir);
    chmodSync(dir, 0o755);
    initStation(paths, { projectRoot: dir });
    expect(modeOf(dir)).toBe(0o700);
  });

  it('openDatabase under umask 000 creates the database file 0600 before SQLite opens it', () => {
    const file = join(dir, 'sub', 'station.db');
    const db = withUmask(0o000, () => openDatabase(file));
    db.close();
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(join(dir, 'sub'))).toBe(0o700);
  });

  it('EnvironmentService.create under umask 000 makes variables.yml 0600 (the template file is 0644)', () => {
    const paths = stationPaths(dir);
    initStation(paths, { projectRoot: dir });
    const db = openDatabase(paths.database);
    try {
      withUmask(0o000, () => new EnvironmentService(paths, db).create('staging'));
    } finally {
      db.close();
    }
    expect(modeOf(join(paths.environments, 'staging', 'variables.yml'))).toBe(0o600);
  });

  it('saveVariables under umask 000 writes 0600, new file or rewrite of a 0644 one', () => {
    const fresh = join(dir, 'new.yml');
    const loose = join(dir, 'loose.yml');
    writeFileSync(loose, 'A: "1"\n');
    chmodSync(loose, 0o644);
    withUmask(0o000, () => {
      saveVariables(fresh, { TOKEN: 'x' });
      saveVariables(loose, { TOKEN: 'x' });
    });
    expect(modeOf(fresh)).toBe(0o600);
    expect(modeOf(loose)).toBe(0o600);
  });

  it('writeFileAtomic without a mode keeps the mode of the file it replaces', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'a: 1\n');
    chmodSync(file, 0o600);
    withUmask(0o000, () => writeFileAtomic(file, 'a: 2\n'));
    expect(modeOf(file)).toBe(0o600);
    withUmask(0o022, () => writeFileAtomic(file, 'a: 3\n'));
    expect(modeOf(file)).toBe(0o600);
  });

  it('writeFileAtomic sets an explicit mode whatever the umask', () => {
    const file = join(dir, 'x.txt');
    withUmask(0o077, () => writeFileAtomic(file, 'x', { mode: 0o640 }));
    expect(modeOf(file)).toBe(0o640);
  });

  it('makePrivateIfExists changes a loose file, and leaves a private one untouched (not even its ctime)', async () => {
    const loose = join(dir, 'loose');
    const tight = join(dir, 'tight');
    writeFileSync(loose, 'x', { mode: 0o644 });
    writeFileSync(tight, 'x', { mode: 0o600 });
    const ctime = statSync(tight).ctimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    makePrivateIfExists(loose);
    makePrivateIfExists(tight);
    makePrivateIfExists(join(dir, 'missing'));
    expect(modeOf(loose)).toBe(0o600);
    expect(statSync(tight).ctimeMs).toBe(ctime);
  });

  it('privacyWarnings names each loose secret file with its chmod command, and nothing else', () => {
    const paths = stationPaths(dir);
    initStation(paths, { projectRoot: dir });
    const vars = join(paths.environments, 'default', 'variables.yml');
    chmodSync(vars, 0o644);
    chmodSync(paths.config, 0o640);
    chmodSync(join(paths.environments, 'default', 'template.json'), 0o666);
    expect(privacyWarnings(paths)).toEqual([
      { file: paths.config, mode: 0o640, fix: `chmod 600 ${paths.config}` },
      { file: vars, mode: 0o644, fix: `chmod 600 ${vars}` },
    ]);
  });

  it('privacyWarnings quotes a path the shell would split', () => {
    const home = join(dir, "my station's home");
    const paths = stationPaths(home);
    initStation(paths, { projectRoot: dir });
    chmodSync(paths.database, 0o644);
    expect(privacyWarnings(paths)).toEqual([
      { file: paths.database, mode: 0o644, fix: `chmod 600 '${join(dir, "my station'\\''s home", 'station.db')}'` },
    ]);
  });
});
