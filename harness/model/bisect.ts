// The bisect model: one step's record (also a line of steps.jsonl) and the `sea-harness/bisect@1` document of DESIGN.md.
import type { Verdict } from './result.js';

/** What a step tells `git bisect`: exit 0, 1 or 125. */
export type StepDecision = 'good' | 'bad' | 'skip';

/** The case's verdict, or why there is none: the kernel did not build, the series did not apply, the harness failed. */
export type StepVerdict = Verdict | 'build-failed' | 'apply-failed';

/** Why a step ran: the up-front checks of --good and --bad, a step of `git bisect run`, a confirmation re-run. */
export type StepPhase = 'check' | 'bisect' | 'confirm' | 'by-hand';

export interface StepRecord {
  readonly commit: string;
  readonly subject: string;
  readonly phase: StepPhase;
  readonly verdict: StepVerdict;
  readonly step: StepDecision;
  readonly reason: string;
  /** Whether the kernel came from the artifact store (no make run). */
  readonly fromStore: boolean;
  /** Source, kernel and selftests build. */
  readonly buildMs: number;
  readonly bootMs: number;
  readonly runMs: number;
  readonly totalMs: number;
  /** This step's artifacts (result.json, console.log, build.log, ...). */
  readonly outDir: string;
}

export interface CommitInfo {
  readonly commit: string;
  readonly subject: string;
  readonly author: string;
  readonly date: string;
  readonly files: readonly string[];
  readonly parents: readonly string[];
}

export interface Culprit extends CommitInfo {
  readonly confirmed: boolean;
  /** What the confirmation re-runs gave: the culprit's decisions, then its parent's. */
  readonly confirmation: { readonly culprit: readonly StepDecision[]; readonly parent: readonly StepDecision[] };
  /** Reasons to doubt this culprit even when confirmed (a merge, a commit that touches no source). */
  readonly doubts: readonly string[];
}

export interface Candidate extends CommitInfo {
  /** Why it is a candidate: it was skipped (and why), or it is the first bad one if the skipped ones are good. */
  readonly why: string;
}

export interface BisectResult {
  readonly schema: 'sea-harness/bisect@1';
  readonly case: string;
  readonly kernel: string;
  readonly good: string;
  readonly bad: string;
  readonly series: readonly string[];
  readonly culprit: Culprit | null;
  readonly candidates: readonly Candidate[];
  /** Set when no confirmed culprit was named: why, for people. */
  readonly reason: string | null;
  readonly steps: readonly StepRecord[];
  readonly timings: { readonly totalMs: number };
}
