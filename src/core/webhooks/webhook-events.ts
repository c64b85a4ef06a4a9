import { ValidationError } from '../errors.js';
import { FINAL_STATUSES, type RunStatus } from '../events/run-events.js';

/**
 * What a webhook can subscribe to. Station's own run event is `run.finished` (every end of a run, its status in
 * the data); `run.<status>` narrows it to the runs that ended so (`run.failed`, `run.cancelled`...). Deliveries
 * always carry the event as Station names it: `X-Station-Event: run.finished`.
 */
export const WEBHOOK_EVENTS = ['run.finished', ...FINAL_STATUSES.map((s) => `run.${s}`)] as const;

/** The event of the sample a `stn webhook test` sends. */
export const TEST_EVENT = 'webhook.test';

export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = ['run.finished'];

/** The events given, checked, deduplicated; an unknown one is a validation error listing the known ones. */
export function parseWebhookEvents(events: readonly string[] | undefined): string[] {
  const list = (events ?? [])
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 0) return [...DEFAULT_WEBHOOK_EVENTS];
  const bad = list.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (bad.length > 0) {
    throw new ValidationError(
      `unknown webhook event ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
      [{ field: 'events', message: `expected one of: ${WEBHOOK_EVENTS.join(', ')}` }],
      { hints: ['Example: --events run.failed,run.timed_out (run.finished: every run that ends).'] },
    );
  }
  return [...new Set(list)];
}

/** Whether a webhook subscribed to `events` wants a run that finished with `status`. */
export function wantsFinished(events: readonly string[], status: RunStatus): boolean {
  return events.includes('run.finished') || events.includes(`run.${status}`);
}
