// The host side of patch coverage, after the cases: the L1's counters beside the coverage build's notes, read by
// the cross gcov (JSON), intersected with the series, written as result data, an lcov tracefile and genhtml's
// HTML in the run's directory.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { COVERAGE_SCHEMA, type CoverageResult, type CoverageSnapshot } from '../model/coverage.js';
import { attribute, patchTotals, type AttributionInput } from './attribute.js';
import type { CounterSnapshot } from './collect.js';
import { buildRelativeGcda } from './counter-dump.js';
import { addGcovJson, addLine, type CountsByFile } from './gcov-json.js';
import type { CoverageInputs } from './inputs.js';
import { notesPath } from './plan.js';
import { lcovTracefile } from './lcov.js';

/** Out-dir-relative places of the coverage artifacts. */
export const COVERAGE_DIR = 'coverage';

export async function analyseCoverage(ctx: Context, inputs: CoverageInputs, snapshots: readonly CounterSnapshot[], gaps: readonly string[], scope: 'per-case' | 'together', outDir: string): Promise<CoverageResult> {
  const union: CountsByFile = new Map();
  const perSnapshot: CoverageSnapshot[] = [];
  const attributionOf = (counts: CountsByFile): AttributionInput => ({ patches: inputs.patches, files: inputs.files, blame: inputs.blame, counts, built: new Set(inputs.built) });
  for (const s of snapshots) {
    const counts = await gcovCounts(ctx, inputs, s);
    for (const [path, c] of counts) mergeInto(union, path, c);
    if (s.cases.length) perSnapshot.push({ cases: s.cases, patches: patchTotals(attributionOf(counts)) });
  }
  const patches = attribute(attributionOf(union));
  const artifacts = await writeArtifacts(ctx, inputs, union, outDir);
  return {
    schema: COVERAGE_SCHEMA,
    scope,
    instrumented: inputs.files.filter((f) => f.object && inputs.built.includes(f.path)).map((f) => f.object!),
    notMeasurableObjects: inputs.el2Objects,
    patches,
    snapshots: perSnapshot,
    gaps,
    artifacts,
  };
}

function mergeInto(into: CountsByFile, path: string, c: CountsByFile extends Map<string, infer V> ? V : never): void {
  const had = into.get(path);
  if (!had) {
    into.set(path, { lines: new Map(c.lines), functions: c.functions.map((f) => ({ ...f })) });
    return;
  }
  for (const [n, l] of c.lines) had.lines.set(n, addLine(had.lines.get(n), l));
  for (const f of c.functions) {
    const h = had.functions.find((g) => g.name === f.name && g.start === f.start);
    if (h) h.count += f.count;
    else had.functions.push({ ...f });
  }
}

/** One reading through gcov: notes and data side by side in a scratch directory, gcov run in the sandbox there. */
async function gcovCounts(ctx: Context, inputs: CoverageInputs, s: CounterSnapshot): Promise<CountsByFile> {
  const counts: CountsByFile = new Map();
  const built = inputs.files.filter((f) => inputs.built.includes(f.path));
  if (built.length === 0) return counts;
  const dir = await mkdtemp(join(tmpdir(), 'sea-harness-gcov-'));
  try {
    const data = new Map<string, Buffer>();
    for (const [path, bytes] of s.files) {
      const rel = buildRelativeGcda(path, inputs.buildDir);
      if (rel) data.set(rel, bytes);
    }
    const names: string[] = [];
    for (const f of built) {
      const notes = notesPath(f)!;
      const gcda = notes.replace(/\.gcno$/, '.gcda');
      await mkdir(dirname(join(dir, notes)), { recursive: true });
      await copyFile(join(inputs.notesDir, notes), join(dir, notes));
      const bytes = data.get(gcda);
      if (bytes) await writeFile(join(dir, gcda), bytes);
      names.push(gcda);
    }
    const r = await run(ctx, inputs.gcov, ['--json-format', '--stdout', '--branch-probabilities', ...names], {
      stage: 'coverage',
      cwd: dir,
      env: { LANG: 'C', LC_ALL: 'C' },
      sandbox: { purpose: 'gcov', writable: [dir] },
    });
    addGcovJson(counts, r.stdout, inputs.srcRoot, inputs.buildDir);
    return counts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** coverage/kernel.info (lcov), coverage/src/<path> (the final tree's touched files) and coverage/html/ (genhtml). */
async function writeArtifacts(ctx: Context, inputs: CoverageInputs, union: CountsByFile, outDir: string): Promise<CoverageResult['artifacts']> {
  const dir = join(outDir, COVERAGE_DIR);
  await mkdir(dir, { recursive: true });
  const files = inputs.files.filter((f) => f.measure === 'instrumented' || f.measure === 'header').map((f) => f.path);
  for (const f of files) {
    const lines = inputs.blame.get(f);
    if (!lines) continue;
    await mkdir(dirname(join(dir, 'src', f)), { recursive: true });
    await writeFile(join(dir, 'src', f), lines.map((l) => l.text).join('\n') + '\n');
  }
  const tracefile = lcovTracefile(union, files, (p) => join(dir, 'src', p));
  if (!tracefile) return { lcov: null, html: null };
  await writeFile(join(dir, 'kernel.info'), tracefile);
  const g = await run(ctx, 'genhtml', ['--quiet', '--branch-coverage', '--prefix', join(dir, 'src'), '--title', 'sea-harness patch coverage', '--output-directory', join(dir, 'html'), join(dir, 'kernel.info')], {
    stage: 'coverage',
    cwd: dir,
    reject: false,
    env: { LANG: 'C', LC_ALL: 'C' },
  });
  if (g.exitCode !== 0) ctx.log.warn(`coverage: genhtml failed (exit ${String(g.exitCode)}): ${g.stderr.trim().split('\n').pop() ?? ''}; the lcov file is still there`);
  return { lcov: join(COVERAGE_DIR, 'kernel.info'), html: g.exitCode === 0 ? join(COVERAGE_DIR, 'html', 'index.html') : null };
}
