import { userInfo } from 'node:os';
import type { Principal } from '../security/roles.js';

/**
 * The caller of a local door (the CLI, the local TUI, `stn stdio`): whoever runs the process, with every
 * right (they own the Station home). Audited as `local:<os user>` so that local changes are told apart
 * from those made with an API key.
 */
export function localPrincipal(env: NodeJS.ProcessEnv = process.env): Principal {
  return { keyId: 0, name: `local:${osUser(env)}`, prefix: 'local', role: 'admin', environments: '*' };
}

export function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (a container running as an arbitrary uid): fall back to the environment.
    return env.USER ?? env.LOGNAME ?? `uid-${String(process.getuid?.() ?? 'unknown')}`;
  }
}

/** Who a principal is, for a sentence such as a cancel reason: `local:ann`, or `key "ci"`. */
export function callerName(principal: Principal): string {
  return principal.prefix === 'local' ? principal.name : `key "${principal.name}"`;
}

/** Who a request is before its API key is accepted: recorded as the actor of a failed authentication, never authorized. */
export const ANONYMOUS: Principal = {
  keyId: 0,
  name: 'anonymous',
  prefix: 'anonymous',
  role: 'viewer',
  environments: [],
};
