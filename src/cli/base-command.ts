import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import {
  Application,
  ExitCode,
  isStationError,
  logRunEvents,
  openEngine,
  resolveLogSettings,
  type LogLevel,
  type Engine,
  type KeyWarning,
  type PrivacyWarning,
  type StationApi,
} from '../core/index.js';
import { CommandLog, fallbackLogSettings } from './command-log.js';
import { colorEnabled, makeStyle } from './output.js';
import { Prompt } from './prompt.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** An error as a command reports it: `--json` prints it, and the process ends with its exit code. */
export interface ErrorRecord {
  code: string;
  message: string;
  /** What the user can do next. */
  hints: readonly string[];
  details?: Record<string, unknown>;
  exitCode: number;
}

/**
 * Every stn command extends this: global flags (--home, --debug, --json), one open engine closed
 * at the end, and the one place where errors become messages and exit codes.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    home: Flags.string({
      description:
        'Station home folder [default: $STATION_HOME, else $XDG_CONFIG_HOME/station, else ~/.config/station]',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      description: 'Print stack traces with errors (also STATION_DEBUG=1).',
      helpGroup: 'GLOBAL',
      default: false,
    }),
    'log-format': Flags.string({
      description:
        'Diagnostics on stderr (warnings, notes, errors, logs) as text or JSON lines [default: $STATION_LOG_FORMAT, else text on a terminal, json otherwise].',
      options: ['text', 'json'],
      helpGroup: 'GLOBAL',
    }),
    'log-level': Flags.string({
      description: 'Least level of diagnostics on stderr [default: $STATION_LOG_LEVEL, else info].',
      options: ['debug', 'info', 'warn', 'error'],
      helpGroup: 'GLOBAL',
    }),
  };

  /** The least level logged when neither --log-level nor STATION_LOG_LEVEL says. */
  static logLevelDefault: LogLevel = 'info';

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  private engineHandle: Engine | undefined;
  private apiHandle: StationApi | undefined;
  private privacyWarned = false;
  private logHandle: CommandLog | undefined;
  /** Warnings already printed by this command (each is printed once). */
  private readonly warned = new Set<string>();

  /** Styles for stdout: plain when piped or NO_COLOR is set. */
  protected readonly style = makeStyle(colorEnabled(process.stdout));
  /** Styles for stderr. */
  protected readonly errStyle = makeStyle(colorEnabled(process.stderr));

  override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.logHandle = undefined;
    this.diagnostics(); // a bad STATION_LOG_FORMAT or STATION_LOG_LEVEL is a usage error before anything runs
  }

  /**
   * Where this command's diagnostics go (stderr): text on a terminal, JSON lines otherwise or with --log-format
   * json, from --log-level (or STATION_LOG_LEVEL) up. Made once the flags are read; before that (a bad flag),
   * from the environment.
   */
  protected diagnostics(): CommandLog {
    if (this.logHandle !== undefined) return this.logHandle;
    const flags = this.flags as { 'log-format'?: string; 'log-level'?: string } | undefined;
    const settings = resolveLogSettings({
      format: flags?.['log-format'],
      level: flags?.['log-level'],
      stderrIsTTY: (process.stderr as { isTTY?: boolean }).isTTY === true,
      defaultLevel: (this.constructor as typeof BaseCommand).logLevelDefault,
    });
    this.logHandle = new CommandLog(settings, this.errStyle, this.id?.replaceAll(':', ' '));
    return this.logHandle;
  }

  /** The engine for this command's Station home, opened once and closed when the command ends. */
  protected engine(): Engine {
    if (this.engineHandle === undefined) {
      this.engineHandle = openEngine({ home: this.flags.home, warn: (message) => this.diagnostics().warn(message) });
      this.engineHandle.agents.onNotice = (message) => {
        this.hintOnce(message);
      };
      this.warnPrivacy(this.engineHandle.privacyWarnings());
      this.warnOnce(this.engineHandle.configWarnings());
      // The runner's lines (run id, environment, status) for log collectors, or for a person asking for debug.
      const log = this.diagnostics();
      if (log.json || log.enabled('debug'))
        this.engineHandle.onClose(logRunEvents(this.engineHandle.events, log.logger));
    }
    return this.engineHandle;
  }

  /**
   * Prints warnings on stderr (never into machine-readable stdout), each once per command: unknown keys
   * in config.yaml, template.json or agent files, with file:line and the key meant.
   */
  protected warnOnce(warnings: readonly (KeyWarning | string)[]): void {
    for (const w of warnings) {
      const message = typeof w === 'string' ? w : w.message;
      if (this.warned.has(message)) continue;
      this.warned.add(message);
      this.diagnostics().warn(message);
    }
  }

  /**
   * Warns about typos in the MCP config files of these environments (`agrs` for `args`) before anything
   * starts a server, so that a server that then hangs is explained. An environment that cannot be read is
   * left to the command, which reports it.
   */
  protected warnMcpConfigTypos(environments: readonly string[]): void {
    for (const env of environments) {
      try {
        this.warnOnce(this.api().mcp.configWarnings(env));
      } catch (error) {
        if (!isStationError(error)) throw error;
      }
    }
  }

  /** Warns about likely typos among an agent's frontmatter keys; an agent that cannot be read is left to the command. */
  protected warnAgentTypos(env: string, name: string): void {
    try {
      this.warnOnce(this.api().agents.source(env, name).warnings);
    } catch (error) {
      if (!isStationError(error)) throw error;
    }
  }

  /**
   * The one-line hint of a hidden alias kept for users of the original Station (`stn runs inspect`,
   * `sync --validate`): on stderr, so --json stays clean, and once per command.
   */
  /** A note on stderr, once per message (never in --json output, which is stdout). */
  protected hintOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.diagnostics().hint(message);
  }

  protected hintOriginal(used: string, instead: string): void {
    const message = `${used} is the original Station's spelling; Station's is ${instead}.`;
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.diagnostics().hint(message);
  }

  /** Whether warnOnce has printed this message already. */
  protected alreadyWarned(message: string): boolean {
    return this.warned.has(message);
  }

  /**
   * Tells the user, on stderr and once per command, about files holding secrets that others may read,
   * with the command that fixes each.
   */
  protected warnPrivacy(warnings: readonly PrivacyWarning[]): void {
    if (this.privacyWarned || warnings.length === 0) return;
    this.privacyWarned = true;
    const s = this.errStyle;
    const log = this.diagnostics();
    for (const w of warnings) {
      const mode = w.mode.toString(8).padStart(4, '0');
      const message = `${w.file} may hold secrets and is open to group or others (mode ${mode}).`;
      if (log.json) {
        log.warn(message, { file: w.file, mode, fix: w.fix });
      } else {
        log.warn(message);
        if (log.enabled('warn')) log.note(`  ${s.dim('→')} Run: ${w.fix}`);
      }
    }
  }

  /**
   * The application layer as the local user (audited as `local:<os user>`): every read and change a
   * command makes goes through it, as REST, MCP and the TUI do.
   */
  protected api(): StationApi {
    this.apiHandle ??= new Application(this.engine()).local('cli');
    return this.apiHandle;
  }

  /** Warns of each environment a key is granted that does not exist (yet): a typo shows at once. */
  protected warnUnknownEnvironments(granted: readonly string[]): void {
    const known = new Set(
      this.api()
        .environments.list()
        .map((e) => e.name),
    );
    for (const env of granted) {
      if (env !== '*' && !known.has(env))
        this.diagnostics().warn(`environment "${env}" does not exist (yet); the key will apply once it does.`);
    }
  }

  /**
   * Prints a line to stdout unless --json is on (then the returned value is the output). A function is
   * called only when the line is printed: a table of 1 000 rows is not formatted for nothing under --json.
   */
  protected say(line: string | (() => string) = ''): void {
    if (!this.jsonEnabled()) process.stdout.write((typeof line === 'function' ? line() : line) + '\n');
  }

  /**
   * Prints a note to stderr (never mixes into machine-readable stdout): as written on a terminal, an info line
   * of JSON otherwise (see diagnostics()); dropped under --log-level warn.
   */
  protected note(line: string): void {
    this.diagnostics().note(line);
  }

  /** --json output: plain, pretty JSON on stdout (no colour codes, so it pipes into jq and files). */
  override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  }

  protected debugEnabled(): boolean {
    const env = process.env.STATION_DEBUG;
    return this.argv.includes('--debug') || (env !== undefined && env !== '' && env !== '0');
  }

  override async catch(error: Error & { exitCode?: number }): Promise<void> {
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit;
      return;
    }
    if (await this.offerOriginalImport(error)) return;
    const record = this.errorRecord(error);
    process.exitCode = record.exitCode;
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error));
      return;
    }
    this.errorLog().error(record, this.debugEnabled() ? error.stack : undefined);
  }

  /** The log for the command's error: diagnostics() when it can be made, else (a bad STATION_LOG_* value) a plain one. */
  private errorLog(): CommandLog {
    try {
      return this.diagnostics();
    } catch {
      return new CommandLog(fallbackLogSettings(), this.errStyle, this.id?.replaceAll(':', ' '));
    }
  }

  /**
   * A station.db made by the original Station, met on a terminal: asks whether to move it aside and import its
   * run history (`stn init --import-original`), and does it on yes. False (the error is reported) otherwise.
   */
  private async offerOriginalImport(error: unknown): Promise<boolean> {
    if (!isStationError(error) || error.code !== 'database_original' || this.id === 'init') return false;
    if (this.jsonEnabled()) return false;
    const prompt = new Prompt();
    if (!prompt.interactive) return false;
    let yes: boolean;
    try {
      prompt.write(`${error.message}.\n`);
      const aside = typeof error.details?.aside === 'string' ? error.details.aside : 'station.original.db';
      yes = await prompt.confirm(`Move it aside to ${aside} and import its run history?`, {
        flag: '--import-original',
      });
    } catch {
      return false;
    } finally {
      prompt.close();
    }
    if (!yes) return false;
    const home = (this.flags as { home?: string } | undefined)?.home;
    await this.config.runCommand('init', ['--import-original', ...(home === undefined ? [] : ['--home', home])]);
    if (process.exitCode === undefined || process.exitCode === 0) {
      const words = [...(this.id?.split(':') ?? []), ...this.argv];
      this.note(`Now run it again: stn ${words.join(' ')}`);
    }
    return true;
  }

  /** The --json form of an error (oclif prints it with logJson): `{"error": ErrorRecord}`. */
  protected override toErrorJson(error: unknown): unknown {
    return { error: this.errorRecord(error) };
  }

  /** What an error means for the user: Station's typed errors, oclif's usage errors, or a bug. */
  protected errorRecord(error: unknown): ErrorRecord {
    if (isStationError(error)) {
      return {
        code: error.code,
        message: error.message,
        hints: error.hints,
        ...(error.details ? { details: error.details } : {}),
        exitCode: error.exitCode,
      };
    }
    if (error instanceof Errors.CLIError || (error as { oclif?: unknown } | null)?.oclif !== undefined) {
      // oclif's own errors: bad flags, missing arguments, unknown values.
      const oclifExit = (error as { oclif?: { exit?: number } }).oclif?.exit;
      return {
        code: 'usage',
        message: stripOclifPrefix((error as Error).message),
        hints: [`See: stn ${this.id?.replaceAll(':', ' ') ?? ''} --help`.replace(/\s+--help$/, ' --help')],
        exitCode: oclifExit === undefined || oclifExit === 1 ? ExitCode.USAGE : oclifExit,
      };
    }
    return {
      code: 'internal',
      message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
      hints: this.debugEnabled()
        ? []
        : ['Run again with --debug (or STATION_DEBUG=1) for the stack trace, and report it.'],
      exitCode: ExitCode.ERROR,
    };
  }

  override async finally(error: Error | undefined): Promise<void> {
    const engine = this.engineHandle;
    this.engineHandle = undefined;
    this.apiHandle = undefined;
    if (engine !== undefined) await engine.close();
    await super.finally(error);
  }
}

function stripOclifPrefix(message: string): string {
  return (
    message
      .replace(/^Error:\s*/, '')
      .split('\nSee more help with')[0]
      ?.trim() ?? message
  );
}
