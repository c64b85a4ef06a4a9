import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../helpers/cli.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

describe('stn key (command classes)', () => {
  let temp: TempHome;
  afterEach(() => temp.cleanup());

  it('create shows the key once; list never shows it; revoke marks it', async () => {
    temp = makeInitializedHome();
    const created = await runCommand([
      'key:create',
      'ci',
      '--role',
      'user',
      '--env',
      'default',
      '--json',
      '--home',
      temp.home,
    ]);
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout) as {
      key: string;
      name: string;
      role: string;
      environments: string[];
      status: string;
    };
    expect(json).toMatchObject({ name: 'ci', role: 'user', environments: ['default'], status: 'active' });
    expect(json.key).toMatch(/^stn_[0-9a-f]{12}_/);
    const secret = json.key.slice(17);

    const future = await runCommand([
      'key:create',
      'later',
      '--role',
      'viewer',
      '--env',
      'staging',
      '--home',
      temp.home,
    ]);
    expect(future.code).toBe(0);
    expect(future.stderr).toContain('environment "staging" does not exist (yet)');
    expect((await runCommand(['key:revoke', 'later', '--yes', '--home', temp.home])).code).toBe(0);

    const plain = await runCommand(['key:create', 'ops', '--role', 'admin', '--home', temp.home]);
    expect(plain.stdout).toMatch(/^ {2}stn_[0-9a-f]{12}_\S{43}$/m);
    expect(plain.stdout).toContain('not shown again');

    const listed = await runCommand(['key:list', '--home', temp.home]);
    expect(listed.stdout.split('\n')[0]).toMatch(
      /^ID\s+NAME\s+KEY\s+ROLE\s+ENVIRONMENTS\s+STATUS\s+CREATED\s+LAST USED\s+EXPIRES$/,
    );
    expect(listed.stdout).toMatch(/ci\s+stn_[0-9a-f]{12}_…\s+user\s+default\s+active/);
    expect(listed.stdout).toMatch(/ops\s+stn_[0-9a-f]{12}_…\s+admin\s+all\s+active/);
    expect(listed.stdout).not.toContain(secret);
    const listedJson = await runCommand(['key:list', '--json', '--home', temp.home]);
    expect(listedJson.stdout).not.toContain(secret);
    expect((JSON.parse(listedJson.stdout) as unknown[]).length).toBe(3);

    const refused = await runCommand(['key:revoke', 'ci', '--home', temp.home]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to revoke key "ci"');
    expect(refused.stderr).toMatch(/Run: stn key revoke \d+ --yes/);
    const revoked = await runCommand(['key:revoke', 'ci', '--yes', '--json', '--home', temp.home]);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ name: 'ci', status: 'revoked' });
    const again = await runCommand(['key:revoke', 'ci', '--home', temp.home]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already revoked');
  });

  it('bad role is a usage error; bad env name is exit 5; unknown key is exit 3', async () => {
    temp = makeInitializedHome();
    const role = await runCommand(['key:create', 'x', '--role', 'root', '--home', temp.home]);
    expect(role.code).toBe(2);
    const env = await runCommand(['key:create', 'x', '--env', '../etc', '--json', '--home', temp.home]);
    expect(env.code).toBe(5);
    expect(JSON.parse(env.stdout)).toMatchObject({
      error: { code: 'invalid', details: { issues: [{ field: 'environments' }] } },
    });
    const missing = await runCommand(['key:revoke', 'nobody', '--home', temp.home]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('stn key list');
    const list = await runCommand(['key:list', '--json', '--home', temp.home]);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});
