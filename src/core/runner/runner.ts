import { setImmediate as nextTurn } from 'node:timers/promises';
import { ConflictError, DatabaseError } from '../errors.js';
import type { EventBus, RunEventListener } from '../events/event-bus.js';
import type { EventModelChoice } from '../events/run-events.js';
import { makeRedactor, type Secret } from '../mcp/redactor.js';
import type { RunStatus, RunTrigger, StopReason } from '../events/run-events.js';
import { AnswerTooLargeError } from '../model/stream-limits.js';
import type { ChatModel, ModelMessage } from '../model/types.js';
import { retryWhileLocked } from '../store/lock-waits.js';
import { isUnclaimed, type RunRepo, type RunRow } from '../store/run-repo.js';
import { followRun, type RunFollow } from './run-follower.js';
import type { OutputSpec } from './output-check.js';
import { QueueFullError, RunAbort, toEventError, type RunResult } from './run-errors.js';
import { OutputInvalidError, runLoop, type RunStats } from './run-loop.js';
import { RunRecorder, type RunProfile } from './run-recorder.js';
import { RunWriteGroup } from './run-write-group.js';
import type { ToolProvider } from './tool-provider.js';

/** What a caller asks for. */
export interface RunRequest {
  agent: string;
  environment: string;
  input: Record<string, unknown>;
  /** Overrides the agent's and the configured model. */
  model?: string | undefined;
  /**
   * The model already chosen, and why (a run queued by another process, taken over with its choice);
   * `model` is then that model.
   */
  modelChoice?: EventModelChoice | undefined;
  /** Overrides the configured run timeout. */
  timeoutMs?: number | undefined;
  /** What started it (default manual). */
  trigger?: RunTrigger | undefined;
  /** The fire time of a scheduled run. */
  scheduledAt?: number | undefined;
}

/** A request made ready: agent found, input validated, prompt rendered. Made before the run is queued. */
export interface PreparedRun {
  agent: string;
  agentId?: number | null | undefined;
  environment: string;
  environmentId?: number | null | undefined;
  input: Record<string, unknown>;
  model: string;
  /** Why `model` (file, alias, override, --model, config). */
  modelChoice?: EventModelChoice | undefined;
  /** Text or JSON, and why (`output` is set exactly when JSON). */
  outputChoice?: { format: 'text' | 'json'; reason: string; explanation: string } | undefined;
  messages: ModelMessage[];
  maxSteps: number;
  timeoutMs: number;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  output?: OutputSpec | undefined;
  /** The agent's tool references, resolved when the run starts. */
  tools: readonly string[];
  /**
   * Values the run's records must never show (the model API key, the environment's secrets): masked in
   * every event and in the run row's input, output and error. The model and the tools get the real values.
   */
  secrets?: readonly Secret[] | undefined;
}

/** What a run needs once a worker takes it (MCP servers connected, model client ready). */
export interface RunResources {
  model: ChatModel;
  tools: ToolProvider;
  /**
   * The secrets of the tools' config as the run starts on it: masked from here on, together with those
   * known when the run was queued (the config may have changed while it waited).
   */
  secrets?: readonly Secret[] | undefined;
}

export interface RunnerOptions {
  repo: RunRepo;
  bus: EventBus;
  /** Finds the agent, validates the input, renders the prompt; throws for bad requests. */
  prepare: (request: RunRequest) => Promise<PreparedRun>;
  /** Connects what the run uses; may be slow (starting MCP servers); honours the signal. */
  resources: (run: PreparedRun, signal: AbortSignal) => Promise<RunResources>;
  workers: number;
  /** Runs allowed to wait for a worker. */
  queueSize: number;
  maxToolResultBytes: number;
  /** A model answer larger than this ends the run with stop reason `answer_too_large` (default: no limit). */
  maxAnswerBytes?: number;
  pid?: number;
  now?: () => number;
  /** How often to look for cancellations requested by other processes (ms; default 500). */
  cancelPollMs?: number;
}

export interface RunHandle {
  runId: number;
  /** Settles when the run has finished and is recorded; never rejects. */
  done: Promise<RunResult>;
}

export interface SubmitOptions {
  /** Receives every event of this run, from run.queued on. */
  onEvent?: RunEventListener;
  /** Filled in with where the run's time goes (model, tools, recording), for benchmarks and diagnostics. */
  profile?: RunProfile;
}

/** What a run ended with (its RunResult without the names). */
type RunOutcome = Omit<RunResult, 'runId' | 'agent' | 'environment'>;

