import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { formatDoctorReport } from '../cli/doctor-report.js';
import { startSpinner } from '../cli/spinner.js';
import { localDoctor, type DoctorReport } from '../core/index.js';

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary =
    'Check the Station home: files and their modes, config, database, model endpoint, MCP servers.';
  static override description =
    'Each check reports ok, warn or fail with what to do. Exits 0 when nothing failed (warnings allowed), else with the code of the first area that failed: 6 home or config, 7 database, 9 model, 8 MCP. Works on a home that cannot be opened (not initialized, damaged database). Starts and stops the MCP servers; changes nothing.';
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --offline',
    '<%= config.bin %> doctor --env staging --skip-model',
    '<%= config.bin %> doctor --json | jq ".checks[] | select(.status != \\"ok\\")"',
  ];
  static override flags = {
    env: Flags.string({
      char: 'e',
      description: 'Check the MCP servers of this environment only (repeatable) [default: every environment].',
      multiple: true,
    }),
    'skip-model': Flags.boolean({ description: 'Do not call the model endpoint.', default: false }),
    'skip-mcp': Flags.boolean({ description: 'Do not start the MCP servers.', default: false }),
    offline: Flags.boolean({
      description: 'Only the local checks (home, config, database): --skip-model and --skip-mcp.',
      default: false,
    }),
  };

  async run(): Promise<DoctorReport> {
    const f = this.flags;
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), 'checking');
    let report: DoctorReport;
    try {
      report = await localDoctor({ home: f.home }).run({
        skipModel: f['skip-model'] || f.offline,
        skipMcp: f['skip-mcp'] || f.offline,
        ...(f.env === undefined ? {} : { environments: f.env }),
        onProgress: (p) => spinner.update(`${p.area}: ${p.text}`),
      });
    } finally {
      spinner.stop();
    }
    this.say(formatDoctorReport(report, this.style));
    process.exitCode = report.exitCode;
    return report;
  }
}
