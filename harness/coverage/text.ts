// Patch coverage for people: one line per patch ("patch 2/3: 14 of 16 new lines ran"), each run of lines that
// did not run with its file:line, function and source; what cannot be measured said as such, never as 0 %.
import type { CoverageResult, FileCoverage, PatchCoverage, UnrunLines } from '../model/coverage.js';

/** `arch/arm64/kvm/guest.c:795-796 in __kvm_arm_vcpu_set_events` */
export function unrunLabel(path: string, r: UnrunLines): string {
  const lines = r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
  return `${path}:${lines}${r.function ? ` in ${r.function}` : ''}`;
}

/** `patch 2/3: 14 of 16 new lines ran` or why nothing of it counts. */
export function patchSummary(p: PatchCoverage, total: number): string {
  const head = `patch ${p.patch}/${total}`;
  if (p.executable > 0) {
    const ways = p.branches.total ? `, ${p.branches.taken} of ${p.branches.total} ways of their branches taken` : '';
    const extra = p.notMeasurable ? `; ${p.notMeasurable} more in EL2 or assembly code, not measurable` : '';
    return `${head}: ${p.ran} of ${p.executable} new lines ran${ways}${extra}`;
  }
  if (p.notMeasurable > 0) return `${head}: not measurable (${p.notMeasurable} lines in EL2 or assembly code)`;
  return `${head}: no kernel lines to run (${noCodeReason(p.files)})`;
}

function noCodeReason(files: readonly FileCoverage[]): string {
  if (files.length === 0) return 'it leaves no line in the files the series touches';
  const byWhy = new Map<string, string[]>();
  for (const f of files) byWhy.set(f.why ?? 'no code lines', [...(byWhy.get(f.why ?? 'no code lines') ?? []), f.path]);
  return [...byWhy].map(([why, paths]) => `${paths.length === 1 ? paths[0] : `${paths[0]} and ${paths.length - 1} more`}: ${why}`).join('; ');
}

/** The `not run:` lines of a patch, each followed by its source (indented, numbered), then its branches that ran one way only. */
export function unrunDetail(p: PatchCoverage, withSource: boolean): string[] {
  const out: string[] = [];
  for (const f of p.files) {
    for (const r of f.notRun) {
      out.push(`not run: ${unrunLabel(f.path, r)}`);
      if (withSource) r.source.forEach((s, i) => out.push(`  ${String(r.first + i).padStart(5)} | ${s}`));
    }
    const ran = new Set(f.ranLines);
    for (const b of f.branchLines) {
      if (ran.has(b.line) && b.taken < b.total) out.push(`branch not always taken: ${f.path}:${b.line}${b.function ? ` in ${b.function}` : ''} (${b.taken} of ${b.total} ways)`);
    }
  }
  return out;
}

/** The scope sentence: what the figures are of. */
export function scopeLine(c: CoverageResult): string {
  const scope = c.scope === 'per-case' ? 'counters reset before each case and read after it' : 'the cases shared the L1: the figures are for the cases together';
  return `kernel lines the series added or changed that ran in the L1 (${scope})`;
}

/** The whole section as plain lines (human report; the Markdown one wraps the same lines). */
export function coverageLines(c: CoverageResult, withSource = true): string[] {
  const out = [`patch coverage: ${scopeLine(c)}`];
  const total = c.patches.length;
  for (const p of c.patches) {
    out.push(`  ${patchSummary(p, total)}  ${p.subject}`);
    for (const l of unrunDetail(p, withSource)) out.push(`    ${l}`);
    for (const f of p.files) if (f.measure === 'not-measurable') out.push(`    not measurable: ${f.path} (${f.why})`);
  }
  if (c.notMeasurableObjects.length) out.push(`  not measurable: ${elObjects(c.notMeasurableObjects)}`);
  if (c.snapshots.length > 1) {
    for (const s of c.snapshots) out.push(`  ${s.cases.join(' + ')}: ${s.patches.filter((p) => p.executable > 0).map((p) => `patch ${p.patch} ${p.ran}/${p.executable}`).join(', ') || 'no measurable lines'}`);
  }
  for (const g of c.gaps) out.push(`  gap: ${g}`);
  if (c.artifacts.lcov) out.push(`  lcov: ${c.artifacts.lcov}${c.artifacts.html ? `, HTML: ${c.artifacts.html}` : ''}`);
  return out;
}

/** `23 EL2 objects compile the series' headers (arch/arm64/kvm/hyp/nvhe/switch.nvhe.o, ...): gcov cannot count there` */
export function elObjects(objects: readonly string[]): string {
  const shown = objects.slice(0, 3).join(', ');
  return `${objects.length} EL2 object${objects.length === 1 ? ' compiles' : 's compile'} the series' files (${shown}${objects.length > 3 ? ', ...' : ''}): gcov cannot count there`;
}
