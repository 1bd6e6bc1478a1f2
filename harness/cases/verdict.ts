// Verdict rules: from a case's exit code, KTAP, console and deadline to a verdict with a human reason; pure.
import type { KtapDocument, KtapTest } from '../model/ktap.js';
import type { KernelWarning, Verdict } from '../model/result.js';
import { parseAssertion, type AssertionFailure } from './assertion.js';
import type { CaseDefinition, Expectation, KnownSkip } from '../catalog/cases.js';
import { describeEsr, findEsrValues } from './esr.js';

/** kselftest exit codes (tools/testing/selftests/kselftest.h). */
export const KSFT_PASS = 0;
export const KSFT_FAIL = 1;
export const KSFT_SKIP = 4;
/** A KVM selftest TEST_ASSERT failure exits 254. */
export const KVM_ASSERT_EXIT = 254;

export interface CaseObservation {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ktap: KtapDocument | null;
  /** The case ran past its deadline (inside the L1 or outside). */
  readonly timedOut: boolean;
  /** Panic/oops/BUG lines on the console while the case ran. */
  readonly crashes: readonly string[];
  readonly warnings: readonly KernelWarning[];
  /** Symbolised backtrace lines, when available. */
  readonly backtrace?: readonly string[];
}

export interface VerdictResult {
  readonly verdict: Verdict;
  readonly reason: string | null;
  /** The known skip it matched, when it skipped. */
  readonly skip: KnownSkip | null;
  readonly assertion: AssertionFailure | null;
  readonly guestLines: readonly string[];
  readonly esr: readonly string[];
}

function flatten(tests: readonly KtapTest[]): KtapTest[] {
  return tests.flatMap((t) => [t, ...flatten(t.subtests)]);
}

function knownSkipIn(c: CaseDefinition, texts: readonly string[]): KnownSkip | null {
  for (const k of c.knownSkips) if (texts.some((t) => t.includes(k.match))) return k;
  return null;
}

function meaningfulLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^Random seed:/.test(l));
}

function lastMeaningfulLine(text: string): string | null {
  return meaningfulLines(text).at(-1) ?? null;
}

/**
 * The in-L1 `timeout -s KILL` ended the case: killed by SIGKILL (ssh2 names it `SIGKILL`, the SSH protocol `KILL`;
 * a shell reports 137, GNU timeout 124) no earlier than its deadline. Whether the process was stuck in the kernel
 * afterwards does not matter: it reached its deadline, so it timed out.
 */
export function killedByDeadline(signal: string | null, exitCode: number | null, durationMs: number, timeoutSeconds: number): boolean {
  const killed = (signal !== null && /^(SIG)?KILL$/.test(signal)) || exitCode === 137 || exitCode === 124;
  return killed && durationMs >= timeoutSeconds * 1000 - 1000;
}

