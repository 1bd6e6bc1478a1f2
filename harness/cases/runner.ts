// Running one case in the booted L1: prerequisites, a kill-on-timeout inside the L1 and a deadline outside,
// stdout/stderr/exit code/console lines captured, then parsed and judged.
import type { Context } from '../util/context.js';
import { run } from '../util/exec.js';
import { parseKtap } from '../ktap/parse.js';
import type { CaseResult } from '../model/result.js';
import { caseRunLabel, type CaseRunId } from '../model/case-run.js';
import type { Guest } from '../guest/boot.js';
import type { L1Environment } from '../guest/environment.js';
import type { SelftestBinary } from '../kernel/selftests.js';
import type { CaseDefinition, Expectation } from '../catalog/cases.js';
import { decideVerdict, killedByDeadline, meetsExpectation, type VerdictResult } from './verdict.js';
import { parseAssertion } from './assertion.js';
import { parseSeaExit } from './sea-exit.js';
import { unmetRequirements } from './requirements.js';
import { delay } from '../util/delay.js';

/** Where the per-run overlay puts the case binaries in the L1. */
export const GUEST_BIN_DIR = '/opt/sea';
/** Extra time the harness gives beyond the in-L1 timeout before it stops waiting. */
const OUTER_GRACE_MS = 15_000;
/** After the in-L1 SIGKILL, how long a process may take to go (a VM's teardown under TCG) before it counts as stuck. */
const KILL_SETTLE_MS = 5_000;

export interface CaseRunInput {
  readonly def: CaseDefinition;
  readonly binary: SelftestBinary;
  readonly expectation: Expectation;
  /** Whether the case was named with --case (an absent named case fails the run). */
  readonly named: boolean;
  readonly timeoutSeconds: number;
  /** Which run of the case this is (its --repeat iteration). */
  readonly id: CaseRunId;
}

export interface CaseRun {
  readonly result: CaseResult;
  readonly stdout: string;
  readonly stderr: string;
  /** The test process survived SIGKILL (looping in the kernel) or the L1 crashed: boot a fresh L1 before the next case. */
  readonly needsRestart: boolean;
  readonly consoleLines: readonly string[];
}

export function guestBinaryPath(c: CaseDefinition): string {
  return `${GUEST_BIN_DIR}/${c.name}`;
}

/** A case's result from its verdict: expectation, notes and build warnings filled in from the case. */
export function caseResult(input: CaseRunInput, v: Pick<VerdictResult, 'verdict' | 'reason'> & Partial<VerdictResult>, extra: Partial<CaseResult>): CaseResult {
  const met = meetsExpectation({ skip: v.skip ?? null, verdict: v.verdict }, input.expectation, { absentAllowed: !input.named });
  const expectedReason = input.expectation.skip ? (input.def.knownSkips.find((k) => k.id === input.expectation.skip)?.reason ?? input.expectation.skip) : null;
  return {
    name: input.def.name,
    ...(input.id.iteration > 1 || extra.iteration ? { iteration: input.id.iteration } : {}),
    verdict: v.verdict,
    expected: input.expectation.verdict,
    expectedReason,
    met,
    reason: v.reason,
    exitCode: null,
    durationMs: 0,
    warnings: [],
    notes: input.def.notes,
    buildWarnings: input.binary.warnings,
    ...(v.guestLines?.length ? { guestLines: v.guestLines } : {}),
    ...(v.esr?.length ? { esr: v.esr } : {}),
    ktap: null,
    ...extra,
  };
}

/** Verdict `absent` or `error` without running: the test is not in the tree, or the L1 lacks what it needs. */
export function caseNotRun(input: CaseRunInput, env: L1Environment | null): CaseResult | null {
  if (!input.binary.path) {
    const hint = input.def.absentHint ?? `tools/testing/selftests/${input.def.selftest.suite}/${input.def.selftest.target}.c is not in this tree`;
    return caseResult(input, { verdict: 'absent', reason: hint }, {});
  }
  if (!env) return null;
  const missing = unmetRequirements(input.def.requires, env);
  if (missing.length === 0) return null;
  return caseResult(input, { verdict: 'error', reason: `the L1 does not provide ${missing.join(' and ')}` }, {});
}

