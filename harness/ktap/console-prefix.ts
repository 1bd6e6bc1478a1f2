// Prefixes that consoles and logs put before every kernel line (printk time, printk caller id, syslog / journald), found before the version line and stripped as kunit_tool does.
//
// kunit_tool (kunit_parser.py extract_tap_lines) takes the text before the
// first `KTAP version` / `TAP version` line as a prefix and removes that many
// characters from every later line. Here the prefix's shape is read instead
// of its length, and a later line loses it only when it has one of the same
// shape: a printk timestamp that grows a digit (`[ 99999.9]` to
// `[100000.0]`) or a shorter host name still strips, and a line printed
// without the prefix (userspace output on the same console) stays whole.

/** The parts a console prefix may have, in the order they appear; each part is optional but one must be there. */
export interface PrefixShape {
  readonly syslog: boolean;
  readonly time: boolean;
  readonly caller: boolean;
}

/**
 * `Dec  1 23:00:01 host kernel: ` (syslog, RFC 3164), `Dec 01 23:00:01 host kernel: `
 * (journalctl's short format), `Dec 01 23:00:01.123456 host kernel: ` (short-precise) and
 * `2026-12-01T23:00:01+0000 host kernel: ` (short-iso): a time, a host, an identifier with an optional
 * `[pid]`, and `: `. Sticky: matched where the line starts.
 */
const SYSLOG =
  /(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?) [^\s:]+ [^\s:[]+(?:\[[0-9]+\])?: /y;
/** printk's time (CONFIG_PRINTK_TIME): `[   12.345678]`. */
const TIME = /\[[ \t]*[0-9]+\.[0-9]+\]/y;
/** printk's caller id (CONFIG_PRINTK_CALLER): `[    T1]` for a task, `[    C0]` for a CPU. */
const CALLER = /\[[ \t]*[TC][0-9]+\]/y;

function matchEnd(pattern: RegExp, s: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(s) ? pattern.lastIndex : -1;
}

/** The parts a console prefix may have, each with its pattern, in line order. */
const PARTS = [
  ['syslog', SYSLOG],
  ['time', TIME],
  ['caller', CALLER],
] as const;

/**
 * Where the console prefix of shape `shape` that starts at `start` ends (a
 * blank after it included), or `start` when the line has no such prefix.
 * With a null shape, any prefix is read and its shape is returned through
 * `found`.
 */
export function consolePrefixEnd(s: string, start: number, end: number, shape: PrefixShape | null, found?: { shape: PrefixShape | null }): number {
  let i = start;
  const first = s.charCodeAt(start);
  // Every prefix starts with a bracket, an upper case letter (a month) or a digit (a year): most lines fail here.
  if (first !== 0x5b /* [ */ && !(first >= 0x41 && first <= 0x5a) && !(first >= 0x30 && first <= 0x39)) return start;
  const seen = { syslog: false, time: false, caller: false };
  // In the order they stand on a line: a syslog/journald prefix, then printk's time, then its caller id.
  for (const [field, pattern] of PARTS) {
    if (shape !== null && !shape[field]) continue;
    const e = matchEnd(pattern, s, i);
    if (e !== -1 && e <= end) {
      i = e;
      seen[field] = true;
    } else if (shape !== null) return start;
  }
  if (i === start) return start;
  // printk puts one blank between its prefix and the message; syslog's `: ` already holds it.
  if (i < end && s.charCodeAt(i) === 0x20 && (seen.time || seen.caller)) i++;
  if (found !== undefined) found.shape = seen;
  return i;
}
