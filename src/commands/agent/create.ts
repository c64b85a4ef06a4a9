import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
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
    'With no arguments on a terminal, asks for each field. Otherwise give the name and flags; the prompt is the system prompt (the user input follows it as the user message). Input fields are NAME[?][:TYPE[:DESCRIPTION]] with TYPE string, number, integer, boolean or any; "?" makes a field optional.';
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
    const draft =
      this.args.name === undefined && this.noFieldFlags() && process.stdin.isTTY && process.stdout.isTTY
        ? await askDraft(process.stdin, process.stdout)
        : this.draftFromFlags();
    const agent = await api.agents.create(env, draft);
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

function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
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

/** Asks for the fields (on a terminal; the streams are parameters so that the questions can be tested). */
export async function askDraft(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<AgentDraft> {
  const rl = createInterface({ input, output });
  try {
    let name = '';
    while (name === '') name = (await rl.question('Name: ')).trim();
    const draft: AgentDraft = { name };
    const description = (await rl.question('Description (optional): ')).trim();
    if (description !== '') draft.description = description;
    const model = (await rl.question('Model (empty for the default): ')).trim();
    if (model !== '') draft.model = model;
    for (;;) {
      const steps = (await rl.question('Max steps (empty for the default): ')).trim();
      if (steps === '') break;
      const n = Number(steps);
      if (Number.isInteger(n) && n >= 1) {
        draft.maxSteps = n;
        break;
      }
      output.write('  a whole number of at least 1, please\n');
    }
    const tools = splitList([await rl.question('Tools, comma-separated (e.g. __read_text_file; empty for none): ')]);
    if (tools.length > 0) draft.tools = tools;
    const inputs = splitList([
      await rl.question('Extra input fields, comma-separated NAME[?][:TYPE[:DESCRIPTION]] (empty for none): '),
    ]);
    if (inputs.length > 0) draft.inputFields = Object.fromEntries(inputs.map(parseInputFieldSpec));
    output.write('System prompt (end with an empty line):\n');
    const lines: string[] = [];
    for (;;) {
      const line = await rl.question('> ');
      if (line === '') break;
      lines.push(line);
    }
    if (lines.length > 0) draft.prompt = lines.join('\n');
    return draft;
  } finally {
    rl.close();
  }
}
