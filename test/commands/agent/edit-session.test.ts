import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editUntilValid } from '../../../src/commands/agent/edit.js';
import { FileFormatError, openEngine, type Engine, type StationError } from '../../../src/core/index.js';
import { makeInitializedHome, type TempHome } from '../../helpers/home.js';

let temp: TempHome;
let engine: Engine;
beforeEach(() => {
  temp = makeInitializedHome();
  engine = openEngine({ home: temp.home });
});
afterEach(async () => {
  await engine.close();
  temp.cleanup();
});

describe('stn agent edit: the edit loop against the real agent service', () => {
  it('an invalid save is offered for another edit, then the fixed text is saved', async () => {
    const file = join(temp.home, 'environments', 'default', 'agents', 'hello.prompt');
    const source = engine.agents.rawSource('default', 'hello');
    const edits = [
      source.text.replace('max_steps: 3', 'max_steps: ten'),
      source.text.replace('max_steps: 3', 'max_steps: 6'),
    ];
    let copy = source.text;
    const asked: StationError[] = [];
    const saved = await editUntilValid(source.text, {
      edit: () => {
        copy = edits.shift() ?? copy;
      },
      read: () => copy,
      save: async (text) => {
        const result = await engine.agents.replaceText('default', 'hello', text, { expectedHash: source.hash });
        return result;
      },
      retry: async (error) => {
        asked.push(error);
        // The original is untouched while the user is asked.
        expect(readFileSync(file, 'utf8')).toBe(source.text);
        return true;
      },
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeInstanceOf(FileFormatError);
    expect(saved?.maxSteps).toBe(6);
    expect(readFileSync(file, 'utf8')).toContain('max_steps: 6');
  });

  it('declining keeps the original and fails with the error; unchanged text saves nothing', async () => {
    const source = engine.agents.rawSource('default', 'hello');
    const bad = source.text.replace('{{userInput}}', '{{#if}}');
    await expect(
      editUntilValid(source.text, {
        edit: () => undefined,
        read: () => bad,
        save: (text) => engine.agents.replaceText('default', 'hello', text),
        retry: async () => false,
      }),
    ).rejects.toThrow(/template/);
    expect(engine.agents.rawSource('default', 'hello').text).toBe(source.text);
    const unchanged = await editUntilValid(source.text, {
      edit: () => undefined,
      read: () => source.text,
      save: () => Promise.reject(new Error('must not save')),
      retry: async () => false,
    });
    expect(unchanged).toBeUndefined();
  });
});
