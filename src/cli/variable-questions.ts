import { basename } from 'node:path';
import type { MissingVariable } from '../core/index.js';
import { PromptInterruptedError, type Prompt } from './prompt.js';

/**
 * Asks for each variable an environment's MCP configs need; secret-looking ones are read without echo.
 * `defaults` (from a bundle's manifest or schema) are offered: an empty answer takes them.
 */
export async function askVariables(
  prompt: Prompt,
  env: string,
  missing: readonly MissingVariable[],
  defaults: Readonly<Record<string, string>> = {},
): Promise<Record<string, string>> {
  prompt.write(
    `Environment "${env}" needs ${missing.length === 1 ? 'a variable' : `${String(missing.length)} variables`}; answers are saved to its variables.yml (mode 0600).\n`,
  );
  const required = (value: string): string | undefined =>
    value === '' ? '  A value is required (Ctrl-C to stop).' : undefined;
  const answers: Record<string, string> = {};
  try {
    for (const m of missing) {
      const where = m.uses.map((u) => `${basename(u.file)}:${String(u.line)}`).join(', ');
      prompt.write(`\n  ${m.name}${m.description === undefined ? '' : `: ${m.description}`}  (used in ${where})\n`);
      if (m.reason !== undefined) prompt.write(`  (${m.reason})\n`);
      const flag = `--var ${m.name}=VALUE`;
      const offered = defaults[m.name];
      answers[m.name] = m.secret
        ? await prompt.hidden(`  ${m.name} (input hidden): `, { flag, validate: required })
        : offered === undefined
          ? await prompt.line(`  ${m.name}: `, { flag, validate: required })
          : await prompt.line(`  ${m.name} [${offered}]: `, { flag, default: offered, validate: required });
    }
  } catch (error) {
    if (!(error instanceof PromptInterruptedError)) throw error;
    throw new PromptInterruptedError('interrupted while asking for variables; nothing was saved', {
      cause: error,
    });
  }
  prompt.write('\n');
  return answers;
}
