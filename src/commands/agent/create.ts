import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { askDraft, splitList } from '../../cli/agent-questions.js';
import { BaseCommand } from '../../cli/base-command.js';
import { Prompt } from '../../cli/prompt.js';
import {
  NotFoundError,
  UsageError,
  parseInputFieldSpec,
  type AgentDefinition,
  type AgentDraft,
} from '../../core/index.js';

export default class AgentCreate extends BaseCommand<typeof AgentCreate> {
  static override summary = 'Create an agent: a new <name>.prompt file in the environment.';
  static override description =
    'With no arguments on a terminal, asks for each field, offering the tools the last sync of the environment recorded (numbers or names). Otherwise give the name and flags; the prompt is the system prompt (the user input follows it as the user message). Input fields are NAME[?][:TYPE[:DESCRIPTION]] with TYPE string, number, integer, boolean or any; "?" makes a field optional.';
  static override examples = [
    '<%= config.bin %> agent create',
    '<%= config.bin %> agent create reviewer --prompt "You review code for bugs." --tool __read_text_file --max-steps 8',
    '<%= config.bin %> agent create "Release Notes" --prompt-file notes.txt --model gpt-4o --input "repo:string:the repository" --input "since?:string"',
  ];
  static override args = {
    name: Args.string({
      description: 'Agent name (becomes the file name; spaces allowed).',
      required: false,
      ignoreStdin: true,
    }),
  };
  static override flags = {
    env: Flags.string({ char: 'e', description: 'Environment [default: environment.default in config.yaml].' }),
    description: Flags.string({ char: 'd', description: 'What the agent does.' }),
    prompt: Flags.string({
      char: 'p',
      description: 'System prompt text (or a whole template with {{role}} markers).',
      exclusive: ['prompt-file'],
    }),
    'prompt-file': Flags.string({ description: 'Read the prompt text from a file.', exclusive: ['prompt'] }),
    model: Flags.string({ char: 'm', description: 'Model for this agent [default: model.name in config.yaml].' }),
    'max-steps': Flags.integer({ description: 'Model turns a run may take.', min: 1 }),
    tool: Flags.string({
      char: 't',
      description: 'MCP tool the agent may use (repeatable, or comma-separated).',
      multiple: true,
    }),
    input: Flags.string({
      char: 'i',
      description: 'Input field NAME[?][:TYPE[:DESCRIPTION]] (repeatable).',
      multiple: true,
    }),
    tag: Flags.string({ description: 'Tag (repeatable).', multiple: true }),
    temperature: Flags.string({ description: 'Sampling temperature, e.g. 0.2.' }),
    'max-tokens': Flags.integer({ description: 'Most tokens per model answer.', min: 1 }),
  };

  async run(): Promise<AgentDefinition> {
    const engine = this.engine();
    const api = this.api();
    const env = this.flags.env ?? engine.defaultEnvironment();
    const prompt = new Prompt({ input: process.stdin, output: process.stdout });
    let draft: AgentDraft;
    if (this.args.name === undefined && this.noFieldFlags() && prompt.interactive) {
      try {
        draft = await askDraft(prompt, { env, tools: api.mcp.tools(env) });
      } finally {
        prompt.close();
      }
    } else {
      draft = this.draftFromFlags();
    }
    const agent = await api.agents.create(env, draft);
    if (agent.tools.length > 0 && !(await api.agents.validate(env, [agent.name])).toolsChecked) {
      this.warnOnce([
        `tools not checked: no tools recorded for environment "${env}" yet (run stn sync ${env}, then stn agent validate --env ${env})`,
      ]);
    }
    this.say(`Created agent ${this.style.bold(agent.name)} at ${agent.path ?? agent.fileName}`);
    this.say(`Try it: stn agent render "${agent.name}" --env ${env} "hello"`);
    return agent;
  }

  private noFieldFlags(): boolean {
    const f = this.flags;
    return [
      f.description,
      f.prompt,
      f['prompt-file'],
      f.model,
      f['max-steps'],
      f.tool,
      f.input,
      f.tag,
      f.temperature,
      f['max-tokens'],
    ].every((v) => v === undefined);
  }

  private draftFromFlags(): AgentDraft {
    const f = this.flags;
    const name = this.args.name;
    if (name === undefined) {
      throw new UsageError('missing the agent name', {
        hints: [
          'Give it as the first argument: stn agent create NAME --prompt "..." (the questions are asked only on a terminal).',
        ],
      });
    }
    const draft: AgentDraft = { name };
    if (f.description !== undefined) draft.description = f.description;
    if (f.prompt !== undefined) draft.prompt = f.prompt;
    if (f['prompt-file'] !== undefined) draft.prompt = readPromptFile(f['prompt-file']);
    if (f.model !== undefined) draft.model = f.model;
    if (f['max-steps'] !== undefined) draft.maxSteps = f['max-steps'];
    if (f.tool !== undefined) draft.tools = splitList(f.tool);
    if (f.tag !== undefined) draft.tags = splitList(f.tag);
    if (f.input !== undefined) draft.inputFields = Object.fromEntries(f.input.map(parseInputFieldSpec));
    const config: NonNullable<AgentDraft['config']> = {};
    if (f.temperature !== undefined) {
      const t = Number(f.temperature);
      if (f.temperature.trim() === '' || !Number.isFinite(t))
        throw new UsageError(`--temperature must be a number, got "${f.temperature}"`);
      config.temperature = t;
    }
    if (f['max-tokens'] !== undefined) config.maxTokens = f['max-tokens'];
    if (Object.keys(config).length > 0) draft.config = config;
    return draft;
  }
}

function readPromptFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`prompt file ${path} does not exist`);
    throw error;
  }
}
