// The HarnessError family: every failure carries its stage, cause, command, output tail, log path, hint and exit code.

/** DESIGN.md exit codes of `run`. */
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
  | 'report'
  | 'bisect'
  | 'ci'
  | 'cache';

export interface HarnessErrorOptions {
  readonly stage: Stage;
  readonly exitCode?: ExitCodeValue;
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
  readonly exitCode: ExitCodeValue;
  readonly command: readonly string[] | undefined;
  readonly outputTail: string | undefined;
  readonly logPath: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: HarnessErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.stage = options.stage;
    this.exitCode = options.exitCode ?? ExitCode.infrastructure;
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

/** Bad command line or configuration (exit 2). */
export class UsageError extends HarnessError {
  constructor(message: string, hint?: string) {
    super(message, { stage: 'cli', exitCode: ExitCode.usage, ...(hint ? { hint } : {}) });
    this.name = 'UsageError';
  }
}

/** The run was interrupted by SIGINT/SIGTERM (exit 130) or ran past --deadline (exit 3). */
export class AbortedError extends HarnessError {
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.interrupted) {
    super(message, { stage: 'cli', exitCode });
    this.name = 'AbortedError';
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
