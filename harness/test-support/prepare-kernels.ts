// The shared set-up step of `make test`: builds, once, every kernel the test files reuse (cold base, then
// the series and the test patches as incremental rebuilds in the one workspace), and the project's QEMU.
// Later requests are store hits.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCases } from '../catalog/cases.js';
import { prepareKernel, type KernelPlan } from '../kernel/prepare.js';
import { loadSeriesInputs } from '../kernel/series.js';
import { valueOrThrow } from '../util/stage.js';
import { DEFAULT_SOURCE } from '../kernel/source.js';
import { createContext } from '../util/context.js';
import { HarnessError } from '../util/errors.js';
import { streamLogger } from '../util/logger.js';
import { prepareQemu } from '../qemu/build.js';
import { COVERAGE_UNCALLED_PATCH, BREAK_IABT_PATCH, BREAK_SEA_FSC_PATCH, BREAK_SEA_GPA_PATCH, BREAK_SEA_OPTIN_PATCH, HANG_PATCH, SERIES_MBOX } from './paths.js';

export const TEST_KERNELS: ReadonlyArray<{ name: string; plan: Omit<KernelPlan, 'series'> & { series: readonly string[] } }> = [
  { name: 'base (Debian 7.3)', plan: { source: DEFAULT_SOURCE, series: [], configFragments: [] } },
  // The SEA-exit breakers sit on the base (5 objects each from it); the series touches include/uapi/linux/kvm.h
  // (93 objects), so the kernels on top of it come after, and the workspace never goes back.
  { name: 'base + break-sea-exit-fsc', plan: { source: DEFAULT_SOURCE, series: [BREAK_SEA_FSC_PATCH], configFragments: [] } },
  { name: 'base + break-sea-exit-gpa', plan: { source: DEFAULT_SOURCE, series: [BREAK_SEA_GPA_PATCH], configFragments: [] } },
  { name: 'base + break-sea-exit-optin', plan: { source: DEFAULT_SOURCE, series: [BREAK_SEA_OPTIN_PATCH], configFragments: [] } },
  { name: 'base + series', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX], configFragments: [] } },
  { name: 'base + series + break-iabt', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX, BREAK_IABT_PATCH], configFragments: [] } },
  { name: 'base + series + hang', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX, HANG_PATCH], configFragments: [] } },
  // Coverage variants (the series' C files rebuilt with gcov): ci's series side (05) and the coverage test (11).
  { name: 'base + series, coverage', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX], configFragments: [], coverage: true } },
  { name: 'base + series + uncalled, coverage', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX, COVERAGE_UNCALLED_PATCH], configFragments: [], coverage: true } },
];

async function main(): Promise<void> {
  const ctx = createContext({ log: streamLogger(process.stderr) });
  const logDir = join(ctx.cacheDir, 'logs', 'test-kernels');
  await mkdir(logDir, { recursive: true });
  const cases = loadCases();
  for (const k of TEST_KERNELS) {
    const t = Date.now();
    const r = valueOrThrow(await prepareKernel(ctx, { ...k.plan, series: await loadSeriesInputs(k.plan.series) }, cases, logDir));
    process.stderr.write(
      `test-kernels: ${k.name}: ${((Date.now() - t) / 1000).toFixed(1)} s (${r.kernel.fromStore ? 'artifact store' : `built, ${r.kernel.compiled} objects`}) -> ${r.kernel.key}\n`,
    );
  }
  // The project's QEMU (the default profile boots it): one cold build per cache, then a store hit.
  const tq = Date.now();
  const q = await prepareQemu(ctx);
  process.stderr.write(`test-kernels: QEMU ${q.version} + ${q.patches.length} patches: ${((Date.now() - tq) / 1000).toFixed(1)} s (${q.fromStore ? 'artifact store' : `built, ${q.steps} ninja steps`}) -> ${q.key}\n`);
  await ctx.cleanup.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`test-kernels: ${err instanceof HarnessError ? err.describe() : (err as Error).stack}\n`);
  process.exit(1);
});
