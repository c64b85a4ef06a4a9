import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatTable } from '../../cli/output.js';
import type { BundleSearchResult } from '../../core/index.js';

export default class BundleSearch extends BaseCommand<typeof BundleSearch> {
  static override summary = 'Search the bundle registries of config.yaml (bundles.registries).';
  static override description = `Reads the index.json of every registry in config.yaml's bundles.registries (an https:// URL, or a folder made with stn bundle publish) and lists the bundles whose id, name, description or tags hold TEXT (all of them without TEXT), newest version first. A registry that cannot be read is reported and the others are still searched.

Install one with: stn bundle install NAME or NAME@VERSION (its sha256 is checked).`;
  static override examples = [
    '<%= config.bin %> bundle search',
    '<%= config.bin %> bundle search kubernetes',
    '<%= config.bin %> bundle search logs --json | jq -r ".bundles[] | .name + \\"@\\" + .version"',
  ];
  static override args = {
    text: Args.string({ description: 'Words to look for in id, name, description and tags.' }),
  };

  async run(): Promise<BundleSearchResult> {
    const result = await this.api().bundles.search(this.args.text ?? '');
    this.warnOnce(result.errors.map((e) => `registry ${e.registry} could not be read: ${e.message}`));
    if (result.bundles.length === 0) {
      this.say(
        result.errors.length === 0 && this.args.text === undefined
          ? 'No bundles: add registries (index URLs or folders) to bundles.registries in config.yaml.'
          : `No bundles match${this.args.text === undefined ? '' : ` "${this.args.text}"`}.`,
      );
      return result;
    }
    this.say(() =>
      formatTable(
        result.bundles,
        [
          { header: 'NAME', get: (b) => b.name },
          { header: 'VERSION', get: (b) => b.version },
          { header: 'DESCRIPTION', get: (b) => b.description },
          { header: 'TAGS', get: (b) => b.tags.join(',') },
          { header: 'VERIFIED', get: (b) => (b.sha256 === null ? 'no sha256' : 'sha256') },
          { header: 'REGISTRY', get: (b) => b.registryName },
        ],
        this.style.bold,
      ),
    );
    this.say(this.style.dim(`Install one with: ${this.config.bin} bundle install NAME[@VERSION]`));
    return result;
  }
}
