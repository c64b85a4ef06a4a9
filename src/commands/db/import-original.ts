import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { OriginalImportResult } from '../../core/index.js';

export default class DbImportOriginal extends BaseCommand<typeof DbImportOriginal> {
  static override summary = "Import the run history of the original Station's database.";
  static override description =
    "Reads FILE (the original's station.db, moved aside: station.original.db) without changing it and adds its runs " +
    '(agent, environment, status, task, answer, tokens, times, model) to this home, all or none, with trigger ' +
    '`import`. Runs the original left running become interrupted. Importing the same file again adds nothing.';
  static override examples = [
    '<%= config.bin %> db import-original ~/.config/station/station.original.db',
    '<%= config.bin %> db import-original station.original.db --json',
  ];
  static override args = {
    file: Args.string({ description: "The original Station's station.db.", required: true }),
  };

  async run(): Promise<OriginalImportResult> {
    const result = this.api().runs.importOriginal(this.args.file);
    this.say(
      `Imported ${String(result.imported)} run(s) from ${result.file}` +
        (result.skipped > 0 ? ` (${String(result.skipped)} imported before, skipped)` : '') +
        '.',
    );
    if (result.imported > 0) this.say('See them with: stn runs list --trigger import');
    return result;
  }
}
