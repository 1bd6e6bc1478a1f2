// Directives after `#` on a result line (SKIP, TODO, XFAIL, XPASS, TIMEOUT, ERROR) and the runner's `exit=N` data.
import type { TestResult } from '../model/ktap.js';

export type DirectiveKind = 'skip' | 'todo' | 'xfail' | 'xpass' | 'timeout' | 'error';

export interface Directive {
  kind: DirectiveKind | null;
  /** The directive's text (a SKIP reason, a TIMEOUT's "120 seconds"), or null when empty. */
  text: string | null;
  /** The kselftest runner's `# exit=N` (runner.sh run_one, for any exit code but 0, 4 and 124). */
  exitCode: number | null;
  /** Diagnostic data after `#` that is neither a directive nor `exit=N` (ktap.rst: `ok 5 check return code # rcode=0`). */
  data: string | null;
}

const KEYWORDS: readonly DirectiveKind[] = ['skip', 'todo', 'xfail', 'xpass', 'timeout', 'error'];

function isSeparator(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x3a /* : */;
}

/**
 * The directive keyword at `from`, case-insensitively because kselftest.h
 * prints `# error` in lower case and `# SKIP` in upper case. It must end at
 * a blank, a colon or `end`, so that `# skipping foo` or `# Todo-list` stay
 * plain data. Compared by character codes: this runs on every result line
 * with a comment, and a regular expression's match objects were a fifth of
 * all allocations on 50 MB of output.
 */
function keywordAt(text: string, from: number, end: number): DirectiveKind | null {
  let stop = from;
  while (stop < end && !isSeparator(text.charCodeAt(stop))) stop++;
  const n = stop - from;
  for (const k of KEYWORDS) {
    if (k.length !== n) continue;
    let i = 0;
    // OR 0x20 folds ASCII upper case letters to lower case.
    while (i < n && (text.charCodeAt(from + i) | 0x20) === k.charCodeAt(i)) i++;
    if (i === n) return k;
  }
  return null;
}

/** Whether `text` holds only digits between `from` and `end` (at least one, at most 15: a safe integer). */
function digitsOnly(text: string, from: number, end: number): boolean {
  if (from >= end || end - from > 15) return false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Read the comment between `from` and `end` of `text` (already trimmed;
 * empty when `from === end`) into `out`, slicing only the text kept.
 */
export function readDirective(text: string, from: number, end: number, out: Directive): void {
  out.kind = null;
  out.text = null;
  out.exitCode = null;
  out.data = null;
  if (from >= end) return;
  const kind = keywordAt(text, from, end);
  if (kind !== null) {
    let i = from + kind.length;
    while (i < end && isSeparator(text.charCodeAt(i))) i++;
    out.kind = kind;
    out.text = i === end ? null : text.slice(i, end);
  } else if (text.startsWith('exit=', from) && digitsOnly(text, from + 5, end)) {
    out.exitCode = Number(text.slice(from + 5, end));
  } else {
    out.data = text.slice(from, end);
  }
}

/** Parse the text after a `#` (trimmed). */
export function parseDirective(comment: string): Directive {
  const d: Directive = { kind: null, text: null, exitCode: null, data: null };
  readDirective(comment, 0, comment.length, d);
  return d;
}

/**
 * The result a line stands for. A directive wins over `ok` / `not ok`: the
 * spec allows SKIP on either, and kselftest prints `ok N # XFAIL` for an
 * expected failure; KTAP says an unsupported directive falls back to ok/not ok.
 */
export function resultOf(ok: boolean, kind: DirectiveKind | null): TestResult {
  return kind ?? (ok ? 'pass' : 'fail');
}
