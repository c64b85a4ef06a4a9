import { describe, expect, it } from 'vitest';
import type { HttpMethod, RouteDef } from '../../../src/core/server/http-types.js';
import { Router } from '../../../src/core/server/router.js';

function route(method: HttpMethod, path: string): RouteDef {
  return {
    method,
    path,
    operationId: `${method} ${path}`,
    summary: '',
    tag: 't',
    access: 'public',
    responses: {},
    handle: () => ({ status: 204 }),
  } as unknown as RouteDef;
}

describe('Router', () => {
  it('finds the first route in order that matches, with a path without parameters as with one', () => {
    const byId = route('GET', '/runs/{id}');
    const prune = route('GET', '/runs/prune');
    const prunePost = route('POST', '/runs/prune');
    const list = route('GET', '/runs');
    const router = new Router([list, byId, prune, prunePost]);
    const found = (method: string, path: string): RouteDef | undefined => {
      const m = router.match(method, path);
      return m.kind === 'found' ? m.route : undefined;
    };
    expect(found('GET', '/runs')).toBe(list);
    // The parameter route comes first: it answers /runs/prune for GET, as the scan in order does.
    expect(found('GET', '/runs/prune')).toBe(byId);
    expect(router.match('GET', '/runs/prune')).toMatchObject({ params: { id: 'prune' } });
    expect(found('POST', '/runs/prune')).toBe(prunePost);
    expect(router.match('DELETE', '/runs')).toEqual({ kind: 'method', allowed: ['GET'] });
    expect(router.match('GET', '/runs/')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/nothing')).toEqual({ kind: 'none' });
  });
});
