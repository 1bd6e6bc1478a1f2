// ci's series side and what follows it: the series' kernel and run, --per-patch builds, regressions re-run on
// both sides, and what 0-day and NIPA add (checkpatch per patch, new W=1 warnings, new selftest warnings).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { prepareKernel, type KernelPlan, type PreparedKernel } from '../kernel/prepare.js';
import { withWorkspace } from '../kernel/workspace.js';
import type { GuestOptions } from '../guest/options.js';
import type { RunResult, SeriesPatchStatus } from '../model/result.js';
import type { CaseComparison, PatchReport } from '../model/ci.js';
import { runPipeline } from '../run/pipeline.js';
import { afterRerun, compareCase, compareRuns, needsRerun } from './compare.js';
import { checkpatch } from './checkpatch.js';
import { newCompilerWarnings, touchedKernelSources } from './compiler-warnings.js';

export interface SidePlan {
  readonly kernel: KernelPlan;
  readonly cases: readonly CaseDefinition[];
  readonly named: boolean;
  readonly guest: GuestOptions;
  readonly outDir: string;
  /** Patch coverage on this side (ci's series side, unless --no-coverage). */
  readonly coverage?: boolean;
}

export type SeriesSide =
  | { readonly kind: 'ran'; readonly kernel: PreparedKernel; readonly result: RunResult }
  | { readonly kind: 'did-not-apply'; readonly status: readonly SeriesPatchStatus[]; readonly message: string }
  | { readonly kind: 'did-not-build'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

export async function runSeriesSide(ctx: Context, plan: SidePlan): Promise<SeriesSide> {
  const dir = join(plan.outDir, 'series');
  await mkdir(dir, { recursive: true });
  const kernelPlan = { ...plan.kernel, coverage: plan.coverage ?? false };
  const k = await prepareKernel(ctx, kernelPlan, plan.cases, dir);
  if (k.kind === 'did-not-apply') return { kind: 'did-not-apply', status: k.error.status, message: k.error.message };
  if (k.kind === 'did-not-build') return { kind: 'did-not-build', message: k.error.message };
  if (k.kind === 'error') return { kind: 'error', message: k.error.message };
  const run = await runPipeline(ctx, { kernel: { kind: 'prepared', plan: kernelPlan, kernel: k.value }, cases: plan.cases, named: plan.named, guest: plan.guest, repeat: 1, outDir: dir, coverage: plan.coverage ?? false });
  return { kind: 'ran', kernel: k.value, result: run.result };
}

/** --per-patch: a build after each patch but the last (built already), so a break in the middle is named. */
export async function perPatchBuilds(ctx: Context, plan: SidePlan, apply: readonly PatchReport[]): Promise<PatchReport[]> {
  const out = [...apply];
  for (let n = 1; n < apply.length; n++) {
    const dir = join(plan.outDir, 'per-patch', String(n));
    await mkdir(dir, { recursive: true });
    const k = await prepareKernel(ctx, { ...plan.kernel, seriesLimit: n }, [], dir);
    if (k.kind === 'done') out[n - 1] = { ...out[n - 1]!, build: 'ok' };
    else if (k.kind === 'did-not-build') out[n - 1] = { ...out[n - 1]!, build: 'failed', buildError: k.error.message };
    else throw k.error;
  }
  return out;
}

/** Case by case; a regression is re-run on both sides before it counts. */
export async function compareWithReruns(ctx: Context, plan: SidePlan, base: RunResult, series: RunResult): Promise<CaseComparison[]> {
  const out: CaseComparison[] = [];
  for (const c of compareRuns(plan.cases.map((d) => d.name), base.cases, series.cases)) {
    if (!needsRerun(c)) {
      out.push(c);
      continue;
    }
    ctx.log.info(`ci: ${c.name}: ${c.detail}; re-running it on both sides`);
    const def = plan.cases.filter((d) => d.name === c.name);
    const rerun = async (side: 'base' | 'series') => {
      const kernel = side === 'base' ? { ...plan.kernel, series: [] } : plan.kernel;
      const r = await runPipeline(ctx, { kernel: { kind: 'plan', plan: kernel }, cases: def, named: plan.named, guest: plan.guest, repeat: 1, outDir: join(plan.outDir, 'rerun', `${c.name}-${side}`) });
      return r.result.cases[0] ?? null;
    };
    const rb = c.base && c.base !== 'absent' ? await rerun('base') : null;
    const rs = await rerun('series');
    out.push(afterRerun(c, compareCase(c.name, rb ?? base.cases.find((x) => x.name === c.name) ?? null, rs)));
  }
  return out;
}

/** checkpatch per patch, new W=1 warnings on the files the series touches, and new selftest build warnings. */
export async function staticChecks(ctx: Context, outDir: string, base: { kernel: PreparedKernel; result: RunResult }, series: { kernel: PreparedKernel; result: RunResult }) {
  const ws = base.kernel.workspace;
  const baseCommit = base.kernel.source.baseCommit;
  const raws = series.kernel.loadedSeries.flatMap((s) => s.patches.map((p) => p.raw));
  const cp = await checkpatch(ctx, ws, baseCommit, raws, join(outDir, 'checkpatch.log'));
  const files = touchedKernelSources(raws);
  const w1 = await withWorkspace(ctx, ws, () => newCompilerWarnings(ctx, ws, baseCommit, series.kernel.source.seriesCommit, files, join(outDir, 'w1-build.log')));
  const baseWarnings = new Set(base.result.cases.flatMap((c) => c.buildWarnings ?? []));
  const newSelftestWarnings = [...new Set(series.result.cases.flatMap((c) => c.buildWarnings ?? []))].filter((w) => !baseWarnings.has(w));
  return { checkpatch: cp, newWarnings: w1.added, newSelftestWarnings };
}
