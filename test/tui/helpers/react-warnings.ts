// What React and Ink print while a TUI test runs: console.error and console.warn (React's warnings, such
// as "Maximum update depth exceeded" or a missing key, go there) and what Ink writes to the stderr of a
// rendered app. The setup file (no-react-warnings.ts) fails every TUI test that printed anything.
import { format } from 'node:util';

interface Frames {
  readonly frames: string[];
}

const printed: string[] = [];
const streams = new Set<Frames>();
let installed = false;

/** Wraps console.error and console.warn once per worker; what they print is kept and still shown. */
export function installConsoleWatch(): void {
  if (installed) return;
  installed = true;
  for (const level of ['error', 'warn'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]): void => {
      printed.push(`console.${level}: ${format(...args)}`);
      original(...args);
    };
  }
}

/** Watches the stderr of an app rendered with ink-testing-library (renderTui does this). */
export function watchStderr(stderr: Frames): void {
  streams.add(stderr);
}

/** Everything printed since the last call, and forgets it (and the watched streams). */
export function takePrinted(): string[] {
  const out = printed.splice(0);
  for (const stream of streams) {
    for (const frame of stream.frames) if (frame.trim() !== '') out.push(`ink stderr: ${frame}`);
    stream.frames.length = 0;
  }
  streams.clear();
  return out;
}

/** Throws with what was printed, if anything was. */
export function assertNothingPrinted(when: string): void {
  const out = takePrinted();
  if (out.length > 0)
    throw new Error(`React or Ink printed ${String(out.length)} warning(s)/error(s) ${when}:\n${out.join('\n')}`);
}
