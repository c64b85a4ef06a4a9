// Every JSON shape README.md documents (the `{"key", "key": {...}, "key"?}` spans) is checked against
// what the command really prints, both ways: each documented key is there (unless marked `?`), a quoted
// value is the value, and the output has no key the README does not name. Shapes that are request bodies
// or belong to the server's own tests are listed with where they are checked; a new shape in the README
// that is in neither list fails this test.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runStn } from '../helpers/cli.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, type RunHome } from './run-home.js';

type Shape = { keys: Map<string, { optional: boolean; value: Value }> };
type Value =
  | { kind: 'any' }
  | { kind: 'literal'; value: unknown }
  | { kind: 'object'; shape: Shape }
  | { kind: 'array'; of: Value };

/** Parses the README's notation: an object of keys, each optionally `?`, `: value` (object, [value], literal, `...`). */
function parseShape(text: string): Shape {
  let i = 0;
  const ws = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const end = text.indexOf('"', i + 1);
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): Value => {
    ws();
    const c = text[i];
    if (c === '{') return { kind: 'object', shape: object() };
    if (c === '[') {
      i++;
      const of = value();
      ws();
      i++; // ]
      return { kind: 'array', of };
    }
    if (c === '"') return { kind: 'literal', value: str() };
    const m = /^(\.\.\.|-?\d+(\.\d+)?|null|true|false)/.exec(text.slice(i));
    if (m === null) throw new Error(`cannot read the README shape at ${String(i)}: ${text}`);
    i += m[0].length;
    return m[0] === '...' ? { kind: 'any' } : { kind: 'literal', value: JSON.parse(m[0]) };
  };
  const object = (): Shape => {
    const keys: Shape['keys'] = new Map();
    i++; // {
    for (;;) {
      ws();
      if (text[i] === '}') {
        i++;
        return { keys };
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.startsWith('...', i)) {
        i += 3;
        keys.set('...', { optional: true, value: { kind: 'any' } });
        continue;
      }
      const key = str();
      const optional = text[i] === '?';
      if (optional) i++;
      ws();
      let v: Value = { kind: 'any' };
      if (text[i] === ':') {
        i++;
        v = value();
      }
      keys.set(key, { optional, value: v });
    }
  };
  return object();
}

/** What differs between a real value and the documented shape (empty: they agree). */
function mismatches(real: unknown, shape: Shape, at = '$'): string[] {
  if (typeof real !== 'object' || real === null || Array.isArray(real)) return [`${at}: expected an object`];
  const out: string[] = [];
  const obj = real as Record<string, unknown>;
  for (const [key, { optional, value }] of shape.keys) {
    if (key === '...') continue;
    if (!(key in obj)) {
      if (!optional) out.push(`${at}.${key}: missing`);
      continue;
    }
    out.push(...valueMismatches(obj[key], value, `${at}.${key}`));
  }
  if (!shape.keys.has('...')) {
    for (const key of Object.keys(obj)) if (!shape.keys.has(key)) out.push(`${at}.${key}: not in the README`);
  }
  return out;
}

