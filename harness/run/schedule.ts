// Which cases may share the L1 (--jobs), and which verdicts obtained beside others must be re-checked alone.
// Pure: the case loop (case-loop.ts) asks these questions; the answers are unit-tested.

/** What the scheduler needs to know of a case instance. */
export interface Slot {
  readonly name: string;
  /** The case file allows running beside other such cases. */
  readonly concurrent: boolean;
  readonly hugepages1G: number;
}

export interface Limits {
  /** At most this many cases at once (1: one after another). */
  readonly jobs: number;
  /** Free 1 GiB hugepages in the L1: cases holding them must fit together. */
  readonly hugepages1GFree: number;
}

/**
 * Whether `next` may start now beside `running`. A case alone always may (whether the L1 can give it what it
 * needs is decided before, with its own verdict). Beside others: both sides must be concurrent cases, never two
 * instances of one case (--repeat runs them in order, and `pidof NAME` must find only its own), within --jobs and
 * the L1's 1 GiB hugepages.
 */
export function canStart(next: Slot, running: readonly Slot[], limits: Limits): boolean {
  if (running.length === 0) return true;
  if (running.length >= limits.jobs) return false;
  if (!next.concurrent || running.some((r) => !r.concurrent)) return false;
  if (running.some((r) => r.name === next.name)) return false;
  const held = running.reduce((n, r) => n + r.hugepages1G, 0);
  return held + next.hugepages1G <= limits.hugepages1GFree;
}

/** The first waiting case, in plan order, that may start now; null if none. */
export function nextToStart<T>(waiting: readonly T[], running: readonly T[], slotOf: (t: T) => Slot, limits: Limits): T | null {
  const held = running.map(slotOf);
  return waiting.find((w) => canStart(slotOf(w), held, limits)) ?? null;
}

/** What a finished attempt tells about itself. */
export interface AttemptOutcome {
  readonly met: boolean;
  /** Its verdict: a timeout is judged by its neighbours (below). */
  readonly timedOut: boolean;
  readonly warningCount: number;
  /** Cases that ran in the same L1 at some time during this one. */
  readonly ranBeside: readonly string[];
  /** Every case it ran beside has ended, within its own deadline and without kernel warnings: the L1 was not starved. */
  readonly besideClean: boolean;
}

/**
 * A verdict obtained beside other cases is kept only when it met its expectation without kernel warnings. Otherwise
 * (a fail, crash, timeout or error, or a warning whose author is unknown) the case runs again alone, and that verdict
 * counts: a crash or a stuck task of a neighbour must never be blamed on it, nor its own on the neighbour.
 */
export function needsAloneRerun(a: AttemptOutcome): boolean {
  if (a.ranBeside.length === 0) return false;
  // A timeout whose neighbours all finished cleanly is its own hang (a deadline is tens of times a case's run time,
  // so a neighbour cannot starve it that long without stalling itself): re-running it alone would only cost one
  // more full deadline (measured: 180 s for a kernel that injects an SError instead of exiting).
  if (a.timedOut && a.besideClean) return false;
  return !a.met || a.warningCount > 0;
}
