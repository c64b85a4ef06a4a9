import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError } from '../../core/index.js';

export default class EnvDelete extends BaseCommand<typeof EnvDelete> {
  static override summary = 'Delete an environment: its folder (agents, configs, variables) and its records.';
  static override description = 'Run history is kept. The last environment cannot be deleted.';
  static override examples = ['<%= config.bin %> env delete staging --yes'];
  static override args = {
    name: Args.string({ description: 'Environment to delete.', required: true }),
  };
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'Confirm the deletion.', default: false }),
  };

  async run(): Promise<{ deleted: string }> {
    const { name } = this.args;
    const api = this.api();
    const env = api.environments.show(name);
    if (!this.flags.yes) {
      throw new UsageError(`refusing to delete environment "${name}" without --yes`, {
        hints: [
          `This removes ${env.path} with ${String(env.agents)} agent file(s) and its variables.yml.`,
          `Run: stn env delete ${name} --yes`,
        ],
      });
    }
    api.environments.delete(name);
    this.say(`Deleted environment ${this.style.bold(name)}.`);
    return { deleted: name };
  }
}
