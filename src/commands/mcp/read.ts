import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { PayloadFiles, contentsLines } from '../../cli/mcp-content.js';
import { startSpinner } from '../../cli/spinner.js';
import { parseAssignments, type ResourceReadReport } from '../../core/index.js';

export default class McpRead extends BaseCommand<typeof McpRead> {
  static override summary = 'Read a resource an MCP server offers.';
  static override description =
    'Text is printed (JSON indented); binary contents are saved to files whose paths are printed. The server is the one that lists the URI (or whose template matches it); name it with --server when several could. --json prints the contents as the server sent them (blobs in base64).';
  static override examples = [
    '<%= config.bin %> mcp read demo://resource/static/document/architecture.md',
    '<%= config.bin %> mcp read file:///tmp/report.pdf --server files --out-dir .',
  ];
  static override args = {
    uri: Args.string({ description: 'The resource URI (see stn mcp resources).', required: true }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    server: Flags.string({ char: 's', description: 'The server to read from.' }),
    var: Flags.string({ description: 'A template variable, NAME=VALUE (repeatable).', multiple: true }),
    'out-dir': Flags.string({
      description: 'Folder for binary contents [default: a new folder under the OS temp folder].',
    }),
  };

  async run(): Promise<ResourceReadReport> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), `${env}: reading ${this.args.uri}`);
    let report: ResourceReadReport;
    try {
      report = await api.mcp.readResource(env, this.args.uri, {
        server: this.flags.server,
        vars: parseAssignments(this.flags.var ?? [], '--var'),
      });
    } finally {
      spinner.stop();
    }
    if (!this.jsonEnabled()) {
      const files = new PayloadFiles('resource', this.flags['out-dir']);
      for (const line of contentsLines(report.contents, files, this.style)) this.say(line);
      this.note(this.errStyle.dim(`✓ read from ${report.server} in ${report.durationMs.toFixed(1)} ms`));
    }
    return report;
  }
}
