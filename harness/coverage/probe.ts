// The case loop's hooks for patch coverage (run/case-loop.ts calls them; coverage/recorder.ts implements them).
import type { Guest } from '../guest/boot.js';

/**
 * Patch coverage's hooks: counters are reset when cases start in an idle L1 and read when it is idle again, so
 * one case at a time gives per-case figures and cases beside each other give the figures of their group.
 */
export interface CoverageProbe {
  start(guest: Guest): Promise<void>;
  stop(guest: Guest, cases: readonly string[]): Promise<void>;
  /** The L1 became unusable after the group's cases: their counters are gone with it. */
  lost(cases: readonly string[], why: string): void;
}
