// Plan lines: `1..N`, and `1..0 # SKIP reason` for a test that skipped everything.
import type { KtapPlan } from '../model/ktap.js';
import { parseDirective } from './directive.js';

/** Parse the plan at `offset` of `text` (classify() said 'plan': `1..N`, blanks, then the end or a `#` comment). */
export function parsePlan(text: string, offset: number): KtapPlan {
  const n = text.length;
  let i = offset + 3;
  let count = 0;
  while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) count = count * 10 + text.charCodeAt(i++) - 0x30;
  if (count !== 0) return { count };
  // TAP: `1..0` means "skipped everything", with or without the SKIP word;
  // kselftest's ksft_exit_skip() prints `1..0 # SKIP <reason>`.
  const hash = text.indexOf('#', i);
  const comment = hash === -1 ? '' : text.slice(hash + 1).trim();
  if (comment === '') return { count, skipReason: null };
  const directive = parseDirective(comment);
  return { count, skipReason: directive.kind === 'skip' ? directive.text : comment };
}
