import { basename } from 'node:path';
import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { SHELLS, type Shell } from '../cli/completion/protocol.js';
import { completionScript } from '../cli/completion/scripts.js';
import { UsageError } from '../core/errors.js';

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print the shell completion script for bash or zsh.';
  static override description =
    'Tab then completes commands, flags, and environment and agent names (from the Station home named on the line with --home, else the usual one). Load it from your shell startup file:\n\n  bash (~/.bashrc):  source <(stn completion bash)\n  zsh  (~/.zshrc):   source <(stn completion zsh)';
  static override examples = ['<%= config.bin %> completion bash', "echo 'source <(stn completion zsh)' >> ~/.zshrc"];
  static override enableJsonFlag = false;
  static override args = {
    shell: Args.string({ description: 'The shell [default: the one in $SHELL].', options: [...SHELLS] }),
  };

  async run(): Promise<void> {
    const shell = this.args.shell ?? shellOf(process.env.SHELL);
    if (shell === undefined) {
      throw new UsageError('which shell? $SHELL is neither bash nor zsh', {
        hints: [`Run: ${this.config.bin} completion bash, or ${this.config.bin} completion zsh`],
      });
    }
    process.stdout.write(completionScript(shell as Shell, this.config.bin));
  }
}

function shellOf(path: string | undefined): Shell | undefined {
  const name = path === undefined ? '' : basename(path);
  return SHELLS.find((s) => s === name);
}
