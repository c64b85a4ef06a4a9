import { createRequire } from 'node:module';
import type { Interface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { ExitCode, StationError, UsageError } from '../core/index.js';

/** The streams a prompt talks on; process.stdin and process.stderr unless given (tests pass PassThrough streams). */
export interface PromptStreams {
  input: Readable & { isTTY?: boolean };
  output: Writable & { isTTY?: boolean; columns?: number };
  /** Whether questions may be asked at all [default: both streams are terminals]. */
  interactive?: boolean;
  /** Line editing with echo, as on a terminal (readline's terminal mode) [default: both streams are terminals]. */
  terminal?: boolean;
}

export interface AskOptions {
  /** The flag (or argument) that gives this answer without a terminal; the error names it when there is none. */
  flag?: string;
}

export interface LineOptions extends AskOptions {
  /** The answer when the line is left empty (the question should show it). */
  default?: string;
  /** Keep leading and trailing spaces [default: trimmed]. */
  keepSpaces?: boolean;
  /** A note printed when the answer will not do (then the question is asked again); undefined accepts it. */
  validate?: (answer: string) => string | undefined;
}

export type HiddenOptions = AskOptions & Pick<LineOptions, 'validate'>;

export interface ConfirmOptions extends AskOptions {
  /** The answer to an empty line [default: false, shown as "[y/N]"]. */
  default?: boolean;
}

export interface Choice<T> {
  label: string;
  value: T;
  /** Shown after the label in the list (e.g. a description); not matched. */
  detail?: string;
}

export interface ChooseOptions<T> extends AskOptions {
  /** The value an empty line picks (marked in the list). */
  default?: T;
}

/** Ctrl-C or the end of the input while a question waits for its answer. */
export class PromptInterruptedError extends StationError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('interrupted', message, ExitCode.INTERRUPTED, options);
  }
}

/**
 * Questions for commands: a line, a hidden line (for secrets: nothing is echoed), yes or no, and a choice from a
 * numbered list. The first question opens a readline on the streams and close() releases it; close() after each
 * conversation, because while it is open a terminal is in raw mode, where Ctrl-C is a key for the prompt and no
 * SIGINT. Lines typed ahead are kept for the next questions. Where the streams are not a terminal nothing is
 * asked: every question fails at once with a UsageError naming the flag to pass instead, so a piped command never
 * waits for an answer.
 */
export class Prompt {
  readonly interactive: boolean;
  private readonly input: PromptStreams['input'];
  private readonly output: PromptStreams['output'];
  private readonly terminal: boolean;
  /** What readline writes (the prompt, the echo of typed keys) goes through here; muted for hidden input. */
  private readonly echo: Echo;
  private rl: Interface | undefined;
  /** Lines that arrived before their question. */
  private readonly typed: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  /** Set once the input can give no more answers. */
  private stopped: PromptInterruptedError | undefined;

  constructor(streams: PromptStreams = { input: process.stdin, output: process.stderr }) {
    const tty = streams.input.isTTY === true && streams.output.isTTY === true;
    this.input = streams.input;
    this.output = streams.output;
    this.interactive = streams.interactive ?? tty;
    this.terminal = streams.terminal ?? tty;
    this.echo = new Echo(streams.output);
  }

  /** Prints text between questions, on the prompt's output. */
  write(text: string): void {
    this.output.write(text);
  }

  /** Asks for a line; `question` is printed as given (e.g. "Name: "). */
  async line(question: string, options: LineOptions = {}): Promise<string> {
    this.mustBeInteractive(question, options.flag);
    for (;;) {
      const typed = await this.read(question, false);
      const answer = options.keepSpaces === true ? typed : typed.trim();
      if (answer === '' && options.default !== undefined) return options.default;
      const problem = options.validate?.(answer);
      if (problem === undefined) return answer;
      this.output.write(`${problem}\n`);
    }
  }

  /** Asks for a secret: what is typed is not echoed, and it is returned as typed (not trimmed). */
  async hidden(question: string, options: HiddenOptions = {}): Promise<string> {
    this.mustBeInteractive(question, options.flag);
    for (;;) {
      const answer = await this.read(question, true);
      const problem = options.validate?.(answer);
      if (problem === undefined) return answer;
      this.output.write(`${problem}\n`);
    }
  }

  /** Asks yes or no: "question [y/N] " (or "[Y/n]" when the default is yes). */
  async confirm(question: string, options: ConfirmOptions = {}): Promise<boolean> {
    this.mustBeInteractive(question, options.flag);
    const byDefault = options.default ?? false;
    for (;;) {
      const answer = (await this.read(`${question} ${byDefault ? '[Y/n]' : '[y/N]'} `, false)).trim().toLowerCase();
      if (answer === '') return byDefault;
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
      this.output.write('  y or n, please\n');
    }
  }

  /** Lists the choices, numbered from 1, and asks for a number (or a label, as written). */
  async choose<T>(
    question: string,
    choices: readonly [Choice<T>, ...Choice<T>[]],
    options: ChooseOptions<T> = {},
  ): Promise<T> {
    this.mustBeInteractive(question, options.flag);
    const byDefault = choices.find((c) => options.default !== undefined && c.value === options.default);
    const list = choices.map((c, i) => `  ${String(i + 1)}) ${c.label}${c === byDefault ? ' (default)' : ''}\n`);
    this.output.write(`${question}\n${list.join('')}`);
    for (;;) {
      const answer = (await this.read(`Choose 1-${String(choices.length)}: `, false)).trim();
      if (answer === '' && byDefault !== undefined) return byDefault.value;
      const picked = /^\d+$/.test(answer)
        ? choices[Number(answer) - 1]
        : choices.find((c) => c.label.toLowerCase() === answer.toLowerCase());
      if (picked !== undefined) return picked.value;
      this.output.write(`  a number from 1 to ${String(choices.length)}, please\n`);
    }
  }

