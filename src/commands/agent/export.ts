import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError } from '../../core/index.js';

export interface ExportOutput {
  name: string;
  fileName: string;
  /** Where the file was written (a path, or an environment's agents folder), or null when printed. */
  writtenTo: string | null;
  text?: string;
}

export default class AgentExport extends BaseCommand<typeof AgentExport> {
  static override summary =
    "Write an agent's .prompt file elsewhere: a file, a folder, stdout, or another environment.";
  static override description =
    'The file is written exactly as it is. With --to-env the agent is copied into another environment (optionally under --as NAME). Without --output or --to-env the file is printed.';
  static override examples = [
    '<%= config.bin %> agent export hello > hello.prompt',
    '<%= config.bin %> agent export "Security Scanner" --output ./agents/',
    '<%= config.bin %> agent export reviewer --env staging --to-env prod',
  ];
  static override args = {
    name: Args.string({ description: 'Agent to export.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    output: Flags.string({ char: 'o', description: 'File or folder to write to.', exclusive: ['to-env'] }),
    'to-env': Flags.string({ description: 'Copy the agent into this environment.', exclusive: ['output'] }),
    as: Flags.string({ description: 'Name of the copy (with --to-env).', dependsOn: ['to-env'] }),
    force: Flags.boolean({ char: 'f', description: 'Overwrite an existing output file.', default: false }),
  };

  async run(): Promise<ExportOutput> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const { output, force } = this.flags;
    const toEnv = this.flags['to-env'];
    if (toEnv !== undefined) {
      if (toEnv === env && this.flags.as === undefined)
        throw new UsageError('--to-env is the same environment; give --as NAME to make a copy');
      const copy = await api.agents.copy(
        env,
        this.args.name,
        toEnv,
        this.flags.as === undefined ? {} : { name: this.flags.as },
      );
      this.say(
        `Copied to environment ${this.style.bold(toEnv)} as ${this.style.bold(copy.name)} (${copy.path ?? copy.fileName}).`,
      );
      return { name: copy.name, fileName: copy.fileName, writtenTo: copy.path ?? null };
    }
    if (output !== undefined) {
      const path = api.agents.exportTo(env, this.args.name, output, { force });
      const agent = api.agents.get(env, this.args.name);
      this.note(`Wrote ${path}`);
      return { name: agent.name, fileName: agent.fileName, writtenTo: path };
    }
    const { agent, text } = api.agents.source(env, this.args.name);
    if (!this.jsonEnabled()) process.stdout.write(text);
    return { name: agent.name, fileName: agent.fileName, writtenTo: null, text };
  }
}
