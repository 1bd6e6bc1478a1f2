// Each verdict rule pinned by its exact outcome and reason, on recorded case output (harness/cases/fixtures, ktap/fixtures).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKtap } from '../ktap/parse.js';
import { loadCases, type CaseDefinition } from '../catalog/cases.js';
import { decideVerdict, guestLinesOf, killedByDeadline, meetsExpectation, type CaseObservation } from './verdict.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));
const def = (n: string): CaseDefinition => cases.get(n)!;
const SEA = def('sea_to_user');
const IABT = def('inject_iabt');
const EXT = def('external_aborts');

const caseFixture = (name: string, ext: 'stdout' | 'stderr') => readFileSync(join(import.meta.dirname, 'fixtures', `${name}.${ext}`), 'utf8');
const ktapFixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'ktap', 'fixtures', `${name}.txt`), 'utf8');

/** What the runner observes for a case that printed `stdout` and `stderr` and exited `exitCode`. */
function observed(stdout: string, stderr: string, exitCode: number | null, extra: Partial<CaseObservation> = {}): CaseObservation {
  return { exitCode, signal: null, stdout, stderr, ktap: parseKtap(stdout), timedOut: false, crashes: [], warnings: [], ...extra };
}
const recorded = (name: string, exitCode: number | null, extra: Partial<CaseObservation> = {}) =>
  observed(caseFixture(name, 'stdout'), caseFixture(name, 'stderr'), exitCode, extra);

/**
 * get-reg-list as the kselftest runner prints it (ktap/fixtures/kselftest-runner-wrapped.txt, its first
 * program), with `vregs+pmu` failing: a test that reports `not ok` and still exits 0 (ksft_exit_pass()
 * after ksft_test_result_fail()).
 */
const GET_REG_LIST = `${ktapFixture('kselftest-runner-wrapped').split('\nok 1 selftests: kvm: get-reg-list\n')[0]!}\nok 1 selftests: kvm: get-reg-list\n`;
const GET_REG_LIST_FAIL = GET_REG_LIST
  .replace('# ok 2 vregs+pmu', '# not ok 2 vregs+pmu')
  .replace('pass:2 fail:0', 'pass:1 fail:1');

