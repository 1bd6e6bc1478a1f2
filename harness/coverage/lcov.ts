// An lcov tracefile (geninfo(1)'s format: SF, FN/FNDA, BRDA/BRF/BRH, DA, LF/LH, end_of_record) of the touched files' counts,
// for genhtml and for any tool that reads lcov. Source paths are rewritten to where the final tree's copies are.
import type { CountsByFile } from './gcov-json.js';

export function lcovTracefile(counts: CountsByFile, files: readonly string[], sourcePath: (treePath: string) => string, testName = 'sea-harness'): string {
  const out: string[] = [];
  for (const path of [...files].sort()) {
    const c = counts.get(path);
    if (!c || c.lines.size === 0) continue;
    out.push(`TN:${testName}`, `SF:${sourcePath(path)}`);
    const fns = [...c.functions].sort((a, b) => a.start - b.start);
    for (const f of fns) out.push(`FN:${f.start},${f.name}`);
    for (const f of fns) out.push(`FNDA:${f.count},${f.name}`);
    out.push(`FNF:${fns.length}`, `FNH:${fns.filter((f) => f.count > 0).length}`);
    const lines = [...c.lines].sort((a, b) => a[0] - b[0]);
    let brf = 0;
    let brh = 0;
    for (const [n, l] of lines) {
      // BRDA:<line>,<block>,<branch>,<taken>: '-' when the line itself never ran (geninfo(1)).
      l.branches.forEach((b, i) => out.push(`BRDA:${n},0,${i},${l.count > 0 ? b : '-'}`));
      brf += l.branches.length;
      brh += l.branches.filter((b) => b > 0).length;
    }
    if (brf) out.push(`BRF:${brf}`, `BRH:${brh}`);
    for (const [n, l] of lines) out.push(`DA:${n},${l.count}`);
    out.push(`LF:${lines.length}`, `LH:${lines.filter(([, l]) => l.count > 0).length}`, 'end_of_record');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
