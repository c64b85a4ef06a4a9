// oclif's `execute`, behind a static import: main.ts loads it with import() only when a command runs, and
// once the CLI is bundled (tools/bundle-cli.js) @oclif/core is CommonJS inside an ESM chunk, whose named
// exports only a static import sees.
import { fileURLToPath } from 'node:url';
import { execute as executeOclif, type Interfaces } from '@oclif/core';

/**
 * oclif's own debug lines (`DEBUG=oclif:*`) go through the `debug` package, which it loads and sets up on every
 * start. Without DEBUG set nothing would print them, so oclif is given this logger instead and `debug` is never
 * loaded; with DEBUG set, oclif makes its usual one.
 */
const quiet: Interfaces.Logger = {
  namespace: 'oclif',
  debug: () => undefined,
  error: () => undefined,
  info: () => undefined,
  trace: () => undefined,
  warn: () => undefined,
  child: () => quiet,
};

export async function execute(options: { args: string[]; dir: string; development: boolean }): Promise<unknown> {
  const debugging = (process.env.DEBUG ?? '') !== '';
  return executeOclif({
    args: options.args,
    development: options.development,
    loadOptions: debugging ? options.dir : { root: fileURLToPath(options.dir), logger: quiet },
  });
}
