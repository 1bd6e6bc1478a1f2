// Verdict rules over real captured case output (harness/cases/fixtures) and the case definitions in cases/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKtap } from '../ktap/parse.js';
import { expectationFor, loadCases, parseCase, type CaseDefinition } from '../catalog/cases.js';
import { decideVerdict, killedByDeadline, meetsExpectation, type CaseObservation } from './verdict.js';
import { parseAssertion } from './assertion.js';
import { decodeEsr, describeEsr } from './esr.js';
import { parseSeaExit } from './sea-exit.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));
const STOCK = { provides: [] } as const;
const EINJ = { provides: ['einj'] } as const;
const FIRMWARE_FIRST = { provides: ['einj', 'firmwareFirst'] } as const;
const def = (n: string): CaseDefinition => cases.get(n)!;
const fixture = (name: string) => ({
  stdout: readFileSync(join(import.meta.dirname, 'fixtures', `${name}.stdout`), 'utf8'),
  stderr: readFileSync(join(import.meta.dirname, 'fixtures', `${name}.stderr`), 'utf8'),
});
function observe(name: string, exitCode: number, extra: Partial<CaseObservation> = {}): CaseObservation {
  const f = fixture(name);
  return { exitCode, signal: null, ...f, ktap: parseKtap(f.stdout), timedOut: false, crashes: [], warnings: [], ...extra };
}

t.test('sea_to_user on QEMU: the skip-then-bail-out (exit 1) is the expected EINJ skip', async (t) => {
  const v = decideVerdict(def('sea_to_user'), observe('sea-to-user-qemu-no-einj', 1));
  t.equal(v.verdict, 'skip');
  t.equal(v.skip?.id, 'no-einj-table');
  t.match(v.reason, /QEMU provides no ACPI EINJ table/);
  t.match(v.reason, /Bail out! Failed to write EINJ entry/);
  t.ok(meetsExpectation(v, expectationFor(def('sea_to_user'), STOCK), { absentAllowed: false }), 'stock QEMU: the expected skip');
  t.notOk(meetsExpectation(v, expectationFor(def('sea_to_user'), EINJ), { absentAllowed: false }), 'with EINJ a pass is expected');
  t.notOk(meetsExpectation(v, expectationFor(def('sea_to_user'), FIRMWARE_FIRST), { absentAllowed: false }), 'firmware first: the APEI skip is expected');
});

t.test('sea_to_user skipping for another reason does not meet the expectation', async (t) => {
  const o = observe('sea-to-user-qemu-no-einj', 4, { stdout: 'Random seed: 0x1\n1..0 # SKIP - Requirement not met: KVM_CAP_ARM_SEA_TO_USER\n', ktap: parseKtap('Random seed: 0x1\n1..0 # SKIP - Requirement not met: KVM_CAP_ARM_SEA_TO_USER\n') });
  const v = decideVerdict(def('sea_to_user'), o);
  t.equal(v.verdict, 'skip');
  t.equal(v.skip?.id, 'cap-missing');
  t.notOk(meetsExpectation(v, expectationFor(def('sea_to_user'), STOCK), { absentAllowed: false }));
});

t.test('the same bail-out without a known skip is a failure', async (t) => {
  const stdout = 'ok 1 # SKIP something else entirely\nBail out! Failed to write EINJ entry: No such file or directory (2)\n';
  const v = decideVerdict(def('sea_to_user'), { ...observe('sea-to-user-qemu-no-einj', 1), stdout, ktap: parseKtap(stdout) });
  t.equal(v.verdict, 'fail');
  t.match(v.reason, /exit 1: Bail out! Failed to write EINJ entry/);
});

t.test('inject_iabt pass: guest lines and the printed ESR decoded', async (t) => {
  const v = decideVerdict(def('inject_iabt'), observe('inject-iabt-pass', 0));
  t.equal(v.verdict, 'pass');
  t.same(v.guestLines, ['From guest: Guest SEA esr_el1=0x86000010']);
  t.match(v.esr[0], /EC=0x21 IABT_CUR.*IL=1.*FnV=0.*FSC=0x10 synchronous external abort/);
});

t.test('a KVM selftest assertion (exit 254) is a fail with file:line and expression', async (t) => {
  const v = decideVerdict(def('external_aborts'), observe('external-aborts-no-ras-extn-einval', 254));
  t.equal(v.verdict, 'fail');
  t.match(v.reason, /^include\/kvm_util\.h:854: !ret \(pid=83 tid=83 errno=22 - Invalid argument\)/);
  const a = parseAssertion(fixture('external-aborts-no-ras-extn-einval').stderr);
  t.same(a?.details.at(-1), 'KVM_SET_VCPU_EVENTS failed, rc: -1 errno: 22 (Invalid argument)');
});

