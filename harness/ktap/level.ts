// One (possibly nested) KTAP document being parsed: its plan, results, pending diagnostics, and the checks run when it ends.
import type { KtapPlan, KtapTest, KtapTotals, TestResult } from '../model/ktap.js';
import { LINE_PATTERNS, type KtapVersion } from './line-types.js';
import { problem, testLabel, type PendingProblem } from './problems.js';
import type { ResultLine } from './result-line.js';

/** A result as it is built: its diagnostics may still grow after the line (TAP YAML blocks). */
export interface TestBuilder extends KtapTest {
  diagnostics: readonly string[];
}

/** Shared by every test without diagnostics, which most results are: one array less per result. */
const NO_DIAGNOSTICS: readonly string[] = Object.freeze([]);

/** Add a line to a test's diagnostics after its result line. */
export function appendDiagnostic(test: TestBuilder, line: string): void {
  if (test.diagnostics === NO_DIAGNOSTICS) test.diagnostics = [line];
  else (test.diagnostics as string[]).push(line);
}

/** A nested document once it has ended, waiting to become the subtests of the result that closes it. */
export interface FinishedLevel {
  readonly name: string | null;
  readonly tests: KtapTest[];
  readonly plan: KtapPlan | null;
  readonly bailout: string | null;
  readonly totals: KtapTotals | null;
  /** Lines after its last result: they belong to the enclosing test (KTAP: unknown lines are not part of subtests). */
  readonly trailing: string[];
  readonly problems: PendingProblem[];
}

const NO_HEADER: string[] = [];

/** How a nested document ended: closed by its parent's result line, or cut off (end of input, a shallower plan or bail-out). */
export type LevelEnd = 'result' | 'cut';

const NO_SUBTESTS: readonly KtapTest[] = Object.freeze([]);

/**
 * Build the test object once, in its final shape: converting builders
 * afterwards cost a third of the parse time on 50 MB of output. Optional
 * fields appear only when they carry something (key order as in DESIGN.md).
 */
function makeTest(
  number: number | null,
  name: string,
  result: TestResult,
  reason: string | null,
  diagnostics: readonly string[],
  exitCode: number | null,
  child: FinishedLevel | null,
): TestBuilder {
  if (child === null) {
    return exitCode === null
      ? { number, name, result, reason, diagnostics, subtests: NO_SUBTESTS }
      : { number, name, result, reason, diagnostics, exitCode, subtests: NO_SUBTESTS };
  }
  const t: { -readonly [K in keyof TestBuilder]: TestBuilder[K] } =
    exitCode === null
      ? { number, name, result, reason, diagnostics, subtests: child.tests, plan: child.plan }
      : { number, name, result, reason, diagnostics, exitCode, subtests: child.tests, plan: child.plan };
  if (child.bailout !== null) t.bailout = child.bailout;
  if (child.totals !== null) t.totals = child.totals;
  return t;
}

export class Level {
  /** Exact text each line of this document starts with (indentation and runner `# ` prefixes). */
  prefix: string;
  readonly parent: Level | null;
  /** Line the document started on. */
  readonly openedAt: number;
  /** From a `# Subtest:` header. */
  name: string | null;
  version: KtapVersion | null = null;
  plan: KtapPlan | null = null;
  planLine: number | null = null;
  planBeforeResults = false;
  readonly tests: KtapTest[] = [];
  /** Root only: lines before the document started (its plan or first result). */
  readonly header: string[];
  /**
   * Lines waiting for the next result line, which they belong to (ktap.rst
   * "Diagnostic lines"): the first `pendingCount` entries of a buffer that is
   * reused, so each test gets an array of its exact size and no array grows
   * garbage behind it.
   */
  private readonly pending: string[] = [];
  private pendingCount = 0;
  /** A plan, result or bail-out has been seen. */
  started = false;
  nextNumber = 1;
  bailout: string | null = null;
  totals: KtapTotals | null = null;
  /** A TAP 14 `# Subtest: name` seen at this level, naming the next nested document. */
  childName: string | null = null;
  readonly problems: PendingProblem[] = [];

  constructor(prefix: string, parent: Level | null, openedAt: number, name: string | null) {
    this.prefix = prefix;
    this.parent = parent;
    this.openedAt = openedAt;
    this.name = name;
    // Nested levels never keep a header (their lines before the plan go to the
    // enclosing test); tens of thousands of them open in a long kselftest run.
    this.header = parent === null ? [] : NO_HEADER;
  }

  addDiagnostic(text: string): void {
    if (this.started || this.parent !== null) this.pending[this.pendingCount++] = text;
    else this.header.push(text);
  }

  /** A line for the next result of this level, whether or not the level has started. */
  addPending(text: string): void {
    this.pending[this.pendingCount++] = text;
  }

  /** A `# Subtest: name` header at this level: names this document (KUnit prints it after the nested version line) or the next nested one (TAP 14). */
  subtestHeader(name: string): void {
    if (this.parent !== null && !this.started && this.name === null) this.name = name;
    else this.childName = name;
  }

  takeChildName(): string | null {
    const name = this.childName;
    this.childName = null;
    return name;
  }

  takePending(): string[] {
    const p = this.pending.slice(0, this.pendingCount);
    this.pendingCount = 0;
    return p;
  }

