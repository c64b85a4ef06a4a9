/**
 * A one-line progress indicator for long commands (sync, mcp check). It draws only on a terminal; when
 * output is piped it does nothing, so logs and CI output stay plain.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  update(text: string): void;
  /** Erases the line; call before printing anything else. */
  stop(): void;
}

export function startSpinner(stream: NodeJS.WriteStream, enabled: boolean, text = ''): Spinner {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let frame = 0;
  let current = text;
  const draw = (): void => {
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\u001b[2K${FRAMES[frame % FRAMES.length] ?? ''} ${current}`.slice(0, width + 8));
    frame++;
  };
  const timer = setInterval(draw, 80);
  timer.unref();
  draw();
  return {
    update: (t) => {
      current = t;
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\u001b[2K');
    },
  };
}