t.test('crash and timeout win over the exit code; absent is decided by the runner', async (t) => {
  const crash = decideVerdict(def('inject_iabt'), observe('inject-iabt-pass', 0, { crashes: ['[ 9.1] Internal error: Oops: 0000000096000004 [#1] SMP'] }));
  t.equal(crash.verdict, 'crash');
  t.match(crash.reason, /Internal error: Oops/);
  const to = decideVerdict(def('inject_iabt'), observe('inject-iabt-pass', 0, { exitCode: null, signal: 'KILL', timedOut: true }));
  t.equal(to.verdict, 'timeout');
  t.ok(meetsExpectation({ verdict: 'absent', skip: null }, expectationFor(def('inject_iabt'), EINJ), { absentAllowed: true }));
  t.notOk(meetsExpectation({ verdict: 'absent', skip: null }, expectationFor(def('inject_iabt'), EINJ), { absentAllowed: false }));
});

t.test('ESR decoding', async (t) => {
  t.equal(describeEsr(decodeEsr(0x86000410n)), 'EC=0x21 IABT_CUR (instruction abort, same EL), IL=1, FnV=1 (FAR not valid), FSC=0x10 synchronous external abort, not on a table walk');
  t.equal(decodeEsr(0x92000010n).ecName, 'DABT_LOW (data abort from a lower EL)');
});

t.test('killed by the in-L1 deadline is a timeout, however the kill is named', async (t) => {
  t.ok(killedByDeadline('SIGKILL', null, 180_050, 180), "ssh2's name");
  t.ok(killedByDeadline('KILL', null, 180_050, 180), "the SSH protocol's name");
  t.ok(killedByDeadline(null, 137, 179_200, 180), 'a shell: 128 + 9, within a second of the deadline');
  t.ok(killedByDeadline(null, 124, 181_000, 180), 'GNU timeout');
  t.notOk(killedByDeadline('SIGKILL', null, 12_000, 180), 'killed long before its deadline: not the deadline');
  t.notOk(killedByDeadline('SIGSEGV', null, 180_050, 180), 'another signal');
  t.notOk(killedByDeadline(null, 1, 180_050, 180), 'an exit status');
});

t.test('a timeout says what the test printed last', async (t) => {
  const stdout = '# Mapped 0x40000 pages\n# echo 0x1 > /sys/kernel/debug/apei/einj/error_inject - done\n# Memory UER EINJected\n';
  const v = decideVerdict(def('sea_to_user'), { ...observe('sea-to-user-qemu-no-einj', 1), exitCode: null, signal: 'SIGKILL', timedOut: true, stdout, ktap: parseKtap(stdout) });
  t.equal(v.verdict, 'timeout');
  t.match(v.reason, /killed by SIGKILL.*"echo 0x1 > \/sys\/kernel\/debug\/apei\/einj\/error_inject - done", "Memory UER EINJected"/);
});

t.test('sea_to_user on EINJ: exit 0 after "Guest done gracefully!" is the pass expected there, with the KVM exit read', async (t) => {
  const v = decideVerdict(def('sea_to_user'), observe('sea-to-user-einj-pass', 0));
  t.equal(v.verdict, 'pass');
  t.equal(v.reason, 'exit 0 after "Guest done gracefully!"');
  t.ok(meetsExpectation(v, expectationFor(def('sea_to_user'), EINJ), { absentAllowed: false }));
  t.notOk(meetsExpectation(v, expectationFor(def('sea_to_user'), STOCK), { absentAllowed: false }), 'on stock QEMU a pass would not be what was expected');
  t.same(v.guestLines, ['From guest: Handling Guest SEA', 'From guest: ESR_EL1=0x96000010, FAR_EL1=0x81234bad']);
  const exit = parseSeaExit(fixture('sea-to-user-einj-pass').stdout);
  t.same(
    { ...exit, description: undefined },
    { exitReason: 'KVM_EXIT_ARM_SEA', esr: '0x92000210', flags: '0x1', gva: '0x81234bad', gvaValid: true, gpa: '0xff81234000', gpaValid: true, description: undefined },
  );
  t.match(exit?.description, /^KVM_EXIT_ARM_SEA: esr=0x92000210 \(EC=0x24 DABT_LOW.*FnV=0.*FSC=0x10 synchronous external abort.*\), GVA 0x81234bad \(valid: FnV=0\), GPA 0xff81234000 \(valid: flags has KVM_EXIT_ARM_SEA_FLAG_GPA_VALID\)$/);
});

t.test('sea_to_user exit 0 without its pass marker is not a pass', async (t) => {
  const f = fixture('sea-to-user-einj-pass');
  const stdout = f.stdout.replace('# Guest done gracefully!\n', '');
  const v = decideVerdict(def('sea_to_user'), { ...observe('sea-to-user-einj-pass', 0), stdout, ktap: parseKtap(stdout) });
  t.equal(v.verdict, 'fail');
  t.match(v.reason, /exit 0 without "Guest done gracefully!"/);
  t.equal(decideVerdict(def('external_aborts'), { ...observe('sea-to-user-einj-pass', 0), stdout, ktap: parseKtap(stdout) }).verdict, 'pass', 'only a case with a pass marker asks for it');
});

