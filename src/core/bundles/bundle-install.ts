/**
 * `stn bundle install`: stage SOURCE safely, show what it would start (the trust gate), gather its
 * variables, rename it into place (an existing environment only with `force`, kept as a dated backup),
 * record the approved servers, then sync and check the tools lock. Nothing is left behind when any step
 * before the rename fails.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { discoverMcpConfigs, readMcpServerTemplates } from '../config/mcp-config.js';
import { loadVariablesSchema, rejectedDefault } from '../config/mcp-config-variables.js';
import { isRecord } from '../config/station-config.js';
import {
  MissingVariablesError,
  findPlaceholders,
  isSecretVariable,
  type MissingVariable,
} from '../config/template-render.js';
import { saveVariableAnswers } from '../config/variable-answers.js';
import { loadVariables } from '../config/variables-file.js';
import type { Engine } from '../engine.js';
import { validateEnvironmentName } from '../environments/names.js';
import { ConflictError, ExitCode, StationError, UsageError, ValidationError } from '../errors.js';
import { McpRepo } from '../store/mcp-repo.js';
import type { SyncEvent, SyncOptions, SyncReport } from '../sync/sync-service.js';
import { readBundleInfo, type BundleInfo, type BundleShape, type BundleVariable } from './bundle-manifest.js';
import { stageSource, type RegistrySources, type SourceKind } from './bundle-source.js';
import type { RegistryHit } from './bundle-registry.js';
import type { ExtractLimits } from './safe-extract.js';
import { reviewServers, serversHash, type ServerReview } from './server-review.js';
import { TrustStore } from './trust-store.js';

/** What the trust gate shows before anything is installed or started. */
export interface InstallReview {
  source: string;
  kind: SourceKind;
  shape: BundleShape;
  environment: string;
  name: string | null;
  version: string | null;
  description: string | null;
  replaces: boolean;
  servers: ServerReview[];
  /** Hash of the servers shown (recorded once approved). */
  configHash: string;
  files: string[];
  skipped: { path: string; reason: string }[];
}

export interface InstallOptions {
  /** Environment name [default: the manifest's name, else the source's file name]. */
  environment?: string;
  /** Replace an existing environment (kept as a dated backup). */
  force?: boolean;
  /** Approve the servers without asking (scripts). */
  yes?: boolean;
  /** `--var NAME=VALUE`. */
  vars?: Readonly<Record<string, string>>;
  /** `--vars-file FILE`: a YAML mapping of NAME: value. */
  varsFile?: string;
  /** Sync after installing [default: true]. */
  sync?: boolean;
  /** Tools-lock findings (missing tools, changed schemas) are errors, not warnings. */
  strict?: boolean;
  /** Asks the user to approve the servers (only on a terminal); false declines. */
  confirm?: (review: InstallReview) => Promise<boolean>;
  /**
   * Asks for the variables that have no value (only on a terminal), offering `defaults`. Secrets are
   * answered hidden and go to the secret store (saveVariableAnswers).
   */
  askVariables?: (
    environment: string,
    missing: readonly MissingVariable[],
    defaults: Readonly<Record<string, string>>,
  ) => Promise<Record<string, string> | undefined>;
  onSyncEvent?: (event: SyncEvent) => void;
  /**
   * Without askVariables, defaults are applied to the variables nothing gives; with offerDefaults they are not:
   * those variables are listed as missing (MissingVariablesError) with their defaults in `details.defaults`
   * (never a secret's), so a door that asks elsewhere (the remote TUI, over REST) can offer them in its form.
   */
  offerDefaults?: boolean;
  /**
   * The servers' hash the caller approves (REST, MCP, TUI): the install goes on only when it equals the
   * bundle's configHash, else ApprovalRequiredError shows the servers and the hash to approve.
   */
  approvedHash?: string;
  /** Registries that resolve a `NAME[@VERSION]` SOURCE (config.yaml bundles.registries). */
  registries?: RegistrySources;
  limits?: ExtractLimits;
  firstPartyDir?: string;
  now?: Date;
}

export interface LockCheck {
  /** `agent: tool` an agent names that no server offers. */
  missingTools: string[];
  /** `server/tool` whose schema differs from the bundle's tools lock. */
  changedTools: string[];
  /** `server/tool` in the lock that the server no longer offers. */
  goneTools: string[];
}

export interface InstallResult {
  environment: string;
  path: string;
  source: string;
  kind: SourceKind;
  shape: BundleShape;
  backup: string | null;
  /** The registry entry installed (SOURCE was NAME[@VERSION]), else null. */
  registry: RegistryHit | null;
  servers: ServerReview[];
  configHash: string;
  variablesSaved: string[];
  secretsStored: string[];
  skipped: { path: string; reason: string }[];
  sync: SyncReport | null;
  lock: LockCheck;
  warnings: string[];
  ok: boolean;
}

