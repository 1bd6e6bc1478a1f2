// Reads one `ok` / `not ok` result line: number, description, directive.
import type { TestResult } from '../model/ktap.js';
import { readDirective, resultOf, type Directive } from './directive.js';

/**
 * A result line as read. The parser reuses one instance for every line and
 * consumes it before reading the next (one object per result line was a
 * noticeable share of the garbage on 50 MB of output).
 */
export interface ResultLine {
  ok: boolean;
  number: number | null;
  name: string;
  result: TestResult;
  readonly directive: Directive;
  /** Where the text after the number starts (an offset in the parsed string): glued results are only looked for from here on. */
  textStart: number;
}

export function newResultLine(): ResultLine {
  return { ok: true, number: null, name: '', result: 'pass', directive: { kind: null, text: null, exitCode: null, data: null }, textStart: 0 };
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The first `#` from `from` to `end`, or -1 (indexOf would run on past the line: this is for the rare `#` glued to text). */
function hashIn(s: string, from: number, end: number): number {
  for (let i = from; i < end; i++) if (s.charCodeAt(i) === 0x23) return i;
  return -1;
}

/**
 * Where the comment of a description starts: the first `#` at its start or
 * after a blank (TAP 14 escapes a literal one as `\#`). ktap.rst says
 * descriptions cannot contain `#`; requiring a blank before it keeps
 * `test#3` whole.
 */
function commentStart(s: string, from: number, first: number, end: number): number {
  for (let i = first; i !== -1; i = hashIn(s, i + 1, end)) {
    if (i === from || isBlank(s.charCodeAt(i - 1))) return i;
  }
  return -1;
}

/**
 * Read the result line that starts at `offset` of `text` and ends at `n`
 * (classify() said 'result') into `out`. `firstHash` is the line's first
 * `#` from `offset` on, or -1: the parser finds it with one scan of the
 * input instead of a loop over each line's characters. Returns false when
 * the line cannot be read (a test number too large to be one).
 */
export function parseResultLine(text: string, offset: number, n: number, firstHash: number, out: ResultLine): boolean {
  // classify() checked the keyword: `ok` or `not ok`.
  const ok = text.charCodeAt(offset) === 0x6f /* o */;
  let p = offset + (ok ? 2 : 6);
  while (p < n && isBlank(text.charCodeAt(p))) p++;
  let q = p;
  while (q < n && isDigit(text.charCodeAt(q))) q++;
  let number: number | null = null;
  // `ok 3d-test` is numberless with description "3d-test", as tap-parser reads it.
  if (q > p && (q === n || isBlank(text.charCodeAt(q)) || text.charCodeAt(q) === 0x23)) {
    if (q - p > 15) return false; // beyond Number.MAX_SAFE_INTEGER: not a test number
    number = 0;
    for (let i = p; i < q; i++) number = number * 10 + text.charCodeAt(i) - 0x30;
    p = q;
  }
  out.textStart = p;
  while (p < n && isBlank(text.charCodeAt(p))) p++;
  // TAP's optional `- ` between the number and the description.
  if (text.charCodeAt(p) === 0x2d /* - */ && (p + 1 === n || isBlank(text.charCodeAt(p + 1)))) p += 2;
  // No `#` can lie between `offset` and `p` (a keyword, blanks, digits, `- `).
  const hash = firstHash === -1 ? -1 : commentStart(text, p, firstHash, n);
  // The description and the comment, without surrounding blanks, each sliced once.
  let a = p;
  let b = hash === -1 ? n : hash;
  while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
  let name = a >= b ? '' : text.slice(a, b);
  // TAP 14's `\#`, the only `#` a description can hold: looked for only on lines that have a `#`.
  if (firstHash !== -1 && name.includes('\\#')) name = name.replaceAll('\\#', '#');
  a = hash === -1 ? n : hash + 1;
  b = n;
  while (a < b && isBlank(text.charCodeAt(a))) a++;
  while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
  readDirective(text, a, b, out.directive);
  out.ok = ok;
  out.number = number;
  out.name = name;
  out.result = resultOf(ok, out.directive.kind);
  return true;
}
