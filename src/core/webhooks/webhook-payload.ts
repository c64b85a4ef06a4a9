import type { RunEventOf } from '../events/run-events.js';
import type { RunSummary } from '../runner/run-service.js';

/**
 * The body of a JSON delivery: the event as Station names it, the run's summary (as `stn runs show --json`
 * and GET /api/v1/runs/{id} give it, without the trace) and the event itself (the one event schema:
 * {runId, seq, type, ts, data}). Never a secret: the run's strings were masked when they were recorded, and
 * the webhook's own secret only signs the body.
 */
export interface WebhookPayload {
  /** `run.finished`, or `webhook.test` for the sample `stn webhook test` sends. */
  event: string;
  /** When the delivery was queued (ISO-8601 UTC). */
  createdAt: string;
  /** The webhook's id. */
  webhook: number;
  run: RunSummary;
  data: RunEventOf<'run.finished'>;
  /** Present (true) only on a test delivery. */
  test?: true;
}

/** A Slack-compatible body (incoming webhooks; Mattermost and Discord's /slack endpoint read it too). */
export interface SlackPayload {
  text: string;
}

/** The JSON body of a delivery. */
export function jsonPayload(
  event: string,
  webhook: number,
  run: RunSummary,
  data: RunEventOf<'run.finished'>,
  now: number,
  test = false,
): WebhookPayload {
  return {
    event,
    createdAt: new Date(now).toISOString(),
    webhook,
    run,
    data,
    ...(test ? { test: true as const } : {}),
  };
}

/** A short line for chat: agent, environment, status, duration, and a link to the run when the public URL is known. */
export function slackPayload(run: RunSummary, publicUrl: string | null, test = false): SlackPayload {
  const seconds = run.durationMs === null ? null : run.durationMs / 1000;
  const duration = seconds === null ? '' : ` in ${seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds))} s`;
  const error = run.error === null ? '' : `: ${run.error.message}`;
  const link = publicUrl === null ? '' : ` <${publicUrl}/api/v1/runs/${String(run.id)}|run ${String(run.id)}>`;
  const prefix = test ? '[test] ' : '';
  return {
    text: `${prefix}${STATUS_MARK[run.status] ?? ''}Agent *${escapeSlack(run.agent)}* (${escapeSlack(run.environment)}) ${run.status}${duration}${escapeSlack(error)}${link}`,
  };
}

const STATUS_MARK: Record<string, string> = {
  completed: ':white_check_mark: ',
  failed: ':x: ',
  timed_out: ':hourglass: ',
  cancelled: ':no_entry_sign: ',
  interrupted: ':warning: ',
};

/** Slack's three control characters, escaped as its docs ask. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The made-up run a `stn webhook test` reports (id 0): a completed run of an agent named `example`. */
export function sampleRun(now: number): { run: RunSummary; data: RunEventOf<'run.finished'> } {
  const tokens = { input: 120, output: 40, total: 160 };
  const run: RunSummary = {
    id: 0,
    agent: 'example',
    environment: 'default',
    status: 'completed',
    stopReason: 'final_answer',
    model: 'gpt-4o-mini',
    steps: 1,
    toolCalls: 0,
    tokens,
    error: null,
    createdAt: new Date(now - 1500).toISOString(),
    startedAt: new Date(now - 1400).toISOString(),
    finishedAt: new Date(now).toISOString(),
    durationMs: 1400,
    trigger: 'manual',
    scheduledAt: null,
  };
  const data: RunEventOf<'run.finished'> = {
    runId: 0,
    seq: 3,
    type: 'run.finished',
    ts: new Date(now).toISOString(),
    data: {
      status: 'completed',
      stopReason: 'final_answer',
      output: 'This is a test delivery from Station.',
      error: null,
      steps: 1,
      toolCalls: 0,
      tokens,
      durationMs: 1400,
    },
  };
  return { run, data };
}
