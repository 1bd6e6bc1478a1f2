// The kernel stage as one call: source -> series -> config -> build (or store hit) -> selftests, under the workspace lock.
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import { sha256 } from '../util/hash.js';
import type { CaseDefinition } from '../cases/definitions.js';
import { buildKernel, writeStoreHitLog, type BuildOutcome } from './build.js';
import { configureKernel, requestedConfig, userConfigKey, userFragments } from './kernel-config.js';
import { renderFragment } from './kconfig.js';
import { loadSeries, truncateSeries, type LoadedSeries } from './series.js';
import { buildSelftests, selftestsStored, type SelftestBinary } from './selftests.js';
import { appliedStatus, predictTree, prepareSource, resolveBase, sourceInfo, type PreparedSource, type SourceSpec } from './source.js';
import { lookupKernel } from './store.js';
import { detectToolchain, type Toolchain } from './toolchain.js';
import { openWorkspace, withWorkspace, type Workspace } from './workspace.js';

export interface KernelPlan {
  readonly source: SourceSpec;
  /** --series paths, applied in order. */
  readonly series: readonly string[];
  readonly seriesVersion?: number;
  /** Apply only the first N patches of the series (ci --per-patch builds after each patch). */
  readonly seriesLimit?: number;
  /** --config fragment paths. */
  readonly configFragments: readonly string[];
  /** Ignore the artifact store: check out and run the (incremental) make even when the tree was built before. */
  readonly rebuild?: boolean;
}

export interface PreparedKernel {
  readonly source: PreparedSource;
  readonly kernel: BuildOutcome;
  readonly selftests: readonly SelftestBinary[];
  readonly toolchain: Toolchain;
  readonly workspace: Workspace;
  readonly loadedSeries: readonly LoadedSeries[];
  readonly timings: { readonly sourceMs: number; readonly kernelBuildMs: number; readonly kernelConfigMs?: number; readonly selftestsBuildMs: number };
}

export async function prepareKernel(ctx: Context, plan: KernelPlan, cases: readonly CaseDefinition[], logDir: string): Promise<PreparedKernel> {
  // Read and check every input before touching the workspace: a bad --series or --config fails at once.
  const loadedSeries = truncateSeries(await Promise.all(plan.series.map((p) => loadSeries(p, plan.seriesVersion))), plan.seriesLimit);
  const user = await userFragments(plan.configFragments);
  const toolchain = await detectToolchain(ctx);
  const ws = await openWorkspace(ctx, toolchain, userConfigKey(user));
  const buildLog = join(logDir, 'build.log');
  return withWorkspace(ctx, ws, async () => {
    const t0 = Date.now();
    const base = await resolveBase(ctx, ws, plan.source);
    const keyFor = async (tree: string) => ({ tree, fragmentHash: sha256(renderFragment((await requestedConfig(ctx, ws, tree, user)).requested)), toolchain: toolchain.gcc });

    // A store hit needs no checkout at all: the tree is predicted in a private index.
    const predicted = await predictTree(ctx, ws, base, loadedSeries);
    if (predicted && !plan.rebuild) {
      const hit = await lookupKernel(ctx.cacheDir, await keyFor(predicted));
      if (hit && (await selftestsStored(hit, cases))) {
        ctx.log.info(`build: ${hit.key} from the artifact store (no checkout, make not started)`);
        await writeStoreHitLog(hit, buildLog);
        const st = await buildSelftests(ctx, ws, hit, cases, buildLog);
        return {
          source: { ...sourceInfo(base, predicted, appliedStatus(loadedSeries)), headCommit: null, release: hit.release },
          kernel: { ...hit, compiled: 0, logPath: buildLog, configMs: 0 },
          selftests: st.binaries,
          toolchain,
          workspace: ws,
          loadedSeries,
          timings: { sourceMs: Date.now() - t0, kernelBuildMs: 0, selftestsBuildMs: 0 },
        };
      }
    }

    const source = await prepareSource(ctx, ws, base, loadedSeries, join(logDir, 'series.log'));
    const parts = await keyFor(source.tree);
    const sourceMs = Date.now() - t0;
    const kernel = await buildKernel(ctx, ws, parts, source.release, buildLog, {
      rebuild: plan.rebuild ?? false,
      beforeMake: async () => {
        await configureKernel(ctx, ws, user, buildLog);
      },
    });
    const st = await buildSelftests(ctx, ws, kernel, cases, buildLog);
    return {
      source,
      kernel,
      selftests: st.binaries,
      toolchain,
      workspace: ws,
      loadedSeries,
      timings: { sourceMs, kernelBuildMs: kernel.fromStore ? 0 : kernel.buildMs, kernelConfigMs: kernel.configMs, selftestsBuildMs: st.buildMs },
    };
  });
}
