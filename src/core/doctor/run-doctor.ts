/**
 * `stn doctor`: checks a Station home area by area (home, config, database, model, MCP servers) and
 * reports each finding with what to do. It needs no open engine, and never throws for what it finds:
 * a check that breaks is itself reported as a failure, and the other areas are still checked.
 */
import { ExitCode, errorMessage } from '../errors.js';
import { checkConfig } from './config-checks.js';
import { checkDatabase, checkPostgres } from './database-checks.js';
import { storeLocation } from '../store/open-store.js';
import { checkHome } from './home-checks.js';
import { checkMcp } from './mcp-checks.js';
import { checkModel } from './model-checks.js';
import {
  DOCTOR_AREAS,
  type DoctorArea,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
  type DoctorTarget,
  type SkippedArea,
} from './types.js';

/** The exit code of a doctor that found a failure in an area: the code the same failure has elsewhere. */
export const AREA_EXIT_CODES: Readonly<Record<DoctorArea, number>> = {
  home: ExitCode.CONFIG,
  config: ExitCode.CONFIG,
  database: ExitCode.DATABASE,
  model: ExitCode.MODEL,
  mcp: ExitCode.MCP,
};

export async function runDoctor(target: DoctorTarget, options: DoctorOptions = {}): Promise<DoctorReport> {
  const { paths, env } = target;
  const checks: DoctorCheck[] = [];
  const skipped: SkippedArea[] = [];
  const progress = (area: DoctorArea, text: string): void => options.onProgress?.({ area, text });
  /** Runs one area's checks; an area that throws is a failure of that area, never of the doctor. */
  const area = async <T>(name: DoctorArea, run: () => T | Promise<T>, collect: (result: T) => DoctorCheck[]) => {
    try {
      const result = await run();
      checks.push(...collect(result));
      return result;
    } catch (error) {
      checks.push({
        area: name,
        name: 'unexpected error',
        status: 'fail',
        detail: `the ${name} checks stopped: ${errorMessage(error)}`,
        hint: 'If nothing is wrong with what the message names, this is a bug in stn: please report it.',
      });
      return undefined;
    }
  };

  progress('home', 'checking the Station home');
  const home = await area(
    'home',
    () => checkHome(paths),
    (r) => r.checks,
  );
  if (home?.usable === false) {
    const reason = `no Station home at ${paths.home}`;
    for (const a of DOCTOR_AREAS.filter((x) => x !== 'home')) skipped.push({ area: a, reason });
    return report(checks, skipped);
  }

  progress('config', 'loading config.yaml and the environments');
  const config = await area(
    'config',
    () => checkConfig(paths, env),
    (r) => r.checks,
  );

  progress('database', 'checking the store (station.db, or PostgreSQL)');
  await area(
    'database',
    () => {
      // A URL that does not work is this area's failure (area() reports what throws).
      const store = config?.config === undefined ? undefined : storeLocation(paths, config.config, env);
      return store?.kind === 'postgres' && config?.config !== undefined
        ? checkPostgres(config.config, env)
        : checkDatabase(paths, { walWarnBytes: options.walWarnBytes, env });
    },
    (r) => r,
  );

  if (options.skipModel === true) skipped.push({ area: 'model', reason: 'skipped on request' });
  else if (config?.config === undefined) skipped.push({ area: 'model', reason: 'config.yaml does not load' });
  else {
    const stationConfig = config.config;
    progress('model', `asking ${stationConfig.model.baseUrl} for its models`);
    await area(
      'model',
      () => checkModel(stationConfig, env, { timeoutMs: options.modelTimeoutMs, fetch: options.fetch }),
      (r) => r,
    );
  }

  if (options.skipMcp === true) skipped.push({ area: 'mcp', reason: 'skipped on request' });
  else {
    progress('mcp', 'starting MCP servers');
    await area(
      'mcp',
      () =>
        checkMcp(paths, env, config?.environments ?? [], {
          environments: options.environments,
          onProgress: options.onProgress,
        }),
      (r) => r,
    );
  }
  return report(checks, skipped);
}

function report(checks: DoctorCheck[], skipped: SkippedArea[]): DoctorReport {
  const failed = DOCTOR_AREAS.find((a) => checks.some((c) => c.area === a && c.status === 'fail'));
  return {
    ok: failed === undefined,
    exitCode: failed === undefined ? ExitCode.OK : AREA_EXIT_CODES[failed],
    checks,
    skipped,
  };
}
