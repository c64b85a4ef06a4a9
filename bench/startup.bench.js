// Startup: median wall time over 10 runs of what people type most (`stn --version`, `--help`, the list
// commands), of `stn agent list --json` over 1 000 agent files, and of a shell completion answer (what Tab
// runs), each beside a bare `node -e 0` measured in the same run (the floor: no CLI starts faster), as a ratio
// to it and with its aim (issue 17).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeAgentFiles } from './agent-files.js';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const RUNS = 10;

function nodeFloor() {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Prints `stn ARGS`'s median with its ratio to the floor and its aim (a ratio to the floor, when it has one). */
function figure(label, args, env, floor, aim) {
  const ms = median(timeStn(args, env, RUNS));
  const ratio = ms / floor;
  const aimText = aim === undefined ? 'no aim' : `aim <= ${aim.toFixed(1)}x${ratio <= aim ? '' : ', NOT MET'}`;
  report(label, `${fmt(ms).padStart(9)}  ${ratio.toFixed(2)}x node  (${aimText})`);
}

const t = tempHome();
const big = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  spawnSync(process.execPath, [BIN, 'init'], { env: big.env, stdio: 'ignore' });
  writeAgentFiles(join(big.home, 'environments', 'default', 'agents'), 1000);
  // The first list indexes the new files; the figure is of the lists after it (nothing changed).
  const indexing = timeStn(['agent', 'list', '--json'], big.env, 1)[0];

  const floor = nodeFloor();
  report('node -e 0 (the floor; median of 10)', fmt(floor).padStart(9));
  figure('stn --version', ['--version'], t.env, floor);
  figure('stn --help', ['--help'], t.env, floor, 1.5);
  figure('stn env list --json', ['env', 'list', '--json'], t.env, floor, 1.3);
  figure('stn agent list --json (2 agents)', ['agent', 'list', '--json'], t.env, floor, 1.3);
  figure('stn agent list --json (1 000 agent files)', ['agent', 'list', '--json'], big.env, floor, 1.5);
  figure('Tab: stn __complete bash -- agent run', ['__complete', 'bash', '--', 'agent', 'run', ''], t.env, floor);
  report('first agent list after adding 1 000 files (indexes them)', `${fmt(indexing).padStart(9)}  (one run)`);
  report('node -e 0 again (load drift check)', fmt(nodeFloor()).padStart(9));
} finally {
  t.cleanup();
  big.cleanup();
}
