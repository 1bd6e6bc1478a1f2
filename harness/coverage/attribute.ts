// The series' lines against the L1's counters: for each patch and file, the lines it added or changed (git blame
// of the final tree) that ran, those that did not (in runs, with their function and source) and those that
// cannot be measured. Pure: every input is data.
import type { BranchLine, CoverageSnapshot, FileCoverage, PatchCoverage, UnrunLines } from '../model/coverage.js';
import type { BlamedLine } from './blame.js';
import { linesByPatch } from './blame.js';
import { functionAt, type CountsByFile, type FileCounts } from './gcov-json.js';
import type { FilePlan } from './plan.js';

export interface SeriesPatchRef {
  readonly patch: number;
  readonly subject: string;
  readonly commit: string;
  /** The files the patch touches (its commit's diff), also those with no line left to own (a selftest, a deletion). */
  readonly files: readonly string[];
}

export interface AttributionInput {
  readonly patches: readonly SeriesPatchRef[];
  readonly files: readonly FilePlan[];
  /** Every line of each touched file in the final tree, blamed (deleted files are absent). */
  readonly blame: ReadonlyMap<string, readonly BlamedLine[]>;
  readonly counts: CountsByFile;
  /** Instrumented files whose object this kernel config compiled (a .gcno exists for it). */
  readonly built: ReadonlySet<string>;
}

export const NO_OBJECT_COMPILES = 'no instrumented object compiles these lines (a header\'s lines count only where the series\' own C files use them)';
export const NOT_BUILT = 'this kernel config does not compile it';

export function attribute(input: AttributionInput): PatchCoverage[] {
  const commits = input.patches.map((p) => p.commit);
  const perFile = new Map<string, Map<number, BlamedLine[]>>();
  for (const [path, lines] of input.blame) perFile.set(path, linesByPatch(lines, commits));
  return input.patches.map((p) => {
    const files: FileCoverage[] = [];
    for (const plan of input.files) {
      const own = perFile.get(plan.path)?.get(p.patch) ?? [];
      if (own.length === 0 && !p.files.includes(plan.path)) continue;
      files.push(fileCoverage(plan, own, input.blame.get(plan.path) ?? [], input.counts.get(plan.path), input.built));
    }
    const sum = (f: (x: FileCoverage) => number) => files.reduce((n, x) => n + f(x), 0);
    return {
      patch: p.patch,
      subject: p.subject,
      commit: p.commit,
      files,
      executable: sum((f) => f.executable),
      ran: sum((f) => f.ran),
      branches: { taken: sum((f) => f.branchLines.reduce((n, b) => n + b.taken, 0)), total: sum((f) => f.branchLines.reduce((n, b) => n + b.total, 0)) },
      notMeasurable: sum((f) => (f.measure === 'not-measurable' ? f.lines : 0)),
    };
  });
}

function fileCoverage(plan: FilePlan, own: readonly BlamedLine[], all: readonly BlamedLine[], counts: FileCounts | undefined, built: ReadonlySet<string>): FileCoverage {
  const base = { path: plan.path, lines: own.length, executable: 0, ran: 0, ranLines: [] as number[], notRun: [] as UnrunLines[], branchLines: [] as BranchLine[] };
  if (plan.measure === 'not-measurable' || plan.measure === 'not-kernel' || plan.measure === 'not-built') return { ...base, measure: plan.measure, why: plan.why };
  if (plan.measure === 'instrumented' && !built.has(plan.path)) return { ...base, measure: 'not-built', why: NOT_BUILT };
  const ranLines: number[] = [];
  const unrun: number[] = [];
  const branchLines: BranchLine[] = [];
  for (const l of own) {
    const c = counts?.lines.get(l.line);
    if (!c) continue;
    (c.count > 0 ? ranLines : unrun).push(l.line);
    if (c.branches.length) branchLines.push({ line: l.line, taken: c.branches.filter((b) => b > 0).length, total: c.branches.length, function: functionAt(counts, l.line) });
  }
  const executable = ranLines.length + unrun.length;
  const why = plan.measure === 'header' && executable === 0 ? NO_OBJECT_COMPILES : null;
  return { ...base, measure: plan.measure, why, executable, ran: ranLines.length, ranLines, notRun: unrunRuns(unrun, ranLines, all, counts), branchLines };
}

/**
 * Not-run lines grouped into runs: a run ends where a line that ran lies between two not-run lines, or where
 * the function changes; lines without a counter in between (braces, comments) stay inside the run.
 */
export function unrunRuns(unrun: readonly number[], ran: readonly number[], all: readonly BlamedLine[], counts: FileCounts | undefined): UnrunLines[] {
  const sorted = [...unrun].sort((a, b) => a - b);
  const ranSorted = [...ran].sort((a, b) => a - b);
  const text = new Map(all.map((b) => [b.line, b.text]));
  const runs: Array<{ first: number; last: number; function: string | null }> = [];
  for (const line of sorted) {
    const fn = functionAt(counts, line);
    const cur = runs[runs.length - 1];
    if (cur && cur.function === fn && !ranSorted.some((r) => r > cur.last && r < line)) cur.last = line;
    else runs.push({ first: line, last: line, function: fn });
  }
  return runs.map((r) => {
    const source: string[] = [];
    for (let n = r.first; n <= r.last; n++) source.push(text.get(n) ?? '');
    return { ...r, source };
  });
}

/** A patch's totals and lines that ran under a set of counts (one snapshot of the run): for the per-case figures. */
export function patchTotals(input: AttributionInput): CoverageSnapshot['patches'] {
  return attribute(input).map((p) => ({
    patch: p.patch,
    executable: p.executable,
    ran: p.ran,
    ranLines: p.files.filter((f) => f.ranLines.length > 0).map((f) => ({ path: f.path, lines: f.ranLines, branchLines: f.branchLines })),
  }));
}
