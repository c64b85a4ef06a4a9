// The same changes made through each door of Station (REST with a key, MCP over HTTP /mcp with a key,
// the built `stn` as the local user) leave the same audit rows: same actions, same targets; only the
// actor differs. Every door calls the application layer, which authorizes, calls the service and audits
// exactly once. The CLI leg needs `npm run build` first.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode, localPrincipal } from '../../src/core/index.js';
import { runStn } from '../helpers/cli.js';
import { startStationForTest, type Station } from '../core/server/station-helpers.js';
import { startStn } from './run-home.js';

const ENV = 'default';
const AGENT = 'parity';

/** The changes every door makes, in this order. */
interface Door {
  createAgent(): Promise<unknown>;
  updateAgent(description: string): Promise<unknown>;
  /** Replaces the whole file with a changed copy of its text. */
  replaceAgentText(): Promise<unknown>;
  deleteAgent(): Promise<unknown>;
  /** Runs the hello agent to its end; returns the run id. */
  runToEnd(): Promise<number>;
  /** Cancels a run; resolves to false when it was refused as a conflict (the run has finished). */
  cancel(id: number): Promise<boolean>;
  /** Starts a hello run the model answers only after a long delay; returns its id. */
  startSlowRun(): Promise<number>;
  /** Syncs the environment and waits for the report. */
  sync(): Promise<unknown>;
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
}

function restDoor(s: Station, key: string): Door {
  const api = s.api.withKey(key);
  const startRun = async (userInput: string): Promise<number> =>
    (await api.startRun(ENV, 'hello', { input: { userInput } })).id;
  return {
    createAgent: () => api.createAgent(ENV, { name: AGENT, prompt: 'Hello.' }),
    updateAgent: (description) => api.updateAgent(ENV, AGENT, { description }),
    replaceAgentText: async () => {
      const { text, hash } = await api.getAgent(ENV, AGENT);
      await api.replaceAgent(ENV, AGENT, { text: text.replace('Hello.', 'Hi.'), expectedHash: hash });
    },
    deleteAgent: () => api.deleteAgent(ENV, AGENT),
    runToEnd: async () => {
      const id = await startRun('quick');
      expect(await s.waitRun(id)).toMatchObject({ status: 'completed' });
      return id;
    },
    cancel: async (id) => {
      try {
        await api.cancelRun(id);
        return true;
      } catch (error) {
        expect(error).toMatchObject({ status: 409, exitCode: ExitCode.CONFLICT });
        return false;
      }
    },
    startSlowRun: () => startRun('slow'),
    sync: async () => {
      const job = await api.followSync(await api.startSync(ENV), { pollMs: 50 });
      expect(job.status).toBe('completed');
    },
  };
}

function mcpDoor(client: Client): Door {
  const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> =>
    (await client.callTool({ name, arguments: args })) as ToolResult;
  const ok = async (name: string, args: Record<string, unknown>): Promise<unknown> => {
    const result = await call(name, args);
    const text = result.content.map((c) => c.text).join('');
    expect(result.isError ?? false, text).toBe(false);
    return JSON.parse(text) as unknown;
  };
  return {
    createAgent: () => ok('create_agent', { environment: ENV, name: AGENT, prompt: 'Hello.' }),
    updateAgent: (description) => ok('update_agent', { environment: ENV, name: AGENT, description }),
    replaceAgentText: async () => {
      const { text } = (await ok('get_agent', { environment: ENV, name: AGENT })) as { text: string };
      await ok('update_agent', { environment: ENV, name: AGENT, text: text.replace('Hello.', 'Hi.') });
    },
    deleteAgent: () => ok('delete_agent', { environment: ENV, name: AGENT }),
    runToEnd: async () => {
      const result = (await ok('run_agent', { environment: ENV, name: 'hello', input: { userInput: 'quick' } })) as {
        runId: number;
        status: string;
      };
      expect(result.status).toBe('completed');
      return result.runId;
    },
    cancel: async (id) => {
      const result = await call('cancel_run', { id });
      const text = result.content.map((c) => c.text).join('');
      if (result.isError === true) {
        expect(text).toMatch(/^conflict: /);
        return false;
      }
      return true;
    },
    startSlowRun: async () =>
      (
        (await ok('run_agent', { environment: ENV, name: 'hello', input: { userInput: 'slow' }, wait: false })) as {
          runId: number;
        }
      ).runId,
    sync: async () => {
      const report = (await ok('sync_environment', { environment: ENV })) as { ok: boolean };
      expect(report.ok).toBe(true);
    },
  };
}

/**
 * The built `stn` on the station's home. The CLI changes fields of an agent only by editing its file, so
 * both the field change and the whole-file replacement are `agent edit` with a scripted EDITOR.
 */
