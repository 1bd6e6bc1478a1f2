// Booting the L1: QEMU from a profile, the console watched for milestones and crashes, then SSH with the pinned host key.
import { join, resolve } from 'node:path';
import type { Context } from '../util/context.js';
import { AbortedError, HarnessError } from '../util/errors.js';
import type { GuestProfile } from './profiles.js';
import { qemuArgs, qemuSandbox, DEFAULT_BIOS, DEFAULT_QEMU, QEMU_SECCOMP, type Accel, type KvmMode } from './qemu-args.js';
import { bwrapArgs, ensureSandbox, rootUsrLinks } from '../util/sandbox.js';
import { freePort, isPortClash, startQemu, type QemuProcess } from './qemu.js';
import { SshSession, type ClientKey } from './ssh.js';
import type { ConsoleEvent } from './console.js';
import { delay } from '../util/delay.js';

/** TCG-aware defaults: a UEFI boot to SSH takes ~3 s idle here, much more on a loaded 2-core host. */
export const DEFAULT_BOOT_TIMEOUT_MS = 180_000;
export const DEFAULT_SSH_TIMEOUT_MS = 60_000;

export interface BootOptions {
  readonly profile: GuestProfile;
  readonly kernelImage: string;
  readonly initrd: string;
  readonly accel: Accel;
  readonly kvmMode?: KvmMode | null;
  readonly append?: string | null;
  readonly qemu?: string | null;
  readonly bios?: string | null;
  readonly outDir: string;
  /** The guest's pinned host public key and this run's client key. */
  readonly hostKey: string;
  readonly clientKey: ClientKey;
  readonly bootTimeoutMs?: number;
  readonly sshTimeoutMs?: number;
  /** Called with the exact QEMU command before it starts (--show-command). */
  readonly onCommand?: (command: readonly string[]) => void;
}

export interface Guest {
  readonly qemu: QemuProcess;
  readonly ssh: SshSession;
  readonly port: number;
  readonly command: readonly string[];
  /** From spawning QEMU to the first successful SSH command. */
  readonly bootMs: number;
  readonly consoleLog: string;
  /** Power the L1 off (QEMU exits through -no-reboot) and reap QEMU. */
  shutdown(): Promise<void>;
}

/** The kernel under test crashed while booting: a verdict on the kernel (crash), not an infrastructure error. */
export class BootCrashError extends HarnessError {
  constructor(readonly crashLine: string, consoleTail: string, logPath: string) {
    super(`the L1 kernel crashed while booting: ${crashLine}`, { stage: 'boot', outputTail: consoleTail, logPath });
    this.name = 'BootCrashError';
  }
}

type Outcome = { kind: 'ready' } | { kind: 'crash'; line: string } | { kind: 'exit' } | { kind: 'timeout' } | { kind: 'aborted' };

function waitForBoot(ctx: Context, q: QemuProcess, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const done = (o: Outcome) => {
      off();
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const off = q.console.onEvent((e: ConsoleEvent) => {
      if (e.type === 'crash') done({ kind: 'crash', line: e.line });
      else if (e.type === 'milestone' && e.milestone === 'sshd-ready') done({ kind: 'ready' });
    });
    if (q.console.milestones.has('sshd-ready')) done({ kind: 'ready' });
    const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
    const onAbort = () => done({ kind: 'aborted' });
    ctx.signal.addEventListener('abort', onAbort);
    void q.exited.then(() => done(q.console.crashes[0] ? { kind: 'crash', line: q.console.crashes[0] } : { kind: 'exit' }));
  });
}

/** bwrap's arguments around QEMU (null with --no-sandbox). */
async function qemuBwrap(ctx: Context, o: BootOptions, qemuBin: string, args: readonly string[]): Promise<string[] | null> {
  if (ctx.sandbox === 'off') return null;
  await ensureSandbox(ctx);
  const qemu = qemuBin.includes('/') ? resolve(qemuBin) : qemuBin;
  const bios = o.bios ?? (o.profile.firmware === 'uefi' ? DEFAULT_BIOS : null);
  const policy = qemuSandbox({ qemu, kernel: o.kernelImage, initrd: o.initrd, bios, accel: o.accel });
  return bwrapArgs(policy, { file: qemu, args }, await rootUsrLinks());
}

