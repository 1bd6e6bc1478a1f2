// The kselftest `# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N` line (and KUnit's shorter form).
import type { KtapTotals } from '../model/ktap.js';

type Key = keyof KtapTotals;

/** The counter named by `text` between `start` and `end`, or null for one this model does not have (KUnit's `total`). */
function keyAt(text: string, start: number, end: number): Key | null {
  // By first letter, then one comparison: a loop over the six names was most of this function's time.
  let k: Key;
  switch (text.charCodeAt(start)) {
    case 0x70 /* p */:
      k = 'pass';
      break;
    case 0x66 /* f */:
      k = 'fail';
      break;
    case 0x73 /* s */:
      k = 'skip';
      break;
    case 0x65 /* e */:
      k = 'error';
      break;
    case 0x78 /* x */:
      k = text.charCodeAt(start + 1) === 0x66 /* f */ ? 'xfail' : 'xpass';
      break;
    default:
      return null;
  }
  return k.length === end - start && text.startsWith(k, start) ? k : null;
}

/** `counts[key] = value` with a constant key each time: a store by a variable key is a slow lookup in optimised code. */
function set(counts: { -readonly [K in Key]: number }, key: Key, value: number): void {
  switch (key) {
    case 'pass':
      counts.pass = value;
      return;
    case 'fail':
      counts.fail = value;
      return;
    case 'xfail':
      counts.xfail = value;
      return;
    case 'xpass':
      counts.xpass = value;
      return;
    case 'skip':
      counts.skip = value;
      return;
    case 'error':
      counts.error = value;
      return;
  }
}

/**
 * Parse the diagnostic text from `from` to `end` of `text` when it is a
 * totals line, else null. Read in the input, not in the diagnostic's own
 * string: a slice of the input is slower to read character by character.
 * kselftest.h ksft_print_cnts() prints all six counters; KUnit prints
 * `# Totals: pass:2 fail:0 skip:1 total:3`: counters it lacks are 0, and
 * keys this model does not have (`total`) are ignored. Read by hand, without
 * regular expressions: kselftest prints one per program, and in 50 MB of
 * runner output their match objects were a fifth of all allocations.
 */
export function parseTotals(text: string, from: number, end: number): KtapTotals | null {
  if (text.charCodeAt(from) !== 0x54 /* T */ || !text.startsWith('Totals:', from)) return null;
  const counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  let known = 0;
  const n = end;
  let i = from + 7;
  while (i < n) {
    while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    const keyStart = i;
    while (i < n && text.charCodeAt(i) !== 0x3a && text.charCodeAt(i) !== 0x20) i++;
    if (i >= n || text.charCodeAt(i) !== 0x3a) break;
    const key = keyAt(text, keyStart, i);
    i++;
    let value = 0;
    const digits = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39 && i - digits < 15) value = value * 10 + text.charCodeAt(i++) - 0x30;
    if (i === digits) break;
    if (key !== null) {
      set(counts, key, value);
      known++;
    }
  }
  return known === 0 ? null : counts;
}
