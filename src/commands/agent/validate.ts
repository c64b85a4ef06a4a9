import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { ExitCode, type AgentValidationReport } from '../../core/index.js';

export default class AgentValidate extends BaseCommand<typeof AgentValidate> {
  static override summary = 'Check every agent file of an environment; exits non-zero when one is invalid (for CI).';
  static override description =
    "Checks YAML and key types, the template (Handlebars syntax, roles), the input and output schemas, duplicate names, and, once `stn sync` has recorded the environment's tools, that every tool reference resolves to exactly one tool. Exit code 5 when there is any error.";
  static override examples = [
    '<%= config.bin %> agent validate',
    '<%= config.bin %> agent validate --env prod --json',
    '<%= config.bin %> agent validate hello reviewer',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({
      description: 'Agents to check [default: all of the environment].',
      required: false,
      ignoreStdin: true,
    }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
  };

  async run(): Promise<AgentValidationReport> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const { argv } = await this.parse({
      flags: AgentValidate.flags,
      baseFlags: BaseCommand.baseFlags,
      enableJsonFlag: true,
      args: AgentValidate.args,
      strict: false,
    });
    const report = await api.agents.validate(env, argv.map(String));
    const s = this.style;
    for (const check of report.agents) {
      const label = check.name ?? check.file;
      this.say(
        `${check.ok ? s.green('ok  ') : s.red('FAIL')} ${label}${check.name === null ? '' : s.dim(`  (${check.file})`)}`,
      );
      for (const p of check.problems) {
        const tag = p.severity === 'error' ? s.red('error') : s.yellow('warning');
        this.say(`       ${tag}: ${p.message}`);
      }
    }
    if (report.agents.length === 0) this.say(`No agent files in environment ${env}.`);
    if (!report.toolsChecked)
      this.say(s.dim(`Tool references not checked: no tools recorded for ${env} yet (run stn sync ${env}).`));
    this.say(
      `${String(report.agents.length)} agent file(s), ${String(report.errors)} error(s), ${String(report.warnings)} warning(s).`,
    );
    if (report.errors > 0) process.exitCode = ExitCode.INVALID;
    return report;
  }
}
