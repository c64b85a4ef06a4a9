// One setup for the remote TUI's end-to-end tests: a Station (the TUI helpers' station: test model server,
// filesystem MCP server, the lister agent) served by the real startStation on 127.0.0.1:0, with a key, remote
// clients, rendered screens and an optional TCP proxy in front; everything opened is closed after each test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startStation, type RunningStation } from '../../src/core/server/serve.js';
import { RemoteClient, type RemoteClientOptions } from '../../src/tui/client/remote-client.js';
import { startProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { renderTui, type Screen } from '../tui/helpers/screen.js';
import { FILESYSTEM_SERVER, makeStation, type TuiStation } from '../tui/helpers/station.js';

export interface Served {
  station: TuiStation;
  running: RunningStation;
  url: string;
  key: string;
}

export interface RemoteStation {
  /** A new Station served on 127.0.0.1:0 and a key of `role` (default user); `before` runs before it serves. */
  serve(options?: { role?: string; before?: (station: TuiStation) => void }): Promise<Served>;
  connect(options: RemoteClientOptions): Promise<RemoteClient>;
  render(client: RemoteClient, options?: Parameters<typeof renderTui>[1]): Promise<Screen>;
  /** A TCP proxy in front of the served port (the network, cut or stopped on purpose). */
  proxy(targetPort: number): Promise<TcpProxy>;
}

export function remoteStationPerTest(): RemoteStation {
  const open = { stations: [] as TuiStation[], servers: [] as RunningStation[], proxies: [] as TcpProxy[] };
  const clients: RemoteClient[] = [];
  const screens: Screen[] = [];
  afterEach(async () => {
    for (const screen of screens.splice(0)) screen.unmount();
    for (const client of clients.splice(0)) await client.close();
    for (const proxy of open.proxies.splice(0)) await proxy.close();
    for (const server of open.servers.splice(0)) await server.close();
    for (const station of open.stations.splice(0)) await station.close();
  });
  return {
    async serve({ role = 'user', before } = {}) {
      const station = await makeStation();
      open.stations.push(station);
      before?.(station);
      const running = await startStation(station.engine, {
        host: '127.0.0.1',
        port: 0,
        writeLog: () => undefined,
        graceMs: 0,
      });
      open.servers.push(running);
      return { station, running, url: running.url, key: station.engine.keys.create({ name: 'tui', role }).key };
    },
    async connect(options) {
      const client = await RemoteClient.connect(options);
      clients.push(client);
      return client;
    },
    async render(client, options) {
      const screen = await renderTui(client, options);
      screens.push(screen);
      return screen;
    },
    async proxy(targetPort) {
      const proxy = await startProxy(targetPort);
      open.proxies.push(proxy);
      return proxy;
    },
  };
}

/**
 * A bundle folder under `parent` whose filesystem server reads `{{ .DATA_DIR }}`, with one agent `a` and
 * `files` (name -> text) beside them. Returns the folder.
 */
export function writeDataBundle(parent: string, name: string, files: Record<string, string> = {}): string {
  const folder = join(parent, name);
  mkdirSync(join(folder, 'agents'), { recursive: true });
  writeFileSync(
    join(folder, 'template.json'),
    JSON.stringify({
      mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '{{ .DATA_DIR }}'] } },
    }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  writeFileSync(join(folder, 'agents', 'a.prompt'), '---\nmetadata:\n  name: a\n---\nHi {{userInput}}\n');
  return folder;
}
