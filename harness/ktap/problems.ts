// Deviations from the format, recorded as data while parsing (never thrown), with the nesting path they occurred in.
import type { KtapProblem, ProblemKind } from '../model/ktap.js';

/** A problem of a nested document, before the tests that enclose it are known. */
export interface PendingProblem {
  readonly kind: ProblemKind;
  readonly line: number | null;
  readonly message: string;
  /** Labels of the enclosing tests, outermost first. */
  readonly path: string[];
}

export function problem(kind: ProblemKind, line: number | null, message: string): PendingProblem {
  return { kind, line, message, path: [] };
}

/** How a test is named in problem messages: `test 3 (selftests: kvm: sea_to_user)`. */
export function testLabel(number: number | null, name: string): string {
  const n = number === null ? 'test' : `test ${number}`;
  return name === '' ? n : `${n} (${name})`;
}

/** The document's problems: in input order, nested ones saying which subtests they are in. */
export function finishProblems(pending: readonly PendingProblem[]): KtapProblem[] {
  const out = pending.map((p) => ({
    kind: p.kind,
    line: p.line,
    message: p.path.length === 0 ? p.message : `in the subtests of ${p.path.join(' > ')}: ${p.message}`,
  }));
  // Array.prototype.sort is stable: problems of one line keep the order they were found in.
  return out.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
