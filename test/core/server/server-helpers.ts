import { openEngine, type Engine } from '../../../src/core/index.js';
import { StationServer, createJsonLogger, type ServerExtension } from '../../../src/core/server/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

export interface TestServer {
  temp: TempHome;
  engine: Engine;
  server: StationServer;
  url: string;
  keys: { admin: string; user: string; viewer: string; userOther: string; viewerOther: string; revoked: string };
  logs: string[];
  request(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  stop(): Promise<void>;
}

/** A real Station server on 127.0.0.1:0 over a fresh initialized home, with one key per role. */
export async function startTestServer(
  options: { extensions?: (engine: Engine) => ServerExtension[]; queueSize?: () => number } = {},
): Promise<TestServer> {
  const temp = makeInitializedHome();
  const engine = openEngine({ home: temp.home });
  engine.environments.create('other');
  const keys = {
    admin: engine.keys.create({ name: 'admin', role: 'admin' }).key,
    user: engine.keys.create({ name: 'user', role: 'user', environments: ['default'] }).key,
    viewer: engine.keys.create({ name: 'viewer', role: 'viewer', environments: ['default'] }).key,
    userOther: engine.keys.create({ name: 'user-other', role: 'user', environments: ['other'] }).key,
    viewerOther: engine.keys.create({ name: 'viewer-other', role: 'viewer', environments: ['other'] }).key,
    revoked: engine.keys.create({ name: 'revoked', role: 'admin' }).key,
  };
  engine.keys.revoke('revoked');
  const logs: string[] = [];
  const server = new StationServer({
    engine,
    host: '127.0.0.1',
    port: 0,
    logger: createJsonLogger({ write: (line) => logs.push(line), level: 'debug' }),
    ...(options.queueSize === undefined ? {} : { queueSize: options.queueSize }),
    extensions: options.extensions?.(engine) ?? [],
  });
  const { url } = await server.listen();
  return {
    temp,
    engine,
    server,
    url,
    keys,
    logs,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const key = opts.key === undefined ? keys.admin : opts.key;
      if (key !== null) headers.Authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (opts.rawBody !== undefined) body = opts.rawBody;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['Content-Type'] ??= 'application/json';
      const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async stop() {
      await server.close(1000);
      await engine.close();
      temp.cleanup();
    },
  };
}
