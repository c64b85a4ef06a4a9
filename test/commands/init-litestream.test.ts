import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';

describe('stn init --litestream (built CLI)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('writes litestream.yml and lists it with the files made', async () => {
    temp = makeTempHome();
    const out = await runStn(['init', '--litestream', 'file:///srv/replica', '--json'], { env: temp.env });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { created: string[] }).created).toContain('litestream.yml');
    expect(readFileSync(temp.paths.litestream, 'utf8')).toContain(`- path: ${temp.paths.database}`);
  });

  it('refuses a URL that is not s3:// or file:// with a usage error, and writes nothing', async () => {
    temp = makeTempHome();
    const out = await runStn(['init', '--litestream', 'sftp://host/station'], { env: temp.env });
    expect(out.code).toBe(ExitCode.USAGE);
    expect(out.stderr).toContain(
      '--litestream: replica URLs with "sftp://" are not supported; expected s3:// or file://',
    );
    expect(out.stderr).toContain('s3://my-bucket/station');
    expect(existsSync(temp.paths.config)).toBe(false);
  });

  it('shows the flag and its examples in --help', async () => {
    temp = makeTempHome();
    const out = await runStn(['init', '--help'], { env: temp.env });
    expect(out.stdout).toContain('--litestream=<value>');
    expect(out.stdout).toContain('init --litestream s3://my-bucket/station');
  });
});