export interface InstallDeps {
  engine: Engine;
  /** Runs the sync (through the application layer, so it is authorized and audited). */
  sync: (options: SyncOptions) => Promise<SyncReport>;
}

/**
 * A bundle whose servers were not approved by hash (exit 4; HTTP 409): the servers to review and the hash
 * to send back as the approval. Nothing was installed.
 */
export class ApprovalRequiredError extends StationError {
  constructor(review: InstallReview, given: string) {
    super(
      'approval_required',
      given === ''
        ? `bundle would start ${String(review.servers.length)} MCP server${review.servers.length === 1 ? '' : 's'}: approve them by sending their configHash`
        : 'the approved configHash does not match what the bundle would start now: review the servers again',
      ExitCode.CONFLICT,
      {
        details: {
          environment: review.environment,
          servers: review.servers,
          configHash: review.configHash,
          replaces: review.replaces,
        },
        hints: [`Review the servers, then install again with approve: "${review.configHash}". Nothing was installed.`],
      },
    );
  }
}

/** A bundle whose servers the user did not approve (a usage outcome, like a deletion not confirmed): nothing was installed. */
export class InstallDeclinedError extends StationError {
  constructor() {
    super(
      'declined',
      'installation cancelled: the MCP servers were not approved; nothing was installed',
      ExitCode.USAGE,
    );
  }
}

/** The environment a bundle installs as when none is named: the manifest's name, else the source's file name. */
export function defaultName(source: string, info: BundleInfo): string {
  const candidates = [
    info.name,
    source
      .replace(/[?#].*$/, '')
      .split('/')
      .filter(Boolean)
      .pop(),
  ];
  for (const c of candidates) {
    if (c === undefined) continue;
    const name = c
      .replace(/\.tar\.gz$|\.tgz$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64);
    if (name !== '' && !name.includes('..')) return name;
  }
  return 'bundle';
}

export async function installBundle(
  deps: InstallDeps,
  source: string,
  options: InstallOptions = {},
): Promise<InstallResult> {
  const { engine } = deps;
  const staged = await stageSource(source, engine.paths.environments, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.firstPartyDir === undefined ? {} : { firstPartyDir: options.firstPartyDir }),
    ...(options.registries === undefined ? {} : { registries: options.registries }),
  });
  let committed = false;
  try {
    if (staged.kind === 'first-party') localizeNpx(staged.dir);
    const info = readBundleInfo(staged.dir);
    const environment = validateEnvironmentName(options.environment ?? defaultName(source, info));
    const dir = engine.environments.dir(environment);
    const replaces = existsSync(dir);
    if (replaces && options.force !== true) {
      throw new ConflictError(`environment "${environment}" already exists; nothing was installed`, {
        hints: [
          `Install under another name: stn bundle install ${source} NEW-NAME`,
          'Or replace it with --force (the old one is kept as a dated backup).',
        ],
      });
    }
    const templates = readMcpServerTemplates(staged.dir);
    const servers = reviewServers(staged.dir, templates);
    const configHash = serversHash(staged.dir, templates);
    const review: InstallReview = {
      source,
      kind: staged.kind,
      shape: info.shape,
      environment,
      name: info.name ?? null,
      version: info.version ?? null,
      description: info.description ?? null,
      replaces,
      servers,
      configHash,
      files: staged.files,
      skipped: staged.skipped,
    };

    // The trust gate: nothing is started or installed before the servers are approved.
    if (options.approvedHash !== undefined) {
      if (servers.length > 0 && options.approvedHash !== configHash) {
        throw new ApprovalRequiredError(review, options.approvedHash);
      }
    } else if (servers.length > 0 && options.yes !== true) {
      if (options.confirm === undefined) {
        throw new UsageError(
          `bundle would start ${String(servers.length)} MCP server${servers.length === 1 ? '' : 's'}: approval needed`,
          {
            details: { servers },
            hints: [`Review them with: stn bundle install ${source} on a terminal, or approve them with --yes.`],
          },
        );
      }
      if (!(await options.confirm(review))) throw new InstallDeclinedError();
    }

    // Variables: --var > --vars-file > process environment > secret store; defaults offered.
    const { answers, missing } = await gatherVariables(engine, staged.dir, environment, info, options);

    // Into place: the old environment (with --force) becomes a dated backup.
    let backup: string | null = null;
    if (replaces) {
      const stamp = (options.now ?? new Date())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\..*$/, '')
        .replace('T', '-');
      const backups = join(engine.paths.home, 'backups', 'environments');
      mkdirSync(backups, { recursive: true, mode: 0o700 });
      backup = join(backups, `${environment}-${stamp}`);
      for (let n = 2; existsSync(backup); n++) backup = join(backups, `${environment}-${stamp}-${String(n)}`);
      renameSync(dir, backup);
    }
    renameSync(staged.dir, dir);
    committed = true;
    mkdirSync(join(dir, 'agents'), { recursive: true });
    engine.environments.require(environment);
    const saved = saveVariableAnswers(dir, missing, answers, { environment, store: engine.secrets });
    new TrustStore(engine.paths.trust).record(environment, configHash, source, options.now);

    const warnings = staged.skipped.map((s) => `${s.path} was not installed: ${s.reason}`);
    let sync: SyncReport | null = null;
    const lock: LockCheck = { missingTools: [], changedTools: [], goneTools: [] };
    if (options.sync !== false) {
      sync = await deps.sync({
        environments: [environment],
        allowMissing: true,
        approved: true,
        ...(options.onSyncEvent === undefined ? {} : { onEvent: options.onSyncEvent }),
      });
      Object.assign(lock, checkLock(engine, environment, info, sync));
    }
    const lockProblems = [
      ...lock.missingTools.map((t) => `agent tool not offered by any server: ${t}`),
      ...lock.changedTools.map((t) => `tool schema changed since the bundle was made: ${t}`),
      ...lock.goneTools.map((t) => `tool in the bundle's lock no longer offered: ${t}`),
    ];
    warnings.push(...lockProblems);
    const ok = (sync?.ok ?? true) && !(options.strict === true && lockProblems.length > 0);
    return {
      environment,
      path: dir,
      source,
      kind: staged.kind,
      shape: info.shape,
      backup,
      registry: staged.registry ?? null,
      servers,
      configHash,
      variablesSaved: saved.saved,
      secretsStored: saved.stored,
      skipped: staged.skipped,
      sync,
      lock,
      warnings,
      ok,
    };
  } finally {
    if (!committed) rmSync(staged.dir, { recursive: true, force: true });
  }
}

