import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { writeFileAtomic, type BundleManifest } from '../../core/index.js';

/** `stn bundle create --json`. */
export interface BundleCreateJson {
  environment: string;
  file: string;
  bytes: number;
  sha256: string;
  files: string[];
  manifest: BundleManifest;
}

export default class BundleCreate extends BaseCommand<typeof BundleCreate> {
  static override summary = 'Pack an environment as a .tar.gz bundle (agents, MCP configs, manifest.json).';
  static override description = `Writes agents/*.prompt, the MCP config files (template.json and other top-level *.json with mcpServers), variables.schema.json and README.md when present, and a generated manifest.json: name, version, description, author, Station version, the variables the configs need (never their values) and a tools lock from the last sync (each tool's schema hash, each agent's tools).

Never includes variables.yml, the secret store or any value. The archive is deterministic: the same environment gives the same bytes. Sync first so that the tools lock is current.`;
  static override examples = [
    '<%= config.bin %> bundle create default',
    '<%= config.bin %> bundle create ops -o dist/ops-1.2.0.tar.gz --bundle-version 1.2.0 --author "SRE team"',
    '<%= config.bin %> bundle create ops --json',
  ];
  static override args = {
    env: Args.string({ description: 'Environment to pack.', required: true }),
  };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Archive to write [default: ENV.tar.gz in the current folder].' }),
    'bundle-version': Flags.string({
      description: "Version written to the manifest [default: the installed bundle's, else 0.1.0].",
    }),
    description: Flags.string({ description: "Description [default: the environment's]." }),
    author: Flags.string({ description: 'Author written to the manifest.' }),
  };

  async run(): Promise<BundleCreateJson> {
    const created = this.api().bundles.create(this.args.env, {
      ...(this.flags['bundle-version'] === undefined ? {} : { version: this.flags['bundle-version'] }),
      ...(this.flags.description === undefined ? {} : { description: this.flags.description }),
      ...(this.flags.author === undefined ? {} : { author: this.flags.author }),
    });
    const file = resolve(this.flags.output ?? `${this.args.env}.tar.gz`);
    writeFileAtomic(file, created.bytes, { mode: 0o644 });
    const sha256 = createHash('sha256').update(created.bytes).digest('hex');
    const m = created.manifest;
    const vars = Object.keys(m.variables);
    this.say(
      `Wrote ${this.style.bold(file)} (${String(created.bytes.length)} bytes, sha256 ${sha256.slice(0, 16)}...)`,
    );
    this.say(
      `  ${String(Object.keys(m.agents).length)} agents, ${String(Object.keys(m.tools).length)} servers in the tools lock, ` +
        `variables: ${vars.length === 0 ? 'none' : vars.map((v) => (m.variables[v]?.secret === true ? `${v} (secret)` : v)).join(', ')}`,
    );
    if (Object.keys(m.tools).length === 0) {
      this.say(this.style.dim(`  The tools lock is empty: run stn sync ${this.args.env} first to record the tools.`));
    }
    this.say(`Install it elsewhere with: stn bundle install ${file}`);
    return { environment: this.args.env, file, bytes: created.bytes.length, sha256, files: created.files, manifest: m };
  }
}
