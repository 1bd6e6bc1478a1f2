// The case loop's coverage probe: the counters read once after boot (what ran while the L1 came up), then reset
// before and read after each group of cases. A failed read is a gap in the figures, never a failed run.
import type { Guest } from '../guest/boot.js';
import type { CoverageProbe } from './probe.js';
import { readCounters, resetCounters, type CounterSnapshot } from './collect.js';

export const BOOT_GROUP = '(boot)';

export class CoverageRecorder implements CoverageProbe {
  readonly snapshots: CounterSnapshot[] = [];
  readonly gaps: string[] = [];
  private booted = new WeakSet<Guest>();

  async start(guest: Guest): Promise<void> {
    try {
      if (!this.booted.has(guest)) {
        this.booted.add(guest);
        this.snapshots.push({ cases: [BOOT_GROUP], files: await readCounters(guest.ssh) });
      }
      await resetCounters(guest.ssh);
    } catch (err) {
      this.gaps.push(`the counters could not be reset before the next cases (${(err as Error).message}): their figures include what ran before`);
    }
  }

  async stop(guest: Guest, cases: readonly string[]): Promise<void> {
    try {
      this.snapshots.push({ cases: [...cases], files: await readCounters(guest.ssh) });
    } catch (err) {
      this.gaps.push(`the counters after ${cases.join(', ')} could not be read: ${(err as Error).message}`);
    }
  }

  lost(cases: readonly string[], why: string): void {
    this.gaps.push(`the counters of ${cases.join(', ')} were lost: ${why}`);
  }

  /** per-case when every group of cases was one case. */
  scope(): 'per-case' | 'together' {
    return this.snapshots.every((s) => s.cases.length <= 1) ? 'per-case' : 'together';
  }
}
