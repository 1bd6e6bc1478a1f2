// The QEMU process: started with execa as an argument array, console read live into a watcher and a log file,
// always reaped (SIGTERM, then SIGKILL) by a teardown registered before anything waits on it.
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { execa, type ResultPromise } from 'execa';
import type { Context } from '../util/context.js';
import { ConsoleWatcher } from './console.js';

export interface QemuExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  /** Whether the harness asked it to stop. */
  readonly requested: boolean;
}

export interface QemuProcess {
  readonly pid: number;
  readonly command: readonly string[];
  readonly console: ConsoleWatcher;
  readonly startedAt: number;
  /** Settles when QEMU has exited, however that happened. */
  readonly exited: Promise<QemuExit>;
  /** Null while running. */
  exit(): QemuExit | null;
  /** Stop QEMU (SIGTERM, SIGKILL after 3 s) and wait for it. Idempotent. */
  stop(): Promise<QemuExit>;
}

/** A free TCP port on 127.0.0.1; another process can still take it before QEMU binds (the caller retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start QEMU; with `bwrap` (bwrap's arguments around the same command, util/sandbox.ts), inside its sandbox:
 * `command` stays QEMU's own command line either way.
 */
export function startQemu(ctx: Context, qemu: string, args: readonly string[], consoleLogPath: string, bwrap: readonly string[] | null = null): QemuProcess {
  const startedAt = Date.now();
  const watcher = new ConsoleWatcher(startedAt);
  const log = createWriteStream(consoleLogPath, { flags: 'a' });
  const child: ResultPromise = execa(bwrap ? 'bwrap' : qemu, bwrap ?? args, {
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    stripFinalNewline: false,
    // QEMU must not outlive the harness even if the harness is killed hard.
    cleanup: true,
    forceKillAfterDelay: 3000,
  });
  let requested = false;
  let exitInfo: QemuExit | null = null;
  child.stdout?.on('data', (d: Buffer) => {
    log.write(d);
    watcher.push(d.toString('utf8'));
  });
  const exited = child.then((r) => {
    watcher.end();
    log.end();
    // bwrap reports a child killed by a signal as exit 128 + the signal's number: name the signal, as without it.
    const viaBwrap = bwrap !== null && r.exitCode !== undefined && r.signal === undefined ? signalFromShellCode(r.exitCode) : null;
    exitInfo = viaBwrap ? { code: null, signal: viaBwrap, stderr: String(r.stderr ?? ''), requested } : { code: r.exitCode ?? null, signal: r.signal ?? null, stderr: String(r.stderr ?? ''), requested };
    return exitInfo;
  });
  const kill = async (): Promise<QemuExit> => {
    if (!exitInfo) {
      requested = true;
      child.kill('SIGTERM');
    }
    return exited;
  };
  // Registered while QEMU runs, released (run once) when it is stopped: a long run boots many L1s.
  const released = ctx.cleanup.defer(`stop QEMU pid ${child.pid}`, async () => {
    await kill();
  });
  const stop = async (): Promise<QemuExit> => {
    await released();
    return exited;
  };
  return {
    pid: child.pid ?? -1,
    command: [qemu, ...args],
    console: watcher,
    startedAt,
    exited,
    exit: () => exitInfo,
    stop,
  };
}

/** The signal a wrapper's exit code 128 + N stands for (null for other codes). Pure. */
export function signalFromShellCode(code: number): string | null {
  if (code <= 128 || code > 128 + 64) return null;
  return Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null;
}

/** QEMU's message when the forwarded port was taken between freePort() and its bind. */
export function isPortClash(stderr: string): boolean {
  return /Could not set up host forwarding rule|Address already in use/i.test(stderr);
}
