import { parseInputFieldSpec, type AgentDraft } from '../core/index.js';
import type { Prompt } from './prompt.js';

/** Asks for the fields of a new agent (`stn agent create` with no arguments on a terminal). */
export async function askDraft(prompt: Prompt): Promise<AgentDraft> {
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
  const tools = splitList([
    await prompt.line('Tools, comma-separated (e.g. __read_text_file; empty for none): ', { flag: '--tool' }),
  ]);
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

/** Values of repeatable, comma-separated options (`--tool a,b --tool c`), trimmed, empty ones dropped. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