export async function bootGuest(ctx: Context, o: BootOptions): Promise<Guest> {
  const consoleLog = join(o.outDir, 'console.log');
  const qemuBin = o.qemu ?? DEFAULT_QEMU;
  const bootTimeoutMs = o.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  // SSH deadline after the L1 says its server is ready: --boot-timeout bounds it too.
  const sshTimeoutMs = o.sshTimeoutMs ?? Math.min(DEFAULT_SSH_TIMEOUT_MS, bootTimeoutMs);
  let sshRetried = false;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = qemuArgs({ profile: o.profile, kernel: o.kernelImage, initrd: o.initrd, accel: o.accel, sshPort: port, kvmMode: o.kvmMode ?? null, append: o.append ?? null, bios: o.bios ?? null });
    o.onCommand?.([qemuBin, ...args]);
    ctx.log.info(`boot: starting the L1 (${o.profile.name}, ${o.accel}${o.kvmMode ? `, kvm-arm.mode=${o.kvmMode}` : ''}), ssh on 127.0.0.1:${port}`);
    const q = startQemu(ctx, qemuBin, args, consoleLog, await qemuBwrap(ctx, o, qemuBin, args));
    const outcome = await waitForBoot(ctx, q, bootTimeoutMs);
    if (outcome.kind === 'exit' && attempt < 5 && isPortClash(q.exit()?.stderr ?? '')) {
      ctx.log.warn(`boot: port ${port} was taken before QEMU bound it; retrying with another`);
      continue;
    }
    if (outcome.kind !== 'ready') {
      if (outcome.kind === 'crash') {
        // Let the rest of the panic reach the console before stopping QEMU.
        await Promise.race([q.exited, delay(1500)]);
      }
      await q.stop();
      const tail = q.console.tail(30);
      if (outcome.kind === 'aborted') throw new AbortedError('interrupted while the L1 was booting');
      if (outcome.kind === 'crash') throw new BootCrashError(outcome.line, tail, consoleLog);
      if (outcome.kind === 'timeout') {
        const seen = [...q.console.milestones.keys()].join(', ') || 'nothing';
        throw new HarnessError(`the L1 did not report its SSH server ready within ${Math.round(bootTimeoutMs / 1000)} s (console showed: ${seen})`, {
          stage: 'boot',
          outputTail: tail,
          logPath: consoleLog,
          hint: q.console.milestones.has('kernel') ? 'the kernel runs but userspace did not start the SSH server: check the console for /init errors' : 'the kernel did not start: check the firmware/kernel lines in console.log',
        });
      }
      const ex = q.exit();
      throw new HarnessError(`QEMU exited during boot (${ex?.signal ? `signal ${ex.signal}` : `exit ${ex?.code}`})${ex?.stderr.trim() ? `: ${ex.stderr.trim().split('\n')[0]}` : ''}`, {
        stage: 'boot',
        command: q.command,
        outputTail: `${ex?.stderr ?? ''}\n${tail}`.trim(),
        logPath: consoleLog,
        hint: /-sandbox support is not enabled/.test(ex?.stderr ?? '')
          ? `this QEMU was built without seccomp, which the harness runs it with (-sandbox ${QEMU_SECCOMP}): use Debian's qemu-system-arm or build with --enable-seccomp`
          : 'see the QEMU error above; `npx sea-harness doctor` checks QEMU and firmware',
      });
    }
    const deadline = Date.now() + sshTimeoutMs;
    let ssh: SshSession;
    try {
      ssh = await SshSession.connectWithRetry(
        { host: '127.0.0.1', port, user: 'root', clientKey: o.clientKey, hostKey: o.hostKey },
        { deadline, signal: ctx.signal, gone: () => (q.exit() ? 'QEMU exited' : q.console.crashes[0] ? `the L1 crashed: ${q.console.crashes[0]}` : null) },
      );
    } catch (err) {
      const liveL1 = q.exit() === null && q.console.crashes.length === 0;
      await q.stop();
      if (ctx.signal.aborted) throw new AbortedError('interrupted while connecting to the L1');
      if (err instanceof HarnessError) throw err;
      const what = `the L1 said its SSH server was ready but ssh to 127.0.0.1:${port} failed: ${(err as Error).message}`;
      // Seen once in many runs: a live L1 whose SSH never answered. A fresh boot is cheap next to losing the run
      // (or a bisect step); a second failure is reported with both boots in console.log.
      if (liveL1 && !sshRetried) {
        sshRetried = true;
        ctx.log.warn(`boot: ${what}; booting the L1 once more`);
        continue;
      }
      throw new HarnessError(`cannot reach the L1 over SSH${sshRetried ? ' (booted twice)' : ''}: ${what}`, { stage: 'ssh', cause: err, outputTail: q.console.tail(20), logPath: consoleLog, hint: 'the console tail above has dropbear\'s log of the connections it saw (or did not see); check that nothing filters 127.0.0.1' });
    }
    const closeSsh = ctx.cleanup.defer('close SSH', () => ssh.close());
    const probe = await ssh.exec('true', { timeoutMs: 30_000 });
    if (probe.exitCode !== 0) throw new HarnessError('the first SSH command in the L1 failed', { stage: 'ssh', outputTail: probe.stderr });
    const bootMs = Date.now() - q.startedAt;
    ctx.log.info(`boot: L1 ready over SSH after ${(bootMs / 1000).toFixed(1)} s`);
    return {
      qemu: q,
      ssh,
      port,
      command: q.command,
      bootMs,
      consoleLog,
      async shutdown() {
        ssh.exec('poweroff -f', { timeoutMs: 2000 }).catch(() => undefined);
        await Promise.race([q.exited, delay(3000)]);
        await closeSsh();
        await q.stop();
      },
    };
  }
}
