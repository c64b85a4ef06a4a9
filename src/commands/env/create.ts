import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { EnvironmentSummary } from '../../core/index.js';

export default class EnvCreate extends BaseCommand<typeof EnvCreate> {
  static override summary = 'Create an environment folder with agents/, template.json and variables.yml.';
  static override examples = [
    '<%= config.bin %> env create staging',
    '<%= config.bin %> env create prod-eu --description "Production, EU region"',
  ];
  static override args = {
    name: Args.string({ description: "Environment name: letters, digits, '.', '_', '-'.", required: true }),
  };
  static override flags = {
    description: Flags.string({ description: 'A short description.' }),
  };

  async run(): Promise<EnvironmentSummary> {
    const env = this.api().environments.create(this.args.name, {
      ...(this.flags.description === undefined ? {} : { description: this.flags.description }),
    });
    this.say(`Created environment ${this.style.bold(env.name)} at ${env.path}`);
    this.say(`Next: add MCP servers (stn mcp add --env ${env.name} ...) and agents, then stn sync ${env.name}`);
    return env;
  }
}
