// `run` as a list of stages: kernel -> QEMU -> boot inputs -> L1 (boot, environment, cases, reproducer) -> result
// files. Each stage returns its outcome as data; the first that does not finish decides the verdict, and the
// one mapping in exit-codes.ts turns the verdict into the exit code.
import { mkdir } from 'node:fs/promises';
import type { Context } from '../util/context.js';
import type { HarnessError } from '../util/errors.js';
import { runStage, type StageOutcome } from '../util/stage.js';
import type { RunResult, RunVerdict } from '../model/result.js';
import { prepareKernel, type KernelPlan } from '../kernel/prepare.js';
import { expectationFor, type CaseDefinition } from '../catalog/cases.js';
import type { CaseRunInput } from '../cases/runner.js';
import type { GuestOptions } from '../guest/options.js';
import { chooseQemu } from '../qemu/choose.js';
import { loadPrebuilt, type KernelForRun } from './prebuilt.js';
import { prepareBootInputs, type BootInputs } from './boot-inputs.js';
import { runInL1 } from './l1-session.js';
import { writeReports } from './artifacts.js';
import { hostProvenance, qemuVersion } from './provenance.js';
import { exitCodeForRunOutcome, runVerdictOf } from './exit-codes.js';
import { describeSource, runResult, NO_TIMINGS, type RunEvidence } from './run-result.js';
import { CoverageRecorder } from '../coverage/recorder.js';
import { analyseCoverage } from '../coverage/analyse.js';
import type { CoverageInputs } from '../coverage/inputs.js';
import type { CoverageResult } from '../model/coverage.js';

/** Where the kernel under test comes from: built from a plan, a `build --out` directory, or prepared already. */
export type KernelSource =
  | { readonly kind: 'plan'; readonly plan: KernelPlan }
  | { readonly kind: 'prebuilt'; readonly dir: string }
  | { readonly kind: 'prepared'; readonly plan: KernelPlan; readonly kernel: KernelForRun };

export interface RunPlan {
  readonly kernel: KernelSource;
  readonly cases: readonly CaseDefinition[];
  /** Cases were named with --case/--selftest (an absent named case fails). */
  readonly named: boolean;
  readonly guest: GuestOptions;
  readonly repeat: number;
  readonly outDir: string;
  readonly onQemuCommand?: (command: readonly string[]) => void;
  /** --coverage: the kernel was prepared with plan.coverage; read the L1's counters and report patch coverage. */
  readonly coverage?: boolean;
}

export interface RunOutcome {
  readonly result: RunResult;
  readonly exitCode: number;
  /** The error that stopped the run before its cases ended, for the command to explain (null: none). */
  readonly stoppedBy: HarnessError | null;
}

