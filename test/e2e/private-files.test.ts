import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('stn keeps the home private whatever the umask (bin/run.js)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('stn init and stn env create under umask 000 make the home 0700 and the secret files 0600', async () => {
    temp = makeTempHome();
    const home = join(temp.home, 'station');
    const env = { ...temp.env, STATION_HOME: home };
    const init = await runStn(['init', '--project-root', temp.home], { env, umask: 0o000 });
    expect(init.code).toBe(0);
    expect(init.stderr).toBe('');
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(join(home, 'config.yaml'))).toBe(0o600);
    expect(modeOf(join(home, 'station.db'))).toBe(0o600);
    expect(modeOf(join(home, 'environments', 'default', 'variables.yml'))).toBe(0o600);

    const created = await runStn(['env', 'create', 'staging'], { env, umask: 0o000 });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    expect(modeOf(join(home, 'environments', 'staging', 'variables.yml'))).toBe(0o600);
    expect(modeOf(join(home, 'station.db'))).toBe(0o600);
    for (const side of ['station.db-wal', 'station.db-shm']) {
      const file = join(home, side);
      if (existsSync(file)) expect(modeOf(file)).toBe(0o600);
    }
  });

  it('a variables.yml made 0644 by hand makes stn env list warn once on stderr with the chmod command', async () => {
    temp = makeTempHome();
    expect((await runStn(['init', '--project-root', temp.home], { env: temp.env })).code).toBe(0);
    const vars = join(temp.home, 'environments', 'default', 'variables.yml');
    chmodSync(vars, 0o644);
    const out = await runStn(['env', 'list'], { env: temp.env });
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('chmod');
    expect(out.stderr).toContain(`${vars} may hold secrets and is open to group or others (mode 0644)`);
    expect(out.stderr.split(`chmod 600 ${vars}`)).toHaveLength(2);
    expect(out.stderr.split('Warning:')).toHaveLength(2);

    const json = await runStn(['env', 'list', '--json'], { env: temp.env });
    expect(JSON.parse(json.stdout)).toHaveLength(1);
    expect(json.stderr.split(`chmod 600 ${vars}`)).toHaveLength(2);

    chmodSync(vars, 0o600);
    expect((await runStn(['env', 'list'], { env: temp.env })).stderr).toBe('');
  });

  it('stn init on a home whose config.yaml others can read warns, and leaves the file as it is', async () => {
    temp = makeTempHome();
    expect((await runStn(['init', '--project-root', temp.home], { env: temp.env })).code).toBe(0);
    chmodSync(temp.paths.config, 0o644);
    const again = await runStn(['init', '--project-root', temp.home], { env: temp.env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`Run: chmod 600 ${temp.paths.config}`);
    expect(modeOf(temp.paths.config)).toBe(0o644);
  });
});
