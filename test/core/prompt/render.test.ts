import { describe, expect, it } from 'vitest';
import { FileFormatError, ValidationError } from '../../../src/core/errors.js';
import {
  checkAgentTemplate,
  hasRoleMarkers,
  parseAgentFile,
  renderAgent,
  templateVariables,
} from '../../../src/core/prompt/index.js';

const agent = (text: string, file = '/e/agents/a.prompt') => parseAgentFile(file, text);

describe('renderAgent', () => {
  it('role markers split the messages; model becomes assistant; the blank lines around markers go', async () => {
    const a = agent(
      '---\nmodel: m\n---\n{{role "system"}}\nYou help with {{topic}}.\n\n{{role "model"}}\nReady.\n\n{{role "user"}}\n{{userInput}}\n',
    );
    expect(await renderAgent(a, { userInput: 'What is MCP?', topic: 'MCP' })).toEqual([
      { role: 'system', content: 'You help with MCP.' },
      { role: 'assistant', content: 'Ready.' },
      { role: 'user', content: 'What is MCP?' },
    ]);
  });

  it('a body without role markers is the system prompt, followed by the user input', async () => {
    const a = agent('---\nmodel: m\n---\nYou are terse. Task: {{TASK}}.');
    expect(await renderAgent(a, { userInput: 'hi', TASK: 'greet' })).toEqual([
      { role: 'system', content: 'You are terse. Task: greet.' },
      { role: 'user', content: 'hi' },
    ]);
    // Variables nobody supplies render empty (the original's files have such).
    expect(await renderAgent(a, { userInput: 'hi' })).toEqual([
      { role: 'system', content: 'You are terse. Task: .' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('appends the user input when the template renders no user message', async () => {
    const a = agent('{{role "system"}}Only system.');
    expect(await renderAgent(a, { userInput: 'go' })).toEqual([
      { role: 'system', content: 'Only system.' },
      { role: 'user', content: 'go' },
    ]);
    expect(await renderAgent(a, {})).toEqual([{ role: 'system', content: 'Only system.' }]);
  });

  it('keeps the first line indentation of the user input and Handlebars does not escape HTML', async () => {
    const a = agent('{{role "system"}}S\n{{role "user"}}\n{{userInput}}');
    expect(await renderAgent(a, { userInput: '    <b>code</b>\n  more' })).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: '    <b>code</b>\n  more' },
    ]);
  });

  it('uses input.default from the frontmatter, and block helpers', async () => {
    const a = agent(
      '---\ninput:\n  default:\n    who: world\n---\n{{role "system"}}Hello {{who}}{{#if loud}}!{{/if}}\n{{role "user"}}{{userInput}}',
    );
    expect(await renderAgent(a, { userInput: 'x' })).toEqual([
      { role: 'system', content: 'Hello world' },
      { role: 'user', content: 'x' },
    ]);
    expect(await renderAgent(a, { userInput: 'x', who: 'you', loud: true })).toEqual([
      { role: 'system', content: 'Hello you!' },
      { role: 'user', content: 'x' },
    ]);
  });

  it('role markers inside blocks count as markers', () => {
    expect(hasRoleMarkers('{{#if x}}{{role "user"}}{{/if}}text')).toBe(true);
    expect(hasRoleMarkers('{{history}}')).toBe(true);
    expect(hasRoleMarkers('No {{markers}} here {{!-- {{role "user"}} --}}')).toBe(false);
  });

  it('a broken template is a FileFormatError with the line', async () => {
    const text = '---\nmodel: m\n---\n{{role "system"}}\nline two\n{{#if x}}unclosed\n';
    const a = agent(text);
    const rendered = await renderAgent(a, {}).catch((e: unknown) => e);
    expect(rendered).toBeInstanceOf(FileFormatError);
    expect((rendered as FileFormatError).message).toMatch(
      /^\/e\/agents\/a\.prompt \(key "template"\): template line 3: /,
    );
    const checked = await checkAgentTemplate(a, 4).catch((e: unknown) => e);
    expect((checked as FileFormatError).position).toMatchObject({
      file: '/e/agents/a.prompt',
      line: 6,
      key: 'template',
    });
  });

  it('an unknown helper and the tool role are errors', async () => {
    await expect(renderAgent(agent('{{shout userInput}}'), {})).rejects.toThrow(/unknown helper shout/);
    await expect(renderAgent(agent('{{role "tool"}}x'), {})).rejects.toThrow(ValidationError);
  });

  it('templateVariables lists the input variables a template reads', () => {
    expect(
      templateVariables(
        '{{role "system"}}{{TASK}} {{#if repo}}in {{repo}}{{else}}{{fallback}}{{/if}} {{json data indent=2}} {{ifEquals mode "x"}}' +
          '{{#each items}}{{this}} {{name}} {{@index}}{{/each}} {{#with who}}{{first}}{{/with}} {{@root.x}} {{lookup map key}}\n{{role "user"}}{{userInput}}',
      ),
    ).toEqual(['TASK', 'data', 'fallback', 'items', 'key', 'map', 'mode', 'repo', 'userInput', 'who']);
  });
});
