// `sea-harness ci`: the cases on the base and on base+series in the one workspace, compared; regressions
// re-run on both sides to tell them from flakes; apply status, per-patch builds, checkpatch, new W=1 and
// selftest warnings; ci.json, report.md, junit.xml and kcidb.json under --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { ExitCode, HarnessError } from '../util/errors.js';
import { harnessVersion } from '../util/project.js';
import type { CaseDefinition } from '../cases/definitions.js';
import { prepareKernel, type KernelPlan, type PreparedKernel } from '../kernel/prepare.js';
import { SeriesApplyError, commitSeriesInIndex, loadSeries } from '../kernel/series.js';
import type { SourceSpec } from '../kernel/source.js';
import { withWorkspace } from '../kernel/workspace.js';
import { chooseQemu } from '../qemu/choose.js';
import { describeSource, runPipeline, type RunPlan } from '../run/pipeline.js';
import { renderRun } from '../report/index.js';
import type { RunResult, SeriesPatchStatus } from '../model/result.js';
import type { CaseComparison, CheckpatchResult, CiResult, CiVerdict, PatchReport } from '../model/ci.js';
import { afterRerun, compareCase, compareRuns, needsRerun } from './compare.js';
import { checkpatch } from './checkpatch.js';
import { newCompilerWarnings, touchedKernelSources } from './compiler-warnings.js';
import { readCachedResult, resultKey, writeCachedResult } from './result-cache.js';
import { toKcidb } from './kcidb.js';
import { renderCiMarkdown } from './report.js';

export interface CiPlan {
  readonly source: SourceSpec;
  readonly series: readonly string[];
  readonly seriesVersion?: number;
  readonly configFragments: readonly string[];
  readonly cases: readonly CaseDefinition[];
  readonly named: boolean;
  /** Guest and case options, as for `run`. */
  readonly run: Omit<RunPlan, 'kernel' | 'cases' | 'named' | 'repeat' | 'outDir'>;
  readonly perPatch: boolean;
  /** Run the base even when its results are in the cache. */
  readonly freshBase: boolean;
  readonly outDir: string;
}

export interface CiOutcome {
  readonly result: CiResult;
  readonly exitCode: number;
}

const EXIT: Readonly<Record<CiVerdict, number>> = { ok: ExitCode.ok, regressed: ExitCode.caseFailed, error: ExitCode.infrastructure, 'build-failed': ExitCode.buildFailed, 'apply-failed': ExitCode.applyFailed };

