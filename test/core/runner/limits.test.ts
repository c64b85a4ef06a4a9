import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { checkOutput } from '../../../src/core/runner/output-check.js';
import { isOrphanedRun, type ProcessProbe } from '../../../src/core/runner/process-liveness.js';
import { parseDuration, parseRunInput } from '../../../src/core/runner/run-input.js';
import { truncateMiddle } from '../../../src/core/runner/truncate.js';
import type { RunRow } from '../../../src/core/store/run-repo.js';

describe('truncateMiddle', () => {
  it('leaves small results alone', () => {
    expect(truncateMiddle('short', 100)).toEqual({ text: 'short', truncated: false, bytes: 5 });
  });

  it('keeps head and tail within the byte limit, never splitting a character', () => {
    const text = 'é'.repeat(5000) + 'MIDDLE' + '€'.repeat(5000);
    const cut = truncateMiddle(text, 1000);
    expect(cut.truncated).toBe(true);
    expect(cut.bytes).toBe(Buffer.byteLength(text));
    expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(1000);
    expect(cut.text).not.toContain('\uFFFD');
    expect(cut.text.startsWith('éé')).toBe(true);
    expect(cut.text.endsWith('€€')).toBe(true);
    const omitted = Number(/\[\.\.\. (\d+) of (\d+) bytes cut here/.exec(cut.text)![1]);
    const [head, tail] = cut.text.split(/\n\n\[\.\.\..*\.\.\.\]\n\n/);
    expect(Buffer.byteLength(head!) + omitted + Buffer.byteLength(tail!)).toBe(cut.bytes);
  });
});

describe('checkOutput', () => {
  it('accepts any text when no JSON is asked for', () => {
    expect(checkOutput('hello', undefined)).toEqual({ ok: true, text: 'hello' });
  });
  it('parses JSON, removing a code fence, and validates the schema', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    expect(checkOutput('```json\n{"n": 1}\n```', { format: 'json', schema })).toEqual({ ok: true, text: '{"n": 1}' });
    expect(checkOutput('{"m": 1}', { format: 'json', schema })).toEqual({
      ok: false,
      issues: [{ field: '', message: "must have required property 'n'" }],
    });
    const notJson = checkOutput('sure! {"n": 1}', { format: 'json' });
    expect(notJson.ok).toBe(false);
  });
});

describe('parseRunInput and parseDuration', () => {
  it('merges the JSON input, the --var fields over it and TEXT as userInput', () => {
    expect(parseRunInput({ text: 'hi', json: '{"n": 2}' })).toEqual({ userInput: 'hi', n: 2 });
    expect(parseRunInput({ file: 'in.json', readFile: () => '{"a": true}' })).toEqual({ a: true });
    expect(parseRunInput({ json: '@in.json', readFile: (f) => (f === 'in.json' ? '{"a": 1}' : '') })).toEqual({ a: 1 });
    expect(
      parseRunInput({
        json: '{"n": 1, "m": 1}',
        vars: ['n=2', 'q=a=b'],
        coerce: (v) => ({ ...v, n: Number(v.n) }),
        text: 't',
      }),
    ).toEqual({ n: 2, m: 1, q: 'a=b', userInput: 't' });
    expect(parseRunInput({})).toEqual({});
  });
  it('refuses TEXT together with a userInput from --input, --input-file or --var (exit 5, naming both)', () => {
    const twice = (sources: Parameters<typeof parseRunInput>[0]): ValidationError => {
      try {
        parseRunInput(sources);
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('no error');
    };
    const fromJson = twice({ text: 'hi', json: '{"userInput": "old"}' });
    expect(fromJson).toBeInstanceOf(ValidationError);
    expect(fromJson.exitCode).toBe(5);
    expect(fromJson.message).toMatch(/TEXT argument and the userInput of --input/);
    expect(twice({ text: 'hi', file: 'f', readFile: () => '{"userInput": "x"}' }).message).toContain('--input-file');
    expect(twice({ text: 'hi', vars: ['userInput=x'] }).message).toContain('--var userInput');
    expect(() => parseRunInput({ vars: ['novalue'] })).toThrow(/--var needs NAME=VALUE, got "novalue"/);
  });
  it('rejects input that is not a JSON object, naming where it came from', () => {
    expect(() => parseRunInput({ json: '[1]' })).toThrow(/--input must be a JSON object/);
    expect(() => parseRunInput({ file: 'in.json', readFile: () => '{' })).toThrow(/in\.json is not valid JSON/);
    expect(() =>
      parseRunInput({
        file: 'gone.json',
        readFile: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toThrow(ValidationError);
  });
  it('reads durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    for (const bad of ['0', '-1s', 'soon', '5 days']) expect(() => parseDuration(bad)).toThrow(ValidationError);
  });
});

describe('isOrphanedRun', () => {
  const row = (pid: number | null, startedAt: number): RunRow =>
    ({ pid, started_at: startedAt, created_at: startedAt, status: 'running' }) as RunRow;
  const probe = (over: Partial<ProcessProbe> = {}): ProcessProbe => ({
    pid: 100,
    startedAt: 50_000,
    alive: (pid) => pid === 200 || pid === 300,
    startTime: (pid) => (pid === 300 ? 90_000 : 10_000),
    ...over,
  });
  it('a run of a live process that is not ours is still running', () => {
    expect(isOrphanedRun(row(200, 60_000), probe())).toBe(false);
  });
  it('a run of a dead process, or with no pid, is orphaned', () => {
    expect(isOrphanedRun(row(999, 60_000), probe())).toBe(true);
    expect(isOrphanedRun(row(null, 60_000), probe())).toBe(true);
  });
  it('a pid reused by a process that started after the run is orphaned', () => {
    expect(isOrphanedRun(row(300, 60_000), probe())).toBe(true);
  });
  it('our own pid: ours if the run started after this process, else from an earlier process', () => {
    expect(isOrphanedRun(row(100, 60_000), probe())).toBe(false);
    expect(isOrphanedRun(row(100, 10_000), probe())).toBe(true);
  });
});
