// The patch coverage model: the `sea-harness/coverage@1` document carried as `coverage` in result.json and
// ci.json (an addition to DESIGN.md's keys, described in README "Patch coverage").

export const COVERAGE_SCHEMA = 'sea-harness/coverage@1';

/**
 * How a touched file's lines can be measured in the L1:
 * - instrumented: a C file of the kernel proper, built with gcov's -fprofile-arcs for this run;
 * - header: its lines count where the instrumented objects compile them (inline functions, macros' bodies);
 * - not-measurable: EL2 code (arch/arm64/kvm/hyp: the nVHE objects run in the hypervisor's own address space,
 *   out of the gcov runtime's reach) or assembly (gcov instruments C only);
 * - not-built: a C file this kernel config does not compile;
 * - not-kernel: selftests, documentation, build files: no kernel lines to run.
 */
export type FileMeasure = 'instrumented' | 'header' | 'not-measurable' | 'not-built' | 'not-kernel';

/** A run of series lines that did not run: consecutive in the file, in one function, no line between them ran. */
export interface UnrunLines {
  readonly first: number;
  readonly last: number;
  /** The function gcov places the lines in (null: outside any function gcov knows). */
  readonly function: string | null;
  /** The final tree's text of lines first..last. */
  readonly source: readonly string[];
}

export interface FileCoverage {
  readonly path: string;
  readonly measure: FileMeasure;
  /** Why the file's lines cannot be counted (not-measurable, not-built, not-kernel, or a header no object compiles). */
  readonly why: string | null;
  /** Lines of the final tree this patch added or changed (git blame), executable or not. */
  readonly lines: number;
  /** Of `lines`: those gcov has a counter for (code lines of an instrumented object). */
  readonly executable: number;
  readonly ran: number;
  /** Line numbers (final tree) that ran. */
  readonly ranLines: readonly number[];
  readonly notRun: readonly UnrunLines[];
  /**
   * The series lines holding conditional jumps, with how many of their ways were taken. At -O2 the compiler
   * merges some statements into a neighbour's block (a `return -EINVAL;` into the function's exit): such a line
   * has no counter of its own, and the ways of the condition before it say whether it ran.
   */
  readonly branchLines: readonly BranchLine[];
}

export interface BranchLine {
  readonly line: number;
  readonly taken: number;
  readonly total: number;
  readonly function: string | null;
}

export interface PatchCoverage {
  /** 1-based position in the applied series. */
  readonly patch: number;
  readonly subject: string;
  readonly commit: string;
  readonly files: readonly FileCoverage[];
  readonly executable: number;
  readonly ran: number;
  /** Ways out of the series' conditional jumps: how many there are and how many were taken. */
  readonly branches: { readonly taken: number; readonly total: number };
  /** Series lines in files that cannot be measured (EL2, assembly): never counted as not run. */
  readonly notMeasurable: number;
}

/** The counters read after one group of cases: one case when they ran one at a time. */
export interface CoverageSnapshot {
  readonly cases: readonly string[];
  readonly patches: ReadonlyArray<{
    readonly patch: number;
    readonly executable: number;
    readonly ran: number;
    /** Per file, the series lines that ran during these cases, and the ways of their jumps taken. */
    readonly ranLines: ReadonlyArray<{ readonly path: string; readonly lines: readonly number[]; readonly branchLines: readonly BranchLine[] }>;
  }>;
}

export interface CoverageResult {
  readonly schema: typeof COVERAGE_SCHEMA;
  /** per-case: counters reset before and read after each case; together: the cases shared the L1, figures are theirs together. */
  readonly scope: 'per-case' | 'together';
  /** Kernel objects built with gcov for this run (tree-relative .o paths). */
  readonly instrumented: readonly string[];
  /** EL2 objects that compile the series' files (headers included): counted nowhere, listed so nobody reads 0 %. */
  readonly notMeasurableObjects: readonly string[];
  readonly patches: readonly PatchCoverage[];
  readonly snapshots: readonly CoverageSnapshot[];
  /** What kept some counters from being read (an L1 restart, a failed collection): the figures miss those cases. */
  readonly gaps: readonly string[];
  /** Out-dir-relative paths: the lcov tracefile and genhtml's index (null when genhtml failed). */
  readonly artifacts: { readonly lcov: string | null; readonly html: string | null };
}
