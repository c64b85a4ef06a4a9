import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand, type ErrorRecord } from '../../cli/base-command.js';
import { inputFlags, inputSources } from '../../cli/input-flags.js';
import { colorEnabled, formatDuration, makeStyle } from '../../cli/output.js';
import { startWorker } from '../../cli/start-worker.js';
import { paintTraceLine, traceLine } from '../../cli/trace-lines.js';
import {
  ExitCode,
  parseDuration,
  runExitCode,
  type RunEvent,
  type RunResult,
  type StartedRun,
} from '../../core/index.js';

/** The last line of `--json` output: the run's outcome and the exit code. */
export type RunRecord = { type: 'result'; exitCode: number } & (
  RunResult | { runId: null; status: 'error'; error: Omit<ErrorRecord, 'exitCode'> }
);

/** `stn agent run --detach --json`: the queued run (the same id and status as REST's 202 answer). */
export interface DetachedRecord {
  id: number;
  status: 'queued';
}

export default class AgentRun extends BaseCommand<typeof AgentRun> {
  private sigintHandler: ((signal: NodeJS.Signals) => void) | undefined;

  static override summary = 'Run an agent: the model calls its MCP tools until it answers; every step is recorded.';
  static override description = `On a terminal the trace streams as it happens (steps, tool calls with their arguments, durations, tokens) and the answer comes last; piped, only the answer is printed on stdout. With --json, every event is printed as one JSON line (NDJSON) and the last line is always the result record {"type":"result", ...}.

Ctrl-C cancels the run cleanly (recorded as cancelled, MCP servers stopped) and exits with 130.

With --detach the run is queued and the command exits 0 at once, printing the run id (--json: {"id", "status": "queued"}): a \`stn serve\` running on this home executes it, else a worker process started in the background (its log in <home>/logs), which exits when the run ends. If that process dies, the run is marked interrupted.

Exit codes: 0 completed (or queued, with --detach), 5 bad input, 10 failed, 11 timed out, 12 cancelled (e.g. by \`stn runs cancel\`), 13 stopped at max_steps, 14 queue full, 130 Ctrl-C.`;
  static override examples = [
    '<%= config.bin %> agent run hello "Say hi"',
    '<%= config.bin %> agent run "Security Scanner" --env prod --input \'{"userInput": "scan ./src", "depth": 2}\'',
    '<%= config.bin %> agent run summarize --input-file input.json --model gpt-4o --timeout 5m',
    '<%= config.bin %> agent run file-explorer --var path=src "Where are the tests?"',
    '<%= config.bin %> agent run hello "Say hi" --json | jq -c "select(.type == \\"tool.finished\\")"',
    'id=$(<%= config.bin %> agent run nightly-report --detach) && <%= config.bin %> runs show "$id" --follow',
  ];
  static override args = {
    name: Args.string({ description: 'Agent name.', required: true }),
    text: Args.string({ description: 'The request, passed as `userInput`.', required: false }),
  };
  static override flags = {
    ...inputFlags,
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    model: Flags.string({ description: "Model for this run (overrides the agent's and the configured one)." }),
    timeout: Flags.string({
      description: 'Stop the run after this long: 90s, 10m, 1h [default: runner.run_timeout_seconds].',
    }),
    detach: Flags.boolean({
      char: 'd',
      description:
        "Queue the run, print its id and exit 0 at once: the home's running `stn serve` executes it, else a background worker this command starts (log in <home>/logs). Follow it with `stn runs show ID --follow`.",
      default: false,
    }),
  };

