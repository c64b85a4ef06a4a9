import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';

export default class AgentDelete extends BaseCommand<typeof AgentDelete> {
  static override summary = 'Delete an agent: its .prompt file and its index entry.';
  static override description =
    'Its run history is kept (runs keep the agent name). On a terminal it asks first; without one (scripts), pass --yes.';
  static override examples = [
    '<%= config.bin %> agent delete reviewer --yes',
    '<%= config.bin %> agent delete "Security Scanner" --env prod --yes',
  ];
  static override args = {
    name: Args.string({ description: 'Agent to delete.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Delete without asking (needed without a terminal).',
      default: false,
    }),
    confirm: Flags.boolean({ hidden: true, description: "The original Station's --yes.", default: false }),
  };

  async run(): Promise<{ deleted: string; file: string }> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    if (this.flags.confirm) this.hintOriginal('`stn agent delete --confirm`', '`stn agent delete --yes`');
    const agent = api.agents.locate(env, this.args.name);
    await confirmRemoval(this.flags.yes || this.flags.confirm, {
      verb: 'delete',
      what: `agent "${agent.name}"`,
      consequence: `This removes ${agent.path}.`,
      command: `stn agent delete "${agent.name}" --env ${env} --yes`,
    });
    const deleted = api.agents.delete(env, agent.name);
    this.say(`Deleted agent ${this.style.bold(deleted.name)} (${deleted.fileName}).`);
    return { deleted: deleted.name, file: deleted.path };
  }
}
