import { describe, expect, it } from 'vitest';
import {
  MissingCollector,
  MissingVariablesError,
  findPlaceholders,
  isSecretName,
  placeholderNames,
  renderJsonTemplate,
  templateSkeleton,
} from '../../../src/core/config/template-render.js';

function render(
  text: string,
  values: Record<string, string>,
  file = 'template.json',
): { text: string; missing: MissingCollector } {
  const missing = new MissingCollector();
  return { text: renderJsonTemplate(text, values, file, missing), missing };
}

describe('findPlaceholders', () => {
  it('finds only the Go-template form {{ .NAME }}, with or without inner spaces', () => {
    const text = '{{ .A }} {{.B}} {{   .C_1   }} {{D}} {{ D }} {{ .a.b }} {{ env "X" }} {{ .9x }}';
    expect(placeholderNames(text)).toEqual(['A', 'B', 'C_1']);
  });

  it('gives 1-based lines and columns, and whether each sits inside a JSON string', () => {
    const text = '{\n  "args": ["--root", "{{ .ROOT }}"],\n  "port": {{ .PORT }}\n}';
    const found = findPlaceholders(text);
    expect(found).toEqual([
      expect.objectContaining({ name: 'ROOT', line: 2, column: 23, inString: true }),
      expect.objectContaining({ name: 'PORT', line: 3, column: 11, inString: false }),
    ]);
  });
});

describe('renderJsonTemplate', () => {
  it('escapes values placed in JSON strings, so quotes and backslashes cannot break the file', () => {
    const tricky = 'C:\\dir "quoted" \n new line';
    const { text, missing } = render('{"a": "x {{ .V }} y"}', { V: tricky });
    expect(missing.size).toBe(0);
    expect(JSON.parse(text)).toEqual({ a: `x ${tricky} y` });
  });

  it('puts a value outside a string in as it is (numbers, booleans)', () => {
    const { text } = render('{"timeout_ms": {{ .T }}, "on": {{ .B }}}', { T: '5000', B: 'true' });
    expect(JSON.parse(text)).toEqual({ timeout_ms: 5000, on: true });
  });

  it('leaves other brace forms alone', () => {
    const { text } = render('{"a": "{{name}} and {{ env \\"X\\" }}"}', {});
    expect(JSON.parse(text)).toEqual({ a: '{{name}} and {{ env "X" }}' });
  });

  it('collects every missing variable with each place it is used; an empty value counts as missing', () => {
    const missing = new MissingCollector();
    renderJsonTemplate(
      '{"a": "{{ .TOKEN }}",\n "b": "{{ .ROOT }}", "c": "{{ .TOKEN }}"}',
      { ROOT: '' },
      '/env/template.json',
      missing,
    );
    renderJsonTemplate('{"x": "{{ .API_KEY }}"}', {}, '/env/other.json', missing);
    const list = missing.list({ ROOT: { description: 'Project folder' } });
    expect(list).toEqual([
      {
        name: 'TOKEN',
        secret: true,
        uses: [
          { file: '/env/template.json', line: 1, column: 8 },
          { file: '/env/template.json', line: 2, column: 28 },
        ],
      },
      {
        name: 'ROOT',
        secret: false,
        description: 'Project folder',
        uses: [{ file: '/env/template.json', line: 2, column: 8 }],
      },
      { name: 'API_KEY', secret: true, uses: [{ file: '/env/other.json', line: 1, column: 8 }] },
    ]);
    const error = new MissingVariablesError(list);
    expect(error.exitCode).toBe(6);
    expect(error.message).toBe(
      '3 variables have no value: TOKEN (/env/template.json:1, /env/template.json:2); ROOT (/env/template.json:2); API_KEY (/env/other.json:1)',
    );
    expect(error.toJSON().error.details).toMatchObject({
      missing: [{ name: 'TOKEN' }, { name: 'ROOT', description: 'Project folder' }, { name: 'API_KEY' }],
    });
    // variables.schema.json's "secret" wins over the name, both ways: what the question hides and where it is kept.
    const declared = missing.list({ ROOT: { secret: true }, API_KEY: { secret: false } });
    expect(declared.map((m) => [m.name, m.secret])).toEqual([
      ['TOKEN', true],
      ['ROOT', true],
      ['API_KEY', false],
    ]);
  });

  it('templateSkeleton keeps placeholders in strings and turns bare ones into null', () => {
    expect(JSON.parse(templateSkeleton('{"a": "{{ .A }}", "t": {{ .T }}}'))).toEqual({ a: '{{ .A }}', t: null });
  });
});

describe('isSecretName', () => {
  it.each([
    'GITHUB_TOKEN',
    'API_KEY',
    'aws_secret_access_key',
    'DB_PASSWORD',
    'CLIENT_SECRET',
    'PASSWORD_FILE',
    'credentials',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each(['PROJECT_ROOT', 'ROOT_PATH', 'REGION', 'PORT', 'KEYBOARD_LAYOUT'])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
