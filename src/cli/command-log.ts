// Its own module of the core, not the facade: help and unknown-command errors report through it without loading the core.
import {
  createLogger,
  logLevelAllows,
  redactText,
  resolveLogSettings,
  type LogLevel,
  type LogSettings,
  type Logger,
} from '../core/server/logger.js';
import { errorText, type StyleName } from './output.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** An error as the command reports it (see ErrorRecord in base-command.ts). */
export interface LoggedError {
  code: string;
  message: string;
  hints: readonly string[];
  details?: Record<string, unknown>;
  exitCode: number;
}

/**
 * The diagnostics of one command on stderr (never its output, which is stdout): warnings, notes, errors and
 * the runner's lines. As text for a person (`Warning: ...`, `Error: ...` with its hints), or as JSON lines
 * (`{"ts","level","msg","command",...}`) for log collectors: see resolveLogSettings. Lines under the least
 * level are dropped; secrets are redacted in both forms.
 */
export class CommandLog {
  /** The core logger of this command (the runner's lines go there), with the command's name on each JSON line. */
  readonly logger: Logger;

  constructor(
    readonly settings: LogSettings,
    private readonly style: Record<StyleName, (text: string) => string>,
    command: string | undefined,
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
  ) {
    this.logger = createLogger(
      { format: settings.format, level: settings.level, write },
      command === undefined ? {} : { command },
    );
  }

  get json(): boolean {
    return this.settings.format === 'json';
  }

  enabled(level: LogLevel): boolean {
    return logLevelAllows(this.settings.level, level);
  }

  /** `Warning: message`. */
  warn(message: string, fields?: Record<string, unknown>): void {
    if (this.json) this.logger.warn(plain(message), fields);
    else if (this.enabled('warn')) this.text(`${this.style.yellow('Warning:')} ${message}`);
  }

  /** `Note: message`: a hint about something the user did (an old spelling, a notice of the engine). */
  hint(message: string, fields?: Record<string, unknown>): void {
    if (this.json) this.logger.info(plain(message), fields);
    else if (this.enabled('info')) this.text(`${this.style.dim('Note:')} ${message}`);
  }

  /** A line of progress or explanation, as it is written (text), or an info line (JSON). */
  note(line: string, fields?: Record<string, unknown>): void {
    if (this.json) {
      const message = plain(line);
      if (message !== '') this.logger.info(message, fields);
    } else if (this.enabled('info')) this.text(line);
  }

  /** The error that ends the command: `Error: message` and a line per hint (after an arrow), or one error line. */
  error(error: LoggedError, stack?: string): void {
    if (this.json) {
      this.logger.error(error.message, {
        code: error.code,
        hints: error.hints,
        exitCode: error.exitCode,
        ...(error.details === undefined ? {} : { details: error.details }),
        ...(stack === undefined ? {} : { stack }),
      });
    } else {
      this.write(redactText(errorText(error, this.style, stack)));
    }
  }

  private text(line: string): void {
    this.write(redactText(line) + '\n');
  }
}

/**
 * The log settings from the environment and stderr alone (before a command's flags are read, or when they could
 * not be): a bad STATION_LOG_* value falls back to the default here, as an error is being reported already.
 */
export function fallbackLogSettings(stderrIsTTY = (process.stderr as { isTTY?: boolean }).isTTY === true): LogSettings {
  try {
    return resolveLogSettings({ stderrIsTTY });
  } catch {
    return { format: stderrIsTTY ? 'text' : 'json', level: 'info' };
  }
}

/** A line without colour codes, arrows of continuation and surrounding blank space. */
function plain(line: string): string {
  return line.replace(ANSI, '').trim();
}
