// The CLI's process-level duties: signals and deadline into an AbortSignal, cleanup on every exit path,
// and errors mapped to DESIGN.md exit codes (anything unexpected is 3, with its stack trace in a log file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { CleanupScope } from '../util/cleanup.js';
import { createContext, defaultCacheDir, type Context } from '../util/context.js';
import { AbortedError, ExitCode, HarnessError } from '../util/errors.js';
import { streamLogger, type Logger } from '../util/logger.js';
import { exitCodeForError } from '../run/exit-codes.js';
import type { SandboxMode } from '../util/sandbox.js';

export interface Runtime {
  readonly ctx: Context;
  readonly log: Logger;
  /** Why the signal fired: 'SIGINT', 'SIGTERM', 'deadline', or null. */
  abortReason(): string | null;
}

export type CommandMain = (rt: Runtime, argv: readonly string[]) => Promise<number>;

function writeCrashLog(cacheDir: string, err: unknown): string | null {
  try {
    const dir = join(cacheDir, 'logs');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    const e = err as Error;
    writeFileSync(path, `${e?.stack ?? String(err)}\n${e?.cause ? `cause: ${(e.cause as Error)?.stack ?? String(e.cause)}\n` : ''}`);
    return path;
  } catch {
    return null;
  }
}

export async function runCommand(main: CommandMain, argv: readonly string[], options: { verbose: boolean; sandbox?: SandboxMode; deadlineSeconds?: number }): Promise<number> {
  const controller = new AbortController();
  // Every running child process listens on the signal: more than Node's default of 10 is normal here.
  setMaxListeners(0, controller.signal);
  let reason: string | null = null;
  const log = streamLogger(process.stderr, options.verbose);
  const cleanup = new CleanupScope();
  const ctx = createContext({ signal: controller.signal, cleanup, log, cacheDir: defaultCacheDir(), sandbox: options.sandbox ?? 'bubblewrap' });
  if (ctx.sandbox === 'off') log.warn('--no-sandbox: the tree\'s and the series\' code runs on this host unconfined (with network, as this user); the report records it');
  const onSignal = (sig: NodeJS.Signals) => {
    if (reason === null) {
      reason = sig;
      log.warn(`${sig}: stopping and cleaning up (again to force)`);
      controller.abort(new AbortedError(`interrupted by ${sig}`));
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // An error thrown where no caller can catch it (an event handler, a forgotten promise) is still a harness bug:
  // exit 3 with its stack trace kept, after the cleanup has stopped QEMU. Node's default would exit 1, a verdict.
  const onUncaught = (err: unknown) => {
    const code = reportError(err, ctx.cacheDir, null);
    void cleanup.close().finally(() => process.exit(code));
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  let timer: NodeJS.Timeout | undefined;
  if (options.deadlineSeconds) {
    timer = setTimeout(() => {
      reason = 'deadline';
      log.warn(`--deadline ${options.deadlineSeconds} s reached: stopping`);
      controller.abort(new AbortedError(`--deadline of ${options.deadlineSeconds} s reached`, 'deadline'));
    }, options.deadlineSeconds * 1000);
    timer.unref();
  }
  let code: number;
  try {
    code = await main({ ctx, log, abortReason: () => reason }, argv);
  } catch (err) {
    code = reportError(err, ctx.cacheDir, reason);
  } finally {
    if (timer) clearTimeout(timer);
    const errors = await cleanup.close();
    for (const e of errors) log.warn(e.message);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
  return code;
}

/** Print an error for people and pick its exit code. */
export function reportError(err: unknown, cacheDir: string, abortReason: string | null): number {
  if (abortReason === 'SIGINT' || abortReason === 'SIGTERM') {
    process.stderr.write(`sea-harness: interrupted (${abortReason})\n`);
    return ExitCode.interrupted;
  }
  if (abortReason === 'deadline') {
    process.stderr.write(`sea-harness: the --deadline passed before the command finished\n`);
    return ExitCode.infrastructure;
  }
  if (err instanceof HarnessError) {
    process.stderr.write(`sea-harness: ${err.describe()}\n`);
    return exitCodeForError(err);
  }
  const path = writeCrashLog(cacheDir, err);
  process.stderr.write(`sea-harness: internal error: ${(err as Error)?.message ?? String(err)}\n${path ? `  stack trace: ${path}\n` : ''}  this is a harness bug (exit 3), not a verdict on the kernel\n`);
  return ExitCode.infrastructure;
}
