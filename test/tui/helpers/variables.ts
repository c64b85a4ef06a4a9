// The default environment of a TUI test station with its filesystem server's root and a secret env value
// taken from variables, and the form the TUI shows for them, answered.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { KEYS, type Screen } from './screen.js';
import { FILESYSTEM_SERVER, type TuiStation } from './station.js';

export const ROOT_VAR = 'STN_TEST_FS_ROOT';
export const TOKEN_VAR = 'STN_TEST_API_TOKEN';
export const TOKEN = 'hunter2-do-not-show';

/** The default environment's filesystem server, its root and a secret env value from variables. */
export function configureVariables(station: TuiStation): string {
  const envDir = join(station.home.paths.environments, 'default');
  writeFileSync(
    join(envDir, 'template.json'),
    JSON.stringify(
      {
        mcpServers: {
          filesystem: {
            command: process.execPath,
            args: [FILESYSTEM_SERVER, `{{ .${ROOT_VAR} }}`],
            env: { API_TOKEN: `{{ .${TOKEN_VAR} }}` },
          },
        },
      },
      null,
      2,
    ),
  );
  return join(envDir, 'variables.yml');
}

/** Presses s, waits for the form, and types both answers (enter moves to the second field). */
export async function answerForm(screen: Screen, files: string): Promise<string> {
  await screen.waitFor(/default \*/);
  await screen.press('s');
  let frame = await screen.waitFor('Sync default: 2 variables have no value', 30_000);
  expect(frame).toContain(ROOT_VAR);
  expect(frame).toContain(TOKEN_VAR);
  expect(frame).toContain('secret (input hidden)');
  expect(frame).toContain('used in template.json:');
  expect(frame).toMatch(/esc cancel/);
  await screen.type(files);
  await screen.waitFor(files);
  await screen.press(KEYS.enter);
  await screen.type(TOKEN);
  frame = await screen.waitFor('•'.repeat(TOKEN.length));
  expect(frame).not.toContain(TOKEN);
  expect(frame).toContain(files);
  return frame;
}
