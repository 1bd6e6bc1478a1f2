// TAP 14 reporter: re-emits a parsed document or a run so that TAP consumers (node-tap's tap-parser included) read it.
import { caseRunLabel, caseRunOf } from '../model/case-run.js';
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import type { CaseResult, RunResult } from '../model/result.js';
import { caseMessage, caseOutcome, expectationText, testName } from './outcome.js';
import { logLine, oneLine } from './text.js';

const INDENT = '    ';

/** TAP 14 escapes `#` and `\` in descriptions; a leading digit stays safe behind the `- ` separator. */
function escapeName(s: string): string {
  return oneLine(s).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/**
 * A comment line. A comment reading `Subtest: x` would open a subtest in
 * tap-parser (TAP 14 `# Subtest:` header): one more space keeps it a comment.
 */
function comment(text: string, indent: string): string {
  const t = logLine(text);
  if (t === '') return `${indent}#`;
  return /^\s*Subtest\b/.test(t) ? `${indent}#  ${t}` : `${indent}# ${t}`;
}

/** A YAML block under a test point; values are JSON strings, which YAML reads as flow scalars. */
function yaml(fields: readonly [string, string | number | null][], indent: string): string[] {
  const present = fields.filter(([, v]) => v !== null);
  if (present.length === 0) return [];
  return [
    `${indent}  ---`,
    ...present.map(([k, v]) => `${indent}  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`),
    `${indent}  ...`,
  ];
}

/** Directive and ok-ness of a KTAP result in TAP 14, which knows only SKIP and TODO. */
function point(t: KtapTest): { ok: boolean; directive: string } {
  const reason = t.reason === null ? '' : ` ${oneLine(t.reason)}`;
  switch (t.result) {
    case 'pass':
      return { ok: true, directive: '' };
    case 'skip':
      return { ok: true, directive: ` # SKIP${reason}` };
    case 'todo':
      return { ok: false, directive: ` # TODO${reason}` };
    case 'xfail':
      // An expected failure that failed: not a failure, which TAP says with TODO.
      return { ok: false, directive: ` # TODO XFAIL${reason}` };
    case 'xpass':
      // An unexpected pass is a pass, as kselftest counts it (ksft_finished()); XPASS stays as a comment.
      return { ok: true, directive: ` # XPASS${reason}` };
    default:
      // fail, timeout, error: failures; the KTAP result goes in the YAML block.
      return { ok: false, directive: '' };
  }
}

function emitTests(tests: readonly KtapTest[], indent: string, out: string[]): void {
  tests.forEach((t, i) => {
    const n = i + 1;
    for (const d of t.diagnostics) out.push(comment(d, indent));
    if (t.subtests.length > 0 || (t.bailout !== undefined && t.bailout !== null)) {
      out.push(`${indent}# Subtest: ${oneLine(testName(t))}`);
      emitDocument(t.subtests, t.subtests.length, t.bailout ?? null, `${indent}${INDENT}`, out);
    }
    const { ok, directive } = point(t);
    const name = t.name === '' ? '' : ` - ${escapeName(t.name)}`;
    out.push(`${indent}${ok ? 'ok' : 'not ok'} ${n}${name}${directive}`);
    if (!ok && directive === '') {
      out.push(
        ...yaml(
          [
            ['result', t.result],
            ['reason', t.reason],
            ['exitCode', t.exitCode ?? null],
          ],
          indent,
        ),
      );
    }
  });
}

/**
 * A (sub)document. Tests are renumbered 1..N so that the output is
 * consistent TAP even when the input's numbering was not; the input's
 * problems are reported as comments by the caller.
 */
function emitDocument(tests: readonly KtapTest[], count: number, bailout: string | null, indent: string, out: string[], skipAll: string | null = null): void {
  if (count === 0 && skipAll !== null) out.push(`${indent}1..0 # SKIP ${oneLine(skipAll)}`);
  else out.push(`${indent}1..${count}`);
  emitTests(tests, indent, out);
  // A nested document's bail-out ended only that document (the kselftest
  // runner went on), but tap-parser ends the whole stream at any `Bail out!`:
  // it stays a comment.
  if (bailout !== null) out.push(comment(`Bail out! ${bailout}`, indent));
}

export function ktapTap(doc: KtapDocument): string {
  const out = ['TAP version 14'];
  for (const line of doc.preamble ?? []) out.push(comment(line, ''));
  const skipAll = doc.tests.length === 0 ? (doc.plan?.skipReason ?? (doc.plan === null ? 'no KTAP results in this output' : null)) : null;
  // A plan promising more tests than there are results is kept: output cut
  // short by a crash must not read as a pass (tap-parser then reports the
  // missing tests). Otherwise the plan is the number of results re-emitted.
  const planned = doc.plan !== null && doc.plan.count > doc.tests.length ? doc.plan.count : doc.tests.length;
  emitDocument(doc.tests, planned, null, '', out, skipAll);
  for (const line of doc.epilogue ?? []) out.push(comment(line, ''));
  for (const p of doc.problems) out.push(comment(`KTAP ${p.kind}${p.line === null ? '' : ` (line ${p.line})`}: ${p.message}`, ''));
  if (doc.bailout !== null) out.push(`Bail out! ${oneLine(doc.bailout)}`);
  return `${out.join('\n')}\n`;
}

function casePoint(c: CaseResult, n: number, out: string[]): void {
  const outcome = caseOutcome(c);
  const name = escapeName(caseRunLabel(caseRunOf(c)));
  const reason = c.reason === null ? '' : ` ${oneLine(c.reason)}`;
  switch (outcome) {
    case 'pass':
      out.push(`ok ${n} - ${name} # time=${Math.round(c.durationMs)}ms`);
      return;
    case 'skip':
      out.push(`ok ${n} - ${name} # SKIP ${c.verdict === 'absent' ? `absent${reason}` : reason.trim() || 'skip'}`);
      return;
    case 'xfail':
      out.push(`not ok ${n} - ${name} # TODO expected ${c.verdict}${reason}`);
      return;
    default:
      // An unmet expectation is a failure whatever the verdict, a pass included.
      out.push(`not ok ${n} - ${name}`);
      out.push(
        ...yaml(
          [
            ['message', caseMessage(c)],
            ['verdict', c.verdict],
            ['expected', expectationText(c)],
            ['reason', c.reason],
            ['exitCode', c.exitCode],
            ['durationMs', Math.round(c.durationMs)],
          ],
          '',
        ),
      );
  }
}

export function runTap(result: RunResult): string {
  const out = ['TAP version 14', `1..${result.cases.length}`];
  const k = result.kernel;
  out.push(comment(`sea-harness run: ${result.verdict}; kernel ${k.release ?? '?'} (${k.source})${result.guest ? `; guest ${result.guest.profile} (${result.guest.accel})` : ''}`, ''));
  result.cases.forEach((c, i) => {
    for (const w of c.warnings) out.push(comment(`kernel ${w.kind}: ${w.line}`, ''));
    for (const note of c.notes ?? []) out.push(comment(`note: ${note}`, ''));
    const tests = c.ktap?.tests ?? [];
    if (tests.length > 0) {
      out.push(`# Subtest: ${oneLine(c.name)}`);
      emitDocument(tests, tests.length, c.ktap?.bailout ?? null, INDENT, out);
    }
    casePoint(c, i + 1, out);
  });
  // The run could not reach (all of) its cases: consumers must not read a short plan as success.
  if (result.error) out.push(`Bail out! ${oneLine(`${result.error.stage}: ${result.error.message}`)}`);
  return `${out.join('\n')}\n`;
}
