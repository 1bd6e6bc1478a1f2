// Run-level facts every human-facing reporter states: the headline, kernel, series, guest and timings lines.
import type { CaseResult, RunResult } from '../model/result.js';
import { caseOutcome } from './outcome.js';
import { formatDuration, oneLine, plural } from './text.js';
import { confinementText } from '../util/sandbox.js';

/** `FAIL: 1 of 3 cases did not meet its expectation`. */
export function headline(result: RunResult): string {
  const unmet = result.cases.filter((c) => !c.met).length;
  const verdict = result.verdict.toUpperCase();
  if (result.error) return `${verdict}: ${result.error.stage}: ${result.error.message}`;
  if (result.cases.length === 0) return `${verdict}: no cases ran`;
  if (unmet === 0) return `${verdict}: all ${plural(result.cases.length, 'case')} met their expectations`;
  return `${verdict}: ${unmet} of ${plural(result.cases.length, 'case')} did not meet ${unmet === 1 ? 'its expectation' : 'their expectations'}`;
}

/** `key: value` facts about the run, in reading order. */
export function facts(result: RunResult): [string, string][] {
  const k = result.kernel;
  const out: [string, string][] = [];
  const kernel = [k.release ?? 'release unknown', k.source, k.commit === null ? null : `commit ${k.commit.slice(0, 12)}`, k.tree === null ? null : `tree ${k.tree.slice(0, 12)}`];
  out.push(['kernel', kernel.filter((x) => x !== null).join(', ')]);
  if (k.series.length > 0) {
    const failed = k.series.filter((p) => !p.applied);
    out.push([
      'series',
      failed.length === 0
        ? `${plural(k.series.length, 'patch', 'patches')}, all applied`
        : `${plural(k.series.length, 'patch', 'patches')}; did not apply: ${failed.map((p) => `${p.patch} "${p.subject}"`).join(', ')}`,
    ]);
  }
  if (result.provenance.sandbox) out.push(['build sandbox', confinementText(result.provenance.sandbox)]);
  if (result.guest !== null) {
    const g = result.guest;
    out.push(['guest', [g.profile, g.accel, g.qemu === null ? null : `QEMU ${g.qemu}`].filter((x) => x !== null).join(', ')]);
  }
  const t = result.timings;
  const parts: [string, number][] = [
    ['kernel build', t.kernelBuildMs],
    ['selftests build', t.selftestsBuildMs],
    ['image', t.imageMs],
    ['boot', t.bootMs],
    ['run', t.runMs],
  ];
  const shown = parts.filter(([, ms]) => ms > 0).map(([name, ms]) => `${name} ${formatDuration(ms)}`);
  out.push(['time', `total ${formatDuration(t.totalMs)}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`]);
  if (result.error?.hint) out.push(['hint', result.error.hint]);
  return out;
}

/** Cases that need a closer look: not a met pass. */
export function casesToDetail(result: RunResult): RunResult['cases'] {
  // A pass with notes is detailed too: a known limit of the test must be shown with its verdict. So is one that
  // gave another verdict beside other cases: it may be a race in the kernel.
  return result.cases.filter((c) => caseOutcome(c) !== 'pass' || c.warnings.length > 0 || (c.notes?.length ?? 0) > 0 || c.besideAttempt);
}

/** Whether the case shared the L1 (--jobs), and what it gave beside others when the verdict is from a re-run alone. */
export function besideText(c: CaseResult): string | null {
  const a = c.besideAttempt;
  if (a) return `beside ${a.ranBeside.join(', ')} it gave ${a.verdict}${a.reason === null ? '' : ` (${oneLine(a.reason)})`}; this verdict is from a re-run alone`;
  return c.ranBeside?.length ? `ran beside ${c.ranBeside.join(', ')} in the same L1` : null;
}
