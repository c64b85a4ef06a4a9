import type { StoreDb, StoreStatement } from './store-db.js';

/** How many statements a cache keeps; the filters' combinations are few, the lengths of IN lists are not. */
const MAX_STATEMENTS = 64;

/**
 * Prepared statements of queries built at run time (filters), by their SQL: preparing costs more than
 * running a small indexed query, so a request should not pay it every time. Bounded: when full, it starts over.
 */
export class StatementCache {
  private readonly statements = new Map<string, StoreStatement>();

  constructor(private readonly db: StoreDb) {}

  get(sql: string): StoreStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