  /**
   * Lists the choices, numbered from 1, and asks for any number of them: numbers or labels (as written,
   * any case), comma- or space-separated; an empty line picks none. An answer naming something not listed
   * is refused with what was wrong, and asked again. Returns the picked values in the order given.
   */
  async chooseMany<T>(question: string, choices: readonly Choice<T>[], options: AskOptions = {}): Promise<T[]> {
    this.mustBeInteractive(question, options.flag);
    const width = Math.max(...choices.map((c) => c.label.length));
    // A terminal that reports no width (0) gets 100 columns.
    const columns = Math.max(
      40,
      this.output.columns === undefined || this.output.columns === 0 ? 100 : this.output.columns,
    );
    const list = choices.map((c, i) => {
      const head = `  ${String(i + 1).padStart(String(choices.length).length)}) ${c.label}`;
      if (c.detail === undefined || c.detail === '') return `${head}\n`;
      const line = `${head.padEnd(width + head.length - c.label.length)}  ${firstLine(c.detail)}`;
      return `${line.length > columns - 1 ? `${line.slice(0, Math.max(head.length, columns - 2))}…` : line}\n`;
    });
    this.output.write(`${question}\n${list.join('')}`);
    for (;;) {
      const answer = await this.read(
        `Numbers or names, comma-separated (1-${String(choices.length)}; empty for none): `,
        false,
      );
      const picked: T[] = [];
      const unknown: string[] = [];
      for (const token of answer.split(/[,\s]+/).filter((t) => t !== '')) {
        const choice = /^\d+$/.test(token)
          ? choices[Number(token) - 1]
          : choices.find((c) => c.label.toLowerCase() === token.toLowerCase());
        if (choice === undefined) unknown.push(token);
        else if (!picked.includes(choice.value)) picked.push(choice.value);
      }
      if (unknown.length === 0) return picked;
      this.output.write(
        `  not in the list: ${unknown.join(', ')} (numbers 1-${String(choices.length)} or names as listed, please)\n`,
      );
    }
  }

  /** Ends the conversation: the terminal leaves raw mode and the input is released until the next question. */
  close(): void {
    const rl = this.rl;
    this.rl = undefined;
    rl?.close();
  }

  private mustBeInteractive(question: string, flag: string | undefined): void {
    if (this.interactive) return;
    const what = question.trim().replace(/[\s:?>]+$/, '');
    throw new UsageError(`"${what}" is needed, and there is no terminal to ask on`, {
      hints: [flag === undefined ? 'Run the command on a terminal.' : `Pass ${flag} instead.`],
    });
  }

  private async read(question: string, hidden: boolean): Promise<string> {
    const typed = this.typed.shift();
    if (typed !== undefined) {
      this.output.write(hidden ? `${question}\n` : question);
      return typed;
    }
    if (this.input.readableEnded) this.stopped ??= ended();
    if (this.stopped !== undefined) throw this.stopped;
    const rl = this.open();
    const answer = new Promise<string>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    if (hidden) {
      this.output.write(question);
      this.echo.muted = true;
      rl.setPrompt('');
    } else {
      rl.setPrompt(question);
    }
    rl.prompt();
    try {
      return await answer;
    } finally {
      if (hidden) {
        this.echo.muted = false;
        this.output.write('\n');
      }
    }
  }

  private open(): Interface {
    if (this.rl !== undefined) return this.rl;
    // readline is loaded by the first question, not by every command (all of them can ask one).
    const { createInterface } = createRequire(import.meta.url)('node:readline') as typeof import('node:readline');
    // historySize 0: a secret must never come back with the up arrow.
    const rl = createInterface({ input: this.input, output: this.echo, terminal: this.terminal, historySize: 0 });
    rl.on('line', (line: string) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting === undefined) this.typed.push(line);
      else waiting.resolve(line);
    });
    // Raw mode turns Ctrl-C into a key: readline reports it here instead of the process getting SIGINT.
    rl.on('SIGINT', () => {
      this.stopped ??= new PromptInterruptedError('interrupted (Ctrl-C)');
      rl.close();
    });
    rl.on('close', () => {
      // Closed by close() (released), or by Ctrl-C or the end of the input (stopped for good).
      if (this.rl === rl) {
        this.stopped ??= ended();
        this.rl = undefined;
      }
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(this.stopped ?? new PromptInterruptedError('the questions were closed'));
    });
    this.rl = rl;
    return rl;
  }
}

function ended(): PromptInterruptedError {
  return new PromptInterruptedError('the input ended before an answer was given');
}

/** Passes writes on to the real output unless muted; readline echoes typed keys through it. */
class Echo extends Writable {
  muted = false;
  constructor(private readonly target: PromptStreams['output']) {
    super({ decodeStrings: false });
  }

  /** readline lays out long lines by the terminal's width. */
  get columns(): number | undefined {
    return this.target.columns;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.muted) this.target.write(chunk);
    done();
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
