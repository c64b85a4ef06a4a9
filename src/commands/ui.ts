import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { UsageError } from '../core/index.js';

export default class Ui extends BaseCommand<typeof Ui> {
  static override summary = 'Open the terminal UI: environments, agents, runs and live traces.';
  static override description =
    'A full-screen UI for a terminal (also over SSH). Screens: 1 Environments, 2 Agents, 3 Runs, 4 Trace, 5 MCP; ' +
    'tab or the number keys switch, ? shows every key, q or Ctrl-C quits. Runs started from other terminals appear live. ' +
    'Plain `stn` with no arguments on a terminal opens it too. Colours follow NO_COLOR.';

  static override examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --env staging',
    'NO_COLOR=1 <%= config.bin %> ui',
    '<%= config.bin %> ui --remote http://127.0.0.1:8585 --key "$STATION_API_KEY"',
  ];

  static override enableJsonFlag = false;

  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment to open [default: config environment.default]' }),
    remote: Flags.string({
      description: 'URL of a running `stn serve` to attach to (REST + WebSocket) instead of the local Station home.',
      dependsOn: ['key'],
    }),
    key: Flags.string({ description: 'API key for --remote (stn key create on the server).', env: 'STATION_API_KEY' }),
  };

  async run(): Promise<void> {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('stn ui needs a terminal: stdin and stdout must be a TTY', {
        hints: [
          'Run it in a terminal (over SSH use `ssh -t`). For scripts use the other commands with --json, e.g. stn runs list --json.',
        ],
      });
    }
    if (this.flags.remote !== undefined) {
      const [{ launchTui }, { RemoteClient }] = await productionReact(() =>
        Promise.all([import('../tui/launch.js'), import('../tui/client/remote-client.js')]),
      );
      const client = await RemoteClient.connect({ url: this.flags.remote, key: this.flags.key ?? '' });
      await launchTui({ client, environment: this.flags.env ?? client.info().defaultEnvironment });
      return;
    }
    const engine = this.engine();
    const environment = this.flags.env ?? engine.defaultEnvironment();
    engine.environments.require(environment);
    const [{ launchTui }, { LocalClient }] = await productionReact(() =>
      Promise.all([import('../tui/launch.js'), import('../tui/client/local-client.js')]),
    );
    await launchTui({ client: new LocalClient(engine), environment });
  }
}

/**
 * Loads the TUI. React and Ink pick their production builds (smaller and faster to load and run) from
 * NODE_ENV when first imported; it is set for the import only, so the MCP servers and tools Station
 * starts see the environment as it was.
 */
async function productionReact<T>(load: () => Promise<T>): Promise<T> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV ??= 'production';
  try {
    return await load();
  } finally {
    if (previous === undefined) Reflect.deleteProperty(process.env, 'NODE_ENV');
    else process.env.NODE_ENV = previous;
  }
}
