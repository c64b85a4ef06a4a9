import { resolveStationHome, stationPaths } from '../config/home.js';
import { runDoctor, type DoctorOptions, type DoctorReport, type DoctorTarget } from '../doctor/index.js';
import { authorize, type Principal } from '../security/roles.js';
import { localPrincipal } from './principal.js';

/**
 * Checks of a whole Station home (`stn doctor`): its files, database, model endpoint and MCP servers.
 * Admin only (it reads every environment and starts their servers); a read, so not audited. It needs
 * no open engine: `localDoctor()` gives it to a door whose engine could not open.
 */
export class DoctorApi {
  constructor(
    private readonly principal: Principal,
    private readonly target: DoctorTarget,
  ) {}

  /** Every check, each catching its own errors: a broken home is a report, not an exception. */
  async run(options: DoctorOptions = {}): Promise<DoctorReport> {
    authorize(this.principal, 'admin');
    return runDoctor(this.target, options);
  }
}

/** The doctor of the local user for a home (the --home flag, else STATION_HOME, ...), without opening it. */
export function localDoctor(options: { home?: string | undefined; env?: NodeJS.ProcessEnv } = {}): DoctorApi {
  const env = options.env ?? process.env;
  return new DoctorApi(localPrincipal(env), {
    paths: stationPaths(resolveStationHome({ home: options.home, env })),
    env,
  });
}