interface Job {
  runId: number;
  prepared: PreparedRun;
  recorder: RunRecorder;
  controller: AbortController;
  resolve: (result: RunResult) => void;
  unsubscribe: (() => void) | undefined;
  queuedAt: number;
  profile?: RunProfile | undefined;
}

/** A run this process put in the shared queue: taken here when a worker is free, else followed where it runs. */
interface Pending {
  job: Job;
  onEvent: RunEventListener | undefined;
  /** Set once another server claimed it: its events are read from the store. */
  follow?: RunFollow | undefined;
}

/**
 * The run queue: a bounded queue in front of a pool of workers. Each run gets a timeout and an
 * AbortController; cancelling aborts the model request and the MCP calls in flight. `shutdown()` stops
 * taking work, cancels what waits, lets running runs finish within a grace period and cancels the rest.
 */
export class Runner {
  private readonly waiting: Job[] = [];
  private readonly active = new Map<number, { job: Job; done: Promise<void> }>();
  private closing = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private adoptTimer: NodeJS.Timeout | undefined;
  /** Runs addressed to this process being prepared for adoption. */
  private readonly adopting = new Set<number>();
  private readonly now: () => number;
  private readonly pid: number;
  /** The runs' step writes of one turn, made together. */
  private readonly writes: RunWriteGroup;
  /** Runs this process submitted to the shared queue that it does not run (yet), by id. */
  private readonly pending = new Map<number, Pending>();
  /** Set by joinSharedQueue: runs are submitted to the store's shared queue, and claimed from it. */
  private sharedTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.now = options.now ?? Date.now;
    this.pid = options.pid ?? process.pid;
    this.writes = new RunWriteGroup(options.repo);
  }

  get runningCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /** Ids of the runs this runner holds (queued or running). */
  runIds(): number[] {
    return [...this.waiting.map((j) => j.runId), ...this.active.keys()];
  }

  /**
   * Accepts a run: validates it, records it as queued, and starts it when a worker is free. In the shared
   * queue (joinSharedQueue) it is recorded for any server to claim: this one claims it at once when it has a
   * free worker; otherwise the first server with one does, and `done` and `onEvent` follow it there.
   */
  async submit(request: RunRequest, options: SubmitOptions = {}): Promise<RunHandle> {
    this.assertAccepting();
    const prepared = await this.options.prepare(request);
    this.assertAccepting();
    const now = this.now();
    const shared = this.sharedTimer !== undefined && this.options.repo.sharedStore;
    // Recorded as this process's first, so that its run.queued is stored before any other server can claim it.
    const { recorder, unsubscribe } = this.recordQueued(prepared, this.pid, now, request, options);
    const runId = recorder.runId;
    let resolve!: (result: RunResult) => void;
    const done = new Promise<RunResult>((r) => (resolve = r));
    const job: Job = {
      runId,
      prepared,
      recorder,
      controller: new AbortController(),
      resolve,
      unsubscribe,
      queuedAt: now,
      profile: options.profile,
    };
    // No free worker here: the run goes to the shared queue, for the first server with one.
    if (shared && this.freeWorkers() <= 0 && this.release(runId)) {
      this.pending.set(runId, { job, onEvent: options.onEvent });
    } else {
      this.waiting.push(job);
      this.pump();
    }
    return { runId, done };
  }

  /** Workers not running, waiting for or taking a run. */
  private freeWorkers(): number {
    return this.options.workers - this.active.size - this.waiting.length - this.adopting.size;
  }

  /** Hands a run recorded for this process to the shared queue (false when the store refuses: it stays here). */
  private release(runId: number): boolean {
    try {
      return this.options.repo.release(runId, this.pid);
    } catch (error) {
      if (error instanceof DatabaseError) return false;
      throw error;
    }
  }

  /**
   * Joins the queue of runs no process has claimed (`stn serve`): every `intervalMs` this runner claims such
   * runs for its free workers (`FOR UPDATE SKIP LOCKED` on PostgreSQL: each run is claimed by one server). On a
   * store several servers share (PostgreSQL), runs submitted here go to that queue too, and this runner looks
   * where they went; each server bounds its own concurrency (runner.workers) and runner.queue_size bounds the
   * shared queue. On SQLite it takes the retries of interrupted runs; its own runs stay in its own queue.
   */
  joinSharedQueue(intervalMs = 250): void {
    if (this.sharedTimer !== undefined || this.closing) return;
    this.sharedTimer = setInterval(() => this.sharedTick(), intervalMs);
    this.sharedTimer.unref();
  }

  /** Claims runs of the shared queue for the workers free here; a run this process submitted keeps its handle. */
  private claimShared(): void {
    if (this.closing) return;
    const free = this.freeWorkers();
    if (free <= 0) return;
    let ids: number[];
    try {
      ids = this.options.repo.claimQueued(free, this.pid, this.now());
    } catch (error) {
      if (error instanceof DatabaseError) return; // locked or unreachable: the next tick tries again
      throw error;
    }
    for (const id of ids) {
      const mine = this.pending.get(id);
      if (mine !== undefined) {
        this.pending.delete(id);
        this.waiting.push(mine.job);
        continue;
      }
      const row = this.options.repo.get(id);
      if (row === undefined) continue;
      this.adopting.add(id);
      void this.adopt(row).finally(() => this.adopting.delete(id));
    }
    if (ids.length > 0) this.pump();
  }

  private sharedTick(): void {
    if (this.closing) return;
    try {
      if (this.freeWorkers() > 0 && this.options.repo.hasUnclaimed()) this.claimShared();
      this.followClaimedElsewhere();
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
    }
  }

  /** Runs this process submitted that another server claimed: their events and end are read from the store. */
  private followClaimedElsewhere(): void {
    for (const [id, pending] of this.pending) {
      if (pending.follow !== undefined) continue;
      const row = this.options.repo.get(id);
      if (row !== undefined && isUnclaimed(row)) continue;
      const { job } = pending;
      const repo = this.options.repo;
      pending.follow = followRun(
        { eventPage: (query) => repo.eventPage(id, query) },
        {
          // run.queued (seq 1) reached the listener here, when it was recorded.
          afterSeq: 1,
          onEvents: (events) => {
            for (const event of events) pending.onEvent?.(event);
          },
        },
      );
      pending.follow.done.then(
        (finished) => {
          this.pending.delete(id);
          this.settle(job, finished ?? this.handedOver(id));
        },
        (error: unknown) => {
          this.pending.delete(id);
          this.settle(job, { ...this.handedOver(id), error: toEventError(error) });
        },
      );
    }
  }

  /** What a run this process no longer follows is, for its waiters: its state now, going on elsewhere. */
  private handedOver(id: number): RunOutcome {
    const row = this.options.repo.get(id);
    return {
      ...unstartedOutcome(row?.status ?? 'queued', 'shutdown', new RunAbort('shutdown', 'Station shut down')),
      error: {
        code: 'handed_over',
        message: `this server stopped following run ${String(id)}; another server runs it (see stn runs show ${String(id)})`,
      },
    };
  }

  /**
   * Records a run as queued for another process to execute (the home's `stn serve`, or a detached worker):
   * validated and rendered here as for `submit`, so bad input fails at once, then left in the database
   * with that process's pid. That process takes it with `adoptAddressed`; if it dies first, the run is
   * marked interrupted as any run of a dead process. `pid` is asked for once the request is known good
   * (it may start that process). Returns the run id.
   */
  async enqueueFor(pid: () => number, request: RunRequest): Promise<number> {
    const prepared = await this.options.prepare(request);
    return this.recordQueued(prepared, pid(), this.now(), request).recorder.runId;
  }

  /**
   * Records a prepared run as queued for the process `pid` (this one, or the one that will take it);
   * `onEvent` is subscribed before `run.queued` is emitted, so it sees every event of the run.
   */
  private recordQueued(
    prepared: PreparedRun,
    pid: number | null,
    now: number,
    request: Pick<RunRequest, 'timeoutMs' | 'trigger' | 'scheduledAt'>,
    { onEvent, profile }: SubmitOptions = {},
  ): { recorder: RunRecorder; unsubscribe: (() => void) | undefined } {
    const bus = this.options.bus;
    let unsubscribe: (() => void) | undefined;
    const recorder = RunRecorder.open(
      this.options.repo,
      bus,
      {
        agentName: prepared.agent,
        agentId: prepared.agentId,
        environmentName: prepared.environment,
        environmentId: prepared.environmentId,
        input: prepared.input,
        model: prepared.model,
        pid,
        now,
        trigger: request.trigger,
        scheduledAt: request.scheduledAt,
      },
      {
        now: this.now,
        redact: makeRedactor(prepared.secrets ?? []),
        profile,
        group: this.writes,
        queued: {
          agent: prepared.agent,
          environment: prepared.environment,
          input: prepared.input,
          model: prepared.model,
          ...(prepared.modelChoice === undefined ? {} : { modelChoice: prepared.modelChoice }),
          ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
        },
        subscribe: (runId) => {
          if (onEvent !== undefined) unsubscribe = bus.subscribeRun(runId, onEvent);
        },
      },
    );
    return { recorder, unsubscribe };
  }

  /**
   * Takes the runs other processes queued for this one (see enqueueFor), as many as the queue has room
   * for; the others wait in the database for the next call. Returns the ids taken.
   */
  async adoptAddressed(): Promise<number[]> {
    if (this.closing) return [];
    let rows: RunRow[];
    try {
      rows = this.options.repo.queuedFor(this.pid);
    } catch (error) {
      if (error instanceof DatabaseError) return []; // locked: look again next time
      throw error;
    }
    const held = new Set(this.runIds());
    const taken: number[] = [];
    for (const row of rows) {
      if (held.has(row.id) || this.adopting.has(row.id)) continue;
      // shutdown() may have begun while the previous run was being prepared.
      if (this.isClosing() || this.waiting.length + this.adopting.size >= this.options.queueSize) break;
      this.adopting.add(row.id);
      try {
        if (await this.adopt(row)) taken.push(row.id);
      } finally {
        this.adopting.delete(row.id);
      }
    }
    return taken;
  }

  private isClosing(): boolean {
    return this.closing;
  }

  /** Calls adoptAddressed every `intervalMs` until shutdown (for `stn serve`). */
  watchAddressed(intervalMs = 500): void {
    if (this.adoptTimer !== undefined) return;
    this.adoptTimer = setInterval(() => void this.adoptAddressed(), intervalMs);
    this.adoptTimer.unref();
  }

  /** Whether this runner holds runs, is taking one, or waits for one it submitted to the shared queue. */
  get busy(): boolean {
    return this.active.size + this.waiting.length + this.adopting.size + this.pending.size > 0;
  }

  /** Prepares a run queued in the database for this process again and queues it here; a run that cannot be prepared any more ends failed. */
  private async adopt(row: RunRow): Promise<boolean> {
    const queued = this.options.repo.events(row.id, { limit: 1 })[0];
    const timeoutMs = queued?.type === 'run.queued' ? queued.data.timeoutMs : undefined;
    const modelChoice = queued?.type === 'run.queued' ? queued.data.modelChoice : undefined;
    const request: RunRequest = {
      agent: row.agent_name,
      environment: row.environment_name,
      input: JSON.parse(row.input_json) as Record<string, unknown>,
      model: row.model ?? undefined,
      modelChoice,
      timeoutMs,
    };
    let prepared: PreparedRun;
    try {
      prepared = await this.options.prepare(request);
    } catch (error) {
      finishRecorded(this.reopen(row.id), unstartedOutcome('failed', 'error', error), null);
      return false;
    }
    this.waiting.push({
      runId: row.id,
      prepared,
      recorder: this.reopen(row.id, makeRedactor(prepared.secrets ?? [])),
      controller: new AbortController(),
      // Nobody here waits for an adopted run: its end is in the database and on the bus.
      resolve: () => undefined,
      unsubscribe: undefined,
      queuedAt: row.created_at,
    });
    this.pump();
    return true;
  }

  /** A recorder for a run another process recorded as queued, continuing its event sequence. */
  private reopen(runId: number, redact?: ReturnType<typeof makeRedactor>): RunRecorder {
    return new RunRecorder(
      this.options.repo,
      this.options.bus,
      runId,
      this.now,
      this.options.repo.lastSeq(runId),
      redact,
      undefined,
      this.writes,
    );
  }

  /**
   * Cancels a run this runner holds: a queued one is dropped, a running one is aborted (its model
   * request and tool calls end). Returns false if the run is not here.
   */
  cancel(runId: number, message = 'cancelled'): boolean {
    const pending = this.pending.get(runId);
    // A run of the shared queue no server has claimed: claimed here, to end it (one that another server
    // claimed is cancelled through the store, as any run of another process).
    if (pending !== undefined && pending.follow === undefined && this.claimForCancel(runId)) {
      this.pending.delete(runId);
      this.finishUnstarted(pending.job, 'cancelled', 'cancelled', new RunAbort('cancelled', message));
      return true;
    }
    const index = this.waiting.findIndex((j) => j.runId === runId);
    const queued = this.waiting[index];
    if (queued !== undefined) {
      this.waiting.splice(index, 1);
      this.finishUnstarted(queued, 'cancelled', 'cancelled', new RunAbort('cancelled', message));
      return true;
    }
    const running = this.active.get(runId);
    if (running === undefined) return false;
    if (!running.job.controller.signal.aborted) running.job.controller.abort(new RunAbort('cancelled', message));
    return true;
  }

  /**
   * Stops taking runs, cancels queued ones, waits up to `graceMs` for running ones, then cancels those
   * still going and waits for them to record their end.
   */
  async shutdown(options: { graceMs?: number } = {}): Promise<void> {
    this.closing = true;
    clearInterval(this.adoptTimer);
    this.adoptTimer = undefined;
    clearInterval(this.sharedTimer);
    // Runs this process put in the shared queue stay there for the other servers (or this one's next start);
    // whoever waits for them here is told where they are.
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.follow?.stop();
      if (pending.follow === undefined) this.settle(pending.job, this.handedOver(id));
    }
    for (const job of this.waiting.splice(0)) {
      this.finishUnstarted(
        job,
        'cancelled',
        'shutdown',
        new RunAbort('shutdown', 'Station shut down before the run started'),
      );
    }
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    const graceMs = options.graceMs ?? 10_000;
    if (this.active.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const { job } of this.active.values()) {
      if (!job.controller.signal.aborted) {
        job.controller.abort(new RunAbort('shutdown', 'Station shut down while the run was going'));
      }
    }
    await all();
    this.stopPolling();
  }

  private claimForCancel(runId: number): boolean {
    try {
      return this.options.repo.claimOne(runId, this.pid, this.now());
    } catch (error) {
      if (error instanceof DatabaseError) return false;
      throw error;
    }
  }

  private assertAccepting(): void {
    if (this.closing) {
      throw new ConflictError('Station is shutting down and takes no new runs', {
        hints: ['Start the run again once Station is back.'],
      });
    }
    const queued =
      this.sharedTimer !== undefined && this.options.repo.sharedStore
        ? this.options.repo.unclaimedCount()
        : this.waiting.length;
    if (queued >= this.options.queueSize) throw new QueueFullError(queued);
  }

  private pump(): void {
    while (this.active.size < this.options.workers) {
      const job = this.waiting.shift();
      if (job === undefined) break;
      const done = this.execute(job).finally(() => {
        this.active.delete(job.runId);
        this.pump();
      });
      this.active.set(job.runId, { job, done });
    }
    // A worker came free: the shared queue may hold a run for it.
    if (this.sharedTimer !== undefined && this.active.size < this.options.workers && !this.closing) {
      setImmediate(() => this.sharedTick());
    }
    if (this.active.size + this.waiting.length > 0) this.startPolling();
    else this.stopPolling();
  }

  private async execute(job: Job): Promise<void> {
    // The worker is taken at once (pump); the run's start-up work (claim, render, connect, the first model call)
    // follows on the event loop's next turn, so a burst of submissions (a REST client, due schedules) is
    // accepted and answered first instead of each submission waiting on the previous runs' first steps.
    await nextTurn();
    const { prepared, recorder, controller } = job;
    const signal = controller.signal;
    const started = this.now();
    const stats: RunStats = { steps: 0, toolCalls: 0, tokens: { input: 0, output: 0, total: 0 } };
    const timer = setTimeout(() => {
      controller.abort(new RunAbort('timeout', `the run timed out after ${formatMs(prepared.timeoutMs)}`));
    }, prepared.timeoutMs);
    let status: RunStatus = 'completed';
    let stopReason: StopReason = 'final_answer';
    let output: string | null = null;
    let failure: unknown = null;
    try {
      retryWhileLocked(() => this.options.repo.markRunning(job.runId, started, this.pid));
      recorder.stage('run.started', {
        agent: prepared.agent,
        environment: prepared.environment,
        model: prepared.model,
        ...(prepared.modelChoice === undefined ? {} : { modelChoice: prepared.modelChoice }),
        ...(prepared.outputChoice === undefined ? {} : { output: prepared.outputChoice }),
        maxSteps: prepared.maxSteps,
        timeoutMs: prepared.timeoutMs,
        pid: this.pid,
        messages: prepared.messages.map((m) => ({ role: m.role, content: m.content })),
      });
      const connectStart = performance.now();
      const resources = await abortable(this.options.resources(prepared, signal), signal);
      const added = newSecrets(prepared.secrets ?? [], resources.secrets ?? []);
      if (added.length > 0) recorder.maskWith(makeRedactor([...(prepared.secrets ?? []), ...added]));
      recorder.stage('tools.ready', {
        tools: resources.tools.list().map((t) => ({ name: t.name, server: t.server, tool: t.tool })),
        durationMs: Math.round(performance.now() - connectStart),
      });
      const result = await runLoop(
        {
          model: prepared.model,
          messages: prepared.messages,
          maxSteps: prepared.maxSteps,
          temperature: prepared.temperature,
          maxTokens: prepared.maxTokens,
          output: prepared.output,
          maxToolResultBytes: this.options.maxToolResultBytes,
          maxAnswerBytes: this.options.maxAnswerBytes,
        },
        { model: resources.model, tools: resources.tools, recorder, signal, stats, profile: job.profile },
      );
      stopReason = result.stopReason;
      output = result.output;
    } catch (error) {
      const reason: unknown = signal.aborted ? signal.reason : error;
      failure = reason;
      [status, stopReason] = classify(reason);
      if (error instanceof OutputInvalidError) output = error.output;
    } finally {
      clearTimeout(timer);
    }
    const durationMs = this.now() - started;
    const error = failure === null ? null : toEventError(failure);
    const data = {
      status,
      stopReason,
      output,
      error,
      steps: stats.steps,
      toolCalls: stats.toolCalls,
      tokens: { ...stats.tokens },
      durationMs,
    };
    this.settle(job, this.finish(job, data, durationMs));
  }

  /** Ends a run that never reached a worker. */
  private finishUnstarted(job: Job, status: RunStatus, stopReason: StopReason, reason: RunAbort): void {
    this.settle(job, this.finish(job, unstartedOutcome(status, stopReason, reason), null));
  }

  /** Records the job's run end (see finishRecorded). */
  private finish(job: Job, data: RunOutcome, durationMs: number | null): RunOutcome {
    return finishRecorded(job.recorder, data, durationMs);
  }

  private settle(job: Job, data: RunOutcome): void {
    job.unsubscribe?.();
    job.resolve({ runId: job.runId, agent: job.prepared.agent, environment: job.prepared.environment, ...data });
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => {
      let requested: { id: number; reason: string | null }[];
      try {
        requested = this.options.repo.cancelRequested(this.runIds());
      } catch (error) {
        if (error instanceof DatabaseError) return; // locked or failing: look again at the next tick
        throw error;
      }
      for (const { id, reason } of requested) this.cancel(id, reason ?? 'cancelled from another process');
    }, this.options.cancelPollMs ?? 500);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}

