// Small text helpers shared by the reporters: durations, plurals, last lines, what an absent case reads as.
import type { CaseResult } from '../model/result.js';

/** `850 ms`, `1.2 s`, `15 min 30 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min ${rest} s`;
}

/** Seconds with millisecond precision, as JUnit's `time` attributes want them. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The last `n` entries, with a note of how many were left out before them. */
export function lastLines(lines: readonly string[], n: number): string[] {
  if (lines.length <= n) return [...lines];
  return [`[${plural(lines.length - n, 'earlier line')} not shown]`, ...lines.slice(-n)];
}

/**
 * A case that is not in the kernel tree and was not asked for by name (absence allowed, so `met`): its
 * expectation never applied, and "expected pass" beside it would read as a failure. A named absent case
 * (`met` false) is not one of these: it fails, and says what it was expected to do.
 */
export function absentUnasked(c: Pick<CaseResult, 'verdict' | 'met'>): boolean {
  return c.verdict === 'absent' && c.met;
}

/** What stands in for the expectation of such a case: `absent (not in this tree)`. */
export const NOT_IN_TREE = '(not in this tree)';

/** One line: newlines and other control characters become spaces (table cells, TAP directives). */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** A log line for display: control characters but tabs become spaces, indentation is kept, trailing blanks go. */
export function logLine(s: string): string {
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ').trimEnd();
}
