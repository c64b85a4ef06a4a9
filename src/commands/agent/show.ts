import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { nextFires, type AgentDefinition, type AgentShown } from '../../core/index.js';

/** `agent show --json`: the parsed agent, its key warnings, and what a run of it uses (model, answer format). */
export type AgentShowOutput = AgentDefinition & Pick<AgentShown, 'warnings' | 'run'>;

export default class AgentShow extends BaseCommand<typeof AgentShow> {
  static override summary = 'Show one agent: model, steps, tools, inputs, output and its template.';
  static override description =
    'The model line says which model a run uses and why (the agent file, a config.yaml model.aliases entry, model.override, or config.yaml model.name); the output line says whether the run answers in plain text or JSON, and why.';
  static override examples = [
    '<%= config.bin %> agent show hello',
    '<%= config.bin %> agent show "Security Scanner" --env prod',
    '<%= config.bin %> agent show hello --json | jq .inputSchema',
  ];
  static override args = {
    name: Args.string({ description: 'Agent name (or its file name).', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
  };

  async run(): Promise<AgentShowOutput> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const { agent, warnings, run } = api.agents.show(env, this.args.name);
    // Likely typos among its keys (`max_step`): on stderr, and in --json as "warnings".
    this.warnOnce(warnings);
    const s = this.style;
    const row = (label: string, value: string): void => this.say(`  ${label.padEnd(12)} ${value}`);
    this.say(`${s.bold(agent.name)}${agent.description === '' ? '' : `  ${agent.description}`}`);
    row('file', agent.path ?? agent.fileName);
    row('model', run.model.explanation);
    row(
      'max steps',
      agent.maxSteps === undefined
        ? `(default: ${String(engine.config.runner.defaultMaxSteps)})`
        : String(agent.maxSteps),
    );
    row('tools', agent.tools.length === 0 ? '-' : agent.tools.join(', '));
    if (agent.tags.length > 0) row('tags', agent.tags.join(', '));
    const config = Object.entries(agent.config).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (config.length > 0) row('config', config.join(' '));
    for (const line of describeInputs(agent)) row('input', line);
    row('output', run.output.explanation);
    if (agent.schedule !== undefined) {
      const sc = agent.schedule;
      row(
        'schedule',
        `${sc.cron}${sc.timezone === undefined ? '' : ` (${sc.timezone})`}${sc.enabled ? '' : ' disabled'} · overlap ${sc.overlap} · catch_up ${sc.catchUp}`,
      );
      if (sc.enabled)
        row(
          'next fires',
          nextFires(sc, Date.now(), 3)
            .map((t) => new Date(t).toISOString())
            .join(', '),
        );
    }
    this.say('');
    this.say(s.dim('--- template ---'));
    this.say(agent.template);
    return { ...agent, warnings, run };
  }
}

function describeInputs(agent: AgentDefinition): string[] {
  const props = (agent.inputSchema.properties ?? {}) as Record<string, { type?: unknown; description?: unknown }>;
  const required = new Set(Array.isArray(agent.inputSchema.required) ? (agent.inputSchema.required as string[]) : []);
  return Object.entries(props).map(([name, prop]) => {
    const type = Array.isArray(prop.type) ? prop.type.join('|') : typeof prop.type === 'string' ? prop.type : 'any';
    const description = typeof prop.description === 'string' ? ` - ${prop.description}` : '';
    return `${name}: ${type}${required.has(name) ? ' (required)' : ''}${description}`;
  });
}
