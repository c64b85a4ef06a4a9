import { latestSchemaVersion, migrationsAppliedAt, schemaVersion } from '../store/database.js';
import type { ApiContext } from './context.js';

/** Where the store is and its schema (`stn db migrate`, `stn db status`). */
export interface StoreStatus {
  engine: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL with its password hidden. */
  location: string;
  schemaVersion: number;
  /** The newest schema this stn knows. */
  latestVersion: number;
  /** Migrations applied when this process opened the store (none when it was up to date). */
  appliedNow: number[];
}

/** The store itself (admins): its engine, location and schema version. Migrations are applied at open. */
export class StoreApi {
  constructor(private readonly ctx: ApiContext) {}

  status(): StoreStatus {
    this.ctx.authorize('admin');
    const { engine } = this.ctx;
    return {
      engine: engine.store.kind,
      location: engine.store.display,
      schemaVersion: schemaVersion(engine.db),
      latestVersion: latestSchemaVersion(),
      appliedNow: migrationsAppliedAt(engine.db),
    };
  }
}
