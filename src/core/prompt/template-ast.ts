/**
 * Facts read from a template's Handlebars syntax tree (no rendering): whether it has role markers, and
 * which input variables it reads. Uses the Handlebars build dotprompt loads, so call these only where
 * rendering happens anyway.
 */
import { createRequire } from 'node:module';
import { isPlainObject } from './parse.js';

type Node = Record<string, unknown>;

interface HandlebarsParser {
  parse(template: string): unknown;
}

/** Helpers of dotprompt and Handlebars: names that are not input variables. */
const HELPERS = new Set([
  'role',
  'history',
  'json',
  'media',
  'section',
  'ifEquals',
  'unlessEquals',
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
]);
/** Block helpers that change the context inside their block. */
const SCOPING = new Set(['each', 'with']);

/** The Handlebars build dotprompt itself uses (the same module instance as rendering). */
function parseTemplate(template: string): unknown {
  const require = createRequire(import.meta.url);
  const handlebars = createRequire(require.resolve('dotprompt'))(
    'handlebars/dist/cjs/handlebars.js',
  ) as HandlebarsParser;
  return handlebars.parse(template);
}

function children(node: Node, key: string): unknown[] {
  const child = node[key];
  if (Array.isArray(child)) return child as unknown[];
  return child === undefined || child === null ? [] : [child];
}

/** True when the template uses `{{role ...}}` or `{{history}}` anywhere (including inside blocks). */
export function hasRoleMarkers(template: string): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found || !isPlainObject(node)) return;
    const path = node.path;
    if (isPlainObject(path) && (path.original === 'role' || path.original === 'history')) {
      found = true;
      return;
    }
    for (const key of ['body', 'program', 'inverse', 'params']) children(node, key).forEach(visit);
  };
  visit(parseTemplate(template));
  return found;
}

/**
 * The input variables a template reads from the top-level context (`{{repo}}`, `{{#if depth}}`,
 * `{{json data}}`), sorted. Names inside `{{#each}}`/`{{#with}}` blocks and `@data` variables are not
 * input variables and are left out.
 */
export function templateVariables(template: string): string[] {
  const found = new Set<string>();
  const expression = (node: unknown, scoped: boolean): void => {
    if (!isPlainObject(node)) return;
    if (node.type === 'PathExpression') {
      const parts = node.parts;
      if (!scoped && node.data !== true && node.depth === 0 && Array.isArray(parts) && typeof parts[0] === 'string')
        found.add(parts[0]);
    } else if (node.type === 'SubExpression') {
      call(node, scoped);
    }
  };
  const call = (node: Node, scoped: boolean): void => {
    const path = node.path;
    const params = children(node, 'params');
    const pairs = isPlainObject(node.hash) ? children(node.hash, 'pairs') : [];
    const isHelper =
      params.length > 0 || pairs.length > 0 || (isPlainObject(path) && HELPERS.has(String(path.original)));
    if (!isHelper) expression(path, scoped);
    for (const p of params) expression(p, scoped);
    for (const pair of pairs) if (isPlainObject(pair)) expression(pair.value, scoped);
  };
  const statement = (node: unknown, scoped: boolean): void => {
    if (!isPlainObject(node)) return;
    if (node.type === 'Program') for (const n of children(node, 'body')) statement(n, scoped);
    else if (node.type === 'MustacheStatement') call(node, scoped);
    else if (node.type === 'BlockStatement') {
      for (const p of children(node, 'params')) expression(p, scoped);
      const name = isPlainObject(node.path) ? String(node.path.original) : '';
      statement(node.program, scoped || SCOPING.has(name));
      statement(node.inverse, scoped);
    }
  };
  statement(parseTemplate(template), false);
  return [...found].sort();
}
