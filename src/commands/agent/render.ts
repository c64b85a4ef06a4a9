import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { inputFlags, inputSources } from '../../cli/input-flags.js';
import {
  renderAgent,
  validateAgentInput,
  type ChatMessage,
  type ModelChoice,
  type OutputChoice,
} from '../../core/index.js';

export interface RenderOutput {
  agent: string;
  input: Record<string, unknown>;
  /** The model a run would use, and why. */
  model: ModelChoice;
  /** Plain text or JSON answer, and why. */
  output: Omit<OutputChoice, 'spec'>;
  messages: ChatMessage[];
}

export default class AgentRender extends BaseCommand<typeof AgentRender> {
  static override summary = 'Print the messages an agent would send to the model for an input.';
  static override description =
    "The input is checked against the agent's input schema first. A line on stderr names the model a run would use and why (--model, config.yaml model.override, a model.aliases entry, the agent file, model.name) and whether it answers in text or JSON. Give the user's text as arguments (it becomes userInput), other fields with --var NAME=VALUE (converted by the schema: numbers, booleans, JSON) or all at once with --input JSON (or --input @file.json, --input-file FILE); the same input flags as `agent run`. No model is called.";
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
    model: Flags.string({ description: 'The model a run would be given with --model (shown, not called).' }),
    ...inputFlags,
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
    const text = words.length > 0 ? words.join(' ') : undefined;
    const given = api.agents.runInput(env, agent.name, inputSources(this.flags, text));
    const input = validateAgentInput(agent, given);
    const messages = await renderAgent(agent, input);
    const { model, output } = api.agents.runChoices(agent, this.flags.model);
    // On stderr: stdout holds the messages only.
    if (!this.jsonEnabled())
      this.note(this.errStyle.dim(`model: ${model.explanation} · answer: ${output.explanation}`));
    for (const m of messages) {
      this.say(this.style.bold(this.style.cyan(`--- ${m.role} ---`)));
      this.say(m.content);
    }
    const { spec: _spec, ...answer } = output;
    return { agent: agent.name, input, model, output: answer, messages };
  }
}
