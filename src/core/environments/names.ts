import { ValidationError } from '../errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An environment name is a folder name: letters, digits, '.', '_' and '-', no separators, no '..'. */
export function validateEnvironmentName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new ValidationError(
      `invalid environment name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/', '\\' or '..')`,
      [{ field: 'name', message: 'expected a folder-safe name such as "staging" or "prod-eu"' }],
    );
  }
  return name;
}

/** Whether a folder name under `environments/` is an environment (a valid name, not hidden). */
export function isEnvironmentFolder(name: string): boolean {
  return NAME.test(name) && !name.includes('..');
}
