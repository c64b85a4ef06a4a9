import { ExitCode, runExitCode, type RunEvent, type RunResult, type StationApi } from '../core/index.js';
import type { CommandLog } from './command-log.js';
import { colorEnabled, formatDuration, makeStyle } from './output.js';
import { paintTraceLine, traceLine } from './trace-lines.js';

/** The last line of `stn runs show --follow --json`: the run's outcome and the exit code (as `agent run --json`). */
export type FollowRecord = { type: 'result'; exitCode: number } & RunResult;

/**
 * `stn runs show ID --follow` / `stn runs watch ID`: prints what the run has recorded, then its events as
 * they are stored (by any process), the trace as `stn agent run` draws it or, with `json`, one event per
 * line; ends at run.finished with the run's exit code. Ctrl-C stops following (exit 130); the run goes on.
 */
export async function followRunInTerminal(
  api: StationApi,
  id: number,
  json: boolean,
  log: CommandLog,
): Promise<{ record: FollowRecord | null; exitCode: number }> {
  const run = api.runs.get(id);
  const style = makeStyle(colorEnabled(process.stdout));
  const err = makeStyle(colorEnabled(process.stderr));
  const onEvents = (events: readonly RunEvent[]): void => {
    for (const event of events) {
      if (json) {
        process.stdout.write(JSON.stringify(event) + '\n');
        continue;
      }
      const line = traceLine(event, {
        duration: formatDuration,
        argsWidth: Math.max(30, (process.stdout.columns || 100) - 30),
      });
      if (line !== null) process.stdout.write(paintTraceLine(line, style) + '\n');
    }
  };
  // Ctrl-C is ours before the first line is printed (follow() draws what is recorded at once): a Ctrl-C
  // right after the header stops following like any later one, never the default death by signal.
  let follow: ReturnType<StationApi['runs']['follow']> | undefined;
  const signal = { seen: false };
  const onSignal = (): void => {
    signal.seen = true;
    follow?.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    follow = api.runs.follow(id, { onEvents });
    if (signal.seen) follow.stop();
    const finished = await follow.done;
    if (finished === null) {
      if (!json) {
        log.note(
          `\nStopped following run ${String(id)}; it goes on. Follow it again: stn runs show ${String(id)} --follow`,
          { runId: id },
        );
      }
      return { record: null, exitCode: ExitCode.INTERRUPTED };
    }
    const result: RunResult = { runId: id, agent: run.agent, environment: run.environment, ...finished };
    const exitCode = runExitCode(result);
    if (!json && result.output !== null && result.output !== '') {
      process.stdout.write(`\n${style.dim('--- answer ---')}\n${result.output}\n`);
    }
    if (!json && exitCode !== ExitCode.OK) {
      const why = result.error === null ? '' : `: ${result.error.message}`;
      const what = `run ${String(id)} ${
        result.status === 'completed' ? 'reached max_steps' : result.status.replace('_', ' ')
      }${why}`;
      if (log.json) {
        const fields = { runId: id, environment: run.environment, status: result.status, exitCode };
        if (result.status === 'completed') log.logger.warn(what, fields);
        else log.logger.error(what, fields);
      } else {
        log.note(`${err.red(err.bold(result.status === 'completed' ? 'Note:' : 'Error:'))} ${what}`);
      }
    }
    return { record: { type: 'result', ...result, exitCode }, exitCode };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
