/**
 * The mcp area: every environment's servers (or those of the named environments) are started,
 * initialized, asked for their tools and pinged, then stopped: the same preflight as `stn mcp check`,
 * run without an open engine. One row per server.
 */
import { join } from 'node:path';
import type { StationPaths } from '../config/home.js';
import { loadMcpConfig, type LoadedMcpConfig } from '../config/mcp-config.js';
import { errorMessage } from '../errors.js';
import { checkLoadedServers, type CheckServerReport } from '../mcp/check-servers.js';
import { ProcessGuard } from '../mcp/process-guard.js';
import { storedSecretValues } from '../security/secret-service.js';
import { plural } from './config-checks.js';
import type { DoctorCheck, DoctorProgress } from './types.js';

export interface McpCheckOptions {
  /** Environments to check (every folder when absent). */
  environments?: readonly string[] | undefined;
  onProgress?: ((progress: DoctorProgress) => void) | undefined;
}

export async function checkMcp(
  paths: StationPaths,
  env: NodeJS.ProcessEnv,
  folders: readonly string[],
  options: McpCheckOptions = {},
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const wanted = options.environments ?? folders;
  // One set of process hooks for every pool: Ctrl-C ends the servers being checked.
  const guard = new ProcessGuard();
  for (const name of wanted) {
    if (!folders.includes(name)) {
      checks.push(
        row(
          name,
          'fail',
          `environment "${name}" does not exist`,
          folders.length > 0 ? `Environments: ${folders.join(', ')}.` : 'Run `stn init` first.',
        ),
      );
      continue;
    }
    checks.push(
      ...(await checkEnvironment(paths, name, join(paths.environments, name), env, guard, options.onProgress)),
    );
  }
  return checks;
}

async function checkEnvironment(
  paths: StationPaths,
  name: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  guard: ProcessGuard,
  onProgress: McpCheckOptions['onProgress'],
): Promise<DoctorCheck[]> {
  let config: LoadedMcpConfig;
  try {
    config = loadMcpConfig(dir, { env, stored: storedSecretValues(paths, env, name) });
  } catch (error) {
    return [
      row(
        name,
        'fail',
        `servers not started: the environment's MCP config does not load (${errorMessage(error)})`,
        'Fix the config first (see the config rows above).',
      ),
    ];
  }
  if (config.servers.length === 0) return [row(name, 'ok', 'no MCP servers configured', null)];
  const total = config.servers.filter((s) => !s.disabled).length;
  let answered = 0;
  onProgress?.({ area: 'mcp', text: `${name}: starting ${plural(total, 'server')}` });
  const report = await checkLoadedServers(
    name,
    config,
    { env, guard },
    {
      onEvent: (e) => {
        if (e.type === 'server-ready' || e.type === 'server-failed') {
          onProgress?.({ area: 'mcp', text: `${name}: ${String(++answered)} of ${String(total)} servers answered` });
        }
      },
    },
  );
  return report.servers.map((s) => serverRow(name, s));
}

function serverRow(environment: string, s: CheckServerReport): DoctorCheck {
  const name = `${environment}/${s.name}`;
  if (s.status === 'disabled') return row(name, 'ok', 'disabled ("disabled": true), not started', null);
  if (s.status === 'failed') {
    const line = telltaleLine(s.stderrTail);
    return row(
      name,
      'fail',
      `${s.error ?? 'failed'}${line === undefined ? '' : ` (stderr: ${line})`}`,
      `See its full stderr: stn mcp check --env ${environment} --server ${s.name}`,
    );
  }
  const info = s.serverInfo === undefined ? '' : `, ${s.serverInfo.name} ${s.serverInfo.version}`;
  const ping = s.pingMs === null ? '' : `, ping ${s.pingMs.toFixed(1)}ms`;
  return row(
    name,
    'ok',
    `${plural(s.tools.length, 'tool')}, started in ${String(Math.round(s.startMs))}ms${ping}${info}`,
    null,
  );
}

/** The stderr line most likely to say what went wrong: the last one naming an error, else the last one. */
function telltaleLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.findLast((l) => /error|fatal|exception|cannot|denied|not found|ENOENT/i.test(l)) ?? lines.at(-1);
}

function row(name: string, status: DoctorCheck['status'], detail: string, hint: string | null): DoctorCheck {
  return { area: 'mcp', name, status, detail, hint };
}
