import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge } from '../../cli/output.js';
import type { EnvironmentDetail } from '../../core/index.js';

export default class EnvShow extends BaseCommand<typeof EnvShow> {
  static override summary = 'Show one environment: folder, agents, MCP configs and variable names.';
  static override description = 'Variable values are never printed, only their names.';
  static override examples = ['<%= config.bin %> env show default', '<%= config.bin %> env show staging --json'];
  static override args = {
    name: Args.string({ description: 'Environment name [default: the configured default].', required: false }),
  };

  async run(): Promise<EnvironmentDetail> {
    const engine = this.engine();
    const api = this.api();
    const env = api.environments.show(this.args.name ?? engine.defaultEnvironment());
    const s = this.style;
    this.say(`${s.bold(env.name)}${env.description === '' ? '' : `  ${env.description}`}`);
    this.say(`  folder     ${env.path}`);
    this.say(
      `  agents     ${String(env.agents)}${env.agentFiles.length > 0 ? `  (${env.agentFiles.join(', ')})` : ''}`,
    );
    this.say(`  configs    ${env.configFiles.join(', ') || '-'}`);
    this.say(
      `  servers    ${String(env.servers)}   tools ${String(env.tools)}   synced ${formatAge(env.lastSyncedAt)}`,
    );
    this.say(`  variables  ${env.variableNames.join(', ') || '-'}`);
    return env;
  }
}
