// No orphans, even after kill -9: `stn agent run` is killed with SIGKILL while its MCP server, one that
// ignores the end of stdin and SIGTERM (and has a child that does too), is in the middle of a tool call.
// The guardian ends the server's process group at once; with the guardian stopped as well, the next
// `stn` to open the home does. (Needs `npm run build` first.)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import {
  expectAllEnded,
  isRunning,
  pidsIn,
  stubbornGroup,
  tinyEntry,
  writeTemplate,
  type StubbornGroup,
} from '../core/mcp/helpers.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

let model: ModelServer;
let home: RunHome;
let pidFile: string;
let eofFile: string;
/** Processes and groups a failed test may leave behind: killed in afterEach. */
let leftovers: number[] = [];
let groups: StubbornGroup[] = [];

beforeAll(async () => {
  model = await startModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  home = makeRunHome();
  pidFile = join(home.home, 'server.pids');
  eofFile = join(home.home, 'server.eof');
  writeTemplate(join(home.paths.environments, 'default'), {
    stubborn: tinyEntry('--immortal', '--spawn-child', '--pid-file', pidFile, '--eof-file', eofFile),
  });
  home.writeAgent(
    'sleeper',
    `---\nmetadata:\n  name: sleeper\ntools:\n  - stubborn__slow\n---\n{{role "user"}}\n{{userInput}}\n`,
  );
  model.requests.length = 0;
  // The model calls a tool that takes ten minutes.
  model.script((request) =>
    request.body.messages.some((m) => m.role === 'tool')
      ? { text: 'done' }
      : { toolCalls: [{ name: 'stubborn__slow', arguments: { steps: 1, stepMs: 600_000 } }] },
  );
  leftovers = [];
  groups = [];
});
afterEach(() => {
  for (const pid of [...leftovers, ...pidsIn(pidFile)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended already.
    }
  }
  for (const group of groups) group.kill();
  home.cleanup();
});

/** Pids of the children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The guardian a process started (it names itself once it runs); killed in afterEach if a test fails. */
async function guardianOf(pid: number): Promise<number> {
  const find = (): number | undefined =>
    childrenOf(pid).find((child) => commandLine(child).includes('stn-mcp-guardian'));
  await expect.poll(find, { timeout: 10_000 }).toBeDefined();
  const guardian = find()!;
  leftovers.push(guardian);
  return guardian;
}

/** Starts `stn agent run sleeper` and resolves once the tool call is under way, with the server's pids. */
async function runUntilToolCall() {
  const stn = startStn(['agent', 'run', 'sleeper', 'sleep', '--json'], home.envFor(model.url));
  leftovers.push(stn.child.pid!);
  await expect.poll(() => stn.output().stdout.includes('"type":"tool.started"'), { timeout: 30_000 }).toBe(true);
  const servers = pidsIn(pidFile);
  expect(servers).toHaveLength(2);
  expect(servers.every(isRunning)).toBe(true);
  return { stn, servers, guardian: await guardianOf(stn.child.pid!) };
}

/** The process-group records in the home. */
function records(): string[] {
  try {
    return readdirSync(home.paths.run);
  } catch {
    return [];
  }
}

describe('no MCP server outlives a stn killed with SIGKILL', () => {
  it('the guardian ends the server and its child as soon as stn is gone, with no other stn running', async () => {
    const { stn, servers, guardian } = await runUntilToolCall();
    expect(records()).toHaveLength(1);

    stn.child.kill('SIGKILL');
    expect(await stn.exited).toBe(128);
    await expectAllEnded([...servers, guardian]);

    // The next command finds nothing to end, drops the dead process's record, and marks its run interrupted.
    const listed = await runStn(['runs', 'list', '--json'], { env: home.env });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 1, status: 'interrupted' }]);
    expect(records()).toEqual([]);
  });

  it('with the guardian stopped too, the next stn to open the home ends them', async () => {
    const { stn, servers, guardian } = await runUntilToolCall();
    // The guardian cannot act (as if it had been killed along with stn).
    process.kill(guardian, 'SIGSTOP');
    stn.child.kill('SIGKILL');
    await stn.exited;
    // The server has seen its stdin end and keeps running: it is an orphan now.
    await expect.poll(() => existsSync(eofFile), { timeout: 10_000 }).toBe(true);
    expect(servers.every(isRunning)).toBe(true);
    expect(records()).toHaveLength(1);

    const listed = await runStn(['runs', 'list', '--json'], { env: home.env });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    await expectAllEnded(servers);
    expect(records()).toEqual([]);
  });

  it('the guardian ends only the groups still listed when its process dies, and never a pid taken since', async () => {
    const [listed, released, reused] = await Promise.all([stubbornGroup(), stubbornGroup(), stubbornGroup()]);
    groups.push(listed, released, reused);
    const dist = (file: string): string => JSON.stringify(new URL(`dist/core/${file}`, `file://${ROOT}/`).href);
    // A process using the guardian as Station does: the second group is released once the guardian runs, and
    // the third is listed with a start it does not have.
    const script = `
      const { guardGroup } = await import(${dist('mcp/guardian.js')});
      const { childStart } = await import(${dist('os/process-identity.js')});
      guardGroup(${String(listed.pgid)}, childStart(${String(listed.pgid)}));
      const release = guardGroup(${String(released.pgid)}, childStart(${String(released.pgid)}));
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      guardGroup(${String(reused.pgid)}, { at: 0, ticks: 1 });
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    leftovers.push(owner.pid!);
    await new Promise((resolve) => owner.stdout.once('data', resolve));
    const guardian = await guardianOf(owner.pid!);

    owner.kill('SIGKILL');
    await expectAllEnded([...listed.pids, guardian]);
    expect([...released.pids, ...reused.pids].every(isRunning)).toBe(true);
  });
});
