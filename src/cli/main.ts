import { readFileSync } from 'node:fs';
import { COMPLETE_COMMAND } from './completion/protocol.js';
import { commandArgv, splitLeadingGlobalFlags } from './global-flags.js';

export { keepCompiledCode } from './compile-cache.js';

/**
 * Entry point of `stn`. Kept tiny: oclif reads the command list from oclif.manifest.json, so only the
 * command that runs is loaded; `--version` and shell completion (`stn __complete ...`) answer without
 * loading oclif at all.
 */
export async function main(argv: string[], binUrl: string, options: { development?: boolean } = {}): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(versionLine(binUrl) + '\n');
    return;
  }
  if (argv[0] === COMPLETE_COMMAND) {
    const { answerCompletion } = await import('./completion/answer.js');
    process.stdout.write(await answerCompletion(argv.slice(1), binUrl));
    return;
  }
  const split = splitLeadingGlobalFlags(argv);
  const args = bareOnTerminal(split.rest)
    ? ['ui', ...split.leading]
    : split.rest.length === 0
      ? [] // the root help
      : commandArgv(split);
  const { execute } = await import('./execute-oclif.js');
  await execute({ args, dir: binUrl, development: options.development ?? false });
}

/** Plain `stn` on a terminal opens the UI; without a terminal (pipes, CI) it prints the root help. */
export function bareOnTerminal(
  argv: readonly string[],
  streams: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } } = process,
): boolean {
  return argv.length === 0 && streams.stdin.isTTY === true && streams.stdout.isTTY === true;
}

/** The same line oclif prints for --version: `station/0.1.0 linux-x64 node-v20.20.2`. */
export function versionLine(binUrl: string): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8')) as { name: string; version: string };
  return `${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`;
}
