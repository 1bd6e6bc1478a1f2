// The kernel stage as one call: source -> series -> config -> build (or store hit) -> selftests, under the workspace lock.
import { join } from 'node:path';
import type { Context } from '../util/context.js';
import type { CaseDefinition } from '../cases/definitions.js';
import { buildKernel, type BuildOutcome } from './build.js';
import { configureKernel, requestedConfig, userConfigKey, userFragments } from './kernel-config.js';
import { renderFragment } from './kconfig.js';
import { sha256 } from '../util/hash.js';
import { loadSeries, type LoadedSeries } from './series.js';
import { buildSelftests, type SelftestBinary } from './selftests.js';
import { prepareSource, type PreparedSource, type SourceSpec } from './source.js';
import { detectToolchain, type Toolchain } from './toolchain.js';
import { openWorkspace, withWorkspace, type Workspace } from './workspace.js';

export interface KernelPlan {
  readonly source: SourceSpec;
  /** --series paths, applied in order. */
  readonly series: readonly string[];
  readonly seriesVersion?: number;
  /** --config fragment paths. */
  readonly configFragments: readonly string[];
}

export interface PreparedKernel {
  readonly source: PreparedSource;
  readonly kernel: BuildOutcome;
  readonly selftests: readonly SelftestBinary[];
  readonly toolchain: Toolchain;
  readonly workspace: Workspace;
  readonly loadedSeries: readonly LoadedSeries[];
  readonly timings: { readonly sourceMs: number; readonly kernelBuildMs: number; readonly selftestsBuildMs: number };
}

export async function prepareKernel(ctx: Context, plan: KernelPlan, cases: readonly CaseDefinition[], logDir: string): Promise<PreparedKernel> {
  // Read and check every input before touching the workspace: a bad --series or --config fails at once.
  const loadedSeries = await Promise.all(plan.series.map((p) => loadSeries(p, plan.seriesVersion)));
  const user = await userFragments(plan.configFragments);
  const toolchain = await detectToolchain(ctx);
  const ws = await openWorkspace(ctx, toolchain, userConfigKey(user));
  const buildLog = join(logDir, 'build.log');
  return withWorkspace(ctx, ws, async () => {
    const t0 = Date.now();
    const source = await prepareSource(ctx, ws, plan.source, loadedSeries, join(logDir, 'series.log'));
    const { requested } = await requestedConfig(ctx, ws, user);
    const parts = { tree: source.tree, fragmentHash: sha256(renderFragment(requested)), toolchain: toolchain.gcc };
    const sourceMs = Date.now() - t0;
    const kernel = await buildKernel(ctx, ws, parts, source.release, buildLog, {
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
      timings: { sourceMs, kernelBuildMs: kernel.fromStore ? 0 : kernel.buildMs, selftestsBuildMs: st.buildMs },
    };
  });
}
