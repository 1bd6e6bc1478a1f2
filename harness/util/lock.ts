// A host-wide exclusive lock on a file: two runs on one host wait for each other instead of corrupting shared state.
//
// The kernel holds it: a flock(2) lock belongs to an open file description and ends when the last descriptor on it
// is closed, which a process's death does at once (SIGKILL and OOM included). Nothing here guesses whether a holder
// is still alive, and the file is never removed (a waiter would then lock an unlinked inode while a newcomer locks a
// new file at the same path). Node has no flock binding and this project takes no native addons, so util-linux's
// flock(1) takes the lock on a descriptor it shares with this process (passed as its fd 3) and exits: the lock stays
// with our descriptor until we close it or die. Our descriptor is O_CLOEXEC (libuv opens every file so), so the
// builds we start never inherit it and cannot keep the lock past us.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { Context } from './context.js';
import { AbortedError, HarnessError, formatCommand, tailLines } from './errors.js';

/** flock(1)'s exit status when the lock is taken (`-n`); its own errors exit 1, so the two stay apart. */
const BUSY = 75;

/** Who holds a lock, as the holder writes it into the file after taking it: for the waiting message, never for a decision. */
export interface Holder {
  readonly pid: number;
  /** ISO 8601. */
  readonly since: string;
  readonly command: string;
}

const HOLDER_LINE = /^(\d+) (\S+) (.*)$/;
const MAX_COMMAND = 200;

/** The file's one line: `<pid> <since> <command>`, the command cut to 200 characters. */
export function holderLine(h: Holder): string {
  const command = h.command.length > MAX_COMMAND ? `${h.command.slice(0, MAX_COMMAND - 3)}...` : h.command;
  return `${h.pid} ${h.since} ${command.replaceAll('\n', ' ')}\n`;
}

/** "pid 123 (sea-harness ci ...) since ..." from the file's text; an empty or foreign file names no one. */
export function describeHolder(text: string): string {
  const m = HOLDER_LINE.exec(text.split('\n')[0]!);
  return m ? `pid ${m[1]} (${m[3]}) since ${m[2]}` : 'another process (it has not written its name yet)';
}

function interrupted(what: string, signal: AbortSignal): AbortedError {
  const reason: unknown = signal.reason;
  return new AbortedError(`interrupted while waiting for the ${what} lock`, reason instanceof AbortedError ? reason.abortCause : 'interrupt');
}

/**
 * `flock -x 3` on our descriptor: 'held' when it exits 0, 'busy' when `try` finds the lock taken, 'aborted' when
 * the signal ended a wait (the helper is killed; a lock it took in that instant is dropped with our descriptor).
 */
function flock(fh: FileHandle, mode: 'try' | 'wait', signal: AbortSignal): Promise<'held' | 'busy' | 'aborted'> {
  const args = ['-x', ...(mode === 'try' ? ['-n'] : []), '-E', String(BUSY), '3'];
  if (mode === 'wait' && signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const child = spawn('flock', args, { stdio: ['ignore', 'ignore', 'pipe', fh.fd] });
    const kill = () => child.kill('SIGKILL');
    if (mode === 'wait') signal.addEventListener('abort', kill, { once: true });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      signal.removeEventListener('abort', kill);
      reject(
        new HarnessError(`cannot run flock(1) to take a lock: ${err.message}`, {
          stage: 'setup',
          cause: err,
          command: ['flock', ...args],
          hint: 'install util-linux (Debian: apt-get install util-linux), which provides /usr/bin/flock',
        }),
      );
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', kill);
      if (code === 0) resolve('held');
      else if (code === BUSY && mode === 'try') resolve('busy');
      else if (sig === 'SIGKILL' && signal.aborted) resolve('aborted');
      else {
        reject(
          new HarnessError(`flock(1) failed with ${code === null ? `signal ${sig}` : `exit ${code}`} while taking a lock`, {
            stage: 'setup',
            command: ['flock', ...args],
            outputTail: tailLines(stderr, 5),
          }),
        );
      }
    });
  });
}

/** Take the lock on `fh`, saying once who holds it if it has to wait. */
async function acquire(ctx: Context, fh: FileHandle, path: string, what: string, signal: AbortSignal): Promise<void> {
  if ((await flock(fh, 'try', signal)) === 'held') return;
  if (signal.aborted) throw interrupted(what, ctx.signal);
  ctx.log.info(`waiting for the ${what} lock (${path}) held by ${describeHolder(await readFile(path, 'utf8').catch(() => ''))}`);
  if ((await flock(fh, 'wait', signal)) === 'held') return;
  throw interrupted(what, ctx.signal);
}

/**
 * Hold the lock at `path` while `fn` runs; waits (saying who holds it) until it is free or ctx is aborted. Released
 * when `fn` settles, when ctx's cleanup scope closes, or by the kernel when this process dies.
 */
export async function withLock<T>(ctx: Context, path: string, what: string, fn: () => Promise<T>): Promise<T> {
  const fh = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  let held = false;
  // Ends a wait when the scope closes before the lock came.
  const scopeClosed = new AbortController();
  let release: () => Promise<void>;
  try {
    release = ctx.cleanup.defer(`release ${what} lock`, async () => {
      scopeClosed.abort();
      try {
        // Emptied while still held, so that no waiter is told a finished run holds it.
        if (held) await fh.truncate(0);
      } finally {
        await fh.close();
      }
    });
  } catch (err) {
    await fh.close();
    throw err;
  }
  try {
    await acquire(ctx, fh, path, what, AbortSignal.any([ctx.signal, scopeClosed.signal]));
    held = true;
    await fh.truncate(0);
    await fh.write(holderLine({ pid: process.pid, since: new Date().toISOString(), command: formatCommand(process.argv) }), 0);
  } catch (err) {
    await release();
    throw err;
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
