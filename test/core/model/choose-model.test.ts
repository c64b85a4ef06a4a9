import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, chooseModel, parseStationConfig, FileFormatError } from '../../../src/core/index.js';
import { globMatches, matchAlias } from '../../../src/core/model/index.js';

const base = { name: 'local-model', aliases: {}, override: false };

describe('chooseModel: which model a run uses, and why', () => {
  it('the agent file, else config.yaml model.name', () => {
    expect(chooseModel(base, 'gpt-4o-mini')).toEqual({
      model: 'gpt-4o-mini',
      reason: 'file',
      fileModel: 'gpt-4o-mini',
      explanation: 'gpt-4o-mini (the agent file)',
    });
    expect(chooseModel(base, undefined)).toMatchObject({
      model: 'local-model',
      reason: 'config',
      fileModel: null,
      explanation: 'local-model (config.yaml model.name)',
    });
    expect(chooseModel(base, '  ').reason).toBe('config');
  });

  it('model.aliases maps the file model: an exact name wins over a pattern, then the first pattern', () => {
    const aliases = { 'gemini-*': 'pattern-model', 'gemini-2.5-flash': 'exact-model', 'gpt-?': 'five' };
    const config = { ...base, aliases };
    expect(chooseModel(config, 'gemini-2.5-flash')).toEqual({
      model: 'exact-model',
      reason: 'alias',
      fileModel: 'gemini-2.5-flash',
      alias: 'gemini-2.5-flash',
      explanation: 'exact-model (the agent file says gemini-2.5-flash; config.yaml model.aliases "gemini-2.5-flash")',
    });
    expect(chooseModel(config, 'gemini-1.5-pro')).toMatchObject({ model: 'pattern-model', alias: 'gemini-*' });
    expect(chooseModel(config, 'gpt-5')).toMatchObject({ model: 'five', reason: 'alias' });
    expect(chooseModel(config, 'gpt-5-mini')).toMatchObject({ model: 'gpt-5-mini', reason: 'file' });
  });

  it('model.override uses model.name for every agent; --model wins over everything', () => {
    const config = { name: 'local-model', aliases: { 'gpt-*': 'aliased' }, override: true };
    expect(chooseModel(config, 'gpt-5')).toEqual({
      model: 'local-model',
      reason: 'override',
      fileModel: 'gpt-5',
      explanation: 'local-model (config.yaml model.override; the agent file says gpt-5)',
    });
    expect(chooseModel(config, undefined).reason).toBe('override');
    expect(chooseModel(config, 'gpt-5', 'flag-model')).toEqual({
      model: 'flag-model',
      reason: 'flag',
      fileModel: 'gpt-5',
      explanation: 'flag-model (--model; the agent file says gpt-5)',
    });
  });

  it('patterns: * is any text, ? one character, nothing else is special', () => {
    expect(globMatches('gemini-*', 'gemini-')).toBe(true);
    expect(globMatches('*', 'anything')).toBe(true);
    expect(globMatches('gpt-4o?', 'gpt-4o')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('(x)+[y]', '(x)+[y]')).toBe(true);
    expect(matchAlias({ 'a*': 'one', '*b': 'two' }, 'ab')).toEqual(['a*', 'one']);
    expect(matchAlias({}, 'x')).toBeUndefined();
  });
});

describe('config.yaml model.aliases and model.override', () => {
  it('default to none and false; read when set, in file order', () => {
    expect(DEFAULT_CONFIG.model).toMatchObject({ aliases: {}, override: false });
    const config = parseStationConfig(
      'c.yaml',
      'model:\n  name: m\n  override: true\n  aliases:\n    "gemini-*": m\n    gpt-5: other\n',
    );
    expect(config.model.override).toBe(true);
    expect(Object.entries(config.model.aliases)).toEqual([
      ['gemini-*', 'm'],
      ['gpt-5', 'other'],
    ]);
  });

  it('a wrong type names the key and what was expected', () => {
    const bad = (text: string): FileFormatError => {
      try {
        parseStationConfig('config.yaml', text);
      } catch (error) {
        if (error instanceof FileFormatError) return error;
        throw error;
      }
      throw new Error('expected a FileFormatError');
    };
    expect(bad('model:\n  override: yes please\n').position).toMatchObject({ line: 2, key: 'model.override' });
    const aliases = bad('model:\n  aliases:\n    gpt-5: 3\n');
    expect(aliases.position).toMatchObject({ key: 'model.aliases' });
    expect(aliases.message).toContain('a mapping of model names');
    expect(bad('model:\n  aliases: [a, b]\n').position.key).toBe('model.aliases');
  });
});
