import { parseInputFieldSpec, type AgentDraft } from '../core/index.js';
import type { Prompt } from './prompt.js';

/** The tools the last sync of the environment recorded, to pick from (none before a first sync). */
export interface ToolOffer {
  env: string;
  tools: readonly { qualifiedName: string; description: string }[];
}

/**
 * Asks for the fields of a new agent (`stn agent create` with no arguments on a terminal). With `offer`,
 * the environment's recorded tools are listed to pick from; before a first sync it says how to get them.
 */
export async function askDraft(prompt: Prompt, offer?: ToolOffer): Promise<AgentDraft> {
  const name = await prompt.line('Name: ', {
    flag: 'the name as the first argument',
    validate: (answer) => (answer === '' ? '  a name, please' : undefined),
  });
  const draft: AgentDraft = { name };
  const description = await prompt.line('Description (optional): ', { flag: '--description' });
  if (description !== '') draft.description = description;
  const model = await prompt.line('Model (empty for the default): ', { flag: '--model' });
  if (model !== '') draft.model = model;
  const steps = await prompt.line('Max steps (empty for the default): ', {
    flag: '--max-steps',
    validate: (answer) =>
      answer === '' || (Number.isInteger(Number(answer)) && Number(answer) >= 1)
        ? undefined
        : '  a whole number of at least 1, please',
  });
  if (steps !== '') draft.maxSteps = Number(steps);
  const tools = await askTools(prompt, offer);
  if (tools.length > 0) draft.tools = tools;
  const inputs = splitList([
    await prompt.line('Extra input fields, comma-separated NAME[?][:TYPE[:DESCRIPTION]] (empty for none): ', {
      flag: '--input',
    }),
  ]);
  if (inputs.length > 0) draft.inputFields = Object.fromEntries(inputs.map(parseInputFieldSpec));
  prompt.write('System prompt (end with an empty line):\n');
  const lines: string[] = [];
  for (;;) {
    const line = await prompt.line('> ', { flag: '--prompt or --prompt-file', keepSpaces: true });
    if (line === '') break;
    lines.push(line);
  }
  if (lines.length > 0) draft.prompt = lines.join('\n');
  return draft;
}

async function askTools(prompt: Prompt, offer: ToolOffer | undefined): Promise<string[]> {
  if (offer !== undefined && offer.tools.length > 0) {
    return prompt.chooseMany(
      `Tools the agent may use (recorded by the last sync of "${offer.env}"):`,
      offer.tools.map((t) => ({ label: t.qualifiedName, value: t.qualifiedName, detail: t.description })),
      { flag: '--tool' },
    );
  }
  if (offer !== undefined) {
    prompt.write(
      `No tools are recorded for environment "${offer.env}" yet: run stn sync ${offer.env} to start its MCP servers and record their tools, and they are offered here. Names typed now are checked at the next sync.\n`,
    );
  }
  return splitList([
    await prompt.line('Tools, comma-separated (e.g. __read_text_file; empty for none): ', { flag: '--tool' }),
  ]);
}

/** Values of repeatable, comma-separated options (`--tool a,b --tool c`), trimmed, empty ones dropped. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
