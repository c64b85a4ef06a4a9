import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError, coerceInputValues, renderAgent, validateAgentInput, type ChatMessage } from '../../core/index.js';

export interface RenderOutput {
  agent: string;
  input: Record<string, unknown>;
  messages: ChatMessage[];
}

export default class AgentRender extends BaseCommand<typeof AgentRender> {
  static override summary = 'Print the messages an agent would send to the model for an input.';
  static override description =
    "The input is checked against the agent's input schema first. Give the user's text as arguments (it becomes userInput), other fields with --var NAME=VALUE (converted by the schema: numbers, booleans, JSON) or all at once with --input JSON (or --input @file.json). No model is called.";
  static override examples = [
    '<%= config.bin %> agent render hello "What is MCP?"',
    '<%= config.bin %> agent render file-explorer "Where are the tests?" --var path=src',
    '<%= config.bin %> agent render reviewer --input \'{"userInput": "check", "depth": 2}\' --json',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'Agent to render.', required: true, ignoreStdin: true }),
    userInput: Args.string({
      description: 'The user input (all remaining arguments, joined by spaces).',
      required: false,
      ignoreStdin: true,
    }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    input: Flags.string({ description: 'Input as a JSON object, or @FILE to read it from a file.' }),
    var: Flags.string({ description: 'Input field NAME=VALUE (repeatable).', multiple: true }),
  };

  async run(): Promise<RenderOutput> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    // Every positional word after the name is part of the user input (no quotes needed).
    const { argv } = await this.parse({
      flags: AgentRender.flags,
      baseFlags: BaseCommand.baseFlags,
      enableJsonFlag: true,
      args: AgentRender.args,
      strict: false,
    });
    const words = argv.slice(1).map(String);
    const agent = api.agents.get(env, this.args.name);
    const given: Record<string, unknown> = {
      ...parseInputJson(this.flags.input),
      ...coerceInputValues(agent, parseVars(this.flags.var ?? [])),
    };
    if (words.length > 0) given.userInput = words.join(' ');
    const input = validateAgentInput(agent, given);
    const messages = await renderAgent(agent, input);
    for (const m of messages) {
      this.say(this.style.bold(this.style.cyan(`--- ${m.role} ---`)));
      this.say(m.content);
    }
    return { agent: agent.name, input, messages };
  }
}

function parseVars(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var needs NAME=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function parseInputJson(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`, {
      hints: ['Example: --input \'{"userInput": "hi", "count": 2}\''],
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError('--input must be a JSON object');
  return parsed as Record<string, unknown>;
}
