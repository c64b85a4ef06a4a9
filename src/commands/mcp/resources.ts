import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { failedOfferings, offeringNotes, oneLine } from '../../cli/mcp-offerings.js';
import { formatTable } from '../../cli/output.js';
import { startSpinner } from '../../cli/spinner.js';
import { parseAssignments, type ResourceListing } from '../../core/index.js';

export default class McpResources extends BaseCommand<typeof McpResources> {
  static override summary = 'List the resources and resource templates the MCP servers of an environment offer.';
  static override description =
    "Starts the environment's servers and asks each for its resources (URI, name, MIME type, description) and resource templates. A server that offers no resources is shown as such. Read one with `stn mcp read URI`. Exits 8 when a server fails to answer.";
  static override examples = [
    '<%= config.bin %> mcp resources',
    '<%= config.bin %> mcp resources --server everything --json | jq -r ".servers[].resources[].uri"',
  ];
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    server: Flags.string({ char: 's', description: 'Only this server.' }),
    var: Flags.string({ description: 'A template variable, NAME=VALUE (repeatable).', multiple: true }),
  };

  async run(): Promise<ResourceListing> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), `${env}: asking servers for resources`);
    let listing: ResourceListing;
    try {
      listing = await api.mcp.resources(env, {
        server: this.flags.server,
        vars: parseAssignments(this.flags.var ?? [], '--var'),
      });
    } finally {
      spinner.stop();
    }
    const rows = listing.servers.flatMap((s) => [
      ...s.resources.map((r) => ({ server: s.server, kind: 'resource', ...r })),
      ...s.templates.map((t) => ({ server: s.server, kind: 'template', uri: t.uriTemplate, ...t })),
    ]);
    if (rows.length > 0) {
      this.say(() =>
        formatTable(
          rows,
          [
            { header: 'SERVER', get: (r) => r.server },
            { header: 'KIND', get: (r) => r.kind },
            { header: 'URI', get: (r) => r.uri },
            { header: 'NAME', get: (r) => r.title ?? r.name },
            { header: 'MIME', get: (r) => r.mimeType ?? '-' },
            { header: 'DESCRIPTION', get: (r) => oneLine(r.description, 60) },
          ],
          this.style.bold,
        ),
      );
    }
    for (const line of offeringNotes(listing.servers, 'resources', rows.length > 0, this.style)) this.say(line);
    const failure = failedOfferings(env, listing.servers, 'resources', listing);
    if (failure !== undefined) throw failure;
    return listing;
  }
}
