// Base against base+series, case by case and subtest by subtest (pure): what the series changed, and what
// needs a re-run before it may be called a regression.
import type { CaseResult, KernelWarning, Verdict } from '../model/result.js';
import type { KtapTest } from '../model/ktap.js';
import type { CaseComparison, Change, SubtestChange } from '../model/ci.js';
import { testName } from '../report/outcome.js';

const BAD: readonly Verdict[] = ['fail', 'crash', 'timeout'];

/** Subtests by path (`parent.child`; a nameless one named as the reports name it), with their result and skip reason. */
export function flattenSubtests(c: CaseResult | null): Map<string, { result: string; reason: string | null }> {
  const out = new Map<string, { result: string; reason: string | null }>();
  const walk = (tests: readonly KtapTest[], prefix: string) => {
    for (const t of tests) {
      const key = `${prefix}${testName(t)}`;
      out.set(key, { result: t.result, reason: t.reason });
      walk(t.subtests, `${key}.`);
    }
  };
  walk(c?.ktap?.tests ?? [], '');
  return out;
}

export function compareSubtests(base: CaseResult | null, series: CaseResult | null): SubtestChange[] {
  const b = flattenSubtests(base);
  const s = flattenSubtests(series);
  const changes: SubtestChange[] = [];
  // XPASS is a pass, as kselftest counts it (report/outcome.ts).
  const good = (r: string) => r === 'pass' || r === 'skip' || r === 'xfail' || r === 'xpass';
  for (const name of new Set([...b.keys(), ...s.keys()])) {
    const x = b.get(name) ?? null;
    const y = s.get(name) ?? null;
    let change: Change | null = null;
    if (!x && y) change = good(y.result) ? 'new' : 'regressed';
    else if (x && !y) change = 'removed';
    else if (x && y && x.result !== y.result) change = good(x.result) && !good(y.result) ? 'regressed' : !good(x.result) && good(y.result) ? 'fixed' : 'reason-changed';
    else if (x && y && x.reason !== y.reason) change = 'reason-changed';
    if (change) changes.push({ name, base: x ? `${x.result}${x.reason ? ` (${x.reason})` : ''}` : null, series: y ? `${y.result}${y.reason ? ` (${y.reason})` : ''}` : null, change });
  }
  return changes;
}

/** A warning's line without what changes from boot to boot (timestamps, addresses, PIDs, CPU numbers). */
export function warningKey(w: KernelWarning): string {
  return `${w.kind}:${w.line.replace(/^\s*\[\s*\d+\.\d+\]\s*/, '').replace(/0x[0-9a-f]+/gi, '0x?').replace(/\b[0-9a-f]{8,}\b/gi, '?').replace(/\d+/g, 'N')}`;
}

export function newWarnings(base: readonly KernelWarning[], series: readonly KernelWarning[]): KernelWarning[] {
  const known = new Set(base.map(warningKey));
  const seen = new Set<string>();
  return series.filter((w) => {
    const k = warningKey(w);
    if (known.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const describe = (c: CaseResult) => `${c.verdict}${c.reason ? ` (${c.reason})` : ''}`;

export function compareCase(name: string, base: CaseResult | null, series: CaseResult | null): CaseComparison {
  const b = base && base.verdict !== 'absent' ? base : null;
  const s = series && series.verdict !== 'absent' ? series : null;
  const subtests = b && s ? compareSubtests(b, s) : [];
  let change: Change;
  let detail: string;
  if (!b && !s) [change, detail] = ['unchanged', 'absent on both sides'];
  else if (!b) [change, detail] = s!.met ? ['new', `new with the series: ${describe(s!)}`] : ['regressed', `new with the series and it does not pass: ${describe(s!)}`];
  else if (!s) [change, detail] = ['removed', `present on the base (${describe(b)}), absent with the series`];
  else if (b.met && s.met) {
    const same = b.verdict === s.verdict && (b.verdict !== 'skip' || b.reason === s.reason);
    [change, detail] = same ? ['unchanged', describe(s)] : ['reason-changed', `${describe(b)} -> ${describe(s)}`];
  } else if (b.met && BAD.includes(s.verdict)) [change, detail] = ['regressed', `${describe(b)} on the base -> ${describe(s)} with the series`];
  else if (b.met) [change, detail] = ['reason-changed', `${describe(b)} -> ${describe(s)}`];
  else if (s.met) [change, detail] = ['fixed', `${describe(b)} on the base -> ${describe(s)} with the series`];
  else if (b.verdict === s.verdict && b.reason === s.reason) [change, detail] = ['unchanged', `already ${describe(b)} on the base (not caused by the series)`];
  else [change, detail] = ['reason-changed', `already failing on the base: ${describe(b)} -> ${describe(s)}`];
  if (change === 'unchanged' && subtests.some((x) => x.change === 'regressed')) [change, detail] = ['regressed', `subtest(s) regressed: ${subtests.filter((x) => x.change === 'regressed').map((x) => x.name).join(', ')}`];
  return {
    name,
    base: base?.verdict ?? null,
    series: series?.verdict ?? null,
    change,
    detail,
    baseReason: base?.reason ?? null,
    seriesReason: series?.reason ?? null,
    subtests,
    newWarnings: newWarnings(base?.warnings ?? [], series?.warnings ?? []),
    rerun: null,
    notes: series?.notes ?? base?.notes ?? [],
  };
}

/** Whether the comparison must be re-run on both sides before it may count: a regression, in the case or a subtest. */
export function needsRerun(c: CaseComparison): boolean {
  return c.change === 'regressed' || c.subtests.some((s) => s.change === 'regressed');
}

/** After the re-run: still a regression when the re-run compares the same way; otherwise a flake. */
export function afterRerun(first: CaseComparison, rerun: CaseComparison): CaseComparison {
  const rr = { base: rerun.base, series: rerun.series };
  if (needsRerun(rerun)) return { ...first, rerun: rr, detail: `${first.detail}; confirmed by a re-run of both sides` };
  return { ...first, change: 'flaky', rerun: rr, detail: `${first.detail}; but the re-run gave ${rerun.base ?? 'absent'} on the base and ${rerun.series ?? 'absent'} with the series: flaky, not blamed on the series` };
}

export function compareRuns(names: readonly string[], base: readonly CaseResult[], series: readonly CaseResult[]): CaseComparison[] {
  return names.map((n) => compareCase(n, base.find((c) => c.name === n) ?? null, series.find((c) => c.name === n) ?? null));
}
