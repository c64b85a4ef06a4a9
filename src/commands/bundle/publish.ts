import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { BundlePublishResult } from '../../core/index.js';

export default class BundlePublish extends BaseCommand<typeof BundlePublish> {
  static override summary = 'Add a bundle archive to a static registry folder (its index.json is updated).';
  static override description = `Checks FILE as an install would (a hostile archive is refused), copies it to DIR/bundles/NAME-VERSION.tar.gz and adds or replaces its entry in DIR/index.json: id, name, description, version, author, tags, download_url (relative to the index), sha256, file_size, station_version, created_at. Both files are written atomically. Any static web server can host DIR; list its index.json URL (or DIR itself) in config.yaml bundles.registries.

Name, version and description come from the bundle's manifest.json; --name, --bundle-version and --description override them (needed for an archive without a manifest).`;
  static override examples = [
    '<%= config.bin %> bundle publish ops-1.0.0.tar.gz --to /srv/www/registry',
    '<%= config.bin %> bundle publish ./env.tar.gz --to ./registry --name legacy-env --bundle-version 0.9.0 --tag sre --tag logs',
    '<%= config.bin %> bundle publish ops.tar.gz --to ./registry --json',
  ];
  static override args = {
    file: Args.string({ description: 'The .tar.gz to publish (from stn bundle create).', required: true }),
  };
  static override flags = {
    to: Flags.string({ description: 'The registry folder (created when missing).', required: true }),
    name: Flags.string({ description: "Name in the index [default: the manifest's]." }),
    'bundle-version': Flags.string({ description: "Version in the index [default: the manifest's]." }),
    description: Flags.string({ description: "Description in the index [default: the manifest's]." }),
    tag: Flags.string({ description: 'A tag for search (repeatable).', multiple: true }),
  };

  async run(): Promise<BundlePublishResult> {
    const result = await this.api().bundles.publish(resolve(this.args.file), resolve(this.flags.to), {
      ...(this.flags.name === undefined ? {} : { name: this.flags.name }),
      ...(this.flags['bundle-version'] === undefined ? {} : { version: this.flags['bundle-version'] }),
      ...(this.flags.description === undefined ? {} : { description: this.flags.description }),
      tags: this.flags.tag ?? [],
    });
    const e = result.entry;
    this.say(
      `${result.replaced ? 'Replaced' : 'Published'} ${this.style.bold(`${e.name}@${e.version}`)} (${String(e.file_size ?? 0)} bytes, sha256 ${(e.sha256 ?? '').slice(0, 16)}...)`,
    );
    this.say(`  archive: ${result.archive}`);
    this.say(`  index:   ${result.index}`);
    this.say(
      this.style.dim(`Add ${resolve(this.flags.to)} (or the URL that serves its index.json) to bundles.registries.`),
    );
    return result;
  }
}
