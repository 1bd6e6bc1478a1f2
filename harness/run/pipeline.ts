// `run` as stages: kernel -> selftests -> image -> boot -> environment -> cases (case-loop.ts) -> verdicts -> reports
// -> exit code.
import { mkdir, writeFile, chmod, copyFile, link, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { ExitCode, HarnessError, formatCommand } from '../util/errors.js';
import type { CaseResult, RunResult, RunVerdict } from '../model/result.js';
import { prepareKernel, type KernelPlan } from '../kernel/prepare.js';
import { loadPrebuilt, type KernelForRun } from './prebuilt.js';
import { SeriesApplyError } from '../kernel/series.js';
import { expectationFor, type CaseDefinition } from '../cases/definitions.js';
import { caseNotRun, caseResult, guestBinaryPath, type CaseRunInput } from '../cases/runner.js';
import type { GuestProfile } from '../guest/profiles.js';
import type { Accel, KvmMode } from '../guest/qemu-args.js';
import { bootGuest, BootCrashError, type Guest } from '../guest/boot.js';
import { collectEnvironment, type L1Environment } from '../guest/environment.js';
import { prepareBootInputs } from './boot-inputs.js';
import { writeReports } from './artifacts.js';
import { runCases, type L1Session } from './case-loop.js';
import { reproScript } from './repro.js';
import { hostProvenance, qemuVersion } from './provenance.js';
import { chooseQemu, qemuProvenance, type QemuChoice } from '../qemu/choose.js';
import type { QemuBuild } from '../qemu/build.js';

export interface RunPlan {
  readonly kernel: KernelPlan;
  readonly cases: readonly CaseDefinition[];
  /** Cases were named with --case/--selftest (an absent named case fails). */
  readonly named: boolean;
  readonly profile: GuestProfile;
  readonly accel: Accel;
  readonly kvmMode: KvmMode | null;
  readonly append: string | null;
  readonly qemu: string | null;
  readonly bios: string | null;
  readonly repeat: number;
  /** Cases at once in the L1 (null: one per L1 vCPU); only cases whose files allow it share the L1. */
  readonly jobs?: number | null;
  readonly timeoutSeconds: number | null;
  readonly outDir: string;
  readonly bootTimeoutMs?: number;
  readonly onQemuCommand?: (command: readonly string[]) => void;
  /** A `build --out` directory to boot and test instead of building (the kernel plan is then ignored). */
  readonly prebuilt?: string;
  /** A kernel this process prepared already for the same plan and cases (the kernel plan is then ignored). */
  readonly prepared?: KernelForRun;
}

export interface RunOutcome {
  readonly result: RunResult;
  readonly exitCode: number;
}

/** 0 every case met its expectation; 3 a case ended in `error` (infrastructure); otherwise 1. */
export function exitCodeFor(cases: readonly CaseResult[]): number {
  if (cases.some((c) => c.verdict === 'error')) return ExitCode.infrastructure;
  return cases.every((c) => c.met) ? ExitCode.ok : ExitCode.caseFailed;
}

export async function runPipeline(ctx: Context, plan: RunPlan): Promise<RunOutcome> {
  const t0 = Date.now();
  await mkdir(plan.outDir, { recursive: true });
  const timings = { sourceMs: 0, kernelBuildMs: 0, kernelConfigMs: 0, selftestsBuildMs: 0, qemuBuildMs: 0, imageMs: 0, bootMs: 0, runMs: 0, totalMs: 0 };
  // Tool versions are asked for while the kernel stage runs; QEMU's once the QEMU stage has chosen the binary.
  const toolsAsked = hostProvenance(ctx, plan.bios, plan.profile);
  let provenance = null as (Awaited<typeof toolsAsked> & { qemu: string | null }) | null;
  const settleProvenance = async (qemuPath: string | null) => {
    provenance = { ...(await toolsAsked), qemu: await qemuVersion(ctx, qemuPath) };
    return provenance;
  };
  let kernel: KernelForRun | null = null;
  let qemu: QemuChoice | null = null;
  const baseResult = (verdict: RunVerdict, cases: CaseResult[], extra: Partial<RunResult> = {}): RunResult => ({
    schema: 'sea-harness/run@1',
    verdict,
    kernel: {
      source: kernel?.source.description ?? describeSource(plan.kernel),
      release: kernel?.kernel.release ?? null,
      commit: kernel?.source.userCommit ?? null,
      tree: kernel?.source.tree ?? null,
      series: kernel?.source.series ?? [],
    },
    provenance: { ...provenance!, debianSource: kernel?.source.debianSource ?? null, qemuBuild: qemu ? qemuProvenance(qemu) : null },
    guest: null,
    cases,
    timings: { ...timings, totalMs: Date.now() - t0 },
    ...extra,
  });
  const finish = async (result: RunResult, exitCode: number): Promise<RunOutcome> => {
    await writeReports(plan.outDir, result);
    return { result, exitCode };
  };

  try {
    kernel = plan.prepared ? plan.prepared : plan.prebuilt ? await loadPrebuilt(plan.prebuilt, plan.cases) : await prepareKernel(ctx, plan.kernel, plan.cases, plan.outDir);
  } catch (err) {
    // The result files are written for every outcome; the error itself goes up to the CLI (exit 5, 4, ...).
    await settleProvenance(plan.qemu);
    if (err instanceof SeriesApplyError) {
      await finish(baseResult('apply-failed', [], { kernel: { source: describeSource(plan.kernel), release: null, commit: null, tree: null, series: err.status }, error: errorInfo(err) }), ExitCode.applyFailed);
    } else if (err instanceof HarnessError && err.exitCode === ExitCode.buildFailed) {
      await finish(baseResult('build-failed', [], { error: errorInfo(err) }), ExitCode.buildFailed);
    } else if (err instanceof HarnessError) {
      await finish(baseResult('error', [], { error: errorInfo(err) }), err.exitCode);
    }
    throw err;
  }
  // The QEMU stage: the project's build (a store hit, or built once), the host's, or --qemu.
  try {
    const tq = Date.now();
    qemu = await chooseQemu(ctx, plan.profile, plan.qemu, plan.prebuilt);
    timings.qemuBuildMs = Date.now() - tq;
  } catch (err) {
    await settleProvenance(plan.qemu);
    if (err instanceof HarnessError) await finish(baseResult('error', [], { error: errorInfo(err) }), err.exitCode);
    throw err;
  }
  const ran = await settleProvenance(qemu.path);
  timings.sourceMs = kernel.timings.sourceMs;
  timings.kernelBuildMs = kernel.timings.kernelBuildMs;
  timings.kernelConfigMs = kernel.timings.kernelConfigMs ?? 0;
  timings.selftestsBuildMs = kernel.timings.selftestsBuildMs;

  // Image: the cached base plus this run's overlay (client key, case binaries).
  const ti = Date.now();
  const { image, initrd, base, clientKey, binaries } = await prepareBootInputs(ctx, kernel, plan.cases, plan.outDir);
  timings.imageMs = Date.now() - ti;

  let qemuCommand: readonly string[] = [];
  let port = 0;
  const boot = async (): Promise<Guest> => {
    const g = await bootGuest(ctx, {
      profile: plan.profile,
      kernelImage: image,
      initrd,
      accel: plan.accel,
      kvmMode: plan.kvmMode,
      append: plan.append,
      qemu: qemu.path,
      bios: plan.bios,
      outDir: plan.outDir,
      hostKey: base.hostKeyPublic,
      clientKey,
      ...(plan.bootTimeoutMs ? { bootTimeoutMs: plan.bootTimeoutMs } : {}),
      onCommand: (cmd) => {
        qemuCommand = cmd;
        plan.onQemuCommand?.(cmd);
        void writeFile(join(plan.outDir, 'qemu-cmdline.txt'), formatCommand(cmd) + '\n');
      },
    });
    port = g.port;
    return g;
  };

  const inputs: CaseRunInput[] = [];
  for (let iteration = 1; iteration <= plan.repeat; iteration++) {
    for (const def of plan.cases) {
      inputs.push({
        def,
        binary: binaries.get(def.name)!,
        expectation: expectationFor(def, plan.profile),
        named: plan.named,
        timeoutSeconds: plan.timeoutSeconds ?? def.timeoutSeconds,
        iteration,
      });
    }
  }
  const results: CaseResult[] = [];
  // Absent cases need no L1.
  const toRun: CaseRunInput[] = [];
  for (const input of inputs) {
    const pre = caseNotRun(input, null);
    if (pre) results.push(pre);
    else toRun.push(input);
  }

  let env: L1Environment | null = null;
  if (toRun.length > 0) {
    const session: L1Session = { current: null, boot };
    try {
      const tb = Date.now();
      session.current = await boot();
      timings.bootMs = Date.now() - tb;
      env = await collectEnvironment(session.current.ssh);
      const tr = Date.now();
      await runCases(ctx, session, { inputs: toRun, jobs: Math.max(1, plan.jobs ?? plan.profile.smp), env, outDir: plan.outDir, results });
      timings.runMs = Date.now() - tr;
    } catch (err) {
      if (err instanceof BootCrashError) {
        const done = new Set(results.map((r) => `${r.name}#${r.iteration ?? 1}`));
        for (const input of toRun.filter((i) => !done.has(`${i.def.name}#${i.iteration}`))) {
          results.push(caseResult(input, { verdict: 'crash', reason: `the L1 kernel crashed while booting: ${err.crashLine}` }, {}));
        }
        const result = baseResult('fail', order(results, inputs), { error: errorInfo(err) });
        return finish(result, ExitCode.caseFailed);
      }
      if (err instanceof HarnessError) await finish(baseResult('error', order(results, inputs), { error: errorInfo(err) }), err.exitCode);
      throw err;
    } finally {
      if (session.current) await session.current.shutdown();
    }
  }

  if (qemuCommand.length) {
    const bundledQemu = qemu.build ? await bundleQemu(qemu.build, plan.outDir) : undefined;
    const script = reproScript({
      ...(bundledQemu ? { bundledQemu } : {}),
      qemuCommand,
      relocate: new Map([
        [image, 'Image'],
        [initrd, 'initramfs.cpio.gz'],
      ]),
      sshPortInCommand: port,
      cases: plan.cases.filter((c) => binaries.get(c.name)?.path).map((c) => ({ name: c.name, guestPath: guestBinaryPath(c), timeoutSeconds: plan.timeoutSeconds ?? c.timeoutSeconds })),
      hostKey: base.hostKeyPublic,
    });
    await writeFile(join(plan.outDir, 'repro.sh'), script);
    await chmod(join(plan.outDir, 'repro.sh'), 0o755);
  }

  const cases = order(results, inputs);
  const exitCode = exitCodeFor(cases);
  const result = baseResult(exitCode === 0 ? 'pass' : exitCode === ExitCode.infrastructure ? 'error' : 'fail', cases, {
    guest: {
      profile: plan.profile.name,
      accel: plan.accel,
      qemu: ran.qemu,
      environment: env ? { ...env, kvmMode: env.kvmMode, bootMs: timings.bootMs } : {},
    },
  });
  return finish(result, exitCode);
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
function order(results: readonly CaseResult[], inputs: readonly CaseRunInput[]): CaseResult[] {
  const key = (name: string, it: number) => `${name}#${it}`;
  const pos = new Map(inputs.map((i, n) => [key(i.def.name, i.iteration), n]));
  return [...results].sort((a, b) => (pos.get(key(a.name, a.iteration ?? 1)) ?? 0) - (pos.get(key(b.name, b.iteration ?? 1)) ?? 0));
}

function errorInfo(err: HarnessError): RunResult['error'] {
  return { stage: err.stage, message: err.message, hint: err.hint ?? null };
}

export function describeSource(k: KernelPlan): string {
  return k.source.kind === 'debian' ? `Debian linux-source-${k.source.series}` : `${k.source.dir}${k.source.ref ? ` at ${k.source.ref}` : ''}`;
}
