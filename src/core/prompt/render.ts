/**
 * Rendering with Google's dotprompt package (Handlebars underneath). The package is loaded on first use,
 * so that parsing and listing agents never pay for it.
 */
import type {
  DataArgument,
  Dotprompt,
  DotpromptOptions,
  Message,
  ParsedPrompt,
  PromptFunction,
  PromptMetadata,
} from 'dotprompt';
import { FileFormatError, ValidationError, errorMessage } from '../errors.js';
import { isPlainObject } from './parse.js';
import { hasRoleMarkers } from './template-ast.js';
import type { AgentDefinition, ChatMessage } from './types.js';

export type PromptRendererOptions = DotpromptOptions;

/** A dotprompt renderer configured the way Station renders agents (the spec suite runs through this). */
export async function createPromptRenderer(options: PromptRendererOptions = {}): Promise<Dotprompt> {
  const { Dotprompt: DotpromptClass } = await import('dotprompt');
  return new DotpromptClass(options);
}

const ROLES: Record<string, ChatMessage['role'] | undefined> = { system: 'system', user: 'user', model: 'assistant' };

/**
 * Converts dotprompt messages to chat messages: text parts are joined, `model` becomes `assistant`, and
 * the line breaks around role markers are dropped (blank lines before the first line of text and
 * whitespace at the end; the first line keeps its indentation). Messages left empty are dropped. Parts
 * Station cannot send as text (media, pending sections) and the `tool` role are errors.
 */
export function toChatMessages(messages: readonly Message[], where = 'template'): ChatMessage[] {
  return messages.map((message) => toChatMessage(message, where)).filter((m) => m.content !== '');
}

function toChatMessage(message: Message, where: string): ChatMessage {
  const role = ROLES[message.role];
  if (role === undefined) {
    throw new ValidationError(`${where}: role "${message.role}" is not supported; use system, user or model`, [
      { field: 'template', message: `unsupported role "${message.role}"` },
    ]);
  }
  let content = '';
  for (const part of message.content) {
    if (typeof part.text === 'string') content += part.text;
    else {
      const kind = part.media !== undefined ? 'media' : part.metadata?.pending === true ? 'section' : 'non-text';
      throw new ValidationError(`${where}: ${kind} parts are not supported; Station sends text messages`, [
        { field: 'template', message: `unsupported ${kind} part` },
      ]);
    }
  }
  return { role, content: content.replace(/^(?:[ \t]*\n)+/, '').trimEnd() };
}

/**
 * The messages an agent sends for an input. A body without role markers is the system prompt; the
 * userInput then follows as a user message (it is also appended whenever no user message was rendered).
 * `input.default` values from the frontmatter fill variables the caller leaves out.
 */
export async function renderAgent(agent: AgentDefinition, input: Record<string, unknown>): Promise<ChatMessage[]> {
  return renderMessages(agent, input, undefined);
}

/**
 * Checks that a template compiles and renders (syntax, unknown helpers, unsupported roles or parts).
 * `bodyLine` is the line of the file where the body starts, so that errors name file lines.
 */
export async function checkAgentTemplate(agent: AgentDefinition, bodyLine?: number): Promise<void> {
  await renderMessages(agent, {}, bodyLine);
}

async function renderMessages(
  agent: AgentDefinition,
  input: Record<string, unknown>,
  bodyLine: number | undefined,
): Promise<ChatMessage[]> {
  return (await compileAgent(agent, bodyLine))(input);
}

/** An agent's template compiled: renders the messages for an input (see renderAgent). */
export type AgentRenderer = (input: Record<string, unknown>) => Promise<ChatMessage[]>;

/**
 * Compiles an agent's template once, for many inputs: a run queue keeps it while the agent's file is
 * unchanged, instead of making a renderer and compiling the template for every run.
 */
export async function compileAgent(agent: AgentDefinition, bodyLine?: number): Promise<AgentRenderer> {
  const renderer = await createPromptRenderer();
  const where = agent.path ?? agent.fileName;
  const parsed: ParsedPrompt = { template: agent.template, config: {}, ext: {}, metadata: {} };
  const defaults = isPlainObject(agent.frontmatter.input) ? agent.frontmatter.input.default : undefined;
  const options: PromptMetadata = isPlainObject(defaults) ? { input: { default: defaults } } : {};
  // Known once the template has rendered (its syntax errors are reported by rendering, with their line).
  let roles: boolean | undefined;
  let render: PromptFunction;
  try {
    render = await renderer.compile(parsed);
  } catch (error) {
    throw templateError(where, error, bodyLine);
  }
  return async (input) => {
    const data: DataArgument = { input: { ...input } };
    let rendered: Message[];
    try {
      rendered = (await render(data, options)).messages;
    } catch (error) {
      throw templateError(where, error, bodyLine);
    }
    const messages = toChatMessages(rendered, where);
    roles ??= hasRoleMarkers(agent.template);
    const out: ChatMessage[] = roles ? messages : messages.map((m) => ({ role: 'system', content: m.content }));
    const userInput = input.userInput;
    if (typeof userInput === 'string' && userInput !== '' && !out.some((m) => m.role === 'user')) {
      out.push({ role: 'user', content: userInput });
    }
    return out;
  };
}

/**
 * A template failure as a FileFormatError. Handlebars reports lines of the template; with `bodyLine`
 * (where the body starts in the file) they become lines of the file.
 */
function templateError(file: string, error: unknown, bodyLine: number | undefined): FileFormatError {
  const message = errorMessage(error);
  const lineNumber = (error as { lineNumber?: unknown } | undefined)?.lineNumber;
  const match = /line (\d+)/.exec(message);
  const line = typeof lineNumber === 'number' ? lineNumber : match?.[1] === undefined ? undefined : Number(match[1]);
  const reason = message
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^-*\^$/.test(l.trim()))
    .join(' ')
    .replace(/\s+/g, ' ');
  const position =
    line !== undefined && bodyLine !== undefined
      ? { file, line: bodyLine + line - 1, key: 'template' }
      : { file, key: 'template' };
  const where = line !== undefined && bodyLine === undefined ? `template line ${String(line)}: ` : 'template: ';
  return new FileFormatError(position, `${where}${reason}`, {
    hints: ['Check the Handlebars syntax: {{variable}}, {{#if x}}...{{/if}}, {{role "system"}}, {{role "user"}}.'],
  });
}
