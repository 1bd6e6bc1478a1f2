// The KTAP / TAP line grammar as a table of regular expressions, and the character tests that stand in for it on the hot path.
import type { KtapDocument } from '../model/ktap.js';

/**
 * One pattern per line type: the readable spec. Every pattern is sticky
 * (`y`) and `$` is the end of the line: they are run on one line's text
 * (matchLine), only for the rare line types and only once a cheap test on
 * the first characters said the line may be one. Each has at most one
 * open-ended group at its end, so none can backtrack badly on long lines.
 */
export const LINE_PATTERNS = {
  /** Documentation/dev-tools/ktap.rst "Version lines": the three versions parsers must accept. */
  version: /(KTAP version 1|TAP version 13|TAP version 14)[ \t]*$/y,
  /** `1..N`, optionally `1..0 # SKIP reason` (kselftest.h ksft_exit_skip() before any plan). */
  plan: /1\.\.(\d+)[ \t]*(?:#[ \t]*(.*))?$/y,
  /** `ok` / `not ok` followed by whitespace, `#` or the end of the line (isResultAt() by hand); the rest is read by result-line.ts. */
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
  /** The kselftest runner's test header, `# selftests: kvm: sea_to_user` (runner.sh run_one). */
  runnerHeader: /^selftests: \S.*$/,
} as const;

/** kselftest.h ksft_exit_fail_msg() prints `Bail out! ` with no newline guarantee before it. */
export const BAIL_OUT = 'Bail out!';

export type LineKind = 'version' | 'plan' | 'result' | 'bailout' | 'unreadable' | 'other';

export type KtapVersion = NonNullable<KtapDocument['version']>;

/*
 * Offsets: a line is `s` from `start` to `end`, where `s` is the whole input
 * (or, rarely, a line built by splitting glued lines). The character at
 * `end` is `\n`, the `\r` of a CRLF, or past the end of `s`: never a blank,
 * `#` or a letter, so a test that reads one character past the line fails
 * as it would at the end of a string of its own.
 */

/** Match a sticky pattern at `offset` of `text`. */
export function matchAt(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}

/** Match a pattern of LINE_PATTERNS on the text from `from` to the line's `end` (a new string: rare lines only). */
export function matchLine(pattern: RegExp, s: string, from: number, end: number): RegExpExecArray | null {
  pattern.lastIndex = 0;
  return pattern.exec(s.slice(from, end));
}

function isBlankChar(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/*
 * The tests below look at a character or two before calling startsWith():
 * in optimised code a call to startsWith() costs as much as a dozen
 * charCodeAt(), and most lines that start with the same letter as a line
 * type are not one (`Totals:` and `TAP version`, `note` and `not ok`).
 */

/** `ok` or `not ok` at `offset`, followed by whitespace, `#` or the end of the line. */
function isResultAt(s: string, offset: number, end: number): boolean {
  let p: number;
  const c0 = s.charCodeAt(offset);
  if (c0 === 0x6f /* o */ && s.charCodeAt(offset + 1) === 0x6b /* k */) p = offset + 2;
  else if (c0 === 0x6e /* n */ && s.charCodeAt(offset + 1) === 0x6f /* o */ && s.startsWith('t ok', offset + 2)) p = offset + 6;
  else return false;
  if (p === end) return true;
  const c = s.charCodeAt(p);
  return c === 0x20 || c === 0x09 || c === 0x23 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Whether LINE_PATTERNS.unreadableResult can match at `offset`: `ok` and a digit, or `not` and a blank. */
function mayBeUnreadable(s: string, offset: number): boolean {
  const c1 = s.charCodeAt(offset + 1);
  const c2 = s.charCodeAt(offset + 2);
  if (s.charCodeAt(offset) === 0x6f /* o */) return c1 === 0x6b /* k */ && c2 >= 0x30 && c2 <= 0x39;
  return c1 === 0x6f /* o */ && c2 === 0x74 /* t */ && isBlankChar(s.charCodeAt(offset + 3));
}

/** `1..N` and nothing else (after `1..`, which the caller checked): the plan as kselftest and KUnit print it, told without a pattern. */
function isBarePlan(s: string, offset: number, end: number): boolean {
  if (end === offset + 3) return false;
  for (let i = offset + 3; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `TAP version 1` or `KTAP version 1` at `offset` (whose first letter is a T or a K): the start every version line has. */
function isVersionStart(s: string, offset: number): boolean {
  switch (s.charCodeAt(offset + 1)) {
    case 0x41 /* A */:
      return s.startsWith('TAP version 1', offset);
    case 0x54 /* T */:
      return s.startsWith('KTAP version 1', offset);
    default:
      return false;
  }
}

/** One of the three version lines and nothing else (its start was checked): told without a pattern. */
function isBareVersion(s: string, offset: number, end: number): boolean {
  if (end - offset !== 14) return false;
  const last = s.charCodeAt(end - 1);
  // 'KTAP version 1' is 14 characters, as are 'TAP version 13' and 'TAP version 14'.
  return s.charCodeAt(offset) === 0x4b /* K */ || last === 0x33 /* 3 */ || last === 0x34 /* 4 */;
}

/** Classify the line body from `offset` to `end` (after the nesting prefix). */
export function classify(s: string, offset: number, end: number): LineKind {
  // A switch on the first character keeps the common case (diagnostics and
  // console noise) to one comparison; the patterns run only on lines that
  // start like the line type they describe.
  switch (s.charCodeAt(offset)) {
    case 0x6f /* o */:
    case 0x6e /* n */:
      if (isResultAt(s, offset, end)) return 'result';
      return mayBeUnreadable(s, offset) && matchLine(LINE_PATTERNS.unreadableResult, s, offset, end) !== null ? 'unreadable' : 'other';
    case 0x31 /* 1 */:
      if (s.charCodeAt(offset + 1) !== 0x2e /* . */ || s.charCodeAt(offset + 2) !== 0x2e) return 'other';
      return isBarePlan(s, offset, end) || matchLine(LINE_PATTERNS.plan, s, offset, end) !== null ? 'plan' : 'other';
    case 0x4b /* K */:
    case 0x54 /* T */:
      if (!isVersionStart(s, offset)) return 'other';
      return isBareVersion(s, offset, end) || matchLine(LINE_PATTERNS.version, s, offset, end) !== null ? 'version' : 'other';
    case 0x42 /* B */:
      return s.charCodeAt(offset + 1) === 0x61 /* a */ && s.startsWith(BAIL_OUT, offset) ? 'bailout' : 'other';
    default:
      return 'other';
  }
}

/** The version named by a version line (classify() said 'version'). */
export function versionOf(s: string, offset: number): KtapVersion {
  if (s.charCodeAt(offset) === 0x4b /* K */) return 'KTAP version 1';
  return s.charCodeAt(offset + 13) === 0x33 /* 3 */ ? 'TAP version 13' : 'TAP version 14';
}

/**
 * End of the nesting prefix that starts at `from`: spaces, tabs and `# `
 * groups. KTAP nests by indentation (2 spaces per the spec, 4 as KUnit
 * prints, tabs in old KUnit); the kselftest runner nests by prefixing every
 * output line of a test with `# ` (runner.sh tap_prefix), so both count.
 * A `#` glued to text (`#include`, `#1`) is not a prefix.
 */
export function prefixEnd(s: string, from: number, end: number): number {
  let i = from;
  const first = s.charCodeAt(i);
  if (first !== 0x20 && first !== 0x09 && first !== 0x23) return i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isBlankChar(c)) {
      i++;
    } else if (c === 0x23 /* # */ && (i + 1 === end || isBlankChar(s.charCodeAt(i + 1)))) {
      i += i + 1 === end ? 1 : 2;
    } else {
      break;
    }
  }
  return i;
}

/** First character from `from` on that is not a blank (or `end`). */
export function skipBlanks(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && isBlankChar(s.charCodeAt(i))) i++;
  return i;
}

/** Start of a diagnostic's text whose `#` is at `hash`: after the `#` and one following blank. */
export function diagnosticStart(s: string, hash: number, end: number): number {
  return hash + 1 < end && isBlankChar(s.charCodeAt(hash + 1)) ? hash + 2 : hash + 1;
}

/** Whether the text from `from` to `to` is blanks only (indentation, not a runner's `# ` prefix). */
export function isBlankRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isBlankChar(s.charCodeAt(i))) return false;
  return true;
}