  addResult(r: ResultLine, child: FinishedLevel | null, line: number): TestBuilder {
    if (r.number !== null && r.number !== this.nextNumber) {
      this.problems.push(problem('numbering', line, `expected test ${this.nextNumber}, got test ${r.number}`));
    }
    let diagnostics: readonly string[] = NO_DIAGNOSTICS;
    if (this.pendingCount > 0 || child !== null || r.directive.data !== null) {
      const d = this.takePending();
      if (child !== null) d.push(...child.trailing);
      if (r.directive.data !== null) d.push(r.directive.data);
      diagnostics = d;
    }
    const name = r.name !== '' ? r.name : (child?.name ?? '');
    const test = makeTest(r.number, name, r.result, r.directive.text, diagnostics, r.directive.exitCode, child);
    if (child !== null) this.adoptProblems(child, test);
    this.tests.push(test);
    this.started = true;
    this.nextNumber = (r.number ?? this.nextNumber) + 1;
    return test;
  }

  /**
   * A nested document that ended without the result line that should close
   * it (the input ended: a kernel panic or a killed test). It still becomes
   * a test, so that its subtests are not lost: result 'error', named after its
   * `# Subtest:` header or the kselftest runner's `# selftests: dir: name` line.
   */
  addCutChild(child: FinishedLevel, line: number, atEnd: boolean): void {
    const name = child.name ?? this.lastRunnerHeader() ?? '';
    const diagnostics = this.takePending();
    diagnostics.push(...child.trailing);
    const reason = atEnd ? "output ended before this test's result line" : 'no result line after the subtests';
    const test = makeTest(null, name, 'error', reason, diagnostics, null, child);
    const label = testLabel(this.nextNumber, name);
    this.problems.push(
      problem(
        'truncated',
        line,
        atEnd
          ? `output ended inside the subtests of ${label}, before its result line`
          : `the subtests of ${label} were not followed by its result line`,
      ),
    );
    this.adoptProblems(child, test);
    this.tests.push(test);
    this.started = true;
    this.nextNumber++;
  }

  private lastRunnerHeader(): string | null {
    for (let i = this.pendingCount - 1; i >= 0; i--) {
      const d = this.pending[i]!;
      if (LINE_PATTERNS.runnerHeader.test(d)) return d;
    }
    return null;
  }

  private adoptProblems(child: FinishedLevel, test: KtapTest): void {
    const label = testLabel(test.number ?? this.nextNumber, test.name);
    for (const p of child.problems) {
      p.path.unshift(label);
      this.problems.push(p);
    }
  }

  setPlan(plan: KtapPlan, line: number): void {
    if (this.plan !== null) {
      this.problems.push(problem('duplicate-plan', line, `second plan 1..${plan.count} after 1..${this.plan.count} (line ${this.planLine}); the first one counts`));
      return;
    }
    this.plan = plan;
    this.planLine = line;
    this.planBeforeResults = this.tests.length === 0;
    // A nested document's lines between its version line and its plan
    // (KUnit's `# module: foo`) describe the enclosing test. Without a plan
    // (KUnit's parameterised tests) they belong to the first result instead.
    if (!this.started && this.parent !== null) for (const d of this.takePending()) this.parent.addPending(d);
    this.started = true;
  }

  setBailout(reason: string, line: number): void {
    this.problems.push(problem('bailout', line, reason === '' ? 'Bail out!' : `Bail out! ${reason}`));
    this.bailout ??= reason;
    this.started = true;
  }

  /** Plan checks, run when the document ends. `lastLine` is the input's last line. */
  private checkPlan(end: LevelEnd | 'input', lastLine: number): void {
    const run = this.tests.length;
    const where = this.parent === null ? null : this.openedAt;
    if (this.plan === null) {
      // Many KVM selftests print no KTAP at all (their exit code is the
      // verdict): without results, a missing plan is not a deviation. KUnit
      // never prints one for a parameterised test (a nested document with a
      // `# Subtest:` header); ktap.rst allows that, kselftest never does it.
      if (run > 0 && (this.parent === null || this.name === null)) this.problems.push(problem('no-plan', where, `no plan line (1..N) for ${run} result${run === 1 ? '' : 's'}`));
      return;
    }
    // A bail-out explains missing results; a cut-off nested document is reported as truncated by its parent.
    if (this.bailout !== null || end === 'cut' || this.plan.count === run) return;
    const planned = this.plan.count;
    if (end === 'input' && run < planned && this.planBeforeResults && this.totals === null) {
      this.problems.push(problem('truncated', lastLine, `plan 1..${planned} but the output ends after ${run} result${run === 1 ? '' : 's'}`));
    } else {
      this.problems.push(problem('plan-mismatch', this.planLine, `plan 1..${planned} but ${run} result${run === 1 ? '' : 's'}`));
    }
  }

  /** End a nested document. */
  finish(end: LevelEnd, lastLine: number): FinishedLevel {
    this.checkPlan(end, lastLine);
    return {
      name: this.name,
      tests: this.tests,
      plan: this.plan,
      bailout: this.bailout,
      totals: this.totals,
      trailing: this.takePending(),
      problems: this.problems,
    };
  }

  /** End the top-level document at the end of the input. */
  finishRoot(lastLine: number): { tests: KtapTest[]; problems: PendingProblem[]; epilogue: string[] } {
    this.checkPlan('input', lastLine);
    return { tests: this.tests, problems: this.problems, epilogue: this.takePending() };
  }
}
