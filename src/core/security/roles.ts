import { AuthError } from '../errors.js';
import type { RoleName } from '../store/key-repo.js';

export type Role = RoleName;
export const ROLES: readonly Role[] = ['admin', 'user', 'viewer'];

/**
 * What a request does, from least to most powerful:
 * - read: list and show environments, agents, tools, runs, events, metrics;
 * - run: start and cancel runs;
 * - write: create/update/delete agents, sync an environment;
 * - admin: create/delete environments, manage keys.
 */
export type Action = 'read' | 'run' | 'write' | 'admin';

/** Everything the server knows about the caller, after its key was checked. */
export interface Principal {
  keyId: number;
  /** The key's name (the actor recorded in the audit log). */
  name: string;
  prefix: string;
  role: Role;
  /** Environments the key may touch; '*' for all of them. Admin keys always have '*'. */
  environments: '*' | readonly string[];
  /** Who owns the key (`stn key create --user`), recorded with its audit rows. */
  owner?: string;
}

/** The actions each role may take (inside the environments granted to the key). */
const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  admin: ['read', 'run', 'write', 'admin'],
  user: ['read', 'run'],
  viewer: ['read'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether the key's grants cover an environment. */
export function canSeeEnvironment(principal: Principal, environment: string): boolean {
  return principal.role === 'admin' || principal.environments === '*' || principal.environments.includes(environment);
}

/** Whether the principal may take `action` (in `environment`, when the action concerns one). */
export function allows(principal: Principal, action: Action, environment?: string): boolean {
  if (!ROLE_ACTIONS[principal.role].includes(action)) return false;
  return environment === undefined || canSeeEnvironment(principal, environment);
}

/** Throws a 403-style AuthError when the principal may not take the action. */
export function authorize(principal: Principal, action: Action, environment?: string): void {
  if (!ROLE_ACTIONS[principal.role].includes(action)) {
    throw new AuthError(`the ${principal.role} key "${principal.name}" may not ${describe(action)}`, {
      code: 'forbidden',
      hints: [
        `Use a key whose role allows it (${rolesFor(action).join(' or ')}): stn key create NAME --role ${rolesFor(action)[0] ?? 'admin'}`,
      ],
      details: { role: principal.role, action },
    });
  }
  if (environment !== undefined && !canSeeEnvironment(principal, environment)) {
    throw new AuthError(`the key "${principal.name}" has no access to environment "${environment}"`, {
      code: 'forbidden',
      hints: [
        `Create a key granted this environment: stn key create NAME --role ${principal.role} --env ${environment}`,
      ],
      details: { role: principal.role, action, environment },
    });
  }
}

function rolesFor(action: Action): Role[] {
  return ROLES.filter((r) => ROLE_ACTIONS[r].includes(action));
}

function describe(action: Action): string {
  switch (action) {
    case 'read':
      return 'read';
    case 'run':
      return 'start or cancel runs';
    case 'write':
      return 'change agents or sync environments';
    case 'admin':
      return 'manage environments or keys';
  }
}