export function guestLinesOf(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.replace(/^#\s*/, '').trim())
    .filter((l) => l.startsWith('From guest:'));
}

export function decideVerdict(c: CaseDefinition, o: CaseObservation): VerdictResult {
  const all = `${o.stdout}\n${o.stderr}`;
  const guestLines = guestLinesOf(o.stdout);
  const esr = findEsrValues(all).map((e) => `${e.text}: ${describeEsr(e.decoded)}`);
  const base = { guestLines, esr, skip: null, assertion: null };
  if (o.crashes.length > 0) return { ...base, verdict: 'crash', reason: `the L1 kernel crashed: ${o.crashes[0]}` };
  if (o.timedOut) {
    const last = meaningfulLines(o.stdout).slice(-2);
    const said = last.length ? `; its last lines: ${last.map((l) => `"${l.replace(/^#\s*/, '')}"`).join(', ')}` : '; it printed nothing';
    return { ...base, verdict: 'timeout', reason: `no result within the case's timeout${o.signal ? ` (killed by ${o.signal})` : ''}${said}` };
  }

  const tests = o.ktap ? flatten(o.ktap.tests) : [];
  const failed = tests.filter((t) => t.result === 'fail' || t.result === 'error' || t.result === 'timeout');
  const skipped = tests.filter((t) => t.result === 'skip');
  const assertion = parseAssertion(all);

  if (o.exitCode === KSFT_PASS && failed.length === 0 && c.passMarker && !o.stdout.includes(c.passMarker)) {
    // sea_to_user's SIGBUS handler reports its skip and exits 0: exit 0 without the pass marker is that skip.
    const k = knownSkipIn(c, skipped.map((t) => t.reason ?? ''));
    if (k) return { ...base, verdict: 'skip', skip: k, reason: `${k.reason} (test said: "${skipped.find((t) => t.reason?.includes(k.match))?.reason ?? k.match}"; exit 0)` };
    return { ...base, verdict: 'fail', reason: `exit 0 without "${c.passMarker}", the line it prints only when it passes: ${lastMeaningfulLine(o.stdout) ?? 'no output'}` };
  }
  if (o.exitCode === KSFT_PASS && failed.length === 0) {
    const subtests = tests.length ? `${tests.filter((t) => t.result === 'pass').length} of ${tests.length} subtests passed` : null;
    return { ...base, verdict: 'pass', reason: c.passMarker ? `exit 0 after "${c.passMarker}"` : subtests };
  }
  if (o.exitCode === KSFT_SKIP) {
    const k = knownSkipIn(c, [...skipped.map((t) => t.reason ?? ''), all]);
    const said = skipped[0]?.reason ?? o.ktap?.plan?.skipReason ?? lastMeaningfulLine(o.stdout) ?? lastMeaningfulLine(o.stderr);
    return { ...base, verdict: 'skip', skip: k, reason: k ? `${k.reason} (test said: "${said ?? k.match}")` : said };
  }
  if (assertion) {
    const bt = o.backtrace?.length ? `; backtrace: ${o.backtrace.join(' <- ')}` : '';
    return { ...base, assertion, verdict: 'fail', reason: `${assertion.location}: ${assertion.expression}${assertion.details[0] ? ` (${assertion.details[0]})` : ''}${bt}` };
  }
  // Upstream sea_to_user reports its skip without exiting, then bails out (exit 1) when it cannot write the
  // EINJ file it just said was missing: only a known skip of this case, with no failed subtest, reads as skip.
  if (failed.length === 0 && skipped.length > 0) {
    const k = knownSkipIn(c, skipped.map((t) => t.reason ?? ''));
    if (k) {
      return { ...base, verdict: 'skip', skip: k, reason: `${k.reason} (test said: "${skipped.find((t) => t.reason?.includes(k.match))?.reason ?? k.match}"; it then exited ${o.exitCode}${o.ktap?.bailout ? ` after "Bail out! ${o.ktap.bailout}"` : ''})` };
    }
  }
  const firstFail = failed[0];
  const why = firstFail
    ? `subtest ${firstFail.number ?? ''} ${firstFail.name}`.replace(/\s+/g, ' ').trim() + (firstFail.reason ? `: ${firstFail.reason}` : '')
    : o.ktap?.bailout
      ? `Bail out! ${o.ktap.bailout}`
      : (lastMeaningfulLine(o.stderr) ?? lastMeaningfulLine(o.stdout) ?? 'no output');
  const how = o.signal ? `killed by ${o.signal}` : `exit ${o.exitCode}`;
  return { ...base, verdict: 'fail', reason: `${how}: ${why}` };
}

/** Whether a verdict meets the case's expectation on this profile (an expected skip must be the named one). */
export function meetsExpectation(v: Pick<VerdictResult, 'verdict' | 'skip'>, e: Expectation, options: { absentAllowed: boolean }): boolean {
  if (v.verdict === 'absent') return options.absentAllowed;
  if (v.verdict !== e.verdict) return false;
  if (e.verdict === 'skip') return v.skip?.id === e.skip;
  return true;
}