export async function runPipeline(ctx: Context, plan: RunPlan): Promise<RunOutcome> {
  const startedAt = Date.now();
  await mkdir(plan.outDir, { recursive: true });
  const tools = hostProvenance(ctx, plan.guest.bios, plan.guest.profile);
  const evidence = async (e: Partial<RunEvidence> & Pick<RunEvidence, 'verdict'>): Promise<RunEvidence> => ({
    source: plan.kernel.kind === 'prebuilt' ? plan.kernel.dir : describeSource(plan.kernel.plan),
    kernel: null, tools: await tools, qemuVersion: await qemuVersion(ctx, e.qemu?.path ?? plan.guest.qemu), qemu: null,
    guest: plan.guest, reachedL1: false, env: null, cases: [], timings: NO_TIMINGS, startedAt, error: null, ...e,
  });

  const kernel = await timed(() => kernelStage(ctx, plan));
  if (kernel.value.kind !== 'done') return finish(plan, await evidence(stopped(kernel.value)));
  const k = kernel.value.value;
  const t = { ...NO_TIMINGS, sourceMs: k.timings.sourceMs, kernelBuildMs: k.timings.kernelBuildMs, kernelConfigMs: k.timings.kernelConfigMs ?? 0, selftestsBuildMs: k.timings.selftestsBuildMs };

  const qemu = await timed(() => runStage(ctx, 'qemu', (c) => chooseQemu(c, plan.guest.profile, plan.guest.qemu, plan.kernel.kind === 'prebuilt' ? plan.kernel.dir : undefined)));
  if (qemu.value.kind !== 'done') return finish(plan, await evidence({ ...stopped(qemu.value), kernel: k, timings: t }));
  const timings = { ...t, qemuBuildMs: qemu.ms };

  // Image: the cached base plus this run's overlay (client key, case binaries).
  const boot = await timed(() => runStage(ctx, 'image', (c) => prepareBootInputs(c, k, plan.cases, plan.outDir)));
  const q = qemu.value.value;
  if (boot.value.kind !== 'done') return finish(plan, await evidence({ ...stopped(boot.value), kernel: k, qemu: q, timings: { ...timings, imageMs: boot.ms } }));

  const bi = boot.value.value;
  const recorder = plan.coverage && k.coverage ? new CoverageRecorder() : null;
  const inL1 = await runStage(ctx, 'boot', (c) => runInL1(c, { guest: plan.guest, qemu: q, boot: bi, inputs: caseRunInputs(plan, bi), outDir: plan.outDir, ...(plan.onQemuCommand ? { onQemuCommand: plan.onQemuCommand } : {}), ...(recorder ? { coverage: recorder } : {}) }));
  if (inL1.kind !== 'done') return finish(plan, await evidence({ ...stopped(inL1), kernel: k, qemu: q, timings: { ...timings, imageMs: boot.ms } }));
  const l1 = inL1.value;
  const verdict: RunVerdict = l1.error ? 'error' : l1.bootCrash ? 'fail' : runVerdictOf(l1.cases);
  const coverage = !plan.coverage
    ? undefined
    : !recorder || !k.coverage
      ? { error: 'the kernel was not built for coverage (a --prebuilt kernel, or no series)' }
      : recorder.snapshots.length === 0
        ? { error: `no counters were read from the L1: ${l1.error?.message ?? l1.bootCrash?.message ?? 'no case ran'}` }
        : await coverageStage(ctx, k.coverage, recorder, plan.outDir);
  return finish(plan, await evidence({ verdict, kernel: k, qemu: q, reachedL1: !l1.error && !l1.bootCrash, env: l1.env, cases: l1.cases, error: l1.error ?? l1.bootCrash, timings: { ...timings, imageMs: boot.ms, bootMs: l1.bootMs, runMs: l1.runMs }, ...(coverage ? { coverage } : {}) }));
}

/** The counters read in the L1 turned into patch coverage; a failure here leaves the verdict alone and says why. */
async function coverageStage(ctx: Context, inputs: CoverageInputs, recorder: CoverageRecorder, outDir: string): Promise<CoverageResult | { error: string }> {
  const t0 = Date.now();
  const o = await runStage(ctx, 'coverage', (c) => analyseCoverage(c, inputs, recorder.snapshots, recorder.gaps, recorder.scope(), outDir));
  if (o.kind !== 'done') {
    ctx.log.warn(`coverage: not computed: ${o.error.message}`);
    return { error: o.error.message };
  }
  ctx.log.info(`coverage: ${o.value.patches.map((p) => `patch ${p.patch} ${p.ran}/${p.executable}`).join(', ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return o.value;
}

function kernelStage(ctx: Context, plan: RunPlan): Promise<StageOutcome<KernelForRun>> {
  const k = plan.kernel;
  if (k.kind === 'prepared') return Promise.resolve({ kind: 'done', value: k.kernel });
  if (k.kind === 'prebuilt') return runStage(ctx, 'build', () => loadPrebuilt(k.dir, plan.cases));
  return prepareKernel(ctx, k.plan, plan.cases, plan.outDir);
}

/** Every case run of the plan: each case, --repeat times, with its expectation on this profile. */
function caseRunInputs(plan: RunPlan, boot: BootInputs): CaseRunInput[] {
  const inputs: CaseRunInput[] = [];
  for (let iteration = 1; iteration <= plan.repeat; iteration++) {
    for (const def of plan.cases) {
      inputs.push({ def, binary: boot.binaries.get(def.name)!, expectation: expectationFor(def, plan.guest.profile), named: plan.named, timeoutSeconds: plan.guest.timeoutSeconds ?? def.timeoutSeconds, id: { case: def.name, iteration, attempt: 1 } });
    }
  }
  return inputs;
}

/** The verdict and evidence of a stage that did not finish. */
function stopped(o: Exclude<StageOutcome<unknown>, { kind: 'done' }>): Pick<RunEvidence, 'verdict' | 'error'> & Partial<RunEvidence> {
  if (o.kind === 'did-not-apply') return { verdict: 'apply-failed', error: o.error, series: o.error.status };
  if (o.kind === 'did-not-build') return { verdict: 'build-failed', error: o.error };
  return { verdict: 'error', error: o.error };
}

async function finish(plan: RunPlan, e: RunEvidence): Promise<RunOutcome> {
  const result = runResult(e);
  await writeReports(plan.outDir, result);
  return { result, exitCode: exitCodeForRunOutcome(e.verdict, e.error), stoppedBy: e.error };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}