t.test('exit 0 is a pass only without a failed subtest (the mutation that let a failed subtest with exit 0 pass)', async (t) => {
  t.match(GET_REG_LIST_FAIL, /# not ok 2 vregs\+pmu\n/, 'the recorded output with its one changed line');
  const nested = decideVerdict(EXT, observed(GET_REG_LIST_FAIL, '', 0));
  t.equal(nested.verdict, 'fail', 'a failed subtest two levels down, exit 0');
  t.equal(nested.reason, 'exit 0: subtest 2 vregs+pmu');

  const flat = GET_REG_LIST_FAIL.split('\n').filter((l) => l.startsWith('# ') && !l.startsWith('# selftests')).map((l) => l.slice(2)).join('\n');
  const v = decideVerdict(EXT, observed(`Random seed: 0x6b8b4567\n${flat}\n`, '', 0));
  t.equal(v.verdict, 'fail', 'the same program on its own: not ok 2, exit 0');
  t.equal(v.reason, 'exit 0: subtest 2 vregs+pmu');

  const withMarker = decideVerdict(SEA, observed(`${caseFixture('sea-to-user-einj-pass', 'stdout')}not ok 1 SEA handled # error guest handler ran twice\n`, '', 0));
  t.equal(withMarker.verdict, 'fail', 'a case with a pass marker: the marker does not excuse a failed subtest');
  t.equal(withMarker.reason, 'exit 0: subtest 1 SEA handled: guest handler ran twice');

  const noMarker = caseFixture('sea-to-user-einj-pass', 'stdout').replace('# Guest done gracefully!\n', 'not ok 1 SEA handled\n');
  t.equal(decideVerdict(SEA, observed(noMarker, '', 0)).reason, 'exit 0: subtest 1 SEA handled', 'failed subtest and no marker: the subtest is the reason');

  const all = decideVerdict(EXT, observed(GET_REG_LIST, '', 0));
  t.equal(all.verdict, 'pass', 'the recorded run: nothing failed');
  t.equal(all.reason, '3 of 5 subtests passed', "the runner's result and two subtests; the two skips are not passes");
});

t.test('error and timeout subtests count as failed; xfail, todo and skip do not', async (t) => {
  const out = (line: string) => `TAP version 13\n1..2\nok 1 vregs\n${line}\n`;
  t.equal(decideVerdict(EXT, observed(out('not ok 2 errored # error Failed to open /dev/kvm'), '', 0)).reason, 'exit 0: subtest 2 errored: Failed to open /dev/kvm');
  t.equal(decideVerdict(EXT, observed(out('not ok 2 timed out # TIMEOUT 30 seconds'), '', 0)).reason, 'exit 0: subtest 2 timed out: 30 seconds');
  t.equal(decideVerdict(EXT, observed(out('not ok 2 plain fail'), '', 0)).verdict, 'fail');
  for (const line of ['ok 2 expected failure # XFAIL known broken on TCG', 'not ok 2 known broken # TODO fix in v3', 'ok 2 # SKIP sve not available']) {
    const v = decideVerdict(EXT, observed(out(line), '', 0));
    t.equal(v.verdict, 'pass', line);
    t.equal(v.reason, '1 of 2 subtests passed', line);
  }
  const fourth = decideVerdict(EXT, observed(ktapFixture('directives-mixed-case'), '', 1));
  t.equal(fourth.reason, 'exit 1: subtest 2 plain fail', 'the first failed subtest is named');
});

t.test('the crash and timeout reasons', async (t) => {
  const oops = '[   91.071233] Internal error: Oops: 0000000096000004 [#1] SMP';
  const crash = decideVerdict(IABT, recorded('inject-iabt-pass', 0, { crashes: [oops, '[   91.1] Kernel panic - not syncing: Oops: Fatal exception'] }));
  t.same([crash.verdict, crash.reason], ['crash', `the L1 kernel crashed: ${oops}`]);
  t.same(crash.guestLines, ['From guest: Guest SEA esr_el1=0x86000010'], 'what the guest said is kept with any verdict');
  t.same(crash.skip, null);

  const hang = decideVerdict(SEA, recorded('sea-to-user-optin-inverted-hang', null, { signal: 'SIGKILL', timedOut: true }));
  t.equal(hang.reason, `no result within the case's timeout (killed by SIGKILL); its last lines: "echo 0x1 > /sys/kernel/debug/apei/einj/error_inject - done", "Memory UER EINJected"`);
  const quiet = decideVerdict(EXT, observed('Random seed: 0x754e7ddd\n\n', '', null, { timedOut: true }));
  t.same([quiet.verdict, quiet.reason], ['timeout', "no result within the case's timeout; it printed nothing"], 'the seed line is not output; no signal named');
  const one = decideVerdict(EXT, observed('Random seed: 0x1ea510b7\n  # Injecting an SError\n', '', 1, { timedOut: true }));
  t.equal(one.reason, `no result within the case's timeout; its last lines: "Injecting an SError"`, 'timed out wins over the exit code');
});

t.test('exit 0 of a case with a pass marker', async (t) => {
  const pass = decideVerdict(SEA, recorded('sea-to-user-einj-pass', 0));
  t.same([pass.verdict, pass.reason, pass.skip], ['pass', 'exit 0 after "Guest done gracefully!"', null]);
  t.same(pass.esr, [
    'esr=0x92000210: EC=0x24 DABT_LOW (data abort from a lower EL), IL=1, FnV=0, FSC=0x10 synchronous external abort, not on a table walk',
    'ESR_EL1=0x96000010: EC=0x25 DABT_CUR (data abort, same EL), IL=1, FnV=0, FSC=0x10 synchronous external abort, not on a table walk',
  ]);

  const sigbus = decideVerdict(SEA, recorded('sea-to-user-firmware-first-sigbus', 0));
  t.same([sigbus.verdict, sigbus.skip?.id], ['skip', 'sea-claimed-by-apei']);
  t.equal(sigbus.reason, `the host's APEI claimed the SEA, so KVM never saw it (test said: "SEA is claimed by host APEI"; exit 0)`);

  const cut = caseFixture('sea-to-user-einj-pass', 'stdout').replace('# Guest done gracefully!\n', '');
  const v = decideVerdict(SEA, observed(cut, '', 0));
  t.same([v.verdict, v.skip], ['fail', null]);
  t.equal(v.reason, 'exit 0 without "Guest done gracefully!", the line it prints only when it passes: # From guest: ESR_EL1=0x96000010, FAR_EL1=0x81234bad');
  t.equal(decideVerdict(SEA, observed('Random seed: 0x59b997fa\n', '', 0)).reason, 'exit 0 without "Guest done gracefully!", the line it prints only when it passes: no output');
  const otherSkip = decideVerdict(SEA, observed(`${cut}ok 1 # SKIP hugetlbfs not mounted\n`, '', 0));
  t.same([otherSkip.verdict, otherSkip.skip], ['fail', null], 'a skip the case does not know is no excuse for the missing marker');
  t.match(otherSkip.reason, /^exit 0 without "Guest done gracefully!"/);
});

t.test('exit 4 (KSFT_SKIP): the known skip and what the test said', async (t) => {
  const plan = 'Random seed: 0x1\n1..0 # SKIP - Requirement not met: KVM_CAP_ARM_SEA_TO_USER\n';
  const cap = decideVerdict(SEA, observed(plan, '', 4));
  t.same([cap.verdict, cap.skip?.id], ['skip', 'cap-missing']);
  t.equal(cap.reason, 'the kernel does not advertise KVM_CAP_ARM_SEA_TO_USER (test said: "- Requirement not met: KVM_CAP_ARM_SEA_TO_USER")', "the plan's skip reason");

  const sub = decideVerdict(SEA, observed('ok 1 # SKIP EINJ module probably not loaded?\n', '', 4));
  t.same([sub.skip?.id, sub.reason], ['no-einj-module', `${SEA.knownSkips.find((k) => k.id === 'no-einj-module')!.reason} (test said: "EINJ module probably not loaded?")`]);

  const stderrOnly = decideVerdict(IABT, observed('Random seed: 0x59b997fa\n', '1..0 # SKIP - Requirement not met: KVM_CAP_ARM_INJECT_EXT_IABT\n', 4));
  t.same([stderrOnly.verdict, stderrOnly.skip?.id], ['skip', 'cap-missing'], 'the known skip found in stderr');
  t.equal(stderrOnly.reason, 'the kernel does not advertise KVM_CAP_ARM_INJECT_EXT_IABT (test said: "1..0 # SKIP - Requirement not met: KVM_CAP_ARM_INJECT_EXT_IABT")', 'the seed line is not what it said');

  const stdoutLine = decideVerdict(IABT, observed('Random seed: 0x59b997fa\n# /dev/kvm not available (No such file or directory), skipping test\n', 'ignored', 4));
  t.same([stdoutLine.verdict, stdoutLine.skip, stdoutLine.reason], ['skip', null, '# /dev/kvm not available (No such file or directory), skipping test'], 'an unknown skip: its own words');
  t.same(decideVerdict(IABT, observed('', '', 4)).reason, null, 'nothing said at all');
});

t.test('a KVM assertion: location, expression, first detail and the backtrace', async (t) => {
  const bt = ['kvm_handle_guest_sea+0x9c/0x1f0', 'kvm_handle_guest_abort+0x30/0x5e8'];
  const v = decideVerdict(SEA, recorded('sea-to-user-exit-fsc-dropped', 254, { backtrace: bt }));
  t.same([v.verdict, v.skip], ['fail', null]);
  t.equal(v.reason, 'arm64/sea_to_user.c:206: esr & ESR_ELx_FSC_TYPE == ESR_ELx_FSC_EXTABT (pid=80 tid=80 errno=2 - No such file or directory); backtrace: kvm_handle_guest_sea+0x9c/0x1f0 <- kvm_handle_guest_abort+0x30/0x5e8');
  t.equal(v.assertion?.location, 'arm64/sea_to_user.c:206');
  const noBt = decideVerdict(EXT, recorded('external-aborts-no-ras-extn-einval', 254, { backtrace: [] }));
  t.equal(noBt.reason, 'include/kvm_util.h:854: !ret (pid=83 tid=83 errno=22 - Invalid argument)', 'an empty backtrace adds nothing');
  const bare = decideVerdict(EXT, observed('Random seed: 0x1\n', '==== Test Assertion Failure ====\n  lib/kvm_util.c:1234: false\n', 254));
  t.equal(bare.reason, 'lib/kvm_util.c:1234: false', 'no detail lines');
  const skipFirst = decideVerdict(IABT, observed('', '1..0 # SKIP KVM_CAP_ARM_INJECT_EXT_IABT\n==== Test Assertion Failure ====\n  lib/kvm_util.c:1234: false\n', 4));
  t.equal(skipFirst.verdict, 'skip', 'exit 4 is read before an assertion');
});

t.test('the upstream skip-then-bail-out reads as skip only when it is a known skip with no failed subtest', async (t) => {
  const v = decideVerdict(SEA, recorded('sea-to-user-qemu-no-einj', 1));
  t.same([v.verdict, v.skip?.id], ['skip', 'no-einj-table']);
  t.equal(v.reason, 'QEMU provides no ACPI EINJ table (test said: "EINJ table no available in firmware"; it then exited 1 after "Bail out! Failed to write EINJ entry: No such file or directory (2)")');
  const noBail = decideVerdict(SEA, observed('ok 1 # SKIP EINJ module probably not loaded?\n', '', 1));
  t.equal(noBail.reason, `${SEA.knownSkips.find((k) => k.id === 'no-einj-module')!.reason} (test said: "EINJ module probably not loaded?"; it then exited 1)`);
  const failedToo = decideVerdict(SEA, observed('ok 1 # SKIP EINJ module probably not loaded?\nnot ok 2 guest handler\n', '', 1));
  t.same([failedToo.verdict, failedToo.reason], ['fail', 'exit 1: subtest 2 guest handler'], 'a failed subtest beside the skip');
  const unknown = decideVerdict(SEA, observed('ok 1 # SKIP hugetlbfs not mounted\n', '', 1));
  t.same([unknown.verdict, unknown.skip, unknown.reason], ['fail', null, 'exit 1: ok 1 # SKIP hugetlbfs not mounted']);
});

t.test('what a failure says when no subtest failed', async (t) => {
  t.equal(decideVerdict(EXT, observed('Random seed: 0x1\nBail out! cannot open /dev/kvm\n', 'stderr line\n', 1)).reason, 'exit 1: Bail out! cannot open /dev/kvm');
  t.equal(decideVerdict(EXT, observed('Random seed: 0x1\n# last stdout line\n\n', 'first\n  KVM_RUN failed: -4  \n\n', 1)).reason, 'exit 1: KVM_RUN failed: -4', 'the last stderr line, trimmed');
  t.equal(decideVerdict(EXT, observed('Random seed: 0x1\n# last stdout line\n', '', 1)).reason, 'exit 1: # last stdout line', 'then the last stdout line');
  t.equal(decideVerdict(EXT, observed('Random seed: 0x1\n', 'Random seed: 0x2\n', 1)).reason, 'exit 1: no output');
  const segv = decideVerdict(EXT, observed('Random seed: 0x1\n', '', null, { signal: 'SIGSEGV' }));
  t.same([segv.verdict, segv.reason], ['fail', 'killed by SIGSEGV: no output'], 'a signal that is not the deadline');
  const cut = decideVerdict(EXT, observed(ktapFixture('kselftest-runner-truncated-nested'), '', 1));
  t.equal(cut.reason, "exit 1: subtest selftests: kvm: get-reg-list: output ended before this test's result line", 'a cut-off nested document (no number) is a failed subtest');
});

t.test('killed by the in-L1 deadline: the last second counts', async (t) => {
  t.ok(killedByDeadline('SIGKILL', null, 179_000, 180), 'one second before the deadline');
  t.notOk(killedByDeadline('SIGKILL', null, 178_999, 180));
  t.notOk(killedByDeadline('SIGTERM', 137, 10_000, 180), 'an early 137');
  t.ok(killedByDeadline('SIGTERM', 137, 180_000, 180), '137 says SIGKILL, whatever the signal field says');
  t.notOk(killedByDeadline('SIGKILLED', null, 180_000, 180), 'the whole signal name');
  t.notOk(killedByDeadline('XSIGKILL', null, 180_000, 180));
  t.notOk(killedByDeadline(null, null, 180_000, 180), 'no signal, no status');
});

t.test('guest lines: with or without the `# ` prefix, nothing else', async (t) => {
  t.same(guestLinesOf('# From guest: Handling Guest SEA\nFrom guest: plain\n#From guest: glued\n  # From guest: indented\n# from guest: lower\n# Guest done\n'), [
    'From guest: Handling Guest SEA',
    'From guest: plain',
    'From guest: glued',
  ]);
});

t.test('meeting the expectation', async (t) => {
  const k = SEA.knownSkips[0]!;
  t.ok(meetsExpectation({ verdict: 'skip', skip: k }, { verdict: 'skip', skip: k.id }, { absentAllowed: false }));
  t.notOk(meetsExpectation({ verdict: 'skip', skip: SEA.knownSkips[1]! }, { verdict: 'skip', skip: k.id }, { absentAllowed: false }), 'another skip');
  t.notOk(meetsExpectation({ verdict: 'skip', skip: null }, { verdict: 'skip', skip: k.id }, { absentAllowed: false }), 'an unknown skip');
  t.notOk(meetsExpectation({ verdict: 'fail', skip: null }, { verdict: 'pass', skip: null }, { absentAllowed: true }));
  t.ok(meetsExpectation({ verdict: 'pass', skip: null }, { verdict: 'pass', skip: null }, { absentAllowed: false }));
  t.ok(meetsExpectation({ verdict: 'absent', skip: null }, { verdict: 'absent', skip: null }, { absentAllowed: true }));
  t.notOk(meetsExpectation({ verdict: 'absent', skip: null }, { verdict: 'absent', skip: null }, { absentAllowed: false }), 'absent is decided by the option alone');
});
