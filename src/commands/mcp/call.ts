import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { PayloadFiles, parseArgsFlag, toolResultLines } from '../../cli/mcp-content.js';
import { startSpinner } from '../../cli/spinner.js';
import { McpError, parseAssignments, type ToolCallReport } from '../../core/index.js';

export default class McpCall extends BaseCommand<typeof McpCall> {
  static override summary = 'Call an MCP tool by hand and print its answer, with the time it took.';
  static override description =
    "Starts the environment's servers (as a run would), checks the arguments against the tool's input schema, calls the tool and prints the answer: text as text, JSON indented, images, audio and blobs saved to files whose paths are printed, resource links listed. Name the tool as agents do: SERVER__TOOL, or __TOOL when only one server has it. A tool that answers with an error exits 8; arguments that do not fit its schema exit 5. --json prints the raw result with its duration. Calls are recorded in the audit log (never their arguments).";
  static override examples = [
    '<%= config.bin %> mcp call filesystem__list_allowed_directories',
    `<%= config.bin %> mcp call filesystem__read_text_file --args '{"path": "README.md"}'`,
    '<%= config.bin %> mcp call __get-tiny-image --out-dir ./images',
    '<%= config.bin %> mcp call github__search_issues --args @query.json --env staging --json | jq .result',
  ];
  static override args = {
    tool: Args.string({
      description: 'The tool: SERVER__TOOL, or __TOOL when only one server has it.',
      required: true,
    }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: the configured default].' }),
    args: Flags.string({ char: 'a', description: "The tool's arguments: a JSON object, or @FILE holding one." }),
    var: Flags.string({ description: 'A template variable, NAME=VALUE (repeatable).', multiple: true }),
    'out-dir': Flags.string({
      description: 'Folder for images, audio and blobs in the answer [default: a new folder under the OS temp folder].',
    }),
  };

  async run(): Promise<ToolCallReport> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const args = parseArgsFlag(this.flags.args, (file) => readFileSync(file, 'utf8'));
    const tool = this.args.tool;
    const spinner = startSpinner(process.stdout, !this.jsonEnabled(), `${env}: calling ${tool}`);
    let report: ToolCallReport;
    try {
      report = await api.mcp.callTool(env, tool, args, {
        vars: parseAssignments(this.flags.var ?? [], '--var'),
        onProgress: (p) => {
          const total = p.total === undefined ? '' : `/${String(p.total)}`;
          spinner.update(`${tool}: ${String(p.progress)}${total}${p.message === undefined ? '' : ` ${p.message}`}`);
        },
      });
    } finally {
      spinner.stop();
    }
    const took = `${report.durationMs.toFixed(1)} ms`;
    if (report.result.isError) {
      throw new McpError(`${report.qualifiedName} answered with an error after ${took}: ${errorText(report)}`, {
        code: 'tool_error',
        details: { call: report },
        hints: ['The server ran the tool and it reported this failure; --json shows the whole result.'],
      });
    }
    if (!this.jsonEnabled()) {
      const files = new PayloadFiles(report.tool, this.flags['out-dir']);
      for (const line of toolResultLines(report.result.content, report.result.structuredContent, files, this.style))
        this.say(line);
      this.note(this.errStyle.dim(`✓ ${report.qualifiedName} answered in ${took}`));
    }
    return report;
  }
}

/** The text of an error answer, for the message. */
function errorText(report: ToolCallReport): string {
  const texts = report.result.content
    .map((c) => c as { type?: unknown; text?: unknown })
    .filter((c) => c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text as string);
  return texts.join('\n').trim() || '(no text)';
}
