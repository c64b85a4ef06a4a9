import { createBackup, type BackupOptions, type BackupResult } from '../backup/backup.js';
import type { ApiContext } from './context.js';

/**
 * Backups of the home (admins): `create` copies the store (online, while runs go on), config.yaml and the
 * environments into one .tar.gz with a manifest of checksums. Restoring is done before an engine can open
 * the home (restoreBackup in src/core/backup); the command records it with `audit.restored`.
 */
export class BackupApi {
  constructor(private readonly ctx: ApiContext) {}

  async create(file: string, options: Omit<BackupOptions, 'now'> = {}): Promise<BackupResult> {
    this.ctx.authorize('admin');
    const { engine } = this.ctx;
    const result = await createBackup({ paths: engine.paths, db: engine.db, env: engine.env }, file, options);
    this.ctx.audit('backup.create', result.file, {
      bytes: result.bytes,
      engine: result.engine,
      schemaVersion: result.schemaVersion,
      files: result.files,
    });
    return result;
  }
}
