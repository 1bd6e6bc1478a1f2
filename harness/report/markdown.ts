// Markdown reporter: fit for a mailing-list reply or a PR comment (plain-text readable tables and fenced logs, no HTML).
import { elObjects, patchSummary, scopeLine, unrunDetail, unrunLabel } from '../coverage/text.js';
import type { CoverageResult } from '../model/coverage.js';
import { caseRunLabel, caseRunOf } from '../model/case-run.js';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import type { CaseResult, RunResult } from '../model/result.js';
import { caseOutcome, countOutcomes, expectationText, flattenTests, testName, testOutcome } from './outcome.js';
import { besideText, casesToDetail, facts, headline } from './summary.js';
import { NOT_IN_TREE, absentUnasked, formatDuration, lastLines, logLine, oneLine, plural } from './text.js';
import type { RenderOptions } from './types.js';

const LOG_LINES = 30;

/** A table cell: one line, `|` escaped, `<` escaped so that a renderer does not take it for HTML. */
export function cell(s: string | null): string {
  if (s === null || s === '') return '';
  return oneLine(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '\\<');
}

/** A fenced block that its content cannot close early. */
function fenced(lines: readonly string[]): string[] {
  let fence = '```';
  while (lines.some((l) => l.includes(fence))) fence += '`';
  return [`${fence}text`, ...lines.map(logLine), fence];
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Append `items` to `out` one by one: a spread passes each item as an argument, and 150,000 results overflow the stack. */
function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

function testRows(tests: readonly KtapTest[], prefix = '', rows: string[][] = []): string[][] {
  tests.forEach((t, i) => {
    const n = `${prefix}${t.number ?? i + 1}`;
    const o = testOutcome(t.result);
    const result = o === 'fail' || o === 'error' ? `**${t.result}**` : t.result;
    const exit = t.exitCode !== undefined && t.exitCode !== null ? `exit code ${t.exitCode}` : null;
    const bail = t.bailout !== undefined && t.bailout !== null ? `Bail out! ${t.bailout}` : null;
    rows.push([n, cell(testName(t)), result, cell([t.reason ?? exit, bail].filter((x) => x !== null).join('; '))]);
    testRows(t.subtests, `${n}.`, rows);
  });
  return rows;
}

function failedTestDetails(tests: readonly KtapTest[]): string[] {
  const out: string[] = [];
  for (const f of flattenTests(tests)) {
    if (f.outcome !== 'fail' && f.outcome !== 'error') continue;
    const t = f.test;
    out.push('', `#### ${cell(f.path.join(' / '))}: ${t.result}${t.reason === null ? '' : ` (${cell(t.reason)})`}`);
    const lines = [...t.diagnostics, ...(t.bailout ? [`Bail out! ${t.bailout}`] : [])];
    if (lines.length > 0) out.push('', ...fenced(lastLines(lines, LOG_LINES)));
  }
  return out;
}

/** Format problems; bail-outs are left out: they are shown where they happened. */
function problemLines(doc: KtapDocument): string[] {
  return doc.problems.filter((p) => p.kind !== 'bailout').map((p) => `- KTAP ${p.kind}${p.line === null ? '' : ` (line ${p.line})`}: ${cell(p.message)}`);
}

function caseDetails(c: CaseResult): string[] {
  const expected = absentUnasked(c) ? ` ${NOT_IN_TREE}` : `, expected ${cell(expectationText(c))}${c.met ? '' : ' (not met)'}`;
  const out = ['', `### ${cell(caseRunLabel(caseRunOf(c)))}: ${c.verdict}${expected}`, ''];
  if (c.reason !== null) out.push(`- reason: ${cell(c.reason)}`);
  if (c.exitCode !== null) out.push(`- exit code: ${c.exitCode}`);
  out.push(`- time: ${formatDuration(c.durationMs)}`);
  const beside = besideText(c);
  if (beside) out.push(`- ${cell(beside)}`);
  for (const n of c.notes ?? []) out.push(`- note: ${cell(n)}`);
  for (const w of c.warnings) out.push(`- kernel ${w.kind}: \`${oneLine(w.line).replace(/`/g, "'")}\``);
  for (const b of c.buildWarnings ?? []) out.push(`- build warning: ${cell(b)}`);
  if (c.kvmExit) out.push(`- KVM exit: ${cell(c.kvmExit.description)}`);
  for (const g of c.guestLines ?? []) out.push(`- ${cell(g)}`);
  for (const e of c.esr ?? []) out.push(`- ESR ${cell(e)}`);
  const doc = c.ktap;
  if (doc !== null) {
    if (doc.bailout !== null) out.push(`- bail out: ${cell(doc.bailout)}`);
    append(out, problemLines(doc));
    if (doc.tests.length > 0) {
      out.push('');
      append(out, table(['#', 'test', 'result', 'reason'], testRows(doc.tests)));
    }
    append(out, failedTestDetails(doc.tests));
    const output = [...(doc.preamble ?? []), ...(doc.epilogue ?? [])];
    if (caseOutcome(c) !== 'skip' && output.length > 0) out.push('', 'Output outside test results:', '', ...fenced(lastLines(output, LOG_LINES)));
  }
  return out;
}

