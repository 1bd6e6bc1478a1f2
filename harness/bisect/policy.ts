// How a step's outcome becomes good / bad / skip for `git bisect run` (DESIGN.md): pure, so every row is unit-tested.
import type { CaseResult } from '../model/result.js';
import type { StepDecision, StepVerdict } from '../model/bisect.js';

export interface StepPolicy {
  /** A kernel crash while the case ran: bad (default) or skip. */
  readonly crash: 'bad' | 'skip';
  /** The kernel under test does not build: skip (default) or bad. */
  readonly buildFailure: 'skip' | 'bad';
  /** The case timed out (under TCG often the emulation, not the kernel): skip (default) or bad. */
  readonly timeout: 'skip' | 'bad';
}

export const DEFAULT_POLICY: StepPolicy = { crash: 'bad', buildFailure: 'skip', timeout: 'skip' };

/** What the step saw: the named case's result, or the stage that stopped before it. */
export type StepOutcome =
  | { readonly kind: 'case'; readonly result: CaseResult }
  | { readonly kind: 'build-failed' | 'apply-failed' | 'error'; readonly message: string };

export interface Decision {
  readonly verdict: StepVerdict;
  readonly step: StepDecision;
  readonly reason: string;
}

export const EXIT_FOR: Readonly<Record<StepDecision, number>> = { good: 0, bad: 1, skip: 125 };

export function decide(outcome: StepOutcome, policy: StepPolicy): Decision {
  switch (outcome.kind) {
    case 'build-failed':
      return { verdict: 'build-failed', step: policy.buildFailure, reason: `the kernel does not build here: ${outcome.message}${policy.buildFailure === 'skip' ? ' (a build failure is a skip unless --build-failure bad)' : ''}` };
    case 'apply-failed':
      return { verdict: 'apply-failed', step: 'skip', reason: `the series does not apply here: ${outcome.message}` };
    case 'error':
      return { verdict: 'error', step: 'skip', reason: `infrastructure or harness error, not a verdict on this commit: ${outcome.message}` };
    case 'case':
      return decideCase(outcome.result, policy);
  }
}

function decideCase(c: CaseResult, policy: StepPolicy): Decision {
  const what = `${c.name} ${c.verdict}${c.reason ? `: ${c.reason}` : ''}`;
  if (c.verdict === 'absent') return { verdict: 'absent', step: 'skip', reason: `${c.name} is not in this tree (its selftest is missing)` };
  if (c.met) return { verdict: c.verdict, step: 'good', reason: what };
  switch (c.verdict) {
    case 'fail':
      return { verdict: 'fail', step: 'bad', reason: what };
    case 'crash':
      return { verdict: 'crash', step: policy.crash, reason: policy.crash === 'skip' ? `${what} (a crash is a skip with --crash skip)` : what };
    case 'timeout':
      return { verdict: 'timeout', step: policy.timeout, reason: policy.timeout === 'skip' ? `${what} (a timeout under TCG is a skip unless --timeout-verdict bad)` : what };
    case 'error':
      return { verdict: 'error', step: 'skip', reason: `infrastructure or harness error, not a verdict on this commit: ${what}` };
    default:
      // A skip for another reason than expected, or a pass where a skip was expected: neither good nor bad.
      return { verdict: c.verdict, step: 'skip', reason: `${what} (expected ${c.expected}${c.expectedReason ? `: ${c.expectedReason}` : ''}): neither good nor bad` };
  }
}
