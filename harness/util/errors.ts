// The HarnessError family: every failure carries its stage, cause, command, output tail, log path and hint. What
// kind of failure it is lives in its class (usage, interrupted, build or apply failure); the one mapping to exit
// codes is harness/run/exit-codes.ts.

/** DESIGN.md exit codes (harness/run/exit-codes.ts decides which one a run gets). */
export const ExitCode = {
  ok: 0,
  caseFailed: 1,
  usage: 2,
  infrastructure: 3,
  buildFailed: 4,
  applyFailed: 5,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type Stage =
  | 'cli'
  | 'setup'
  | 'source'
  | 'series'
  | 'kconfig'
  | 'build'
  | 'selftests'
  | 'image'
  | 'qemu'
  | 'boot'
  | 'ssh'
  | 'case'
  | 'coverage'
  | 'report'
  | 'bisect'
  | 'ci'
  | 'cache';

export interface HarnessErrorOptions {
  readonly stage: Stage;
  readonly cause?: unknown;
  /** The command that failed, as an argument array. */
  readonly command?: readonly string[];
  /** The last lines of the command's output or of the console. */
  readonly outputTail?: string;
  readonly logPath?: string;
  /** How to fix it. */
  readonly hint?: string;
}

/** Quote one argument for display in a POSIX shell. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function formatCommand(command: readonly string[]): string {
  return command.map(shellQuote).join(' ');
}

export class HarnessError extends Error {
  readonly stage: Stage;
  readonly command: readonly string[] | undefined;
  readonly outputTail: string | undefined;
  readonly logPath: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: HarnessErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.stage = options.stage;
    this.command = options.command;
    this.outputTail = options.outputTail;
    this.logPath = options.logPath;
    this.hint = options.hint;
  }

  /** The full explanation for people: message, command, output tail, log and hint. */
  describe(): string {
    const parts = [`[${this.stage}] ${this.message}`];
    if (this.command) parts.push(`  command: ${formatCommand(this.command)}`);
    if (this.outputTail) parts.push(`  output (last lines):\n${indent(this.outputTail.trimEnd(), '    ')}`);
    if (this.logPath) parts.push(`  log: ${this.logPath}`);
    if (this.hint) parts.push(`  hint: ${this.hint}`);
    return parts.join('\n');
  }
}

/** Bad command line, configuration or data file: the input is wrong, not the kernel or the machine (exit 2). */
export class UsageError extends HarnessError {
  constructor(message: string, hint?: string, options: Partial<HarnessErrorOptions> = {}) {
    super(message, { stage: 'cli', ...options, ...(hint ? { hint } : {}) });
    this.name = 'UsageError';
  }
}

/** Why a command stopped before it finished: a signal (exit 130) or --deadline (exit 3). */
export type AbortCause = 'interrupt' | 'deadline';

export class AbortedError extends HarnessError {
  constructor(
    message: string,
    readonly abortCause: AbortCause = 'interrupt',
  ) {
    super(message, { stage: 'cli' });
    this.name = 'AbortedError';
  }
}

/** Where each patch of a series got: the status of a series that did not apply (model/result's SeriesPatchStatus). */
export interface PatchStatus {
  readonly patch: number;
  readonly subject: string;
  readonly messageId: string | null;
  readonly applied: boolean;
}

/** A patch of the series does not apply to the base: a verdict on the series, not on the machine (exit 5). */
export class SeriesApplyError extends HarnessError {
  readonly status: readonly PatchStatus[];
  constructor(message: string, o: { status: readonly PatchStatus[]; outputTail: string; logPath: string }) {
    super(message, {
      stage: 'series',
      outputTail: o.outputTail,
      logPath: o.logPath,
      hint: 'rebase the series onto this base, or pick the base it was written for (--kernel/--ref)',
    });
    this.name = 'SeriesApplyError';
    this.status = o.status;
  }
}

/**
 * The series is not whole: a patch of its n/M numbering (or of the count its cover letter announces) is not in
 * the input. Refused before any work, like a series that does not apply: a verdict on the input (exit 5).
 */
export class SeriesIncompleteError extends HarnessError {
  constructor(
    message: string,
    readonly gap: { readonly version: number; readonly missing: readonly number[]; readonly total: number },
    hint: string,
  ) {
    super(message, { stage: 'series', hint });
    this.name = 'SeriesIncompleteError';
  }
}

/** The kernel (or its selftests) did not build: a verdict on the tree under test, not on the machine (exit 4). */
export class BuildFailedError extends HarnessError {
  constructor(message: string, options: HarnessErrorOptions) {
    super(message, options);
    this.name = 'BuildFailedError';
  }
}

export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

export function tailLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}
