// The kernel stage as one call: source -> series (applied once) -> config (worked out once) -> build (or store
// hit) -> selftests, under the workspace lock. Its outcome is data: built, did-not-apply, did-not-build or error.
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { sha256 } from '../util/hash.js';
import { runStage, type StageOutcome } from '../util/stage.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { buildKernel, writeStoreHitLog, type BuildOutcome } from './build.js';
import { configureKernel, requestedConfig, userConfigKey, userFragments, type RequestedConfig } from './kernel-config.js';
import { renderFragment } from './kconfig.js';
import { truncateSeries, type LoadedSeries } from './series.js';
import { buildSelftests, selftestsStored, type SelftestBinary } from './selftests.js';
import { appliedStatus, commitSeries, prepareSource, resolveBase, sourceInfo, type PreparedSource, type SourceSpec } from './source.js';
import { lookupKernel, seedSelftests } from './store.js';
import { coverageBuildPlan, coverageInputs } from './coverage-build.js';
import { GCOV_NOTES, type CoverageInputs } from '../coverage/inputs.js';
import { notesPath } from '../coverage/plan.js';
import { detectToolchain, type Toolchain } from './toolchain.js';
import { openWorkspace, withWorkspace, type Workspace } from './workspace.js';

export interface KernelPlan {
  readonly source: SourceSpec;
  /** The --series inputs, loaded and validated once (kernel/series.ts loadSeriesInputs), applied in order. */
  readonly series: readonly LoadedSeries[];
  /** Apply only the first N patches of the series (ci --per-patch builds after each patch). */
  readonly seriesLimit?: number;
  /** --config fragment paths. */
  readonly configFragments: readonly string[];
  /** Ignore the artifact store: check out and run the (incremental) make even when the tree was built before. */
  readonly rebuild?: boolean;
  /** Build the series' C files with gcov (a store variant of the plain kernel) and hand over what coverage needs. */
  readonly coverage?: boolean;
}

/** What the stage did that is easy to do twice by mistake: counted, recorded in result.json, checked by a test. */
export interface KernelWork {
  /** 1 when this stage applied the series, 0 when the workspace remembered the commits (or there is none). */
  readonly seriesApplications: number;
  /** How many times the requested kernel config was worked out (1 per built or looked-up tree). */
  readonly configComputations: number;
}

export interface PreparedKernel {
  readonly source: PreparedSource;
  readonly kernel: BuildOutcome;
  readonly selftests: readonly SelftestBinary[];
  readonly toolchain: Toolchain;
  readonly workspace: Workspace;
  readonly loadedSeries: readonly LoadedSeries[];
  readonly work: KernelWork;
  readonly timings: { readonly sourceMs: number; readonly kernelBuildMs: number; readonly kernelConfigMs?: number; readonly selftestsBuildMs: number };
  /** With plan.coverage: the series' files, line owners and gcov notes (null without --coverage). */
  readonly coverage: CoverageInputs | null;
}

export type KernelOutcome = StageOutcome<PreparedKernel>;

export function prepareKernel(ctx: Context, plan: KernelPlan, cases: readonly CaseDefinition[], logDir: string): Promise<KernelOutcome> {
  return runStage(ctx, 'build', (sctx) => kernelStage(sctx, plan, cases, logDir));
}

