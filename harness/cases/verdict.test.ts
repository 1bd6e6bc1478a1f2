// Verdict rules over real captured case output (harness/cases/fixtures) and the case definitions in cases/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKtap } from '../ktap/parse.js';
import { expectationFor, loadCases, type CaseDefinition } from './definitions.js';
import { decideVerdict, killedByDeadline, meetsExpectation, type CaseObservation } from './verdict.js';
import { parseAssertion } from './assertion.js';
import { decodeEsr, describeEsr } from './esr.js';

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
