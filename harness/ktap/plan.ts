// Plan lines: `1..N`, and `1..0 # SKIP reason` for a test that skipped everything.
import type { KtapPlan } from '../model/ktap.js';
import { parseDirective } from './directive.js';

/** Plans by count: most plans have no skip reason and a small count, and a plan is readonly data, so they are shared. */
const PLANS: KtapPlan[] = [];

function planOf(count: number): KtapPlan {
  if (count >= 256) return { count };
  return (PLANS[count] ??= { count });
}

/** Parse the plan from `offset` to `end` of `text` (classify() said 'plan': `1..N`, blanks, then the end or a `#` comment). */
export function parsePlan(text: string, offset: number, end: number): KtapPlan {
  let i = offset + 3;
  let count = 0;
  while (i < end && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) count = count * 10 + text.charCodeAt(i++) - 0x30;
  if (count !== 0) return planOf(count);
  // TAP: `1..0` means "skipped everything", with or without the SKIP word;
  // kselftest's ksft_exit_skip() prints `1..0 # SKIP <reason>`.
  while (i < end && text.charCodeAt(i) !== 0x23 /* # */) i++;
  const comment = i === end ? '' : text.slice(i + 1, end).trim();
  if (comment === '') return { count, skipReason: null };
  const directive = parseDirective(comment);
  return { count, skipReason: directive.kind === 'skip' ? directive.text : comment };
}
