// Finds where one physical line holds several KTAP lines glued together (a kselftest message printed without "\n").
//
// kselftest.h prints `ok N # SKIP ` and then the caller's message; when the
// message lacks a trailing newline, the next result or `Bail out!` lands on
// the same line. sea_to_user on QEMU prints, on one line:
//
//   ok 1 # SKIP EINJ table no available in firmwareok 2 # SKIP EINJ module probably not loaded?Bail out! Failed to ...
//
// Heuristic, chosen so that ordinary descriptions containing "ok" stay whole:
// - `Bail out!` splits the line wherever it appears (the text before it is a
//   line of its own, the rest of the line is the bail-out reason);
// - `ok N` / `not ok N` splits the line only when N is exactly the number the
//   next result must have, N is followed by a blank, `#` or the end of the
//   line, and either the keyword is glued to the preceding text (no blank
//   before it: `firmwareok 2`) or it is followed by ` # ` or ` - ` as a
//   result line is (`... ok 2 # SKIP`). "retry ok 2 times" is not split;
//   numberless glued results (`fooook - bar`) are never split.

import { BAIL_OUT } from './line-types.js';
import { NOWHERE, NextMatch } from './next-match.js';

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Index in `text` of a glued result `ok <expected>` / `not ok <expected>`
 * that starts after `from` and before `limit`, or -1.
 */
export function findGluedResult(text: string, from: number, limit: number, expected: number): number {
  for (let i = text.indexOf('ok ', from); i !== -1 && i < limit; i = text.indexOf('ok ', i + 3)) {
    const start = i >= 4 && text.startsWith('not ', i - 4) ? i - 4 : i;
    if (start <= from) continue;
    let j = i + 3;
    while (j < limit && isDigit(text.charCodeAt(j))) j++;
    if (j === i + 3 || Number(text.slice(i + 3, j)) !== expected) continue;
    const after = text.charCodeAt(j);
    if (!(j === limit || isBlank(after) || after === 0x23)) continue;
    const glued = !isBlank(text.charCodeAt(start - 1));
    const resultShaped = text.startsWith(' # ', j) || text.startsWith(' - ', j);
    if (glued || resultShaped) return start;
  }
  return -1;
}

/**
 * Where a line must be cut so that its first part is one KTAP line, or -1
 * when it is one line. The line is `text` up to `end`; `body` is where its
 * text starts (after its nesting prefix), `from` where glued results may
 * start, `expected` the number the next result must have (null: do not look
 * for glued results). `bail`: the first `Bail out!` after `body`, when the
 * caller knows it (GlueScanner.nextBailOut), so that a line of many glued
 * results is not searched to its end once per result.
 */
export function findSplit(text: string, body: number, from: number, expected: number | null, end = text.length, bail = text.indexOf(BAIL_OUT, body + 1)): number {
  const b = bail !== -1 && bail + BAIL_OUT.length <= end ? bail : -1;
  const limit = b === -1 ? end : b;
  if (expected !== null) {
    const glued = findGluedResult(text, Math.max(from, body), limit, expected);
    if (glued !== -1) return glued;
  }
  return b;
}

/**
 * Answers "may this line hold a glued line?" for lines of one input,
 * without searching each line: the whole input is searched once for each
 * of `ok ` and `Bail out!` (searching every line for both cost a tenth of
 * the parse of 50 MB).
 */
export class GlueScanner {
  /**
   * `ok ` is looked for as `k ` after an `o`: the native search stops at
   * every occurrence of the first character, and `k` is much rarer than `o`
   * in text (a third less time on 50 MB of kselftest output).
   */
  private readonly k: NextMatch;
  private readonly bail: NextMatch;

  constructor(private readonly input: string) {
    this.k = new NextMatch(input, 'k ');
    this.bail = new NextMatch(input, BAIL_OUT);
  }

  /** The first `Bail out!` of the input at or after `from`, or -1. */
  nextBailOut(from: number): number {
    const i = this.bail.find(from);
    return i === NOWHERE ? -1 : i;
  }

  /** Whether the input holds `ok ` or `Bail out!` between `start` and `end` (offsets in the input). */
  mayHold(start: number, end: number): boolean {
    for (let k = this.k.find(start + 1); k + 2 <= end; k = this.k.find(k + 1)) {
      if (this.input.charCodeAt(k - 1) === 0x6f /* o */) return true;
    }
    return this.bail.within(start, end);
  }
}
