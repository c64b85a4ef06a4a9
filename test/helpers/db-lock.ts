import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOLDER = fileURLToPath(new URL('./hold-db-lock.js', import.meta.url));

/** A lock on a database held by another process (test/helpers/hold-db-lock.js). */
export interface HeldLock {
  pid: number;
  /** Rolls back and waits for the process to end. */
  release(): Promise<void>;
}

const holders = new Set<ChildProcess>();

/**
 * Starts a process that holds a lock on `file` and resolves once it holds it: `immediate` is a write
 * transaction (readers go on under WAL), `exclusive` locks readers out too.
 */
export function holdDatabaseLock(file: string, mode: 'immediate' | 'exclusive' = 'immediate'): Promise<HeldLock> {
  const child = spawn(process.execPath, [HOLDER, file, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  holders.add(child);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => holders.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('locked\n')) {
        resolve({
          pid: child.pid ?? -1,
          release: async () => {
            child.stdin.end('release\n');
            await exited;
          },
        });
      }
    });
    void exited.then(() => {
      reject(new Error(`the lock holder ended before it held the lock: ${stderr}`));
    });
  });
}

/** Ends every lock holder still running (for afterEach). */
export async function releaseAllLocks(): Promise<void> {
  await Promise.all(
    [...holders].map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
    ),
  );
}
