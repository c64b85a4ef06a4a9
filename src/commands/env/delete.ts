import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';

export default class EnvDelete extends BaseCommand<typeof EnvDelete> {
  static override summary = 'Delete an environment: its folder (agents, configs, variables) and its records.';
  static override description =
    'Run history is kept. The last environment cannot be deleted. On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = ['<%= config.bin %> env delete staging --yes'];
  static override args = {
    name: Args.string({ description: 'Environment to delete.', required: true }),
  };
  static override flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'Delete without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<{ deleted: string }> {
    const { name } = this.args;
    const api = this.api();
    const env = api.environments.show(name);
    await confirmRemoval(this.flags.yes, {
      verb: 'delete',
      what: `environment "${name}"`,
      consequence: `This removes ${env.path} with ${String(env.agents)} agent file(s) and its variables.yml.`,
      command: `stn env delete ${name} --yes`,
    });
    api.environments.delete(name);
    this.say(`Deleted environment ${this.style.bold(name)}.`);
    return { deleted: name };
  }
}
