// oclif's own debug lines: `debug` is not even loaded unless DEBUG is set (src/cli/execute-oclif.ts), and with
// DEBUG set they print as oclif documents. Through the built binary (needs `npm run build` first).
import { describe, expect, it } from 'vitest';
import { runStn } from '../helpers/cli.js';

describe("oclif's debug output", () => {
  it('prints with DEBUG=oclif:* and is absent without DEBUG; the command runs the same either way', async () => {
    const quiet = await runStn(['--help'], { env: { ...process.env, DEBUG: '' } });
    const loud = await runStn(['--help'], { env: { ...process.env, DEBUG: 'oclif:*' } });
    expect(quiet.code).toBe(0);
    expect(loud.code).toBe(0);
    expect(quiet.stderr).not.toContain('oclif:');
    expect(loud.stderr).toMatch(/oclif:main process\.argv/);
    expect(loud.stdout).toBe(quiet.stdout);
  });
});
