// Agents: parsing + rendering 1 000 agent files in process, and `stn agent list --json` over an environment
// with 1 000 agent files (the first call indexes them; the median is of the 10 calls after it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { agentText, writeAgentFiles } from './agent-files.js';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const N = 1000;

const { parseAgentFile, renderAgent } = await import('../dist/core/prompt/index.js');
const texts = Array.from({ length: N }, (_, i) => agentText(i));

let start = process.hrtime.bigint();
const agents = texts.map((text, i) => parseAgentFile(`/bench/agents/agent-${i}.prompt`, text));
const parseMs = Number(process.hrtime.bigint() - start) / 1e6;

start = process.hrtime.bigint();
for (const agent of agents) await renderAgent(agent, { userInput: 'Check the build', repo: 'station', depth: 2 });
const renderMs = Number(process.hrtime.bigint() - start) / 1e6;

report(`parse ${N} agent files (total / per agent)`, `${fmt(parseMs)} / ${(parseMs / N).toFixed(3)} ms`);
report(
  `render ${N} agents (total / per agent; first loads dotprompt)`,
  `${fmt(renderMs)} / ${(renderMs / N).toFixed(3)} ms`,
);
report(
  `parse + render ${N} agents (total / per agent)`,
  `${fmt(parseMs + renderMs)} / ${((parseMs + renderMs) / N).toFixed(3)} ms`,
);

const t = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  const dir = join(t.home, 'environments', 'default', 'agents');
  writeAgentFiles(dir, N);
  const first = timeStn(['agent', 'list', '--json'], t.env, 1);
  report(`stn agent list --json, ${N + 2} files, first call (indexes all)`, fmt(first[0]));
  report(
    `stn agent list --json, ${N + 2} files (median of 10; aim <= 300 ms)`,
    fmt(median(timeStn(['agent', 'list', '--json'], t.env, 10))),
  );
  report(
    'stn env list --json, same home (median of 10, for scale)',
    fmt(median(timeStn(['env', 'list', '--json'], t.env, 10))),
  );
} finally {
  t.cleanup();
}

const small = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: small.env, stdio: 'ignore' });
  report(
    'stn agent list --json, 2 files (median of 10, for scale)',
    fmt(median(timeStn(['agent', 'list', '--json'], small.env, 10))),
  );
} finally {
  small.cleanup();
}
