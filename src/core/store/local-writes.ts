/**
 * How many times a SQLite connection of this thread may have changed its database: statements that write,
 * exec, pragmas, transactions that ended. Every connection opened by openDatabase counts here (its guard
 * does), so that a reader keeping something for the current turn of the event loop (DataVersion) knows
 * when another connection of this thread committed in the meantime, which SQLite's data_version would
 * only tell it on a new read.
 */
let writes = 0;

export function noteLocalWrite(): void {
  writes++;
}

export function localWrites(): number {
  return writes;
}
