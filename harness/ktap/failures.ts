// What a parsed document says as a whole, for `parse`'s exit code: no KTAP at all, failures (with what failed), or none.
import type { KtapDocument, KtapTest, TestResult } from '../model/ktap.js';

/**
 * Whether a result is a failure. XPASS is not: kselftest.h's ksft_finished()
 * counts ksft_xpass with the passes, and kselftest_harness.h prints an
 * unexpected pass as `ok N name # XPASS`. TODO and XFAIL are expected
 * failures, SKIP is no failure (ktap.rst "Test case result lines").
 */
export function isFailure(result: TestResult): boolean {
  return result === 'fail' || result === 'timeout' || result === 'error';
}

export type DocumentOutcome =
  | { readonly kind: 'no-ktap' }
  | { readonly kind: 'failed'; readonly failures: readonly string[] }
  | { readonly kind: 'ok' };

/** No version, plan, result or bail-out line anywhere: the input holds no KTAP (as `kunit.py parse` says "Could not find any KTAP output"). */
export function hasKtap(doc: KtapDocument): boolean {
  return doc.version !== null || doc.plan !== null || doc.tests.length > 0 || doc.bailout !== null;
}

/**
 * The failures of a document, outermost first, each as a path of test names
 * and what happened: failed, timed-out and error results at any depth, every
 * bail-out, and output that ended before the planned results (kunit_tool
 * calls that a crash). Walked with an explicit stack, not recursion.
 */
export function documentFailures(doc: KtapDocument): string[] {
  const out: string[] = [];
  if (doc.bailout !== null) out.push(`bail out${doc.bailout === '' ? '' : `: ${doc.bailout}`}`);
  // A cut-off nested document is an 'error' test, found below; only the top-level plan's truncation is added here.
  for (const p of doc.problems) if (p.kind === 'truncated' && p.message.startsWith('plan ')) out.push(p.message);
  const stack: { tests: readonly KtapTest[]; i: number; path: string }[] = [{ tests: doc.tests, i: 0, path: '' }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.tests.length) {
      stack.pop();
      continue;
    }
    const t = top.tests[top.i++]!;
    const name = t.name !== '' ? t.name : t.number === null ? 'test' : `test ${t.number}`;
    const path = top.path === '' ? name : `${top.path} / ${name}`;
    if (isFailure(t.result)) out.push(`${path}: ${t.result}${t.reason === null ? '' : ` (${t.reason})`}`);
    if (t.bailout !== undefined && t.bailout !== null) out.push(`${path}: bail out${t.bailout === '' ? '' : `: ${t.bailout}`}`);
    if (t.subtests.length > 0) stack.push({ tests: t.subtests, i: 0, path });
  }
  return out;
}

/** The document's outcome: `parse` exits 1 for 'no-ktap' and 'failed', 0 for 'ok' (run/exit-codes.ts). */
export function documentOutcome(doc: KtapDocument): DocumentOutcome {
  if (!hasKtap(doc)) return { kind: 'no-ktap' };
  const failures = documentFailures(doc);
  return failures.length > 0 ? { kind: 'failed', failures } : { kind: 'ok' };
}
