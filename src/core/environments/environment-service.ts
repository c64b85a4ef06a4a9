import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES_DIR } from '../config/package-assets.js';
import { loadVariables } from '../config/variables-file.js';
import type { StationPaths } from '../config/home.js';
import type { VariableStatus } from '../config/variable-status.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { makePrivateIfExists } from '../fs/private-files.js';
import type { StoreDb } from '../store/store-db.js';
import { EnvironmentRepo, type EnvironmentRow } from '../store/environment-repo.js';
import { writeUnlessLocked } from '../store/lock-waits.js';
import { validateEnvironmentName } from './names.js';

/** What `stn env list --json` prints for each environment: a stable shape. */
export interface EnvironmentSummary {
  name: string;
  path: string;
  description: string;
  agents: number;
  servers: number;
  tools: number;
  lastSyncedAt: string | null;
}

export interface EnvironmentDetail extends EnvironmentSummary {
  agentFiles: string[];
  configFiles: string[];
  /** The names set in variables.yml. */
  variableNames: string[];
  /** Every variable the MCP configs use: whether it has a value and from where (never the value). */
  variables: VariableStatus[];
  createdAt: string;
}

/** Environments are folders under <home>/environments; the database keeps a row per folder. */
export class EnvironmentService {
  private readonly repo: EnvironmentRepo;

  constructor(
    private readonly paths: StationPaths,
    private readonly db: StoreDb,
  ) {
    this.repo = new EnvironmentRepo(db);
  }

  /** Folder of an environment (the name is validated first, so it cannot escape the home). */
  dir(name: string): string {
    return join(this.paths.environments, validateEnvironmentName(name));
  }

  /** Whether the environment's folder is there (a folder: a file of that name is none). One stat. */
  exists(name: string): boolean {
    return statSync(this.dir(name), { throwIfNoEntry: false })?.isDirectory() === true;
  }

  /** Folder names on disk that are valid environment names, sorted. */
  private folders(): string[] {
    if (!existsSync(this.paths.environments)) return [];
    return readdirSync(this.paths.environments, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && isValidName(d.name))
      .map((d) => d.name)
      .sort();
  }

  /**
   * Makes the rows match the folders: a folder without a row gets one, a row whose folder is gone is
   * removed (its runs keep their history). Returns the rows by name. Writes only when they differ; when
   * another process holds the write lock, the rows whose folder is there are returned unchanged.
   */
  reconcile(): Map<string, EnvironmentRow> {
    return this.sync().rows;
  }

  /**
   * reconcile(), and the folders left without a row because another process holds the lock. `wait`:
   * wait the busy timeout for the lock, and fail (exit 7) when it stays locked.
   */
  private sync(wait = false): { rows: Map<string, EnvironmentRow>; unrecorded: string[] } {
    const folders = this.folders();
    const current = new Map(this.repo.all().map((r) => [r.name, r]));
    const unrecorded = folders.filter((name) => !current.has(name));
    const gone = [...current.keys()].filter((name) => !folders.includes(name));
    if (unrecorded.length === 0 && gone.length === 0) return { rows: current, unrecorded: [] };
    const write = (): Map<string, EnvironmentRow> =>
      this.db
        .transaction(() => {
          const rows = new Map(this.repo.all().map((r) => [r.name, r]));
          for (const name of folders) if (!rows.has(name)) rows.set(name, this.repo.insert(name));
          for (const name of [...rows.keys()]) {
            if (!folders.includes(name)) {
              this.repo.deleteByName(name);
              rows.delete(name);
            }
          }
          return rows;
        })
        .immediate();
    if (wait) return { rows: write(), unrecorded: [] };
    const outcome = writeUnlessLocked(this.db, write);
    if (outcome.written) return { rows: outcome.value, unrecorded: [] };
    for (const name of gone) current.delete(name);
    return { rows: current, unrecorded };
  }

  /** The row of an existing environment, or a NotFoundError that lists the ones there are. */
  require(name: string): EnvironmentRow {
    validateEnvironmentName(name);
    // The common case, asked on every run and request: its folder is there and so is its row. Anything else
    // (a folder made or removed by hand) makes the rows match the folders first.
    const known = this.repo.byName(name);
    if (known !== undefined && this.exists(name)) return known;
    const { rows, unrecorded } = this.sync();
    // A folder made by hand while another process holds the lock: its row (its id) needs the lock.
    const row = unrecorded.includes(name) ? this.sync(true).rows.get(name) : rows.get(name);
    if (row === undefined) {
      const known = [...rows.keys(), ...unrecorded];
      throw new NotFoundError(`environment "${name}" does not exist`, {
        hints: [
          known.length > 0
            ? `Known environments: ${known.join(', ')}.`
            : 'There are no environments yet: run `stn init`.',
          `Create it with: stn env create ${name}`,
        ],
      });
    }
    return row;
  }

