// A TCP proxy on 127.0.0.1 in front of a real server, to play the network's part: its connections can be
// cut (a drop), frozen (a server that went silent without closing the socket), and the proxy itself can be
// stopped and started again on the same port (the server gone, then back).
import { createServer, Socket, type Server } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Destroys the open connections (new ones still get through). */
  cut(): void;
  /** Stops forwarding on the open connections without closing them (new ones still get through). */
  freeze(): void;
  /** Stops listening and destroys every connection: nothing answers on the port. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  /** Frozen connections: open, not forwarding; destroyed by stop(). */
  const frozen = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(targetPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      for (const socket of pair) {
        socket.on('close', () => {
          pairs.delete(pair);
          for (const other of pair) other.destroy();
        });
        socket.on('error', () => socket.destroy());
      }
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as { port: number }).port;
    server = s;
  };
  const destroyAll = (): void => {
    for (const pair of pairs) for (const socket of pair) socket.destroy();
    pairs.clear();
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    destroyAll();
    for (const socket of frozen) socket.destroy();
    frozen.clear();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    cut: destroyAll,
    freeze: () => {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        frozen.add(client).add(upstream);
      }
      pairs.clear(); // still open, no longer forwarding
    },
    stop,
    start: listen,
    close: stop,
  };
}
