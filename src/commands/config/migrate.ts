import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { migrateConfigFile, resolveStationHome, stationPaths, type ConfigMigration } from '../../core/index.js';

export default class ConfigMigrate extends BaseCommand<typeof ConfigMigrate> {
  static override summary =
    "Rewrite config.yaml: the original Station's keys (ai_model, api_port ...) become Station's.";
  static override description =
    "Each key of the original Station becomes Station's key (ai_model -> model.name, ai_base_url -> model.base_url, api_port -> server.port, ai_api_key: ${VAR} -> model.api_key_env) or is dropped when Station has no such setting (mcp_port, local_mode, ssh_port ...). Station's keys, comments and keys Station does not know are kept. The old file is copied to config.yaml.<time>.bak first, then the new one replaces it atomically. A key written in ai_api_key is left in place: move it to an environment variable yourself. --dry-run prints the diff and writes nothing.";
  static override examples = [
    '<%= config.bin %> config migrate --dry-run',
    '<%= config.bin %> config migrate',
    '<%= config.bin %> config migrate --json',
  ];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'Show the diff; write nothing.', default: false }),
  };

  async run(): Promise<ConfigMigration> {
    const paths = stationPaths(resolveStationHome({ home: this.flags.home }));
    const result = migrateConfigFile(paths.config, { dryRun: this.flags['dry-run'] });
    const s = this.style;
    if (!result.changed) {
      this.say(`${result.file} holds no key of the original Station to rewrite (nothing changed).`);
    } else {
      for (const line of result.diff.trimEnd().split('\n')) {
        this.say(line.startsWith('+') ? s.green(line) : line.startsWith('-') ? s.red(line) : line);
      }
      this.say('');
      this.say(
        result.dryRun
          ? 'Dry run: nothing was written.'
          : `Rewrote ${result.file} (the old file is ${result.backup ?? ''}).`,
      );
    }
    for (const c of result.changes) {
      if (c.action === 'renamed') this.say(`  ${c.key} -> ${c.newKey ?? ''}`);
      else if (c.action === 'dropped') this.say(`  ${c.key} dropped: ${c.note ?? 'no setting needed'}`);
      else this.say(`  ${s.yellow(c.key)} kept: ${c.note ?? ''}`);
    }
    return result;
  }
}