  list(): EnvironmentSummary[] {
    const { rows, unrecorded } = this.sync();
    const counts = this.repo.counts();
    const listed = [...rows.values()].map((row) => this.summarize(row, counts.get(row.id)));
    if (unrecorded.length === 0) return listed;
    // Folders not recorded yet (the database is locked): listed from the folder alone.
    const more = unrecorded.map((name) => this.summarize({ name, description: '' }, undefined));
    return [...listed, ...more].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The environment without its `variables` (their sources need the secret store: EnvironmentsApi.show). */
  show(name: string): Omit<EnvironmentDetail, 'variables'> {
    const row = this.require(name);
    const summary = this.summarize(row, this.repo.counts().get(row.id));
    const dir = this.dir(name);
    return {
      ...summary,
      agentFiles: agentFiles(dir),
      configFiles: readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
      variableNames: Object.keys(loadVariables(join(dir, 'variables.yml'))).sort(),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  /**
   * Creates an environment folder (agents/, template.json, variables.yml) from a template folder and
   * records it. The folder is assembled under a temporary name and renamed into place; variables.yml is
   * made 0600.
   */
  create(name: string, options: { description?: string; template?: string } = {}): EnvironmentSummary {
    validateEnvironmentName(name);
    const target = this.dir(name);
    if (existsSync(target)) {
      throw new ConflictError(`environment "${name}" already exists at ${target}`, {
        hints: ['Pick another name, or delete it first: stn env delete ' + name + ' --yes'],
      });
    }
    mkdirSync(this.paths.environments, { recursive: true });
    const staging = join(this.paths.environments, `.creating-${name}-${randomBytes(4).toString('hex')}`);
    try {
      cpSync(join(TEMPLATES_DIR, options.template ?? 'environment'), staging, { recursive: true });
      mkdirSync(join(staging, 'agents'), { recursive: true });
      // Copied with the template's mode (0644 in the package): it may hold secrets.
      makePrivateIfExists(join(staging, 'variables.yml'));
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    try {
      const row = this.db
        .transaction(() => {
          this.repo.deleteByName(name);
          return this.repo.insert(name, options.description ?? '');
        })
        .immediate();
      return this.summarize(row, undefined);
    } catch (error) {
      rmSync(target, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Deletes an environment's folder and rows together. The folder is first renamed aside, so a failure
   * to delete the rows puts it back; the last environment cannot be deleted.
   */
  delete(name: string): void {
    this.require(name);
    const all = this.folders();
    if (all.length <= 1) {
      throw new ConflictError(`environment "${name}" is the last one and cannot be deleted`, {
        hints: ['Create another first (stn env create NAME), then delete this one.'],
      });
    }
    const target = this.dir(name);
    const aside = join(this.paths.environments, `.deleting-${name}-${randomBytes(4).toString('hex')}`);
    renameSync(target, aside);
    try {
      this.db.transaction(() => this.repo.deleteByName(name)).immediate();
    } catch (error) {
      renameSync(aside, target);
      throw error;
    }
    rmSync(aside, { recursive: true, force: true });
  }

  private summarize(
    row: Pick<EnvironmentRow, 'name' | 'description'>,
    counts: { servers: number; tools: number; last_synced_at: number | null } | undefined,
  ): EnvironmentSummary {
    const dir = join(this.paths.environments, row.name);
    return {
      name: row.name,
      path: dir,
      description: row.description,
      agents: agentFiles(dir).length,
      servers: counts?.servers ?? 0,
      tools: counts?.tools ?? 0,
      lastSyncedAt: counts?.last_synced_at == null ? null : new Date(counts.last_synced_at).toISOString(),
    };
  }
}

function isValidName(name: string): boolean {
  try {
    validateEnvironmentName(name);
    return true;
  } catch {
    return false;
  }
}

function agentFiles(dir: string): string[] {
  const agents = join(dir, 'agents');
  if (!existsSync(agents)) return [];
  return readdirSync(agents)
    .filter((f) => f.endsWith('.prompt'))
    .sort();
}
