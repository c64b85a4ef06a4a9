import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStn, ROOT } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('stn binary (bin/run.js)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('--version prints name/version/platform', async () => {
    temp = makeTempHome();
    const out = await runStn(['--version'], { env: temp.env });
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(
      `station/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`,
    );
  });

  // What --help, --version and each command load: test/e2e/command-imports.test.ts.
  it('--help lists the commands', async () => {
    temp = makeTempHome();
    for (const args of [['--help'], ['--version'], ['env', 'list', '--help']]) {
      const out = await runStn(args, { env: temp.env });
      expect(out.code).toBe(0);
    }
    const help = await runStn(['--help'], { env: temp.env });
    expect(help.stdout).toMatch(/env\s+Manage environments/);
    expect(help.stdout).toMatch(/init\s+Create the Station home/);
  });

  it('init then env list works end to end, and a second init changes nothing', async () => {
    temp = makeTempHome();
    const first = await runStn(['init', '--project-root', temp.home], { env: temp.env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created    config.yaml');
    const second = await runStn(['init'], { env: temp.env });
    expect(second.stdout).toContain('already initialized');
    const list = await runStn(['env', 'list', '--json'], { env: temp.env });
    expect((JSON.parse(list.stdout) as { name: string }[]).map((e) => e.name)).toEqual(['default']);
  });

  it('a broken config.yaml names file, line and column, exits 6, and shows a stack only with --debug', async () => {
    temp = makeTempHome();
    await runStn(['init'], { env: temp.env });
    const config = join(temp.home, 'config.yaml');
    writeFileSync(config, 'model:\n  name: ok\nserver:\n  port: "eighty"\n');
    const plain = await runStn(['env', 'list'], { env: temp.env });
    expect(plain.code).toBe(6);
    expect(plain.stderr).toContain(
      `${config}:4:9 (key "server.port"): expected a port number from 0 to 65535, got "eighty"`,
    );
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runStn(['env', 'list', '--debug'], { env: temp.env });
    expect(debug.stderr).toMatch(/\n\s+at /);
    const envDebug = await runStn(['env', 'list'], { env: { ...temp.env, STATION_DEBUG: '1' } });
    expect(envDebug.stderr).toMatch(/\n\s+at /);
  });

  it('an unknown flag is a usage error (exit 2) pointing at --help', async () => {
    temp = makeTempHome();
    const out = await runStn(['env', 'list', '--bogus'], { env: temp.env });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Nonexistent flag: --bogus/);
    expect(out.stderr).toContain('stn env list --help');
  });
});
