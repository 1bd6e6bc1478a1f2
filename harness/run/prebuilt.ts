// A kernel built elsewhere (another CI job): `build --out DIR` copies the Image, System.map, .config and the
// selftest binaries into DIR with a kernel.json manifest; `run --prebuilt DIR` boots and tests them as they are.
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PreparedKernel } from '../kernel/prepare.js';
import type { CaseDefinition } from '../catalog/cases.js';
import { UsageError } from '../util/errors.js';

/** What the run stages take from the kernel stage: a freshly prepared kernel or a prebuilt one. */
export type KernelForRun = Pick<PreparedKernel, 'source' | 'kernel' | 'selftests' | 'timings'> & Partial<Pick<PreparedKernel, 'work' | 'coverage'>>;

const MANIFEST = 'kernel.json';

interface Manifest {
  readonly schema: 'sea-harness/prebuilt@1';
  readonly source: PreparedKernel['source'];
  readonly kernel: { readonly key: string; readonly release: string | null; readonly tree: string; readonly image: string; readonly systemMap: string; readonly config: string };
  readonly selftests: ReadonlyArray<{ readonly case: string; readonly suite: string; readonly target: string; readonly path: string | null; readonly warnings: readonly string[] }>;
}

export async function writePrebuilt(k: PreparedKernel, dir: string): Promise<string> {
  await mkdir(join(dir, 'selftests'), { recursive: true });
  await copyFile(k.kernel.image, join(dir, 'Image'));
  await copyFile(k.kernel.systemMap, join(dir, 'System.map'));
  await copyFile(k.kernel.config, join(dir, 'config'));
  for (const s of k.selftests) if (s.path) await copyFile(s.path, join(dir, 'selftests', s.case));
  const manifest: Manifest = {
    schema: 'sea-harness/prebuilt@1',
    source: k.source,
    kernel: { key: k.kernel.key, release: k.kernel.release, tree: k.kernel.tree, image: 'Image', systemMap: 'System.map', config: 'config' },
    selftests: k.selftests.map((s) => ({ case: s.case, suite: s.suite, target: s.target, path: s.path ? join('selftests', s.case) : null, warnings: s.warnings })),
  };
  const path = join(dir, MANIFEST);
  await writeFile(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

export async function loadPrebuilt(dirGiven: string, cases: readonly CaseDefinition[]): Promise<KernelForRun> {
  const dir = resolve(dirGiven);
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => null);
  if (text === null) throw new UsageError(`--prebuilt ${dirGiven}: no ${MANIFEST} there`, 'make the directory with `npx sea-harness build --out DIR` (it copies the Image, config and selftests with a kernel.json)');
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new UsageError(`--prebuilt ${dirGiven}: ${MANIFEST} is not JSON (${(err as Error).message})`);
  }
  if (m.schema !== 'sea-harness/prebuilt@1') throw new UsageError(`--prebuilt ${dirGiven}: ${MANIFEST} has schema ${String(m.schema)}, expected sea-harness/prebuilt@1`);
  for (const f of [m.kernel.image, m.kernel.systemMap, m.kernel.config, ...m.selftests.flatMap((s) => (s.path ? [s.path] : []))]) {
    if (!(await stat(join(dir, f)).catch(() => null))) throw new UsageError(`--prebuilt ${dirGiven}: ${f} is missing`, 'copy the whole directory that `build --out` wrote');
  }
  const missing = cases.filter((c) => !m.selftests.some((s) => s.case === c.name));
  if (missing.length) throw new UsageError(`--prebuilt ${dirGiven}: no selftest built for ${missing.map((c) => c.name).join(', ')}`, 'build with the same --case/--selftest options, or leave those cases out');
  return {
    source: m.source,
    kernel: { key: m.kernel.key, dir, image: join(dir, m.kernel.image), config: join(dir, m.kernel.config), systemMap: join(dir, m.kernel.systemMap), vmlinux: '', tree: m.kernel.tree, release: m.kernel.release, fromStore: true, buildMs: 0, compiled: 0, logPath: '', configMs: 0 },
    selftests: m.selftests.map((s) => ({ ...s, path: s.path ? join(dir, s.path) : null })),
    timings: { sourceMs: 0, kernelBuildMs: 0, selftestsBuildMs: 0 },
  };
}
