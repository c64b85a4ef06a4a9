import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { AgentDefinition } from '../../core/index.js';

export interface ImportOutput {
  agent: AgentDefinition;
  replaced: boolean;
  warnings: string[];
}

export default class AgentImport extends BaseCommand<typeof AgentImport> {
  static override summary = 'Bring a .prompt file into an environment after validating it.';
  static override description =
    "The file is checked first (YAML, keys, template, schemas) and nothing is written if it is invalid. It is saved as <name>.prompt, unchanged unless --name renames it. Tool references that the environment's synced tools do not provide are reported as warnings.";
  static override examples = [
    '<%= config.bin %> agent import ./reviewer.prompt',
    '<%= config.bin %> agent import ~/Downloads/scanner.prompt --env prod --name "Security Scanner"',
    '<%= config.bin %> agent import ./reviewer.prompt --force',
  ];
  static override args = {
    file: Args.string({ description: 'The .prompt file to import.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    name: Flags.string({ char: 'n', description: 'Import under this name.' }),
    force: Flags.boolean({ char: 'f', description: 'Replace an agent of the same name.', default: false }),
  };

  async run(): Promise<ImportOutput> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const result = await api.agents.importFile(env, this.args.file, {
      force: this.flags.force,
      ...(this.flags.name === undefined ? {} : { name: this.flags.name }),
    });
    for (const w of result.warnings) this.note(`${this.errStyle.yellow('warning:')} ${w}`);
    const verb = result.replaced ? 'Replaced' : 'Imported';
    this.say(
      `${verb} agent ${this.style.bold(result.agent.name)} into ${env} (${result.agent.path ?? result.agent.fileName}).`,
    );
    return result;
  }
}