export async function runCi(ctx: Context, plan: CiPlan): Promise<CiOutcome> {
  const t0 = Date.now();
  await mkdir(plan.outDir, { recursive: true });
  // Every input is read before any work: a bad --series fails at once.
  const loaded = await Promise.all(plan.series.map((p) => loadSeries(p, plan.seriesVersion)));
  const patches = loaded.flatMap((s) => s.patches);
  const kernelPlan = (series: readonly string[], extra: Partial<KernelPlan> = {}): KernelPlan => ({
    source: plan.source,
    series,
    ...(plan.seriesVersion ? { seriesVersion: plan.seriesVersion } : {}),
    configFragments: plan.configFragments,
    ...extra,
  });
  const runOn = (series: readonly string[], cases: readonly CaseDefinition[], outDir: string, prepared?: PreparedKernel) =>
    runPipeline(ctx, { ...plan.run, kernel: kernelPlan(series), cases, named: plan.named, repeat: 1, outDir, ...(prepared ? { prepared } : {}) });

  let apply: PatchReport[] = patches.map((p, i) => ({ patch: i + 1, subject: p.title, messageId: p.messageId, applied: false, build: 'not-built' }));
  const partial = { base: null as RunResult | null, series: null as RunResult | null, baseKernel: null as PreparedKernel | null };
  /** Whether the base's results came from the cache. */
  let reused = false;
  const finish = async (verdict: CiVerdict, fields: Partial<CiResult>): Promise<CiOutcome> => {
    const result: CiResult = {
      schema: 'sea-harness/ci@1',
      verdict,
      base: { commit: partial.baseKernel?.source.userCommit ?? partial.baseKernel?.source.baseCommit ?? null, tree: partial.baseKernel?.source.tree ?? null, source: partial.baseKernel?.source.description ?? describeSource(kernelPlan([])), reused },
      seriesTree: partial.series?.kernel.tree ?? null,
      apply,
      build: { base: partial.baseKernel ? 'ok' : 'failed', series: 'not-built', newWarnings: [], newSelftestWarnings: [] },
      cases: [],
      provenance: {
        harness: harnessVersion(),
        series: loaded.map((s) => s.path),
        messageIds: patches.map((p) => p.messageId).filter((m): m is string => m !== null),
        guest: plan.run.profile.name,
        qemu: partial.base?.provenance.qemu ?? null,
        gcc: partial.base?.provenance.gcc ?? null,
      },
      reason: null,
      timings: { totalMs: Date.now() - t0 },
      ...fields,
    };
    await writeFile(join(plan.outDir, 'ci.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(plan.outDir, 'report.md'), renderCiMarkdown(result));
    await writeFile(join(plan.outDir, 'kcidb.json'), JSON.stringify(toKcidb(result, partial.series, { patches: patches.map((p) => p.raw), startTime: new Date(t0).toISOString() }), null, 2) + '\n');
    if (partial.series) await writeFile(join(plan.outDir, 'junit.xml'), renderRun(partial.series, 'junit', { color: false }));
    return { result, exitCode: EXIT[verdict] };
  };

  // The base: its kernel (a store hit after the first series), then its results (cached per kernel and options).
  await mkdir(join(plan.outDir, 'base'), { recursive: true });
  try {
    partial.baseKernel = await prepareKernel(ctx, kernelPlan([]), plan.cases, join(plan.outDir, 'base'));
  } catch (err) {
    if (err instanceof HarnessError && !ctx.signal.aborted) {
      const detail = `${err.message}${err.outputTail ? ` (${err.outputTail.trim().split('\n').at(-1)})` : ''}`;
      const what = err.exitCode === ExitCode.buildFailed ? 'the base does not build' : 'the base kernel could not be prepared';
      return finish('error', { reason: `${what}, so nothing can be blamed on the series (infrastructure): ${detail}` });
    }
    throw err;
  }
  // The QEMU the base boots is part of what decides its results (the project's build by its store key).
  const qemu = await chooseQemu(ctx, plan.run.profile, plan.run.qemu);
  const key = resultKey({
    kernelKey: partial.baseKernel.kernel.key,
    cases: plan.cases.map((c) => c.name),
    profile: plan.run.profile,
    accel: plan.run.accel,
    kvmMode: plan.run.kvmMode,
    append: plan.run.append,
    qemu: qemu.build ? `sea-harness qemu ${qemu.build.key}` : qemu.path,
    bios: plan.run.bios,
    timeoutSeconds: plan.run.timeoutSeconds,
    jobs: plan.run.jobs ?? null,
    harness: harnessVersion(),
  });
  const cached = plan.freshBase ? null : await readCachedResult(ctx.cacheDir, key);
  if (cached) {
    ctx.log.info(`ci: base results from the cache (${key}); --fresh-base to run them again`);
    partial.base = cached;
    reused = true;
    await writeFile(join(plan.outDir, 'base', 'result.json'), JSON.stringify(cached, null, 2) + '\n');
  } else {
    // The base kernel prepared above (for the key) is the one the run boots: no second store lookup.
    partial.base = (await runOn([], plan.cases, join(plan.outDir, 'base'), partial.baseKernel)).result;
    if (partial.base.verdict !== 'error') await writeCachedResult(ctx.cacheDir, key, partial.base);
  }
  if (partial.base.verdict === 'error') return finish('error', { reason: `the base run hit an infrastructure error: ${partial.base.error?.message ?? 'see base/result.json'}` });

  // The series.
  try {
    partial.series = (await runOn(plan.series, plan.cases, join(plan.outDir, 'series'))).result;
  } catch (err) {
    if (err instanceof SeriesApplyError) {
      apply = mergeApply(apply, err.status);
      const failed = err.status.find((s) => !s.applied);
      return finish('apply-failed', { reason: `patch ${failed?.patch ?? '?'}/${patches.length} "${failed?.subject ?? '?'}" does not apply: ${err.message}` });
    }
    if (err instanceof HarnessError && err.exitCode === ExitCode.buildFailed) {
      apply = apply.map((p, i) => ({ ...p, applied: true, build: i === apply.length - 1 ? 'failed' : p.build, buildError: i === apply.length - 1 ? err.message : null }));
      return finish('build-failed', { build: { base: 'ok', series: 'failed', newWarnings: [], newSelftestWarnings: [], error: err.message }, reason: `the series breaks the build: ${err.message}` });
    }
    if (err instanceof HarnessError && !ctx.signal.aborted) return finish('error', { reason: `infrastructure error on the series side: ${err.message}` });
    throw err;
  }
  apply = mergeApply(apply, partial.series.kernel.series).map((p, i, all) => (i === all.length - 1 ? { ...p, build: 'ok' } : p));

  // --per-patch: a build after each patch but the last (built above), so a series that breaks the build in
  // the middle is caught and the patch named.
  if (plan.perPatch) {
    for (let k = 1; k < patches.length; k++) {
      const dir = join(plan.outDir, 'per-patch', String(k));
      await mkdir(dir, { recursive: true });
      try {
        await prepareKernel(ctx, kernelPlan(plan.series, { seriesLimit: k }), [], dir);
        apply[k - 1] = { ...apply[k - 1]!, build: 'ok' };
      } catch (err) {
        if (!(err instanceof HarnessError) || err.exitCode !== ExitCode.buildFailed) throw err;
        apply[k - 1] = { ...apply[k - 1]!, build: 'failed', buildError: err.message };
      }
    }
  }

  // Case by case; a regression is re-run on both sides before it counts.
  const names = plan.cases.map((c) => c.name);
  const comparisons: CaseComparison[] = [];
  for (const c of compareRuns(names, partial.base.cases, partial.series.cases)) {
    if (!needsRerun(c)) {
      comparisons.push(c);
      continue;
    }
    ctx.log.info(`ci: ${c.name}: ${c.detail}; re-running it on both sides`);
    const def = plan.cases.filter((d) => d.name === c.name);
    const rb = c.base && c.base !== 'absent' ? (await runOn([], def, join(plan.outDir, 'rerun', `${c.name}-base`))).result.cases[0] ?? null : null;
    const rs = (await runOn(plan.series, def, join(plan.outDir, 'rerun', `${c.name}-series`))).result.cases[0] ?? null;
    comparisons.push(afterRerun(c, compareCase(c.name, rb ?? partial.base.cases.find((x) => x.name === c.name) ?? null, rs)));
  }

  // What 0-day and NIPA add: checkpatch per patch, W=1 warnings on the files the series touches, selftest warnings.
  const ws = partial.baseKernel.workspace;
  const baseCommit = partial.baseKernel.source.baseCommit;
  const cp: Array<CheckpatchResult | null> = await checkpatch(ctx, ws, baseCommit, patches.map((p) => p.raw), join(plan.outDir, 'checkpatch.log'));
  apply = apply.map((p, i) => ({ ...p, checkpatch: cp[i] ?? null }));
  const files = touchedKernelSources(patches.map((p) => p.raw));
  const w1 = await withWorkspace(ctx, ws, async () => {
    const seriesCommit = await commitSeriesInIndex(ctx, ws, baseCommit, loaded);
    return newCompilerWarnings(ctx, ws, baseCommit, seriesCommit.commit, files, join(plan.outDir, 'w1-build.log'));
  });
  const baseSelftestWarnings = new Set(partial.base.cases.flatMap((c) => c.buildWarnings ?? []));
  const newSelftestWarnings = [...new Set(partial.series.cases.flatMap((c) => c.buildWarnings ?? []))].filter((w) => !baseSelftestWarnings.has(w));

  const middleBreak = apply.find((p) => p.build === 'failed');
  const verdict: CiVerdict = middleBreak ? 'build-failed' : comparisons.some((c) => c.change === 'regressed') ? 'regressed' : 'ok';
  return finish(verdict, {
    cases: comparisons,
    build: { base: 'ok', series: 'ok', newWarnings: w1.added, newSelftestWarnings },
    reason: middleBreak ? `patch ${middleBreak.patch}/${patches.length} "${middleBreak.subject}" breaks the build (a later patch fixes it: the series is not bisectable): ${middleBreak.buildError}` : null,
  });
}

function mergeApply(apply: readonly PatchReport[], status: readonly SeriesPatchStatus[]): PatchReport[] {
  return apply.map((p) => {
    const s = status.find((x) => x.patch === p.patch);
    return s ? { ...p, applied: s.applied } : p;
  });
}

