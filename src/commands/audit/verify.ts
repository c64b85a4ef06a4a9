import { BaseCommand } from '../../cli/base-command.js';
import { ExitCode, type AuditVerifyReport } from '../../core/index.js';

export default class AuditVerify extends BaseCommand<typeof AuditVerify> {
  static override summary =
    'Check the audit trail: walks the hash chain and names the first changed, deleted or inserted row.';
  static override description = `Each row stores the hash of the row before it and of its own content. A row edited, removed or added behind Station's back breaks the chain: the command names it and exits ${String(ExitCode.AUDIT_BROKEN)}.`;
  static override examples = ['<%= config.bin %> audit verify', '<%= config.bin %> audit verify --json'];

  async run(): Promise<AuditVerifyReport> {
    const report = this.api().audit.verify();
    if (report.ok) {
      const legacy = report.legacyRows > 0 ? ` (${String(report.legacyRows)} older rows written before the chain)` : '';
      this.say(`Audit trail intact: ${String(report.rows)} rows${legacy}.`);
    } else {
      const problem = report.problem;
      this.diagnostics().error({
        code: 'audit_broken',
        message: `Audit trail broken at row ${String(problem?.id)}: ${problem?.message ?? 'unknown'}`,
        hints: ['Restore station.db from a backup you trust, and find out who could write to it.'],
        exitCode: ExitCode.AUDIT_BROKEN,
      });
      process.exitCode = ExitCode.AUDIT_BROKEN;
    }
    return report;
  }
}