async function symbolise(ctx: Context, binary: string, addresses: readonly string[]): Promise<string[]> {
  if (addresses.length === 0) return [];
  const r = await run(ctx, 'aarch64-linux-gnu-addr2line', ['-f', '-p', '-C', '-e', binary, ...addresses], { stage: 'case', reject: false, timeoutMs: 30_000 }).catch(() => null);
  if (!r || r.exitCode !== 0) return [];
  return r.stdout.split('\n').map((l) => l.replace(/ \(discriminator \d+\)/, '').trim()).filter(Boolean);
}

export async function runCase(ctx: Context, guest: Guest, input: CaseRunInput): Promise<CaseRun> {
  const name = input.def.name;
  const started = Date.now();
  const consoleStart = guest.qemu.console.lineCount;
  const crashesBefore = guest.qemu.console.crashes.length;
  const warningsBefore = guest.qemu.console.warnings.length;
  ctx.log.info(`case ${caseRunLabel(input.id)}: running (timeout ${input.timeoutSeconds} s)`);
  // busybox timeout sends SIGKILL at the deadline; a task looping in the kernel survives even that, and
  // timeout then waits for it forever. Shortly after the deadline, a process still there is stuck: stop
  // waiting then rather than at the outer deadline.
  const cmd = `cd /tmp && exec timeout -s KILL ${input.timeoutSeconds} ${guestBinaryPath(input.def)}`;
  const stuck = new AbortController();
  const probe = setTimeout(() => {
    void guest.ssh
      .exec(`pidof ${name} || true`, { timeoutMs: 10_000 })
      .then((p) => {
        if (p.stdout.trim() !== '') stuck.abort();
      })
      .catch(() => undefined);
  }, input.timeoutSeconds * 1000 + KILL_SETTLE_MS);
  probe.unref();
  const r = await guest.ssh
    .exec(cmd, { timeoutMs: input.timeoutSeconds * 1000 + OUTER_GRACE_MS, signal: stuck.signal })
    .catch((err: Error) => ({ exitCode: null, signal: null, stdout: '', stderr: String(err.message), durationMs: Date.now() - started, timedOut: false, lost: true }));
  clearTimeout(probe);
  const durationMs = Date.now() - started;
  if (r.exitCode === null && !r.timedOut) {
    // The connection went away without an exit status: give QEMU's exit (or a panic) a moment to show.
    await Promise.race([guest.qemu.exited, delay(3000)]);
  }
  const qemuGone = guest.qemu.exit() !== null;
  // Give a crash's report a moment to reach the console.
  if (qemuGone || guest.qemu.console.crashes.length > crashesBefore) await delay(500);
  const crashes = guest.qemu.console.crashes.slice(crashesBefore);
  const warnings = guest.qemu.console.warnings.slice(warningsBefore);
  const timedOut = r.timedOut || killedByDeadline(r.signal, r.exitCode, durationMs, input.timeoutSeconds);
  let leftover = false;
  if (!qemuGone && crashes.length === 0 && (timedOut || r.exitCode === null)) {
    const p = await guest.ssh.exec(`sleep 2; pidof ${name} || true`, { timeoutMs: 30_000 }).catch(() => null);
    leftover = p === null || p.stdout.trim() !== '';
  }
  const ktap = r.stdout ? parseKtap(r.stdout) : null;
  const assertion = parseAssertion(`${r.stdout}\n${r.stderr}`);
  const backtrace = assertion && input.binary.path ? await symbolise(ctx, input.binary.path, assertion.addresses) : [];
  let v: VerdictResult;
  if (qemuGone && crashes.length === 0) {
    const ex = guest.qemu.exit();
    v = { verdict: 'error', reason: `QEMU exited while the case ran (${ex?.signal ? `signal ${ex.signal}` : `exit ${ex?.code}`})${ex?.requested ? '' : ', not at the harness\'s request'}`, skip: null, assertion: null, guestLines: [], esr: [] };
  } else {
    v = decideVerdict(input.def, { exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ktap, timedOut, crashes, warnings, backtrace });
  }
  const consoleLines = guest.qemu.console.linesSince(consoleStart);
  const kvmExit = parseSeaExit(r.stdout);
  const result = caseResult(input, v, {
    ...(kvmExit ? { kvmExit } : {}),
    exitCode: r.exitCode,
    durationMs,
    warnings,
    ktap,
    ...(consoleLines.length ? { kernelLog: consoleLines.slice(-200) } : {}),
  });
  return { result, stdout: r.stdout, stderr: r.stderr, needsRestart: qemuGone || crashes.length > 0 || leftover, consoleLines };
}
