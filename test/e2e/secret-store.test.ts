import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStn, type CliResult } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/home.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { FS_ENTRY, makeRunHome } from './run-home.js';

// The secret store through real `stn` processes: values piped on stdin, never on argv or in any output, the
// home holding ciphertext only (every file, station.db and its WAL included), key files private whatever the
// umask, and the exit codes of a wrong key or tampered data.

const LEAKY = fileURLToPath(new URL('../fixtures/mcp/leaky-server.js', import.meta.url));
const VALUE = 'stn-e2e-secret-0123456789abcdef';

/** Every byte of every file under the home, as text. */
function homeBytes(home: string): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(readFileSync(path).toString('latin1'));
    }
  };
  walk(home);
  return out.join('\n');
}

const mode = (path: string): number => statSync(path).mode & 0o777;
const both = (r: CliResult): string => `${r.stdout}\n${r.stderr}`;

describe.each([0o022, 0o077])('stn secret under umask %o', (umask) => {
  let temp: TempHome;
  beforeAll(() => {
    temp = makeTempHome();
  });
  afterAll(() => temp.cleanup());

  // About fifteen `stn` processes one after another: give them room on a loaded machine.
  it(
    'init makes a private key file; set reads stdin; list never shows values; only ciphertext is stored',
    { timeout: 180_000 },
    async () => {
      const env = temp.env;
      const outputs: CliResult[] = [];
      const stn = async (args: string[], input?: string): Promise<CliResult> => {
        const r = await runStn(args, { env, umask, ...(input === undefined ? {} : { input }) });
        outputs.push(r);
        return r;
      };
      expect((await stn(['init'])).code).toBe(0);
      expect(mode(temp.paths.keyFile)).toBe(0o600);
      expect(mode(join(temp.home, 'keys'))).toBe(0o700);
      expect(Buffer.from(readFileSync(temp.paths.keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);

      const set = await stn(['secret', 'set', 'API_TOKEN'], `${VALUE}\n`);
      expect(set.code).toBe(0);
      expect(set.stdout).toContain('Stored secret API_TOKEN (global), encrypted at rest.');
      expect((await stn(['secret', 'set', 'API_TOKEN', '--env', 'default'], VALUE)).code).toBe(0);

      const argv = await stn(['secret', 'set', 'OTHER_TOKEN', 'on-the-command-line']);
      expect(argv.code).toBe(2);
      expect(argv.stderr).toContain('secret values are not taken from the command line');
      expect(argv.stderr).toContain('printf %s "$VALUE" | stn secret set OTHER_TOKEN');

      const list = await stn(['secret', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/API_TOKEN\s+global/);
      expect(list.stdout).toMatch(/API_TOKEN\s+default/);
      const json = await stn(['secret', 'list', '--env', 'default', '--json']);
      expect((JSON.parse(json.stdout) as { name: string; scope: string }[]).map((s) => [s.name, s.scope])).toEqual([
        ['API_TOKEN', 'global'],
        ['API_TOKEN', 'environment'],
      ]);

      for (const f of readdirSync(temp.home).filter((n) => n.startsWith('station.db')))
        expect(mode(join(temp.home, f)), f).toBe(0o600);
      for (const r of outputs) expect(both(r)).not.toContain(VALUE);
      expect(homeBytes(temp.home)).not.toContain(VALUE);
      // The value round-trips: stored without the trailing newline the pipe gave.
      const db = new Database(temp.paths.database, { readonly: true });
      const rows = db.prepare('SELECT length(ciphertext) AS n FROM secrets').all() as { n: number }[];
      db.close();
      expect(rows.map((r) => r.n)).toEqual([VALUE.length + 16, VALUE.length + 16]);

      const rm = await stn(['secret', 'rm', 'API_TOKEN', '--env', 'default']);
      expect(rm.code).toBe(2);
      expect(rm.stderr).toContain('without --yes');
      expect((await stn(['secret', 'rm', 'API_TOKEN', '--env', 'default', '--yes'])).code).toBe(0);
      expect((await stn(['secret', 'rm', 'API_TOKEN', '--env', 'default', '--yes'])).code).toBe(3);
    },
  );
});

describe('the secret store feeding sync and runs', () => {
  let model: ModelServer;
  beforeAll(async () => {
    model = await startModelServer();
  });
  afterAll(async () => {
    await model.close();
  });

  it('template placeholders resolve from the store (a real filesystem server root, a leaky token); nothing shows the values', async () => {
    const home = makeRunHome();
    try {
      const envDir = join(home.home, 'environments', 'default');
      writeFileSync(
        join(envDir, 'template.json'),
        JSON.stringify({
          mcpServers: {
            filesystem: { command: process.execPath, args: [FS_ENTRY, '{{ .FS_ROOT }}'] },
            leaky: { command: process.execPath, args: [LEAKY], env: { LEAKY_TOKEN: '{{ .LEAKY_TOKEN }}' } },
          },
        }),
      );
      // variables.yml says otherwise: the store wins over it.
      writeFileSync(join(envDir, 'variables.yml'), 'FS_ROOT: /nonexistent/station-root\n', { mode: 0o600 });
      home.writeAgent(
        'leaky',
        `---
metadata:
  name: leaky
  description: Logs in.
max_steps: 3
tools:
  - leaky__reveal
---
{{role "system"}}
You log in.
{{role "user"}}
{{userInput}}
`,
      );
      const env = home.envFor(model.url);
      const outputs: [string, CliResult][] = [];
      const stn = async (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
        const r = await runStn(args, {
          env: { ...env, ...extra },
          timeoutMs: 60_000,
          ...(input === undefined ? {} : { input }),
        });
        outputs.push([args.join(' '), r]);
        return r;
      };
      expect((await stn(['secret', 'set', 'FS_ROOT'], home.files)).code).toBe(0);
      expect((await stn(['secret', 'set', 'LEAKY_TOKEN', '--env', 'default'], VALUE)).code).toBe(0);

      const sync = await stn(['sync']);
      expect(sync.code, both(sync)).toBe(0);
      const tools = await stn(['mcp', 'tools', '--json']);
      expect(tools.stdout).toContain('filesystem__read_text_file');
      expect(tools.stdout).toContain('leaky__reveal');

      model.script((request) =>
        toolMessages(request).length === 0
          ? { toolCalls: [{ name: 'leaky__reveal', arguments: { name: 'LEAKY_TOKEN' } }] }
          : {
              text: `Found: ${toolMessages(request)
                .map((m) => m.content ?? '')
                .join(' | ')}`,
            },
      );
      const run = await stn(['agent', 'run', 'leaky', 'log in', '--json']);
      expect(run.code, both(run)).toBe(0);
      // The server got the real value; the run's answer and records show the label.
      expect(toolMessages(model.requests.at(-1)!).map((m) => m.content)).toEqual([`LEAKY_TOKEN is ${VALUE}`]);
      expect(run.stdout).toContain('LEAKY_TOKEN is [secret:LEAKY_TOKEN]');
      const runId = (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
      await stn(['runs', 'show', String(runId), '--json']);
      await stn(['mcp', 'list', '--json']);

      for (const [command, r] of outputs) expect(both(r), command).not.toContain(VALUE);
      expect(homeBytes(home.home)).not.toContain(VALUE);

      // A wrong key: exit 7 naming the source, nothing changed; the right key works again.
      const before = readFileSync(home.paths.database).toString('hex');
      const wrongKey = { STATION_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
      const wrong = await stn(['sync'], undefined, wrongKey);
      expect(wrong.code).toBe(7);
      expect(wrong.stderr).toContain('the key from the STATION_ENCRYPTION_KEY environment variable is not the key');
      const wrongSet = await stn(['secret', 'set', 'NEW_TOKEN'], 'x', wrongKey);
      expect(wrongSet.code).toBe(7);
      const bad = await stn(['sync'], undefined, { STATION_ENCRYPTION_KEY: 'short' });
      expect(bad.code).toBe(6);
      expect(readFileSync(home.paths.database).toString('hex')).toBe(before);

      // Rotation: the backup is kept, the secrets still resolve, the old key no longer opens them.
      const oldKey = readFileSync(home.paths.keyFile, 'utf8').trim();
      const rotate = await stn(['secret', 'rotate-key', '--json']);
      expect(rotate.code, both(rotate)).toBe(0);
      const rotated = JSON.parse(rotate.stdout) as { secrets: number; backup: string };
      expect(rotated.secrets).toBe(2);
      expect(mode(rotated.backup)).toBe(0o600);
      expect(readFileSync(rotated.backup, 'utf8').trim()).toBe(oldKey);
      expect((await stn(['sync'])).code).toBe(0);
      expect((await stn(['sync'], undefined, { STATION_ENCRYPTION_KEY: oldKey })).code).toBe(7);

      // Tampering: a ciphertext moved to another row no longer decrypts (exit 7, the secret named).
      const db = new Database(home.paths.database);
      const fsRoot = db.prepare("SELECT ciphertext, nonce FROM secrets WHERE name = 'FS_ROOT'").get() as {
        ciphertext: Buffer;
        nonce: Buffer;
      };
      db.prepare("UPDATE secrets SET ciphertext = ?, nonce = ? WHERE name = 'LEAKY_TOKEN'").run(
        fsRoot.ciphertext,
        fsRoot.nonce,
      );
      db.close();
      const moved = await stn(['sync']);
      expect(moved.code).toBe(7);
      expect(moved.stderr).toContain('LEAKY_TOKEN cannot be decrypted');
    } finally {
      home.cleanup();
    }
  }, 240_000);

  it('stn secret import moves secret-looking values out of variables.yml', async () => {
    const home = makeRunHome();
    try {
      const file = join(home.home, 'environments', 'default', 'variables.yml');
      writeFileSync(file, `# kept\nPROJECT_ROOT: ${home.files}\nGITHUB_TOKEN: ${VALUE}\n`, { mode: 0o644 });
      const r = await runStn(['secret', 'import', '--env', 'default'], { env: home.env });
      expect(r.code, both(r)).toBe(0);
      expect(r.stdout).toContain('Moved GITHUB_TOKEN into the secret store');
      expect(readFileSync(file, 'utf8')).toBe(`# kept\nPROJECT_ROOT: ${home.files}\n`);
      expect(mode(file)).toBe(0o600);
      expect(homeBytes(home.home)).not.toContain(VALUE);
      const list = await runStn(['secret', 'list', '--json'], { env: home.env });
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ name: 'GITHUB_TOKEN', environment: 'default' }),
      ]);
    } finally {
      home.cleanup();
    }
  });
});
