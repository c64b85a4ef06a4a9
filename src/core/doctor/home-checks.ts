/** The home area: the Station home folder exists, is a Station home, and keeps its secrets private. */
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { errorMessage } from '../errors.js';
import { privacyWarnings, shellQuote } from '../fs/private-files.js';
import type { DoctorCheck } from './types.js';

const INIT_HINT = 'Run `stn init` to create it, or point --home / STATION_HOME at an existing Station home.';

export interface HomeResult {
  checks: DoctorCheck[];
  /** The folder is a Station home: the other areas can be checked. */
  usable: boolean;
}

export function checkHome(paths: StationPaths): HomeResult {
  const folder = checkFolder(paths);
  if (folder.status === 'fail') return { checks: [folder], usable: false };
  return { checks: [folder, ...checkSecretFiles(paths)], usable: true };
}

/** The folder exists, was made by `stn init` (or holds a database), and only its owner may enter it. */
function checkFolder(paths: StationPaths): DoctorCheck {
  const at = (status: DoctorCheck['status'], detail: string, hint: string | null): DoctorCheck => ({
    area: 'home',
    name: 'folder',
    status,
    detail,
    hint,
  });
  let stat;
  try {
    stat = statSync(paths.home);
  } catch {
    return at('fail', `no Station home at ${paths.home}`, INIT_HINT);
  }
  if (!stat.isDirectory()) return at('fail', `${paths.home} is not a folder`, INIT_HINT);
  if (!existsSync(paths.config) && !existsSync(paths.database)) {
    return at('fail', `${paths.home} is not a Station home (no config.yaml, no station.db)`, INIT_HINT);
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return at(
      'warn',
      `${paths.home} (mode ${octal(mode)}): group or others may list it, and it holds secrets`,
      `chmod 700 ${shellQuote(paths.home)}`,
    );
  }
  return at('ok', `${paths.home} (mode ${octal(mode)})`, null);
}

/** config.yaml, station.db (-wal, -shm) and every variables.yml: one warning per file others may read. */
function checkSecretFiles(paths: StationPaths): DoctorCheck[] {
  let warnings;
  try {
    warnings = privacyWarnings(paths);
  } catch (error) {
    return [
      {
        area: 'home',
        name: 'secret files',
        status: 'fail',
        detail: `cannot check their modes: ${errorMessage(error)}`,
        hint: `Check that ${paths.environments} is a folder of environments.`,
      },
    ];
  }
  if (warnings.length === 0) {
    return [
      {
        area: 'home',
        name: 'secret files',
        status: 'ok',
        detail: 'config.yaml, station.db and every variables.yml are private (no access for group or others)',
        hint: null,
      },
    ];
  }
  return warnings.map((w) => ({
    area: 'home',
    name: relative(paths.home, w.file),
    status: 'warn',
    detail: `mode ${octal(w.mode)}: may hold secrets, and group or others may read it`,
    hint: w.fix,
  }));
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
