import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../core/index.js';

/**
 * Starts `stn __worker` as a process of its own (own session, stdin closed, stdout and stderr to
 * `<home>/logs/worker-<time>.log`, mode 0600) that outlives this command: it executes the runs queued for
 * its pid and exits. Returns its pid and the way to end it when the run could not be queued.
 */
export function startWorker(
  binDir: string,
  home: string,
  logsDir: string,
): { pid: number; log: string; abandon(): void } {
  makePrivateDir(logsDir);
  const log = join(logsDir, `worker-${new Date().toISOString().replace(/[:.]/g, '-')}-${String(process.pid)}.log`);
  const fd = openSync(log, constants.O_CREAT | constants.O_WRONLY | constants.O_APPEND, 0o600);
  try {
    const child = spawn(process.execPath, [join(binDir, 'run.js'), '__worker', '--home', home], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: process.env,
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start the worker (${process.execPath})`);
    return {
      pid,
      log,
      abandon: () => {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      },
    };
  } finally {
    closeSync(fd);
  }
}