t.test('sea_to_user firmware first: the SIGBUS handler reports the APEI skip and exits 0: the skip expected there', async (t) => {
  const v = decideVerdict(def('sea_to_user'), observe('sea-to-user-firmware-first-sigbus', 0));
  t.equal(v.verdict, 'skip');
  t.equal(v.skip?.id, 'sea-claimed-by-apei');
  t.match(v.reason, /the host's APEI claimed the SEA.*"SEA is claimed by host APEI"; exit 0/);
  t.ok(meetsExpectation(v, expectationFor(def('sea_to_user'), FIRMWARE_FIRST), { absentAllowed: false }));
  t.notOk(meetsExpectation(v, expectationFor(def('sea_to_user'), EINJ), { absentAllowed: false }), 'without firmware first the exit must happen');
  t.equal(parseSeaExit(fixture('sea-to-user-firmware-first-sigbus').stdout), null, 'KVM never exited');
});

t.test('sea_to_user on broken SEA exits: fail on the assertion, file:line and expression', async (t) => {
  const fsc = decideVerdict(def('sea_to_user'), observe('sea-to-user-exit-fsc-dropped', 254));
  t.equal(fsc.verdict, 'fail');
  t.match(fsc.reason, /^arm64\/sea_to_user\.c:206: esr & ESR_ELx_FSC_TYPE == ESR_ELx_FSC_EXTABT/);
  t.match(parseSeaExit(fixture('sea-to-user-exit-fsc-dropped').stdout), { esr: '0x92000200' }, 'the ESR as KVM handed it out, FSC gone');
  const gpa = decideVerdict(def('sea_to_user'), observe('sea-to-user-exit-wrong-gpa', 254));
  t.equal(gpa.verdict, 'fail');
  t.match(gpa.reason, /^arm64\/sea_to_user\.c:218: run->arm_sea\.gpa == einj_gpa & PAGE_ADDR_MASK/);
  t.match(parseSeaExit(fixture('sea-to-user-exit-wrong-gpa').stdout), { gpa: '0xff81235000', gpaValid: true });
  t.notOk(meetsExpectation(gpa, expectationFor(def('sea_to_user'), EINJ), { absentAllowed: false }));
});

t.test('sea_to_user hanging after the injection (opt-in inverted): timeout with the last lines it printed', async (t) => {
  const v = decideVerdict(def('sea_to_user'), observe('sea-to-user-optin-inverted-hang', 0, { exitCode: null, signal: 'SIGKILL', timedOut: true }));
  t.equal(v.verdict, 'timeout');
  t.match(v.reason, /killed by SIGKILL\); its last lines: "echo 0x1 > \/sys\/kernel\/debug\/apei\/einj\/error_inject - done", "Memory UER EINJected"$/);
});

t.test('parseSeaExit: FnV set and no GPA flag mean neither address is valid', async (t) => {
  const e = parseSeaExit('# Dump kvm_run info about KVM_EXIT_ARM_SEA\n# kvm_run.arm_sea: esr=0x92000610, flags=0\n# kvm_run.arm_sea: gva=0, gpa=0\n');
  t.match(e, { gvaValid: false, gpaValid: false });
  t.match(e?.description, /GVA 0 \(not valid: FnV=1\), GPA 0 \(not valid: flags=0\)/);
  t.equal(parseSeaExit('# kvm_run.arm_sea: esr=0x92000210, flags=0x1\n'), null, 'half a record is none');
  t.match(parseSeaExit('# Dump kvm_run info about KVM_EXIT_MMIO\n# kvm_run.arm_sea: esr=0, flags=0\n# kvm_run.arm_sea: gva=0, gpa=0\n'), { exitReason: 'KVM_EXIT_MMIO' }, 'the exit that came instead is named');
});

t.test('case expectations are keyed to capabilities: first match wins, the last rule is the catch-all', async (t) => {
  const c = def('sea_to_user');
  t.same(expectationFor(c, FIRMWARE_FIRST), { verdict: 'skip', skip: 'sea-claimed-by-apei' }, 'einj + firmwareFirst: the firmware-first rule, not the einj one');
  t.same(expectationFor(c, EINJ), { verdict: 'pass', skip: null });
  t.same(expectationFor(c, STOCK), { verdict: 'skip', skip: 'no-einj-table' });
  t.same(expectationFor(def('external_aborts'), FIRMWARE_FIRST), { verdict: 'pass', skip: null });
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cases', 'sea_to_user.json'), 'utf8')) as Record<string, unknown>;
  t.throws(() => parseCase('cases/x.json', { ...raw, expect: [{ provides: ['einj'], verdict: 'pass' }] }), { message: /the last rule must have no "provides"/ });
  t.throws(() => parseCase('cases/x.json', { ...raw, expect: [{ provides: ['ecc'], verdict: 'pass' }, { verdict: 'pass' }] }), { message: /"ecc" is not one of einj, firmwareFirst/ });
  t.throws(() => parseCase('cases/x.json', { ...raw, expect: [{ verdict: 'skip' }] }), { message: /an expected skip must name the knownSkips id/ });
});
