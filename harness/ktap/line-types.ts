// The KTAP / TAP line grammar as a table of regular expressions, applied to a line once its nesting prefix is removed.
import type { KtapDocument } from '../model/ktap.js';

/**
 * One pattern per line type. Every pattern is sticky (`y`): it is matched at
 * an offset of the line (after the nesting prefix) without slicing the line,
 * and `$` is the end of the line. Each has at most one open-ended group at
 * its end, so none can backtrack badly on long lines (50 MB of kselftest
 * output must parse in well under a second).
 */
export const LINE_PATTERNS = {
  /** Documentation/dev-tools/ktap.rst "Version lines": the three versions parsers must accept. */
  version: /(KTAP version 1|TAP version 13|TAP version 14)[ \t]*$/y,
  /** `1..N`, optionally `1..0 # SKIP reason` (kselftest.h ksft_exit_skip() before any plan). */
  plan: /1\.\.(\d+)[ \t]*(?:#[ \t]*(.*))?$/y,
  /** `ok` / `not ok` followed by whitespace, `#` or the end of the line; the rest is read by result-line.ts. */
  result: /(?:not ok|ok)(?=[\s#]|$)/y,
  /**
   * Lines that look like a result but cannot be read as one: the number glued
   * to the keyword (`ok1`), or `not` and `ok` split by odd whitespace.
   */
  unreadableResult: /(?:(?:not[ \t]+)?ok[0-9]|not(?: {2,}|\t)ok(?=[\s#]|$))/y,
  /** TAP 14 and KUnit subtest header, before or after the nested version line. */
  subtest: /([ \t]*)#[ \t]*Subtest:[ \t]*(.*)$/y,
  /** A TAP 13/14 YAML diagnostics block, indented under the result line it belongs to. */
  yamlStart: /[ \t]+---[ \t]*$/y,
  yamlEnd: /[ \t]*\.\.\.[ \t]*$/y,
  /** A printk timestamp, as on a serial console: `[   12.345678] `. */
  printkTimestamp: /\[[ \t]*\d+\.\d+\] ?/y,
  /** The kselftest runner's test header, `# selftests: kvm: sea_to_user` (runner.sh run_one). */
  runnerHeader: /^selftests: \S.*$/,
} as const;

/** kselftest.h ksft_exit_fail_msg() prints `Bail out! ` with no newline guarantee before it. */
export const BAIL_OUT = 'Bail out!';

export type LineKind = 'version' | 'plan' | 'result' | 'bailout' | 'unreadable' | 'other';

export type KtapVersion = NonNullable<KtapDocument['version']>;

/** Match a sticky pattern at `offset` of `text`. */
export function matchAt(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}

function testAt(pattern: RegExp, text: string, offset: number): boolean {
  pattern.lastIndex = offset;
  return pattern.test(text);
}

/** `ok` or `not ok` at `offset`, followed by whitespace, `#` or the end of the line. */
function isResultAt(text: string, offset: number): boolean {
  let end: number;
  if (text.charCodeAt(offset) === 0x6f && text.charCodeAt(offset + 1) === 0x6b) end = offset + 2;
  else if (text.startsWith('not ok', offset)) end = offset + 6;
  else return false;
  if (end === text.length) return true;
  const c = text.charCodeAt(end);
  return c === 0x20 || c === 0x09 || c === 0x23 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Classify the line body that starts at `offset` (after the nesting prefix). */
export function classify(text: string, offset: number): LineKind {
  // A switch on the first character keeps the common case (diagnostics and
  // console noise) to one comparison instead of five regular expressions.
  switch (text.charCodeAt(offset)) {
    case 0x6f /* o */:
    case 0x6e /* n */:
      // LINE_PATTERNS.result, by hand: results are a third of all lines.
      if (isResultAt(text, offset)) return 'result';
      return testAt(LINE_PATTERNS.unreadableResult, text, offset) ? 'unreadable' : 'other';
    case 0x31 /* 1 */:
      return testAt(LINE_PATTERNS.plan, text, offset) ? 'plan' : 'other';
    case 0x4b /* K */:
    case 0x54 /* T */:
      return testAt(LINE_PATTERNS.version, text, offset) ? 'version' : 'other';
    case 0x42 /* B */:
      return text.startsWith(BAIL_OUT, offset) ? 'bailout' : 'other';
    default:
      return 'other';
  }
}

/** The version named by a version line (classify() said 'version'). */
export function versionOf(text: string, offset: number): KtapVersion {
  if (text.charCodeAt(offset) === 0x4b /* K */) return 'KTAP version 1';
  return text.charCodeAt(offset + 13) === 0x33 /* 3 */ ? 'TAP version 13' : 'TAP version 14';
}

function isBlankChar(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * End of the nesting prefix that starts at `from`: spaces, tabs and `# `
 * groups. KTAP nests by indentation (2 spaces per the spec, 4 as KUnit
 * prints, tabs in old KUnit); the kselftest runner nests by prefixing every
 * output line of a test with `# ` (runner.sh tap_prefix), so both count.
 * A `#` glued to text (`#include`, `#1`) is not a prefix.
 */
export function prefixEnd(text: string, from: number): number {
  const n = text.length;
  let i = from;
  const first = text.charCodeAt(i);
  if (first !== 0x20 && first !== 0x09 && first !== 0x23) return i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBlankChar(c)) {
      i++;
    } else if (c === 0x23 /* # */ && (i + 1 === n || isBlankChar(text.charCodeAt(i + 1)))) {
      i += i + 1 === n ? 1 : 2;
    } else {
      break;
    }
  }
  return i;
}

/** First character of `text` from `from` on that is not a blank. */
export function skipBlanks(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBlankChar(text.charCodeAt(i))) i++;
  return i;
}

/** Start of a diagnostic's text whose `#` is at `hash`: after the `#` and one following blank. */
export function diagnosticStart(text: string, hash: number): number {
  return isBlankChar(text.charCodeAt(hash + 1)) ? hash + 2 : hash + 1;
}

/** Whether a line holds nothing but blanks. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** `text` from `start` on, without trailing blanks. */
export function tail(text: string, start: number): string {
  let end = text.length;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Whether `text` starts with `prefix`: nesting prefixes are a few characters, compared inline. */
export function hasPrefix(text: string, prefix: string): boolean {
  const n = prefix.length;
  if (text.length < n) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** Whether `text` opens a YAML block under a result line whose prefix is `prefix`. */
export function isYamlStart(text: string, prefix: string): boolean {
  // Cheap test first: this runs on every line that follows a result.
  const c = text.charCodeAt(prefix.length);
  if (c !== 0x20 && c !== 0x09) return false;
  return hasPrefix(text, prefix) && matchAt(LINE_PATTERNS.yamlStart, text, prefix.length) !== null;
}
