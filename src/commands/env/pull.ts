import { BaseCommand } from '../../cli/base-command.js';
import { startSpinner } from '../../cli/spinner.js';
import type { PullOutcome } from '../../core/environments/git-source.js';
import { ValidationError } from '../../core/errors.js';

export default class EnvPull extends BaseCommand<typeof EnvPull> {
  static override summary = 'Pull the environments folder from its Git repository (config environments.git).';
  static override description =
    'Fetches the configured ref and moves the environments folder to it when every agent file and MCP config of the commit reads; ' +
    'a broken commit is reported (exit 5) and the folder stays on the last good one. `stn serve` pulls on its own every `interval`.';
  static override examples = ['<%= config.bin %> env pull', '<%= config.bin %> env pull --json | jq -r .commit'];

  async run(): Promise<PullOutcome & { url: string; ref: string }> {
    const api = this.api();
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), 'fetching environments');
    let outcome: PullOutcome & { url: string; ref: string };
    try {
      outcome = await api.environments.pullFromGit();
    } finally {
      spinner.stop();
    }
    const short = outcome.commit.slice(0, 12);
    if (outcome.status === 'rejected') {
      throw new ValidationError(
        [
          `commit ${short} of ${outcome.url} (${outcome.ref}) was not taken: ${String(outcome.problems.length)} file(s) do not read`,
          ...outcome.problems.map((p) => `  ${p.message}`),
        ].join('\n'),
        outcome.problems.map((p) => ({ field: p.file, message: p.message })),
        {
          hints: [
            `The environments stay on ${outcome.previous?.slice(0, 12) ?? 'the files they had'}; fix the files in the repository and pull again.`,
          ],
        },
      );
    }
    this.say(
      outcome.status === 'updated'
        ? `Environments at ${this.style.bold(short)} (${outcome.ref} of ${outcome.url})${outcome.previous === null ? '' : `, were at ${outcome.previous.slice(0, 12)}`}.`
        : `Environments already at ${this.style.bold(short)} (${outcome.ref} of ${outcome.url}).`,
    );
    return outcome;
  }
}
