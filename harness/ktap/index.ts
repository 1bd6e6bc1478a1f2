// The KTAP parser's public surface: parseKtap() and the document types it returns.
//
// Choices the parser makes where KTAP (Documentation/dev-tools/ktap.rst),
// TAP 13/14 and the kselftest conventions leave room:
// - Nesting: a document nests by indentation (any mix of spaces and tabs:
//   2 per ktap.rst, 4 as KUnit prints, tabs in old KUnit) and by the
//   kselftest runner's `# ` prefix (runner.sh prefixes every output line of a
//   test), with or without `# Subtest:` headers. A nested document opens at
//   the first version, plan, result, bail-out or indented `# Subtest:` line
//   that carries a longer prefix than the innermost open one, and becomes the
//   `subtests` of the next result line at a shallower prefix. In a KTAP
//   document (`KTAP version 1`) only a version line opens one (ktap.rst
//   "Nested tests": a subtest begins with a version line): a deeper plan,
//   result or bail-out without one is a line of the innermost document, as
//   kunit_tool reads it. Diagnostics and unknown lines at a shallower prefix
//   do not close it (ktap.rst: unknown lines may be indented or not). A
//   nested document that is cut off (end of input, a shallower plan or
//   bail-out) still becomes a test: number null, result 'error', and a
//   'truncated' problem. Documents nest at most MAX_DEPTH (parse.ts) deep:
//   deeper lines are unknown lines of the deepest.
// - Diagnostics: `#` lines and unknown lines (console noise, printk lines)
//   belong to the next result of their level (ktap.rst "Diagnostic lines").
//   Lines after a nested document's last result belong to the test that
//   closes it; at the top level they are the `epilogue`. A nested
//   document's lines between its version line and its plan (KUnit's
//   `# module: x`) belong to the enclosing test; without a plan (KUnit's
//   parameterised tests) they belong to its first result. Data after `#` on
//   a result line that is no directive (`# rcode=0`) is kept as that test's
//   last diagnostic; the runner's `# exit=N` becomes `exitCode`.
// - Preamble: top-level lines before the document starts (its first plan,
//   result or bail-out: `Random seed: 0x...`, and the `#` lines of a program
//   that prints no version and no plan, as sea_to_user does) are the
//   `preamble`, not the first test's diagnostics.
// - Glued lines: see glued.ts (`Bail out!` anywhere; `ok N` only as the next
//   number, glued to text or shaped like a result line). The parts are read
//   in a loop, each searched from where the last one ended: a line of
//   100,000 glued results parses in linear time, with no recursion.
// - No KTAP: output without any plan or result (many KVM selftests print
//   only `Random seed: ...`, or a `==== Test Assertion Failure ====` block,
//   and their exit code is the verdict) parses to no tests, version and plan
//   null, and no problem. A missing plan is a 'no-plan' problem only when
//   there are results (and not for KUnit's parameterised tests, which never
//   print one).
// - Counts: a top-level plan printed before its results, with fewer results
//   at the end of the input, no bail-out and no `# Totals:` line, is
//   'truncated'; otherwise a count that differs from the plan is
//   'plan-mismatch'. Every `Bail out!` is also a 'bailout' problem, and it
//   suppresses the count check of its document.
// - Totals: a `# Totals:` line counts the innermost open document (kselftest
//   prints it after its own results, KUnit at the parent's indentation just
//   before the suite's result line); KUnit's shorter form is read too.
// - Console prefixes: when the first version line follows a console
//   prefix (printk time `[   1.5] `, printk caller id `[    T1] `, a syslog or
//   journald `Dec 01 23:00:01 host kernel: `, or these combined; see
//   console-prefix.ts), a prefix of that shape is removed from every later
//   line that has one, as kunit_tool removes the text before the version
//   line. Lines before the version line, and later lines without such a
//   prefix, are kept whole.
// - TAP 13/14 YAML blocks (`  ---` ... `  ...` under a result) are kept as
//   diagnostics of that result, without their indentation.
export { MAX_DEPTH, parseKtap } from './parse.js';
export { documentFailures, documentOutcome, hasKtap, isFailure, type DocumentOutcome } from './failures.js';
export type { KtapDocument, KtapPlan, KtapProblem, KtapTest, KtapTotals, ProblemKind, TestResult } from '../model/ktap.js';
