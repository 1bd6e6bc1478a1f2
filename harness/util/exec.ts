// Running host commands: argument arrays through execa, output teed to a log, failures as HarnessErrors.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Context } from './context.js';
import { AbortedError, HarnessError, type Stage, tailLines } from './errors.js';
import { SANDBOX_BASE_ENV, bwrapArgs, ensureSandbox, policyProblems, rootUsrLinks, type SandboxPolicy } from './sandbox.js';

export interface ExecOptions {
  readonly stage: Stage;
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  /** Kill the command after this many milliseconds (SIGTERM, then SIGKILL after 5 s). */
  readonly timeoutMs?: number;
  /** Append stdout and stderr to this file. */
  readonly logPath?: string;
  /** Standard input text. */
  readonly input?: string | Buffer;
  /** Called for every line of stdout/stderr as it arrives. */
  readonly onLine?: (line: string) => void;
  /** Do not throw on a non-zero exit; return it. */
  readonly reject?: boolean;
  /** Hint for the error when the command fails. */
  readonly hint?: string;
  /** Keep stdout/stderr in memory (default true). */
  readonly buffer?: boolean;
  /**
   * Run confined (util/sandbox.ts) unless the run said --no-sandbox: for every command that executes code the
   * kernel tree or the series brings. Only `env` reaches the command then, not the harness's environment.
   */
  readonly sandbox?: SandboxPolicy;
}

export interface ExecResult {
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

export async function run(ctx: Context, file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const command = [file, ...args];
  const started = Date.now();
  const confined = options.sandbox && ctx.sandbox !== 'off' ? await sandboxed(ctx, options.sandbox, { file, args, cwd: options.cwd, env: options.env }) : null;
  let log: NodeJS.WritableStream | undefined;
  if (options.logPath) {
    await mkdir(dirname(options.logPath), { recursive: true });
    log = createWriteStream(options.logPath, { flags: 'a' });
    log.write(`$ ${command.join(' ')}${confined ? `  # in the sandbox (${options.sandbox!.purpose})` : ''}\n`);
  }
  // Unconfined (--no-sandbox), a step with a sandbox policy still gets the sandbox's environment, not the
  // harness's: the tree's code sees the same variables either way, and kconfig (whose auto.conf.cmd records the
  // environment it read) does not resync when a workspace switches between the two modes.
  const plain = options.sandbox && !confined;
  const child: ResultPromise = execa(confined ? 'bwrap' : file, confined ?? args, {
    cwd: options.cwd,
    env: plain ? { ...SANDBOX_BASE_ENV, ...options.env } : options.env,
    extendEnv: !plain,
    reject: false,
    all: true,
    buffer: options.buffer ?? true,
    stripFinalNewline: false,
    timeout: options.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: 5000,
    cancelSignal: ctx.signal,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
  });
  if (log || options.onLine) {
    let pending = '';
    child.all?.on('data', (chunk: Buffer) => {
      log?.write(chunk);
      if (!options.onLine) return;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
  }
  const result = await child;
  if (log) await new Promise<void>((resolve) => log!.end(resolve));
  const out: ExecResult = {
    command,
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs: Date.now() - started,
    timedOut: Boolean(result.timedOut),
  };
  if (result.isCanceled || ctx.signal.aborted) {
    throw new AbortedError(`interrupted while running ${file}`);
  }
  if (options.reject === false) return out;
  if (out.timedOut || out.exitCode !== 0) {
    const how = out.timedOut ? `timed out after ${options.timeoutMs} ms` : result.signal ? `was killed by ${result.signal}` : `exited with ${out.exitCode}`;
    throw new HarnessError(`${file} ${how}`, {
      stage: options.stage,
      command,
      outputTail: tailLines(String(result.all ?? ''), 20),
      ...(options.logPath ? { logPath: options.logPath } : {}),
      ...(options.hint ? { hint: options.hint } : {}),
      cause: result,
    });
  }
  return out;
}

/** bwrap's arguments for the command, once the policy is checked and bubblewrap is known to work here. */
async function sandboxed(ctx: Context, policy: SandboxPolicy, command: { file: string; args: readonly string[]; cwd?: string; env?: Record<string, string | undefined> }): Promise<string[]> {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw new HarnessError(`bad sandbox policy: ${problems.join('; ')}`, { stage: 'setup' });
  await ensureSandbox(ctx);
  return bwrapArgs(policy, command, await rootUsrLinks());
}

/** Run and return trimmed stdout; throws on failure. */
export async function capture(ctx: Context, file: string, args: readonly string[], options: ExecOptions): Promise<string> {
  return (await run(ctx, file, args, options)).stdout.trim();
}
