import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { failedOfferings, offeringNotes, oneLine } from '../../cli/mcp-offerings.js';
import { formatTable } from '../../cli/output.js';
import { startSpinner } from '../../cli/spinner.js';
import { parseAssignments, type PromptListing } from '../../core/index.js';

export default class McpPrompts extends BaseCommand<typeof McpPrompts> {
  static override summary = 'List the prompts the MCP servers of an environment offer, with their arguments.';
  static override description =
    "Starts the environment's servers and asks each for its prompts: name, arguments (NAME? is optional) and description. A server that offers no prompts is shown as such. Exits 8 when a server fails to answer.";
  static override examples = [
    '<%= config.bin %> mcp prompts',
    '<%= config.bin %> mcp prompts --server everything --json',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    server: Flags.string({ char: 's', description: 'Only this server.' }),
    var: Flags.string({ description: 'A template variable, NAME=VALUE (repeatable).', multiple: true }),
  };

  async run(): Promise<PromptListing> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), `${env}: asking servers for prompts`);
    let listing: PromptListing;
    try {
      listing = await api.mcp.prompts(env, {
        server: this.flags.server,
        vars: parseAssignments(this.flags.var ?? [], '--var'),
      });
    } finally {
      spinner.stop();
    }
    const rows = listing.servers.flatMap((s) => s.prompts.map((p) => ({ server: s.server, ...p })));
    if (rows.length > 0) {
      this.say(() =>
        formatTable(
          rows,
          [
            { header: 'SERVER', get: (r) => r.server },
            { header: 'PROMPT', get: (r) => r.name },
            {
              header: 'ARGUMENTS',
              get: (r) => r.arguments.map((a) => `${a.name}${a.required ? '' : '?'}`).join(', ') || '-',
            },
            { header: 'DESCRIPTION', get: (r) => oneLine(r.description, 60) },
          ],
          this.style.bold,
        ),
      );
    }
    for (const line of offeringNotes(listing.servers, 'prompts', rows.length > 0, this.style)) this.say(line);
    const failure = failedOfferings(env, listing.servers, 'prompts', listing);
    if (failure !== undefined) throw failure;
    return listing;
  }
}
