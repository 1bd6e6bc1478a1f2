// `sea-harness ci`: the cases on the base and on base+series in the one workspace, compared; regressions
// re-run on both sides to tell them from flakes; apply status, per-patch builds, checkpatch, new W=1 and
// selftest warnings; ci.json, report.md, junit.xml and kcidb.json under --out.
import { mkdir } from 'node:fs/promises';
import type { Context } from '../util/context.js';
import type { CaseDefinition } from '../catalog/cases.js';
import type { KernelPlan } from '../kernel/prepare.js';
import type { GuestOptions } from '../guest/options.js';
import type { SeriesPatchStatus } from '../model/result.js';
import type { CiVerdict, PatchReport } from '../model/ci.js';
import { describeSource } from '../run/run-result.js';
import { runBaseSide } from './base-side.js';
import { compareWithReruns, perPatchBuilds, runSeriesSide, staticChecks } from './series-side.js';
import { finishCi, initialApply, type CiEvidence, type CiOutcome } from './ci-result.js';

export type { CiOutcome } from './ci-result.js';

export interface CiPlan {
  /** The base and the series, loaded once (kernel.series); the base side runs the same plan without them. */
  readonly kernel: KernelPlan;
  readonly cases: readonly CaseDefinition[];
  readonly named: boolean;
  readonly guest: GuestOptions;
  readonly perPatch: boolean;
  /** Run the base even when its results are in the cache. */
  readonly freshBase: boolean;
  /** Patch coverage on the series side (the base side never needs it). */
  readonly coverage: boolean;
  readonly outDir: string;
}

export async function runCi(ctx: Context, plan: CiPlan): Promise<CiOutcome> {
  await mkdir(plan.outDir, { recursive: true });
  const total = plan.kernel.series.reduce((n, s) => n + s.patches.length, 0);
  let e: CiEvidence = { series: plan.kernel.series, guest: plan.guest, baseSource: describeSource(plan.kernel), baseKernel: null, base: null, baseReused: false, seriesRun: null, apply: initialApply(plan.kernel.series), startedAt: Date.now() };
  const stop = (verdict: CiVerdict, reason: string, more: Partial<Parameters<typeof finishCi>[3]> = {}) => finishCi(plan.outDir, e, verdict, { reason, ...more });

  const base = await runBaseSide(ctx, { ...plan, kernel: { ...plan.kernel, series: [] } });
  abortIfInterrupted(ctx);
  e = { ...e, baseKernel: base.kernel, base: base.kind === 'ok' ? base.result : null, baseReused: base.kind === 'ok' && base.reused };
  if (base.kind === 'error') return stop('error', base.reason);

  const series = await runSeriesSide(ctx, plan);
  abortIfInterrupted(ctx);
  if (series.kind === 'did-not-apply') {
    e = { ...e, apply: mergeApply(e.apply, series.status) };
    const failed = series.status.find((s) => !s.applied);
    return stop('apply-failed', `patch ${failed?.patch ?? '?'}/${total} "${failed?.subject ?? '?'}" does not apply: ${series.message}`);
  }
  if (series.kind === 'did-not-build') {
    e = { ...e, apply: e.apply.map((p, i, all) => ({ ...p, applied: true, build: i === all.length - 1 ? 'failed' : p.build, buildError: i === all.length - 1 ? series.message : null })) };
    return stop('build-failed', `the series breaks the build: ${series.message}`, { build: { base: 'ok', series: 'failed', newWarnings: [], newSelftestWarnings: [], error: series.message } });
  }
  if (series.kind === 'error') return stop('error', `infrastructure error on the series side: ${series.message}`);
  e = { ...e, seriesRun: series.result, apply: mergeApply(e.apply, series.result.kernel.series).map((p, i, all) => (i === all.length - 1 ? { ...p, build: 'ok' } : p)) };

  if (plan.perPatch) e = { ...e, apply: await perPatchBuilds(ctx, plan, e.apply) };
  const comparisons = await compareWithReruns(ctx, plan, base.result, series.result);
  const checks = await staticChecks(ctx, plan.outDir, base, series);
  e = { ...e, apply: e.apply.map((p, i) => ({ ...p, checkpatch: checks.checkpatch[i] ?? null })) };

  const middleBreak = e.apply.find((p) => p.build === 'failed');
  const verdict: CiVerdict = middleBreak ? 'build-failed' : comparisons.some((c) => c.change === 'regressed') ? 'regressed' : 'ok';
  const reason = middleBreak ? `patch ${middleBreak.patch}/${total} "${middleBreak.subject}" breaks the build (a later patch fixes it: the series is not bisectable): ${middleBreak.buildError}` : null;
  return finishCi(plan.outDir, e, verdict, { cases: comparisons, build: { base: 'ok', series: 'ok', newWarnings: checks.newWarnings, newSelftestWarnings: checks.newSelftestWarnings }, reason });
}

/** An interrupt is not a ci verdict: it goes up to the command line (exit 130). */
function abortIfInterrupted(ctx: Context): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

function mergeApply(apply: readonly PatchReport[], status: readonly SeriesPatchStatus[]): PatchReport[] {
  return apply.map((p) => {
    const s = status.find((x) => x.patch === p.patch);
    return s ? { ...p, applied: s.applied } : p;
  });
}