function valueMismatches(real: unknown, value: Value, at: string): string[] {
  switch (value.kind) {
    case 'any':
      return [];
    case 'literal':
      return real === value.value
        ? []
        : [`${at}: expected ${JSON.stringify(value.value)}, got ${JSON.stringify(real)}`];
    case 'object':
      return mismatches(real, value.shape, at);
    case 'array':
      if (!Array.isArray(real)) return [`${at}: expected an array`];
      return real.flatMap((item, n) => valueMismatches(item, value.of, `${at}[${String(n)}]`));
  }
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Every `{"...` span of the README, on one line. */
const documented = [...README.matchAll(/`(\{"[^`]*)`/g)].map((m) => m[1]!.replace(/\s+/g, ' '));

/** Request bodies and server shapes: not CLI output, checked where said. */
const elsewhere: Record<string, string> = {
  '{"environment", "agent", "cron", "timezone", "enabled", "overlap", "catchUp", "variables", "paused", "pausedAt", "pausedBy", "next", "lastFireAt", "lastOutcome", "lastRunId", "lastStatus", "lastError"}':
    'stn schedule list/show --json: test/commands/schedule.test.ts',
  '{"text": ...}': 'the Slack webhook payload: test/core/webhooks/webhooks.test.ts',
  '{"ts","level","msg","requestId",...}': 'server log lines: test/e2e/serve.test.ts',
  '{"arguments": {...}}': 'a REST request body',
  '{"input": {...}}': 'a REST request body',
  '{"variables": {"NAME": "value", ...}}': 'a REST request body (POST .../sync)',
  '{"value", "environment"?}': 'a REST request body (PUT /secrets/{name})',
  '{"before"?, "keep"?, "dryRun"?}': 'a REST request body (POST /runs/prune): test/core/server/prune-routes.test.ts',
  '{"type": "subscribe", "scope": "all"}': 'a WebSocket request',
  '{"type": "subscribe", "scope": "environment", "environment": "prod"}': 'a WebSocket request',
  '{"type": "subscribe", "scope": "run", "runId": 42, "afterSeq": 17}': 'a WebSocket request',
  '{"status": "ready"}': 'the /ready answer: test/core/server/server.test.ts',
  '{"error": {"code", "message", "exitCode", "hints", "details": {"issues": [{"field", "message"}]}, "requestId"}}':
    'REST errors: test/core/server/server.test.ts',
  '{"rows", "next"}': 'GET /api/v1/audit: test/e2e/audit-doors.test.ts',
  '{"id", "kind", "message"}': 'a broken chain: test/e2e/audit-doors.test.ts, test/core/security/audit-log.test.ts',
};

let model: ModelServer;
let home: RunHome;
/** Real output of the commands whose shapes the README documents, by the shape's first keys. */
const outputs = new Map<string, unknown[]>();

async function json(args: string[], code: number): Promise<string> {
  const r = await runStn([...args, '--json'], { env: home.envFor(model.url) });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout;
}

beforeAll(async () => {
  model = await startModelServer({ fallback: { text: 'Hello.' } });
  home = makeRunHome();
  const sync = JSON.parse(await json(['sync'], 0)) as unknown;
  const lines = (await json(['agent', 'run', 'reader', 'hi'], 0))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string });
  const detached = JSON.parse(await json(['agent', 'run', 'reader', 'hi', '--detach'], 0)) as { id: number };
  // Let the worker finish before the home goes.
  await json(['runs', 'show', String(detached.id), '--follow'], 0);
  outputs.set('{"dryRun", "ok", "environments", "error"}', [sync]);
  outputs.set(
    '{"runId", "seq", "type", "ts", "data"}',
    lines.filter((l) => l.type !== 'result'),
  );
  outputs.set(
    '{"type": "result", "runId", "agent", "environment", "status", "stopReason", "output", "error", "steps", "toolCalls", "tokens", "durationMs", "exitCode"}',
    lines.filter((l) => l.type === 'result'),
  );
  outputs.set('{"id", "status"}', [detached]);
  outputs.set('{"environment", "file", "bytes", "sha256", "files", "manifest"}', [
    JSON.parse(await json(['bundle', 'create', 'default', '-o', join(home.home, 'default.tar.gz')], 0)),
  ]);
  outputs.set('{"type": "result", "runId": null, "status": "error", "error", "exitCode"}', [
    JSON.parse(await json(['agent', 'run', 'nobody', 'hi'], 3)),
  ]);
  outputs.set('{"error": {"code", "message", "hints", "exitCode", "details"?}}', [
    JSON.parse(await json(['agent', 'show', 'nobody'], 3)),
    JSON.parse(await json(['runs', 'show', '999'], 3)),
  ]);
  outputs.set(
    '{"ok", "exitCode", "checks": [{"area", "name", "status", "detail", "hint"}], "skipped": [{"area", "reason"}]}',
    [JSON.parse(await json(['doctor', '--offline'], 0))],
  );
  outputs.set(
    '{"id", "ts", "actor", "owner", "door", "action", "target", "outcome", "reason", "requestId", "remoteAddress", "details", "hash"}',
    JSON.parse(await json(['audit'], 0)) as unknown[],
  );
  await json(['key', 'create', 'shapes', '--role', 'viewer', '--expires', '30d'], 0);
  await json(['key', 'rotate', 'shapes', '--grace', '1h'], 0);
  outputs.set(
    '{"id", "name", "prefix", "display", "role", "environments", "user", "status", "createdAt", "lastUsedAt", "revokedAt", "expiresAt", "rotatedAt"}',
    JSON.parse(await json(['key', 'list'], 0)) as unknown[],
  );
  outputs.set('{"ok", "rows", "legacyRows", "problem"}', [JSON.parse(await json(['audit', 'verify'], 0))]);
  const shapes = join(home.home, 'environments', 'shapes');
  mkdirSync(shapes);
  writeFileSync(
    join(shapes, 'template.json'),
    JSON.stringify({ mcpServers: { s: { command: 'x', args: ['{{ .SHAPE_ROOT }}', '{{ .SHAPE_GIVEN }}'] } } }),
  );
  writeFileSync(
    join(shapes, 'variables.schema.json'),
    JSON.stringify({ properties: { SHAPE_ROOT: { default: '/nonexistent-station-shapes' } } }),
  );
  const shown = JSON.parse(await json(['env', 'show', 'shapes', '--var', 'SHAPE_GIVEN=1'], 0)) as {
    variables: unknown[];
  };
  outputs.set('{"name", "set", "source", "scope"?, "reason"?, "files"}', shown.variables);
  // Last: it deletes runs (all finished ones but the newest).
  outputs.set('{"dryRun", "before", "keep", "runs", "events", "deliveries", "batches", "compaction"}', [
    JSON.parse(await json(['runs', 'prune', '--keep', '1', '--yes'], 0)),
  ]);
}, 120_000);

afterAll(async () => {
  await model.close();
  home.cleanup();
});

describe('the JSON shapes README.md documents', { timeout: 30_000 }, () => {
  it('are each either checked here against real output or listed as checked elsewhere', () => {
    expect(documented.length).toBeGreaterThan(5);
    const unchecked = documented.filter((d) => !outputs.has(d) && elsewhere[d] === undefined);
    expect(unchecked).toEqual([]);
  });

  it.each(documented.filter((d) => elsewhere[d] === undefined))('%s', (text) => {
    const real = outputs.get(text) ?? [];
    expect(real.length).toBeGreaterThan(0);
    const shape = parseShape(text);
    for (const value of real) expect(mismatches(value, shape)).toEqual([]);
  });
});
