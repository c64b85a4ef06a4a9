import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { confirmRemoval } from '../../cli/confirm-removal.js';
import { parseSince, type PruneReport, type PruneRequest } from '../../core/index.js';

export default class RunsPrune extends BaseCommand<typeof RunsPrune> {
  static override summary = 'Delete old finished runs and their events (retention by hand).';
  static override description = `--before deletes finished runs (completed, failed, cancelled, timed out, interrupted) that finished before a date or an age (30d: thirty days ago); --keep deletes finished runs beyond the newest N runs. With neither, runner.retention of config.yaml is applied (stn serve applies it every hour). Queued and running runs, and the audit trail, are never deleted; webhook deliveries of deleted runs that were delivered or failed go with them.
Runs go in batches of 500, one transaction each, so other processes keep writing meanwhile; then station.db is checkpointed, and vacuumed when much of it is free (on PostgreSQL, autovacuum does that part).
On a terminal it asks first; without one (scripts), pass --yes. Needs an admin: the local user is one.`;
  static override examples = [
    '<%= config.bin %> runs prune --before 30d --dry-run',
    '<%= config.bin %> runs prune --before 2026-06-01',
    '<%= config.bin %> runs prune --keep 1000 --yes --json',
    '<%= config.bin %> runs prune --yes   # runner.retention of config.yaml',
  ];
  static override flags = {
    before: Flags.string({
      description:
        'Delete finished runs that finished before: a date (2026-06-01, local time) or an age (30d, 12h, 2w).',
      exclusive: ['keep'],
    }),
    keep: Flags.integer({
      description: 'Delete finished runs beyond the newest N runs (queued and running ones count, and stay).',
      min: 0,
      exclusive: ['before'],
    }),
    'dry-run': Flags.boolean({ description: 'Count what would be deleted; delete nothing.', default: false }),
    yes: Flags.boolean({
      char: 'y',
      description: 'Delete without asking (needed without a terminal).',
      default: false,
    }),
  };

  async run(): Promise<PruneReport> {
    const retention = this.api().retention;
    const request: PruneRequest = {
      before: this.flags.before === undefined ? undefined : parseSince(this.flags.before, Date.now(), 'before'),
      keep: this.flags.keep,
    };
    const counted = await retention.prune({ ...request, dryRun: true });
    if (this.flags['dry-run'] || counted.runs === 0) {
      this.say(
        counted.runs === 0
          ? `Nothing to prune: no finished run ${limitText(counted)}.`
          : `Would delete ${runsText(counted)} ${limitText(counted)} (dry run: nothing deleted).`,
      );
      // Nothing was deleted either way; --json says whether this was a dry run as asked.
      return { ...counted, dryRun: this.flags['dry-run'] };
    }
    await confirmRemoval(this.flags.yes, {
      verb: 'delete',
      what: runsText(counted),
      consequence: `Finished runs ${limitText(counted)} are deleted for good, with their events. Queued and running runs and the audit trail stay.`,
      command: `stn runs prune ${commandLimit(counted)} --yes`,
    });
    const report = await retention.prune(request);
    const c = report.compaction;
    const store =
      c === null || c.bytesAfter === null
        ? ''
        : ` station.db: ${mb(c.bytesAfter)}${c.vacuum === 'full' ? ` after VACUUM (was ${mb(c.bytesBefore ?? 0)})` : ''}${c.checkpointed === false ? ', checkpoint postponed (another process is reading)' : ''}.`;
    this.say(
      `Deleted ${this.style.bold(runsText(report))} ${limitText(report)} in ${String(report.batches)} batch${report.batches === 1 ? '' : 'es'}.${store}`,
    );
    return report;
  }
}

function runsText(report: PruneReport): string {
  return `${String(report.runs)} finished run${report.runs === 1 ? '' : 's'} (${String(report.events)} event${report.events === 1 ? '' : 's'})`;
}

function limitText(report: PruneReport): string {
  const limits: string[] = [];
  if (report.before !== null) limits.push(`finished before ${report.before}`);
  if (report.keep !== null) limits.push(`beyond the newest ${String(report.keep)} runs`);
  return limits.join(' or ');
}

function commandLimit(report: PruneReport): string {
  const flags: string[] = [];
  if (report.before !== null) flags.push(`--before ${report.before}`);
  if (report.keep !== null) flags.push(`--keep ${String(report.keep)}`);
  return flags.length === 2 ? '' : flags.join(' ');
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
