// Agents: parsing + rendering 1 000 agent files in process, and `stn agent list --json` over an environment
// with 1 000 agent files (the first call indexes them; the median is of the 10 calls after it).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const N = 1000;

/** Agent files in the three shapes real files come in. */
function agentText(i) {
  switch (i % 3) {
    case 0:
      return `---\nmetadata:\n  name: "Agent ${i}"\n  description: "Hand-written agent number ${i}"\n  tags: ["bench", "hand"]\nmodel: gpt-4o-mini\nmax_steps: 5\ntools:\n  - "__read_text_file"\n  - "__list_directory"\n---\n\n{{role "system"}}\nYou are agent ${i}. Be brief and cite files.\n\n{{role "user"}}\n{{userInput}}\n`;
    case 1:
      return `---\nmodel: gpt-5\nconfig:\n    max_tokens: 2000\n    temperature: 0.3\nmetadata:\n    description: Exported agent ${i}\n    name: Agent ${i}\n    version: 1.0.0\ntools:\n    - __checkov_scan_directory\nstation:\n    execution_metadata:\n        max_steps: 6\ninput:\n    schema:\n        userInput: string\n        repo?: string, the repository\noutput:\n    schema:\n        response: string\n---\n{{role "system"}}\nYou scan {{#if repo}}{{repo}}{{else}}the project{{/if}} for problems.\n\n{{role "user"}}\n{{userInput}}\n`;
    default:
      return `---\nmodel: "gemini-2.5-flash"\nmetadata:\n  name: "Agent ${i}"\n  description: "Later export ${i}"\ninput:\n  schema:\n    type: object\n    properties:\n      userInput: {type: string}\n      depth: {type: integer}\n    required: [userInput]\noutput:\n  format: json\n  schema: {type: object, properties: {findings: {type: array}}}\nschedule:\n  cron: "0 * * * *"\n  enabled: false\n---\nYou are a helpful assistant number ${i}.\n\n**Task**: {{TASK}}\n**Depth**: {{depth}}\n`;
  }
}

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
  texts.forEach((text, i) => writeFileSync(join(dir, `agent-${i}.prompt`), text));
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
