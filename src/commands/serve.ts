import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode, serveStation } from '../core/index.js';

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary =
    'Serve the web UI (/), the HTTP API, WebSocket events, MCP (/mcp), /health, /ready and /metrics.';
  static override description = `Binds 127.0.0.1 by default (config.yaml server.host/port; flags override). Every path except /health, /ready and the web UI's files needs "Authorization: Bearer <key>" (stn key create); the web UI asks for a key to sign in.
Logs go to stderr: JSON lines (time, level, request id; run id and environment for runs), or text on a terminal; --log-format and --log-level choose. SIGTERM or SIGINT stops it gracefully: no new connections, running runs get --grace seconds to finish, then MCP servers are closed and it exits 0.`;
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --port 9000',
    '<%= config.bin %> serve --log-format json --log-level debug 2>>station.log',
    '<%= config.bin %> serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem',
    'curl -H "Authorization: Bearer $STN_KEY" http://127.0.0.1:8585/api/v1/environments',
    'ssh -L 8585:127.0.0.1:8585 ops@station-host   # then open http://127.0.0.1:8585/ here',
  ];
  static override flags = {
    host: Flags.string({ description: 'Address to bind [default: config server.host, 127.0.0.1].' }),
    port: Flags.integer({
      description: 'Port [default: config server.port, 8585]; 0 picks a free one.',
      min: 0,
      max: 65535,
    }),
    'tls-cert': Flags.string({ description: 'PEM certificate (chain) to serve HTTPS.', dependsOn: ['tls-key'] }),
    'tls-key': Flags.string({ description: 'PEM private key of --tls-cert.', dependsOn: ['tls-cert'] }),
    grace: Flags.integer({ description: 'Seconds running runs get to finish on shutdown.', min: 0, default: 10 }),
  };

  async run(): Promise<{ url: string; stoppedBy: string }> {
    // The handlers are in place before the server starts and stay until the process ends: a signal that comes
    // while it starts (or right after "listening" is printed, as a supervisor may send it) stops it gracefully
    // once started, and never kills it halfway through the close. A second signal forces the exit.
    const stop = new Promise<NodeJS.Signals>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) {
          this.note(`${signal} again: exiting without waiting.`);
          process.exit(ExitCode.INTERRUPTED);
        }
        stopping = true;
        resolve(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    const running = await serveStation(this.engine(), {
      host: this.flags.host,
      port: this.flags.port,
      tlsCert: this.flags['tls-cert'],
      tlsKey: this.flags['tls-key'],
      logLevel: this.diagnostics().settings.level,
      logFormat: this.diagnostics().settings.format,
      graceMs: this.flags.grace * 1000,
    });
    this.say(`Station listening on ${running.url}`);
    const stoppedBy = await stop;
    await running.close();
    this.say(`Stopped (${stoppedBy}).`);
    return { url: running.url, stoppedBy };
  }
}
