import { ValidationError } from '../errors.js';

const MAX_FILE_NAME_BYTES = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * An agent name becomes the file name `<name>.prompt`, so it must stay inside the agents folder: no '/',
 * '\', '..', NUL or other control characters, no leading dot, no leading or trailing spaces. Spaces
 * inside are fine ("Security Scanner").
 */
export function validateAgentName(name: string): string {
  const problem = agentNameProblem(name);
  if (problem !== undefined) {
    throw new ValidationError(
      `invalid agent name ${JSON.stringify(name)}: ${problem}`,
      [{ field: 'name', message: problem }],
      {
        hints: ['Use letters, digits, spaces, "-" or "_", e.g. "Security Scanner" or "code-reviewer".'],
      },
    );
  }
  return name;
}

export function agentNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name is empty';
  if (name !== name.trim()) return 'the name starts or ends with a space';
  if (name.includes('/') || name.includes('\\')) return "the name contains '/' or '\\' (it becomes a file name)";
  if (name.includes('..')) return "the name contains '..'";
  if (CONTROL.test(name)) return 'the name contains a control character';
  if (name.startsWith('.')) return 'the name starts with a dot (hidden file)';
  if (Buffer.byteLength(agentFileName(name)) > MAX_FILE_NAME_BYTES) return 'the name is too long for a file name';
  return undefined;
}

/** The file an agent of this name is written to. */
export function agentFileName(name: string): string {
  return `${name}.prompt`;
}
