// The parse tree of KTAP / TAP 13 / TAP 14 / kselftest output: the `sea-harness/ktap@1` document of DESIGN.md.

export type TestResult = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass' | 'todo' | 'timeout' | 'error';

export interface KtapTest {
  readonly number: number | null;
  readonly name: string;
  readonly result: TestResult;
  /** A directive's text (SKIP reason, TODO text, ...), or null. */
  readonly reason: string | null;
  /** The `#` lines and unknown lines that belong to this test, without the `# ` prefix. */
  readonly diagnostics: readonly string[];
  /** The kselftest runner's `# exit=N` data on the result line, when present. */
  readonly exitCode?: number | null;
  readonly subtests: readonly KtapTest[];
  /** Plan, version and problems of the nested document of this test's subtests, when it had one. */
  readonly plan?: KtapPlan | null;
  /** `Bail out!` text of the nested document of this test's subtests, when it bailed out. */
  readonly bailout?: string | null;
  /** `# Totals:` line of the nested document of this test's subtests, when it printed one. */
  readonly totals?: KtapTotals | null;
}

export interface KtapPlan {
  readonly count: number;
  /** `1..0 # SKIP reason`: the reason. */
  readonly skipReason?: string | null;
}

export interface KtapTotals {
  readonly pass: number;
  readonly fail: number;
  readonly xfail: number;
  readonly xpass: number;
  readonly skip: number;
  readonly error: number;
}

export type ProblemKind =
  | 'no-plan'
  | 'plan-mismatch'
  | 'numbering'
  | 'duplicate-plan'
  | 'truncated'
  | 'unreadable-result'
  | 'bailout';

export interface KtapProblem {
  readonly kind: ProblemKind;
  /** 1-based line number in the input where the problem shows, or null for the whole document. */
  readonly line: number | null;
  readonly message: string;
}

export interface KtapDocument {
  readonly schema: 'sea-harness/ktap@1';
  readonly version: 'KTAP version 1' | 'TAP version 13' | 'TAP version 14' | null;
  readonly plan: KtapPlan | null;
  readonly tests: readonly KtapTest[];
  /** The text after `Bail out!`, or null. */
  readonly bailout: string | null;
  readonly totals: KtapTotals | null;
  readonly problems: readonly KtapProblem[];
  /** Lines before the first test that belong to no test (e.g. `Random seed: ...`, top-level diagnostics). */
  readonly preamble?: readonly string[];
  /** Lines after the last result of the top-level document (kselftest's `# Totals:` footer, output after a crash). */
  readonly epilogue?: readonly string[];
}