function cliDoor(s: Station, background: Promise<unknown>[]): Door {
  const env = { ...s.temp.env, OPENAI_BASE_URL: s.model.url, OPENAI_API_KEY: 'sk-test-model-key' };
  const stn = async (
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    runStn(args, { env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
  const ok = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const out = await stn(args, extraEnv);
    expect(out.code, `stn ${args.join(' ')}\n${out.stderr}`).toBe(0);
    return out.stdout;
  };
  const edit = (from: string, to: string): Promise<string> =>
    ok(['agent', 'edit', AGENT, '--env', ENV], { EDITOR: `sed -i s/${from}/${to}/`, VISUAL: '' });
  const resultOf = (stdout: string): { runId: number; status: string } =>
    JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { runId: number; status: string };
  return {
    createAgent: () => ok(['agent', 'create', AGENT, '--env', ENV, '--prompt', 'Hello.']),
    updateAgent: () => edit('Hello', 'Greetings'),
    replaceAgentText: () => edit('Greetings', 'Hi'),
    deleteAgent: () => ok(['agent', 'delete', AGENT, '--env', ENV, '--yes']),
    runToEnd: async () => {
      const result = resultOf(await ok(['agent', 'run', 'hello', 'quick', '--env', ENV, '--json']));
      expect(result.status).toBe('completed');
      return result.runId;
    },
    cancel: async (id) => {
      const out = await stn(['runs', 'cancel', String(id), '--json']);
      if (out.code === 0) return true;
      expect(out.code, out.stderr).toBe(4);
      return false;
    },
    startSlowRun: async () => {
      const run = startStn(['agent', 'run', 'hello', 'slow', '--env', ENV, '--json'], env);
      let runId: number | undefined;
      await vi.waitFor(
        () => {
          const first = run.output().stdout.split('\n')[0] ?? '';
          runId = first === '' ? undefined : (JSON.parse(first) as { runId?: number }).runId;
          if (runId === undefined) throw new Error('the CLI run has not printed its first event yet');
        },
        { timeout: 30_000, interval: 50 },
      );
      background.push(run.exited);
      return runId!;
    },
    sync: () => ok(['sync', ENV, '--json']),
  };
}

describe('audit parity across doors', () => {
  let s: Station;
  const clients: Client[] = [];
  /** CLI processes started in the background, awaited before the home is removed. */
  const background: Promise<unknown>[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await Promise.all(background.splice(0));
    await s.stop();
  });

  it('REST, MCP and the CLI make the same changes with the same audit rows; only the actor differs', async () => {
    s = await startStationForTest({
      model: {
        // "slow" runs get their answer after a long delay (they are cancelled); the others at once.
        script: (request) =>
          request.body.messages.some((m) => m.content?.includes('slow') === true)
            ? { text: 'too late', delayMs: 60_000 }
            : { text: 'quick answer' },
      },
    });
    const restKey = s.engine.keys.create({ name: 'rest-door', role: 'admin' }).key;
    const mcpKey = s.engine.keys.create({ name: 'mcp-door', role: 'admin' }).key;
    const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp?environment=${ENV}`), {
      requestInit: { headers: { Authorization: `Bearer ${mcpKey}` } },
    });
    const client = new Client({ name: 'audit-parity', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);

    const local = localPrincipal().name;
    const doors: [string, Door][] = [
      ['rest-door', restDoor(s, restKey)],
      ['mcp-door', mcpDoor(client)],
      [local, cliDoor(s, background)],
    ];
    /** Per actor: its run ids, to name them in the targets (ids differ between doors). */
    const runIds = new Map<string, Map<number, string>>();
    for (const [actor, door] of doors) {
      await door.createAgent();
      await door.updateAgent('changed');
      await door.replaceAgentText();
      await door.deleteAgent();
      const finished = await door.runToEnd();
      expect(await door.cancel(finished)).toBe(false);
      const requestsBefore = s.model.requests.length;
      const slow = await door.startSlowRun();
      await s.model.waitForRequests(requestsBefore + 1);
      expect(await door.cancel(slow)).toBe(true);
      expect(await s.waitRun(slow)).toMatchObject({ status: 'cancelled' });
      await door.sync();
      runIds.set(
        actor,
        new Map([
          [finished, 'finished-run'],
          [slow, 'cancelled-run'],
        ]),
      );
    }

    const rows = s.engine.keys.auditLog(1000).reverse();
    const rowsOf = (actor: string): string[] =>
      rows
        .filter((r) => r.actor === actor)
        .map((r) => `${r.action} ${runIds.get(actor)?.get(Number(r.target)) ?? r.target}`);
    const expected = [
      `agent.create ${ENV}/${AGENT}`,
      `agent.update ${ENV}/${AGENT}`,
      `agent.update ${ENV}/${AGENT}`,
      `agent.delete ${ENV}/${AGENT}`,
      'run.start finished-run',
      'run.start cancelled-run',
      'run.cancel cancelled-run',
      `sync ${ENV}`,
    ];
    expect(rowsOf('rest-door')).toEqual(expected);
    expect(rowsOf('mcp-door')).toEqual(expected);
    expect(local).toMatch(/^local:/);
    expect(rowsOf(local)).toEqual(expected);
    // Nobody else changed anything (the keys were made before the doors were used).
    expect(new Set(rows.filter((r) => !r.action.startsWith('key.')).map((r) => r.actor))).toEqual(
      new Set(['rest-door', 'mcp-door', local]),
    );
    // About ten spawned `stn` commands and three syncs: more than the default 30 s on a loaded machine.
  }, 180_000);
});
