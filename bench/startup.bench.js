// Startup: median wall time of `stn --version`, `stn --help`, `stn env list --json` and a shell completion
// answer (what Tab runs) over 10 runs, next to a bare `node -e 0` for scale.
import { spawnSync } from 'node:child_process';
import { BIN, fmt, median, report, tempHome, timeStn } from './lib.js';

const t = tempHome();
try {
  spawnSync(process.execPath, [BIN, 'init'], { env: t.env, stdio: 'ignore' });
  const node = [];
  for (let i = 0; i < 10; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  report('node -e 0 (floor)', fmt(median(node)));
  report('stn --version (median of 10; aim <= 200 ms)', fmt(median(timeStn(['--version'], t.env))));
  report('stn --help (median of 10)', fmt(median(timeStn(['--help'], t.env))));
  report('stn env list --json (median of 10; aim <= 300 ms)', fmt(median(timeStn(['env', 'list', '--json'], t.env))));
  const tab = ['__complete', 'bash', '--', 'agent', 'run', ''];
  report('Tab: stn __complete ... agent run (median of 10)', fmt(median(timeStn(tab, t.env))));
} finally {
  t.cleanup();
}
