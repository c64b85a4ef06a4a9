// Startup: median wall time over 10 runs of what people type most (`stn --version`, `--help`, the list
// commands), of `stn agent list --json` over 1 000 agent files, and of a shell completion answer (what Tab
// runs), each beside a bare `node -e 0` run in turn with it (the floor: no CLI starts faster), as a ratio to it
// and with its aim (issue 17).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeAgentFiles } from './agent-files.js';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const RUNS = 10;

function timeNode() {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Prints `stn ARGS`'s median beside the median of `node -e 0` runs interleaved with it (one each, in turn, so
 * that the load of a shared machine weighs on both alike), their ratio, and the aim (a ratio), if any.
 */
function figure(label, args, env, aim) {
  const stn = [];
  const node = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(timeNode());
    stn.push(timeStn(args, env, 1)[0]);
  }
  const ratio = median(stn) / median(node);
  const aimText = aim === undefined ? 'no aim' : `aim <= ${aim.toFixed(1)}x${ratio <= aim ? '' : ', NOT MET'}`;
  report(
    label,
    `${fmt(median(stn)).padStart(9)}  node -e 0 ${fmt(median(node)).padStart(9)}  ${ratio.toFixed(2)}x  (${aimText})`,
  );
}

const t = tempHome();
const big = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  spawnSync(process.execPath, [BIN, 'init'], { env: big.env, stdio: 'ignore' });
  writeAgentFiles(join(big.home, 'environments', 'default', 'agents'), 1000);
  // The first list indexes the new files; the figure is of the lists after it (nothing changed).
  const indexing = timeStn(['agent', 'list', '--json'], big.env, 1)[0];

  figure('stn --version', ['--version'], t.env);
  figure('stn --help', ['--help'], t.env, 1.5);
  figure('stn env list --json', ['env', 'list', '--json'], t.env, 1.3);
  figure('stn agent list --json (2 agents)', ['agent', 'list', '--json'], t.env, 1.3);
  figure('stn agent list --json (1 000 agent files)', ['agent', 'list', '--json'], big.env, 1.5);
  figure('Tab: stn __complete bash -- agent run', ['__complete', 'bash', '--', 'agent', 'run', ''], t.env);
  report('first agent list after adding 1 000 files (indexes them)', `${fmt(indexing).padStart(9)}  (one run)`);
} finally {
  t.cleanup();
  big.cleanup();
}
