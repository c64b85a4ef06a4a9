import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/output.js';
import type { AgentListItem } from '../../core/index.js';

export default class AgentList extends BaseCommand<typeof AgentList> {
  static override summary = 'List the agents of an environment.';
  static override description =
    'Agent files are read first, so hand edits show at once. Files that do not parse are reported on stderr; check them with `stn agent validate`.';
  static override examples = [
    '<%= config.bin %> agent list',
    '<%= config.bin %> agent list --env staging',
    '<%= config.bin %> agent list --json | jq -r ".[].name"',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
  };

  async run(): Promise<AgentListItem[]> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const scanned = api.agents.scan(env);
    const { errors } = scanned;
    // Each with its newest run, as REST's agent list and the TUI show them.
    const last = api.agents.lastRuns(env);
    const agents = scanned.agents.map((a) => ({ ...a, lastRun: last.get(a.name) ?? null }));
    for (const e of errors) this.note(`${this.errStyle.yellow('warning:')} ${e.message}`);
    if (errors.length > 0) this.note(`  → check the files with: stn agent validate --env ${env}`);
    if (agents.length === 0) {
      this.say(`No agents in environment ${env}. Create one: stn agent create NAME --env ${env}`);
      return agents;
    }
    this.say(() =>
      formatTable(
        agents,
        [
          { header: 'NAME', get: (a) => a.name },
          { header: 'ID', get: (a) => (a.id === null ? '-' : String(a.id)), align: 'right' },
          { header: 'MODEL', get: (a) => a.model ?? '(default)' },
          { header: 'STEPS', get: (a) => (a.maxSteps === null ? '-' : String(a.maxSteps)), align: 'right' },
          { header: 'TOOLS', get: (a) => String(a.tools.length), align: 'right' },
          { header: 'DESCRIPTION', get: (a) => truncate(a.description, 60) },
        ],
        this.style.bold,
      ),
    );
    return agents;
  }
}

function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
