// Logging for library code: a sink the CLI provides (library code never writes to the terminal itself).

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** A transient progress line (overwritten in place on a TTY). */
  progress(message: string): void;
  /**
   * Whether progress() draws a live line (a terminal). False or left out: progress() shows nothing, so a long
   * stage must say it is alive with info() lines instead (util/progress.ts does either).
   */
  readonly live?: boolean;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
  progress() {},
  live: false,
};

/** A logger that writes to a stream (the CLI passes process.stderr). */
export function streamLogger(stream: NodeJS.WritableStream & { isTTY?: boolean }, verbose = false): Logger {
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown && stream.isTTY) stream.write('\r\x1b[K');
    progressShown = false;
  };
  return {
    live: stream.isTTY === true,
    info(message) {
      clearProgress();
      stream.write(`${message}\n`);
    },
    warn(message) {
      clearProgress();
      stream.write(`warning: ${message}\n`);
    },
    debug(message) {
      if (!verbose) return;
      clearProgress();
      stream.write(`debug: ${message}\n`);
    },
    progress(message) {
      if (!stream.isTTY) return;
      const width = (stream as unknown as { columns?: number }).columns ?? 100;
      stream.write(`\r\x1b[K${message.slice(0, width - 1)}`);
      progressShown = true;
    },
  };
}
