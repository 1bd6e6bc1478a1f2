// The L1 part of a run: boot the kernel under test, read what the L1 offers, run the cases (case-loop.ts) and
// write the reproducer. Returns what happened as data: the results so far, and the error that stopped it (a
// crash while booting is a verdict on the kernel, so its cases end in `crash` rather than an error).
import { chmod, copyFile, link, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { HarnessError, formatCommand } from '../util/errors.js';
import type { CaseResult } from '../model/result.js';
import { caseRunKey, caseRunOf } from '../model/case-run.js';
import { caseNotRun, caseResult, guestBinaryPath, type CaseRunInput } from '../cases/runner.js';
import { bootGuest, BootCrashError, type Guest } from '../guest/boot.js';
import { collectEnvironment, type L1Environment } from '../guest/environment.js';
import type { GuestOptions } from '../guest/options.js';
import type { QemuChoice } from '../qemu/choose.js';
import type { QemuBuild } from '../qemu/build.js';
import type { BootInputs } from './boot-inputs.js';
import { runCases, type L1Session } from './case-loop.js';
import type { CoverageProbe } from '../coverage/probe.js';
import { reproScript } from './repro.js';

export interface L1Plan {
  readonly guest: GuestOptions;
  readonly qemu: QemuChoice;
  readonly boot: BootInputs;
  readonly inputs: readonly CaseRunInput[];
  readonly outDir: string;
  readonly onQemuCommand?: (command: readonly string[]) => void;
  /** --coverage: resets and reads the L1's gcov counters around the cases. */
  readonly coverage?: CoverageProbe;
}

export interface L1Outcome {
  /** In the plan's order; cases not reached are missing unless the L1 crashed while booting (then `crash`). */
  readonly cases: readonly CaseResult[];
  readonly env: L1Environment | null;
  readonly bootMs: number;
  readonly runMs: number;
  /** What stopped the cases before they all ran (null: they all ran, or the L1 crashed while booting). */
  readonly error: HarnessError | null;
  /** The kernel under test crashed while booting: its cases are `crash` verdicts. */
  readonly bootCrash: BootCrashError | null;
}

export async function runInL1(ctx: Context, plan: L1Plan): Promise<L1Outcome> {
  const results: CaseResult[] = [];
  // Absent cases need no L1.
  const toRun = plan.inputs.filter((input) => {
    const pre = caseNotRun(input, null);
    if (pre) results.push(pre);
    return !pre;
  });
  let qemuCommand: readonly string[] = [];
  let port = 0;
  const boot = async (): Promise<Guest> => {
    const g = await bootGuest(ctx, {
      profile: plan.guest.profile,
      kernelImage: plan.boot.image,
      initrd: plan.boot.initrd,
      accel: plan.guest.accel,
      kvmMode: plan.guest.kvmMode,
      append: plan.guest.append,
      qemu: plan.qemu.path,
      bios: plan.guest.bios,
      outDir: plan.outDir,
      hostKey: plan.boot.base.hostKeyPublic,
      clientKey: plan.boot.clientKey,
      ...(plan.guest.bootTimeoutMs ? { bootTimeoutMs: plan.guest.bootTimeoutMs } : {}),
      onCommand: (cmd) => {
        qemuCommand = cmd;
        plan.onQemuCommand?.(cmd);
        void writeFile(join(plan.outDir, 'qemu-cmdline.txt'), formatCommand(cmd) + '\n');
      },
    });
    port = g.port;
    return g;
  };

  let env: L1Environment | null = null;
  let error: HarnessError | null = null;
  const timings = { bootMs: 0, runMs: 0 };
  if (toRun.length > 0) {
    const session: L1Session = { current: null, boot };
    try {
      const tb = Date.now();
      session.current = await boot();
      timings.bootMs = Date.now() - tb;
      env = await collectEnvironment(session.current.ssh);
      const tr = Date.now();
      await runCases(ctx, session, { inputs: toRun, jobs: Math.max(1, plan.guest.jobs ?? plan.guest.profile.smp), env, outDir: plan.outDir, results, ...(plan.coverage ? { coverage: plan.coverage } : {}) });
      timings.runMs = Date.now() - tr;
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      error = err;
      if (err instanceof BootCrashError) {
        const done = new Set(results.map((r) => caseRunKey(caseRunOf(r))));
        for (const input of toRun.filter((i) => !done.has(caseRunKey(i.id)))) {
          results.push(caseResult(input, { verdict: 'crash', reason: `the L1 kernel crashed while booting: ${err.crashLine}` }, {}));
        }
      }
    } finally {
      if (session.current) await session.current.shutdown();
    }
  }
  if (qemuCommand.length && !error) await writeRepro(plan, qemuCommand, port);
  const bootCrash = error instanceof BootCrashError ? error : null;
  return { cases: inPlanOrder(results, plan.inputs), env, ...timings, error: bootCrash ? null : error, bootCrash };
}

async function writeRepro(plan: L1Plan, qemuCommand: readonly string[], port: number): Promise<void> {
  const bundledQemu = plan.qemu.build ? await bundleQemu(plan.qemu.build, plan.outDir) : undefined;
  const script = reproScript({
    ...(bundledQemu ? { bundledQemu } : {}),
    qemuCommand,
    relocate: new Map([
      [plan.boot.image, 'Image'],
      [plan.boot.initrd, 'initramfs.cpio.gz'],
    ]),
    sshPortInCommand: port,
    cases: plan.inputs
      .filter((i) => i.id.iteration === 1 && i.binary.path)
      .map((i) => ({ name: i.def.name, guestPath: guestBinaryPath(i.def), timeoutSeconds: i.timeoutSeconds })),
    hostKey: plan.boot.base.hostKeyPublic,
  });
  await writeFile(join(plan.outDir, 'repro.sh'), script);
  await chmod(join(plan.outDir, 'repro.sh'), 0o755);
}

/** The project's QEMU beside the reproducer: a hard link to the store's binary where it can be, else a copy. */
async function bundleQemu(build: QemuBuild, outDir: string): Promise<{ file: string; key: string; describe: string }> {
  const file = 'qemu-system-aarch64';
  const dest = join(outDir, file);
  await rm(dest, { force: true });
  await link(build.binary, dest).catch(() => copyFile(build.binary, dest));
  return { file, key: build.key, describe: `QEMU ${build.version} + ${build.patches.map((p) => p.file.replace('qemu/patches/', '')).join(', ')}` };
}

/** Results in the order of the plan (absent ones were decided first). */
export function inPlanOrder(results: readonly CaseResult[], inputs: readonly CaseRunInput[]): CaseResult[] {
  const pos = new Map(inputs.map((i, n) => [caseRunKey(i.id), n]));
  const at = (r: CaseResult) => pos.get(caseRunKey(caseRunOf(r))) ?? 0;
  return [...results].sort((a, b) => at(a) - at(b));
}
