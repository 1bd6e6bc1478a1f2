// What a KTAP result or a case verdict means for a CI consumer: passed, skipped, expected failure, failed or errored.
import type { KtapTest, TestResult } from '../model/ktap.js';
import type { CaseResult } from '../model/result.js';

/**
 * 'xfail' is a failure nobody should be paged for: a TODO or XFAIL test,
 * or a case whose non-pass verdict is its expectation.
 */
export type Outcome = 'pass' | 'skip' | 'xfail' | 'fail' | 'error';

/** kselftest counts XPASS as a pass: ksft_finished() adds ksft_xpass to the passes, and kselftest_harness.h prints an unexpected pass as `ok`. */
export function testOutcome(result: TestResult): Outcome {
  switch (result) {
    case 'pass':
    case 'xpass':
      return 'pass';
    case 'skip':
      return 'skip';
    case 'todo':
    case 'xfail':
      return 'xfail';
    case 'error':
      return 'error';
    case 'fail':
    case 'timeout':
      return 'fail';
  }
}

/** A case's outcome: an unmet expectation always fails (DESIGN.md: it makes the run fail), a met one never does. */
export function caseOutcome(c: CaseResult): Outcome {
  if (!c.met) return c.verdict === 'error' ? 'error' : 'fail';
  switch (c.verdict) {
    case 'pass':
      return 'pass';
    case 'skip':
    case 'absent':
      return 'skip';
    default:
      return 'xfail';
  }
}

/** What was expected, with the skip reason it must match: `skip (EINJ table no available in firmware)`. */
export function expectationText(c: CaseResult): string {
  return c.expectedReason === null ? c.expected : `${c.expected} (${c.expectedReason})`;
}

/** One line saying why a case is not a plain pass, for failure and skip messages. */
export function caseMessage(c: CaseResult): string {
  const reason = c.reason ?? (c.exitCode !== null && c.exitCode !== 0 ? `exit code ${c.exitCode}` : null);
  if (!c.met) {
    const got = reason === null ? c.verdict : `${c.verdict}: ${reason}`;
    const absentNote = c.verdict === 'absent' ? ' (named with --case, so it must exist)' : '';
    return `${got}; expected ${expectationText(c)}${absentNote}`;
  }
  if (c.verdict === 'pass') return 'pass';
  return reason === null ? c.verdict : `${c.verdict}: ${reason}`;
}

/** A test's display name: KTAP allows an empty description (`ok 1 # SKIP ...`). */
export function testName(t: KtapTest): string {
  if (t.name !== '') return t.name;
  return t.number === null ? 'test' : `test ${t.number}`;
}

export interface FlatTest {
  readonly test: KtapTest;
  /** Names from the top-level test down to this one. */
  readonly path: readonly string[];
  /** Outcome after the enclosing case's expectation (see flattenTests). */
  readonly outcome: Outcome;
}

function hasFailure(t: KtapTest): boolean {
  return t.subtests.some((s) => {
    const o = testOutcome(s.result);
    return o === 'fail' || o === 'error' || hasFailure(s);
  });
}

/**
 * The tests a flat list (JUnit testcases) shows: every leaf, and a parent
 * only when it failed and none of its subtests did (a runner test that
 * exited 1 after passing subtests), so no failure is counted twice or lost.
 * `expectedFailure`: failures are the case's expected verdict, shown as
 * such, so the list agrees with the run's exit code.
 */
export function flattenTests(tests: readonly KtapTest[], expectedFailure = false, path: readonly string[] = [], out: FlatTest[] = []): FlatTest[] {
  for (const t of tests) {
    const p = [...path, testName(t)];
    let outcome = testOutcome(t.result);
    if (expectedFailure && (outcome === 'fail' || outcome === 'error')) outcome = 'xfail';
    if (t.subtests.length === 0 || ((outcome === 'fail' || outcome === 'error') && !hasFailure(t))) {
      out.push({ test: t, path: p, outcome });
    }
    flattenTests(t.subtests, expectedFailure, p, out);
  }
  return out;
}

export interface ResultCounts {
  total: number;
  pass: number;
  fail: number;
  skip: number;
  xfail: number;
  error: number;
}

/** Counts of outcomes over a flat list. */
export function countOutcomes(items: readonly { readonly outcome: Outcome }[]): ResultCounts {
  const c: ResultCounts = { total: 0, pass: 0, fail: 0, skip: 0, xfail: 0, error: 0 };
  for (const i of items) {
    c.total++;
    c[i.outcome]++;
  }
  return c;
}