  async run(): Promise<RunRecord | DetachedRecord> {
    const json = this.jsonEnabled();
    const timeoutMs = this.flags.timeout === undefined ? undefined : parseDuration(this.flags.timeout);
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const input = api.agents.runInput(env, this.args.name, inputSources(this.flags, this.args.text));
    if (this.flags.detach) return this.detach(env, input, timeoutMs);

    // The trace goes to stdout on a terminal, else to stderr if that is a terminal, else nowhere.
    const traceStream = json
      ? undefined
      : process.stdout.isTTY
        ? process.stdout
        : process.stderr.isTTY
          ? process.stderr
          : undefined;
    const style = makeStyle(traceStream !== undefined && colorEnabled(traceStream));
    const onEvent = (event: RunEvent): void => {
      if (json) {
        process.stdout.write(JSON.stringify(event) + '\n');
        return;
      }
      if (traceStream === undefined) return;
      const line = traceLine(event, {
        duration: formatDuration,
        argsWidth: Math.max(30, (process.stdout.columns || 100) - 30),
      });
      if (line !== null) traceStream.write(paintTraceLine(line, style) + '\n');
    };

    // Mutated by the signal handler while the run is awaited.
    const state: { run: StartedRun | undefined; interrupted: boolean; reason: string } = {
      run: undefined,
      interrupted: false,
      reason: 'interrupted by Ctrl-C',
    };
    const onSigint = (signal: NodeJS.Signals): void => {
      if (state.interrupted) {
        // A second Ctrl-C: stop waiting. MCP children are killed by the pool's exit hook.
        process.exit(ExitCode.INTERRUPTED);
      }
      state.interrupted = true;
      state.reason = signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted by Ctrl-C';
      if (!json) this.note(`\nCancelling the run: ${state.reason} (Ctrl-C again to quit at once)…`);
      state.run?.stop(state.reason);
    };
    // Kept until the command has closed the engine (see finally()): the MCP pool's own SIGINT hook
    // closes its servers and re-raises the signal only when nobody else listens.
    this.sigintHandler = onSigint;
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    this.warnMcpConfigTypos([env]);
    this.warnAgentTypos(env, this.args.name);
    const started = await api.runs.start(env, this.args.name, input, {
      model: this.flags.model,
      timeoutMs,
      onEvent,
    });
    state.run = started;
    if (state.interrupted) started.stop(state.reason);
    const result = await started.done;
    const exitCode = state.interrupted && result.status === 'cancelled' ? ExitCode.INTERRUPTED : runExitCode(result);
    process.exitCode = exitCode;
    if (!json) this.printOutcome(result);
    return { type: 'result', ...result, exitCode };
  }

  /** --detach: queue the run for `stn serve` or a worker started here, print its id, exit 0. */
  private async detach(
    env: string,
    input: Record<string, unknown>,
    timeoutMs: number | undefined,
  ): Promise<DetachedRecord> {
    this.warnMcpConfigTypos([env]);
    this.warnAgentTypos(env, this.args.name);
    const paths = this.engine().paths;
    let log: string | undefined;
    const queued = await this.api().runs.detach(env, this.args.name, input, {
      model: this.flags.model,
      timeoutMs,
      startWorker: () => {
        const worker = startWorker(join(this.config.root, 'bin'), paths.home, paths.logs);
        log = worker.log;
        return worker;
      },
    });
    const id = String(queued.id);
    const who =
      queued.worker.kind === 'serve'
        ? `stn serve (pid ${String(queued.worker.pid)}, ${queued.worker.url})`
        : `a background worker (pid ${String(queued.worker.pid)}, log ${log ?? '?'})`;
    // Only the id on stdout, for `id=$(stn agent run ... --detach)`; the rest on stderr.
    this.say(id);
    if (!this.jsonEnabled()) {
      const s = this.errStyle;
      this.note(`Run ${id} queued for ${who}.`);
      this.note(`  ${s.dim('→')} Follow it: stn runs show ${id} --follow`);
    }
    return { id: queued.id, status: queued.status };
  }

  override async finally(error: Error | undefined): Promise<void> {
    try {
      await super.finally(error);
    } finally {
      if (this.sigintHandler !== undefined) {
        process.off('SIGINT', this.sigintHandler);
        process.off('SIGTERM', this.sigintHandler);
      }
    }
  }

  /** Without --json: the answer on stdout; a failure explained on stderr. */
  private printOutcome(result: RunResult): void {
    if (result.output !== null && result.output !== '') this.say(result.output);
    if (result.status === 'completed' && result.stopReason !== 'max_steps') return;
    const s = this.errStyle;
    const why = result.error === null ? '' : `: ${result.error.message}`;
    const what =
      result.status === 'completed'
        ? `run ${String(result.runId)} reached max_steps (${String(result.steps - 1)}); the answer above was asked for without tools`
        : `run ${String(result.runId)} ${result.status.replace('_', ' ')}${why}`;
    const hint = `See the whole trace: stn runs show ${String(result.runId)}`;
    const log = this.diagnostics();
    if (log.json) {
      // One line a log collector can alert on, with the run's labels.
      const fields = {
        runId: result.runId,
        agent: result.agent,
        environment: result.environment,
        status: result.status,
        stopReason: result.stopReason,
        hints: [hint],
      };
      if (result.status === 'completed') log.logger.warn(what, fields);
      else log.logger.error(what, fields);
      return;
    }
    this.note(`${s.red(s.bold(result.status === 'completed' ? 'Note:' : 'Error:'))} ${what}`);
    this.note(`  ${s.dim('→')} ${hint}`);
  }

  /** --json output is NDJSON: one compact line per record. */
  override logJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  /** With --json, errors before the run (bad input, unknown agent, full queue) end as one result line too. */
  protected override toErrorJson(error: unknown): RunRecord {
    const { exitCode, ...rest } = this.errorRecord(error);
    return { type: 'result', runId: null, status: 'error', error: rest, exitCode };
  }
}
