import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { followRunInTerminal, type FollowRecord } from '../../cli/follow-run.js';
import { runIdArg } from '../../cli/id-args.js';
import { formatDuration } from '../../cli/output.js';
import { shortArgs, traceLine } from '../../cli/trace-lines.js';
import type { RunDetail, RunEvent } from '../../core/index.js';

export default class RunsShow extends BaseCommand<typeof RunsShow> {
  static override summary = 'Show one run: its input, the full trace of model and tool calls, and the answer.';
  static override description =
    "With --json, the run and all its events (the same objects `stn agent run --json` prints), each tool result whole.\n\nWith --follow (or `stn runs watch ID`), the trace streams live while the run goes on in any process (`stn agent run`, `stn serve`, the TUI): what is recorded first, then each event as it is stored, drawn as `stn agent run` draws it (with --json: one event per line, then the result record). It exits with the run's exit code when the run ends (at once for a finished run); Ctrl-C stops following (exit 130) and leaves the run going.";
  static override examples = [
    '<%= config.bin %> runs show 42',
    '<%= config.bin %> runs show 42 --json | jq ".events[] | select(.type == \\"tool.finished\\")"',
    '<%= config.bin %> runs show 42 --follow',
    '<%= config.bin %> runs show 42 --follow --json | jq -c "select(.type == \\"tool.started\\")"',
  ];
  static override args = {
    id: runIdArg({ description: 'Run id (see stn runs list).' }),
  };
  static override flags = {
    follow: Flags.boolean({
      char: 'f',
      description: "Stream the run's events live until it ends, then exit with its exit code.",
    }),
  };

  async run(): Promise<RunDetail | FollowRecord | null> {
    if (this.flags.follow) {
      const { record, exitCode } = await followRunInTerminal(
        this.api(),
        this.args.id,
        this.jsonEnabled(),
        this.diagnostics(),
      );
      process.exitCode = exitCode;
      return record;
    }
    const run = this.api().runs.show(this.args.id);
    const s = this.style;
    const row = (label: string, value: string): void => this.say(`  ${label.padEnd(10)} ${value}`);
    this.say(`${s.bold(`run ${String(run.id)}`)}  ${run.agent} · ${run.environment}`);
    row('status', `${run.status}${run.stopReason === null ? '' : ` (${run.stopReason})`}`);
    row('model', run.model ?? '-');
    row('trigger', run.scheduledAt === null ? run.trigger : `${run.trigger} (fire time ${run.scheduledAt})`);
    row('started', run.startedAt ?? `queued ${run.createdAt}`);
    row('duration', run.durationMs === null ? '-' : formatDuration(run.durationMs));
    row(
      'usage',
      `${String(run.steps)} steps · ${String(run.toolCalls)} tool calls · tokens ${String(run.tokens.input)} in, ${String(run.tokens.output)} out`,
    );
    row('input', shortArgs(run.input, 200));
    if (run.error !== null) row('error', s.red(`${run.error.code}: ${run.error.message}`));
    this.say('');
    this.say(s.dim('--- trace ---'));
    for (const event of run.events) for (const line of describe(event)) this.say(line);
    if (run.output !== null) {
      this.say('');
      this.say(s.dim('--- answer ---'));
      this.say(run.output);
    }
    return run;
  }

  /** With --follow, --json output is NDJSON: the result record is one compact line (nothing after Ctrl-C). */
  override logJson(value: unknown): void {
    // Flags are unset when parsing failed (the error is printed through here too).
    const flags = this.flags as typeof this.flags | undefined;
    if (flags?.follow !== true) super.logJson(value);
    else if (value !== null) process.stdout.write(JSON.stringify(value) + '\n');
  }
}

/** Trace lines of an event, with the tool result preview that a stored trace can afford. */
function describe(event: RunEvent): string[] {
  const line = traceLine(event, { duration: formatDuration, argsWidth: 160 });
  if (line === null) return [];
  const marks = {
    run: '',
    step: '',
    call: '  → ',
    tool: line.ok ? '  ✓ ' : '  ✗ ',
    retry: '  ! ',
    warning: '  ! ',
    end: '',
  };
  const out = [`${marks[line.kind]}${line.text}`];
  if (event.type === 'tool.finished' && !event.data.isError) out.push(`      ${shortArgs(event.data.result, 160)}`);
  if (
    event.type === 'model.response' &&
    event.data.content !== null &&
    event.data.content !== '' &&
    event.data.toolCalls.length > 0
  ) {
    out.push(`  ${shortArgs(event.data.content, 160)}`);
  }
  return out;
}
