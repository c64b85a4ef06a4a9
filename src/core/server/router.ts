import { ValidationError } from '../errors.js';
import type { HttpMethod, RouteDef } from './http-types.js';

interface Compiled {
  route: RouteDef;
  regex: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDef; params: Record<string, string> }
  | { kind: 'method'; allowed: HttpMethod[] }
  | { kind: 'none' };

/** A small router over OpenAPI-style path templates (`/runs/{id}`): one segment per parameter. */
export class Router {
  private readonly compiled: Compiled[];
  /**
   * Routes of a path without parameters, by method and path, that no earlier route of that method matches:
   * what the scan in order would find, found without it.
   */
  private readonly fixed = new Map<string, RouteDef>();

  constructor(readonly routes: readonly RouteDef[]) {
    const seen = new Set<string>();
    this.compiled = routes.map((route) => {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`duplicate route ${key}`);
      seen.add(key);
      const names: string[] = [];
      const pattern = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(segment);
          if (param?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]);
          return '([^/]+)';
        })
        .join('/');
      return { route, regex: new RegExp(`^${pattern}$`), names };
    });
    this.compiled.forEach(({ route, names }, i) => {
      if (names.length > 0) return;
      const earlier = this.compiled
        .slice(0, i)
        .some((c) => c.route.method === route.method && c.regex.test(route.path));
      if (!earlier) this.fixed.set(`${route.method} ${route.path}`, route);
    });
  }

  match(method: string, pathname: string): RouteMatch {
    const fixed = this.fixed.get(`${method} ${pathname}`);
    if (fixed !== undefined) return { kind: 'found', route: fixed, params: {} };
    const allowed: HttpMethod[] = [];
    for (const { route, regex, names } of this.compiled) {
      const m = regex.exec(pathname);
      if (m === null) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeSegment(name, m[i + 1] ?? '');
      });
      return { kind: 'found', route, params };
    }
    return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

/** A path parameter, percent-decoded; a malformed escape (`%E0%A4%A`) is bad input (400), not a server error. */
function decodeSegment(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`malformed percent-encoding in the path: "${raw.slice(0, 64)}"`, [
      { field: name, message: 'expected UTF-8 percent-encoding (%XX)' },
    ]);
  }
}
