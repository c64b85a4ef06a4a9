// Shared by the doctor tests: a Station home whose default environment runs the real filesystem MCP
// server with this node (never npx), and a real corrupted station.db.
import { chmodSync, closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';
import { FILESYSTEM_SERVER, writeTemplate } from '../mcp/helpers.js';

/** An initialized home whose default environment has the filesystem server, rooted at the home. */
export function doctorHome(): { home: TempHome; envDir: string } {
  const home = makeInitializedHome();
  const envDir = join(home.paths.environments, 'default');
  writeTemplate(envDir, {
    filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '{{ .PROJECT_ROOT }}'] },
  });
  return { home, envDir };
}

/**
 * The environment a doctor (or a spawned stn) sees: the model server's URL and this key, nothing from the
 * machine running the tests (no real OPENAI_API_KEY).
 */
export function doctorEnv(modelUrl: string, key: string | undefined, base: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_BASE_URL: modelUrl };
  delete env.OPENAI_API_KEY;
  if (key !== undefined) env.OPENAI_API_KEY = key;
  return env;
}

/**
 * Damages station.db as a bad disk would: one b-tree page (the second, past the header page) overwritten
 * with junk. SQLite still opens the file; reading that page fails or quick_check reports it.
 */
export function corruptDatabase(file: string): void {
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  const pageSize = 4096;
  if (statSync(file).size < pageSize * 2) throw new Error('database too small to corrupt a page');
  const fd = openSync(file, 'r+');
  try {
    const junk = Buffer.alloc(pageSize, 0x5a);
    writeSync(fd, junk, 0, junk.length, pageSize);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
}