export function runMarkdown(result: RunResult): string {
  const out = [`## sea-harness: ${headline(result)}`, '', ...facts(result).map(([k, v]) => `- ${k}: ${cell(v)}`)];
  if (result.cases.length > 0) {
    out.push(
      '',
      ...table(
        ['case', 'verdict', 'expected', 'reason', 'time'],
        result.cases.map((c) => [
          cell(caseRunLabel(caseRunOf(c))),
          absentUnasked(c) ? `${c.verdict} ${NOT_IN_TREE}` : c.met ? c.verdict : `**${c.verdict}** (not met)`,
          absentUnasked(c) ? '-' : cell(expectationText(c)),
          cell(c.reason),
          formatDuration(c.durationMs),
        ]),
      ),
    );
  }
  for (const c of casesToDetail(result)) append(out, caseDetails(c));
  if (result.coverage) append(out, coverageMarkdown(result.coverage));
  if (result.coverageError) out.push('', `**Patch coverage: not computed:** ${cell(result.coverageError)}`);
  return `${out.join('\n')}\n`;
}

/** Patch coverage: a row per patch, then each run of lines that did not run with its source. */
export function coverageMarkdown(c: CoverageResult): string[] {
  const out = ['', '### Patch coverage', '', `${scopeLine(c)}.`, ''];
  append(out, table(['patch', 'lines ran', 'not run', 'subject'], c.patches.map((p) => [
    `${p.patch}/${c.patches.length}`,
    cell(patchSummary(p, c.patches.length).replace(/^patch \d+\/\d+: /, '')),
    cell(p.files.flatMap((f) => f.notRun.map((r) => unrunLabel(f.path, r))).join('; ') || '-'),
    cell(p.subject),
  ])));
  const detail = c.patches.flatMap((p) => unrunDetail(p, true).length ? [`patch ${p.patch}/${c.patches.length}`, ...unrunDetail(p, true).map((l) => `  ${l}`)] : []);
  if (detail.length) append(out, ['', ...fenced(detail)]);
  if (c.notMeasurableObjects.length) out.push('', `Not measurable: ${cell(elObjects(c.notMeasurableObjects))}.`);
  for (const g of c.gaps) out.push('', `Gap: ${cell(g)}`);
  return out;
}

export function ktapMarkdown(doc: KtapDocument, opts: RenderOptions): string {
  const n = countOutcomes(flattenTests(doc.tests));
  const counts = [`${n.pass} passed`, `${n.fail + n.error} failed`, `${n.skip} skipped`, ...(n.xfail > 0 ? [`${n.xfail} expected failures`] : [])];
  const out = [`## ${cell(opts.name ?? 'KTAP')}: ${plural(n.total, 'test')} (${counts.join(', ')})`, ''];
  const plan = doc.plan === null ? 'no plan' : doc.plan.count === 0 ? `plan 1..0 (skipped: ${cell(doc.plan.skipReason ?? '')})` : `plan 1..${doc.plan.count}`;
  out.push(`- format: ${doc.version ?? 'no version line'}, ${plan}`);
  if (doc.bailout !== null) out.push(`- bail out: ${cell(doc.bailout)}`);
  if (doc.totals !== null) {
    const t = doc.totals;
    out.push(`- totals line: pass ${t.pass}, fail ${t.fail}, xfail ${t.xfail}, xpass ${t.xpass}, skip ${t.skip}, error ${t.error}`);
  }
  append(out, problemLines(doc));
  if (doc.tests.length > 0) {
    out.push('');
    append(out, table(['#', 'test', 'result', 'reason'], testRows(doc.tests)));
  }
  append(out, failedTestDetails(doc.tests));
  const output = [...(doc.preamble ?? []), ...(doc.epilogue ?? [])];
  if (output.length > 0) out.push('', 'Output outside test results:', '', ...fenced(lastLines(output, LOG_LINES)));
  return `${out.join('\n')}\n`;
}