/** The failure of an installed bundle's sync or (with strict) its tools lock, or undefined. */
export function installFailure(result: InstallResult, strict: boolean): StationError | undefined {
  if (result.ok) return undefined;
  const lockProblems = result.warnings.filter((w) => w.startsWith('agent tool') || w.startsWith('tool '));
  if (strict && lockProblems.length > 0) {
    return new ValidationError(
      `environment "${result.environment}" was installed, but its tools lock does not hold: ${lockProblems.join('; ')}`,
      [],
      {
        hints: [
          'See the tools with: stn mcp tools --env ' + result.environment,
          'Without --strict these are warnings.',
        ],
      },
    );
  }
  return new StationError(
    'sync_failed',
    `environment "${result.environment}" was installed, but its sync failed`,
    ExitCode.MCP,
    {
      hints: [`See why with: stn mcp check --env ${result.environment}`, `Then run: stn sync ${result.environment}`],
    },
  );
}

async function gatherVariables(
  engine: Engine,
  dir: string,
  environment: string,
  info: BundleInfo,
  options: InstallOptions,
): Promise<{ answers: Record<string, string>; missing: MissingVariable[] }> {
  const schema = loadVariablesSchema(dir);
  const fromFile = options.varsFile === undefined ? {} : loadVariables(options.varsFile);
  const vars = options.vars ?? {};
  let stored: Record<string, string> = {};
  try {
    stored = engine.secrets.valuesFor(environment);
  } catch {
    stored = {};
  }
  const needs = bundleNeeds(dir, info);
  const answers: Record<string, string> = {};
  const lacking: MissingVariable[] = [];
  const defaults: Record<string, string> = {};
  for (const m of needs) {
    const given = vars[m.name] ?? fromFile[m.name];
    if (given !== undefined && given !== '') {
      answers[m.name] = given;
      continue;
    }
    const env = engine.env[m.name];
    if ((env !== undefined && env !== '') || stored[m.name] !== undefined) continue;
    const def = schema[m.name]?.default ?? info.variables[m.name]?.default;
    // A default is offered; one that names a path that does not exist is never applied silently (the same
    // rule as rendering: rejectedDefault).
    const rejected = def === undefined || def === '' ? undefined : rejectedDefault(def, engine.env, dir);
    if (def !== undefined && def !== '' && rejected === undefined) defaults[m.name] = def;
    lacking.push(rejected === undefined ? m : { ...m, reason: rejected });
  }
  if (lacking.length > 0 && options.askVariables !== undefined) {
    const asked = await options.askVariables(environment, lacking, defaults);
    if (asked === undefined) throw new MissingVariablesError(lacking);
    Object.assign(answers, asked);
  } else {
    if (options.offerDefaults !== true) {
      for (const m of lacking) if (defaults[m.name] !== undefined) answers[m.name] = defaults[m.name] ?? '';
    }
    const still = lacking.filter((m) => answers[m.name] === undefined);
    if (still.length > 0) {
      const offered = Object.fromEntries(
        still.filter((m) => !m.secret && defaults[m.name] !== undefined).map((m) => [m.name, defaults[m.name]]),
      );
      throw new MissingVariablesError(still, {
        details: { defaults: offered },
        hints: [
          ...still.flatMap((m) => (m.description === undefined ? [] : [`${m.name}: ${m.description}`])),
          `Give them with --var NAME=VALUE, --vars-file FILE (YAML), or the process environment; nothing was installed.`,
          'On a terminal, stn bundle install asks for them (secrets hidden, saved to the secret store).',
        ],
      });
    }
  }
  return { answers, missing: needs };
}

