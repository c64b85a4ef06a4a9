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
      const [{ launchTui }, { RemoteClient }] = await loadForTerminal(() =>
        Promise.all([import('../tui/launch.js'), import('../tui/client/remote-client.js')]),
      );
      const client = await RemoteClient.connect({ url: this.flags.remote, key: this.flags.key ?? '' });
      await launchTui({ client, environment: this.flags.env ?? client.info().defaultEnvironment });
      return;
    }
    const engine = this.engine();
    const environment = this.flags.env ?? engine.defaultEnvironment();
    this.api().environments.require(environment);
    const [{ launchTui }, { LocalClient }] = await loadForTerminal(() =>
      Promise.all([import('../tui/launch.js'), import('../tui/client/local-client.js')]),
    );
    await launchTui({ client: new LocalClient(engine), environment });
  }
}

/**
 * Loads the TUI with the environment it needs at import time, then puts the environment back (the MCP
 * servers and tools Station starts see it as it was): NODE_ENV=production so React and Ink load their
 * production builds (smaller, faster), and no CI/CONTINUOUS_INTEGRATION, which would make Ink draw only a
 * final frame; `stn ui` runs on a terminal, so it is interactive by definition.
 */
async function loadForTerminal<T>(load: () => Promise<T>): Promise<T> {
  const saved = {
    NODE_ENV: process.env.NODE_ENV,
    CI: process.env.CI,
    CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION,
  };
  process.env.NODE_ENV ??= 'production';
  Reflect.deleteProperty(process.env, 'CI');
  Reflect.deleteProperty(process.env, 'CONTINUOUS_INTEGRATION');
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}
