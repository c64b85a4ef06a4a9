import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatAge, formatTable } from '../../cli/output.js';
import { parseAssignments, type EnvironmentDetail, type VariableStatus } from '../../core/index.js';

const SOURCE_TEXT: Record<VariableStatus['source'], string> = {
  var: '--var',
  env: 'process env',
  'secret-store': 'secret store',
  'variables.yml': 'variables.yml',
  'schema-default': 'schema default',
  missing: 'missing',
};

export default class EnvShow extends BaseCommand<typeof EnvShow> {
  static override summary = 'Show one environment: folder, agents, MCP configs and the variables they need.';
  static override description = `Lists every variable the MCP configs use, whether it is set and where its value comes from (--var, process env, secret store, variables.yml, schema default; the first one that has it wins), or why it is missing. Values are never printed.`;
  static override examples = [
    '<%= config.bin %> env show default',
    '<%= config.bin %> env show staging --json',
    '<%= config.bin %> env show prod --var PROJECT_ROOT=/srv/app',
  ];
  static override args = {
    name: Args.string({ description: 'Environment name [default: the configured default].', required: false }),
  };
  static override flags = {
    var: Flags.string({
      description: 'A template variable, NAME=VALUE, as `stn sync --var` would give it (repeatable).',
      multiple: true,
    }),
  };

  async run(): Promise<EnvironmentDetail> {
    const engine = this.engine();
    const api = this.api();
    const overrides = parseAssignments(this.flags.var ?? [], '--var');
    const env = api.environments.show(this.args.name ?? engine.defaultEnvironment(), overrides);
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
    if (env.variables.length === 0) {
      this.say('  variables  none used by the MCP configs');
      return env;
    }
    const missing = env.variables.filter((v) => !v.set).length;
    this.say(
      `  variables  ${String(env.variables.length)} used by the MCP configs${missing > 0 ? `, ${s.red(`${String(missing)} missing`)}` : ''} (values are never shown)`,
    );
    const table = formatTable(
      env.variables,
      [
        { header: 'NAME', get: (v) => v.name },
        { header: 'SET', get: (v) => (v.set ? s.green('yes') : s.red('no')) },
        {
          header: 'SOURCE',
          get: (v) =>
            `${SOURCE_TEXT[v.source]}${v.scope === undefined ? '' : ` (${v.scope})`}${v.reason === undefined ? '' : `: ${v.reason}`}`,
        },
        { header: 'USED IN', get: (v) => v.files.join(', ') },
      ],
      s.bold,
    );
    this.say(
      table
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
    if (missing > 0)
      this.say(
        `  Give them a value: stn sync ${env.name} on a terminal asks, or stn sync ${env.name} --var NAME=VALUE --save.`,
      );
    return env;
  }
}
