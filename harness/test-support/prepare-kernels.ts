// The shared set-up step of `make test`: builds, once, every kernel the test files reuse (cold base, then
// the series and the test patches as incremental rebuilds in the one workspace). Later requests are store hits.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCases } from '../cases/definitions.js';
import { prepareKernel, type KernelPlan } from '../kernel/prepare.js';
import { DEFAULT_SOURCE } from '../kernel/source.js';
import { createContext } from '../util/context.js';
import { HarnessError } from '../util/errors.js';
import { streamLogger } from '../util/logger.js';
import { BREAK_IABT_PATCH, HANG_PATCH, SERIES_MBOX } from './paths.js';

export const TEST_KERNELS: ReadonlyArray<{ name: string; plan: KernelPlan }> = [
  { name: 'base (Debian 7.3)', plan: { source: DEFAULT_SOURCE, series: [], configFragments: [] } },
  { name: 'base + series', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX], configFragments: [] } },
  { name: 'base + series + break-iabt', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX, BREAK_IABT_PATCH], configFragments: [] } },
  { name: 'base + series + hang', plan: { source: DEFAULT_SOURCE, series: [SERIES_MBOX, HANG_PATCH], configFragments: [] } },
];

async function main(): Promise<void> {
  const ctx = createContext({ log: streamLogger(process.stderr) });
  const logDir = join(ctx.cacheDir, 'logs', 'test-kernels');
  await mkdir(logDir, { recursive: true });
  const cases = loadCases();
  for (const k of TEST_KERNELS) {
    const t = Date.now();
    const r = await prepareKernel(ctx, k.plan, cases, logDir);
    process.stderr.write(
      `test-kernels: ${k.name}: ${((Date.now() - t) / 1000).toFixed(1)} s (${r.kernel.fromStore ? 'artifact store' : `built, ${r.kernel.compiled} objects`}) -> ${r.kernel.key}\n`,
    );
  }
  await ctx.cleanup.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`test-kernels: ${err instanceof HarnessError ? err.describe() : (err as Error).stack}\n`);
  process.exit(1);
});
