// The one mapping from what happened to DESIGN.md's exit codes: a run's verdict, a ci verdict, an error that
// reached the command line. Stages return outcomes as data; only this file turns them into numbers.
import { AbortedError, BuildFailedError, ExitCode, SeriesApplyError, SeriesIncompleteError, UsageError } from '../util/errors.js';
import type { CaseResult, RunVerdict } from '../model/result.js';
import type { CiVerdict } from '../model/ci.js';
import type { DocumentOutcome } from '../ktap/failures.js';

/** A run's verdict from its cases: `error` if any case hit an infrastructure problem, else pass only if all met their expectation. */
export function runVerdictOf(cases: readonly Pick<CaseResult, 'verdict' | 'met'>[]): 'pass' | 'fail' | 'error' {
  if (cases.some((c) => c.verdict === 'error')) return 'error';
  return cases.every((c) => c.met) ? 'pass' : 'fail';
}

const RUN: Readonly<Record<RunVerdict, number>> = {
  pass: ExitCode.ok,
  fail: ExitCode.caseFailed,
  error: ExitCode.infrastructure,
  'build-failed': ExitCode.buildFailed,
  'apply-failed': ExitCode.applyFailed,
};

/** `run`, `build` (pass/build-failed/apply-failed/error) and the run part of other commands. */
export function exitCodeForRun(verdict: RunVerdict): number {
  return RUN[verdict];
}

const CI: Readonly<Record<CiVerdict, number>> = {
  ok: ExitCode.ok,
  regressed: ExitCode.caseFailed,
  error: ExitCode.infrastructure,
  'build-failed': ExitCode.buildFailed,
  'apply-failed': ExitCode.applyFailed,
};

export function exitCodeForCi(verdict: CiVerdict): number {
  return CI[verdict];
}

/**
 * An error that reached the command line: bad input 2, a signal 130, --deadline 3, and (for commands that let
 * them through) a build 4 or series 5 failure; everything else is the machine's problem, 3.
 */
export function exitCodeForError(err: unknown): number {
  if (err instanceof UsageError) return ExitCode.usage;
  if (err instanceof AbortedError) return err.abortCause === 'interrupt' ? ExitCode.interrupted : ExitCode.infrastructure;
  // A series missing one of its patches cannot be applied as posted: the same verdict as one that does not apply.
  if (err instanceof SeriesApplyError || err instanceof SeriesIncompleteError) return ExitCode.applyFailed;
  if (err instanceof BuildFailedError) return ExitCode.buildFailed;
  return ExitCode.infrastructure;
}

/**
 * A run's exit code: from its verdict, except a run stopped by an error that has its own code (bad input 2,
 * a signal 130): a crash while booting is a `fail` verdict with the crash as its error, and stays 1.
 */
export function exitCodeForRunOutcome(verdict: RunVerdict, stoppedBy: unknown): number {
  if (verdict === 'error' && stoppedBy) return exitCodeForError(stoppedBy);
  return exitCodeForRun(verdict);
}

/** How a bisect ended: a confirmed culprit, one that did not confirm, several candidates, --good/--bad wrong, or the machine. */
export type BisectEnd = 'confirmed' | 'unconfirmed' | 'candidates' | 'endpoints-wrong' | 'infrastructure';

const BISECT: Readonly<Record<BisectEnd, number>> = {
  confirmed: ExitCode.ok,
  unconfirmed: ExitCode.caseFailed,
  candidates: ExitCode.caseFailed,
  // A --good that is not good (or a --bad that is not bad) is the user's input to fix.
  'endpoints-wrong': ExitCode.usage,
  infrastructure: ExitCode.infrastructure,
};

export function exitCodeForBisect(end: BisectEnd): number {
  return BISECT[end];
}

/** `parse`: 0 when KTAP was found and nothing failed; 1 when something failed or no KTAP output was found, as `kunit.py parse`. */
export function exitCodeForParse(outcome: DocumentOutcome['kind']): number {
  return outcome === 'ok' ? ExitCode.ok : ExitCode.caseFailed;
}
