import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError } from '../../core/index.js';

export default class AgentDelete extends BaseCommand<typeof AgentDelete> {
  static override summary = 'Delete an agent: its .prompt file and its index entry.';
  static override description = 'Its run history is kept (runs keep the agent name).';
  static override examples = [
    '<%= config.bin %> agent delete reviewer --yes',
    '<%= config.bin %> agent delete "Security Scanner" --env prod --yes',
  ];
  static override args = {
    name: Args.string({ description: 'Agent to delete.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    yes: Flags.boolean({ char: 'y', description: 'Confirm the deletion.', default: false }),
  };

  async run(): Promise<{ deleted: string; file: string }> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const agent = api.agents.locate(env, this.args.name);
    if (!this.flags.yes) {
      throw new UsageError(`refusing to delete agent "${agent.name}" without --yes`, {
        hints: [`This removes ${agent.path}.`, `Run: stn agent delete "${agent.name}" --env ${env} --yes`],
      });
    }
    const deleted = api.agents.delete(env, agent.name);
    this.say(`Deleted agent ${this.style.bold(deleted.name)} (${deleted.fileName}).`);
    return { deleted: deleted.name, file: deleted.path };
  }
}
