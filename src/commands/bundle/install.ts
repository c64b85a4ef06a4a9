import { Args, Flags } from '@oclif/core';
import { BaseCommand, type ErrorRecord } from '../../cli/base-command.js';
import { Prompt } from '../../cli/prompt.js';
import { startSpinner, type Spinner } from '../../cli/spinner.js';
import { askVariables } from '../../cli/variable-questions.js';
import {
  installFailure,
  parseAssignments,
  type InstallResult,
  type InstallReview,
  serverReviewLines,
} from '../../core/index.js';

/** `stn bundle install --json`: the result, with the error that made the command fail (null when none). */
export type BundleInstallJson = InstallResult & { error: ErrorRecord | null };

export default class BundleInstall extends BaseCommand<typeof BundleInstall> {
  static override summary =
    'Install a bundle as an environment: from a .tar.gz, a folder, a URL, a first-party name or a registry.';
  static override description = `SOURCE is a .tar.gz file, a folder, an https:// URL (plain http:// only from this machine: 127.0.0.1, ::1, localhost) the name of a bundle shipped with Station (see the README's Bundles section), or NAME[@VERSION] from the registries of config.yaml bundles.registries (newest version without @VERSION; the archive's sha256 and size must match the index, else nothing is written). The original's environment tarballs, the older template bundles and Station's own bundles are accepted.

The archive is checked before anything is written: absolute paths, ".." segments, links, devices, files outside the layout, too many entries or bytes refuse it. Every MCP server it would start is shown (command, arguments, env keys, URLs) and must be approved (--yes for scripts); the approval is recorded, and a later sync of changed servers asks again. Variables come from --var, --vars-file, the process environment, or are asked on a terminal (secrets hidden, saved to the secret store; others to variables.yml); without a terminal all missing ones are listed (exit 6). Then the environment is synced (unless --no-sync) and the bundle's tools lock checked.`;
  static override examples = [
    '<%= config.bin %> bundle install ops-toolkit',
    '<%= config.bin %> bundle install ./ops.tar.gz ops --var ROOT_PATH=/srv/data',
    '<%= config.bin %> bundle install https://example.com/bundles/ops-1.2.0.tar.gz --yes --vars-file ops.vars.yml',
    '<%= config.bin %> bundle install ./ops.tar.gz ops --force --yes --no-sync --json',
    '<%= config.bin %> bundle install log-tools@1.2.0 --yes',
  ];
  static override args = {
    source: Args.string({
      description: 'A .tar.gz path, a folder, an https:// URL, a first-party bundle name or a registry NAME[@VERSION].',
      required: true,
    }),
    env: Args.string({ description: "Environment to create [default: the manifest's name, else the file name]." }),
  };
  static override flags = {
    force: Flags.boolean({
      description: 'Replace an existing environment (the old one is kept as a dated backup).',
      default: false,
    }),
    yes: Flags.boolean({ char: 'y', description: 'Approve the MCP servers without asking (scripts).', default: false }),
    var: Flags.string({ description: 'A variable, NAME=VALUE (repeatable).', multiple: true }),
    'vars-file': Flags.string({
      description: 'A YAML file of NAME: value (e.g. one of the bundle examples/*.vars.yml).',
    }),
    'no-sync': Flags.boolean({ description: 'Do not sync after installing.', default: false }),
    strict: Flags.boolean({
      description: 'Tools-lock findings (missing tools, changed schemas) are errors, not warnings.',
      default: false,
    }),
  };

  async run(): Promise<BundleInstallJson> {
    const prompt = new Prompt();
    // Started at the sync, after the questions (a spinner would draw over them).
    let spinner: Spinner | undefined;
    let result: InstallResult;
    try {
      result = await this.api().bundles.install(this.args.source, {
        ...(this.args.env === undefined ? {} : { environment: this.args.env }),
        force: this.flags.force,
        yes: this.flags.yes,
        vars: parseAssignments(this.flags.var ?? [], '--var'),
        ...(this.flags['vars-file'] === undefined ? {} : { varsFile: this.flags['vars-file'] }),
        sync: !this.flags['no-sync'],
        strict: this.flags.strict,
        ...(prompt.interactive
          ? {
              confirm: async (review: InstallReview) => {
                prompt.write(reviewText(review));
                try {
                  return await prompt.confirm('Start these MCP servers and install the bundle?', { default: false });
                } finally {
                  prompt.close();
                }
              },
              askVariables: async (env: string, missing, defaults) => {
                try {
                  return await askVariables(prompt, env, missing, defaults);
                } finally {
                  prompt.close();
                }
              },
            }
          : {}),
        onSyncEvent: (event) => {
          const shown = (spinner ??= startSpinner(
            process.stdout,
            !this.jsonEnabled(),
            `${event.environment}: starting MCP servers`,
          ));
          if (event.type === 'server-ready' || event.type === 'server-failed') {
            shown.update(`${event.environment}: ${event.type === 'server-ready' ? 'server ready' : 'server failed'}`);
          }
        },
      });
    } finally {
      spinner?.stop();
    }
    this.printResult(result);
    const failure = installFailure(result, this.flags.strict);
    if (failure === undefined) return { ...result, error: null };
    if (!this.jsonEnabled()) throw failure;
    const { details: _details, ...error } = this.errorRecord(failure);
    process.exitCode = error.exitCode;
    return { ...result, error };
  }

  private printResult(r: InstallResult): void {
    const s = this.style;
    this.say(`Installed ${s.bold(r.environment)} from ${r.source} (${r.shape} bundle) at ${r.path}`);
    if (r.registry !== null) {
      this.say(`  ${r.registry.name}@${r.registry.version} from ${r.registry.registryName}, sha256 checked`);
    }
    if (r.backup !== null) this.say(`  The previous environment was kept at ${r.backup}`);
    if (r.variablesSaved.length > 0) this.say(`  Saved ${r.variablesSaved.join(', ')} to variables.yml (mode 0600).`);
    if (r.secretsStored.length > 0) this.say(`  Stored ${r.secretsStored.join(', ')} in the secret store (encrypted).`);
    if (r.sync !== null) {
      const env = r.sync.environments[0];
      if (env !== undefined) {
        const tools = env.servers.reduce((n, x) => n + x.tools, 0);
        this.say(
          `  Synced: ${String(env.servers.filter((x) => x.status === 'ready').length)}/${String(env.servers.length)} servers ready, ${String(tools)} tools, ${String(env.agents.indexed?.added.length ?? 0)} agents`,
        );
        for (const p of env.problems) this.say(`  ${s.red('✗')} ${p}`);
      }
    } else {
      this.say(`  Not synced. Next: stn sync ${r.environment}`);
    }
    for (const w of r.warnings) this.say(`  ${s.yellow('warning:')} ${w}`);
  }
}

/** The trust gate's text: every server, with command, arguments, env keys (never values) and URL. */
export function reviewText(review: InstallReview): string {
  const lines = [
    `Bundle ${review.name ?? review.source}${review.version === null ? '' : ` ${review.version}`} -> environment "${review.environment}"${review.replaces ? ' (replaces the existing one; a backup is kept)' : ''}`,
    `It will start ${String(review.servers.length)} MCP server${review.servers.length === 1 ? '' : 's'}:`,
    ...review.servers.flatMap(serverReviewLines),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
