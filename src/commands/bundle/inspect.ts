import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { serverReviewLines, type BundleInspection } from '../../core/index.js';

export default class BundleInspect extends BaseCommand<typeof BundleInspect> {
  static override summary = 'Show what a bundle holds (manifest, servers, agents, variables) without installing it.';
  static override description = `SOURCE is anything stn bundle install takes: a .tar.gz, a folder, an https:// URL, a first-party name, or NAME[@VERSION] from a registry (sha256 checked). The bundle goes through the same checks as an install (a hostile archive is refused the same way), into a staging folder that is removed afterwards: nothing is installed and no server is started.

configHash is what an approval of these servers carries (POST /api/v1/bundles/install "approve", the install_bundle MCP tool).`;
  static override examples = [
    '<%= config.bin %> bundle inspect ops-toolkit',
    '<%= config.bin %> bundle inspect ./ops-1.0.0.tar.gz',
    '<%= config.bin %> bundle inspect log-tools@1.2.0 --json',
  ];
  static override args = {
    source: Args.string({
      description: 'A .tar.gz path, a folder, an https:// URL, a first-party name or a registry NAME[@VERSION].',
      required: true,
    }),
  };

  async run(): Promise<BundleInspection> {
    const b = await this.api().bundles.inspect(this.args.source);
    const s = this.style;
    this.say(
      `${s.bold(b.name ?? b.source)}${b.version === null ? '' : ` ${b.version}`} (${b.shape} bundle, from ${b.kind === 'registry' && b.registry !== null ? `registry ${b.registry.registryName}` : b.kind})`,
    );
    if (b.description !== null) this.say(`  ${b.description}`);
    if (b.author !== null) this.say(`  author: ${b.author}`);
    if (b.stationVersion !== null) this.say(`  made with Station ${b.stationVersion}`);
    if (b.registry !== null) this.say(`  sha256: ${b.registry.sha256 ?? ''} (checked)`);
    this.say('');
    this.say(s.bold(`MCP servers (${String(b.servers.length)}), configHash ${b.configHash.slice(0, 16)}...`));
    for (const line of b.servers.flatMap(serverReviewLines)) this.say(line);
    if (b.servers.length === 0) this.say('  none');
    this.say(s.bold(`Agents (${String(b.agents.length)})`));
    for (const a of b.agents) {
      this.say(`  ${a.name}${a.description === '' ? '' : ` - ${a.description}`}`);
      if (a.tools.length > 0) this.say(s.dim(`    tools: ${a.tools.join(', ')}`));
    }
    if (b.agents.length === 0) this.say('  none');
    this.say(s.bold(`Variables (${String(b.variables.length)})`));
    for (const v of b.variables) {
      const extra = [v.secret ? 'secret' : '', v.default === null ? '' : `default ${v.default}`].filter(Boolean);
      this.say(
        `  ${v.name}${extra.length === 0 ? '' : ` (${extra.join(', ')})`}${v.description === null ? '' : ` - ${v.description}`}`,
      );
    }
    if (b.variables.length === 0) this.say('  none');
    for (const k of b.skipped) this.say(`  ${s.yellow('not installed:')} ${k.path}: ${k.reason}`);
    this.say(s.dim(`Install it with: ${this.config.bin} bundle install ${b.source}`));
    return b;
  }
}