/** The variables a staged bundle's MCP configs use, with where, description and whether secret. */
export function bundleNeeds(dir: string, info: BundleInfo): MissingVariable[] {
  const schema = loadVariablesSchema(dir);
  const needs = new Map<string, MissingVariable>();
  for (const c of discoverMcpConfigs(dir)) {
    for (const p of findPlaceholders(c.text)) {
      const decl: BundleVariable | undefined = info.variables[p.name];
      const description = schema[p.name]?.description ?? decl?.description;
      const m = needs.get(p.name) ?? {
        name: p.name,
        uses: [],
        ...(description === undefined ? {} : { description }),
        secret: isSecretVariable(p.name, schema, decl?.secret === true ? true : undefined),
      };
      m.uses.push({ file: relative(dir, c.file), line: p.line, column: p.column });
      needs.set(p.name, m);
    }
  }
  return [...needs.values()];
}

function checkLock(engine: Engine, environment: string, info: BundleInfo, report: SyncReport): LockCheck {
  const env = report.environments.find((e) => e.environment === environment);
  const missingTools = (env?.agents.checks ?? [])
    .filter((c) => c.status === 'missing' || c.status === 'ambiguous')
    .map((c) => `${c.agent}: ${c.tool}`);
  const changedTools: string[] = [];
  const goneTools: string[] = [];
  if (info.tools !== undefined) {
    const row = engine.environments.require(environment);
    const repo = new McpRepo(engine.db);
    const ready = new Set((env?.servers ?? []).filter((s) => s.status === 'ready').map((s) => s.name));
    const now = new Map(repo.tools(row.id).map((t) => [`${t.server_name}/${t.name}`, t.schema_hash]));
    for (const [server, tools] of Object.entries(info.tools)) {
      if (!ready.has(server)) continue; // a server that failed is reported by the sync
      for (const [tool, hash] of Object.entries(tools)) {
        const current = now.get(`${server}/${tool}`);
        if (current === undefined) goneTools.push(`${server}/${tool}`);
        else if (current !== hash) changedTools.push(`${server}/${tool}`);
      }
    }
  }
  return { missingTools, changedTools, goneTools };
}

/**
 * First-party bundles name their servers as `npx -y PACKAGE ARGS...`. When Station's own installation
 * has PACKAGE, the server is started from that copy (`node BIN ARGS...`), so it works without a network.
 */
export function localizeNpx(dir: string): void {
  const require = createRequire(import.meta.url);
  for (const c of discoverMcpConfigs(dir)) {
    const root: unknown = JSON.parse(c.text);
    if (!isRecord(root) || !isRecord(root[c.key])) continue;
    let changed = false;
    for (const server of Object.values(root[c.key] as Record<string, unknown>)) {
      if (!isRecord(server) || server.command !== 'npx' || !Array.isArray(server.args)) continue;
      const args = server.args.filter((a): a is string => typeof a === 'string');
      const at = args.findIndex((a) => !a.startsWith('-'));
      const spec = args[at];
      if (spec === undefined) continue;
      const pkg = spec.startsWith('@') ? spec.split('@').slice(0, 2).join('@') : (spec.split('@')[0] ?? spec);
      let manifestPath: string;
      try {
        manifestPath = require.resolve(`${pkg}/package.json`);
      } catch {
        continue;
      }
      const pj = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
      const bin = typeof pj.bin === 'string' ? pj.bin : pj.bin === undefined ? undefined : Object.values(pj.bin)[0];
      if (bin === undefined) continue;
      server.command = process.execPath;
      server.args = [join(dirname(manifestPath), bin), ...args.slice(at + 1)];
      changed = true;
    }
    if (changed) writeFileSync(c.file, `${JSON.stringify(root, null, 2)}\n`);
  }
}