/** Whether a line holds nothing but blanks (and stray carriage returns). */
export function isBlankLine(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** The text from `start` to `end`, without trailing blanks: the only strings made from the input are the ones kept. */
export function tail(s: string, start: number, end: number): string {
  let e = end;
  while (e > start && isBlankChar(s.charCodeAt(e - 1))) e--;
  return s.slice(start, e);
}

/** Whether the line from `start` to `end` starts with `prefix`: nesting prefixes are a few characters, compared inline. */
export function hasPrefixAt(s: string, start: number, end: number, prefix: string): boolean {
  const n = prefix.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(start + i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** Whether `prefix` is the text from `from` to `to`: a level's prefix string is kept when its next document has the same. */
export function sameText(prefix: string, s: string, from: number, to: number): boolean {
  return prefix.length === to - from && hasPrefixAt(s, from, to, prefix);
}

/** Whether the line opens a YAML block under a result line whose prefix is `prefix`. */
export function isYamlStart(s: string, start: number, end: number, prefix: string): boolean {
  // Cheap tests first: this runs on every line that follows a result.
  if (end - start <= prefix.length) return false;
  const c = s.charCodeAt(start + prefix.length);
  if (c !== 0x20 && c !== 0x09) return false;
  const dash = skipBlanks(s, start + prefix.length, end);
  if (!s.startsWith('---', dash)) return false;
  return hasPrefixAt(s, start, end, prefix) && matchLine(LINE_PATTERNS.yamlStart, s, start + prefix.length, end) !== null;
}

/** Whether the line from `from` on closes a YAML block. */
export function isYamlEnd(s: string, from: number, end: number): boolean {
  return s.startsWith('...', skipBlanks(s, from, end)) && matchLine(LINE_PATTERNS.yamlEnd, s, from, end) !== null;
}
