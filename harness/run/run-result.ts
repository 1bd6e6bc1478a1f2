// The `sea-harness/run@1` document from what the stages returned: one function for every way a run ends (all
// cases ran, or a stage stopped it), so no stage has to know how the result is assembled.
import type { HarnessError } from '../util/errors.js';
import type { CaseResult, RunResult, RunVerdict } from '../model/result.js';
import type { L1Environment } from '../guest/environment.js';
import type { GuestOptions } from '../guest/options.js';
import { qemuProvenance, type QemuChoice } from '../qemu/choose.js';
import type { KernelPlan } from '../kernel/prepare.js';
import type { PatchStatus } from '../util/errors.js';
import type { KernelForRun } from './prebuilt.js';
import type { CoverageResult } from '../model/coverage.js';

export type Timings = Omit<RunResult['timings'], 'totalMs'>;

export const NO_TIMINGS: Timings = { sourceMs: 0, kernelBuildMs: 0, kernelConfigMs: 0, selftestsBuildMs: 0, qemuBuildMs: 0, imageMs: 0, bootMs: 0, runMs: 0 };

/** Everything a run result is made of; what a stage that did not run could not give is null. */
export interface RunEvidence {
  readonly verdict: RunVerdict;
  /** How the kernel was asked for (described when it never got built). */
  readonly source: string;
  readonly kernel: KernelForRun | null;
  /** The series status of a series that did not apply (else the kernel's). */
  readonly series?: readonly PatchStatus[];
  readonly tools: Omit<RunResult['provenance'], 'qemu' | 'debianSource' | 'qemuBuild'>;
  readonly qemuVersion: string | null;
  readonly qemu: QemuChoice | null;
  readonly guest: GuestOptions;
  /** Whether the run got as far as the L1 stage (then `guest` is filled in). */
  readonly reachedL1: boolean;
  readonly env: L1Environment | null;
  readonly cases: readonly CaseResult[];
  readonly timings: Timings;
  readonly startedAt: number;
  readonly error: HarnessError | null;
  readonly coverage?: CoverageResult | { readonly error: string };
}

export function runResult(e: RunEvidence): RunResult {
  const k = e.kernel;
  return {
    schema: 'sea-harness/run@1',
    verdict: e.verdict,
    kernel: {
      source: k?.source.description ?? e.source,
      release: k?.kernel.release ?? null,
      commit: k?.source.userCommit ?? null,
      tree: k?.source.tree ?? null,
      series: e.series ?? k?.source.series ?? [],
      ...(k?.work ? { work: k.work } : {}),
    },
    provenance: { ...e.tools, qemu: e.qemuVersion, debianSource: k?.source.debianSource ?? null, qemuBuild: e.qemu ? qemuProvenance(e.qemu) : null },
    guest: e.reachedL1
      ? { profile: e.guest.profile.name, accel: e.guest.accel, qemu: e.qemuVersion, environment: e.env ? { ...e.env, bootMs: e.timings.bootMs } : {} }
      : null,
    cases: e.cases,
    timings: { ...e.timings, totalMs: Date.now() - e.startedAt },
    ...(e.coverage ? ('error' in e.coverage ? { coverageError: e.coverage.error } : { coverage: e.coverage }) : {}),
    ...(e.error ? { error: { stage: e.error.stage, message: e.error.message, hint: e.error.hint ?? null } } : {}),
  };
}

export function describeSource(k: KernelPlan): string {
  return k.source.kind === 'debian' ? `Debian linux-source-${k.source.series}` : `${k.source.dir}${k.source.ref ? ` at ${k.source.ref}` : ''}`;
}
