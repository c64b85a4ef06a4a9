import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { initStation, privacyWarnings, resolveStationHome, stationPaths, type InitResult } from '../core/index.js';

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Create the Station home: config.yaml, station.db and the default environment.';
  static override description =
    'Safe to run again: existing files are left as they are. --force rewrites the files that come from ' +
    "templates (the default environment's template.json and example agents), never the database or variables.yml.";
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --project-root ~/src/myservice',
    '<%= config.bin %> init --encrypt-db',
    'STATION_HOME=/srv/station <%= config.bin %> init --json',
  ];
  static override flags = {
    force: Flags.boolean({ description: 'Rewrite template files (never drops data).', default: false }),
    'encrypt-db': Flags.boolean({
      description:
        'Make station.db encrypted at rest (SQLCipher 4) with the home key: STATION_ENCRYPTION_KEY, else keys/station.key.',
      default: false,
    }),
    'project-root': Flags.string({
      description: "Folder the default environment's filesystem server may read [default: current folder].",
    }),
  };

  async run(): Promise<InitResult> {
    const paths = stationPaths(resolveStationHome({ home: this.flags.home }));
    const result = initStation(paths, {
      force: this.flags.force,
      encryptDb: this.flags['encrypt-db'],
      ...(this.flags['project-root'] === undefined ? {} : { projectRoot: this.flags['project-root'] }),
    });
    this.warnPrivacy(privacyWarnings(paths));
    if (result.created.length > 0 || result.rewritten.length > 0) this.api().audit.initialized(result.home, result);
    const s = this.style;
    if (result.created.length === 0 && result.rewritten.length === 0) {
      this.say(`Station is already initialized at ${result.home} (nothing changed).`);
    } else {
      this.say(`Station home: ${result.home}`);
      for (const p of result.created) this.say(`  ${s.green('created')}    ${p}`);
      for (const p of result.rewritten) this.say(`  ${s.yellow('rewritten')}  ${p}`);
    }
    this.say('');
    this.say(`Next: ${s.bold('stn env list')}, ${s.bold('stn sync')}, then ${s.bold('stn agent run hello "Hi"')}`);
    return result;
  }
}
