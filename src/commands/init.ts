import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { Prompt } from '../cli/prompt.js';
import {
  initStation,
  isOriginalDatabaseFile,
  originalAsidePath,
  privacyWarnings,
  resolveStationHome,
  stationPaths,
  type InitResult,
  type OriginalImportResult,
} from '../core/index.js';

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Create the Station home: config.yaml, station.db and the default environment.';
  static override description =
    'Safe to run again: existing files are left as they are. --force rewrites the files that come from ' +
    "templates (the default environment's template.json and example agents), never the database or variables.yml. " +
    'A station.db made by the original Station is moved aside to station.original.db and its run history imported ' +
    'with --import-original (on a terminal init asks). --litestream URL writes litestream.yml, which deploy/entrypoint.sh uses to ' +
    'restore station.db when it is missing and replicate it while stn serve runs.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --project-root ~/src/myservice',
    '<%= config.bin %> init --encrypt-db',
    '<%= config.bin %> init --import-original',
    '<%= config.bin %> init --litestream s3://my-bucket/station',
    '<%= config.bin %> init --litestream file:///backups/station',
    'STATION_HOME=/srv/station <%= config.bin %> init --json',
  ];
  static override flags = {
    force: Flags.boolean({ description: 'Rewrite template files (never drops data).', default: false }),
    'encrypt-db': Flags.boolean({
      description:
        'Make station.db encrypted at rest (SQLCipher 4) with the home key: STATION_ENCRYPTION_KEY, else keys/station.key.',
      default: false,
    }),
    'import-original': Flags.boolean({
      description:
        "Move a station.db made by the original Station aside to station.original.db, create Station's, and import the original's run history.",
      default: false,
    }),
    litestream: Flags.string({
      description:
        'Replicate station.db with Litestream to this s3:// or file:// URL: writes litestream.yml in the home (10 s sync, 24 h retention) for deploy/entrypoint.sh.',
    }),
    'project-root': Flags.string({
      description: "Folder the default environment's filesystem server may read [default: current folder].",
    }),
  };

  async run(): Promise<InitResult & { originalImport?: OriginalImportResult }> {
    const paths = stationPaths(resolveStationHome({ home: this.flags.home }));
    const importOriginal = this.flags['import-original'] || (await this.offerImport(paths.database));
    const result = initStation(paths, {
      force: this.flags.force,
      encryptDb: this.flags['encrypt-db'],
      importOriginal,
      ...(this.flags.litestream === undefined ? {} : { litestream: this.flags.litestream }),
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
      if (result.store.kind === 'postgres') this.say(`  ${s.green('store')}      PostgreSQL ${result.store.display}`);
    }
    let originalImport: OriginalImportResult | undefined;
    if (result.originalDatabase !== undefined) {
      const { file, moved } = result.originalDatabase;
      if (moved) this.say(`  ${s.yellow('moved')}      the original's station.db to ${file}`);
      originalImport = this.api().runs.importOriginal(file);
      const skipped = originalImport.skipped > 0 ? ` (${String(originalImport.skipped)} imported before)` : '';
      this.say(`  ${s.green('imported')}   ${String(originalImport.imported)} run(s) from ${file}${skipped}`);
    }
    this.say('');
    this.say(`Next: ${s.bold('stn env list')}, ${s.bold('stn sync')}, then ${s.bold('stn agent run hello "Hi"')}`);
    return originalImport === undefined ? result : { ...result, originalImport };
  }

  /** On a terminal, when station.db is the original's: asks whether to move it aside and import its runs. */
  private async offerImport(database: string): Promise<boolean> {
    if (this.jsonEnabled() || !isOriginalDatabaseFile(database)) return false;
    const prompt = new Prompt();
    if (!prompt.interactive) return false;
    try {
      prompt.write(`${database} was made by the original Station.\n`);
      return await prompt.confirm(`Move it aside to ${originalAsidePath(database)} and import its run history?`, {
        flag: '--import-original',
      });
    } finally {
      prompt.close();
    }
  }
}
