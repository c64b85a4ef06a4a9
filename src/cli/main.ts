import { execute } from '@oclif/core';

/**
 * Entry point of `stn`. Kept tiny: oclif reads the command list from oclif.manifest.json, so only the
 * command that runs is loaded.
 */
export async function main(argv: string[], binUrl: string, options: { development?: boolean } = {}): Promise<void> {
  await execute({ args: argv, dir: binUrl, development: options.development ?? false });
}
