// One (possibly nested) KTAP document being parsed: its plan, results, pending diagnostics, and the checks run when it ends.
import type { KtapPlan, KtapProblem, KtapTest, KtapTotals, TestResult } from '../model/ktap.js';
import { LINE_PATTERNS, type KtapVersion } from './line-types.js';
import { ProblemList, testLabel } from './problems.js';
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
  child: Level | null,
): TestBuilder {
  if (child === null) {
    return exitCode === null
      ? { number, name, result, reason, diagnostics, subtests: NO_SUBTESTS }
      : { number, name, result, reason, diagnostics, exitCode, subtests: NO_SUBTESTS };
  }
  const subtests = child.takeTests();
  const { plan, bailout, totals } = child;
  // kselftest prints a totals line for most programs: that case gets a
  // literal of its own, since a property added afterwards changes the
  // object's hidden class and allocates a second store for its fields.
  if (bailout === null && totals !== null) {
    return exitCode === null
      ? { number, name, result, reason, diagnostics, subtests, plan, totals }
      : { number, name, result, reason, diagnostics, exitCode, subtests, plan, totals };
  }
  const t: { -readonly [K in keyof TestBuilder]: TestBuilder[K] } =
    exitCode === null ? { number, name, result, reason, diagnostics, subtests, plan } : { number, name, result, reason, diagnostics, exitCode, subtests, plan };
  if (bailout !== null) t.bailout = bailout;
  if (totals !== null) t.totals = totals;
  return t;
}

/**
 * One open document. Nested ones are reused: the parser keeps one Level per
 * depth and reopens it for the next document at that depth (a long
 * kselftest run opens one per test, tens of thousands), so only what the
 * document hands over (its tests, plan, problems) is allocated per document.
 */