async function kernelStage(ctx: Context, plan: KernelPlan, cases: readonly CaseDefinition[], logDir: string): Promise<PreparedKernel> {
  // Read and check every input before touching the workspace: a bad --config fails at once.
  const loadedSeries = truncateSeries(plan.series, plan.seriesLimit);
  const user = await userFragments(plan.configFragments);
  const toolchain = await detectToolchain(ctx);
  const ws = await openWorkspace(ctx, toolchain, userConfigKey(user));
  const buildLog = join(logDir, 'build.log');
  return withWorkspace(ctx, ws, async () => {
    const t0 = Date.now();
    let configComputations = 0;
    const configFor = async (tree: string): Promise<RequestedConfig> => {
      configComputations++;
      return requestedConfig(ctx, ws, tree, user);
    };
    const base = await resolveBase(ctx, ws, plan.source);
    const made = await commitSeries(ctx, ws, base, loadedSeries);
    const covPlan = plan.coverage ? await coverageBuildPlan(ctx, ws, base.commit, made.commit) : null;
    const variant = covPlan?.variant ? { variant: covPlan.variant } : {};
    const keyOf = (tree: string, config: RequestedConfig) => ({ tree, fragmentHash: sha256(renderFragment(config.requested)), toolchain: toolchain.gcc, ...variant });
    const coverage = async (kernelDir: string): Promise<CoverageInputs | null> =>
      covPlan ? coverageInputs(ctx, ws, covPlan, base.commit, made.commit, loadedSeries.flatMap((s) => s.patches), join(kernelDir, GCOV_NOTES)) : null;
    const work = () => ({ seriesApplications: made.appliedNow ? 1 : 0, configComputations });

    // A store hit needs no checkout at all: the series' tree is known from its commits.
    let config: { tree: string; value: RequestedConfig } | null = null;
    if (made.tree) {
      config = { tree: made.tree, value: await configFor(made.tree) };
      const hit = plan.rebuild ? null : await lookupKernel(ctx.cacheDir, keyOf(made.tree, config.value));
      if (hit && (await selftestsStored(hit, cases))) {
        ctx.log.info(`build: ${hit.key} from the artifact store (no checkout, make not started)`);
        await writeStoreHitLog(hit, buildLog);
        const st = await buildSelftests(ctx, ws, hit, cases, buildLog);
        const cov = await coverage(hit.dir);
        return {
          source: { ...sourceInfo(base, made.tree, appliedStatus(loadedSeries), made.commit), headCommit: null, release: hit.release },
          kernel: { ...hit, compiled: 0, logPath: buildLog, configMs: 0 },
          selftests: st.binaries,
          toolchain,
          workspace: ws,
          loadedSeries,
          work: work(),
          timings: { sourceMs: Date.now() - t0, kernelBuildMs: 0, selftestsBuildMs: 0 },
          coverage: cov,
        };
      }
    }

    const source = await prepareSource(ctx, ws, base, loadedSeries, made, join(logDir, 'series.log'));
    // `git am -3` may have merged what the private index could not: then the tree differs from the prediction.
    const requested = config?.tree === source.tree ? config.value : await configFor(source.tree);
    const sourceMs = Date.now() - t0;
    const kernel = await buildKernel(ctx, ws, keyOf(source.tree, requested), source.release, buildLog, {
      rebuild: plan.rebuild ?? false,
      ...(covPlan?.variant ? { makeVariables: covPlan.makeVariables, extras: { subdir: GCOV_NOTES, files: covPlan.files.map(notesPath).filter((n): n is string => n !== null) } } : {}),
      beforeMake: async () => {
        await configureKernel(ctx, ws, requested, buildLog);
      },
    });
    // The selftests of a coverage variant are the plain kernel's (same tree and headers): copied, not rebuilt.
    if (covPlan?.variant) await seedSelftests(ctx.cacheDir, { tree: source.tree, fragmentHash: sha256(renderFragment(requested.requested)), toolchain: toolchain.gcc }, kernel);
    const st = await buildSelftests(ctx, ws, kernel, cases, buildLog);
    const cov = await coverage(kernel.dir);
    return {
      source,
      kernel,
      selftests: st.binaries,
      toolchain,
      workspace: ws,
      loadedSeries,
      work: work(),
      timings: { sourceMs, kernelBuildMs: kernel.fromStore ? 0 : kernel.buildMs, kernelConfigMs: kernel.configMs, selftestsBuildMs: st.buildMs },
      coverage: cov,
    };
  });
}
