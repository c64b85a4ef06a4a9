import { ApiClient, openEngine, type Engine } from '../../../src/core/index.js';
import { StationServer, createJsonLogger, type ServerExtension } from '../../../src/core/server/index.js';
import { rawHttp, type ApiRequestOptions, type ApiResponse } from './raw-http.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

export interface TestServer {
  temp: TempHome;
  engine: Engine;
  server: StationServer;
  url: string;
  keys: { admin: string; user: string; viewer: string; userOther: string; viewerOther: string; revoked: string };
  logs: string[];
  /** The API client with the admin key (`api.withKey(key)` for another). */
  api: ApiClient;
  /** Raw HTTP, for tests of the HTTP itself (status codes, headers, malformed bodies). */
  raw(method: string, path: string, options?: ApiRequestOptions): Promise<ApiResponse>;
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
    api: new ApiClient({ url, key: keys.admin }),
    raw: rawHttp(
      () => url,
      () => keys.admin,
    ),
    async stop() {
      await server.close(1000);
      await engine.close();
      temp.cleanup();
    },
  };
}