export class Level {
  /** Exact text each line of this document starts with (indentation and runner `# ` prefixes). */
  prefix = '';
  parent: Level | null = null;
  /** Line the document started on. */
  openedAt = 0;
  /** From a `# Subtest:` header. */
  name: string | null = null;
  version: KtapVersion | null = null;
  plan: KtapPlan | null = null;
  planLine: number | null = null;
  planBeforeResults = false;
  /** The results read so far: the first `testCount` entries of a buffer reused from document to document, copied out at exact size when the document is handed over. */
  private readonly tests: KtapTest[] = [];
  testCount = 0;
  /** Root only: lines before the document started (its plan or first result). */
  readonly header: string[];
  /**
   * Lines waiting for the next result line, which they belong to (ktap.rst
   * "Diagnostic lines"): the first `pendingCount` entries of a buffer that is
   * reused, so each test gets an array of its exact size and no array grows
   * garbage behind it. Once the document has ended, they are the lines after
   * its last result, which belong to the enclosing test.
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
  readonly problems = new ProblemList();

  constructor(prefix: string, parent: Level | null, openedAt: number, name: string | null) {
    // Nested levels never keep a header (their lines before the plan go to the enclosing test).
    this.header = parent === null ? [] : NO_HEADER;
    this.open(prefix, parent, openedAt, name);
  }

  /** Start a new document at this level's depth: the previous one has ended and been handed over. */
  open(prefix: string, parent: Level | null, openedAt: number, name: string | null): void {
    this.prefix = prefix;
    this.parent = parent;
    this.openedAt = openedAt;
    this.name = name;
    this.version = null;
    this.plan = null;
    this.planLine = null;
    this.planBeforeResults = false;
    this.testCount = 0;
    this.pendingCount = 0;
    this.started = false;
    this.nextNumber = 1;
    this.bailout = null;
    this.totals = null;
    this.childName = null;
    this.problems.clear();
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

  /** The next test's diagnostics: the lines waiting here, then the lines after `child`'s last result, then `data`, in one array of exact size. */
  private takeDiagnostics(child: Level | null, data: string | null): readonly string[] {
    const own = this.pendingCount;
    const trailing = child === null ? 0 : child.pendingCount;
    const n = own + trailing + (data === null ? 0 : 1);
    this.pendingCount = 0;
    if (child !== null) child.pendingCount = 0;
    if (n === 0) return NO_DIAGNOSTICS;
    const d = new Array<string>(n);
    for (let i = 0; i < own; i++) d[i] = this.pending[i]!;
    for (let i = 0; i < trailing; i++) d[own + i] = child!.pending[i]!;
    if (data !== null) d[n - 1] = data;
    return d;
  }

  addResult(r: ResultLine, child: Level | null, line: number): TestBuilder {
    if (r.number !== null && r.number !== this.nextNumber) {
      this.problems.add('numbering', line, `expected test ${this.nextNumber}, got test ${r.number}`);
    }
    const diagnostics = this.takeDiagnostics(child, r.directive.data);
    const name = r.name !== '' ? r.name : (child?.name ?? '');
    const test = makeTest(r.number, name, r.result, r.directive.text, diagnostics, r.directive.exitCode, child);
    if (child !== null) this.adoptProblems(child, test);
    this.tests[this.testCount++] = test;
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
  addCutChild(child: Level, line: number, atEnd: boolean): void {
    const name = child.name ?? this.lastRunnerHeader() ?? '';
    const diagnostics = this.takeDiagnostics(child, null);
    const reason = atEnd ? "output ended before this test's result line" : 'no result line after the subtests';
    const test = makeTest(null, name, 'error', reason, diagnostics, null, child);
    const label = testLabel(this.nextNumber, name);
    this.problems.add(
      'truncated',
      line,
      atEnd ? `output ended inside the subtests of ${label}, before its result line` : `the subtests of ${label} were not followed by its result line`,
    );
    this.adoptProblems(child, test);
    this.tests[this.testCount++] = test;
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

  private adoptProblems(child: Level, test: KtapTest): void {
    if (child.problems.length === 0) return;
    this.problems.adopt(child.problems, testLabel(test.number ?? this.nextNumber, test.name));
  }

  /** This document's results, in an array of their own. */
  takeTests(): KtapTest[] {
    const tests = this.tests.slice(0, this.testCount);
    this.testCount = 0;
    return tests;
  }

  setPlan(plan: KtapPlan, line: number): void {
    if (this.plan !== null) {
      this.problems.add('duplicate-plan', line, `second plan 1..${plan.count} after 1..${this.plan.count} (line ${this.planLine}); the first one counts`);
      return;
    }
    this.plan = plan;
    this.planLine = line;
    this.planBeforeResults = this.testCount === 0;
    // A nested document's lines between its version line and its plan
    // (KUnit's `# module: foo`) describe the enclosing test. Without a plan
    // (KUnit's parameterised tests) they belong to the first result instead.
    if (!this.started && this.parent !== null) {
      for (let i = 0; i < this.pendingCount; i++) this.parent.addPending(this.pending[i]!);
      this.pendingCount = 0;
    }
    this.started = true;
  }

  setBailout(reason: string, line: number): void {
    this.problems.add('bailout', line, reason === '' ? 'Bail out!' : `Bail out! ${reason}`);
    this.bailout ??= reason;
    this.started = true;
  }

  /** Plan checks, run when the document ends. `lastLine` is the input's last line. */
  private checkPlan(end: LevelEnd | 'input', lastLine: number): void {
    const run = this.testCount;
    const where = this.parent === null ? null : this.openedAt;
    if (this.plan === null) {
      // Many KVM selftests print no KTAP at all (their exit code is the
      // verdict): without results, a missing plan is not a deviation. KUnit
      // never prints one for a parameterised test (a nested document with a
      // `# Subtest:` header); ktap.rst allows that, kselftest never does it.
      if (run > 0 && (this.parent === null || this.name === null)) this.problems.add('no-plan', where, `no plan line (1..N) for ${run} result${run === 1 ? '' : 's'}`);
      return;
    }
    // A bail-out explains missing results; a cut-off nested document is reported as truncated by its parent.
    if (this.bailout !== null || end === 'cut' || this.plan.count === run) return;
    const planned = this.plan.count;
    if (end === 'input' && run < planned && this.planBeforeResults && this.totals === null) {
      this.problems.add('truncated', lastLine, `plan 1..${planned} but the output ends after ${run} result${run === 1 ? '' : 's'}`);
    } else {
      this.problems.add('plan-mismatch', this.planLine, `plan 1..${planned} but ${run} result${run === 1 ? '' : 's'}`);
    }
  }

  /**
   * End a nested document. It stays as it is (its lines after the last
   * result still pending) until the enclosing test takes it over, which the
   * parser does before it opens another document at this depth.
   */
  finish(end: LevelEnd, lastLine: number): Level {
    this.checkPlan(end, lastLine);
    return this;
  }

  /** End the top-level document at the end of the input. */
  finishRoot(lastLine: number): { tests: KtapTest[]; problems: KtapProblem[]; epilogue: string[] } {
    this.checkPlan('input', lastLine);
    return { tests: this.takeTests(), problems: this.problems.finish(), epilogue: this.takePending() };
  }
}
