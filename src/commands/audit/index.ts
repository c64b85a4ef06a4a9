import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/output.js';
import { parseSince, type AuditRecord } from '../../core/index.js';

export default class Audit extends BaseCommand<typeof Audit> {
  static override summary = 'Show the audit trail: every change and refused attempt, from every door (newest first).';
  static override description = `Each row: when, who (local:USER for the CLI and TUI, a key name for the API, stdio for stn stdio), the door (cli, tui, rest, mcp-http, mcp-stdio), the action, its target, and the outcome (allowed, or denied with the reason). Never a secret value.
Check that no row was changed or removed with: stn audit verify`;
  static override examples = [
    '<%= config.bin %> audit',
    '<%= config.bin %> audit --since 24h --action key.*',
    '<%= config.bin %> audit --actor ci --limit 20 --json',
    '<%= config.bin %> audit --since 2026-12-01',
  ];
  static override flags = {
    since: Flags.string({ description: 'Only rows newer than a duration ago (12h, 7d) or since an ISO date.' }),
    actor: Flags.string({ description: 'Only rows of this actor (local:ann, a key name, stdio) or key owner.' }),
    action: Flags.string({ description: 'Only this action (key.create), or an area (key.*).' }),
    limit: Flags.integer({ description: 'At most this many rows (1-1000).', default: 50 }),
    before: Flags.integer({ description: 'Rows older than this id (the next page).' }),
  };

  async run(): Promise<AuditRecord[]> {
    const rows = this.api().audit.list({
      limit: this.flags.limit,
      ...(this.flags.since === undefined ? {} : { since: parseSince(this.flags.since, Date.now(), '--since') }),
      ...(this.flags.actor === undefined ? {} : { actor: this.flags.actor }),
      ...(this.flags.action === undefined ? {} : { action: this.flags.action }),
      ...(this.flags.before === undefined ? {} : { before: this.flags.before }),
    });
    if (rows.length === 0) {
      this.say('No audit rows match.');
      return rows;
    }
    this.say(() =>
      formatTable(
        rows,
        [
          { header: 'ID', get: (r) => String(r.id), align: 'right' },
          { header: 'TIME', get: (r) => r.ts.replace('T', ' ').slice(0, 19) },
          { header: 'ACTOR', get: (r) => (r.owner === null ? r.actor : `${r.actor} (${r.owner})`) },
          { header: 'DOOR', get: (r) => r.door || '-' },
          { header: 'ACTION', get: (r) => r.action },
          { header: 'TARGET', get: (r) => r.target },
          { header: 'OUTCOME', get: (r) => (r.reason === null ? r.outcome : `${r.outcome}: ${r.reason}`) },
        ],
        this.style.bold,
      ),
    );
    return rows;
  }
}
