import type { Db } from './database.js';

/**
 * The cheap queries a follower of the event store needs (the TUI following runs that other processes
 * write): where the global event cursor stands now. Paging itself uses RunRepo.eventsAfter / events.
 */
export class RunFeedRepo {
  constructor(private readonly db: Db) {}

  /** The highest run_events.id (0 when there is none): a follower starts from here. */
  latestEventId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM run_events').get() as { id: number }).id;
  }
}
