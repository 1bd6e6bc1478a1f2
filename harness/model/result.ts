// The run result model: the `sea-harness/run@1` document of DESIGN.md, and the verdict vocabulary.
import type { KtapDocument } from './ktap.js';

export type Verdict = 'pass' | 'fail' | 'skip' | 'timeout' | 'crash' | 'error' | 'absent';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'skip', 'timeout', 'crash', 'error', 'absent'];

export type RunVerdict = 'pass' | 'fail' | 'error' | 'apply-failed' | 'build-failed';

/** A kernel WARNING, RCU stall, lockup or hung-task report seen on the console while a case ran. */
export interface KernelWarning {
  readonly kind: 'warning' | 'rcu-stall' | 'soft-lockup' | 'hard-lockup' | 'hung-task' | 'kasan' | 'ubsan';
  /** The first line of the report, as printed. */
  readonly line: string;
}

export interface CaseResult {
  readonly name: string;
  /** Which repetition this is (1-based) when --repeat N was given. */
  readonly iteration?: number;
  readonly verdict: Verdict;
  readonly expected: Verdict;
  /** For an expected skip: the reason the skip must match. */
  readonly expectedReason: string | null;
  /** Whether the verdict met the expectation. */
  readonly met: boolean;
  /** A human reason for the verdict: skip reason, assertion, crash line. */
  readonly reason: string | null;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly warnings: readonly KernelWarning[];
  /** Known limits of the test, shown with its verdict. */
  readonly notes?: readonly string[];
  /** Compiler warnings for the case's own source. */
  readonly buildWarnings?: readonly string[];
  /** `From guest:` lines the test printed. */
  readonly guestLines?: readonly string[];
  /** ESR values the test printed, decoded (EC, IL, FnV, FSC). */
  readonly esr?: readonly string[];
  /** L1 console lines printed while the case ran (the last 200); with `ranBeside`, theirs are among them. */
  readonly kernelLog?: readonly string[];
  /** The cases that ran in the same L1 at some time during this one (--jobs); absent when it ran alone. */
  readonly ranBeside?: readonly string[];
  /**
   * When the verdict comes from a re-run alone: what the case gave beside others. A case that ran beside others
   * and did not meet its expectation, or saw kernel warnings, is re-run alone so the verdict is its own.
   */
  readonly besideAttempt?: { readonly verdict: Verdict; readonly reason: string | null; readonly ranBeside: readonly string[] };
  readonly ktap: KtapDocument | null;
}

export interface SeriesPatchStatus {
  readonly patch: number;
  readonly subject: string;
  readonly messageId: string | null;
  readonly applied: boolean;
}

export interface RunResult {
  readonly schema: 'sea-harness/run@1';
  readonly verdict: RunVerdict;
  readonly kernel: {
    readonly source: string;
    readonly release: string | null;
    readonly commit: string | null;
    readonly tree: string | null;
    readonly series: readonly SeriesPatchStatus[];
  };
  readonly provenance: {
    readonly harness: string;
    readonly gcc: string | null;
    readonly binutils: string | null;
    readonly qemu: string | null;
    readonly firmware: string | null;
    readonly debianSource: string | null;
  };
  readonly guest: {
    readonly profile: string;
    readonly accel: 'tcg' | 'kvm';
    readonly qemu: string | null;
    readonly environment: Record<string, unknown>;
  } | null;
  readonly cases: readonly CaseResult[];
  readonly timings: {
    /** Source import or fetch, checkout and series (an addition to DESIGN.md's keys). */
    readonly sourceMs?: number;
    readonly kernelBuildMs: number;
    /** Of kernelBuildMs: writing and verifying the .config before make (an addition to DESIGN.md's keys). */
    readonly kernelConfigMs?: number;
    readonly selftestsBuildMs: number;
    readonly imageMs: number;
    readonly bootMs: number;
    readonly runMs: number;
    readonly totalMs: number;
  };
  /** Set when the run stopped before its cases: what went wrong, for people. */
  readonly error?: { readonly stage: string; readonly message: string; readonly hint: string | null } | null;
}