function classify(reason: unknown): [RunStatus, StopReason] {
  if (reason instanceof RunAbort) {
    if (reason.kind === 'timeout') return ['timed_out', 'timeout'];
    return ['cancelled', reason.kind === 'shutdown' ? 'shutdown' : 'cancelled'];
  }
  if (reason instanceof OutputInvalidError) return ['failed', 'invalid_output'];
  if (reason instanceof AnswerTooLargeError) return ['failed', 'answer_too_large'];
  return ['failed', 'error'];
}

/** Rejects with the signal's reason as soon as it aborts, even if `promise` does not listen to it. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)}s` : `${String(ms)}ms`;
}

/** What a run that never reached a worker ends with: no steps, no tokens. */
function unstartedOutcome(status: RunStatus, stopReason: StopReason, reason: unknown): RunOutcome {
  const tokens = { input: 0, output: 0, total: 0 };
  return {
    status,
    stopReason,
    output: null,
    error: toEventError(reason),
    steps: 0,
    toolCalls: 0,
    tokens,
    durationMs: 0,
  };
}

/**
 * Records a run's end and returns what it ended with, masked as recorded. When the database refuses
 * that last write for good (locked past the recorder's patience, damaged, disk full), the run ends
 * failed with that error (its row is left running; the next process to open the database marks it
 * interrupted): `done` never rejects.
 */
function finishRecorded(recorder: RunRecorder, data: RunOutcome, durationMs: number | null): RunOutcome {
  try {
    return recorder.finish(data, {
      ...data,
      error: data.error === null ? null : JSON.stringify(data.error),
      durationMs,
    }).data;
  } catch (failure) {
    return { ...recorder.mask(data), status: 'failed', stopReason: 'error', error: toEventError(failure) };
  }
}

/** The secrets of `later` whose values are not among those of `known`. */
function newSecrets(known: readonly Secret[], later: readonly Secret[]): Secret[] {
  if (later.length === 0) return [];
  const values = new Set(known.map((s) => s.value));
  return later.filter((s) => !values.has(s.value));
}
