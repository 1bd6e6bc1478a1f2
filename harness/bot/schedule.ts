// The bot's decisions as pure rules: which posted series become jobs (complete, settled, newest of their
// identity, after --since, never twice), and what a `ci` exit means for a job (verdicts are final, an
// infrastructure error is retried a bounded number of times, an interrupted run goes back to the queue).
import type { PostedSeries } from './threads.js';
import { superseded } from './threads.js';

export type JobState = 'queued' | 'running' | 'done' | 'superseded' | 'failed';

export interface JobView {
  readonly root: string;
  readonly state: JobState;
}

export interface IntakePolicy {
  /** Quiet time after a series' last mail before it is tested (late patches, a quick v2). */
  readonly settleMs: number;
  /** Series posted (Date header of the cover or patch 1) before this are never tested; null: all. */
  readonly sinceMs: number | null;
}

export interface IntakeDecision {
  readonly queue: readonly PostedSeries[];
  /** Series that will never run: a newer complete version exists (`by` is its root). */
  readonly supersede: ReadonlyArray<{ readonly series: PostedSeries; readonly by: string }>;
  /** Known and not ready, with the reason (for `bot status`). */
  readonly waiting: ReadonlyArray<{ readonly root: string; readonly why: string; readonly settling: boolean }>;
}

export function decideIntake(series: readonly PostedSeries[], jobs: readonly JobView[], now: number, policy: IntakePolicy): IntakeDecision {
  const job = new Map(jobs.map((j) => [j.root, j]));
  const newer = superseded(series);
  const queue: PostedSeries[] = [];
  const supersede: Array<{ series: PostedSeries; by: string }> = [];
  const waiting: Array<{ root: string; why: string; settling: boolean }> = [];
  for (const s of series) {
    const j = job.get(s.root);
    const by = newer.get(s.root);
    if (j) {
      // Tested once, ever; only a job still waiting in the queue can be overtaken by a newer version.
      if (j.state === 'queued' && by) supersede.push({ series: s, by: by.root });
      continue;
    }
    if (policy.sinceMs !== null && (s.date === null || Date.parse(s.date) < policy.sinceMs)) continue;
    if (!s.complete) {
      waiting.push({ root: s.root, why: `v${s.version}: ${s.present.length} of ${s.total} patches so far`, settling: false });
      continue;
    }
    if (by) {
      supersede.push({ series: s, by: by.root });
      continue;
    }
    const quiet = now - s.lastSeenAt;
    if (quiet < policy.settleMs) {
      waiting.push({ root: s.root, why: `v${s.version}: settling, ${Math.ceil((policy.settleMs - quiet) / 1000)} s to go`, settling: true });
      continue;
    }
    queue.push(s);
  }
  return { queue, supersede, waiting };
}

export type ExitDecision =
  | { readonly kind: 'verdict'; readonly verdict: 'ok' | 'regressed' | 'build-failed' | 'apply-failed' }
  | { readonly kind: 'retry'; readonly infraFailures: number; readonly why: string }
  | { readonly kind: 'requeue'; readonly why: string }
  | { readonly kind: 'failed'; readonly why: string };

const VERDICTS: Readonly<Record<number, 'ok' | 'regressed' | 'build-failed' | 'apply-failed'>> = { 0: 'ok', 1: 'regressed', 4: 'build-failed', 5: 'apply-failed' };

/**
 * What one `ci` run's exit status means (DESIGN.md's codes). `exitCode` null: killed by a signal. A verdict (0, 1,
 * 4, 5) is never retried; 3 is retried until `maxInfraRetries` retries were spent; 130 or a signal (the bot was
 * stopped) requeues without counting; 2 (the bot's own command line or a thread b4 cannot use) fails at once.
 */
export function decideExit(exitCode: number | null, infraFailures: number, maxInfraRetries: number): ExitDecision {
  if (exitCode === null || exitCode === 130) return { kind: 'requeue', why: exitCode === null ? 'ci was killed by a signal' : 'ci was interrupted (exit 130)' };
  const verdict = VERDICTS[exitCode];
  if (verdict) return { kind: 'verdict', verdict };
  if (exitCode === 3) {
    const failures = infraFailures + 1;
    return failures <= maxInfraRetries
      ? { kind: 'retry', infraFailures: failures, why: `infrastructure error (exit 3), retry ${failures} of ${maxInfraRetries}` }
      : { kind: 'failed', why: `infrastructure error (exit 3) ${failures} times: no retries left (--retries ${maxInfraRetries})` };
  }
  if (exitCode === 2) return { kind: 'failed', why: 'ci refused its input (exit 2): see the attempt\'s ci.log' };
  return { kind: 'failed', why: `ci exited with ${exitCode}, which DESIGN.md does not define` };
}

export interface FlakeCount {
  readonly runs: number;
  readonly flaked: number;
}

/** A case's flake history after one more ci: `flaked` counts runs whose regression did not reproduce on re-run. */
export function countFlake(prev: FlakeCount | undefined, flaky: boolean): FlakeCount {
  return { runs: (prev?.runs ?? 0) + 1, flaked: (prev?.flaked ?? 0) + (flaky ? 1 : 0) };
}
