// The run result model: the `sea-harness/run@1` document of DESIGN.md, and the verdict vocabulary.
import type { Confinement } from '../util/sandbox.js';
import type { KtapDocument } from './ktap.js';
import type { CoverageResult } from './coverage.js';

export type Verdict = 'pass' | 'fail' | 'skip' | 'timeout' | 'crash' | 'error' | 'absent';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'skip', 'timeout', 'crash', 'error', 'absent'];

export type RunVerdict = 'pass' | 'fail' | 'error' | 'apply-failed' | 'build-failed';

/** A kernel WARNING, RCU stall, lockup or hung-task report seen on the console while a case ran. */
export interface KernelWarning {
  readonly kind: 'warning' | 'rcu-stall' | 'soft-lockup' | 'hard-lockup' | 'hung-task' | 'kasan' | 'ubsan';
  /** The first line of the report, as printed. */
  readonly line: string;
}

/** What a test printed of KVM's KVM_EXIT_ARM_SEA (cases/sea-exit.ts reads it). */
export interface KvmSeaExit {
  /** As the test named it (`KVM_EXIT_ARM_SEA` when the exit happened; another name when it did not). */
  readonly exitReason: string | null;
  readonly esr: string;
  readonly flags: string;
  readonly gva: string;
  /** ESR_ELx.FnV clear: the GVA (FAR) is valid. */
  readonly gvaValid: boolean;
  readonly gpa: string;
  readonly gpaValid: boolean;
  /** One line for people. */
  readonly description: string;
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
  /** sea_to_user: the KVM_EXIT_ARM_SEA it saw (ESR decoded, GVA/GPA with their valid flags). */
  readonly kvmExit?: KvmSeaExit;
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

/** What names a build of the project's QEMU: its store key and everything the key is made of. */
export interface QemuBuildRecord {
  readonly key: string;
  /** `qemu-system-aarch64 --version`'s version, e.g. 10.0.2. */
  readonly version: string;
  readonly sourceSha256: string;
  readonly patches: ReadonlyArray<{ readonly file: string; readonly subject: string; readonly sha256: string }>;
  readonly configure: readonly string[];
  readonly compiler: string;
}

export interface QemuProvenance {
  readonly origin: 'user' | 'sea-harness' | 'system';
  readonly path: string;
  readonly build: QemuBuildRecord | null;
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
    /** What the kernel stage did that is easy to do twice by mistake (an addition to DESIGN.md's keys). */
    readonly work?: { readonly seriesApplications: number; readonly configComputations: number };
  };
  readonly provenance: {
    readonly harness: string;
    readonly gcc: string | null;
    readonly binutils: string | null;
    readonly qemu: string | null;
    readonly firmware: string | null;
    readonly debianSource: string | null;
    /** Which QEMU booted the L1 (an addition to DESIGN.md's keys): the project's build names its patches. */
    readonly qemuBuild?: QemuProvenance | null;
    /** How this run confined the tree's and the series' code on the host (an addition to DESIGN.md's keys). */
    readonly sandbox?: Confinement;
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
    /** The project's QEMU: 0 on a store hit (an addition to DESIGN.md's keys). */
    readonly qemuBuildMs?: number;
    readonly imageMs: number;
    readonly bootMs: number;
    readonly runMs: number;
    readonly totalMs: number;
  };
  /** --coverage: the series' kernel lines that ran in the L1 (README "Patch coverage"; an addition to DESIGN.md's keys). */
  readonly coverage?: CoverageResult;
  /** --coverage asked for but not computed: why (the verdict still stands). */
  readonly coverageError?: string;
  /** Set when the run stopped before its cases: what went wrong, for people. */
  readonly error?: { readonly stage: string; readonly message: string; readonly hint: string | null } | null;
}
