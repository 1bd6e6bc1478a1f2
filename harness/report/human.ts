// Human reporter: compact lines for a terminal, ANSI colour only when asked; a run ends with one line per case.
import { coverageLines } from '../coverage/text.js';
import { caseRunLabel, caseRunOf } from '../model/case-run.js';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import type { CaseResult, RunResult } from '../model/result.js';
import { paint, palette, type Palette } from './ansi.js';
import { caseOutcome, countOutcomes, expectationText, flattenTests, testName, testOutcome } from './outcome.js';
import { besideText, casesToDetail, facts, headline } from './summary.js';
import { NOT_IN_TREE, absentUnasked, formatDuration, lastLines, logLine, oneLine, plural } from './text.js';
import type { RenderOptions } from './types.js';

/** Diagnostic lines shown under a failed test: the end of an assertion and its backtrace. */
const DIAG_LINES = 12;

function testLines(tests: readonly KtapTest[], indent: string, p: Palette, out: string[]): void {
  for (const t of tests) {
    const o = testOutcome(t.result);
    const exit = t.exitCode !== undefined && t.exitCode !== null ? ` (exit ${t.exitCode})` : '';
    const reason = t.reason === null ? '' : ` - ${oneLine(t.reason)}`;
    const num = t.number === null ? '-' : String(t.number);
    out.push(`${indent}${paint(p, o, t.result.padEnd(7))} ${num} ${oneLine(testName(t))}${reason}${exit}`);
    if ((o === 'fail' || o === 'error') && t.subtests.length === 0) {
      for (const d of lastLines(t.diagnostics, DIAG_LINES)) out.push(p.dim(`${indent}          ${logLine(d)}`));
    }
    testLines(t.subtests, `${indent}  `, p, out);
    if (t.bailout !== undefined && t.bailout !== null) out.push(`${indent}  ${p.red('Bail out!')} ${oneLine(t.bailout)}`);
  }
}

function summaryCounts(tests: readonly KtapTest[]): string {
  const n = countOutcomes(flattenTests(tests));
  const parts = [`${n.pass} passed`, `${n.fail + n.error} failed`, `${n.skip} skipped`];
  if (n.xfail > 0) parts.push(`${n.xfail} expected failures`);
  return `${plural(n.total, 'test')}: ${parts.join(', ')}`;
}

export function ktapHuman(doc: KtapDocument, opts: RenderOptions): string {
  const p = palette(opts.color);
  const plan = doc.plan === null ? 'no plan' : `plan 1..${doc.plan.count}`;
  const out = [`${p.bold(opts.name ?? 'KTAP')}: ${doc.version ?? 'no version line'}, ${plan}, ${summaryCounts(doc.tests)}`];
  if (doc.plan?.count === 0 && doc.plan.skipReason) out.push(`  ${p.yellow('skipped')} all: ${oneLine(doc.plan.skipReason)}`);
  testLines(doc.tests, '  ', p, out);
  if (doc.bailout !== null) out.push(`  ${p.red('Bail out!')} ${oneLine(doc.bailout)}`);
  if (doc.totals !== null) {
    const t = doc.totals;
    out.push(p.dim(`  totals line: pass:${t.pass} fail:${t.fail} xfail:${t.xfail} xpass:${t.xpass} skip:${t.skip} error:${t.error}`));
  }
  if (doc.tests.length === 0 && doc.plan === null) out.push(p.dim('  no KTAP results in this output'));
  // Bail-outs are shown where they happened, in the tree above.
  for (const pr of doc.problems.filter((x) => x.kind !== 'bailout')) out.push(`  ${p.yellow('problem')} ${pr.line === null ? '' : `line ${pr.line}: `}${pr.kind}: ${oneLine(pr.message)}`);
  return `${out.join('\n')}\n`;
}

function caseDetail(c: CaseResult, p: Palette): string[] {
  const o = caseOutcome(c);
  const expected = absentUnasked(c) ? ` ${NOT_IN_TREE}` : `, expected ${expectationText(c)}${c.met ? '' : p.red(' (not met)')}`;
  const out = [`${p.bold(caseRunLabel(caseRunOf(c)))}: ${paint(p, o, c.verdict)}${expected}`];
  if (c.reason !== null) out.push(`  ${oneLine(c.reason)}`);
  if (c.exitCode !== null && c.exitCode !== 0) out.push(`  exit code ${c.exitCode}`);
  const beside = besideText(c);
  if (beside) out.push(`  ${c.besideAttempt ? p.yellow(beside) : p.dim(beside)}`);
  for (const w of c.warnings) out.push(`  ${p.yellow(`kernel ${w.kind}:`)} ${oneLine(w.line)}`);
  if (c.kvmExit) out.push(`  KVM exit: ${oneLine(c.kvmExit.description)}`);
  for (const g of c.guestLines ?? []) out.push(`  ${oneLine(g)}`);
  for (const e of c.esr ?? []) out.push(`  ESR ${oneLine(e)}`);
  for (const b of c.buildWarnings ?? []) out.push(p.yellow(`  build warning: ${oneLine(b)}`));
  for (const n of c.notes ?? []) out.push(p.dim(`  note: ${oneLine(n)}`));
  if (c.ktap !== null && o !== 'pass' && o !== 'skip') {
    const failing = flattenTests(c.ktap.tests).filter((f) => f.outcome === 'fail' || f.outcome === 'error');
    for (const f of failing) out.push(`  ${paint(p, f.outcome, f.test.result)} ${oneLine(f.path.join(' / '))}${f.test.reason === null ? '' : ` - ${oneLine(f.test.reason)}`}`);
    if (c.ktap.bailout !== null) out.push(`  ${p.red('Bail out!')} ${oneLine(c.ktap.bailout)}`);
  }
  return out;
}

export function runHuman(result: RunResult, opts: RenderOptions): string {
  const p = palette(opts.color);
  const ok = result.verdict === 'pass';
  const out = [(ok ? p.green : p.red)(p.bold(`sea-harness ${headline(result)}`)), ...facts(result).map(([k, v]) => `${p.dim(`${k}:`)} ${v}`)];
  for (const c of casesToDetail(result)) out.push('', ...caseDetail(c, p));
  if (result.coverage) out.push('', ...coverageLines(result.coverage));
  if (result.coverageError) out.push('', p.red(`patch coverage: not computed: ${result.coverageError}`));
  if (result.cases.length > 0) {
    // The last lines, one per case, are the summary scripts and people look at first.
    const width = Math.max(...result.cases.map((c) => caseRunLabel(caseRunOf(c)).length));
    out.push('');
    for (const c of result.cases) {
      const name = caseRunLabel(caseRunOf(c));
      const expected = absentUnasked(c) ? NOT_IN_TREE : `expected ${c.expected}${c.met ? '' : ' NOT MET'}`;
      const reason = c.reason === null ? '' : `  ${oneLine(c.reason)}`;
      out.push(
        `${paint(p, caseOutcome(c), c.verdict.padEnd(7))} ${name.padEnd(width)}  ${(c.met ? (s: string) => s : p.red)(expected.padEnd(24))} ${formatDuration(c.durationMs).padStart(10)}${reason}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
