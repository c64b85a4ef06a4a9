// environments.git end to end (issue 19): two `stn serve` processes with homes of their own on one PostgreSQL
// schema pull their environments from one real Git repository. A new agent committed there is listed by both
// within the interval; a broken commit is reported (and not taken) while runs go on; `stn env pull` does it by hand.
// Needs `npm run build`.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/core/client/api-client.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makePgSchema, type TestSchema } from '../helpers/stores.js';
import { makeRunHome, serveStn, stopServers, type RunHome, type StnProcess } from './run-home.js';

let model: ModelServer;
let schema: TestSchema;
const homes: RunHome[] = [];
let repo: string;
const servers: StnProcess[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function commit(files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'change');
  return git(repo, 'rev-parse', 'HEAD');
}

/** A home whose environments come from `repo`, pulled every second. */
function gitHome(): RunHome {
  const home = makeRunHome();
  homes.push(home);
  const config = readFileSync(home.paths.config, 'utf8');
  writeFileSync(
    home.paths.config,
    `${config}\nenvironments:\n  git:\n    url: ${repo}\n    ref: main\n    interval: 1s\n`,
  );
  return home;
}

beforeAll(async () => {
  model = await startModelServer({ fallback: { text: 'Pulled and answered.' } });
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  schema = makePgSchema();
  const first = makeRunHome();
  homes.push(first);
  // The repository starts as a copy of a home's environments (agents and template.json, no variables).
  repo = join(first.home, 'envs-repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  cpSync(join(first.home, 'environments', 'default'), join(repo, 'default'), { recursive: true });
  rmSync(join(repo, 'default', 'variables.yml'), { force: true });
  commit({});
});
afterEach(async () => {
  await stopServers(servers);
  for (const home of homes.splice(0)) home.cleanup();
  schema.drop();
});

/** Starts `stn serve` for `home` on this test's store; its base URL once it listens. */
async function serve(home: RunHome): Promise<string> {
  return (await serveStn(home.envFor(model.url, { STATION_DATABASE_URL: schema.url }), servers)).url;
}

describe('environments from Git', { timeout: 120_000 }, () => {
  it('every server picks up a commit within the interval; a broken one is reported and runs go on', async () => {
    const [a, b] = [gitHome(), gitHome()];
    const env = a.envFor(model.url, { STATION_DATABASE_URL: schema.url });
    expect((await runStn(['db', 'migrate'], { env })).code).toBe(0);
    const created = await runStn(['key', 'create', 'ops', '--role', 'admin', '--json'], { env });
    const key = (JSON.parse(created.stdout) as { key: string }).key;
    const clients = [new ApiClient({ url: await serve(a), key }), new ApiClient({ url: await serve(b), key })];

    commit({ 'default/agents/fresh.prompt': '---\nmetadata:\n  name: fresh\n---\nSay something new.\n' });
    for (const client of clients) {
      await vi.waitFor(async () => expect((await client.listAgents('default')).map((x) => x.name)).toContain('fresh'), {
        timeout: 20_000,
        interval: 200,
      });
    }

    const broken = commit({ 'default/agents/fresh.prompt': '---\nmax_steps: zero\n---\nx\n' });
    await vi.waitFor(
      () => {
        for (const server of servers) {
          expect(server.output().stderr).toContain('environments commit not taken: files do not read');
          expect(server.output().stderr).toContain(broken);
        }
      },
      { timeout: 20_000, interval: 200 },
    );
    // Both keep the last good files: the agent still runs, on either server.
    const { id } = await clients[1]!.startRun('default', 'fresh', { input: { userInput: 'go' } });
    await vi.waitFor(
      async () => expect(await clients[0]!.getRun(id, { events: false })).toMatchObject({ status: 'completed' }),
      {
        timeout: 30_000,
        interval: 200,
      },
    );
    expect(readFileSync(join(a.home, 'environments', 'default', 'agents', 'fresh.prompt'), 'utf8')).toContain(
      'Say something new.',
    );
  });

  it('stn env pull: takes a good commit (--json), refuses a broken one naming the file (exit 5)', async () => {
    const home = gitHome();
    const first = await runStn(['env', 'pull', '--json'], { env: home.env });
    expect(first.code, first.stderr).toBe(0);
    const outcome = JSON.parse(first.stdout) as { status: string; commit: string; url: string; ref: string };
    expect(outcome).toMatchObject({
      status: 'updated',
      commit: git(repo, 'rev-parse', 'HEAD'),
      url: repo,
      ref: 'main',
    });
    const again = await runStn(['env', 'pull'], { env: home.env });
    expect(again.stdout).toContain(`Environments already at ${outcome.commit.slice(0, 12)}`);

    commit({ 'default/agents/reader.prompt': '---\ntools: 3\n---\nx\n' });
    const refused = await runStn(['env', 'pull'], { env: home.env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('default/agents/reader.prompt');
    expect(refused.stderr).toContain('key "tools"');
    expect(refused.stderr).toContain(`stay on ${outcome.commit.slice(0, 12)}`);

    const plain = makeRunHome();
    homes.push(plain);
    const unset = await runStn(['env', 'pull'], { env: plain.env });
    expect(unset.code).toBe(6);
    expect(unset.stderr).toContain('environments.git is not set');
  });
});
