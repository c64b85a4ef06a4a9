import { BaseCommand } from '../../cli/base-command.js';
import { followRunInTerminal, type FollowRecord } from '../../cli/follow-run.js';
import { runIdArg } from '../../cli/id-args.js';

export default class RunsWatch extends BaseCommand<typeof RunsWatch> {
  static override summary = 'Follow a run live until it ends (the same as `stn runs show ID --follow`).';
  static override description =
    "Prints what the run has recorded, then each event as it is stored by whichever process runs it, drawn as `stn agent run` draws it (with --json: one event per line, then the result record). Exits with the run's exit code when it ends; Ctrl-C stops following (exit 130) and leaves the run going.";
  static override examples = ['<%= config.bin %> runs watch 42', '<%= config.bin %> runs watch 42 --json'];
  static override args = {
    id: runIdArg({ description: 'Run id (see stn runs list).' }),
  };

  async run(): Promise<FollowRecord | null> {
    const { record, exitCode } = await followRunInTerminal(
      this.api(),
      this.args.id,
      this.jsonEnabled(),
      this.diagnostics(),
    );
    process.exitCode = exitCode;
    return record;
  }

  /** --json output is NDJSON: the result record is one compact line (nothing after Ctrl-C). */
  override logJson(value: unknown): void {
    if (value !== null) process.stdout.write(JSON.stringify(value) + '\n');
  }
}
