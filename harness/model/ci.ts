// The ci model: the `sea-harness/ci@1` document of DESIGN.md (plus the additions named below).
import type { CoverageResult } from './coverage.js';
import type { Confinement } from '../util/sandbox.js';
import type { KernelWarning, Verdict } from './result.js';

/** DESIGN.md's change vocabulary, plus `removed` (a case present on the base and absent with the series). */
export type Change = 'new' | 'fixed' | 'regressed' | 'flaky' | 'unchanged' | 'reason-changed' | 'removed';

export type CiVerdict = 'ok' | 'regressed' | 'apply-failed' | 'build-failed' | 'error';

export interface SubtestChange {
  readonly name: string;
  readonly base: string | null;
  readonly series: string | null;
  readonly change: Change;
}

export interface CaseComparison {
  readonly name: string;
  readonly base: Verdict | null;
  readonly series: Verdict | null;
  readonly change: Change;
  /** For people: why this change, with the reasons of both sides when they matter. */
  readonly detail: string;
  readonly baseReason: string | null;
  readonly seriesReason: string | null;
  /** Subtests whose result changed (subtests present on only one side count as new or removed). */
  readonly subtests: readonly SubtestChange[];
  /** Kernel warnings seen with the series and not on the base. */
  readonly newWarnings: readonly KernelWarning[];
  /** The re-run of both sides when the series side went from pass or skip to fail, crash or timeout. */
  readonly rerun?: { readonly base: Verdict | null; readonly series: Verdict | null } | null;
  /** Known limits of the test, from its case file (e.g. what an inject_iabt pass does not prove). */
  readonly notes?: readonly string[];
}

export interface PatchReport {
  readonly patch: number;
  readonly subject: string;
  readonly messageId: string | null;
  readonly applied: boolean;
  /** `ok`/`failed` with --per-patch (or for the last patch), `not-built` otherwise. */
  readonly build: 'ok' | 'failed' | 'not-built';
  readonly buildError?: string | null;
  readonly checkpatch?: CheckpatchResult | null;
}

export interface CheckpatchResult {
  readonly errors: number;
  readonly warnings: number;
  readonly checks: number;
  /** The first line of each message (`WARNING: ...`, `ERROR: ...`). */
  readonly messages: readonly string[];
}

export interface CiResult {
  readonly schema: 'sea-harness/ci@1';
  readonly verdict: CiVerdict;
  readonly base: { readonly commit: string | null; readonly tree: string | null; readonly source: string; readonly reused: boolean };
  readonly seriesTree: string | null;
  readonly apply: readonly PatchReport[];
  readonly build: {
    readonly base: 'ok' | 'failed';
    readonly series: 'ok' | 'failed' | 'not-built';
    /** Compiler warnings (W=1, on the files the series touches) new with the series. */
    readonly newWarnings: readonly string[];
    /** The selftests' own warnings new with the series (built with -Wimplicit-fallthrough). */
    readonly newSelftestWarnings: readonly string[];
    readonly error?: string | null;
  };
  readonly cases: readonly CaseComparison[];
  readonly provenance: {
    readonly harness: string;
    readonly series: readonly string[];
    readonly messageIds: readonly string[];
    readonly guest: string;
    readonly qemu: string | null;
    readonly gcc: string | null;
    /** How the series' code was confined on the host (an addition to DESIGN.md's keys). */
    readonly sandbox?: Confinement;
  };
  /** What went wrong when the verdict is `error`, `apply-failed` or `build-failed`. */
  readonly reason: string | null;
  /** The series side's patch coverage (on by default in ci; README "Patch coverage"; an addition to DESIGN.md's keys). */
  readonly coverage?: CoverageResult;
  readonly coverageError?: string;
  readonly timings: { readonly totalMs: number };
}
