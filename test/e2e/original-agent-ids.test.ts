// Issue 15 point 7: the original Station's CLI took agent ids (`stn agent show 3`, `agent run 3 "task"`,
// `agent delete 3`, `agent export 3`). Station names agents, and shows each agent's station.db row id in
// `agent list`; a number that is no agent's name is taken as that id, with a one-line hint naming the agent.
// An agent whose name is that number wins. The built `stn`, a real home and the test model server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, type RunHome } from './run-home.js';

let home: RunHome;
let model: ModelServer;
const ids = new Map<string, number>();

const plain = (name: string, text = `You are ${name}.`): string =>
  `---\nmetadata:\n  name: "${name}"\n  description: "${name}"\n---\n{{role "system"}}\n${text}\n{{role "user"}}\n{{userInput}}\n`;

async function stn(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runStn(args, { env: home.envFor(model.url), timeoutMs: 60_000 });
}

beforeAll(async () => {
  model = await startModelServer({ fallback: { text: 'Hello from the model.' } });
  home = makeRunHome();
  home.writeAgent('helper', plain('helper'));
  home.writeAgent('doomed', plain('doomed'));
  const list = await stn(['agent', 'list', '--json']);
  expect(list.code, list.stderr).toBe(0);
  for (const a of JSON.parse(list.stdout) as { id: number | null; name: string }[]) {
    expect(a.id).toEqual(expect.any(Number));
    ids.set(a.name, a.id ?? 0);
  }
  // An agent whose name is the id of another one: its name wins.
  home.writeAgent(String(ids.get('reader')), plain(String(ids.get('reader')), 'The numeric one.'));
}, 60_000);

afterAll(async () => {
  await model.close();
  home.cleanup();
});

describe('numeric agent ids, as the original took them', () => {
  it('agent list shows the ids, in text and --json', async () => {
    const r = await stn(['agent', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+ID\s+MODEL/m);
    expect(r.stdout).toMatch(new RegExp(`^helper\\s+${String(ids.get('helper'))}\\s`, 'm'));
  });

  it('agent show ID finds the agent, with a hint naming it on stderr', async () => {
    const id = String(ids.get('helper'));
    const r = await stn(['agent', 'show', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }).name).toBe('helper');
    expect(r.stderr).toContain(`agent ${id} is "helper"; Station names agents: stn agent show helper`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);

    const text = await stn(['agent', 'show', id]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('helper');
    expect(text.stderr).toContain(`agent ${id} is "helper"`);
  });

  it('a name that is a number wins over an id, with no hint', async () => {
    const id = String(ids.get('reader'));
    const r = await stn(['agent', 'show', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }).name).toBe(id);
    expect(r.stderr).not.toContain('Station names agents');
  });

  it('an id that is no agent is not found (exit 3)', async () => {
    const r = await stn(['agent', 'show', '98765', '--json']);
    expect(r.code).toBe(ExitCode.NOT_FOUND);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('agent run ID "task" runs the agent, recorded under its name', async () => {
    const id = String(ids.get('helper'));
    const r = await stn(['agent', 'run', id, 'say hello', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; agent?: string; status?: string })
      .find((l) => l.type === 'result');
    expect(result).toMatchObject({ agent: 'helper', status: 'completed' });
    expect(r.stderr).toContain(`agent ${id} is "helper"`);
  });

  it('agent export ID writes the agent file', async () => {
    const id = String(ids.get('helper'));
    const out = join(home.home, 'exported.prompt');
    const r = await stn(['agent', 'export', id, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('You are helper.');
    expect(r.stderr).toContain(`agent ${id} is "helper"`);
  });

  it('agent delete ID --yes deletes that agent', async () => {
    const id = String(ids.get('doomed'));
    const r = await stn(['agent', 'delete', id, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`agent ${id} is "doomed"`);
    expect(existsSync(join(home.home, 'environments', 'default', 'agents', 'doomed.prompt'))).toBe(false);
    expect(existsSync(join(home.home, 'environments', 'default', 'agents', 'helper.prompt'))).toBe(true);
  });
});
